"""MultiSMTP's token-refresh job waits longer than an idle refresh token lives.

**What.** ``cron_refresh_days`` (``MULTISMTP_CRON_REFRESH_TOKEN_DAYS``) of a
``dolibarr-multismtp`` target is at least the provider's inactivity limit for refresh tokens:
90 days for Microsoft, about 6 months (180 days) for Google.

**Why.** The daily job ``Multismtp::cronRefreshOAuth2Tokens`` refreshes a token only when its
access token expired more than ``cron_refresh_days`` days ago. A mailbox that sends nothing for
that long keeps an unused refresh token; Entra revokes it after 90 days of inactivity
(AADSTS700082) and Google may revoke one unused for 6 months, before the job ever touches it. The
user must then consent again. (The job is disabled by default: enable it in the scheduled jobs
list, ``/cron/list.php``.)

**Fix.** Set ``cron_refresh_days`` well below the limit (the default 30 is fine) and enable the
scheduled job.

Source: SylvainLegrand/InfraStructure:htdocs/custom/multismtp/class/Multismtp.class.php
(``cronRefreshOAuth2Tokens``: ``if ($endOfLife + $threshold > $now) continue;``);
https://github.com/microsoft/foundry-dev-tools/issues/707 (AADSTS700082);
https://developers.google.com/identity/protocols/oauth2 (refresh token expiration).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.catalog.google import UNUSED_REFRESH_TOKEN_MONTHS
from mailoauth_cfg.catalog.microsoft import REFRESH_TOKEN_INACTIVITY_DAYS
from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._common import target_path
from mailoauth_cfg.targets.dolibarr_multismtp.model import MultismtpTarget

DAYS_PER_MONTH = 30
PROVIDER_NAMES = {"microsoft": "Microsoft Entra", "google": "Google"}


def inactivity_limit(provider_type: str | None) -> int | None:
    """Days after which an unused refresh token may be revoked, per provider type."""
    if provider_type == "microsoft":
        return REFRESH_TOKEN_INACTIVITY_DAYS
    if provider_type == "google":
        return UNUSED_REFRESH_TOKEN_MONTHS * DAYS_PER_MONTH
    return None


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Compare the refresh threshold with the provider's inactivity limit."""
    for plan, target in ctx.targets_of(MultismtpTarget):
        limit = inactivity_limit(plan.provider_type)
        if limit is None:
            continue
        if target.cron_refresh_days < limit:
            continue
        yield ctx.finding(
            RULE,
            f"target {plan.name}: cron_refresh_days {target.cron_refresh_days} lets an idle "
            f"mailbox's refresh token go unused for {target.cron_refresh_days} days; "
            f"{PROVIDER_NAMES.get(plan.provider_type or '', plan.provider_type)} revokes unused "
            f"refresh tokens after about {limit} days",
            target_path(plan.name, "cron_refresh_days"),
            fix=f"set `cron_refresh_days: 30` and enable the scheduled job "
            f"Multismtp::cronRefreshOAuth2Tokens ({target.url.rstrip('/')}/cron/list.php)",
            object=plan.object,
        )


RULE = Rule.define(
    __doc__,
    id="multismtp-cron-refresh-days",
    severity=Severity.WARNING,
    check=check,
    options=RuleOptions,
    family="targets",
    impacts=((Severity.WARNING, "idle tokens expire before the refresh job reaches them"),),
)

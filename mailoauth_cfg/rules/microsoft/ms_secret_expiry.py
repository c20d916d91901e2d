"""A Microsoft client secret expires soon, has expired, or has no known expiry.

**What.** ``apps.<name>.client_secret.expires`` is before ``--as-of`` + ``lead_days`` (warning),
before ``--as-of`` (error), or missing (info) on an app that uses a secret.

**Why.** When the secret expires every token refresh fails with ``AADSTS7000222`` and the
application silently stops sending mail. Entra gives secrets 6 months by default and 24 at most,
so they expire on a schedule that is easy to forget.

**Fix.** Add a new secret *before* the old one expires (App registrations › Certificates &
secrets › New client secret, or ``az ad app credential reset --id <client-id> --append``),
deploy it to the target, then delete the old one; record the new date in ``expires:``.
A certificate credential avoids the secret altogether.

Options: ``lead_days`` (default 30): how many days ahead to warn.

Source: https://learn.microsoft.com/entra/identity-platform/howto-create-service-principal-portal;
AADSTS7000222 in https://learn.microsoft.com/entra/identity-platform/reference-error-codes.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions


class Options(RuleOptions):
    """Options of ``ms-secret-expiry``."""

    lead_days: int = Field(default=30, ge=0, le=365)


def check(ctx: Context, options: Options) -> Iterator[Finding]:
    """Compare each Microsoft app secret's expiry with the run date."""
    for plan in ctx.app_plans():
        secret = plan.app.client_secret
        if plan.provider_type != "microsoft" or secret is None:
            continue
        path = ("apps", plan.name, "client_secret")
        renew = (
            f"add a new secret (`az ad app credential reset --id {plan.app.client_id} --append`),"
            " deploy it, delete the old one and update `expires:`"
        )
        if secret.expires is None:
            yield ctx.finding(
                RULE,
                f"the client secret of app {plan.name} has no expiry date: nothing will warn "
                "before it expires",
                path,
                fix="copy the 'Expires' date from App registrations › Certificates & secrets "
                "into `expires: YYYY-MM-DD`",
                object=plan.object,
                severity=Severity.INFO,
            )
            continue
        days = (secret.expires - ctx.as_of).days
        where = (*path, "expires")
        if days < 0:
            yield ctx.finding(
                RULE,
                f"the client secret of app {plan.name} expired on {secret.expires.isoformat()} "
                f"({-days} days before {ctx.as_of.isoformat()}); token refreshes fail with "
                "AADSTS7000222",
                where,
                fix=renew,
                object=plan.object,
                severity=Severity.ERROR,
            )
        elif days <= options.lead_days:
            yield ctx.finding(
                RULE,
                f"the client secret of app {plan.name} expires on {secret.expires.isoformat()}, "
                f"in {days} days",
                where,
                fix=renew,
                object=plan.object,
            )


RULE = Rule.define(
    __doc__,
    id="ms-secret-expiry",
    severity=Severity.WARNING,
    check=check,
    options=Options,
    family="microsoft-app",
)

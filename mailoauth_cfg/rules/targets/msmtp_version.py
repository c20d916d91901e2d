"""The msmtp version cannot do the SASL mechanism the provider needs, or is unknown.

**What.** An ``msmtp`` target's ``version`` is below 1.8.13 with Microsoft (error: ``auth
xoauth2`` is missing), below 1.8.5 with Google (error: neither ``oauthbearer`` nor ``xoauth2``),
between 1.8.5 and 1.8.13 with Google (warning: only ``oauthbearer``, and long ``passwordeval``
output arrived in 1.8.13), or is not declared (info).

**Why.** Exchange Online accepts only XOAUTH2, which msmtp supports from 1.8.13 together with
``passwordeval`` output long enough for an access token. ``oauthbearer`` arrived in 1.8.4 and was
fixed in 1.8.5. Which mechanisms a binary offers also depends on its authentication library.

**Fix.** Install msmtp 1.8.13 or later (``msmtp --version`` shows the version and the available
authentication methods) and record it in ``version:``.

Source: marlam/msmtp:NEWS; marlam/msmtp:doc/msmtp.1; mailoauth_cfg/catalog/targets.py
constraints ``msmtp-xoauth2-min-version`` and ``msmtp-oauthbearer-min-version``.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.model import MsmtpTarget
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._common import constraint, plans_of, target_path, version_lt


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Compare each msmtp version with the mechanism minimums."""
    for plan in plans_of(ctx, "msmtp"):
        target = plan.target
        if not isinstance(target, MsmtpTarget):
            continue
        xoauth2 = str(constraint(plan.kind, "msmtp-xoauth2-min-version").value)
        oauthbearer = str(constraint(plan.kind, "msmtp-oauthbearer-min-version").value)
        version = target.version
        if version is None:
            yield ctx.finding(
                RULE,
                f"target {plan.name}: msmtp version unknown; XOAUTH2 needs msmtp >= {xoauth2}",
                target_path(plan.name),
                fix=f"run `msmtp --version` on the host (version and 'Authentication library'"
                f" line) and set `version:` on target {plan.name}",
                object=plan.object,
                at_key=True,
                severity=Severity.INFO,
            )
            continue
        where = target_path(plan.name, "version")
        upgrade = f"install msmtp {xoauth2} or later and update `version:`"
        if plan.provider_type == "google":
            if version_lt(version, oauthbearer):
                yield ctx.finding(
                    RULE,
                    f"target {plan.name}: msmtp {version} has neither oauthbearer (>= "
                    f"{oauthbearer}) nor xoauth2 (>= {xoauth2})",
                    where,
                    fix=upgrade,
                    object=plan.object,
                )
            elif version_lt(version, xoauth2):
                yield ctx.finding(
                    RULE,
                    f"target {plan.name}: msmtp {version} offers only oauthbearer for Gmail; "
                    f"xoauth2 and long passwordeval output need >= {xoauth2}",
                    where,
                    fix=upgrade + " (meanwhile the account needs `auth oauthbearer`)",
                    object=plan.object,
                    severity=Severity.WARNING,
                )
        elif version_lt(version, xoauth2):
            yield ctx.finding(
                RULE,
                f"target {plan.name}: msmtp {version} has no auth xoauth2, the only mechanism "
                f"Exchange Online accepts (needs >= {xoauth2})",
                where,
                fix=upgrade,
                object=plan.object,
            )


RULE = Rule.define(
    __doc__,
    id="msmtp-version",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="targets",
)

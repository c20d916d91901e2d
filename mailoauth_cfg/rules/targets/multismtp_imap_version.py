"""A MultiSMTP target uses OAuth for IMAP on a Dolibarr older than 22.

**What.** A ``dolibarr-multismtp`` target lists ``imap`` in ``protocols`` and its ``version`` is
below the catalog minimum for OAuth IMAP (22).

**Why.** MultiSMTP copies sent mail to the user's IMAP folder; doing that with XOAUTH2 relies on
Dolibarr's IMAP OAuth support (Webklex PHPIMAP, ``MAIN_IMAP_USE_PHPIMAP=1``), available from
Dolibarr 22. On older versions the IMAP copy cannot log in with the token.

**Fix.** Upgrade Dolibarr to 22 or later, or remove ``imap`` from ``protocols``.

Source: SylvainLegrand/InfraStructure:htdocs/custom/multismtp/FEATURES.md;
mailoauth_cfg/catalog/targets.py constraint ``multismtp-imap-oauth-min-version``.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.model import MultismtpTarget
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._common import constraint, plans_of, target_path, version_lt


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Compare the Dolibarr version of MultiSMTP targets that use IMAP with the minimum."""
    for plan in plans_of(ctx, "dolibarr-multismtp"):
        target = plan.target
        if not isinstance(target, MultismtpTarget) or "imap" not in target.protocols:
            continue
        rule = constraint(plan.kind, "multismtp-imap-oauth-min-version")
        minimum = str(rule.value)
        if not version_lt(target.version, minimum):
            continue
        others = ", ".join(dict.fromkeys(p for p in target.protocols if p != "imap")) or "smtp"
        yield ctx.finding(
            RULE,
            f"target {plan.name}: {rule.message.rstrip('.')} (version {target.version})",
            target_path(plan.name, "version"),
            fix=f"upgrade Dolibarr to {minimum} or later, or set `protocols: [{others}]`",
            object=plan.object,
        )


RULE = Rule.define(
    __doc__,
    id="multismtp-imap-version",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="targets",
)

"""A Dolibarr OAuth service label is a reserved name (``Login``).

**What.** ``targets.<name>.label`` of a ``dolibarr`` target equals a reserved label of the
catalog (``Login``, compared without case because ``llx_const`` names usually use a
case-insensitive collation). Error with the Google provider class, warning with the others.

**Why.** ``OAUTH_GOOGLE-Login_*`` is Dolibarr's Google sign-in (SSO) entry: it needs no token
and is driven by ``$dolibarr_main_authentication``. A mail service with that label overwrites the
SSO settings or is taken for them.

**Fix.** Pick another label, e.g. ``label: Emails``.

Source: https://wiki.dolibarr.org/index.php/Module_OAuth; mailoauth_cfg/catalog/
targets.py constraint ``dolibarr-label-reserved``.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.model import DolibarrTarget
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._common import constraint, plans_of, target_path


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Compare each Dolibarr label with the reserved labels."""
    for plan in plans_of(ctx, "dolibarr"):
        target = plan.target
        if not isinstance(target, DolibarrTarget) or not target.label:
            continue
        rule = constraint(plan.kind, "dolibarr-label-reserved")
        reserved = rule.value if isinstance(rule.value, tuple) else (str(rule.value),)
        if target.label.casefold() not in {r.casefold() for r in reserved}:
            continue
        google = plan.dolibarr is not None and plan.dolibarr.key == "GOOGLE"
        suggestion = "Emails" if target.label.casefold() != "emails" else "Mail"
        yield ctx.finding(
            RULE,
            f"target {plan.name}: label {target.label!r} is reserved: {rule.message}",
            target_path(plan.name, "label"),
            fix=f"set `label: {suggestion}`",
            object=plan.object,
            severity=Severity.ERROR if google else Severity.WARNING,
        )


RULE = Rule.define(
    __doc__,
    id="dolibarr-label-reserved",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="targets",
)

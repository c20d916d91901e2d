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
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._common import target_path
from mailoauth_cfg.targets.dolibarr import provider_class_of
from mailoauth_cfg.targets.dolibarr.facts import RESERVED_LABELS
from mailoauth_cfg.targets.dolibarr.model import DolibarrTarget


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Compare each Dolibarr label with the reserved labels."""
    for plan, target in ctx.targets_of(DolibarrTarget):
        if not target.label:
            continue
        if target.label.casefold() not in {r.casefold() for r in RESERVED_LABELS}:
            continue
        provider = provider_class_of(plan)
        google = provider is not None and provider.key == "GOOGLE"
        suggestion = "Emails" if target.label.casefold() != "emails" else "Mail"
        yield ctx.finding(
            RULE,
            f"target {plan.name}: label {target.label!r} is reserved: 'Login' is the Google SSO "
            "entry (OAUTH_GOOGLE-Login_*); do not use it for mail.",
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
    impacts=(
        (Severity.ERROR, "the label overwrites Dolibarr's Google sign-in entry"),
        (Severity.WARNING, "the label may be taken for the sign-in entry"),
    ),
)

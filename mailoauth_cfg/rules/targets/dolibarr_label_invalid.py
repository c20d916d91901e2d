"""A Dolibarr OAuth service label contains characters Dolibarr cannot parse back.

**What.** ``targets.<name>.label`` of a ``dolibarr`` target does not match the catalog pattern
``^[A-Za-z0-9_]+$`` (a ``-``, a dot, a space...). An empty label (the unlabelled entry
``OAUTH_<PROV>_ID``) is allowed.

**Why.** Dolibarr names the entry's constants ``OAUTH_<PROV>-<label>_*`` and finds the provider
and the label again by splitting on the first and the last ``-``: a label with ``-`` is cut in
two, and the form filter strips other characters, so the service the mail setup references
(``MAIN_MAIL_SMTPS_OAUTH_SERVICE=<PROV>-<label>``) is never found.

**Fix.** Use letters, digits and ``_`` only, e.g. ``label: Emails_Sales``.

Source: Dolibarr/dolibarr:htdocs/admin/oauth.php (label filter and split);
mailoauth_cfg/catalog/targets.py constraint ``dolibarr-label-pattern``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.model import DolibarrTarget
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._common import constraint, plans_of, target_path


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Match each Dolibarr label against the catalog pattern."""
    for plan in plans_of(ctx, "dolibarr"):
        target = plan.target
        if not isinstance(target, DolibarrTarget) or not target.label:
            continue
        rule = constraint(plan.kind, "dolibarr-label-pattern")
        pattern = str(rule.value)
        if re.fullmatch(pattern, target.label):
            continue
        suggestion = re.sub(r"[^A-Za-z0-9_]", "_", target.label).strip("_") or "Emails"
        yield ctx.finding(
            RULE,
            f"target {plan.name}: Dolibarr label {target.label!r} does not match {pattern}: "
            f"{rule.message}",
            target_path(plan.name, "label"),
            fix=f"set `label: {suggestion}`",
            object=plan.object,
        )


RULE = Rule.define(
    __doc__,
    id="dolibarr-label-invalid",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="targets",
)

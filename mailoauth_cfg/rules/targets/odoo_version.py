"""An Odoo target runs a version without the Outlook / Gmail OAuth modules.

**What.** ``version`` of an ``odoo`` target is below the catalog minimum (15).

**Why.** The ``microsoft_outlook`` and ``google_gmail`` modules that store the client, run the
consent (``/microsoft_outlook/confirm``, ``/google_gmail/confirm``) and authenticate outgoing and
incoming mail servers with XOAUTH2 are part of Odoo from version 15.

**Fix.** Upgrade Odoo to 15 or later and update ``version:``.

Source: odoo/odoo:addons/microsoft_outlook; odoo/odoo:addons/google_gmail;
mailoauth_cfg/catalog/targets.py (Odoo ``min_version``).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.model import OdooTarget
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._common import plans_of, target_path, version_lt


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Compare Odoo versions with the catalog minimum."""
    for plan in plans_of(ctx, "odoo"):
        target = plan.target
        minimum = plan.kind.min_version
        if not isinstance(target, OdooTarget) or minimum is None:
            continue
        if not version_lt(target.version, minimum):
            continue
        yield ctx.finding(
            RULE,
            f"target {plan.name}: Odoo {target.version} has no microsoft_outlook/google_gmail "
            f"OAuth modules (needs >= {minimum})",
            target_path(plan.name, "version"),
            fix=f"upgrade Odoo to {minimum} or later and update `version:`",
            object=plan.object,
        )


RULE = Rule.define(
    __doc__,
    id="odoo-version",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="targets",
)

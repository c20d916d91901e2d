"""A WaveSoft app lacks permissions WaveSoft's technical sheet lists.

**What.** An app used by a ``wavesoft`` target with Microsoft declares ``permissions`` and some of
the delegated permissions of FTC030 are missing: ``IMAP.AccessAsUser.All``, ``offline_access``,
``openid``, ``profile``, ``User.Read``, ``POP.AccessAsUser.All``, ``SMTP.Send``.

Only the entries beyond the protocol minimum are reported here (``IMAP.AccessAsUser.All`` and
``offline_access`` missing is ``ms-permission-missing``'s error).

**Why.** WaveSoft's consent requests the scopes of its own list; a scope the registration does
not hold needs a new consent (which users often cannot give) or fails. The entries beyond the
minimum come from the technical sheet rather than from observed requests, hence a warning.

**Fix.** Entra admin center › App registrations › <app> › API permissions › Add a permission ›
Microsoft Graph › Delegated: add the missing ones, grant admin consent, and list them in
``permissions``.

Source: WaveSoft fiche technique FTC030 (V23.02.05); the WaveSoft facts
(``documented_permissions``).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._common import documented_beyond_required, missing_permissions
from mailoauth_cfg.targets.wavesoft.model import WavesoftTarget


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Compare declared permissions of WaveSoft apps with the documented list."""
    for app_plan in ctx.app_plans():
        declared_perms = app_plan.app.permissions
        if declared_perms is None:
            continue
        wavesoft = [
            t for t in app_plan.targets if isinstance(t.target, WavesoftTarget) and t.microsoft
        ]
        if not wavesoft:
            continue
        missing = missing_permissions(declared_perms, documented_beyond_required(wavesoft))
        if not missing:
            continue
        names = ", ".join(t.name for t in wavesoft)
        yield ctx.finding(
            RULE,
            f"app {app_plan.name} (WaveSoft target {names}) lacks {', '.join(missing)}, "
            "listed by WaveSoft's FTC030",
            ("apps", app_plan.name, "permissions"),
            fix=f"API permissions › Add a permission › Microsoft Graph › Delegated: "
            f"{', '.join(missing)}; grant admin consent and add them to `permissions`",
            object=app_plan.object,
        )


RULE = Rule.define(
    __doc__,
    id="wavesoft-permissions",
    severity=Severity.WARNING,
    check=check,
    options=RuleOptions,
    family="targets",
)

"""A WaveSoft app lacks permissions WaveSoft's technical sheet lists.

**What.** An app used by a ``wavesoft`` target with Microsoft declares ``permissions`` and some of
the delegated permissions of FTC030 are missing: ``IMAP.AccessAsUser.All``, ``offline_access``,
``openid``, ``profile``, ``User.Read``, ``POP.AccessAsUser.All``, ``SMTP.Send``.

Only the entries beyond the protocol minimum are reported here (``IMAP.AccessAsUser.All`` and
``offline_access`` missing is ``ms-permission-missing``'s error).

Severity follows the tenant's user-consent setting (``providers.<p>.user_consent``): a missing
scope users may not consent to is an error (``disabled``: all; ``low-impact``: all but the
OpenID Connect scopes and ``User.Read``); with ``allowed`` nothing is reported; not declared:
info.

**Why.** WaveSoft's consent requests the scopes of its own list; a scope the registration does
not hold is consented by the signing-in user, which works where users may consent and stops at
"approval required" where they may not.

**Fix.** Entra admin center › App registrations › <app> › API permissions › Add a permission ›
Microsoft Graph › Delegated: add the missing ones, grant admin consent, and list them in
``permissions``.

Source: WaveSoft fiche technique FTC030 (V23.02.05); the WaveSoft facts
(``documented_permissions``).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Edit, Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._common import documented_beyond_required, missing_permissions
from mailoauth_cfg.targets.wavesoft.model import WavesoftTarget

LOW_IMPACT = frozenset({"openid", "profile", "email", "offline_access", "user.read"})
"""Permissions Entra classifies low impact by default (users may consent to them under the
"low impact" consent policy)."""


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
        consent = getattr(app_plan.provider, "user_consent", None)
        if consent == "allowed":
            continue  # the signing-in user consents to what WaveSoft requests
        blocked = (
            missing
            if consent == "disabled"
            else [m for m in missing if m.lower() not in LOW_IMPACT]
            if consent == "low-impact"
            else []
        )
        names = ", ".join(t.name for t in wavesoft)
        shown = blocked or missing
        yield ctx.finding(
            RULE,
            f"app {app_plan.name} (WaveSoft target {names}) lacks {', '.join(shown)}, "
            "which WaveSoft's consent requests (FTC030)"
            + (
                f": users of this tenant may not consent to them (user_consent: {consent}), so "
                "the sign-in stops at 'approval required'"
                if blocked
                else ": the signing-in user consents to them unless the tenant forbids it "
                "(its user-consent setting is not declared, or allows these)"
            ),
            ("apps", app_plan.name, "permissions"),
            fix=f"API permissions › Add a permission › Microsoft Graph › Delegated: "
            f"{', '.join(shown)}; grant admin consent and add them to `permissions`",
            object=app_plan.object,
            severity=Severity.ERROR if blocked else Severity.INFO,
            edits=tuple(Edit("add", ("apps", app_plan.name, "permissions"), m) for m in shown),
        )


RULE = Rule.define(
    __doc__,
    id="wavesoft-permissions",
    severity=Severity.INFO,
    check=check,
    options=RuleOptions,
    family="targets",
    impacts=(
        (Severity.ERROR, "users may not consent to what WaveSoft requests: approval required"),
        (Severity.INFO, "the tenant's consent setting is not declared: it decides"),
    ),
    fixable=True,
)

"""A permission listed on a Microsoft app is not a Microsoft permission the tool knows.

**What.** A name in ``apps.<name>.permissions`` matches no delegated scope or application role
of the catalog (Microsoft Graph and Office 365 Exchange Online mail permissions and the OIDC
scopes), neither as a friendly name (``SMTP.Send``, case-insensitive) nor as a full scope URI
(``https://outlook.office.com/SMTP.Send``).

A name close to a known one (a typo) is an error; any other unknown name is an info, since
it may be a real permission outside the catalog's mail permissions.

**Why.** A misspelt permission (``SMTP.Sent``, ``IMAP.AccessAsUser``) does not exist in Entra:
the portal cannot add it, a manifest with it is rejected, and the permission the target really
needs stays missing. Every other permission rule ignores names it cannot resolve, so the typo
would otherwise go unnoticed.

**Fix.** Replace the name with the suggested one, or with the exact name shown under API
permissions › Add a permission (Microsoft Graph › Delegated permissions for ``SMTP.Send``,
``IMAP.AccessAsUser.All``, ``POP.AccessAsUser.All``, ``offline_access``; Office 365 Exchange
Online › Application permissions for ``SMTP.SendAsApp``, ``IMAP.AccessAsApp``,
``POP.AccessAsApp``). Suppress the rule on the app for a permission the catalog does not list
yet.

Source: merill/graph-permissions-explorer:permission/SMTP.Send.md (and sibling pages);
Office 365 Exchange Online permission dump (the resource's appRoles and oauth2PermissionScopes).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.catalog.microsoft import PERMISSION_NAMES
from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.microsoft._common import declared_permissions, microsoft_apps

CUTOFF = 0.8
"""difflib ratio above which a catalog name is offered as the intended one."""
_COMMON = "SMTP.Send, IMAP.AccessAsUser.All, POP.AccessAsUser.All, offline_access"


def suggestion(name: str) -> str | None:
    """The catalog permission name closest to ``name`` (difflib, case-insensitive)."""
    short = name.rsplit("/", 1)[-1]
    lowered = {n.lower(): n for n in PERMISSION_NAMES}
    import difflib  # on use: rarely needed, and not free to import

    match = difflib.get_close_matches(short.lower(), list(lowered), n=1, cutoff=CUTOFF)
    return lowered[match[0]] if match else None


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Resolve every declared permission name against the catalog."""
    for plan in microsoft_apps(ctx):
        for index, name, permission in declared_permissions(plan.app):
            if permission is not None:
                continue
            match = suggestion(name)
            hint = f" (did you mean {match!r}?)" if match else ""
            fix = (
                f"replace {name!r} with {match!r}"
                if match
                else f"use the exact name shown in the Entra portal (mail permissions: {_COMMON}); "
                "if it is a real permission a target needs, suppress this rule on the app with the "
                "reason"
            )
            yield ctx.finding(
                RULE,
                f"app {plan.name} lists {name!r}, which is not a Microsoft Graph or Exchange "
                f"Online mail permission mailoauth-cfg knows{hint}",
                ("apps", plan.name, "permissions", index),
                fix=fix,
                object=plan.object,
                severity=None if match else Severity.INFO,
            )


RULE = Rule.define(
    __doc__,
    id="ms-unknown-permission",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="microsoft",
    impacts=(
        (Severity.ERROR, "a misspelt permission: the intended one is missing"),
        (Severity.INFO, "a permission outside the catalog: not judged"),
    ),
)

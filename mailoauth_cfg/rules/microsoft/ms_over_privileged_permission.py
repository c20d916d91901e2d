"""A Microsoft app holds a permission broader than any of its targets needs.

**What.** A name in ``apps.<name>.permissions`` resolves (for the app's flow) to a permission
the catalog marks ``over_privileged`` (``Mail.ReadWrite``, ``User.Read.All``, application
``Mail.Send``/``Mail.Read``/``Mail.ReadWrite``, ``full_access_as_app``, ``Exchange.Manage``…)
and no target of the app lists it in ``allowed_over_privileged`` (Open Bee documents
``Mail.ReadWrite`` and ``User.Read.All``); or a delegated app holds an application-only role
(``IMAP.AccessAsApp``…) although it uses no client credentials.

**Why.** Sending over SMTP needs ``SMTP.Send``, reading over IMAP/POP the
``*.AccessAsUser.All`` scope: anything more is access an attacker gains with the app's secret
or a stolen token. Application roles are worst: they open *every* mailbox of the tenant to
whoever holds the app's credential, with no user involved.

**Fix.** Remove the permission from ``permissions:`` and from the registration (Entra admin
center › App registrations › <app> › API permissions › ⋯ › Remove permission, or
``az ad app permission delete``), then revoke the consent already granted (Enterprise
applications › <app> › Permissions). If a target really needs it, suppress the rule on the app
with the reason.

Source: https://learn.microsoft.com/en-us/entra/identity-platform/security-best-practices-for-app-registration
(least privilege); https://help.openbee.com/ (Office 365 and G Suite SMTP configuration)
(permissions); merill/graph-permissions-explorer:permission/Mail.ReadWrite.md; the Office 365
Exchange Online permission dump (full_access_as_app is the EWS role, not the IMAP one).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.microsoft._common import (
    az_permission_delete,
    declared_permissions,
    microsoft_apps,
    microsoft_targets,
    portal,
)


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Flag declared permissions no target of the app justifies."""
    for plan in microsoft_apps(ctx):
        app = plan.app
        if app.permissions is None:
            continue
        allowed = {
            name.lower()
            for target in microsoft_targets(plan)
            if target.microsoft is not None
            for name in target.microsoft.allowed_over_privileged
        }
        for index, name, found in declared_permissions(app):
            if found is None:
                continue
            if app.flow == "delegated" and found.kind == "application":
                why = (
                    f"{found.name} is an application permission: it opens every mailbox of the "
                    f"tenant to whoever holds the app's credential, and delegated app "
                    f"{plan.name} uses no client credentials"
                )
            elif found.over_privileged and found.name.lower() not in allowed:
                note = f"; {found.note}" if found.note and "Needed by" in found.note else ""
                desc = re.sub(
                    r"\. (\w)", lambda m: "; " + m.group(1).lower(), found.description.rstrip(".")
                )
                why = (
                    f"app {plan.name} holds {found.name} ({found.kind}), more than sending or "
                    f"reading mail needs: {desc}{note}; no target of the app needs it"
                )
            else:
                continue
            yield ctx.finding(
                RULE,
                why,
                ("apps", plan.name, "permissions", index),
                fix=f"remove {name!r} from apps.{plan.name}.permissions and from the registration "
                f"({portal(plan, 'API permissions', found.name, 'Remove permission')}, or "
                f"`{az_permission_delete(plan, found)}`), then revoke its consent in Entra admin "
                f"center › Enterprise applications › {plan.name} (Application ID "
                f"{app.client_id}) › Permissions",
                object=plan.object,
            )


RULE = Rule.define(
    __doc__,
    id="ms-over-privileged-permission",
    severity=Severity.INFO,
    check=check,
    options=RuleOptions,
    family="microsoft",
    impacts=((Severity.INFO, "more access than mail needs: nothing breaks, advice"),),
)

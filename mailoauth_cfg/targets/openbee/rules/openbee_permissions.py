"""An Open Bee app lacks permissions of Open Bee's documented set.

**What.** An app used by an ``openbee`` target with Microsoft declares ``permissions`` without
all of Open Bee's documented delegated Microsoft Graph permissions (``Mail.Send``,
``User.Read.All``, ``SMTP.Send``, ``Mail.ReadWrite``, ``User.Read``). Only the documented
permissions beyond the protocol minimum are reported here: ``SMTP.Send`` and ``offline_access``
are ``ms-permission-missing``'s, and the admin consent Open Bee requires is
``ms-admin-consent-missing``'s.

**Why.** Open Bee's documentation requires these five permissions and asks to verify that all
five show "Granted for <tenant>" before saving; an error in the consent popup is reported to
crash the application.

**Fix.** Entra admin center › App registrations › <app> › API permissions › Add a permission ›
Microsoft Graph › Delegated permissions: add the missing ones, then "Grant admin consent for
<tenant>", and list them in ``permissions``.

Source: https://help.openbee.com/ (Office 365 and G Suite SMTP configuration);
the Open Bee facts (``documented_permissions``).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Edit, Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._common import documented_beyond_required, missing_permissions
from mailoauth_cfg.targets.openbee.model import OpenbeeTarget


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Compare Open Bee apps' declared permissions with the documentation."""
    for app_plan in ctx.app_plans():
        declared_perms = app_plan.app.permissions
        plans = [t for t in app_plan.targets if isinstance(t.target, OpenbeeTarget) and t.microsoft]
        if declared_perms is None or not plans:
            continue
        missing = missing_permissions(declared_perms, documented_beyond_required(plans))
        if not missing:
            continue
        names = ", ".join(t.name for t in plans)
        yield ctx.finding(
            RULE,
            f"app {app_plan.name} (Open Bee target {names}) lacks {', '.join(missing)}, which "
            "Open Bee's documentation requires",
            ("apps", app_plan.name, "permissions"),
            fix=f"API permissions › Add a permission › Microsoft Graph › Delegated: "
            f"{', '.join(missing)}; grant admin consent and add them to `permissions`",
            object=app_plan.object,
            edits=tuple(Edit("add", ("apps", app_plan.name, "permissions"), m) for m in missing),
        )


RULE = Rule.define(
    __doc__,
    id="openbee-permissions",
    severity=Severity.WARNING,
    check=check,
    options=RuleOptions,
    family="targets",
    impacts=((Severity.WARNING, "Open Bee's consent may ask for permissions users cannot grant"),),
    fixable=True,
)

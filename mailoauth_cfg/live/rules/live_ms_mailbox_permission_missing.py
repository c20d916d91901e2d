"""An app-only app is not authorised on a mailbox it uses: FullAccess (IMAP/POP), SendAs or an
RBAC for Applications scope (SMTP).

**What.** For each mailbox of the app's targets (and ``granted_mailboxes``), the app's Exchange
service principal (matched by its object ID, identity, name or app ID) needs:

* to read it over IMAP/POP: ``FullAccess`` in ``Get-MailboxPermission`` (Exchange offers no
  other model for IMAP and POP);
* to send as it over SMTP, either of the two models Exchange accepts:

  - **mailbox permissions**: ``SendAs`` in ``Get-RecipientPermission`` (with the
    ``SMTP.SendAsApp`` Entra role);
  - **RBAC for Applications**: a management role assignment of ``Application
    SMTP.SendAsApp`` to the service principal (``Get-ManagementRoleAssignment``) whose scope
    (organisation, or a management scope's recipient filter, ``Get-ManagementScope``) reaches
    the mailbox, as Exchange evaluates it (``Test-ServicePrincipalAuthorization -Resource``).
    Then no ``SendAs`` and no Entra role are needed (the Entra role would even trigger the
    mailbox-permission check).

**Why.** The app's role lets it log in at all; the mailbox permission or the RBAC scope decides
which mailboxes: without either, the login as that mailbox fails (``535 5.7.3``,
``AUTHENTICATE failed``).

**Fix.** ``Add-MailboxPermission -Identity <mailbox> -User <service principal ID> -AccessRights
FullAccess``; for SMTP ``Add-RecipientPermission -Identity <mailbox> -Trustee <service principal
ID> -AccessRights SendAs``, or with RBAC for Applications put the mailbox in the assignment's
scope (``New-ManagementScope``/``Set-ManagementScope -RecipientRestrictionFilter``,
``New-ManagementRoleAssignment -Role "Application SMTP.SendAsApp" -App <app ID>
-CustomResourceScope <scope>``).

Source: https://learn.microsoft.com/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth;
MicrosoftDocs/office-developer-exchange-docs:docs/legacy-protocols/smtp-app-rbac-onboarding.md;
https://learn.microsoft.com/powershell/module/exchange/test-serviceprincipalauthorization.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.derive import AppPlan
from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.live.microsoft.exchange_roles import SMTP_ROLE
from mailoauth_cfg.live.microsoft.needs import app_mailbox_rights
from mailoauth_cfg.live.rules._base import MICROSOFT, finding, microsoft_apps, quietly, unknown
from mailoauth_cfg.live.rules._microsoft import exchange_identities, rbac_smtp
from mailoauth_cfg.live.rules._user_common import exchange_connect, primary_address
from mailoauth_cfg.live.snapshot import (
    ManagementRoleAssignment,
    MicrosoftTenant,
    ServicePrincipal,
    Unknown,
)
from mailoauth_cfg.loading import PathKey
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions


def scope_text(ctx: Context, tenant: MicrosoftTenant, held: list[ManagementRoleAssignment]) -> str:
    """``scope "Mail apps" (RecipientRestrictionFilter …)`` of each assignment."""
    parts: list[str] = []
    for assignment in held:
        name = assignment.custom_resource_scope
        if not name:
            parts.append(f"{assignment.name or SMTP_ROLE} (organisation-wide)")
            continue
        with quietly(ctx):
            scope = tenant.management_scope(name)
        restriction = (
            f": {scope.recipient_restriction_filter}"
            if not isinstance(scope, Unknown) and scope and scope.recipient_restriction_filter
            else ""
        )
        parts.append(f'{assignment.name or SMTP_ROLE} (scope "{name}"{restriction})')
    return ", ".join(parts)


def rbac_verdict(
    ctx: Context, tenant: MicrosoftTenant, plan: AppPlan, email: str
) -> tuple[bool | None, str]:
    """``(authorised, detail)`` of RBAC for Applications for sending as ``email`` (``None``:
    could not be decided; the engine reports the missing fact)."""
    held = rbac_smtp(tenant, plan.app.client_id)
    if isinstance(held, Unknown):
        return None, ""
    if not held:
        return False, ""
    rows = tenant.authorization(plan.app.client_id, email)
    if isinstance(rows, Unknown):
        return None, ""
    verdicts = [r.in_scope for r in rows if r.role_name.lower() == SMTP_ROLE.lower()]
    if any(v is True for v in verdicts):
        return True, ""
    return False, scope_text(ctx, tenant, held)


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Check each needed mailbox authorisation of app-only apps."""
    for plan, tenant in microsoft_apps(ctx):
        rights = app_mailbox_rights(ctx.config, plan.name)
        if not rights:
            continue
        ids = exchange_identities(tenant, plan.app.client_id)
        with quietly(ctx):
            sp = tenant.service_principal(plan.app.client_id)
        trustee = sp.id if isinstance(sp, ServicePrincipal) else "<service principal ID>"
        granted = [e.lower() for e in plan.app.granted_mailboxes or []]
        for email, wanted in rights.items():
            path: PathKey = (
                ("apps", plan.name, "granted_mailboxes", granted.index(email))
                if email in granted
                else ("apps", plan.name)
            )
            mailbox = primary_address(ctx, tenant, email)
            for right in sorted(wanted):
                if right == "FullAccess":
                    entries = tenant.mailbox_permissions_of(email)
                    if isinstance(entries, Unknown):
                        continue  # the engine reports the missing fact as unknown
                    if any(
                        e.user.lower() in ids
                        and not e.deny
                        and any(r.lower() == "fullaccess" for r in e.access_rights)
                        for e in entries
                    ):
                        continue
                    yield finding(
                        ctx,
                        RULE,
                        f"the Exchange service principal of app-only app {plan.name} has no "
                        f"FullAccess on {email}: IMAP/POP logins as that mailbox fail",
                        path,
                        fix=f"{exchange_connect(tenant)}; Add-MailboxPermission -Identity "
                        f"{mailbox} -User {trustee} -AccessRights FullAccess",
                        object=plan.object,
                    )
                    continue
                sends = tenant.recipient_permissions_of(email)
                if isinstance(sends, Unknown):
                    continue
                if any(
                    e.trustee.lower() in ids
                    and e.access_control_type.lower() == "allow"
                    and any(r.lower() == "sendas" for r in e.access_rights)
                    for e in sends
                ):
                    continue
                authorised, scopes = rbac_verdict(ctx, tenant, plan, email)
                if authorised is None:
                    yield unknown(
                        ctx,
                        RULE,
                        f"whether app {plan.name} may send as {email} through RBAC for "
                        "Applications (it holds no SendAs)",
                        "the role assignments or their evaluation could not be read",
                        path,
                        object=plan.object,
                    )
                    continue
                if authorised:
                    continue
                if scopes:
                    message = (
                        f"app-only app {plan.name} holds no SendAs on {email}, and its RBAC for "
                        f"Applications assignment {scopes} does not reach it: SMTP submission "
                        "as that mailbox fails"
                    )
                    fix = (
                        "put the mailbox in the assignment's scope (Set-ManagementScope "
                        f"-RecipientRestrictionFilter …), or {exchange_connect(tenant)}; "
                        f"Add-RecipientPermission -Identity {mailbox} -Trustee {trustee} "
                        "-AccessRights SendAs -Confirm:$false"
                    )
                else:
                    message = (
                        f"the Exchange service principal of app-only app {plan.name} has no "
                        f"SendAs on {email} and no RBAC for Applications role ({SMTP_ROLE}) "
                        "reaching it: SMTP submission as that mailbox fails"
                    )
                    fix = (
                        f"{exchange_connect(tenant)}; Add-RecipientPermission -Identity "
                        f"{mailbox} -Trustee {trustee} -AccessRights SendAs -Confirm:$false (or "
                        f'RBAC for Applications: New-ManagementRoleAssignment -Role "{SMTP_ROLE}" '
                        f"-App {plan.app.client_id} -CustomResourceScope <a scope holding "
                        f"{mailbox}>)"
                    )
                yield finding(ctx, RULE, message, path, fix=fix, object=plan.object)


RULE = Rule.define(
    __doc__,
    id="live-ms-mailbox-permission-missing",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family=MICROSOFT,
    reads=(
        "authorizations",
        "exchange_service_principals",
        "mailbox_permissions",
        "mailboxes",
        "management_scopes",
        "recipient_permissions",
        "role_assignments",
        "service_principals",
        "users",
    ),
    supersedes=("ms-mailbox-permission-missing",),
    impacts=((Severity.ERROR, "no grant on the mailbox: app-only login fails"),),
)

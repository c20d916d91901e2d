"""An app-only app lacks FullAccess (IMAP/POP) or SendAs (SMTP) on a mailbox it uses.

**What.** For each mailbox of the app's targets (and ``granted_mailboxes``): ``FullAccess`` in
``Get-MailboxPermission`` when a target reads it over IMAP/POP, ``SendAs`` in
``Get-RecipientPermission`` when a target sends as it, granted to the app's Exchange service
principal (matched by its object ID, identity, name or app ID).

**Why.** The role (``IMAP.AccessAsApp``…) lets the app log in at all; the mailbox permission
decides which mailboxes: without it the login as that mailbox fails.

**Fix.** ``Add-MailboxPermission -Identity <mailbox> -User <service principal ID> -AccessRights
FullAccess``; ``Add-RecipientPermission -Identity <mailbox> -Trustee <service principal ID>
-AccessRights SendAs``.

Source: https://learn.microsoft.com/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.live.microsoft.needs import app_mailbox_rights
from mailoauth_cfg.live.rules._base import MICROSOFT, finding, microsoft_apps, unknown
from mailoauth_cfg.live.rules._microsoft import exchange_identities
from mailoauth_cfg.live.rules._user_common import exchange_connect
from mailoauth_cfg.live.snapshot import ServicePrincipal, Unknown
from mailoauth_cfg.loading import PathKey
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Check each needed mailbox permission of app-only apps."""
    for plan, tenant in microsoft_apps(ctx):
        rights = app_mailbox_rights(ctx.config, plan.name)
        if not rights:
            continue
        ids = exchange_identities(tenant, plan.app.client_id)
        sp = tenant.service_principal(plan.app.client_id)
        trustee = sp.id if isinstance(sp, ServicePrincipal) else "<service principal ID>"
        granted = [e.lower() for e in plan.app.granted_mailboxes or []]
        for email, wanted in rights.items():
            path: PathKey = (
                ("apps", plan.name, "granted_mailboxes", granted.index(email))
                if email in granted
                else ("apps", plan.name)
            )
            for right in sorted(wanted):
                if right == "FullAccess":
                    entries = tenant.mailbox_permissions_of(email)
                    if isinstance(entries, Unknown):
                        yield unknown(
                            ctx,
                            RULE,
                            f"FullAccess of app {plan.name} on {email}",
                            entries.reason,
                            path,
                            object=plan.object,
                        )
                        continue
                    ok = any(
                        e.user.lower() in ids
                        and not e.deny
                        and any(r.lower() == "fullaccess" for r in e.access_rights)
                        for e in entries
                    )
                    command = (
                        f"Add-MailboxPermission -Identity {email} -User {trustee} "
                        "-AccessRights FullAccess"
                    )
                    effect = "IMAP/POP logins as that mailbox fail"
                else:
                    sends = tenant.recipient_permissions_of(email)
                    if isinstance(sends, Unknown):
                        yield unknown(
                            ctx,
                            RULE,
                            f"SendAs of app {plan.name} on {email}",
                            sends.reason,
                            path,
                            object=plan.object,
                        )
                        continue
                    ok = any(
                        e.trustee.lower() in ids
                        and e.access_control_type.lower() == "allow"
                        and any(r.lower() == "sendas" for r in e.access_rights)
                        for e in sends
                    )
                    command = (
                        f"Add-RecipientPermission -Identity {email} -Trustee {trustee} "
                        "-AccessRights SendAs -Confirm:$false"
                    )
                    effect = "SMTP submission as that mailbox fails"
                if ok:
                    continue
                yield finding(
                    ctx,
                    RULE,
                    f"the Exchange service principal of app-only app {plan.name} has no {right} "
                    f"on {email}: {effect}",
                    path,
                    fix=f"{exchange_connect(tenant)}; {command}",
                    object=plan.object,
                )


RULE = Rule.define(
    __doc__,
    id="live-ms-mailbox-permission-missing",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family=MICROSOFT,
    reads=(
        "exchange_service_principals",
        "mailbox_permissions",
        "recipient_permissions",
        "service_principals",
    ),
)

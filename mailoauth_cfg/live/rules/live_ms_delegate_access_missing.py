"""The account that signs in for a shared mailbox lacks FullAccess or SendAs on it.

**What.** For each ``mailbox: shared`` with ``sign_in_as`` used by delegated targets: the
``sign_in_as`` account (matched by its address, user principal name, SMTP addresses or object
ID) must hold ``FullAccess`` on the mailbox (``Get-MailboxPermission``) when a target reads it
over IMAP/POP, and ``SendAs`` (``Get-RecipientPermission``) when a target sends as it.

**Why.** A shared mailbox has no sign-in of its own: the delegate signs in, the token is the
delegate's, and XOAUTH2 names the shared address in ``user=``. Exchange lets that through only
with the mailbox permission: without it the login or the submission as the shared mailbox
fails (``AUTHENTICATE failed``, ``535 5.7.3`` or ``SendAsDenied``). A permission granted
through a group the delegate belongs to is not expanded: if that is how it is granted,
suppress the finding on the mailbox with the reason.

**Fix.** ``Add-MailboxPermission -Identity <shared> -User <delegate> -AccessRights FullAccess
-AutoMapping $false``; ``Add-RecipientPermission -Identity <shared> -Trustee <delegate>
-AccessRights SendAs``.

Source: https://learn.microsoft.com/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth
(shared mailbox: the token of a user who has access, the shared address in ``user=``).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, ObjectRef, Severity
from mailoauth_cfg.live.microsoft.needs import delegate_rights
from mailoauth_cfg.live.rules._base import MICROSOFT, finding, microsoft_users
from mailoauth_cfg.live.rules._user_common import exchange_connect, primary_address
from mailoauth_cfg.live.snapshot import DirectoryUser, MicrosoftTenant, Unknown
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions

SYSTEM = ("nt authority\\", "s-1-5-")


def names_of(tenant: MicrosoftTenant, address: str) -> set[str] | None:
    """Every name Exchange may show for the account (``None``: its user could not be read)."""
    found = tenant.user(address)
    if isinstance(found, Unknown):
        return None
    names = {address.lower()}
    if isinstance(found, DirectoryUser):
        names |= found.smtp_addresses | {found.id.lower()}
        if found.user_principal_name:
            names.add(found.user_principal_name.lower())
    return names


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Check the delegate's rights on each shared mailbox it signs in for."""
    for index, user, tenant in microsoft_users(ctx):
        rights = delegate_rights(ctx.config, user.email)
        if not rights or not user.sign_in_as:
            continue
        delegate = user.sign_in_as
        path = ("users", index, "sign_in_as")
        shared = primary_address(ctx, tenant, user.email)
        who = primary_address(ctx, tenant, delegate)
        for right in sorted(rights):
            if right == "FullAccess":
                entries = tenant.mailbox_permissions_of(user.email)
                if isinstance(entries, Unknown):
                    continue  # the engine reports it unknown
                holders = [
                    e.user
                    for e in entries
                    if not e.deny and any(r.lower() == "fullaccess" for r in e.access_rights)
                ]
                command = (
                    f"Add-MailboxPermission -Identity {shared} -User {who} -AccessRights "
                    "FullAccess -AutoMapping $false"
                )
                effect = "IMAP/POP logins as the shared mailbox fail (AUTHENTICATE failed)"
            else:
                sends = tenant.recipient_permissions_of(user.email)
                if isinstance(sends, Unknown):
                    continue
                holders = [
                    e.trustee
                    for e in sends
                    if e.access_control_type.lower() == "allow"
                    and any(r.lower() == "sendas" for r in e.access_rights)
                ]
                command = (
                    f"Add-RecipientPermission -Identity {shared} -Trustee {who} -AccessRights "
                    "SendAs -Confirm:$false"
                )
                effect = "sending as the shared mailbox fails (SendAsDenied)"
            folded = {h.lower() for h in holders}
            if delegate.lower() in folded:
                continue
            names = names_of(tenant, delegate)
            if names is None or names & folded:
                continue  # unknown (the engine reports it) or granted under another name
            others = sorted(h for h in holders if not h.lower().startswith(SYSTEM))
            held = f" (held by: {', '.join(others)})" if others else ""
            yield finding(
                ctx,
                RULE,
                f"{delegate} signs in for the shared mailbox {user.email} but holds no {right} "
                f"on it{held}: {effect}",
                path,
                fix=f"{exchange_connect(tenant)}; {command}",
                object=ObjectRef.user(user.email),
            )


RULE = Rule.define(
    __doc__,
    id="live-ms-delegate-access-missing",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family=MICROSOFT,
    reads=("mailbox_permissions", "mailboxes", "recipient_permissions", "users"),
    impacts=((Severity.ERROR, "the delegate lacks access: the shared mailbox login fails"),),
)

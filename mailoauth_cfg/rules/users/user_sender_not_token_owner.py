"""A target's sender is not the mailbox whose token it uses.

**What.** A target with a ``sender`` (Dolibarr ``MAIN_MAIL_EMAIL_FROM``, GLPI ``from_email``,
Open Bee's sender) names an address that is not one of its mailboxes:

* error for kinds whose sender must equal the token owner (catalog
  ``TargetFacts.sender_must_equal_token_owner``: Open Bee, Odoo), including a sender that is an
  alias of the mailbox;
* warning for other kinds, which can send as another address only with a send-as right.

**Why.** The provider checks the From address against the account the token belongs to.
Open Bee requires the sender to be the address of the account that authorised; Odoo sets
``from_filter`` to the SMTP user and sends only as it. Elsewhere Exchange Online rejects a
foreign From with ``554 5.2.252 SendAsDenied`` unless the mailbox holds *Send As* on it (an
alias of the same mailbox needs ``SendFromAliasEnabled``), and Gmail silently rewrites the
From to the authenticated account unless the address is a verified *Send mail as* address.

**Fix.** Set ``sender:`` to the mailbox's primary address (or remove it: it defaults to the
mailbox). To keep another address where the target allows it: Exchange
``Add-RecipientPermission -Identity <sender> -Trustee <mailbox> -AccessRights SendAs`` (for an
alias: ``Set-OrganizationConfig -SendFromAliasEnabled $true``); Gmail › Settings › Accounts ›
*Send mail as* › Add another email address.

Source: https://help.openbee.com/ (Office 365 and G Suite SMTP configuration)
(the sender must equal the account that authorised); odoo/odoo:addons/microsoft_outlook
(``from_filter``); catalog constraint ``odoo-from-filter``;
https://learn.microsoft.com/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth
(SendAs).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.derive import TargetPlan
from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.model import User
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions


def _alias_owner(ctx: Context, plan: TargetPlan, sender: str) -> User | None:
    wanted = sender.lower()
    for address in plan.target.users:
        user = ctx.user(address)
        if user is not None and any(a.lower() == wanted for a in user.aliases or ()):
            return user
    return None


def _send_as_fix(provider_type: str | None, sender: str, mailbox: str, alias: bool) -> str:
    if provider_type == "google":
        return (
            f"set `sender: {mailbox}`, or add {sender} as a verified address of {mailbox} "
            "(Gmail › Settings › Accounts › Send mail as › Add another email address)"
        )
    if alias:
        return (
            f"set `sender: {mailbox}`, or allow sending from aliases: "
            "`Set-OrganizationConfig -SendFromAliasEnabled $true`"
        )
    return (
        f"set `sender: {mailbox}`, or grant "
        f"`Add-RecipientPermission -Identity {sender} -Trustee {mailbox} -AccessRights SendAs`"
    )


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Compare each target's sender with its mailboxes."""
    for plan in ctx.target_plans():
        sender = getattr(plan.target, "sender", None)
        if not isinstance(sender, str) or not plan.target.users:
            continue
        if any(sender.lower() == a.lower() for a in plan.target.users):
            continue
        owner = _alias_owner(ctx, plan, sender)
        mailbox = owner.email if owner is not None else plan.target.users[0]
        path = ("targets", plan.name, "sender")
        what = f"an alias of {mailbox}" if owner is not None else f"not the mailbox ({mailbox})"
        if plan.facts.sender_must_equal_token_owner:
            yield ctx.finding(
                RULE,
                f"sender {sender} of target {plan.name} is {what}: "
                f"{plan.facts.display_name} sends only as the primary address of the account "
                "that signed in",
                path,
                fix=f"set `sender: {mailbox}`",
                object=plan.object,
            )
            continue
        if plan.provider_type == "google":
            consequence = (
                "Gmail rewrites the From to the signed-in account unless it is a verified Send "
                "mail as address"
            )
        elif owner is not None:
            consequence = (
                "Exchange sends from an alias only when the organisation allows it "
                "(SendFromAliasEnabled); otherwise the From is rewritten or refused"
            )
        else:
            consequence = "Exchange rejects it (554 5.2.252 SendAsDenied) without a Send As right"
        yield ctx.finding(
            RULE,
            f"sender {sender} of target {plan.name} is {what}: {consequence}",
            path,
            fix=_send_as_fix(plan.provider_type, sender, mailbox, owner is not None),
            object=plan.object,
            severity=Severity.WARNING,
        )


RULE = Rule.define(
    __doc__,
    id="user-sender-not-token-owner",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="users",
    impacts=(
        (Severity.ERROR, "the server refuses to send as another address than the token's"),
        (Severity.WARNING, "sending as an alias works only where the target allows it"),
    ),
)

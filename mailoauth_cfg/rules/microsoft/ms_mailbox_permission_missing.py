"""A mailbox of an app-only Microsoft target is not granted to the app's service principal.

**What.** An app used with client credentials declares ``granted_mailboxes`` and a mailbox
in ``targets.<t>.users`` of a target using the app is missing from it (case-insensitive). When
``granted_mailboxes`` is not declared (the grants live in Exchange, or an RBAC for Applications
scope limits the app), one info per app: decided by ``--online``
(``live-ms-mailbox-permission-missing``).

**Why.** With client credentials there is no signed-in user: Exchange Online lets the service
principal into a mailbox only when it holds ``FullAccess`` on it (IMAP, POP) or ``SendAs``
(SMTP). Without the grant the XOAUTH2 login for that mailbox fails with
``535 5.7.3 Authentication unsuccessful`` / ``AUTHENTICATE failed``. (The application role
alone would not limit the app to some mailboxes; these grants do.)

**Fix.** In Exchange Online PowerShell, after ``New-ServicePrincipal``:
``Add-MailboxPermission -Identity <mailbox> -User <enterprise app object id> -AccessRights
FullAccess`` for IMAP/POP and ``Add-RecipientPermission -Identity <mailbox> -Trustee
<enterprise app object id> -AccessRights SendAs`` for SMTP; then list the mailbox in
``granted_mailboxes:``. For SMTP with "RBAC for Applications" (a management scope instead of
mailbox grants) suppress the rule on the app, with the reason.

Source: https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth;
MicrosoftDocs/office-developer-exchange-docs:docs/legacy-protocols/smtp-app-rbac-onboarding.md
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.microsoft._common import (
    app_node,
    enterprise_object_id,
    exchange_connect,
    microsoft_apps,
    microsoft_targets,
)

SP = "<enterprise app object id>"


def grants(mailbox: str, protocols: tuple[str, ...]) -> list[tuple[str, str]]:
    """``(right, Exchange cmdlet)`` pairs the service principal needs for ``protocols``."""
    out: list[tuple[str, str]] = []
    if "imap" in protocols or "pop" in protocols:
        out.append(
            (
                "FullAccess",
                f"Add-MailboxPermission -Identity {mailbox} -User {SP} -AccessRights FullAccess",
            )
        )
    if "smtp" in protocols:
        out.append(
            (
                "SendAs",
                f"Add-RecipientPermission -Identity {mailbox} -Trustee {SP} -AccessRights SendAs",
            )
        )
    return out


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Find target mailboxes an app-only app has no mailbox rights on."""
    for plan in microsoft_apps(ctx):
        app = plan.app
        if app.flow != "app-only":
            continue
        if app.granted_mailboxes is None:
            users = sorted(
                {
                    m
                    for t in microsoft_targets(plan)
                    for m in t.target.users
                    if grants(m, t.protocols)
                }
            )
            if users:
                path, at_key = app_node(ctx, plan.name, "granted_mailboxes")
                yield ctx.finding(
                    RULE,
                    f"app-only app {plan.name}: the mailboxes it is granted are not declared "
                    f"(granted_mailboxes); {', '.join(users)} must be granted to its service "
                    "principal: checked by --online (live-ms-mailbox-permission-missing)",
                    path,
                    at_key=at_key,
                    fix=f"declare `granted_mailboxes: [{', '.join(users)}]` once granted "
                    f"({exchange_connect(plan)}; Add-MailboxPermission / "
                    "Add-RecipientPermission, or a New-ManagementRoleAssignment scope)",
                    object=plan.object,
                    severity=Severity.INFO,
                )
            continue
        granted = {m.lower() for m in app.granted_mailboxes}
        for target in microsoft_targets(plan):
            for index, mailbox in enumerate(target.target.users):
                if mailbox.lower() in granted:
                    continue
                needed = grants(mailbox, target.protocols)
                if not needed:
                    continue
                rights = " and ".join(right for right, _ in needed)
                cmdlets = [cmdlet for _, cmdlet in needed]
                yield ctx.finding(
                    RULE,
                    f"target {target.name} uses mailbox {mailbox} through app-only app "
                    f"{plan.name}, but {mailbox} is not in its granted_mailboxes: the service "
                    f"principal needs {rights} on it, or the login fails with 535 5.7.3",
                    ("targets", target.name, "users", index),
                    fix=f"{exchange_connect(plan)}; {'; '.join(cmdlets)} ({SP} from "
                    f"{enterprise_object_id(plan)}); then add {mailbox} to "
                    f"apps.{plan.name}.granted_mailboxes",
                    object=plan.object,
                )


RULE = Rule.define(
    __doc__,
    id="ms-mailbox-permission-missing",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="microsoft",
    impacts=(
        (Severity.ERROR, "the declared grants miss a mailbox: its login fails (535 5.7.3)"),
        (Severity.INFO, "grants not declared: checked by --online"),
    ),
)

"""A target logs in as another address than the mailbox it serves, or with another account's token.

**What.** For each mailbox of a target, the login the application uses
(``accounts.<mailbox>.login``: msmtp ``user``, GLPI ``smtp_username``, Dolibarr
``MAIN_MAIL_SMTPS_ID``, the email-oauth2-proxy account section...) and the account that owns the
token (``accounts.<mailbox>.sign_in_as``, else the mailbox's ``sign_in_as``):

* the login is an alias of a mailbox (XOAUTH2 ``user=`` must be the primary address);
* the login is another address than the mailbox: the application then opens or sends as that
  one (a shared mailbox served with the delegate's own address serves the delegate's mailbox);
* with Google, the token was issued to another account than the mailbox (Gmail accepts over
  IMAP/SMTP only the account the token was issued for).

With Microsoft, a token owned by a delegate on the mailbox's own login is the documented way to
reach a shared mailbox: whether the delegate holds FullAccess/SendAs is read by ``--online``
(``live-ms-delegate-access-missing``). Omitted, the login is the mailbox and nothing is reported.

**Why.** SASL XOAUTH2 carries ``user=<login>`` next to the token: the server opens that
mailbox and checks that the token's owner may use it. An alias or another mailbox fails
(``535 5.7.3``, ``AUTHENTICATE failed``, Gmail ``535-5.7.8``) or, worse, works on the wrong
mailbox.

**Fix.** Set the login to the mailbox's primary address (the finding carries it); for Google,
sign in as the mailbox itself.

Source: https://learn.microsoft.com/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth
(shared mailbox access); https://developers.google.com/gmail/imap/xoauth2-protocol;
simonrob/email-oauth2-proxy README (shared mailboxes).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Edit, Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Compare each declared login and token owner with the mailbox."""
    aliases: dict[str, str] = {}
    for user in ctx.config.users:
        for alias in user.aliases or ():
            aliases[alias.lower()] = user.email
    for plan in ctx.target_plans():
        if plan.target.auth != "oauth2" or plan.client_credentials:
            continue
        for mailbox in plan.target.users:
            login, login_path = plan.login_of(mailbox)
            if login_path is not None and login.lower() != mailbox.lower():
                primary = aliases.get(login.lower())
                if primary is not None and primary.lower() == mailbox.lower():
                    problem = (
                        f"{login} is an alias of {mailbox}: XOAUTH2 user= must be the primary "
                        "address, an alias is refused"
                    )
                else:
                    problem = (
                        f"the application logs in as {login}, so it opens and sends as {login}'s "
                        f"mailbox, not {mailbox}"
                    )
                yield ctx.finding(
                    RULE,
                    f"target {plan.name}, mailbox {mailbox}: "
                    f"{plan.facts.setting_name('accounts.login')} is {login}: {problem}",
                    login_path,
                    fix=f"set it to {mailbox}",
                    object=plan.object,
                    edits=(Edit("set", login_path, mailbox),),
                )
                continue
            signer, signer_path = plan.signer_of(mailbox)
            if (
                plan.provider_type == "google"
                and signer_path is not None
                and signer.lower() != mailbox.lower()
            ):
                yield ctx.finding(
                    RULE,
                    f"target {plan.name}, mailbox {mailbox}: the token is issued to {signer}, "
                    f"but Gmail lets a token open only its own account over IMAP/SMTP: the "
                    f"login as {mailbox} fails (535-5.7.8)",
                    signer_path,
                    fix=f"sign in as {mailbox} in the bootstrap",
                    object=plan.object,
                    edits=(Edit("delete", signer_path),),
                )


RULE = Rule.define(
    __doc__,
    id="target-login-mismatch",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="targets",
    impacts=((Severity.ERROR, "the login is refused or serves another mailbox"),),
    fixable=True,
)

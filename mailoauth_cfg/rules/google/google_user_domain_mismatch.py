"""A Google mailbox's domain is not the provider's domain (or not Gmail for consumer accounts).

**What.** A user of a Google provider

* with ``account: workspace`` and ``domain:`` has an address in another domain;
* with ``account: consumer`` has an address outside ``gmail.com`` / ``googlemail.com``.

**Why.** A Workspace account's primary address is in one of the organisation's domains. A
different domain usually means the wrong ``provider:`` (the mailbox belongs to another
organisation, whose admin, consent screen and policies apply), a typo, or an alias used as
the login. It is legitimate for a *secondary domain* of the same Workspace account, which is
why this is a warning: suppress it with the reason. A consumer Google account created with a
non-Gmail address has no Gmail mailbox, so IMAP/SMTP have nothing to serve.

**Fix.** Correct the address or the user's ``provider:``; for a secondary domain add
``suppress: [{rule: google-user-domain-mismatch, reason: "<domain> is a secondary domain of
<primary>"}]`` to the user (check Admin console › Account › Domains › Manage domains).

Source: Workspace domains (https://support.google.com/a/answer/175745); Directory API
``users.get`` returns ``primaryEmail``
(https://developers.google.com/admin-sdk/directory/reference/rest/v1/users/get).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, ObjectRef, Severity
from mailoauth_cfg.model import GoogleProvider
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions

GMAIL_DOMAINS = ("gmail.com", "googlemail.com")


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Compare each Google user's domain with the provider's."""
    for index, user in enumerate(ctx.config.users):
        provider = ctx.provider(user.provider)
        if not isinstance(provider, GoogleProvider):
            continue
        domain = user.email.rsplit("@", 1)[1].lower()
        path = ("users", index, "email")
        obj = ObjectRef.user(user.email)
        if provider.account == "consumer":
            if domain in GMAIL_DOMAINS:
                continue
            yield ctx.finding(
                RULE,
                f"{user.email} is declared as a consumer Google account but is not a Gmail "
                "address: a Google account created with another address has no Gmail mailbox",
                path,
                fix=f"use the account's @gmail.com address, or move {user.email} to the provider "
                "that hosts its domain",
                object=obj,
            )
            continue
        if provider.domain is None or domain == provider.domain:
            continue
        yield ctx.finding(
            RULE,
            f"{user.email} is in domain {domain} but provider {user.provider} is Workspace "
            f"domain {provider.domain}; fine only if {domain} is a secondary domain of that "
            "Workspace account",
            path,
            fix=f"correct the address or `provider:`; if {domain} is a secondary domain, add "
            f'`suppress: [{{rule: google-user-domain-mismatch, reason: "{domain} is a secondary '
            f'domain of {provider.domain}"}}]` to this user',
            object=obj,
            severity=Severity.INFO,
        )


RULE = Rule.define(
    __doc__,
    id="google-user-domain-mismatch",
    severity=Severity.WARNING,
    check=check,
    options=RuleOptions,
    family="google",
    impacts=(
        (Severity.WARNING, "a consumer account without a Gmail address has no mailbox"),
        (Severity.INFO, "a secondary Workspace domain is fine: check it"),
    ),
)

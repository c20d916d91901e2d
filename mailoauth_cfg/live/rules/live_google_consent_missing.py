"""A Google mailbox has not granted the OAuth client its targets use, or not the mail scope.

**What.** For every mailbox of a target that signs in with a delegated Google OAuth client, the
Directory's ``tokens.list`` of the mailbox must hold a grant to that client ID whose scopes
include ``https://mail.google.com/``.

**Why.** Without the grant the target holds no refresh token for the mailbox: the mailbox owner
never completed the consent in the target, or the grant was revoked (by the user, an
administrator, or Google for an unverified app). A grant without ``https://mail.google.com/``
(say only ``gmail.send``) cannot log in to IMAP or SMTP with XOAUTH2.

**Fix.** Sign in to the target as the mailbox and accept the consent, with the Gmail scope
(the grant then appears under Google Account › Security › Your connections to third-party
apps & services); if it keeps disappearing, check the consent screen's publishing status.

Source: https://developers.google.com/admin-sdk/directory/reference/rest/v1/tokens/list
(``clientId``, ``scopes``);
https://developers.google.com/gmail/imap/xoauth2-protocol (mail scope).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.catalog.google import MAIL_SCOPE
from mailoauth_cfg.findings import Finding, ObjectRef, Severity
from mailoauth_cfg.live.google.needs import oauth_grants
from mailoauth_cfg.live.rules._base import finding, unknown
from mailoauth_cfg.live.rules._google import FAMILY, apps_of_client, google_users, phrase, plans
from mailoauth_cfg.live.snapshot import Unknown
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Match each (mailbox, client) a target needs with the mailbox's grants."""
    by_provider: dict[str, dict[str, dict[str, list[str]]]] = {}
    for index, user, domain in google_users(ctx):
        if user.provider not in by_provider:
            by_provider[user.provider] = oauth_grants(plans(ctx), user.provider)
        needed = by_provider[user.provider].get(user.email.lower())
        if not needed:
            continue
        obj = ObjectRef.user(user.email)
        path = ("users", index, "email")
        account = domain.user(user.email)
        if account is None:
            continue  # live-google-user-missing reports it
        grants = domain.tokens_of(user.email)
        if isinstance(grants, Unknown):
            yield unknown(
                ctx, RULE, f"the OAuth grants of {user.email}", grants.reason, path, object=obj
            )
            continue
        for client, targets in sorted(needed.items()):
            apps = apps_of_client(ctx, user.provider, client)
            which = f"OAuth client {client} ({phrase('app', apps)})" if apps else client
            held = [g for g in grants if g.client_id.lower() == client]
            if not held:
                yield finding(
                    ctx,
                    RULE,
                    f"{user.email} has not granted {which}, used by "
                    f"{phrase('target', targets)}: no refresh token exists for it (consent "
                    "never completed, or the grant was revoked)",
                    path,
                    fix=f"sign in to {phrase('target', targets)} as {user.email} and accept "
                    f"the consent with {MAIL_SCOPE}",
                    object=obj,
                )
                continue
            scopes = sorted({s for g in held for s in g.scopes})
            if MAIL_SCOPE in scopes:
                continue
            yield finding(
                ctx,
                RULE,
                f"{user.email} granted {which} without {MAIL_SCOPE} (granted: "
                f"{', '.join(scopes) or 'nothing'}): XOAUTH2 logins of "
                f"{phrase('target', targets)} to IMAP/SMTP are refused",
                path,
                fix=f"make the target request {MAIL_SCOPE} and consent again as {user.email} "
                "(the consent screen must list the scope)",
                object=obj,
            )


RULE = Rule.define(
    __doc__,
    id="live-google-consent-missing",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family=FAMILY,
    reads=("tokens", "users"),
    impacts=((Severity.ERROR, "the mailbox has not granted the client: no token"),),
)

"""A Google app's declared scopes lack ``https://mail.google.com/``, the only one for IMAP/SMTP.

**What.** ``apps.<name>.permissions`` is declared on a Google app (for Google these are OAuth
scopes) and does not contain ``https://mail.google.com/`` exactly, while a target uses the app
for SMTP, IMAP or POP with OAuth. For a service account (``flow: app-only``) whose targets only
read over IMAP, ``https://www.googleapis.com/auth/gmail.imap_admin`` is accepted instead.

**Why.** Gmail's XOAUTH2 accepts only tokens carrying ``https://mail.google.com/``; the Gmail
API scopes (``gmail.send``, ``gmail.modify``, ``gmail.readonly``...) work for the REST API
only. Gmail answers the XOAUTH2 attempt with an error challenge whose JSON names the scope it
wants (``{"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}``). The scope
string is compared exactly: ``https://mail.google.com`` without the trailing slash is another
scope. Dolibarr's checkbox ``gmail_full`` is the same scope under a short name; write the full
URL here.

**Fix.** Add ``https://mail.google.com/`` to ``permissions`` (or omit ``permissions`` to let
the tool compute it), and make sure the target requests it (Dolibarr: tick ``gmail_full``).
For an external consent screen also list it under Google Cloud console › APIs & Services ›
OAuth consent screen › Data access (scopes).

Source: https://developers.google.com/gmail/imap/xoauth2-protocol (catalog
``google.MAIL_SCOPE``, ``google.GMAIL_IMAP_ADMIN_SCOPE``).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.catalog.google import GMAIL_IMAP_ADMIN_SCOPE, MAIL_SCOPE
from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.locations import PathKey
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.google._common import google_app_plans, targets_phrase, uses_google_oauth


def _near_miss(scope: str) -> str | None:
    """Why ``scope`` looks like a failed attempt at the mail scope, if it does."""
    text = scope.strip()
    if text.rstrip("/").lower() in ("https://mail.google.com", "http://mail.google.com") or (
        text.lower().rstrip("/") == "mail.google.com"
    ):
        return f"{scope!r} is not {MAIL_SCOPE!r} (the scope is compared exactly)"
    if text.lower() == "gmail_full":
        return "'gmail_full' is Dolibarr's checkbox name; the scope is " + repr(MAIL_SCOPE)
    if text.startswith("https://www.googleapis.com/auth/gmail.") and text != GMAIL_IMAP_ADMIN_SCOPE:
        return f"{scope!r} grants the Gmail REST API only, not IMAP/POP/SMTP"
    return None


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Check the declared scopes of Google apps against what their targets need."""
    for plan in google_app_plans(ctx):
        declared = plan.app.permissions
        if declared is None or MAIL_SCOPE in declared:
            continue
        users = []
        for target in plan.targets:
            profile = target.google
            if profile is not None and uses_google_oauth(target) and MAIL_SCOPE in profile.scopes:
                users.append(target)
        if not users:
            continue
        if (
            plan.app.flow == "app-only"
            and GMAIL_IMAP_ADMIN_SCOPE in declared
            and all(set(t.protocols) <= {"imap"} for t in users)
        ):
            continue
        path: PathKey = ("apps", plan.name, "permissions")
        why = ""
        for index, scope in enumerate(declared):
            reason = _near_miss(scope)
            if reason is not None:
                path, why = (*path, index), f"; {reason}"
                break
        protocols = sorted({proto.upper() for t in users for proto in t.protocols})
        yield ctx.finding(
            RULE,
            f"Google app {plan.name} declares scopes without {MAIL_SCOPE} but "
            f"it is used for {'/'.join(protocols)} by {targets_phrase(t.name for t in users)}: "
            "Gmail refuses "
            f"XOAUTH2 without that scope{why}",
            path,
            fix=f"add `{MAIL_SCOPE}` to apps.{plan.name}.permissions (or remove `permissions:` "
            "so that it is computed)",
            object=plan.object,
            at_key=not why,
        )


RULE = Rule.define(
    __doc__,
    id="google-mail-scope-missing",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="google",
    impacts=((Severity.ERROR, "without https://mail.google.com/ Gmail refuses XOAUTH2"),),
)

"""A Google mailbox is used with its plain account password, which Google no longer accepts.

**What.** A target uses ``auth: password`` with a Google mailbox. Error once Google's
retirement of "less secure apps" has passed on ``--as-of`` (personal accounts: 2022-05-30;
Workspace: 2025-03-14); warning before that date.

**Why.** Google turned off password sign-in for IMAP, POP and SMTP ("less secure apps"):
personal accounts lost the setting on 2022-05-30; for Workspace, new connections stopped on
2024-06-15 and access was first announced to end on 2024-09-30, then (later revision of the
same article) on 2025-03-14 for all accounts. The server answers ``535-5.7.8 Username and
Password not accepted``. App passwords of accounts with 2-Step Verification are the only
passwords still accepted.

**Fix.** Switch the target to OAuth (``auth: oauth2`` with an app carrying
``https://mail.google.com/``). Where the application cannot do OAuth, use an app password
(``auth: app-password``; needs 2-Step Verification).

Source: catalog ``dates.GOOGLE_LSA_PERSONAL_REMOVED``, ``dates.GOOGLE_LSA_WORKSPACE_OFF`` and
``dates.GOOGLE_LSA_WORKSPACE_OFF_ORIGINAL`` (https://support.google.com/a/answer/14114704 and
its later revision).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.catalog.dates import (
    DATED_FACTS,
    GOOGLE_LSA_PERSONAL_REMOVED,
    GOOGLE_LSA_WORKSPACE_OFF,
    GOOGLE_LSA_WORKSPACE_OFF_ORIGINAL,
)
from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.model import GoogleProvider
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions

_NO_NEW = DATED_FACTS["google-lsa-workspace-no-new"]
_FIX = (
    "switch to `auth: oauth2` with an app carrying https://mail.google.com/, or, if the "
    "application cannot do OAuth, to `auth: app-password` (needs 2-Step Verification)"
)


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Date the plain-password Google targets against the LSA retirement."""
    for plan in ctx.target_plans():
        if plan.target.auth != "password":
            continue
        provider = plan.provider
        if not isinstance(provider, GoogleProvider):
            continue
        as_of = ctx.as_of.isoformat()
        if provider.account == "consumer":
            when = GOOGLE_LSA_PERSONAL_REMOVED.date
            history = f"personal accounts lost password access on {when.isoformat()}"
        else:
            when = GOOGLE_LSA_WORKSPACE_OFF.date
            history = (
                f"Workspace accounts lost it on {when.isoformat()} (no new connections since "
                f"{_NO_NEW.date.isoformat()}; first announced for "
                f"{GOOGLE_LSA_WORKSPACE_OFF_ORIGINAL.date.isoformat()})"
            )
        passed = ctx.as_of >= when
        verdict = (
            "Gmail refuses it (535-5.7.8 Username and Password not accepted)"
            if passed
            else f"it stops working on {when.isoformat()}"
        )
        yield ctx.finding(
            RULE,
            f"target {plan.name} signs in to Google with the account password: {verdict}; "
            f"{history} (as of {as_of})",
            ("targets", plan.name, "auth"),
            fix=_FIX,
            object=plan.object,
            severity=Severity.ERROR if passed else Severity.WARNING,
        )


RULE = Rule.define(
    __doc__,
    id="google-less-secure-apps-retired",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="google",
    impacts=(
        (Severity.ERROR, "Google refuses password logins since the retirement date"),
        (Severity.WARNING, "password logins stop at the retirement date"),
    ),
)

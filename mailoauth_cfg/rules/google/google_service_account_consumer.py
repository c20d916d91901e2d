"""A Google app uses a service account (``flow: app-only``); consumer accounts cannot allow it.

**What.** An app of a Google provider sets ``flow: app-only`` (a service account acting for
mailboxes through domain-wide delegation):

* with ``account: consumer``: error, domain-wide delegation does not exist for gmail.com
  accounts;
* with ``account: workspace``: info, the delegation allow-list must hold the service account's
  client ID with ``https://mail.google.com/``; no Google API exposes that list, so it cannot
  be checked offline or live.

**Why.** A service account obtains a token for a mailbox only when a Workspace super
administrator has authorised its client ID for the requested scopes in the Admin console;
otherwise the token request fails with ``unauthorized_client`` ("Client is unauthorized to
retrieve access tokens using this method"). Changes can take from minutes to hours to apply.
Consumer accounts have no administrator and no such list.

**Fix.** Consumer accounts: use a delegated client (``flow: delegated``) and let the mailbox
owner consent. Workspace: Admin console › Security › Access and data control › API controls ›
Domain-wide delegation › Add new: client ID = the service account's Unique ID, OAuth scopes =
``https://mail.google.com/``.

Source: https://developers.google.com/identity/protocols/oauth2/service-account (domain-wide
delegation; the allow-list is not readable by any API); googleapis/google-api-php-client#1379.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.catalog.google import MAIL_SCOPE
from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.model import GoogleProvider
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.google._common import DWD_CONSOLE, google_app_plans


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Check Google service-account apps against the provider's account type."""
    for plan in google_app_plans(ctx):
        provider = plan.provider
        if plan.app.flow != "app-only" or not isinstance(provider, GoogleProvider):
            continue
        path = ("apps", plan.name, "flow")
        if provider.account == "consumer":
            yield ctx.finding(
                RULE,
                f"app {plan.name} is a service account (flow: app-only) but provider "
                f"{plan.app.provider} is for consumer accounts: domain-wide delegation exists "
                "only in Google Workspace",
                path,
                fix="set `flow: delegated` with an OAuth client and let each mailbox owner consent",
                object=plan.object,
            )
            continue
        yield ctx.finding(
            RULE,
            f"app {plan.name} relies on domain-wide delegation: the allow-list must hold client "
            f"ID {plan.app.client_id} with {MAIL_SCOPE}, and no Google API exposes it "
            "(token requests fail with unauthorized_client otherwise)",
            path,
            fix=f"check {DWD_CONSOLE}: client ID {plan.app.client_id}, OAuth scopes {MAIL_SCOPE}",
            object=plan.object,
            severity=Severity.INFO,
        )


RULE = Rule.define(
    __doc__,
    id="google-service-account-consumer",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="google",
    impacts=(
        (Severity.ERROR, "consumer accounts have no domain-wide delegation"),
        (Severity.INFO, "the delegation allow-list cannot be read: check it by hand"),
    ),
)

"""An app-only Microsoft app's service principal is not registered in Exchange Online.

**What.** An app used with client credentials (``flow: app-only``, or every target of it
configured so) declares ``exchange_service_principal: false`` (error). When the key is not
declared, the registration in Exchange is a tenant-side fact: one info, decided by ``--online``
(``live-ms-exchange-service-principal``).

**Why.** For IMAP, POP and SMTP with client credentials, Exchange Online authorises the
*Exchange* service principal of the app, which an admin creates with ``New-ServicePrincipal``;
until then every login fails with ``535 5.7.3 Authentication unsuccessful`` or
``AUTHENTICATE failed`` even though the token looks right. The ``-ObjectId`` must be the object
ID of the **enterprise application** (service principal); the object ID shown on the App
registration page is a different object, and using it causes an authentication failure.

**Fix.** In Exchange Online PowerShell: ``Connect-ExchangeOnline``, then ``New-ServicePrincipal
-AppId <client id> -ObjectId <enterprise app object id>``, where the object ID comes from
Entra admin center › Enterprise applications › <app> › Object ID (or ``az ad sp show --id
<client id> --query id -o tsv``); check with ``Get-ServicePrincipal``; then set
``exchange_service_principal: true``. Mailbox rights follow (``ms-mailbox-permission-missing``).

Source: https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth;
MicrosoftDocs/office-docs-powershell:exchange/exchange-ps/ExchangePowerShell/New-ServicePrincipal.md
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
)


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Require the Exchange service principal of every app-only app."""
    for plan in microsoft_apps(ctx):
        app = plan.app
        if app.flow != "app-only" or app.exchange_service_principal is True:
            continue
        declared = app.exchange_service_principal is False
        path, at_key = app_node(ctx, plan.name, "exchange_service_principal")
        yield ctx.finding(
            RULE,
            (
                f"app-only app {plan.name}: its service principal is not registered in "
                "Exchange Online (exchange_service_principal: false); IMAP/POP/SMTP logins "
                "fail with 535 5.7.3 / AUTHENTICATE failed until it is"
                if declared
                else f"app-only app {plan.name}: whether its service principal is registered "
                "in Exchange Online is not declared (exchange_service_principal): checked by "
                "--online (live-ms-exchange-service-principal)"
            ),
            path,
            at_key=at_key,
            fix=f"{exchange_connect(plan)}; New-ServicePrincipal -AppId {app.client_id} "
            "-ObjectId <enterprise app object id>, taking the ID from "
            f"{enterprise_object_id(plan)} (or `az ad sp show --id {app.client_id} "
            "--query id -o tsv`), NOT the object ID of the App registration page (that one makes "
            "authentication fail); then set `exchange_service_principal: true`",
            object=plan.object,
            severity=None if declared else Severity.INFO,
        )


RULE = Rule.define(
    __doc__,
    id="ms-exchange-service-principal-missing",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="microsoft",
    impacts=(
        (Severity.ERROR, "declared not registered in Exchange: every login fails (535 5.7.3)"),
        (Severity.INFO, "not declared: checked by --online"),
    ),
)

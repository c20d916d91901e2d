"""An app-only app is not registered in Exchange Online, or with the wrong object ID.

**What.** For app-only apps (and apps declaring ``exchange_service_principal: true``),
``Get-ServicePrincipal`` must list the app's ID, with ``ObjectId`` equal to the object ID of its
enterprise application (service principal), not of its app registration.

**Why.** IMAP/POP/SMTP with client credentials need ``New-ServicePrincipal``; "using the App
registration's object id instead will cause an authentication failure".

**Fix.** ``New-ServicePrincipal -AppId <client-id> -ObjectId <enterprise application object ID>``
(``Remove-ServicePrincipal`` the wrong one first).

Source: https://learn.microsoft.com/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.live.rules._base import MICROSOFT, finding, microsoft_apps, unknown
from mailoauth_cfg.live.rules._user_common import exchange_connect
from mailoauth_cfg.live.snapshot import Application, ServicePrincipal, Unknown
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Check the Exchange registration of app-only apps."""
    for plan, tenant in microsoft_apps(ctx):
        app = plan.app
        if app.flow != "app-only" and app.exchange_service_principal is not True:
            continue
        path = ("apps", plan.name, "exchange_service_principal")
        exo = tenant.exchange_service_principal(app.client_id)
        what = f"the Exchange registration of app {plan.name}"
        if isinstance(exo, Unknown):
            yield unknown(ctx, RULE, what, exo.reason, path, object=plan.object)
            continue
        sp = tenant.service_principal(app.client_id)
        registration = tenant.application(app.client_id)
        sp_id = sp.id if isinstance(sp, ServicePrincipal) else "<enterprise application object ID>"
        create = (
            f"{exchange_connect(tenant)}; New-ServicePrincipal -AppId {app.client_id} "
            f"-ObjectId {sp_id} -DisplayName {plan.name}"
        )
        if exo is None:
            yield finding(
                ctx,
                RULE,
                f"app-only app {plan.name} is not registered in Exchange Online "
                "(Get-ServicePrincipal): app-only IMAP/POP/SMTP logins fail",
                path,
                fix=create,
                object=plan.object,
            )
            continue
        if not isinstance(sp, ServicePrincipal) or exo.object_id is None:
            if isinstance(sp, Unknown):
                yield unknown(ctx, RULE, what, sp.reason, path, object=plan.object)
            continue
        if exo.object_id == sp.id:
            continue
        which = (
            "the app registration's object ID"
            if isinstance(registration, Application) and registration.id == exo.object_id
            else "an object ID that is not its enterprise application's"
        )
        yield finding(
            ctx,
            RULE,
            f"app {plan.name} is registered in Exchange Online with {which} ({exo.object_id}) "
            f"instead of its enterprise application's ({sp.id}): authentication fails",
            path,
            fix=f"{exchange_connect(tenant)}; Remove-ServicePrincipal -Identity "
            f"{exo.identity or exo.object_id}; New-ServicePrincipal -AppId {app.client_id} "
            f"-ObjectId {sp.id} -DisplayName {plan.name}",
            object=plan.object,
        )


RULE = Rule.define(
    __doc__,
    id="live-ms-exchange-service-principal",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family=MICROSOFT,
    reads=("applications", "exchange_service_principals", "service_principals"),
    supersedes=("ms-exchange-service-principal-missing",),
    impacts=((Severity.ERROR, "not registered in Exchange: app-only logins fail"),),
)

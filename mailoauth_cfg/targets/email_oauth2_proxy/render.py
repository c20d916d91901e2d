"""email-oauth2-proxy: ``emailproxy.config`` with one server section per protocol and one
account section per mailbox. Cached token keys are never written (the proxy encrypts them
with the client's password on first login)."""

from __future__ import annotations

from mailoauth_cfg.derive import TargetPlan, endpoints
from mailoauth_cfg.rendering import Output, RenderContext, narrow
from mailoauth_cfg.targets.email_oauth2_proxy.model import EmailOauth2ProxyTarget


def outputs(ctx: RenderContext, plan: TargetPlan) -> list[Output]:
    """``emailproxy.config`` and the README."""
    target = narrow(plan.target, EmailOauth2ProxyTarget)
    if plan.provider is None:
        return []
    context = ctx.base_context(plan)
    ep = endpoints(plan.provider)
    servers = []
    for protocol in ("imap", "pop", "smtp"):
        if protocol not in target.protocols:
            continue
        servers.append(
            {
                "section": f"{protocol.upper()}-{getattr(target, f'{protocol}_port')}",
                "host": getattr(ep, f"{protocol}_host"),
                "port": getattr(ep, f"{protocol}_port"),
                "starttls": protocol == "smtp" and ep.smtp_port == 587,
            }
        )
    permission_url = ep.devicecode_url if target.flow == "device" else ep.authorize_url
    permission_url = target.authorize_endpoint or permission_url  # declared: as declared
    accounts = [
        {
            "section": plan.login_of(user.email)[0],
            "token_url": target.token_endpoint or ep.token_url,
            "scopes": plan.requested_scopes(user.email)[0],
        }
        for user in context["users"]
    ]
    context.update(
        accounts=accounts,
        servers=servers,
        permission_url=permission_url if target.flow != "client_credentials" else None,
        secret=ctx.app_secret(plan),
        oauth2_flow=target.flow,
        local_address=target.local_address,
        proxy_redirect_uri=plan.redirect_uri,
    )
    return [
        Output(
            "emailproxy.config", "email-oauth2-proxy/emailproxy.config.j2", context, syntax="ini"
        ),
        Output("README.md", "email-oauth2-proxy/README.md.j2", context),
    ]

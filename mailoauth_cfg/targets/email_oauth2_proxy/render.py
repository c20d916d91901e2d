"""email-oauth2-proxy: ``emailproxy.config`` with one server section per protocol and one
account section per mailbox, the systemd service that runs it, and the host config.

The proxy keeps its tokens in its own cache, encrypted with the password the mail clients send;
no token obtained elsewhere is ever used, so mailoauth-cfg bootstraps nothing here: the first
login through the proxy (``mailoauth-cfg probe``) makes the proxy run its own sign-in. The
service runs it with ``--local-server-auth`` (the only way a proxy without a terminal completes
that sign-in) and ``--cache-store``, so that the rendered config is never rewritten by the
proxy, nor its tokens erased by installing the config again.
"""

from __future__ import annotations

import posixpath
import shlex
from urllib.parse import urlsplit

from mailoauth_cfg.derive import TargetPlan, endpoints
from mailoauth_cfg.rendering import Output, RenderContext, host_config, narrow
from mailoauth_cfg.targets.email_oauth2_proxy.facts import (
    CACHE_DIR,
    PROGRAM,
    REDIRECT_URI,
    RUN_OPTIONS,
    VENV,
)
from mailoauth_cfg.targets.email_oauth2_proxy.model import EmailOauth2ProxyTarget

SERVICE_PREFIX = "email-oauth2-proxy-"
"""The systemd unit of target ``NAME`` is ``email-oauth2-proxy-NAME.service``."""


def service_name(name: str) -> str:
    """The systemd unit of the target ``name``."""
    return f"{SERVICE_PREFIX}{name}.service"


def outputs(ctx: RenderContext, plan: TargetPlan) -> list[Output]:
    """``emailproxy.config``, the service unit, the host config and the README."""
    target = narrow(plan.target, EmailOauth2ProxyTarget)
    if plan.provider is None:
        return []
    context = ctx.base_context(plan)
    ep = endpoints(plan.provider)
    servers = []
    for protocol in ("imap", "pop", "smtp"):
        if protocol not in target.protocols:
            continue
        port = getattr(ep, f"{protocol}_port")
        servers.append(
            {
                "protocol": protocol,
                "section": f"{protocol.upper()}-{target.port(protocol)}",
                "local_port": target.port(protocol),
                "host": getattr(ep, f"{protocol}_host"),
                "port": port,
                # submission on any port but 465 (implicit TLS) speaks STARTTLS; the proxy
                # supports STARTTLS towards the server for SMTP only
                "starttls": protocol == "smtp" and port != 465,
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
    config_path = target.config_path(plan.name)
    cache_path = target.cache_path(plan.name)
    run = [
        *shlex.split(target.command),
        *RUN_OPTIONS,
        "--config-file",
        config_path,
        "--cache-store",
        cache_path,
    ]
    probe = ["mailoauth-cfg", "probe", "--config", host_config.HOST_CONFIG, "--target", plan.name]
    redirect_uri = plan.redirect_uri or REDIRECT_URI
    redirect = urlsplit(redirect_uri)
    context.update(
        accounts=accounts,
        servers=servers,
        permission_url=permission_url if target.flow != "client_credentials" else None,
        secret=ctx.app_secret(plan),
        oauth2_flow=target.flow,
        local_address=target.local_address,
        proxy_redirect_uri=redirect_uri,
        redirect_port=redirect.port or 80,
        # the README installs the proxy where the default command runs it
        venv=VENV if target.command == PROGRAM else None,
        config_path=config_path,
        cache_path=cache_path,
        cache_dir=posixpath.dirname(cache_path) or "/",
        state_directory=posixpath.dirname(cache_path) == CACHE_DIR,
        run=run,
        service=service_name(plan.name),
        host_config=host_config.HOST_CONFIG,
        probe=probe,
        probes=[[*probe, "--user", user.email, *_protocols(servers)] for user in context["users"]],
    )
    return [
        Output(
            "emailproxy.config", "email-oauth2-proxy/emailproxy.config.j2", context, syntax="ini"
        ),
        Output(service_name(plan.name), "email-oauth2-proxy/proxy.service.j2", context),
        host_config.output(ctx, plan),
        Output("README.md", "email-oauth2-proxy/README.md.j2", context),
    ]


def _protocols(servers: list[dict[str, object]]) -> list[str]:
    words: list[str] = []
    for server in servers:
        if server["protocol"] in ("smtp", "imap"):
            words += ["--protocol", str(server["protocol"])]
    return words

"""Postfix + sasl-xoauth2: ``main.cf`` fragment, ``sasl_passwd`` and ``sasl-xoauth2.conf``.

Token files are deliberately not rendered: they hold the refresh token, which only
``mailoauth-cfg token bootstrap`` (or sasl-xoauth2-tool) obtains; re-rendering must never erase
them. The runbook says where they go.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from mailoauth_cfg.derive import TargetPlan, endpoints
from mailoauth_cfg.rendering import Output, RenderContext, narrow
from mailoauth_cfg.targets.postfix_sasl_xoauth2 import host_token_dir
from mailoauth_cfg.targets.postfix_sasl_xoauth2.facts import MECHANISM_FILTER
from mailoauth_cfg.targets.postfix_sasl_xoauth2.model import PostfixTarget


def outputs(ctx: RenderContext, plan: TargetPlan) -> list[Output]:
    """``main.cf``, ``sasl_passwd``, ``sasl-xoauth2.conf`` and the README."""
    target = narrow(plan.target, PostfixTarget)
    context = ctx.base_context(plan)
    if plan.provider is None:
        return []
    ep = endpoints(plan.provider)
    host, port = ep.smtp_host, ep.smtp_port
    if target.relay:
        relay_host, _, relay_port = target.relay.rpartition(":")
        host, port = (relay_host, int(relay_port)) if relay_port.isdigit() else (target.relay, 587)
    token_dir = PurePosixPath(target.token_dir)
    context.update(
        relayhost=f"[{host}]:{port}",
        relay_name=host,
        sender_dependent=len(context["users"]) > 1,
        token_files=[
            {
                "email": u.email,
                "login": plan.login_of(u.email)[0],
                "path": str(token_dir / u.email),
            }
            for u in context["users"]
        ],
        host_token_dir=host_token_dir(target),
        mechanism_filter=target.sasl_mechanism or MECHANISM_FILTER.value,
        secret=ctx.app_secret(plan),
        token_endpoint=target.token_endpoint or ep.token_url,
        refresh_window=target.refresh_window,
    )
    return [
        Output("main.cf", "postfix-sasl-xoauth2/main.cf.j2", context),
        Output("sasl_passwd", "postfix-sasl-xoauth2/sasl_passwd.j2", context),
        Output("sasl-xoauth2.conf", "postfix-sasl-xoauth2/sasl-xoauth2.conf.j2", context),
        Output("README.md", "postfix-sasl-xoauth2/README.md.j2", context),
    ]

"""Postfix + sasl-xoauth2: ``main.cf`` fragment, ``sasl_passwd`` and ``sasl-xoauth2.conf``.

Token files are deliberately not rendered: they hold the refresh token, which only
``mailoauth-cfg token bootstrap`` (or sasl-xoauth2-tool) obtains; re-rendering must never erase
them. The runbook says where they go.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from mailoauth_cfg.derive import TargetPlan, endpoints
from mailoauth_cfg.errors import RenderError
from mailoauth_cfg.fileio import child_path, path_component
from mailoauth_cfg.rendering import Output, RenderContext, host_config, narrow
from mailoauth_cfg.targets.postfix_sasl_xoauth2 import host_token_dir
from mailoauth_cfg.targets.postfix_sasl_xoauth2.facts import MECHANISM_FILTER
from mailoauth_cfg.targets.postfix_sasl_xoauth2.model import PostfixTarget


def _relay(value: str) -> tuple[str, int]:
    """(host, port) of ``relay``: ``host``, ``host:port``, ``[host]:port`` (Postfix's form,
    brackets dropped: the template adds them) or a bare IPv6 address."""
    text = value.split("://", 1)[-1].split("/", 1)[0]
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest.removeprefix(":")
        return host, int(port) if port.isdigit() else 587
    if text.count(":") > 1:  # an IPv6 address without brackets carries no port
        return text, 587
    host, _, port = text.rpartition(":")
    return (host, int(port)) if host and port.isdigit() else (text, 587)


def outputs(ctx: RenderContext, plan: TargetPlan) -> list[Output]:
    """``main.cf``, ``sasl_passwd``, ``sasl-xoauth2.conf``, the host config and the README."""
    target = narrow(plan.target, PostfixTarget)
    context = ctx.base_context(plan)
    if plan.provider is None:
        return []
    ep = endpoints(plan.provider)
    host, port = ep.smtp_host, ep.smtp_port
    if target.relay:
        host, port = _relay(target.relay)
    token_dir = PurePosixPath(target.token_dir)
    token_files = []
    for user in context["users"]:
        try:
            path = child_path(token_dir, path_component(user.email))
        except ValueError as exc:
            raise RenderError(f"target {plan.name}: {exc}") from None
        # the table's value: the XOAUTH2 user (the declared login, else the mailbox), then the
        # token file (sasl-xoauth2's "password")
        login = plan.login_of(user.email)[0]
        token_files.append(
            {"email": user.email, "path": path, "login": login, "value": f"{login}:{path}"}
        )
    host_dir = PurePosixPath(host_token_dir(target))
    chroot_dir = PurePosixPath(target.chroot_dir)
    bundle = PurePosixPath(target.ca_bundle_file)
    context.update(
        host_token_files=[child_path(host_dir, path_component(u.email)) for u in context["users"]],
        chroot_bundle=(
            str(chroot_dir / bundle.relative_to("/"))
            if target.chroot and bundle.is_absolute()
            else None
        ),
        config_file=host_config.HOST_CONFIG,
        flow_words=["--flow", "device-code"] if plan.bootstrap == "device-code" else [],
        relayhost=f"[{host}]:{port}",
        relay_name=host,
        sender_dependent=len(context["users"]) > 1,
        password_maps=f"hash:{PurePosixPath(target.postfix_dir) / 'sasl_passwd'}",
        sasl_passwd=str(PurePosixPath(target.postfix_dir) / "sasl_passwd"),
        token_files=token_files,
        host_token_dir=host_token_dir(target),
        mechanism_filter=target.sasl_mechanism or MECHANISM_FILTER.value,
        secret=ctx.app_secret(plan),
        token_endpoint=target.token_endpoint or ep.token_url,
        refresh_window=target.refresh_window,
    )
    return [
        Output("main.cf", "postfix-sasl-xoauth2/main.cf.j2", context, syntax="postfix"),
        Output("sasl_passwd", "postfix-sasl-xoauth2/sasl_passwd.j2", context, syntax="postfix-map"),
        Output(
            "sasl-xoauth2.conf",
            "postfix-sasl-xoauth2/sasl-xoauth2.conf.j2",
            context,
            syntax="json",
        ),
        host_config.output(ctx, plan),
        Output("README.md", "postfix-sasl-xoauth2/README.md.j2", context),
    ]

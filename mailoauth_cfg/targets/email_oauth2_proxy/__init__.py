"""email-oauth2-proxy: legacy mail clients log in to a local proxy that adds OAuth2."""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING, Any

from mailoauth_cfg.targets._plugin import HOST_CONFIG, LocalLogin, Plugin
from mailoauth_cfg.targets.email_oauth2_proxy.facts import FACTS, PROGRAM, REDIRECT_URI, VENV
from mailoauth_cfg.targets.email_oauth2_proxy.model import EmailOauth2ProxyTarget

if TYPE_CHECKING:
    from mailoauth_cfg.derive import TargetPlan
    from mailoauth_cfg.targets._facts import BootstrapKind
    from mailoauth_cfg.targets._model import TargetModel

FLOWS: dict[str, BootstrapKind] = {
    "authorization_code": "cli-loopback",
    "device": "device-code",
    "client_credentials": "client-credentials",
}
"""``oauth2_flow`` → how the proxy obtains its token."""

_WILDCARDS = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1", "[::]": "::1"}  # noqa: S104
"""A proxy listening on every address is reached on the loopback one."""


class ProxyPlugin(Plugin):
    """The proxy's ``flow`` setting decides its flow (its declared ``redirect_uri`` is the
    redirect it sends; omitted, the profile's ``http://localhost:8080``); mail clients (and the
    probe) log in to the proxy, which keeps its own tokens."""

    def bootstrap(self, plan: TargetPlan) -> BootstrapKind | None:
        """The flow ``flow:`` selects."""
        target = plan.target
        if plan.profile is None or not isinstance(target, EmailOauth2ProxyTarget):
            return super().bootstrap(plan)
        return FLOWS[target.flow]

    def local_login(self, plan: TargetPlan) -> LocalLogin | None:
        """The proxy's local ports: clients log in there with a password, never a token."""
        target = plan.target
        if not isinstance(target, EmailOauth2ProxyTarget):
            return None
        host = _WILDCARDS.get(target.local_address, target.local_address)
        ports: dict[str, int] = {
            p: target.port(p) for p in ("smtp", "imap") if p in target.protocols
        }
        return LocalLogin(
            host=host,
            ports=ports,
            logins={email: plan.login_of(email)[0] for email in target.users},
            keeper="email-oauth2-proxy keeps this mailbox's token in its own cache, obtained at "
            "the first login through it; log in through the proxy with `mailoauth-cfg probe "
            f"--target {plan.name}` (see the target's README.md)",
        )

    def deployment(self, target: TargetModel, name: str) -> dict[str, Any]:
        """The config, the cache directory, the service unit and the proxy's own install."""
        from mailoauth_cfg.targets.email_oauth2_proxy.render import service_name

        if not isinstance(target, EmailOauth2ProxyTarget):
            return {}
        cache = target.cache_path(name)
        return {
            "config_path": target.config_path(name),
            "cache_path": cache,
            "cache_dir": posixpath.dirname(cache) or "/",
            "service": service_name(name),
            "service_user": target.service_user,
            "venv": VENV if target.command == PROGRAM else None,
        }

    def runbook_context(self, plan: TargetPlan) -> dict[str, Any]:
        """The first login runs through the proxy, with the host config."""
        from mailoauth_cfg.targets.email_oauth2_proxy.render import service_name

        target = plan.target
        if not isinstance(target, EmailOauth2ProxyTarget):
            return {}
        return {
            "probe": ["mailoauth-cfg", "probe", "--config", HOST_CONFIG, "--target", plan.name],
            "service": service_name(plan.name),
            "proxy_redirect_uri": plan.redirect_uri or REDIRECT_URI,
        }


PLUGIN = ProxyPlugin(__name__, model=EmailOauth2ProxyTarget, facts=FACTS)

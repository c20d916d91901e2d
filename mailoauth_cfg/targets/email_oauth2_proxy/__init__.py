"""email-oauth2-proxy: legacy mail clients log in to a local proxy that adds OAuth2."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailoauth_cfg.targets._plugin import Plugin
from mailoauth_cfg.targets.email_oauth2_proxy.facts import FACTS
from mailoauth_cfg.targets.email_oauth2_proxy.model import EmailOauth2ProxyTarget

if TYPE_CHECKING:
    from mailoauth_cfg.derive import TargetPlan
    from mailoauth_cfg.targets._facts import BootstrapKind

FLOWS: dict[str, BootstrapKind] = {
    "authorization_code": "cli-loopback",
    "device": "device-code",
    "client_credentials": "client-credentials",
}
"""``oauth2_flow`` → how the proxy obtains its token."""


class ProxyPlugin(Plugin):
    """The proxy's ``flow`` setting decides its flow (its declared ``redirect_uri`` is the
    redirect it sends; omitted, the profile's ``http://localhost``)."""

    def bootstrap(self, plan: TargetPlan) -> BootstrapKind | None:
        """The flow ``flow:`` selects."""
        target = plan.target
        if plan.profile is None or not isinstance(target, EmailOauth2ProxyTarget):
            return super().bootstrap(plan)
        return FLOWS[target.flow]


PLUGIN = ProxyPlugin(__name__, model=EmailOauth2ProxyTarget, facts=FACTS)

"""msmtp: a sendmail replacement whose access token comes from ``mailoauth-cfg token access``."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Any

from mailoauth_cfg.targets._model import TargetModel
from mailoauth_cfg.targets._plugin import Plugin, TokenStore
from mailoauth_cfg.targets.msmtp.facts import FACTS
from mailoauth_cfg.targets.msmtp.model import MsmtpTarget

if TYPE_CHECKING:
    from mailoauth_cfg.derive import TargetPlan


class MsmtpPlugin(Plugin):
    """The tokens live in mailoauth-cfg's own store, in ``token_dir`` when declared."""

    def token_store(self, target: TargetModel) -> TokenStore | None:
        """The declared ``token_dir`` (``None``: the tool's default store of the host)."""
        if not isinstance(target, MsmtpTarget) or not target.token_dir:
            return None
        return TokenStore(target.token_dir, "native")

    def deployment(self, target: TargetModel, name: str) -> dict[str, Any]:
        """The host config goes where ``passwordeval`` reads it."""
        if not isinstance(target, MsmtpTarget):
            return {}
        return {"host_config": target.config_path, "tool": shlex.split(target.command)}

    def runbook_context(self, plan: TargetPlan) -> dict[str, Any]:
        """The bootstrap runs on the host, as the user who runs msmtp, with the host config
        ``passwordeval`` reads (the token lands in that user's store)."""
        target = plan.target
        if not isinstance(target, MsmtpTarget):
            return {}
        return {
            "tool": shlex.split(target.command),
            "tool_config": target.config_path,
            "where": "On the host, as the user who runs msmtp",
        }


PLUGIN = MsmtpPlugin(__name__, model=MsmtpTarget, facts=FACTS)

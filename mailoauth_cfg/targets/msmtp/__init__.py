"""msmtp: a sendmail replacement whose access token comes from ``mailoauth-cfg token access``."""

from __future__ import annotations

from mailoauth_cfg.targets._model import TargetModel
from mailoauth_cfg.targets._plugin import Plugin, TokenStore
from mailoauth_cfg.targets.msmtp.facts import FACTS
from mailoauth_cfg.targets.msmtp.model import MsmtpTarget


class MsmtpPlugin(Plugin):
    """The tokens live in mailoauth-cfg's own store, in ``token_dir`` when declared."""

    def token_store(self, target: TargetModel) -> TokenStore | None:
        """The declared ``token_dir`` (``None``: the tool's default store of the host)."""
        if not isinstance(target, MsmtpTarget) or not target.token_dir:
            return None
        return TokenStore(target.token_dir, "native")


PLUGIN = MsmtpPlugin(__name__, model=MsmtpTarget, facts=FACTS)

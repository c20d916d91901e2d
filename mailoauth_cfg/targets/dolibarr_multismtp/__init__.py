"""Dolibarr with the MultiSMTP module: each Dolibarr user sends with their own OAuth token."""

from __future__ import annotations

from mailoauth_cfg.targets.dolibarr import DolibarrPlugin
from mailoauth_cfg.targets.dolibarr_multismtp.facts import FACTS
from mailoauth_cfg.targets.dolibarr_multismtp.model import MultismtpTarget


class MultismtpPlugin(DolibarrPlugin):
    """MultiSMTP stores its tokens through the core module's provider classes."""

    def reference(self) -> list[str]:
        """The provider classes are listed under ``dolibarr``."""
        return ["Provider classes: those of the core OAuth module (see `dolibarr`)."]


PLUGIN = MultismtpPlugin(__name__, model=MultismtpTarget, facts=FACTS)

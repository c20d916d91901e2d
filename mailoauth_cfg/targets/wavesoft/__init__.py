"""WaveSoft CRM: settings typed into the desktop client, consent on each user's PC."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mailoauth_cfg.targets._plugin import Plugin
from mailoauth_cfg.targets.wavesoft.facts import FACTS, LOOPBACK_PORT, LOOPBACK_URI
from mailoauth_cfg.targets.wavesoft.model import WavesoftTarget

if TYPE_CHECKING:
    from mailoauth_cfg.derive import TargetPlan


class WavesoftPlugin(Plugin):
    """The runbook names the CRM's loopback port (the Windows firewall may block it)."""

    def runbook_context(self, plan: TargetPlan) -> dict[str, Any]:
        """``loopback_uri`` and ``loopback_port`` of the consent's redirect."""
        del plan
        return {"loopback_uri": LOOPBACK_URI, "loopback_port": LOOPBACK_PORT}


PLUGIN = WavesoftPlugin(__name__, model=WavesoftTarget, facts=FACTS)

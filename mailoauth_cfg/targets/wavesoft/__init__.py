"""WaveSoft CRM: settings typed into the desktop client, consent on each user's PC."""

from __future__ import annotations

from mailoauth_cfg.targets._plugin import Plugin
from mailoauth_cfg.targets.wavesoft.facts import FACTS
from mailoauth_cfg.targets.wavesoft.model import WavesoftTarget

PLUGIN = Plugin(__name__, model=WavesoftTarget, facts=FACTS)

"""GLPI: its notification settings set with ``bin/console config:set``, consent in its UI."""

from __future__ import annotations

from mailoauth_cfg.targets._plugin import Plugin
from mailoauth_cfg.targets.glpi.facts import FACTS
from mailoauth_cfg.targets.glpi.model import GlpiTarget

PLUGIN = Plugin(__name__, model=GlpiTarget, facts=FACTS)

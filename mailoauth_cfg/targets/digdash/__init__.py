"""DigDash Enterprise: OAuth server parameters typed into its web UI."""

from __future__ import annotations

from mailoauth_cfg.targets._plugin import Plugin
from mailoauth_cfg.targets.digdash.facts import FACTS
from mailoauth_cfg.targets.digdash.model import DigdashTarget

PLUGIN = Plugin(__name__, model=DigdashTarget, facts=FACTS)

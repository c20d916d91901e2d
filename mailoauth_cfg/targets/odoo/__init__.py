"""Odoo: system parameters and mail servers set over XML-RPC, consent in its UI."""

from __future__ import annotations

from mailoauth_cfg.targets._plugin import Plugin
from mailoauth_cfg.targets.odoo.facts import FACTS
from mailoauth_cfg.targets.odoo.model import OdooTarget

PLUGIN = Plugin(__name__, model=OdooTarget, facts=FACTS)

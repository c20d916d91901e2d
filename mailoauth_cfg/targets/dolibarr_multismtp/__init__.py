"""Dolibarr with the MultiSMTP module: each Dolibarr user sends with their own OAuth token."""

from __future__ import annotations

from mailoauth_cfg.targets.dolibarr import DolibarrPlugin
from mailoauth_cfg.targets.dolibarr_multismtp.facts import FACTS
from mailoauth_cfg.targets.dolibarr_multismtp.model import MultismtpTarget

PLUGIN = DolibarrPlugin(__name__, model=MultismtpTarget, facts=FACTS)

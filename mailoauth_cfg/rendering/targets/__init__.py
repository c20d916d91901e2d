"""Per target type: which files to render from which templates, with which variables.

Each module has ``outputs(ctx, plan) -> list[Output]``; paths are relative to ``<target>/``.
"""

from __future__ import annotations

import importlib

from mailoauth_cfg.derive import TargetPlan
from mailoauth_cfg.rendering import Output, RenderContext

MODULES = {
    "dolibarr": "dolibarr",
    "dolibarr-multismtp": "multismtp",
    "digdash": "digdash",
    "wavesoft": "wavesoft",
    "openbee": "openbee",
    "postfix-sasl-xoauth2": "postfix",
    "msmtp": "msmtp",
    "email-oauth2-proxy": "emailproxy",
    "glpi": "glpi",
    "odoo": "odoo",
    "nextcloud-mail": "nextcloud",
}


def outputs(ctx: RenderContext, plan: TargetPlan) -> list[Output]:
    """The outputs of one target."""
    module = importlib.import_module(f"{__name__}.{MODULES[plan.target.type]}")
    result: list[Output] = module.outputs(ctx, plan)
    return result

"""Helpers of the Dolibarr rules (not a rule)."""

from __future__ import annotations

from mailoauth_cfg.derive import TargetPlan
from mailoauth_cfg.rules._base import Context
from mailoauth_cfg.targets.dolibarr import DolibarrPlugin, provider_class_of
from mailoauth_cfg.targets.dolibarr.providers import DolibarrProvider


def through_oauth_module(ctx: Context) -> list[tuple[TargetPlan, DolibarrProvider]]:
    """Targets configured through Dolibarr's OAuth module (core or MultiSMTP), with the
    provider class each uses."""
    out: list[tuple[TargetPlan, DolibarrProvider]] = []
    for plan in ctx.target_plans():
        if not isinstance(plan.plugin, DolibarrPlugin):
            continue
        provider = provider_class_of(plan)
        if provider is not None:
            out.append((plan, provider))
    return out

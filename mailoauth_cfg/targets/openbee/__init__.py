"""Open Bee Portal: custom SMTP with OAuth2 (Microsoft 365) or an app password (Google)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailoauth_cfg.targets._plugin import Plugin
from mailoauth_cfg.targets.openbee.facts import FACTS
from mailoauth_cfg.targets.openbee.model import OpenbeeTarget

if TYPE_CHECKING:
    from mailoauth_cfg.derive import TargetPlan


class OpenbeePlugin(Plugin):
    """Open Bee shows its callback path only on its own page: ``redirect_path`` declares it."""

    def redirect(self, plan: TargetPlan) -> tuple[str | None, str]:
        """The portal URL + ``redirect_path``, or no URI with the reason."""
        target = plan.target
        profile = plan.profile
        if profile is None or not isinstance(target, OpenbeeTarget):
            return super().redirect(plan)
        if target.redirect_path is None:
            return None, profile.redirect.reason
        path = target.redirect_path
        if not path.startswith("/"):
            path = "/" + path
        return target.url.rstrip("/") + path, "portal URL + redirect_path"


PLUGIN = OpenbeePlugin(__name__, model=OpenbeeTarget, facts=FACTS)

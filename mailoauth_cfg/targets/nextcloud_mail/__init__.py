"""Nextcloud Mail: the admin stores the integration, each user connects their account."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailoauth_cfg.targets._plugin import Plugin
from mailoauth_cfg.targets.nextcloud_mail.facts import FACTS, INDEX_PHP
from mailoauth_cfg.targets.nextcloud_mail.model import NextcloudMailTarget

if TYPE_CHECKING:
    from mailoauth_cfg.derive import TargetPlan


class NextcloudPlugin(Plugin):
    """Without pretty URLs (``index_php``) the redirect URI carries ``/index.php``."""

    def redirect(self, plan: TargetPlan) -> tuple[str | None, str]:
        """The integration's callback, ``index-php`` variant when routes carry it."""
        target = plan.target
        profile = plan.profile
        if profile is None or not isinstance(target, NextcloudMailTarget) or not target.index_php:
            return super().redirect(plan)
        pattern = profile.redirect
        return pattern.render(target.url, INDEX_PHP), pattern.reason


PLUGIN = NextcloudPlugin(__name__, model=NextcloudMailTarget, facts=FACTS)

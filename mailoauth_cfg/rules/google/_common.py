"""Helpers shared by the Google rules (not a rule module)."""

from __future__ import annotations

from collections.abc import Iterable

from mailoauth_cfg.derive import AppPlan, TargetPlan
from mailoauth_cfg.model import GoogleProvider
from mailoauth_cfg.rules._base import Context

CONSOLE = "Google Cloud console"
CONSENT_SCREEN = f"{CONSOLE} › APIs & Services › OAuth consent screen"
"""Console path of the consent screen (called *Google Auth Platform* in newer consoles)."""
CREDENTIALS = f"{CONSOLE} › APIs & Services › Credentials"
DWD_CONSOLE = (
    "Admin console (admin.google.com) › Security › Access and data control › API controls › "
    "Domain-wide delegation"
)


def google_providers(ctx: Context) -> list[tuple[str, GoogleProvider]]:
    """Google providers, sorted by name."""
    return [
        (name, provider)
        for name, provider in sorted(ctx.config.providers.items())
        if isinstance(provider, GoogleProvider)
    ]


def google_app_plans(ctx: Context) -> list[AppPlan]:
    """Plans of apps registered in a Google provider, sorted by name."""
    return [p for p in ctx.app_plans() if p.provider_type == "google"]


def uses_google_oauth(plan: TargetPlan) -> bool:
    """The target signs in to Google with OAuth (not a password or an app password)."""
    profile = plan.google
    return profile is not None and profile.auth == "oauth2" and plan.target.auth == "oauth2"


def oauth_plans_of_provider(ctx: Context, provider: str) -> list[TargetPlan]:
    """Targets that obtain Google OAuth tokens through ``provider``, sorted by name."""
    return [p for p in ctx.target_plans() if p.provider_name == provider and uses_google_oauth(p)]


def listing(names: Iterable[str]) -> str:
    """``a, b, c`` from names in their given order."""
    return ", ".join(names)


def targets_phrase(names: Iterable[str]) -> str:
    """``target a`` or ``targets a, b``."""
    items = list(names)
    return ("target " if len(items) == 1 else "targets ") + ", ".join(items)

"""Registered vs expected redirect URIs of one app, shared by the three redirect rules."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from mailoauth_cfg.derive import AppPlan
from mailoauth_cfg.live.snapshot import Application, MicrosoftTenant, Unknown
from mailoauth_cfg.loading import PathKey
from mailoauth_cfg.rules.general._redirects import same_redirect
from mailoauth_cfg.rules.microsoft._common import app_platform, expected_redirects, portal

PLATFORM_NAMES = {"web": "Web", "public": "Mobile and desktop applications", "spa": "SPA"}
AZ_FLAGS = {"web": "--web-redirect-uris", "public": "--public-client-redirect-uris"}


@dataclass(frozen=True, slots=True)
class Expected:
    """A redirect URI the registration must hold."""

    uri: str
    path: PathKey
    why: str
    """``sent by target erp`` or ``declared in apps.x.redirect_uris``."""


def expected(plan: AppPlan) -> list[Expected]:
    """Declared ``redirect_uris`` when written, else the URIs the targets send."""
    declared = plan.app.redirect_uris
    if declared is not None:
        return [
            Expected(uri, ("apps", plan.name, "redirect_uris", i), "declared")
            for i, uri in enumerate(declared)
        ]
    out: list[Expected] = []
    for uri, targets in expected_redirects(plan).items():
        who = ", ".join(targets)
        out.append(
            Expected(
                uri, ("apps", plan.name), f"sent by target{'s' if len(targets) > 1 else ''} {who}"
            )
        )
    return out


def registered(app: Application) -> dict[str, list[str]]:
    """Platform -> registered URIs."""
    return {
        "web": app.web_redirect_uris,
        "public": app.public_client_redirect_uris,
        "spa": app.spa_redirect_uris,
    }


def platform_of(plan: AppPlan) -> str:
    """``web`` or ``public``."""
    return app_platform(plan.app)


def contains(uris: list[str], uri: str) -> bool:
    """Whether Entra would accept ``uri`` against one of ``uris``."""
    return any(same_redirect(uri, r, "microsoft") for r in uris)


def lookup(plan: AppPlan, tenant: MicrosoftTenant) -> Application | Unknown | None:
    """The registration, skipping app-only apps (no redirect) and missing registrations."""
    if plan.app.flow == "app-only":
        return None
    return tenant.application(plan.app.client_id)


def add_fix(plan: AppPlan, platform: str, uris: Iterator[str] | list[str]) -> str:
    """Portal path and az command adding ``uris`` under ``platform``."""
    wanted = list(uris)
    where = portal(plan, "Authentication", PLATFORM_NAMES[platform], "Add URI")
    flag = AZ_FLAGS.get(platform)
    command = ""
    if flag is not None:
        command = (
            f" (or `az ad app update --id {plan.app.client_id} {flag} {' '.join(wanted)}`, "
            "which replaces the list: include the URIs to keep)"
        )
    return f"{where}: {', '.join(wanted)}{command}"


def differences(registered: str, wanted: str) -> list[str]:
    """How ``registered`` differs from ``wanted`` when they are the same but for scheme, letter
    case or a trailing ``/`` (empty when they differ otherwise)."""
    scheme_a, _, rest_a = registered.strip().partition("://")
    scheme_b, _, rest_b = wanted.strip().partition("://")
    if rest_a.rstrip("/").lower() != rest_b.rstrip("/").lower():
        return []
    how: list[str] = []
    if scheme_a.lower() != scheme_b.lower():
        how.append("its scheme")
    if rest_a.rstrip("/") != rest_b.rstrip("/"):
        how.append("letter case")
    if rest_a.endswith("/") != rest_b.endswith("/"):
        how.append("a trailing /")
    return how


def near_misses(uri: str, platforms: dict[str, list[str]]) -> list[tuple[str, str, str]]:
    """Registered URIs that are almost ``uri``: ``(platform, registered, how they differ)``
    (Entra compares redirect URIs exactly, so each near miss still fails with AADSTS50011)."""
    out: list[tuple[str, str, str]] = []
    for platform, uris in platforms.items():
        for registered_uri in uris:
            how = differences(registered_uri, uri)
            if how:
                out.append((platform, registered_uri, " and ".join(how)))
    return out

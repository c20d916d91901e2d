"""Snapshot access and helpers shared by the Google live rules (``live-google-*``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mailoauth_cfg.derive import AppPlan, TargetPlan
from mailoauth_cfg.findings import Finding, ObjectRef, Status
from mailoauth_cfg.live.rules._base import LiveRule
from mailoauth_cfg.live.snapshot import GoogleDomain, Snapshot
from mailoauth_cfg.loading import PathKey
from mailoauth_cfg.model import GoogleProvider, User
from mailoauth_cfg.rules._base import Context

FAMILY = "live-google"

ADMIN_USERS = "Admin console (admin.google.com) › Directory › Users"
CREDENTIALS_CONSOLE = "Google Cloud console › APIs & Services › Credentials"
CONSENT_CONSOLE = (
    "Google Cloud console › APIs & Services › OAuth consent screen (Google Auth Platform › "
    "Audience)"
)


def domain_of(snapshot: Snapshot, ctx: Context, provider_name: str | None) -> GoogleDomain | None:
    """The snapshot section of a Google provider, or ``None`` when the whole provider could not
    be read (the runner reports that once, as ``live-check-incomplete``)."""
    if provider_name is None:
        return None
    provider = ctx.provider(provider_name)
    if not isinstance(provider, GoogleProvider):
        return None
    section = snapshot.google.get(provider_name)
    if section is None or section.failed is not None:
        return None
    if section.domain != (provider.domain.lower() if provider.domain else None):
        return None
    return section


def google_users(ctx: Context, snapshot: Snapshot) -> Iterator[tuple[int, User, GoogleDomain]]:
    """``(index, user, domain)`` for each user of a Google provider that was read."""
    for index, user in enumerate(ctx.config.users):
        domain = domain_of(snapshot, ctx, user.provider)
        if domain is not None:
            yield index, user, domain


def google_providers(ctx: Context, snapshot: Snapshot) -> Iterator[tuple[str, GoogleDomain]]:
    """``(name, domain)`` of each Google provider that was read."""
    for name in sorted(ctx.config.providers):
        domain = domain_of(snapshot, ctx, name)
        if domain is not None:
            yield name, domain


def google_apps(ctx: Context, snapshot: Snapshot) -> Iterator[tuple[AppPlan, GoogleDomain]]:
    """Each Google app's plan with its provider's snapshot section."""
    for plan in ctx.app_plans():
        if plan.provider_type != "google":
            continue
        domain = domain_of(snapshot, ctx, plan.app.provider)
        if domain is not None:
            yield plan, domain


def plans(ctx: Context) -> list[TargetPlan]:
    """Every target's plan (for the :mod:`~mailoauth_cfg.live.google_needs` helpers)."""
    return ctx.target_plans()


def apps_of_client(ctx: Context, provider: str, client_id: str) -> list[str]:
    """Names of the provider's apps with this client ID."""
    wanted = client_id.lower()
    return [
        name
        for name, app in sorted(ctx.config.apps.items())
        if app.provider == provider and app.client_id.strip().lower() == wanted
    ]


def phrase(kind: str, names: list[str]) -> str:
    """``target a`` or ``targets a, b``."""
    return f"{kind}{'s' if len(names) > 1 else ''} {', '.join(names)}"


def unverifiable(
    ctx: Context,
    rule: LiveRule[Any],
    message: str,
    path: PathKey,
    *,
    fix: str,
    object: ObjectRef,
) -> Finding:
    """``unknown``: a fact no Google API exposes; ``fix`` is where to check it by hand."""
    return Finding(
        rule=rule.id,
        severity=rule.severity,
        message=message,
        location=ctx.marks.location(path),
        fix=fix,
        object=object,
        status=Status.UNKNOWN,
        help=rule.summary,
    )

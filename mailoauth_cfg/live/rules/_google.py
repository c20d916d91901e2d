"""Snapshot access and helpers shared by the Google live rules (``live-google-*``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mailoauth_cfg.derive import AppPlan, TargetPlan
from mailoauth_cfg.findings import Finding, ObjectRef, Status
from mailoauth_cfg.live.rules._base import recorder, snapshot_of
from mailoauth_cfg.live.snapshot import GoogleDomain
from mailoauth_cfg.loading import PathKey
from mailoauth_cfg.model import GoogleProvider, User
from mailoauth_cfg.rules._base import Context, Rule

FAMILY = "live-google"

ADMIN_USERS = "Admin console (admin.google.com) › Directory › Users"
CREDENTIALS_CONSOLE = "Google Cloud console › APIs & Services › Credentials"
CONSENT_CONSOLE = (
    "Google Cloud console › APIs & Services › OAuth consent screen (Google Auth Platform › "
    "Audience)"
)


def domain_of(ctx: Context, provider_name: str | None) -> GoogleDomain | None:
    """The snapshot section of a Google provider, or ``None`` when the whole provider could not
    be read (the runner reports that once, as ``live-check-incomplete``)."""
    if provider_name is None:
        return None
    provider = ctx.provider(provider_name)
    if not isinstance(provider, GoogleProvider):
        return None
    section = snapshot_of(ctx).google.get(provider_name)
    if section is None or section.failed is not None:
        return None
    if section.domain != (provider.domain.lower() if provider.domain else None):
        return None
    return section


def google_users(ctx: Context) -> Iterator[tuple[int, User, GoogleDomain]]:
    """``(index, user, domain)`` for each user of a Google provider that was read (one subject
    each)."""
    record = recorder(ctx)
    for index, user in enumerate(ctx.config.users):
        domain = domain_of(ctx, user.provider)
        if domain is not None:
            record.enter(ObjectRef.user(user.email), ("users", index), f"mailbox {user.email}")
            yield index, user, domain
    record.leave()


def google_providers(ctx: Context) -> Iterator[tuple[str, GoogleDomain]]:
    """``(name, domain)`` of each Google provider that was read (one subject each)."""
    record = recorder(ctx)
    for name in sorted(ctx.config.providers):
        domain = domain_of(ctx, name)
        if domain is not None:
            record.enter(ObjectRef.provider(name), ("providers", name), f"provider {name}")
            yield name, domain
    record.leave()


def google_apps(ctx: Context) -> Iterator[tuple[AppPlan, GoogleDomain]]:
    """Each Google app's plan with its provider's snapshot section (one subject each)."""
    record = recorder(ctx)
    for plan in ctx.app_plans():
        if plan.provider_type != "google":
            continue
        domain = domain_of(ctx, plan.app.provider)
        if domain is not None:
            record.enter(plan.object, ("apps", plan.name), f"app {plan.name}")
            yield plan, domain
    record.leave()


def plans(ctx: Context) -> list[TargetPlan]:
    """Every target's plan (for the :mod:`~mailoauth_cfg.live.google.needs` helpers)."""
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
    rule: Rule[Any],
    message: str,
    path: PathKey,
    *,
    fix: str,
    object: ObjectRef,
) -> Finding:
    """``unknown``: a fact no Google API exposes (read with :meth:`GoogleDomain.unexposed`);
    ``fix`` is where to check it by hand."""
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

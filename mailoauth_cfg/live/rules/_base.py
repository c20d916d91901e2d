"""What live rules share: the subjects they walk and the findings they make.

A live rule is a :class:`~mailoauth_cfg.rules._base.Rule` like any other (a module; docstring =
documentation; an options model; ``check(ctx, options)``) that also declares the snapshot
collections it reads::

    RULE = Rule.define(__doc__, id="live-ms-user-missing", severity=Severity.ERROR,
                       check=check, options=RuleOptions, family=MICROSOFT,
                       reads=("users",), supersedes=())

Its check walks subjects with :func:`microsoft_apps`, :func:`microsoft_users`,
:func:`microsoft_providers` (and the Google ones in :mod:`._google`) and looks facts up on the
snapshot section each yields. The engine (:mod:`._facts`) observes the lookups: a verdict that
rests on a missing fact becomes ``unknown``, a subject that could not be read is never a silent
pass. Checks are pure: no I/O, no clock (``ctx.as_of``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mailoauth_cfg.derive import AppPlan
from mailoauth_cfg.findings import Finding, ObjectRef, Severity, Status
from mailoauth_cfg.live.microsoft.needs import effective_tenant
from mailoauth_cfg.live.microsoft.snapshot import MicrosoftTenant
from mailoauth_cfg.live.rules._facts import Recorder, unknown_fix
from mailoauth_cfg.live.snapshot import Snapshot
from mailoauth_cfg.loading import PathKey
from mailoauth_cfg.model import MicrosoftProvider, User
from mailoauth_cfg.rules._base import Context, Rule

MICROSOFT = "live-microsoft"
"""Family of the Microsoft live rules."""


def recorder(ctx: Context) -> Recorder:
    """The engine's recorder bound to the running live rule."""
    facts = ctx.facts
    if not isinstance(facts, Recorder):
        raise TypeError("a live rule runs only through the rule engine, against a snapshot")
    return facts


def snapshot_of(ctx: Context) -> Snapshot:
    """The snapshot the running live rule checks."""
    return recorder(ctx).snapshot


# --- subjects -----------------------------------------------------------------------------------


def tenant_of(ctx: Context, provider_name: str | None) -> MicrosoftTenant | None:
    """The snapshot section of a Microsoft provider, or ``None`` when the whole provider could
    not be read (the runner reports that once, as ``live-check-incomplete``)."""
    if provider_name is None:
        return None
    provider = ctx.provider(provider_name)
    if not isinstance(provider, MicrosoftProvider):
        return None
    section = snapshot_of(ctx).microsoft.get(provider_name)
    tenant, _ = effective_tenant(ctx.config, provider_name)
    if section is None or section.failed is not None or section.tenant != tenant:
        return None
    return section


def microsoft_apps(ctx: Context) -> Iterator[tuple[AppPlan, MicrosoftTenant]]:
    """Each Microsoft app's plan with its tenant's snapshot section (one subject each)."""
    record = recorder(ctx)
    for plan in ctx.app_plans():
        if plan.provider_type != "microsoft":
            continue
        tenant = tenant_of(ctx, plan.app.provider)
        if tenant is not None:
            record.enter(plan.object, ("apps", plan.name), f"app {plan.name}")
            yield plan, tenant
    record.leave()


def microsoft_users(ctx: Context) -> Iterator[tuple[int, User, MicrosoftTenant]]:
    """``(index, user, tenant)`` for each user of a Microsoft provider (one subject each)."""
    record = recorder(ctx)
    for index, user in enumerate(ctx.config.users):
        tenant = tenant_of(ctx, user.provider)
        if tenant is not None:
            record.enter(ObjectRef.user(user.email), ("users", index), f"mailbox {user.email}")
            yield index, user, tenant
    record.leave()


def microsoft_providers(
    ctx: Context,
) -> Iterator[tuple[str, MicrosoftProvider, MicrosoftTenant]]:
    """``(name, provider, tenant)`` for each Microsoft provider that was read (one subject
    each)."""
    record = recorder(ctx)
    for name, provider in sorted(ctx.config.providers.items()):
        if not isinstance(provider, MicrosoftProvider):
            continue
        tenant = tenant_of(ctx, name)
        if tenant is not None:
            record.enter(ObjectRef.provider(name), ("providers", name), f"provider {name}")
            yield name, provider, tenant
    record.leave()


def quietly(ctx: Context) -> Any:
    """``with quietly(ctx):`` lookups that only shape a message or a fix (not the verdict)."""
    return recorder(ctx).quietly()


# --- findings -----------------------------------------------------------------------------------


def unknown(
    ctx: Context,
    rule: Rule[Any],
    what: str,
    reason: str,
    path: PathKey,
    *,
    object: ObjectRef,
) -> Finding:
    """``unknown``: ``could not check <what>: <reason>``, with the fix the reason calls for."""
    return Finding(
        rule=rule.id,
        severity=rule.severity,
        message=f"could not check {what}: {reason}",
        location=ctx.marks.location(path),
        fix=unknown_fix(reason),
        object=object,
        status=Status.UNKNOWN,
        help=rule.summary,
    )


def finding(
    ctx: Context,
    rule: Rule[Any],
    message: str,
    path: PathKey,
    *,
    fix: str,
    object: ObjectRef,
    severity: Severity | None = None,
    at_key: bool = False,
) -> Finding:
    """A failing finding of ``rule`` located at ``path`` (or its nearest written ancestor)."""
    return Finding(
        rule=rule.id,
        severity=severity or rule.severity,
        message=message,
        location=ctx.marks.location(path, at_key=at_key),
        fix=fix,
        object=object,
        help=rule.summary,
    )

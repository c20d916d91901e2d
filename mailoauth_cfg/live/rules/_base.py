"""The shape of a live rule and the helpers live rules share.

A live rule is a module like an offline rule (docstring = documentation, an options model, a
check generator) but its check also reads the snapshot::

    def check(ctx: Context, snapshot: Snapshot, options: Options) -> Iterator[Finding]: ...

    RULE = LiveRule.define(__doc__, id="live-ms-user-missing", severity=Severity.ERROR,
                           check=check, options=Options)

Checks are pure: no I/O, no clock (``ctx.as_of``). A fact the snapshot does not hold gives a
finding of status ``unknown`` with the reason (:func:`unknown`), never a silent pass.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

from mailoauth_cfg.derive import AppPlan
from mailoauth_cfg.findings import Finding, ObjectRef, RuleInfo, Severity, Status
from mailoauth_cfg.live.snapshot import MicrosoftTenant, Snapshot, Unknown
from mailoauth_cfg.loading import PathKey
from mailoauth_cfg.model import MicrosoftProvider, User
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions

OptionsT = TypeVar("OptionsT", bound=RuleOptions)


def _nothing(ctx: Context, options: Any) -> Iterator[Finding]:
    return iter(())


@dataclass(frozen=True, slots=True)
class LiveRule(Generic[OptionsT]):
    """A live rule: ID, default severity, documentation, options and check function."""

    id: str
    severity: Severity
    summary: str
    doc: str
    check: Callable[[Context, Snapshot, OptionsT], Iterator[Finding]]
    options: type[OptionsT]
    family: str = "live-microsoft"

    @classmethod
    def define(
        cls,
        doc: str | None,
        *,
        id: str,
        severity: Severity,
        check: Callable[[Context, Snapshot, OptionsT], Iterator[Finding]],
        options: type[OptionsT],
        family: str = "live-microsoft",
    ) -> LiveRule[OptionsT]:
        """Define a live rule from its module docstring (first line is the summary)."""
        text = inspect.cleandoc(doc or "")
        summary = text.splitlines()[0] if text else id
        return cls(id, severity, summary, text, check, options, family)

    def info(self) -> RuleInfo:
        """Metadata for reports, ``explain`` and SARIF."""
        return RuleInfo(id=self.id, severity=self.severity, summary=self.summary, doc=self.doc)

    def offline(self) -> Rule[OptionsT]:
        """An offline stand-in that yields nothing: it lets the offline engine know the ID
        (``rules:`` settings naming it are valid) and validate its options."""
        return Rule(
            id=self.id,
            severity=self.severity,
            summary=self.summary,
            doc=self.doc,
            check=_nothing,
            options=self.options,
            family=self.family,
        )


# --- snapshot access ----------------------------------------------------------------------------


def tenant_of(
    snapshot: Snapshot, ctx: Context, provider_name: str | None
) -> MicrosoftTenant | None:
    """The snapshot section of a Microsoft provider, or ``None`` when the whole provider could
    not be read (the runner reports that once, as ``live-check-incomplete``)."""
    if provider_name is None:
        return None
    provider = ctx.provider(provider_name)
    if not isinstance(provider, MicrosoftProvider):
        return None
    section = snapshot.microsoft.get(provider_name)
    if section is None or section.failed is not None or section.tenant != provider.tenant:
        return None
    return section


def microsoft_apps(ctx: Context, snapshot: Snapshot) -> Iterator[tuple[AppPlan, MicrosoftTenant]]:
    """Each Microsoft app's plan with its tenant's snapshot section."""
    for plan in ctx.app_plans():
        if plan.provider_type != "microsoft":
            continue
        tenant = tenant_of(snapshot, ctx, plan.app.provider)
        if tenant is not None:
            yield plan, tenant


def microsoft_users(
    ctx: Context, snapshot: Snapshot
) -> Iterator[tuple[int, User, MicrosoftTenant]]:
    """``(index, user, tenant)`` for each user of a Microsoft provider."""
    for index, user in enumerate(ctx.config.users):
        tenant = tenant_of(snapshot, ctx, user.provider)
        if tenant is not None:
            yield index, user, tenant


def unknown(
    ctx: Context,
    rule: LiveRule[Any],
    what: str,
    reason: str,
    path: PathKey,
    *,
    object: ObjectRef,
) -> Finding:
    """``unknown``: ``could not check <what>: <reason>``."""
    return Finding(
        rule=rule.id,
        severity=rule.severity,
        message=f"could not check {what}: {reason}",
        location=ctx.marks.location(path),
        fix="give the checker the permissions `mailoauth-cfg permissions` lists, then run "
        "`validate --online` again (throttling and outages clear by themselves)",
        object=object,
        status=Status.UNKNOWN,
        help=rule.summary,
    )


def finding(
    ctx: Context,
    rule: LiveRule[Any],
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


def is_unknown(value: object) -> bool:
    """Whether a lookup returned :class:`Unknown`."""
    return isinstance(value, Unknown)


def with_status(f: Finding, status: Status) -> Finding:
    """``f`` with another status."""
    return replace(f, status=status)

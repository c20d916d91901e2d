"""Credential expiry findings shared by ``ms-secret-expiry`` and ``ms-certificate-expiry``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from mailoauth_cfg.derive import AppPlan
from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.locations import PathKey
from mailoauth_cfg.rules._base import Context, Rule


@dataclass(frozen=True, slots=True)
class Credential:
    """One dated credential of an app, as the expiry rules see it."""

    label: str
    """``client secret`` or ``certificate (thumbprint …)``."""
    expires: dt.date | None
    path: PathKey
    """Key path of the credential (``("apps", name, "client_secret")``)."""
    renew: str
    """Fix text: how to roll the credential over."""
    undated_fix: str
    """Fix text when ``expires`` is missing."""
    failure: str
    """What breaks once expired, appended to the error message."""


def expiry_findings(
    ctx: Context,
    rule: Rule[Any],
    plan: AppPlan,
    credential: Credential,
    lead_days: int,
) -> Iterator[Finding]:
    """Info when undated, error when expired, the rule's severity within ``lead_days``."""
    if credential.expires is None:
        yield ctx.finding(
            rule,
            f"the {credential.label} of app {plan.name} has no expiry date: nothing will warn "
            "before it expires",
            credential.path,
            at_key=True,
            fix=credential.undated_fix,
            object=plan.object,
            severity=Severity.INFO,
        )
        return
    days = (credential.expires - ctx.as_of).days
    where = (*credential.path, "expires")
    if days < 0:
        yield ctx.finding(
            rule,
            f"the {credential.label} of app {plan.name} expired on "
            f"{credential.expires.isoformat()} ({-days} days before {ctx.as_of.isoformat()}); "
            f"{credential.failure}",
            where,
            fix=credential.renew,
            object=plan.object,
            severity=Severity.ERROR,
        )
    elif days <= lead_days:
        yield ctx.finding(
            rule,
            f"the {credential.label} of app {plan.name} expires on "
            f"{credential.expires.isoformat()}, in {days} days",
            where,
            fix=credential.renew,
            object=plan.object,
        )

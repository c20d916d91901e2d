"""Credential expiry findings shared by ``ms-secret-expiry`` and ``ms-certificate-expiry``.

An app lists its credentials (``client_secret``, ``certificate``, ``credentials:``); each target
uses one of them (:attr:`~mailoauth_cfg.derive.TargetPlan.credential`). A credential's expiry
matters by who uses it: the one a target uses stops its mail when it expires (error), or soon
(warning); when a successor is registered, the target is what must change and
``target-credential-stale`` says so on the target; an expired credential no target uses is only
left to clean up (info). A credential without a declared end date is not known: one info,
checked by ``--online`` (``live-ms-app-credentials`` reads every credential).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from mailoauth_cfg.derive import AppPlan
from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.model.apps import AppCredential
from mailoauth_cfg.rules._base import Context, Rule


def users_of(plan: AppPlan, credential: AppCredential) -> list[str]:
    """Names of the app's targets that use ``credential`` (sorted)."""
    return sorted(t.name for t in plan.targets if t.credential == credential)


def successor(plan: AppPlan, credential: AppCredential) -> AppCredential | None:
    """A credential of the same type that lasts longer than ``credential`` (the newest)."""
    if credential.expires is None:
        return None
    later = [
        (c.expires, c)
        for c in plan.app.all_credentials()
        if c.type == credential.type
        and c.name != credential.name
        and c.expires is not None
        and c.expires > credential.expires
    ]
    return max(later, key=lambda pair: pair[0])[1] if later else None


def label(credential: AppCredential) -> str:
    """``client secret``, ``certificate 3A1B…`` or ``secret s2026``."""
    if credential.name == "client_secret":
        return "client secret"
    if credential.name == "certificate":
        return f"certificate {(credential.thumbprint or '').upper()}".rstrip()
    return f"{credential.type} {credential.name}"


def expiry_findings(
    ctx: Context,
    rule: Rule[Any],
    plan: AppPlan,
    kind: Literal["secret", "certificate"],
    lead_days: int,
    *,
    renew: str,
    failure: str,
) -> Iterator[Finding]:
    """The findings of every ``kind`` credential of ``plan``'s app."""
    credentials = [c for c in plan.app.all_credentials() if c.type == kind]
    for credential in credentials:
        path = ("apps", plan.name, *credential.path)
        users = users_of(plan, credential)
        if credential.expires is None:
            if not users:
                continue
            yield ctx.finding(
                rule,
                f"the {label(credential)} of app {plan.name} has no declared expiry date: "
                "checked by --online (live-ms-app-credentials), and nothing here warns before "
                "it expires",
                path,
                at_key=True,
                fix=f"copy the 'Expires' date from the registration's Certificates & secrets "
                f"into apps.{plan.name}.{'.'.join(str(p) for p in credential.path)}.expires",
                object=plan.object,
                severity=Severity.INFO,
            )
            continue
        days = (credential.expires - ctx.as_of).days
        where = (*path, "expires")
        used = f"used by {', '.join(users)}" if users else "used by no target"
        if users and successor(plan, credential) is not None:
            continue  # the targets must switch: target-credential-stale says so on each target
        if days < 0:
            yield ctx.finding(
                rule,
                f"the {label(credential)} of app {plan.name} ({used}) expired on "
                f"{credential.expires.isoformat()} ({-days} days before "
                f"{ctx.as_of.isoformat()})"
                + (f"; {failure}" if users else ": remove it from the registration"),
                where,
                fix=renew
                if users
                else f"delete it from the registration and from apps.{plan.name}",
                object=plan.object,
                severity=Severity.ERROR if users else Severity.INFO,
            )
        elif days <= lead_days and users:
            yield ctx.finding(
                rule,
                f"the {label(credential)} of app {plan.name} ({used}) expires on "
                f"{credential.expires.isoformat()}, in {days} days, and no successor is "
                "registered",
                where,
                fix=renew,
                object=plan.object,
                severity=Severity.WARNING,
            )

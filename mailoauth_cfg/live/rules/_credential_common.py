"""Registered credentials (secrets, certificates) vs the declared ones: shared by the two live
expiry rules and ``live-ms-app-credentials``. A credential is named by its key ID, its
three-character hint (secrets) or thumbprint (certificates) and its description, never a
value."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from mailoauth_cfg.derive import AppPlan
from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.live.rules._base import finding
from mailoauth_cfg.live.snapshot import Credential
from mailoauth_cfg.loading import PathKey
from mailoauth_cfg.model.apps import AppCredential
from mailoauth_cfg.rules._base import Context, Rule


@dataclass(frozen=True, slots=True)
class Declared:
    """What the config says about the credential."""

    label: str
    path: PathKey
    expires: dt.date | None
    match_key: str | None
    """Key ID (secret) or thumbprint (certificate) to find it by, if declared."""
    match_label: str
    renew: str
    missing: str
    """What fails when the declared credential is not on the registration."""


def _day(credential: Credential) -> dt.date | None:
    return credential.end.date() if credential.end is not None else None


def describe(credential: Credential) -> str:
    """``key ID 0b7c…, hint Q~x, "erp prod"``: what tells the credential apart in the portal."""
    parts: list[str] = []
    if credential.key_id:
        parts.append(f"key ID {credential.key_id}")
    if credential.hint:
        parts.append(f"hint {credential.hint}")
    if credential.thumbprint:
        parts.append(f"thumbprint {credential.thumbprint}")
    if credential.display_name:
        parts.append(f'"{credential.display_name}"')
    return ", ".join(parts) or "no key ID"


def successor(
    chosen: Credential, registered: list[Credential], as_of: dt.date
) -> Credential | None:
    """The registered credential that outlives ``chosen`` and is valid by then (the next one
    of a rotation), if any: the one ending last."""
    end = _day(chosen)
    if end is None:
        return None
    later = [
        c
        for c in registered
        if c is not chosen
        and (_day(c) or dt.date.min) > max(end, as_of)
        and (c.start is None or c.start.date() <= max(end, as_of))
    ]
    return max(later, key=lambda c: _day(c) or dt.date.min, default=None)


def declared_choice(
    declared: Declared, registered: list[Credential], key: str
) -> Credential | None:
    """The registered credential the declaration means (``None``: none of them)."""
    return pick(declared, registered, key)[0]


def pick(
    declared: Declared, registered: list[Credential], key: str
) -> tuple[Credential | None, str]:
    """The registered credential the declaration means, and how it was chosen."""
    if declared.match_key is not None:
        wanted = declared.match_key.lower()
        for c in registered:
            if (getattr(c, key) or "").lower() == wanted:
                return c, "by-key"
        return None, "key-missing"
    if declared.expires is not None:
        for c in registered:
            if _day(c) == declared.expires:
                return c, "by-date"
    dated = [c for c in registered if c.end is not None]
    if not dated:
        return (registered[0], "latest") if registered else (None, "none")
    return max(dated, key=lambda c: c.end or dt.datetime.min.replace(tzinfo=dt.UTC)), "latest"


def findings(
    ctx: Context,
    rule: Rule[Any],
    plan: AppPlan,
    declared: Declared,
    registered: list[Credential],
    key: str,
    lead_days: int,
) -> Iterator[Finding]:
    """Missing, drifting, expired or expiring credential findings."""
    chosen, how = pick(declared, registered, key)
    if chosen is None:
        if how == "key-missing":
            message = (
                f"the {declared.label} {declared.match_label} of app {plan.name} is not on the "
                f"registration (deleted, or another app's): {declared.missing}"
            )
        else:
            message = f"app {plan.name} has no {declared.label} registered: {declared.missing}"
        yield finding(
            ctx,
            rule,
            message,
            declared.path,
            fix=declared.renew,
            object=plan.object,
            severity=Severity.ERROR,
        )
        return
    end = _day(chosen)
    if end is None:
        return
    ident = f" ({describe(chosen)})"
    if declared.expires is not None and declared.expires != end:
        note = (
            "; no registered one ends on the declared date"
            if how == "latest" and declared.match_key is None
            else ""
        )
        yield finding(
            ctx,
            rule,
            f"apps.{plan.name} declares the {declared.label} expires on "
            f"{declared.expires.isoformat()}, but the registration's{ident} ends on "
            f"{end.isoformat()}{note}",
            (*declared.path, "expires"),
            fix=f"set expires: {end.isoformat()} (the date in App registrations › Certificates "
            "& secrets)",
            object=plan.object,
            severity=Severity.WARNING,
        )
    days = (end - ctx.as_of).days
    if days > lead_days:
        return
    # Rotation: a registered successor that outlives this one, or none (add one first).
    after = successor(chosen, registered, ctx.as_of)
    if after is not None:
        rotation = (
            f"; the registered {declared.label} {describe(after)} is valid until "
            f"{_day(after)}: deploy it"
        )
        fix = (
            f"deploy the {declared.label} {describe(after)} (valid until {_day(after)}) where "
            f"apps.{plan.name} is used, record it in the config ({key.replace('_', ' ')} and "
            f"expires:), then remove the old one"
        )
    else:
        rotation = f"; no other {declared.label} on the registration overlaps it"
        fix = declared.renew
    if days < 0:
        yield finding(
            ctx,
            rule,
            f"the {declared.label} of app {plan.name}{ident} expired on {end.isoformat()} "
            f"({-days} days before {ctx.as_of.isoformat()}): {declared.missing}{rotation}",
            declared.path,
            fix=fix,
            object=plan.object,
            severity=Severity.ERROR,
        )
    else:
        yield finding(
            ctx,
            rule,
            f"the {declared.label} of app {plan.name}{ident} expires on {end.isoformat()}, in "
            f"{days} days{rotation}",
            declared.path,
            fix=fix,
            object=plan.object,
        )


def checked_credentials(plan: AppPlan, kind: str) -> list[AppCredential]:
    """The app's credentials of ``kind`` the live expiry rules judge: the ones its targets use
    (``targets.<t>.credential``, or the app's only one), and ``client_secret`` /
    ``certificate`` themselves."""
    used = {t.credential.name for t in plan.targets if t.credential is not None}
    return [
        c
        for c in plan.app.all_credentials()
        if c.type == kind and (c.name in used or c.name in ("client_secret", "certificate"))
    ]


def label_of(credential: AppCredential) -> str:
    """``client secret``, ``certificate``, or with the name of a ``credentials:`` entry."""
    label = "client secret" if credential.type == "secret" else "certificate"
    if credential.name not in ("client_secret", "certificate"):
        label = f"{label} {credential.name}"
    return label


def declared_of(credential: AppCredential, plan: AppPlan, renew: str, missing: str) -> Declared:
    """A :class:`Declared` for one credential of the app."""
    label = label_of(credential)
    key = credential.key_id if credential.type == "secret" else credential.thumbprint
    return Declared(
        label=label,
        path=("apps", plan.name, *credential.path),
        expires=credential.expires,
        match_key=key.upper() if key and credential.type == "certificate" else key,
        match_label=(
            f"key_id {key}" if credential.type == "secret" else f"thumbprint {(key or '').upper()}"
        ),
        renew=renew,
        missing=missing,
    )

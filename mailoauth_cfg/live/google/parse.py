"""Google API answers -> snapshot models. No token, password or relay credential is kept."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from functools import partial
from typing import Any

from mailoauth_cfg.errors import LiveReadError
from mailoauth_cfg.live import snapshot as snap
from mailoauth_cfg.live.google.errors import as_json, describe


def as_object(body: Any, what: str) -> dict[str, Any]:
    """``body`` when it is a JSON object; ``LiveReadError`` otherwise."""
    if not isinstance(body, dict):
        raise LiveReadError(f"{what}: malformed response (the body is not a JSON object)")
    return body


def model(factory: Callable[[], Any], what: str) -> Any:
    """``factory()``; a model that refuses the answer is a malformed response."""
    from pydantic import ValidationError

    try:
        return factory()
    except (ValidationError, TypeError, ValueError) as exc:
        raise LiveReadError(f"{what}: malformed response ({describe(exc)})") from None


def _millis(value: Any) -> dt.datetime | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    if number <= 0:
        return None
    return dt.datetime.fromtimestamp(number / 1000, dt.UTC).replace(microsecond=0)


def to_user(body: Any, what: str) -> snap.GoogleUser:
    """Snapshot of a Directory ``User``."""
    data = as_object(body, what)
    aliases = [
        str(a).lower()
        for a in [*(data.get("aliases") or []), *(data.get("nonEditableAliases") or [])]
    ]
    return model(  # type: ignore[no-any-return]
        lambda: snap.GoogleUser(
            id=data.get("id"),
            primary_email=str(data["primaryEmail"]),
            aliases=aliases,
            suspended=data.get("suspended"),
            suspension_reason=data.get("suspensionReason"),
            archived=data.get("archived"),
            is_enrolled_in_2sv=data.get("isEnrolledIn2Sv"),
            is_enforced_in_2sv=data.get("isEnforcedIn2Sv"),
            is_mailbox_setup=data.get("isMailboxSetup"),
            org_unit_path=data.get("orgUnitPath"),
        ),
        what,
    )


def _items(body: Any, what: str) -> list[dict[str, Any]]:
    data = as_object(body, what)
    items = data.get("items", [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise LiveReadError(f"{what}: malformed response (`items` is not a list of objects)")
    return items


def to_tokens(body: Any, what: str, clients: set[str]) -> list[snap.GoogleToken]:
    """The grants of the named client IDs (other apps the user granted are not kept)."""
    out: list[snap.GoogleToken] = []
    for item in _items(body, what):
        client = str(item.get("clientId") or "").lower()
        if client not in clients:
            continue
        out.append(
            model(
                partial(
                    snap.GoogleToken,
                    client_id=client,
                    scopes=[str(s) for s in item.get("scopes") or []],
                    display_text=item.get("displayText"),
                    native_app=item.get("nativeApp"),
                    anonymous=item.get("anonymous"),
                ),
                what,
            )
        )
    return out


def to_app_passwords(body: Any, what: str) -> list[snap.AppPassword]:
    """App passwords: IDs, names and dates."""
    return [
        model(
            partial(
                snap.AppPassword,
                code_id=item.get("codeId"),
                name=item.get("name"),
                created=_millis(item.get("creationTime")),
                last_used=_millis(item.get("lastTimeUsed")),
            ),
            what,
        )
        for item in _items(body, what)
    ]


def no_mailbox(status: int, body: Any) -> bool:
    """Gmail's answer for a user without a Gmail mailbox (404, or 400 ``failedPrecondition``
    "Mail service not enabled")."""
    if status == 404:
        return True
    text = json.dumps(as_json(body) or "")
    return status == 400 and ("failedPrecondition" in text or "FAILED_PRECONDITION" in text)

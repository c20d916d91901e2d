"""Pieces the target renderers share: settings-sheet rows and safe secret references."""

from __future__ import annotations

from typing import Any

from mailoauth_cfg.derive import TargetPlan


def field(label: str, value: Any, note: str = "", *, secret: bool = False) -> dict[str, Any]:
    """One row of a settings sheet (``value`` may be a Secret, text, a number or ``None``)."""
    return {"label": label, "value": value, "note": note, "secret": secret}


def secret_reference(plan: TargetPlan) -> str | None:
    """``env:NAME`` / ``file:PATH`` of the secret the target uses (never the value)."""
    credential = plan.credential
    if credential is None or credential.type != "secret" or credential.reference is None:
        return None
    return credential.reference.describe()

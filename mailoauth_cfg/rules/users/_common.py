"""Helpers shared by the mailbox rules (not a rule module)."""

from __future__ import annotations

from collections.abc import Iterable

from mailoauth_cfg.derive import TargetPlan
from mailoauth_cfg.model import User
from mailoauth_cfg.rules._base import Context

PROTOCOL_NAMES = {"smtp": "SMTP", "imap": "IMAP", "pop": "POP"}


def plans_of_user(ctx: Context, email: str) -> list[tuple[TargetPlan, int]]:
    """(target plan, index in ``targets.<name>.users``) for every use of the mailbox."""
    return ctx.uses_of_user(email)


def provider_type(ctx: Context, user: User) -> str | None:
    """``microsoft`` or ``google`` for the user's provider (``None`` if undeclared)."""
    provider = ctx.provider(user.provider)
    return None if provider is None else provider.type


def listing(names: Iterable[str]) -> str:
    """``a, b, c`` from names in their given order."""
    return ", ".join(names)


def targets_phrase(names: Iterable[str]) -> str:
    """``target a`` or ``targets a, b``."""
    items = list(names)
    return ("target " if len(items) == 1 else "targets ") + ", ".join(items)

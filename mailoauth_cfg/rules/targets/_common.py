"""Helpers shared by the target rules (generic and each kind's): paths, hosts, permissions.

Not a rule. Everything here is pure and deterministic.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

from mailoauth_cfg.catalog.microsoft import permission
from mailoauth_cfg.derive import TargetPlan
from mailoauth_cfg.locations import PathKey
from mailoauth_cfg.rules._base import Context

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def target_path(name: str, *keys: str | int) -> PathKey:
    """``("targets", name, *keys)``."""
    return ("targets", name, *keys)


def declared(ctx: Context, path: PathKey) -> bool:
    """True when ``path`` is written in the YAML (not a model default)."""
    return path in ctx.marks.keys or path in ctx.marks.values


def key_or_parent(ctx: Context, path: PathKey) -> tuple[PathKey, bool]:
    """Where to point for ``path``: the key itself when written, else the parent's key.

    Returns ``(path, at_key)`` for :meth:`Context.finding`. Pointing at the parent's key when
    the setting is a default keeps the finding on the object's own line.
    """
    if declared(ctx, path):
        return path, False
    return path[:-1], True


def host_of(endpoint: str | None) -> str | None:
    """Host of ``host``, ``host:port``, Postfix ``[host]:port`` or a URL, lower-cased."""
    if not endpoint:
        return None
    text = endpoint.strip()
    if text.startswith("[") and "]" in text:  # Postfix style: [host]:port (no MX lookup)
        inner = text[1 : text.index("]")]
        if ":" not in inner:  # not an IPv6 literal
            return inner.lower().rstrip(".") or None
    if "://" not in text:
        text = "//" + text
    try:
        host = urlsplit(text).hostname
    except ValueError:
        return None
    return host.lower().rstrip(".") if host else None


def is_loopback(host: str | None) -> bool:
    """True for ``localhost``, ``127.0.0.0/8`` and ``::1``."""
    if host is None:
        return False
    text = host.strip().strip("[]").lower().rstrip(".")
    if text in _LOOPBACK_NAMES or text.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False


def canonical_permission(name: str) -> str:
    """Catalog spelling of a Microsoft permission (``smtp.send`` → ``SMTP.Send``)."""
    found = permission(name)
    return found.name if found is not None else name.strip()


def missing_permissions(declared_names: Iterable[str], wanted: Iterable[str]) -> list[str]:
    """``wanted`` permissions absent from ``declared_names`` (case-insensitive), in order."""
    have = {canonical_permission(n).lower() for n in declared_names}
    return [w for w in wanted if canonical_permission(w).lower() not in have]


def documented_beyond_required(plans: Iterable[TargetPlan]) -> list[str]:
    """Microsoft permissions the targets' documentation lists beyond what their protocols need.

    The protocol minimum (``TargetPlan.required_permissions``) is checked by the Microsoft
    family; target rules add what each application's own documentation asks for.
    """
    documented: list[str] = []
    required: set[str] = set()
    for plan in plans:
        ms = plan.microsoft
        if ms is None:
            continue
        required.update(canonical_permission(p).lower() for p in plan.required_permissions)
        for name in ms.documented_permissions:
            if name not in documented:
                documented.append(name)
    return [p for p in documented if canonical_permission(p).lower() not in required]


def user_index(plan: TargetPlan, email: str) -> int:
    """Index of ``email`` in the target's ``users`` list (case-insensitive; 0 if absent)."""
    wanted = email.lower()
    for index, user in enumerate(plan.target.users):
        if user.lower() == wanted:
            return index
    return 0


def human_list(items: Iterable[str]) -> str:
    """``a, b and c``."""
    values = list(items)
    if len(values) <= 1:
        return "".join(values)
    return ", ".join(values[:-1]) + " and " + values[-1]

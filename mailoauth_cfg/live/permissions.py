"""What the live checker itself needs, for ``mailoauth-cfg permissions``: the Microsoft part
(:mod:`mailoauth_cfg.live.microsoft.permissions`) and the Google part
(:mod:`mailoauth_cfg.live.google.permissions`). Plain data, no heavy import."""

from __future__ import annotations

from mailoauth_cfg.live.google.permissions import google_permissions_text
from mailoauth_cfg.live.microsoft.permissions import microsoft_permissions_text


def permissions_text() -> str:
    """The text printed by ``mailoauth-cfg permissions``."""
    lines = [
        "Permissions the checker's own identity needs (all read-only).",
        "",
        "validate (offline), validate --snapshot FILE, render, schema, rules, explain, init:",
        "  none: nothing is read from a tenant.",
        "",
        *microsoft_permissions_text().splitlines(),
        "",
        *google_permissions_text().splitlines(),
        "",
        "token bootstrap/refresh/access, probe: the mail app's own delegated permissions",
        "  (apps.<name>.permissions in the config), not the checker's.",
    ]
    return "\n".join(lines) + "\n"

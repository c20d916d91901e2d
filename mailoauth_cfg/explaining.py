"""``explain``: rule documentation and provider error codes, as text."""

from __future__ import annotations

import textwrap


def explain_text(code: str) -> str | None:
    """Explanation of a rule ID, an AADSTS code, a Google OAuth error or a server reply."""
    from mailoauth_cfg.live.rules import rule_infos as live_rule_infos
    from mailoauth_cfg.rules import rule_infos

    infos = {**rule_infos(), **live_rule_infos()}
    key = code.strip()
    info = infos.get(key) or infos.get(key.lower())
    if info is not None:
        lines = [f"{info.id} ({info.severity.label})", "", info.doc or info.summary]
        return "\n".join(lines).rstrip() + "\n"
    from mailoauth_cfg.catalog.errors import explain_code

    entry = explain_code(key)
    if entry is None:
        return None
    parts = [
        f"{entry.code}: {entry.title}",
        "",
        "Cause:",
        textwrap.indent(textwrap.fill(entry.cause, 96), "  "),
        "",
        "Fix:",
        textwrap.indent(textwrap.fill(entry.fix, 96), "  "),
    ]
    related = [r for r in entry.rules if r in infos]
    if related:
        parts += ["", "Rules: " + ", ".join(related)]
    parts += ["", f"Source: {entry.source}"]
    return "\n".join(parts) + "\n"

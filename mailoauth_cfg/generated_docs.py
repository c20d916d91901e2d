"""Pages generated from the code (docs/targets.md, docs/severity.md): one command-line entry,
one table-cell escape, written atomically so a stopped ``--write`` never leaves half a page."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from mailoauth_cfg.fileio import write_atomic


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def main(page: Path, render: Callable[[], str], module: str, argv: list[str] | None) -> int:
    """Print the page, ``--write`` it, or ``--check`` it (exit 1 if stale, naming the command
    that regenerates it)."""
    args = sys.argv[1:] if argv is None else argv
    text = render()
    if "--write" in args:
        write_atomic(page, text.encode("utf-8"))
        print(f"wrote {page}")
        return 0
    if "--check" in args:
        current = page.read_text(encoding="utf-8") if page.exists() else ""
        if current != text:
            print(f"{page} is stale: run python -m {module} --write")
            return 1
        return 0
    sys.stdout.write(text)
    return 0

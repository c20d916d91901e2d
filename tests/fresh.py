"""A fresh Python process on this source tree: for what only a new process shows (what a
command imports, what happens at shutdown, a choice made with one thread)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def python(
    *args: str,
    env: Mapping[str, str] | None = None,
    timeout: float = 120,
    check: bool = False,
) -> subprocess.CompletedProcess[str]:
    """``python ARGS`` with this interpreter, in the source tree, importing it first;
    ``env`` replaces the environment (``PYTHONPATH`` is set either way)."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPO,
        env={**(os.environ if env is None else env), "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=check,
    )

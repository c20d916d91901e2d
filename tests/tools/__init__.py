"""Third-party tools that the tests drive for real (installed by ``scripts/test-tools``).

A missing tool fails the test that needs it, with the command that installs it: the suite
never skips a check because a tool is absent.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parent
NODE_BIN = TOOLS / "node_modules" / ".bin"
JUNIT_XSD = TOOLS / "junit-10.xsd"
VENVS = TOOLS / "venvs"
INSTALL = "run ./scripts/test-tools (./scripts/test-all runs it)"


def require_file(path: Path, what: str) -> Path:
    """``path``, or fail the test: ``what`` is missing."""
    if not path.is_file():
        pytest.fail(f"{what} is missing ({path}); {INSTALL}")
    return path


def node_tool(name: str) -> Path:
    """An npm-installed command of ``tests/tools``, or fail the test."""
    if shutil.which("node") is None:
        pytest.fail(f"node is not installed; {name} needs it ({INSTALL})")
    return require_file(NODE_BIN / name, name)


def python_tool(name: str) -> Path:
    """A command installed beside the running Python (a pip test extra), or fail the test."""
    path = Path(sys.executable).parent / name
    found = path if path.is_file() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed; pip install -e '.[test]' brings it")
    return Path(found)


def version(command: list[str]) -> str:
    """The first line a ``--version``-style command prints."""
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    return (done.stdout or done.stderr).strip().splitlines()[0]


def venv_tool(venv: str, command: str) -> Path:
    """A command of a program installed from PyPI into ``tests/tools/venvs/<venv>``."""
    return require_file(VENVS / venv / "bin" / command, f"{command} ({venv})")

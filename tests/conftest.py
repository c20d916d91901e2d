"""Fixtures shared by the loader, model and CLI tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

Writer = Callable[[Path, str, str | bytes], Path]

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_DIR = REPO / "examples" / "contoso"

#: A small config that builds without findings: one of each kind of object.
MINIMAL_CONFIG = """\
version: 1
providers:
  contoso:
    type: microsoft
    tenant: 6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d
apps:
  erp-mail:
    provider: contoso
    client_id: 1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b
users:
  - email: erp@contoso.com
    provider: contoso
    aliases: [factures@contoso.com]
targets:
  erp:
    type: dolibarr
    url: https://erp.contoso.com
    version: "23"
    app: erp-mail
    users: [erp@contoso.com]
"""


def _write(root: Path, name: str, text: str | bytes) -> Path:
    """Write ``text`` (str as UTF-8, bytes as is) to ``root/name``, creating folders."""
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="\n")
    return path


@pytest.fixture
def write() -> Writer:
    """``write(root, name, text) -> Path``: write a file under ``root``."""
    return _write


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``tmp_path`` as the current directory, so findings name files relative to it."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def minimal_config() -> str:
    """Text of a valid config with one provider, app, user and target."""
    return MINIMAL_CONFIG

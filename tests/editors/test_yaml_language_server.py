"""Editors: yaml-language-server (VS Code's YAML extension and others) checks and completes
configs and included files offline, through the modelines and schema files ``init`` writes.

The real server (npm ``yaml-language-server``, installed by ``scripts/test-tools``) is driven
over LSP like an editor: the schema store is off and nothing is fetched, so a modeline that
needed the network would give "Unable to load schema" and no completion.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from mailoauth_cfg.cli import app
from mailoauth_cfg.schema import FRAGMENT_SCHEMA_FILE, SCHEMA_FILE
from mailoauth_cfg.starter import STARTER_CONFIG
from tests.editors.lsp import LspClient
from tests.tools import node_tool, version

SETTINGS = {
    "yaml": {
        "validate": True,
        "completion": True,
        "hover": True,
        "format": {"enable": False},
        "schemaStore": {"enable": False},
        "schemas": {},
    }
}
FRAGMENT_MODELINE = f"# yaml-language-server: $schema=../schemas/{FRAGMENT_SCHEMA_FILE}\n"
TOP_MODELINE_FROM_FRAGMENT = f"# yaml-language-server: $schema=../schemas/{SCHEMA_FILE}\n"
FRAGMENT = """\
users:
  - email: sales@contoso.com
    provider: contoso
    smtp_auth: enabled
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository after ``mailoauth-cfg init mail/mailoauth.yaml``."""
    root = tmp_path_factory.mktemp("repo")
    result = CliRunner().invoke(app, ["init", str(root / "mail" / "mailoauth.yaml")])
    assert result.exit_code == 0, result.output
    assert (root / "mail" / "schemas" / SCHEMA_FILE).is_file()
    assert (root / "mail" / "schemas" / FRAGMENT_SCHEMA_FILE).is_file()
    return root


@pytest.fixture(scope="module")
def server(project: Path) -> Iterator[LspClient]:
    command = node_tool("yaml-language-server")
    print("yaml-language-server", version(["node", str(command), "--version"]))
    client = LspClient(["node", str(command), "--stdio"], project, SETTINGS)
    yield client
    client.close()


def _messages(diagnostics: list[dict[str, Any]]) -> list[str]:
    return [str(d["message"]) for d in diagnostics]


def _no_load_failure(diagnostics: list[dict[str, Any]]) -> None:
    assert not [m for m in _messages(diagnostics) if "Unable to load schema" in m]


def test_init_modeline_is_a_relative_path_that_resolves_offline(project: Path) -> None:
    first = (project / "mail" / "mailoauth.yaml").read_text(encoding="utf-8").splitlines()[0]
    match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert match is not None
    assert not match.group(1).startswith(("http:", "https:"))
    assert (project / "mail" / match.group(1)).is_file()


def test_starter_config_is_clean(server: LspClient, project: Path) -> None:
    diagnostics = server.diagnose(project / "mail" / "mailoauth.yaml", STARTER_CONFIG)
    assert diagnostics == []


def test_top_level_typo_is_flagged(server: LspClient, project: Path) -> None:
    text = STARTER_CONFIG.replace("    platform: web\n", "    platfrom: web\n")
    assert text != STARTER_CONFIG
    diagnostics = server.diagnose(project / "mail" / "mailoauth.yaml", text)
    _no_load_failure(diagnostics)
    flagged = [d for d in diagnostics if "platfrom" in d["message"]]
    assert flagged, _messages(diagnostics)
    line = text.splitlines().index("    platfrom: web")
    assert flagged[0]["range"]["start"]["line"] == line


def test_top_level_sections_complete(server: LspClient, project: Path) -> None:
    text = STARTER_CONFIG.splitlines(keepends=True)[0] + "version: 1\n\n"
    labels = server.completions(project / "mail" / "mailoauth.yaml", text, 2, 0)
    assert {"apps", "include", "providers", "rules", "targets", "users"} <= set(labels)


def test_target_keys_complete(server: LspClient, project: Path) -> None:
    head = STARTER_CONFIG.split("    users: [erp@contoso.com]\n")[0]
    text = head + "    users: [erp@contoso.com]\n    \n"
    line = text.count("\n") - 1
    labels = server.completions(project / "mail" / "mailoauth.yaml", text, line, 4)
    assert "protocols" in labels, labels


def test_fragment_with_its_schema_is_clean(server: LspClient, project: Path) -> None:
    diagnostics = server.diagnose(
        project / "mail" / "mailboxes" / "sales.yaml", FRAGMENT_MODELINE + FRAGMENT
    )
    assert diagnostics == []


def test_fragment_with_the_top_level_schema_would_miss_version(
    server: LspClient, project: Path
) -> None:
    """Why the fragment schema exists: the config's own schema requires ``version``."""
    diagnostics = server.diagnose(
        project / "mail" / "mailboxes" / "other.yaml", TOP_MODELINE_FROM_FRAGMENT + FRAGMENT
    )
    assert any("version" in message for message in _messages(diagnostics)), diagnostics


def test_fragment_typo_is_flagged_and_keys_complete(server: LspClient, project: Path) -> None:
    path = project / "mail" / "mailboxes" / "sales.yaml"
    typo = FRAGMENT_MODELINE + FRAGMENT.replace("smtp_auth: enabled", "smtp_auht: enabled")
    diagnostics = server.diagnose(path, typo)
    _no_load_failure(diagnostics)
    assert any("smtp_auht" in message for message in _messages(diagnostics)), diagnostics
    text = FRAGMENT_MODELINE + FRAGMENT + "    \n"
    labels = server.completions(path, text, text.count("\n") - 1, 4)
    assert "mailbox" in labels, labels

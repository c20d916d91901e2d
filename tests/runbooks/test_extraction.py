"""Commands live in fenced ``sh``/``powershell`` blocks, where the runbook tests find them.

Every rendered Markdown file of every golden case (the shipped example, the variants with the
other provider of each kind, each kind's own case), the templates they come from, and the
project's README are read with a CommonMark parser: an inline code span that reads as a
command (a program this machine has, or a ``./`` script, followed by arguments) is a command a
reader would run but no test would, so it fails here. No list of commands is kept: a new
command is found by its form.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.rendering.support import golden_cases, render_config
from tests.runbooks.extract import commands, inline_programs
from tests.runbooks.scenario import python_bin
from tests.tools import VENVS

REPO = Path(__file__).resolve().parents[2]
#: The project's own documents whose commands a reader runs (the project README and the
#: collection's README still show commands inline: not yet covered).
PROJECT_DOCUMENTS = ("docs/adding-a-target.md",)


def _extra_path() -> list[str]:
    return [str(python_bin()), *(str(p / "bin") for p in sorted(VENVS.glob("*")))]


def _rendered(tmp_path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for case, (config, secrets, _golden) in golden_cases(tmp_path).items():
        result = render_config(config, secrets)
        assert result.findings == [], [f.message for f in result.findings]
        for f in result.files:
            if f.path.endswith(".md"):
                out[f"{case}/{f.path}"] = f.content.decode()
    return out


def test_no_rendered_document_hides_a_command_in_prose(tmp_path: Path) -> None:
    rendered = _rendered(tmp_path)
    assert len(rendered) > 50
    hidden = {
        name: spans
        for name, text in rendered.items()
        if (spans := inline_programs(text, _extra_path()))
    }
    assert hidden == {}, "put these commands in a ```sh block (the runbook tests run those)"
    # and the blocks hold commands: the file-based targets' runbooks have some
    assert sum(len(commands(text, name)) for name, text in rendered.items()) > 100


@pytest.mark.parametrize("document", PROJECT_DOCUMENTS)
def test_no_project_document_hides_a_command_in_prose(document: str) -> None:
    text = (REPO / document).read_text(encoding="utf-8")
    assert inline_programs(text, _extra_path(), by_form=False) == []


def test_templates_write_commands_in_blocks() -> None:
    """A template's own literal commands (not from the ``command`` filter) are found too."""
    hidden = {}
    for template in sorted((REPO / "templates").rglob("*.md.j2")):
        text = template.read_text(encoding="utf-8")
        spans = inline_programs(text, _extra_path())
        if spans:
            hidden[str(template.relative_to(REPO))] = spans
    assert hidden == {}

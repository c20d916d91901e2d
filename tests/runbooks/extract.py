"""The commands a Markdown document shows, as a reader would copy them.

The project's convention (docs/adding-a-target.md): a command is shown in a fenced code block
whose info string names its shell, ```` ```sh ```` or ```` ```powershell ````, one command per
line (a line ending in ``\\`` continues on the next); ``#`` starts a comment line. Inline code
spans hold values (paths, scopes, settings), never a command to run: :func:`inline_programs`
finds spans that would be one, so that a command cannot hide from the tests in prose.

Everything is read with a CommonMark parser (markdown-it), as a Markdown viewer reads it.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SHELLS = ("sh", "powershell")
"""Info strings of command blocks."""


@dataclass(frozen=True)
class Command:
    """One command of a document."""

    document: str
    """The document it comes from (a path relative to its root)."""
    shell: str
    """``sh`` or ``powershell``."""
    line: str
    """The command as a reader pastes it (continuations joined)."""
    number: int
    """Its position among the document's commands (1-based), for messages."""
    source_line: int
    """The line of the document its block starts on (1-based)."""

    @property
    def words(self) -> list[str]:
        """The command's words as a POSIX shell splits them (no expansion)."""
        return shlex.split(self.line, comments=True)

    @property
    def program(self) -> str:
        """The program the command runs: its first word after ``VAR=value`` assignments and
        ``sudo -u USER`` / ``env``, and after the last ``|`` of a pipeline."""
        if self.shell == "powershell":
            return self.line.split()[0]
        words = _last_stage(self.words)
        while words and ("=" in words[0] and not words[0].startswith("=")):
            words = words[1:]
        if words and words[0] == "sudo":
            words = words[1:]
            while words and words[0].startswith("-"):
                words = words[2:] if words[0] in ("-u", "-g") else words[1:]
        return words[0] if words else ""

    def __str__(self) -> str:
        return f"{self.document}:{self.source_line} [{self.number}] {self.line}"


def _last_stage(words: list[str]) -> list[str]:
    if "|" in words:
        return words[len(words) - words[::-1].index("|") :]
    return words


def _parser() -> object:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table")


def commands(text: str, document: str) -> list[Command]:
    """Every command of the ``sh`` and ``powershell`` blocks of ``text``, in order."""
    found: list[Command] = []
    parser = _parser()
    for token in parser.parse(text):  # type: ignore[attr-defined]
        if token.type != "fence":
            continue
        shell = token.info.strip().split()[0] if token.info.strip() else ""
        if shell not in SHELLS:
            continue
        start = (token.map or [0])[0] + 1
        pending = ""
        for raw in token.content.splitlines():
            line = raw.rstrip()
            if pending:
                line = pending + " " + line.lstrip()
                pending = ""
            if line.endswith("\\"):
                pending = line[:-1].rstrip()
                continue
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            found.append(Command(document, shell, line.strip(), len(found) + 1, start))
    return found


def document_commands(root: Path, relative: str) -> list[Command]:
    """:func:`commands` of the file ``root/relative``."""
    return commands((root / relative).read_text(encoding="utf-8"), relative)


def inline_spans(text: str) -> Iterator[str]:
    """The content of every inline code span of ``text``."""
    parser = _parser()
    for token in parser.parse(text):  # type: ignore[attr-defined]
        if token.type == "inline" and token.children:
            for child in token.children:
                if child.type == "code_inline":
                    yield child.content


_PROGRAM = re.compile(r"^(?:\./)?[A-Za-z][\w.+-]*$")
_ARGUMENT = re.compile(r"^(?:-{1,2}[A-Za-z]|[<>|]|\S+\.(?:sh|php|py|sql|ya?ml|conf|cf)$)")


def inline_programs(
    text: str, extra_path: list[str] | None = None, *, by_form: bool = True
) -> list[str]:
    """Inline code spans that read as a command: a program found on ``PATH`` (plus
    ``extra_path``) followed by arguments, a ``./`` script, or (``by_form``) a program-like word
    followed by an option, a redirection or a script (``mysql -u ...``, ``sh x.sh``), whether or
    not this machine has it. Commands belong in a fenced block. Prose that names a subcommand
    (`validate --online`) reads as a command by form only: ``by_form=False`` for such prose."""
    path = os.pathsep.join([*(extra_path or []), os.environ.get("PATH", "")])
    out = []
    for span in inline_spans(text):
        # a placeholder (`<app password>`) is one word, whatever it holds
        try:
            words = shlex.split(re.sub(r"<[^<>]*>", "PLACEHOLDER", span))
        except ValueError:
            continue
        while words and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", words[0]):
            words = words[1:]  # VAR=value before the program
        if not words or (not _PROGRAM.fullmatch(words[0]) and not words[0].startswith("./")):
            continue
        first, rest = words[0], words[1:]
        on_path = "/" not in first and shutil.which(first, path=path) is not None
        looks_run = by_form and any(_ARGUMENT.match(w) for w in rest)
        if first.startswith("./") or (rest and (on_path or looks_run)):
            out.append(span)
    return out

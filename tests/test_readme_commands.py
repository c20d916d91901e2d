"""Every command the README shows is run by a test.

The commands are read from README.md's ``sh`` blocks as a reader copies them
(:mod:`tests.runbooks.extract`). Each one either

* runs here, as written, in a scratch folder started by the tour's own first command
  (``mailoauth-cfg init``), with ``HOME`` inside it; what a person does in between (copying a
  file, creating a folder, the render with secrets that a ``--check`` compares with) is done by
  :data:`BEFORE`; or
* is run by another test that has what it needs (a real Dovecot, the OAuth and cloud
  emulators, the CI machine itself): :data:`ELSEWHERE` names that test file and the words of the
  command it must hold, and an entry that matches no README command fails.

A README command that matches neither fails, so a new one cannot go untested.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.runbooks.extract import Command, document_commands

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

#: Commands run by another test: pattern on the command line -> (test file, words it must
#: hold, why it is not run here).
ELSEWHERE: dict[str, tuple[str, tuple[str, ...], str]] = {
    r"^\./scripts/test-all$": (
        ".ci/run",
        ("./scripts/test-all",),
        "it is the CI run itself",
    ),
    r"^mailoauth-cfg token bootstrap --user \S+ *$": (
        "tests/tokens/test_flows.py",
        ("bootstrap", "--user"),
        "a browser sign-in against the OAuth emulator",
    ),
    r"^mailoauth-cfg token bootstrap --user \S+ --no-browser$": (
        "tests/tokens/test_flows.py",
        ("bootstrap", "--no-browser"),
        "the redirect is pasted back from the OAuth emulator",
    ),
    r"^mailoauth-cfg token bootstrap --user \S+ --flow device-code$": (
        "tests/tokens/test_flows.py",
        ("bootstrap", "device-code"),
        "the device code is approved at the OAuth emulator",
    ),
    r"^mailoauth-cfg token (access|refresh) --user \S+$": (
        "tests/tokens/test_refresh.py",
        ("access", "refresh", "--user"),
        "needs a stored token and the OAuth emulator",
    ),
    r"^mailoauth-cfg token status$": (
        "tests/tokens/test_canary.py",
        ("status",),
        "needs stored tokens",
    ),
    r"^mailoauth-cfg probe --user \S+ -p smtp -p imap$": (
        "tests/tokens/test_probe.py",
        ("probe", "-p", "smtp", "imap"),
        "an XOAUTH2 login at a real Dovecot",
    ),
    r"^python3 bench/run\.py (--no-live|--quick)$": (
        "tests/test_bench_ratios.py",
        ("bench_startup", "bench_validate", "bench_render", "report"),
        "the same measurements run there on small sizes; the full table takes minutes",
    ),
    r"^MAILOAUTH_FUZZ=long python3 -m pytest tests/fuzz -q$": (
        "tests/fuzz/conftest.py",
        ("MAILOAUTH_FUZZ", "long"),
        "every CI run runs these fuzz tests with the default profile; the long one takes minutes",
    ),
    r"^mailoauth-cfg permissions$": (
        "tests/live/test_units.py",
        ("permissions",),
        "prints what the live checker needs",
    ),
    r"^export AZURE_CLIENT_ID=": (
        "tests/emulators/microsoft/__init__.py",
        ("AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"),
        "the live tests give the checker these variables to reach the Graph and Exchange "
        "emulators (tenant.environment())",
    ),
    r"^mailoauth-cfg validate --online --save-snapshot \S+$": (
        "tests/live/test_snapshot.py",
        ("--online", "--save-snapshot"),
        "reads the Graph, Exchange and Google emulators",
    ),
    r"^mailoauth-cfg validate --snapshot \S+$": (
        "tests/live/test_snapshot.py",
        ("--snapshot",),
        "replays a snapshot saved from the emulators",
    ),
}


def _copy(source: str, *names: str) -> Callable[[Path], None]:
    def step(folder: Path) -> None:
        for name in names:
            shutil.copyfile(folder / source, folder / name)

    return step


def _mkdir(*paths: str) -> Callable[[Path], None]:
    def step(folder: Path) -> None:
        for path in paths:
            (folder / path).mkdir(parents=True, exist_ok=True)

    return step


def _render_with_secrets(folder: Path) -> None:
    """The deploy job's render, with the secret, that a PR job's ``--check`` compares with."""
    _run("mailoauth-cfg render mailoauth.yaml --out out", folder)


def _fresh_venv(folder: Path) -> None:
    """A new machine: a virtual environment first on PATH, its ``python3`` the one run."""
    subprocess.run([sys.executable, "-m", "venv", str(folder / "venv")], check=True)


#: What a person does before a command (keyed by a pattern on the command line).
BEFORE: dict[str, Callable[[Path], None]] = {
    r" a\.yaml b\.yaml ": _copy("mailoauth.yaml", "a.yaml", "b.yaml"),
    r"--check --no-secrets": _render_with_secrets,
    r"source_bash": _mkdir(".home/.local/share/bash-completion/completions"),
    r"source_zsh": _mkdir(".home/.zfunc"),
    r"source_fish": _mkdir(".home/.config/fish/completions"),
    r"^python3 -m pip install \.": _fresh_venv,
}

#: What a command leaves that shows it did its work (pattern -> check of the folder).
AFTER: dict[str, Callable[[Path, str], None]] = {
    r"--output results\.sarif": lambda folder, _out: _sarif(folder / "results.sarif"),
    r"source_bash": lambda folder, _out: _nonempty(
        folder / ".home/.local/share/bash-completion/completions/mailoauth-cfg"
    ),
    r"source_zsh": lambda folder, _out: _nonempty(folder / ".home/.zfunc/_mailoauth-cfg"),
    r"source_fish": lambda folder, _out: _nonempty(
        folder / ".home/.config/fish/completions/mailoauth-cfg.fish"
    ),
    r"^mailoauth-cfg explain schema-unknown-key$": lambda _f, out: _holds(
        out, "schema-unknown-key"
    ),
    r"^mailoauth-cfg rules$": lambda _f, out: _holds(out, "target-version"),
    r"^python3 -m pip install \.": lambda _f, out: _holds(out, "No problems found."),
    r"schema --write --dir schemas": lambda folder, _out: _nonempty(
        folder / "schemas/mailoauth.schema.json"
    ),
}


def _sarif(path: Path) -> None:
    assert json.loads(path.read_text(encoding="utf-8"))["version"] == "2.1.0"


def _nonempty(path: Path) -> None:
    assert path.is_file(), path
    assert path.stat().st_size > 0, path


def _holds(output: str, text: str) -> None:
    assert text in output, output


def _sops(folder: Path) -> Path:
    """``sops -d FILE``: sops is not in the package registries; an unencrypted file decrypts to
    itself, which is all the command needs."""
    tools = folder / ".tools"
    tools.mkdir(exist_ok=True)
    stub = tools / "sops"
    stub.write_text('#!/bin/sh\n[ "$1" = -d ] || exit 2\nexec cat "$2"\n', encoding="utf-8")
    stub.chmod(0o755)
    return tools


def _run(line: str, folder: Path) -> subprocess.CompletedProcess[str]:
    path = [str(folder / "venv" / "bin")] if (folder / "venv").is_dir() else []
    path += [str(folder / ".tools"), str(BIN), os.environ.get("PATH", "")]
    env = {
        **os.environ,
        "PATH": os.pathsep.join(path),
        "HOME": str(folder / ".home"),
        "ERP_MAIL_SECRET": "readme-secret-value",
    }
    env.pop("VIRTUAL_ENV", None)
    done = subprocess.run(
        ["sh", "-c", line],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, f"{line}\nexit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


def _readme() -> list[Command]:
    return document_commands(REPO, "README.md")


def _bare(line: str) -> str:
    """The command without its trailing ``# comment``."""
    return re.sub(r"\s+#\s.*$", "", line).strip()


def _elsewhere(command: Command) -> str | None:
    matches = [p for p in ELSEWHERE if re.search(p, _bare(command.line))]
    assert len(matches) <= 1, f"{command}: several entries match: {matches}"
    return matches[0] if matches else None


def test_the_readme_shows_commands() -> None:
    commands = _readme()
    assert len(commands) >= 20, commands
    assert {c.shell for c in commands} == {"sh"}


def test_every_command_run_elsewhere_is_held_by_its_test() -> None:
    lines = [_bare(c.line) for c in _readme()]
    for pattern, (test, words, why) in ELSEWHERE.items():
        assert any(re.search(pattern, line) for line in lines), f"stale entry {pattern!r}"
        text = (REPO / test).read_text(encoding="utf-8")
        missing = [w for w in words if w not in text]
        assert not missing, f"{test} runs no {missing} ({why})"
        assert why


def test_every_step_matches_a_readme_command() -> None:
    lines = [_bare(c.line) for c in _readme()]
    for pattern in (*BEFORE, *AFTER):
        assert any(re.search(pattern, line) for line in lines), f"stale step {pattern!r}"


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("readme")
    (folder / ".home").mkdir()
    shutil.copytree(REPO / "examples", folder / "examples")
    _sops(folder)
    return folder


def _here() -> list[Command]:
    return [c for c in _readme() if _elsewhere(c) is None]


@pytest.mark.parametrize("command", _here(), ids=lambda c: f"{c.source_line}-{c.number}")
def test_readme_command_runs_as_written(command: Command, scratch: Path) -> None:
    """In document order (pytest keeps parametrisation order): the tour's ``init`` comes first
    and makes the config the later commands read."""
    if command.line.startswith("python3 -m pip install ."):
        # the project to install is the source tree a reader has cloned: the scratch folder
        # holds a copy of it
        for name in ("pyproject.toml", "README.md", "mailoauth_cfg", "templates", "schemas"):
            source = REPO / name
            if source.is_dir():
                shutil.copytree(
                    source, scratch / name, ignore=shutil.ignore_patterns("__pycache__")
                )
            else:
                shutil.copyfile(source, scratch / name)
    for pattern, step in BEFORE.items():
        if re.search(pattern, _bare(command.line)):
            step(scratch)
    done = _run(command.line, scratch)
    for pattern, check in AFTER.items():
        if re.search(pattern, _bare(command.line)):
            check(scratch, done.stdout + done.stderr)

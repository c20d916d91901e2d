"""``validate`` in its common forms runs without typer, with the same output, messages and exit
codes as the typer app; every other form is the typer app's to read."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from mailoauth_cfg.cli.validating import parse_fast
from tests.conftest import EXAMPLE_DIR

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = str(EXAMPLE_DIR / "mailoauth.yaml")
BROKEN = str(REPO / "examples" / "broken" / "mailoauth.yaml")
TYPER = "import sys; from mailoauth_cfg.cli.typer_app import main; sys.argv[0] = 'x'; main()"


def _run(prefix: list[str], args: list[str], stdin: bytes, cwd: Path) -> tuple[int, str, str]:
    done = subprocess.run(
        [sys.executable, *prefix, "validate", *args],
        input=stdin,
        capture_output=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )
    return done.returncode, done.stdout.decode(), done.stderr.decode()


CASES = [
    [EXAMPLE, "--as-of", "2026-11-22"],
    [BROKEN, "--as-of=2026-11-22", "--format", "json"],
    ["-f", "sarif", BROKEN, "--as-of", "2026-11-22", "--sarif-rules", "all"],
    [EXAMPLE, BROKEN, "--fail-on", "info", "--as-of", "2026-11-22", "-f", "github"],
    [BROKEN, "--as-of", "2026-11-22", "--format=junit-gitlab", "--allow-include-outside"],
    ["-", "--stdin-name", "piped.yaml", "--as-of", "2026-11-22", "--format", "text"],
    ["-", "-", "--as-of", "2026-11-22"],
    [EXAMPLE, "--as-of", "22/11/2026"],
    ["missing.yaml", "--as-of", "2026-11-22"],
    ["--as-of", "2026-11-22"],
    [EXAMPLE, "--as-of", "2026-11-22", "--output", "report.json", "--format", "json"],
    [EXAMPLE, "--as-of", "2026-11-22", "-o", "no/such/dir/report.txt"],
]


@pytest.mark.parametrize("args", CASES, ids=[" ".join(a)[-60:] for a in CASES])
def test_the_fast_path_answers_as_the_typer_app(args: list[str], tmp_path: Path) -> None:
    assert parse_fast(args) is not None  # these are the fast path's to run
    stdin = Path(BROKEN).read_bytes()
    fast_dir, typer_dir = tmp_path / "fast", tmp_path / "typer"
    fast_dir.mkdir()
    typer_dir.mkdir()
    fast = _run(["-m", "mailoauth_cfg"], args, stdin, fast_dir)
    assert fast == _run(["-c", TYPER], args, stdin, typer_dir)
    assert _files(fast_dir) == _files(typer_dir)


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        [EXAMPLE, "-h"],
        [EXAMPLE, "--online"],
        [EXAMPLE, "--snapshot", "s.json"],
        ["--changed", EXAMPLE],
        [EXAMPLE, "--format", "yaml"],
        [EXAMPLE, "--fail-on", "ERROR"],
        [EXAMPLE, "-fjson"],
        [EXAMPLE, "-f=json"],
        [EXAMPLE, "--format"],
        [EXAMPLE, "--format", "json", "--format", "text"],
        [EXAMPLE, "--output", "-"],
        [EXAMPLE, "--as-of="],
        ["--", EXAMPLE],
        ["-x"],
        [EXAMPLE, "--allow-include-outside", "--allow-include-outside"],
    ],
)
def test_every_other_form_is_left_to_the_typer_app(args: list[str]) -> None:
    assert parse_fast(args) is None


def test_the_fast_path_imports_neither_typer_nor_click() -> None:
    code = (
        "import sys\n"
        f"sys.argv = ['mailoauth-cfg', 'validate', {EXAMPLE!r}, '--as-of', '2026-11-22']\n"
        "from mailoauth_cfg.cli import main\n"
        "try:\n    main()\n"
        "except SystemExit as exc:\n"
        "    loaded = sorted({m.split('.')[0] for m in sys.modules} & {'typer', 'click', 'rich'})\n"
        "    print(exc.code, loaded, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert done.stderr.strip().splitlines()[-1] == "0 []"


def test_validate_reads_the_config_and_nothing_of_templates_or_schemas() -> None:
    code = (
        "import sys\n"
        "opened = []\n"
        "sys.addaudithook(lambda event, args: opened.append(str(args[0]))"
        " if event == 'open' and isinstance(args[0], str) else None)\n"
        f"sys.argv = ['mailoauth-cfg', 'validate', {EXAMPLE!r}, '--as-of', '2026-11-22']\n"
        "from mailoauth_cfg.cli import main\n"
        "try:\n    main()\n"
        "except SystemExit:\n"
        "    print([p for p in opened if not p.endswith(('.py', '.pyc'))], file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    opened = [
        path
        for path in ast.literal_eval(done.stderr.strip().splitlines()[-1])
        if Path(path).resolve().is_relative_to(REPO) and "site-packages" not in Path(path).parts
    ]
    assert sorted({Path(p).name for p in opened}) == [
        "acme.yaml",
        "contoso.yaml",
        "erp.yaml",
        "hosts.yaml",
        "mailoauth.yaml",
        "web.yaml",
    ]

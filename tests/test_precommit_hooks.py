"""The pre-commit hooks of .pre-commit-hooks.yaml, run by the real pre-commit in a git repository.

pre-commit installs this source tree (committed into a throw-away hooks repository) into its
own virtual environment, exactly as for a user's ``repo: ... rev: ...`` entry. The consumer
repository holds a config split over included files and its rendered output, committed without
the secret-bearing files (their paths are in manifest.json), as a real repository would be.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mailoauth_cfg.cli import app
from tests.conftest import REPO

AS_OF = "2026-11-22"
SECRET = "CANARY-precommit-5e1d"
CONFIG = """\
version: 1
include: [mailboxes/*.yaml, targets/*.yaml]
providers:
  contoso: {type: microsoft, tenant: 6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d}
apps:
  erp-mail:
    provider: contoso
    client_id: 1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b
    client_secret: {env: ERP_MAIL_SECRET, expires: 2027-05-31}
    platform: web
    permissions: [offline_access, SMTP.Send]
    admin_consent: true
"""
MAILBOXES = """\
users:
  - {email: erp@contoso.com, provider: contoso, smtp_auth: enabled}
"""
TARGETS = """\
targets:
  erp:
    type: dolibarr
    url: https://erp.contoso.com
    version: "23"
    app: erp-mail
    users: [erp@contoso.com]
    protocols: [smtp]
"""
SOURCES = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "mailoauth_cfg", "templates")


def _git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


@pytest.fixture(scope="module")
def hooks_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This source tree as a git repository that pre-commit can install hooks from."""
    root = tmp_path_factory.mktemp("hooks")
    for name in (*SOURCES, "schemas"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(
                source, root / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )
        else:
            shutil.copy2(source, root / name)
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "hooks")
    return root, _git(root, "rev-parse", "HEAD")


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def consumer(tmp_path: Path, hooks_repo: tuple[Path, str], monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with a config in mail/, its render in mail/out and the hooks configured;
    the secret-bearing files are ignored by git and absent, as in a fresh clone."""
    repo, rev = hooks_repo
    root = tmp_path / "consumer"
    (root / "mail" / "mailboxes").mkdir(parents=True)
    (root / "mail" / "targets").mkdir()
    (root / "mail" / "mailoauth.yaml").write_text(CONFIG, encoding="utf-8")
    (root / "mail" / "mailboxes" / "erp.yaml").write_text(MAILBOXES, encoding="utf-8")
    (root / "mail" / "targets" / "erp.yaml").write_text(TARGETS, encoding="utf-8")
    (root / ".pre-commit-config.yaml").write_text(
        f"""\
repos:
  - repo: {repo}
    rev: {rev}
    hooks:
      - id: mailoauth-cfg-validate
        args: [--as-of, "{AS_OF}"]
      - id: mailoauth-cfg-render-check
        args: [--config, mail/mailoauth.yaml, --out, mail/out, --as-of, "{AS_OF}"]
""",
        encoding="utf-8",
    )
    (root / "README.md").write_text("mail setup\n", encoding="utf-8")
    monkeypatch.chdir(root)
    monkeypatch.setenv("ERP_MAIL_SECRET", SECRET)
    rendered = CliRunner().invoke(
        app, ["render", "mail/mailoauth.yaml", "--out", "mail/out", "--as-of", AS_OF]
    )
    assert rendered.exit_code == 0, rendered.output
    monkeypatch.delenv("ERP_MAIL_SECRET")
    manifest = json.loads((root / "mail" / "out" / "manifest.json").read_text(encoding="utf-8"))
    secret_files = [entry["path"] for entry in manifest["files"] if entry["secret"]]
    assert secret_files
    (root / "mail" / "out" / ".gitignore").write_text(
        "".join(f"/{path}\n" for path in secret_files), encoding="utf-8"
    )
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "mail config and its render")
    for path in secret_files:
        (root / "mail" / "out" / path).unlink()
    return root


def _pre_commit(root: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    env.pop("ERP_MAIL_SECRET", None)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def _status(output: str, hook: str) -> str:
    for line in output.splitlines():
        if line.startswith(hook):
            return line.rsplit(".", 1)[-1].strip().split()[0]
    raise AssertionError(f"{hook} not in the output:\n{output}")


VALIDATE = "mailoauth-cfg validate"
RENDER_CHECK = "mailoauth-cfg render --check"


def test_clean_repository_passes_without_secrets(consumer: Path, pre_commit_home: Path) -> None:
    done = _pre_commit(consumer, pre_commit_home, "--all-files")
    assert done.returncode == 0, done.stdout + done.stderr
    assert _status(done.stdout, VALIDATE) == "Passed"
    assert _status(done.stdout, RENDER_CHECK) == "Passed"
    assert SECRET not in done.stdout + done.stderr


def test_staged_fragment_change_validates_the_config_that_includes_it(
    consumer: Path, pre_commit_home: Path
) -> None:
    fragment = consumer / "mail" / "targets" / "erp.yaml"
    fragment.write_text(TARGETS.replace("type: dolibarr", "type: dolibar"), encoding="utf-8")
    _git(consumer, "add", "mail/targets/erp.yaml")
    done = _pre_commit(consumer, pre_commit_home)
    assert done.returncode == 1
    assert _status(done.stdout, VALIDATE) == "Failed"
    assert "mail/targets/erp.yaml:3:" in done.stdout
    assert "dolibar" in done.stdout


def test_staged_change_of_an_unrelated_yaml_validates_nothing(
    consumer: Path, pre_commit_home: Path
) -> None:
    (consumer / "other.yaml").write_text("a: 1\n", encoding="utf-8")
    _git(consumer, "add", "other.yaml")
    done = _pre_commit(consumer, pre_commit_home)
    assert done.returncode == 0, done.stdout
    assert _status(done.stdout, VALIDATE) == "Passed"


def test_hand_edit_of_a_rendered_file_fails_render_check(
    consumer: Path, pre_commit_home: Path
) -> None:
    readme = consumer / "mail" / "out" / "erp" / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + "edited by hand\n", encoding="utf-8")
    _git(consumer, "add", "mail/out/erp/README.md")
    done = _pre_commit(consumer, pre_commit_home)
    assert done.returncode == 1
    assert _status(done.stdout, RENDER_CHECK) == "Failed"
    assert "stale: mail/out/erp/README.md" in done.stdout


def test_fragment_change_that_changes_a_secret_bearing_file_fails_render_check(
    consumer: Path, pre_commit_home: Path
) -> None:
    config = consumer / "mail" / "mailoauth.yaml"
    config.write_text(CONFIG.replace("0c1d2e3f4a5b", "0c1d2e3f4a5c"), encoding="utf-8")
    _git(consumer, "add", "mail/mailoauth.yaml")
    done = _pre_commit(consumer, pre_commit_home)
    assert done.returncode == 1
    assert _status(done.stdout, VALIDATE) == "Passed"
    assert _status(done.stdout, RENDER_CHECK) == "Failed"
    assert "stale: mail/out/erp/dolibarr-oauth.php" in done.stdout
    assert SECRET not in done.stdout + done.stderr


def test_unrelated_change_leaves_render_check_passing(
    consumer: Path, pre_commit_home: Path
) -> None:
    (consumer / "README.md").write_text("mail setup, v2\n", encoding="utf-8")
    _git(consumer, "add", "README.md")
    done = _pre_commit(consumer, pre_commit_home)
    assert done.returncode == 0, done.stdout
    assert _status(done.stdout, RENDER_CHECK) == "Passed"

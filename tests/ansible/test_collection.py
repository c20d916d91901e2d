"""The collection as a package: metadata, ``ansible-doc``, ``ansible-galaxy collection build``,
and the pre-commit hooks at the top of the repository."""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from mailoauth_cfg import __version__
from tests.ansible.conftest import AS_OF, COLLECTION, REPO, Setup, ansible_env

BIN = Path(sys.executable).parent
MODULES = ("validate", "render", "probe")


def load(path: Path) -> Any:
    """A YAML file."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_metadata_is_consistent() -> None:
    """galaxy.yml, runtime.yml, requirements.txt, the changelog and pyproject agree."""
    galaxy = load(COLLECTION / "galaxy.yml")
    assert (galaxy["namespace"], galaxy["name"], galaxy["version"]) == ("mailoauth", "cfg", "0.1.0")
    assert galaxy["license"] == ["MIT"]
    assert (COLLECTION / galaxy["readme"]).is_file()
    assert load(COLLECTION / "meta" / "runtime.yml")["requires_ansible"] == ">=2.15.0"
    requirements = (COLLECTION / "requirements.txt").read_text().split("\n")
    assert [r for r in requirements if r and not r.startswith("#")] == ["mailoauth-cfg>=0.1.0"]
    changelog = load(COLLECTION / "changelogs" / "changelog.yaml")
    release = changelog["releases"][galaxy["version"]]
    assert sorted(m["name"] for m in release["modules"]) == sorted(MODULES)
    assert [r["name"] for r in release["objects"]["role"]] == ["mailoauth_deploy"]
    assert load(COLLECTION / "changelogs" / "config.yaml")["changes_file"] == "changelog.yaml"
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "ansible-core>=2.19" in pyproject["project"]["optional-dependencies"]["test"]
    assert tuple(int(x) for x in __version__.split(".")[:2]) >= (0, 1)


def test_ansible_doc_renders_every_module_and_the_role(collections_path: Path) -> None:
    """`ansible-doc` shows each module (and the role's argument spec) without error."""
    env = ansible_env(collections_path)
    commands = [["-t", "module", f"mailoauth.cfg.{name}"] for name in MODULES]
    commands.append(["-t", "role", "mailoauth.cfg.mailoauth_deploy"])
    running = [
        subprocess.Popen(
            [str(BIN / "ansible-doc"), *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for args in commands
    ]
    for args, process in zip(commands, running, strict=True):
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, (args, err)
        assert "[WARNING]" not in err, (args, err)
        name = args[-1]
        assert name in out
        if args[1] == "module":
            for section in ("OPTIONS", "ATTRIBUTES", "EXAMPLES", "RETURN VALUES"):
                assert section in out, (name, section)
        else:
            assert "mailoauth_deploy_config" in out


def test_galaxy_build_produces_a_tarball(collections_path: Path, tmp_path: Path) -> None:
    """`ansible-galaxy collection build` makes the tarball, without caches or test output."""
    done = subprocess.run(
        [
            str(BIN / "ansible-galaxy"),
            *("collection", "build", str(COLLECTION)),
            *("--output-path", str(tmp_path)),
        ],
        env=ansible_env(collections_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    tarball = tmp_path / "mailoauth-cfg-0.1.0.tar.gz"
    assert tarball.is_file()
    with tarfile.open(tarball) as archive:
        names = set(archive.getnames())
    for expected in (
        "MANIFEST.json",
        "README.md",
        "meta/runtime.yml",
        "requirements.txt",
        "plugins/module_utils/_common.py",
        "plugins/doc_fragments/common.py",
        "roles/mailoauth_deploy/meta/main.yml",
        "roles/mailoauth_deploy/tasks/main.yml",
        "changelogs/changelog.yaml",
        "docs/validate.md",
        *(f"plugins/modules/{name}.py" for name in MODULES),
    ):
        assert expected in names, expected
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


# --- pre-commit hooks -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def hooks() -> dict[str, dict[str, Any]]:
    """The hooks of .pre-commit-hooks.yaml by id."""
    return {hook["id"]: hook for hook in load(REPO / ".pre-commit-hooks.yaml")}


def run_hook(hook: dict[str, Any], args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a hook's entry as pre-commit would (entry + args)."""
    entry = hook["entry"].split()
    assert entry[0] == "mailoauth-cfg"
    return subprocess.run(
        [sys.executable, "-m", "mailoauth_cfg", *entry[1:], *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_pre_commit_hooks_run_the_cli(hooks: dict[str, dict[str, Any]], setup: Setup) -> None:
    """The hooks' entries with their args and the staged files (tests/test_precommit_hooks.py
    runs them under the real pre-commit)."""
    assert set(hooks) == {"mailoauth-cfg-validate", "mailoauth-cfg-render-check"}
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["name"]
        assert hook["pass_filenames"] is True
    validate = hooks["mailoauth-cfg-validate"]
    assert re.search(validate["files"], "mail/mailoauth.yaml")
    assert re.search(validate["files"], "mail/targets/hosts.yaml")  # included files too
    clean = ["--as-of", AS_OF, "--config", "mailoauth.yaml", "mailoauth.yaml"]
    assert run_hook(validate, clean, setup.root).returncode == 0
    broken = str(REPO / "examples" / "broken" / "mailoauth.yaml")
    assert run_hook(validate, ["--config", broken, broken], setup.root).returncode == 1

    render_check = hooks["mailoauth-cfg-render-check"]
    assert "files" not in render_check  # every staged file: the command decides
    options = ["--out", "out", "--target", "cron-mail", "--as-of", AS_OF]
    args = ["--config", "mailoauth.yaml", *options, "mailoauth.yaml"]
    stale = run_hook(render_check, args, setup.root)
    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert "is out of date" in stale.stderr
    subprocess.run(
        [sys.executable, "-m", "mailoauth_cfg", "render", "mailoauth.yaml", *options],
        cwd=setup.root,
        check=True,
        capture_output=True,
    )
    assert run_hook(render_check, args, setup.root).returncode == 0

"""The ansible-core versions that ``meta/runtime.yml`` claims, run for real.

``requires_ansible`` has a lower bound and no upper one: an upper bound makes every run on a
newer ansible-core warn "Collection mailoauth.cfg does not support Ansible version", while the
modules use only long-stable module APIs. Its ends are what the suite runs: the newest release
that installs (the test extra ``ansible-core>=2.19`` resolves it, 2.19 on Python 3.11; later
releases need Python 3.12) through every other Ansible test, and the lower bound here, in a
virtual environment of its own.
"""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml
from packaging.specifiers import SpecifierSet

from tests.ansible.conftest import COLLECTION, ansible_env
from tests.conftest import EXAMPLE_DIR

RUNTIME = COLLECTION / "meta" / "runtime.yml"


def _requires() -> SpecifierSet:
    return SpecifierSet(yaml.safe_load(RUNTIME.read_text(encoding="utf-8"))["requires_ansible"])


def _lower_bound() -> str:
    (lower,) = [spec.version for spec in _requires() if spec.operator == ">="]
    return lower


def test_range_has_no_upper_bound_and_holds_the_installed_release() -> None:
    requires = _requires()
    assert all(spec.operator == ">=" for spec in requires), requires
    assert version("ansible-core") in requires
    assert "2.20.0" in requires
    assert "2.21.3" in requires


def test_newest_release_that_installs_is_tested() -> None:
    """pip picked the newest ansible-core for this Python: nothing caps the test extra."""
    import tomllib

    from tests.conftest import REPO

    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    pins = [p for p in pyproject["project"]["optional-dependencies"]["test"] if "ansible" in p]
    assert pins == ["ansible-core>=2.19"]
    done = subprocess.run(
        [sys.executable, "-m", "pip", "index", "versions", "ansible-core"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    newest = done.stdout.split("Available versions:")[1].split(",")[0].strip()
    # the same release series (a patch published since the install does not count)
    assert version("ansible-core").split(".")[:2] == newest.split(".")[:2]


@pytest.fixture(scope="module")
def oldest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtual environment with the oldest ansible-core of the range (its newest patch)."""
    lower = _lower_bound()
    major, minor = lower.split(".")[:2]
    venv = tmp_path_factory.mktemp("oldest-ansible") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    pip = subprocess.run(
        [
            str(venv / "bin" / "python"),
            *("-m", "pip", "install", "--quiet", "--disable-pip-version-check"),
            f"ansible-core>={lower},<{major}.{int(minor) + 1}",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert pip.returncode == 0, pip.stdout + pip.stderr
    return venv / "bin"


PLAYBOOK = """\
- name: Validate with the oldest supported ansible-core
  hosts: localhost
  gather_facts: false
  tasks:
    - name: The clean example
      mailoauth.cfg.validate:
        path: {clean}
        as_of: "2026-11-22"
      register: clean
    - name: The broken example
      mailoauth.cfg.validate:
        path: {broken}
        as_of: "2026-11-22"
      register: broken
      ignore_errors: true
    - name: Findings are data
      ansible.builtin.assert:
        that:
          - clean.findings == []
          - broken is failed
          - broken.findings | length > 20
"""


def test_oldest_release_runs_the_modules(
    oldest: Path, collections_path: Path, tmp_path: Path
) -> None:
    env = ansible_env(collections_path)
    shown = subprocess.run(
        [str(oldest / "ansible"), "--version"], env=env, capture_output=True, text=True, check=True
    )
    assert f"core {_lower_bound().rsplit('.', 1)[0]}." in shown.stdout, shown.stdout
    doc = subprocess.run(
        [str(oldest / "ansible-doc"), "-t", "module", "mailoauth.cfg.validate"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert doc.returncode == 0, doc.stderr
    assert "[WARNING]" not in doc.stderr, doc.stderr
    playbook = tmp_path / "play.yml"
    playbook.write_text(
        PLAYBOOK.format(
            clean=EXAMPLE_DIR / "mailoauth.yaml",
            broken=EXAMPLE_DIR.parent / "broken" / "mailoauth.yaml",
        ),
        encoding="utf-8",
    )
    play = subprocess.run(
        [str(oldest / "ansible-playbook"), "-i", "localhost,", "-c", "local",
         "-e", f"ansible_python_interpreter={sys.executable}", str(playbook)],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert play.returncode == 0, play.stdout + play.stderr
    assert "does not support Ansible version" not in play.stdout + play.stderr
    assert "failed=0" in play.stdout


def test_newest_release_does_not_warn(collections_path: Path, tmp_path: Path) -> None:
    playbook = tmp_path / "play.yml"
    playbook.write_text(
        PLAYBOOK.format(
            clean=EXAMPLE_DIR / "mailoauth.yaml",
            broken=EXAMPLE_DIR.parent / "broken" / "mailoauth.yaml",
        ),
        encoding="utf-8",
    )
    play = subprocess.run(
        [str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", "-c", "local",
         "-e", f"ansible_python_interpreter={sys.executable}", str(playbook)],
        env=ansible_env(collections_path), capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    assert play.returncode == 0, play.stdout + play.stderr
    assert "[WARNING]" not in play.stderr, play.stderr

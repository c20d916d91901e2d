"""scripts/add-target: a new kind is its package, its templates, its tests and one registry line."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "add-target"


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    ignore = shutil.ignore_patterns("__pycache__", "golden")
    for name in ("mailoauth_cfg", "templates"):
        shutil.copytree(REPO / name, root / name, ignore=ignore)
    return root


def _python(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, *args], cwd=root, env=env, capture_output=True, text=True, check=False
    )


def test_a_new_kind_touches_its_own_files_and_one_registry_line(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    registry = root / "mailoauth_cfg" / "targets" / "__init__.py"
    before = registry.read_text(encoding="utf-8")
    run = _python(
        root, str(SCRIPT), "acme-crm", "Acme CRM", "--rule", "acme-crm-url", "--root", "."
    )
    assert run.returncode == 0, run.stderr
    created = run.stdout.splitlines()[:-1]
    assert created == [
        "mailoauth_cfg/targets/acme_crm/__init__.py",
        "mailoauth_cfg/targets/acme_crm/model.py",
        "mailoauth_cfg/targets/acme_crm/facts.py",
        "mailoauth_cfg/targets/acme_crm/render.py",
        "templates/acme-crm/README.md.j2",
        "tests/targets/acme_crm/__init__.py",
        "tests/targets/acme_crm/render/mailoauth.yaml",
        "mailoauth_cfg/targets/acme_crm/rules/acme_crm_url.py",
        "mailoauth_cfg/targets/acme_crm/rules/__init__.py",
        "tests/targets/acme_crm/cases/acme-crm-url/pass.yaml",
        "tests/targets/acme_crm/cases/acme-crm-url/fail.yaml",
        "mailoauth_cfg/targets/__init__.py",
    ]
    added = set(registry.read_text(encoding="utf-8").splitlines()) - set(before.splitlines())
    assert added == {'    "acme_crm",'}
    # The kind's key is written in its model only.
    quoting = [
        p.relative_to(root).as_posix()
        for p in (root / "mailoauth_cfg").rglob("*.py")
        if '"acme-crm"' in p.read_text(encoding="utf-8")
    ]
    assert quoting == ["mailoauth_cfg/targets/acme_crm/model.py"]
    # The skeleton loads: registered, in the schema, its rule in the catalogue, its case valid.
    check = _python(
        root,
        "-c",
        "from mailoauth_cfg import targets, schema; from mailoauth_cfg.rules import rule_infos; "
        "p = targets.plugin('acme-crm'); assert p.key == 'acme-crm'; "
        "assert 'AcmeCrmTarget' in schema.schema_text(); assert 'acme-crm-url' in rule_infos()",
    )
    assert check.returncode == 0, check.stderr
    validate = _python(
        root,
        "-m",
        "mailoauth_cfg",
        "validate",
        "tests/targets/acme_crm/render/mailoauth.yaml",
        "--as-of",
        "2026-11-22",
    )
    assert validate.returncode == 0, validate.stdout + validate.stderr
    # Refused: an existing kind, or a key that is not kebab-case.
    again = _python(root, str(SCRIPT), "acme-crm", "Again", "--root", ".")
    assert again.returncode != 0
    bad = _python(root, str(SCRIPT), "Acme_CRM", "Bad", "--root", ".")
    assert bad.returncode != 0
    assert "lower case" in bad.stderr

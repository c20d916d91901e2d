"""The offline path stays free of the SDKs: ``validate`` (and ``validate --snapshot``) import none
of msgraph, azure-identity, kiota, httpx or aiohttp."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from mailoauth_cfg.live.snapshot import MicrosoftTenant, Snapshot

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("msgraph", "msgraph_core", "azure", "kiota_", "httpx", "httpcore", "aiohttp", "msal", "h2")

PROBE = """
import json, sys
from mailoauth_cfg.cli import app
try:
    app(sys.argv[1:], standalone_mode=True)
except SystemExit as exc:
    code = exc.code
heavy = sorted({m.split('.')[0] for m in sys.modules
                if m.split('.')[0] in HEAVY or m.startswith('kiota_')})
sys.stderr.write(json.dumps({"code": code, "heavy": heavy}) + "\\n")
"""


def probe(*args: str) -> dict[str, object]:
    script = f"HEAVY = {HEAVY!r}\n{PROBE}"
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return dict(json.loads(done.stderr.strip().splitlines()[-1]))


def test_offline_validate_imports_no_sdk() -> None:
    result = probe("validate", "examples/contoso/mailoauth.yaml")
    assert result == {"code": 0, "heavy": []}


def test_snapshot_replay_imports_no_sdk(tmp_path: Path) -> None:
    saved = tmp_path / "snapshot.json"
    tenant = MicrosoftTenant(tenant="6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d")
    saved.write_text(Snapshot(microsoft={"contoso": tenant}).to_json(), encoding="utf-8")
    result = probe("validate", "examples/contoso/mailoauth.yaml", "--snapshot", str(saved))
    assert result["heavy"] == []
    assert result["code"] == 3  # nothing was fetched for the named objects: unknown


def test_permissions_command_imports_no_sdk() -> None:
    assert probe("permissions") == {"code": 0, "heavy": []}

"""A secret pasted where a reference or a fact belongs (an environment variable name, a file
path, a certificate thumbprint or key ID, a mapping key, a YAML tag) is flagged where it is
written but never shown, in any report format, nor in `render`'s findings."""

from __future__ import annotations

import base64
import json
import urllib.parse
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mailoauth_cfg.cli import app

#: A canary with characters that URL-encoding and base64 change.
SECRET = "Qx7~CANARY+pasted/s3cr=t%41"
#: A canary that looks like an environment variable name (mixed case, as secrets are).
NAME_LIKE = "Qx7CanaryPastedAsName9z"

BASE = """\
version: 1
providers:
  contoso: {type: microsoft, tenant: 6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d}
apps:
  erp-mail:
    provider: contoso
    client_id: 1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b
CREDENTIAL
users:
  - {email: erp@contoso.com, provider: contoso}
targets:
  erp:
    {type: dolibarr, url: "https://erp.contoso.com", version: "23", app: erp-mail,
     users: [erp@contoso.com]}
"""

CASES = {
    "env-name": f"    client_secret: {{env: {json.dumps(SECRET)}}}",
    "env-name-shaped": f"    client_secret: {{env: {NAME_LIKE}}}",
    "file-path": f"    client_secret: {{file: {json.dumps(SECRET)}}}",
    "file-name-shaped": f"    client_secret: {{file: {NAME_LIKE}}}",
    "thumbprint": f"    certificate: {{thumbprint: {json.dumps(SECRET)}}}",
    "key-id": f"    client_secret: {{env: ERP_SECRET, key_id: {json.dumps(SECRET)}}}",
    "mapping-key": f"    client_secret: {{{json.dumps(SECRET)}: x}}",
    "mapping-key-twice": f"    client_secret:\n      {NAME_LIKE}: 1\n      {NAME_LIKE}: 2",
    "yaml-tag": f"    client_secret: !{urllib.parse.quote(SECRET, safe='')} {{env: ERP_SECRET}}",
    "yaml-tag-on-a-scalar": f"    client_secret: {{env: !{NAME_LIKE} ERP_SECRET}}",
}


REFERENCE_SHAPED = {"env-name-shaped", "file-path", "file-name-shaped"}


def forms(secret: str) -> list[str]:
    raw = secret.encode()
    return [
        secret,
        base64.b64encode(raw).decode(),
        base64.urlsafe_b64encode(raw).decode().rstrip("="),
        urllib.parse.quote(secret),
        urllib.parse.quote(secret, safe=""),
        urllib.parse.quote_plus(secret),
        json.dumps(secret)[1:-1],
    ]


def leaks(text: str) -> list[str]:
    return [f for s in (SECRET, NAME_LIKE) for f in forms(s) if f in text]


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "github"])
def test_validate_flags_it_without_showing_it(tmp_path: Path, case: str, fmt: str) -> None:
    config = tmp_path / "mailoauth.yaml"
    config.write_text(BASE.replace("CREDENTIAL", CASES[case]), encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(config), "--format", fmt])
    output = result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), output
    assert leaks(output) == [], output
    # a reference of the right shape is not an error offline (render resolves it); any other
    # is, located where it is written
    assert result.exit_code == (0 if case in REFERENCE_SHAPED else 1), output
    if fmt == "json" and result.exit_code == 1:
        located = [f["location"] for f in json.loads(result.stdout)["findings"]]
        assert any(
            loc["line"] >= 8 and ("client_secret" in loc["path"] or "certificate" in loc["path"])
            for loc in located
        ), located


@pytest.mark.parametrize("case", ["env-name-shaped", "file-path", "file-name-shaped"])
def test_render_refuses_it_without_showing_it(tmp_path: Path, case: str) -> None:
    config = tmp_path / "mailoauth.yaml"
    config.write_text(BASE.replace("CREDENTIAL", CASES[case]), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["render", str(config), "--out", str(out)])
    output = result.stdout + result.stderr
    assert result.exit_code == 1, output
    assert "mailoauth.yaml:8:" in output, "located at the reference"
    assert leaks(output) == [], output
    assert not out.exists()

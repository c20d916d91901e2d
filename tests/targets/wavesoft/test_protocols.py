"""WaveSoft CRM offers OAuth2 for receiving (IMAP) and sending (SMTP) mail (technical sheet
FTC030, first paragraph; SMTP.Send is in its permission list): a target that only sends is
accepted, and its settings sheet gives the sending server."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from mailoauth_cfg.validation import validate_file
from tests.rendering.support import render_config

CONFIG = """\
version: 1
providers:
  contoso: {{type: microsoft, tenant: 6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d}}
  acme:
    type: google
    domain: acme.example
    consent_screen: {{audience: internal, status: production}}
apps:
  wavesoft-mail:
    provider: contoso
    client_id: 9b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e
    client_secret: {{env: WS_SECRET, expires: 2027-03-31}}
    platform: web
    permissions: [offline_access, openid, profile, User.Read, IMAP.AccessAsUser.All,
                  POP.AccessAsUser.All, SMTP.Send]
    admin_consent: true
  wavesoft-google:
    provider: acme
    client_id: 412345678901-q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6.apps.googleusercontent.com
    client_secret: {{env: WS_SECRET}}
    platform: desktop
users:
  - {{email: sales@contoso.com, provider: contoso, smtp_auth: enabled, protocols: {protocols}}}
  - {{email: sales@acme.example, provider: acme, protocols: {protocols}}}
targets:
  crm: {{type: wavesoft, version: "23.02.05", app: wavesoft-mail, users: [sales@contoso.com],
        protocols: {protocols}}}
  crm-google: {{type: wavesoft, version: "23.02.05", app: wavesoft-google,
               users: [sales@acme.example], protocols: {protocols}}}
"""


@pytest.mark.parametrize("protocols", ["[smtp]", "[imap, smtp]", "[imap]"])
def test_wavesoft_accepts_smtp_and_imap(tmp_path: Path, protocols: str) -> None:
    config = tmp_path / "mailoauth.yaml"
    config.write_text(CONFIG.format(protocols=protocols), encoding="utf-8")
    report = validate_file(config, as_of=dt.date(2026, 11, 22))
    errors = [f"{f.rule}: {f.message}" for f in report.findings if f.severity.label == "error"]
    assert errors == []
    rendered = render_config(config, {"WS_SECRET": "CANARY-ws-1"})
    assert rendered.findings == []
    for name in ("crm", "crm-google"):
        sheet = next(f for f in rendered.files if f.path == f"{name}/settings.md")
        text = sheet.content.decode()
        assert ("Serveur sortant (SMTP)" in text) == ("smtp" in protocols), text
        assert ("Serveur entrant" in text) == ("imap" in protocols), text

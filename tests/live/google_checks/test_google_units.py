"""The Google parts that need no emulator: what is read (only what the config names), the
connection, error texts, snapshots, rule metadata, the permissions text, and the offline path's
imports (none of googleapiclient, google-auth or httplib2)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mailoauth_cfg.cli import app
from mailoauth_cfg.findings import Status
from mailoauth_cfg.live.google.credentials import google_connection
from mailoauth_cfg.live.google.errors import error_text
from mailoauth_cfg.live.google.needs import google_needs, project_of
from mailoauth_cfg.live.rules import LIVE_RULES, run_live_rules
from mailoauth_cfg.live.snapshot import GoogleDomain, GoogleUser, Snapshot
from mailoauth_cfg.model import GoogleProvider
from mailoauth_cfg.validation import Validated, validate_file
from tests.live.google_checks.conftest import DESKTOP, GOOGLE_CONFIG, PROJECT, WEB

REPO = Path(__file__).resolve().parents[3]
AS_OF = dt.date(2026, 6, 1)
GOOGLE_MODULES = ("googleapiclient", "google", "httplib2", "google_auth_httplib2")


def _config() -> Validated:
    validated = validate_file(GOOGLE_CONFIG, as_of=AS_OF)
    assert validated.config is not None
    return validated


def test_needs_name_only_the_configured_objects() -> None:
    config = _config().config
    assert config is not None
    need = google_needs(config)["acme"]
    assert need.admin == "admin@acme.example"
    assert need.users == (
        "crm@acme.example",
        "helpdesk@acme.example",
        "notify@acme.example",
        "scans@acme.example",
        "archive@acme.example",
    )
    assert dict(need.grants) == {
        "crm@acme.example": (WEB,),
        "helpdesk@acme.example": (WEB,),
        "notify@acme.example": (DESKTOP,),
        "archive@acme.example": (DESKTOP,),
    }
    assert need.app_passwords == ("scans@acme.example",)
    assert need.imap == ("crm@acme.example",)
    assert need.pop == ("archive@acme.example",)
    assert need.send_as == (("helpdesk@acme.example", "support@acme.example"),)
    assert need.projects == (PROJECT,)
    assert need.gmail_users == ("crm@acme.example", "archive@acme.example", "helpdesk@acme.example")


def test_project_of_client_id() -> None:
    assert project_of(WEB) == PROJECT
    assert project_of("109876543210987654321") is None
    assert project_of("not-a-client") is None


def test_connection_endpoints_and_ca_bundle(tmp_path: Path) -> None:
    provider = GoogleProvider.model_validate(
        {
            "type": "google",
            "domain": "acme.example",
            "endpoints": {"token": "https://127.0.0.1:8443", "apis": "127.0.0.1:8443/"},
            "ca_bundle": "ca.pem",
        }
    )
    conn = google_connection("acme", provider, root=tmp_path)
    assert conn.token_uri == "https://127.0.0.1:8443/token"
    assert conn.api_base == "https://127.0.0.1:8443/"
    assert conn.batch_uri("gmail") == "https://127.0.0.1:8443/batch"
    assert conn.ca_bundle == str(tmp_path / "ca.pem")
    assert google_connection("acme", provider, ca_bundle="/x.pem").ca_bundle == "/x.pem"
    default = google_connection("acme", GoogleProvider.model_validate({"type": "google"}))
    assert default.token_uri == "https://oauth2.googleapis.com/token"
    assert default.api_base is None
    assert default.batch_uri("directory") == "https://admin.googleapis.com/batch"
    assert default.batch_uri("gmail") == "https://gmail.googleapis.com/batch"


@pytest.mark.parametrize(
    ("status", "body", "text"),
    [
        (
            403,
            {"error": {"code": 403, "message": "Denied", "status": "PERMISSION_DENIED"}},
            "HTTP 403 PERMISSION_DENIED: Denied",
        ),
        (
            404,
            {"error": {"code": 404, "message": "Nope", "errors": [{"reason": "notFound"}]}},
            "HTTP 404 notFound: Nope",
        ),
        (
            401,
            b'{"error": "unauthorized_client", "error_description": "Client is unauthorized"}',
            "HTTP 401 unauthorized_client: Client is unauthorized",
        ),
        (502, b"<html>bad gateway</html>", "HTTP 502"),
    ],
)
def test_error_text(status: int, body: object, text: str) -> None:
    assert error_text(status, body) == text


def test_stale_snapshot_is_unknown_never_a_pass() -> None:
    validated = _config()
    assert validated.config is not None
    domain = GoogleDomain(
        domain="acme.example",
        users={"crm@acme.example": GoogleUser(primary_email="crm@acme.example")},
    )
    findings = run_live_rules(
        validated.config, validated.loaded.marks, Snapshot(google={"acme": domain}), as_of=AS_OF
    )
    assert {f.status for f in findings} == {Status.UNKNOWN}
    messages = [f.message for f in findings if f.rule == "live-google-user-missing"]
    assert len(messages) == 4
    assert all("validate --online --save-snapshot" in m for m in messages)


def test_snapshot_of_another_domain_is_incomplete() -> None:
    validated = _config()
    assert validated.config is not None
    snapshot = Snapshot(google={"acme": GoogleDomain(domain="other.example")})
    (finding,) = run_live_rules(validated.config, validated.loaded.marks, snapshot, as_of=AS_OF)
    assert finding.rule == "live-check-incomplete"
    assert "the snapshot is of domain other.example, the config names acme.example" in (
        finding.message
    )


def test_snapshot_round_trip() -> None:
    domain = GoogleDomain(
        domain="acme.example",
        users={"a@acme.example": GoogleUser(primary_email="a@acme.example", aliases=["b@x"])},
        services={f"{PROJECT}/gmail.googleapis.com": "ENABLED"},
        unavailable={"gmail": "no"},
    )
    snapshot = Snapshot(google={"acme": domain})
    assert Snapshot.from_json(snapshot.to_json()) == snapshot
    assert domain.imap_of("a@acme.example") == domain.pop_of("x")
    assert domain.service_state(PROJECT, "gmail.googleapis.com") == "ENABLED"


def test_every_google_rule_is_documented() -> None:
    google = [rule for rule in LIVE_RULES if rule.id.startswith("live-google-")]
    assert len(google) == 13
    for rule in google:
        assert rule.family == "live-google"
        for part in ("**What.**", "**Why.**", "**Fix.**", "Source:"):
            assert part in rule.doc, (rule.id, part)
    result = CliRunner().invoke(app, ["explain", "live-google-delegation-unverifiable"])
    assert result.exit_code == 0
    assert "Domain-wide" in result.output


def test_google_live_rule_settings_are_validated_offline(tmp_path: Path) -> None:
    text = GOOGLE_CONFIG.read_text(encoding="utf-8") + (
        "rules:\n"
        '  live-google-redirect-uris-unverifiable: {severity: "off"}\n'
        "  live-google-user-missing: {options: {nope: 1}}\n"
    )
    path = tmp_path / "mailoauth.yaml"
    path.write_text(text, encoding="utf-8")
    findings = validate_file(path, as_of=AS_OF).findings
    assert [f.location.path for f in findings if f.rule == "rule-settings-invalid"] == [
        "rules.live-google-user-missing.options.nope"
    ]


def test_permissions_command_lists_the_google_needs() -> None:
    result = CliRunner().invoke(app, ["permissions"])
    assert result.exit_code == 0
    for needed in (
        "https://www.googleapis.com/auth/admin.directory.user.readonly",
        "https://www.googleapis.com/auth/admin.directory.user.security",
        "https://www.googleapis.com/auth/gmail.settings.basic",
        "https://www.googleapis.com/auth/cloud-platform.read-only",
        "roles/serviceusage.serviceUsageViewer",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "MAILOAUTH_CFG_GOOGLE_CREDENTIALS_<PROVIDER>",
        "Domain-wide delegation",
        "Application.Read.All",  # the Microsoft part is still there
    ):
        assert needed in result.output, needed


PROBE = """
import json, sys
from mailoauth_cfg.cli import app
try:
    app(sys.argv[1:], standalone_mode=True)
except SystemExit as exc:
    code = exc.code
names = {m.split('.')[0] for m in sys.modules}
sys.stderr.write(json.dumps({"code": code, "heavy": sorted(names & set(HEAVY))}) + "\\n")
"""


def probe(*args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", f"HEAVY = {GOOGLE_MODULES!r}\n{PROBE}", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return dict(json.loads(done.stderr.strip().splitlines()[-1]))


def test_offline_validate_imports_no_google_module(tmp_path: Path) -> None:
    assert probe("validate", "examples/contoso/mailoauth.yaml") == {"code": 0, "heavy": []}
    saved = tmp_path / "snapshot.json"
    saved.write_text(
        Snapshot(google={"acme": GoogleDomain(domain="acme.example")}).to_json(), "utf-8"
    )
    replay = probe("validate", str(GOOGLE_CONFIG), "--snapshot", str(saved))
    assert replay == {"code": 3, "heavy": []}
    assert probe("permissions") == {"code": 0, "heavy": []}

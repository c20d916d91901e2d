"""Unit tests of the Google rules: dates, severities, messages, fixes and helpers."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from mailoauth_cfg.catalog.dates import GOOGLE_LSA_PERSONAL_REMOVED, GOOGLE_LSA_WORKSPACE_OFF
from mailoauth_cfg.catalog.google import TESTING_REFRESH_TOKEN_DAYS
from mailoauth_cfg.findings import Finding, Severity, Status
from mailoauth_cfg.rules import all_rules
from mailoauth_cfg.rules.google import RULES
from mailoauth_cfg.rules.google.google_redirect_uri_invalid import problems
from mailoauth_cfg.rules.google.google_redirect_uri_missing import difference
from mailoauth_cfg.validation import validate_file

AS_OF = dt.date(2026, 11, 22)
BY_ID = {rule.id: rule for rule in RULES}

WORKSPACE = """\
version: 1
providers:
  acme:
    type: google
    domain: acme.example
    consent_screen: {audience: internal, status: production}
"""
WEB_ID = "412345678901-k3j4h5g6f7d8s9a0p1o2i3u4y5t6r7e8.apps.googleusercontent.com"
DESKTOP_ID = "412345678901-q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6.apps.googleusercontent.com"


def run(tmp_path: Path, text: str, rule_id: str, as_of: dt.date = AS_OF) -> list[Finding]:
    """Findings of one rule on a config written to a temporary file."""
    path = tmp_path / "mailoauth.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    result = validate_file(path, as_of=as_of, rules=[BY_ID[rule_id]])
    loading = [f for f in result.findings if f.rule != rule_id]
    assert not loading, [f.message for f in loading]
    return [f for f in result.findings if f.status is Status.FAIL]


def test_google_family_is_registered_and_prefixed() -> None:
    ids = {rule.id for rule in all_rules()}
    assert set(BY_ID) <= ids
    assert all(rule.id.startswith("google-") and rule.family == "google" for rule in RULES)
    assert len(RULES) >= 14


# --- google-less-secure-apps-retired -------------------------------------------------------

LSA = (
    WORKSPACE
    + """\
  gmail: {type: google, account: consumer}
users:
  - {email: helpdesk@acme.example, provider: acme}
  - {email: alerts@gmail.com, provider: gmail}
targets:
  helpdesk: {type: glpi, url: "https://support.acme.example", auth: password,
             users: [helpdesk@acme.example]}
  cron: {type: msmtp, auth: password, users: [alerts@gmail.com]}
"""
)


@pytest.mark.parametrize(
    ("as_of", "helpdesk", "cron"),
    [
        (dt.date(2022, 5, 29), Severity.WARNING, Severity.WARNING),
        (GOOGLE_LSA_PERSONAL_REMOVED.date, Severity.WARNING, Severity.ERROR),
        (dt.date(2025, 3, 13), Severity.WARNING, Severity.ERROR),
        (GOOGLE_LSA_WORKSPACE_OFF.date, Severity.ERROR, Severity.ERROR),
    ],
)
def test_lsa_severity_follows_the_dates(
    tmp_path: Path, as_of: dt.date, helpdesk: Severity, cron: Severity
) -> None:
    found = {f.object_name: f for f in run(tmp_path, LSA, "google-less-secure-apps-retired", as_of)}
    assert found["target:helpdesk"].severity is helpdesk
    assert found["target:cron"].severity is cron


def test_lsa_messages_carry_the_dates(tmp_path: Path) -> None:
    found = {f.object_name: f for f in run(tmp_path, LSA, "google-less-secure-apps-retired")}
    workspace = found["target:helpdesk"].message
    assert "2025-03-14" in workspace
    assert "2024-09-30" in workspace
    assert "2024-06-15" in workspace
    assert "2022-05-30" in found["target:cron"].message
    before = run(tmp_path, LSA, "google-less-secure-apps-retired", dt.date(2024, 1, 1))
    assert any("stops working on 2025-03-14" in f.message for f in before)
    assert all("app-password" in f.fix and "oauth2" in f.fix for f in found.values())


# --- google-testing-refresh-token-expiry ---------------------------------------------------

TESTING = f"""\
version: 1
providers:
  gmail:
    type: google
    account: consumer
    consent_screen: {{audience: external, status: testing}}
apps:
  desktop: {{provider: gmail, platform: desktop, client_id: {DESKTOP_ID}}}
  web: {{provider: gmail, client_id: {WEB_ID}}}
users:
  - {{email: alerts@gmail.com, provider: gmail}}
targets:
"""


def test_testing_expiry_is_a_warning_for_interactive_targets_only(tmp_path: Path) -> None:
    text = TESTING + (
        "  cloud: {type: nextcloud-mail, url: 'https://c.example', app: web,"
        " users: [alerts@gmail.com], protocols: [imap]}\n"
    )
    (finding,) = run(tmp_path, text, "google-testing-refresh-token-expiry")
    assert finding.severity is Severity.WARNING
    assert f"{TESTING_REFRESH_TOKEN_DAYS} days" in finding.message
    assert "Publish app" in finding.fix
    assert "status: production" in finding.fix
    assert "audience: internal" not in finding.fix  # consumer accounts cannot go Internal


def test_testing_expiry_is_a_warning_naming_unattended_targets(tmp_path: Path) -> None:
    text = TESTING + (
        "  relay: {type: postfix-sasl-xoauth2, app: desktop, users: [alerts@gmail.com]}\n"
        "  cloud: {type: nextcloud-mail, url: 'https://c.example', app: web,"
        " users: [alerts@gmail.com], protocols: [imap]}\n"
    )
    (finding,) = run(tmp_path, text, "google-testing-refresh-token-expiry")
    assert finding.severity is Severity.WARNING, "7-day tokens break later: a warning"
    assert "relay will stop sending" in finding.message
    assert "cloud, relay" in finding.fix


# --- google-consent-screen-undeclared ------------------------------------------------------


def test_undeclared_consent_screen_ignores_service_accounts(tmp_path: Path) -> None:
    text = """\
    version: 1
    providers:
      acme: {type: google, domain: acme.example}
    apps:
      sa: {provider: acme, flow: app-only, client_id: "113456789012345678901"}
    users:
      - {email: erp@acme.example, provider: acme}
    targets:
      erp: {type: msmtp, app: sa, users: [erp@acme.example]}
    """
    assert run(tmp_path, text, "google-consent-screen-undeclared") == []


# --- google-client-id-format ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        (" " + WEB_ID, "spaces"),
        ("412345678901", "only a number"),
        ("412345678901-abc.apps.googleusercontent.com.", "does not match"),
    ],
)
def test_client_id_hints(tmp_path: Path, value: str, hint: str) -> None:
    text = WORKSPACE + f'apps:\n  web: {{provider: acme, client_id: "{value}"}}\n'
    (finding,) = run(tmp_path, text, "google-client-id-format")
    assert hint in finding.message
    assert "apps.googleusercontent.com" in finding.fix


# --- google-mail-scope-missing -------------------------------------------------------------


def test_imap_admin_scope_is_enough_for_a_service_account_reading_imap(tmp_path: Path) -> None:
    text = (
        WORKSPACE
        + """\
apps:
  sa:
    provider: acme
    flow: app-only
    client_id: "113456789012345678901"
    permissions: [https://www.googleapis.com/auth/gmail.imap_admin]
users:
  - {email: erp@acme.example, provider: acme}
targets:
  proxy: {type: email-oauth2-proxy, app: sa, users: [erp@acme.example], protocols: [imap]}
"""
    )
    assert run(tmp_path, text, "google-mail-scope-missing") == []
    sending = text.replace("protocols: [imap]", "protocols: [imap, smtp]")
    (finding,) = run(tmp_path, sending, "google-mail-scope-missing")
    assert "IMAP/SMTP" in finding.message


def test_mail_scope_ignored_for_app_password_targets(tmp_path: Path) -> None:
    text = (
        WORKSPACE
        + f"""\
apps:
  web: {{provider: acme, client_id: {WEB_ID}, permissions: [openid]}}
users:
  - {{email: scans@acme.example, provider: acme, two_step_verification: true}}
targets:
  portal:
    type: openbee
    url: https://acme.openbeecloud.com
    app: web
    auth: app-password
    app_password: {{env: PW}}
    users: [scans@acme.example]
"""
    )
    assert run(tmp_path, text, "google-mail-scope-missing") == []


# --- google-client-type-mismatch -----------------------------------------------------------


def test_public_platform_fix_names_the_type_the_targets_need(tmp_path: Path) -> None:
    text = (
        WORKSPACE
        + f"""\
apps:
  web: {{provider: acme, platform: public, client_id: {WEB_ID}}}
users:
  - {{email: helpdesk@acme.example, provider: acme}}
targets:
  helpdesk: {{type: glpi, url: "https://support.acme.example", app: web,
             users: [helpdesk@acme.example]}}
"""
    )
    (finding,) = run(tmp_path, text, "google-client-type-mismatch")
    assert finding.fix == "set `platform: web`"


def test_web_client_for_desktop_targets_is_a_warning(tmp_path: Path) -> None:
    text = (
        WORKSPACE
        + f"""\
apps:
  web: {{provider: acme, client_id: {WEB_ID}, platform: web}}
users:
  - {{email: notify@acme.example, provider: acme}}
targets:
  relay: {{type: postfix-sasl-xoauth2, app: web, users: [notify@acme.example]}}
"""
    )
    (finding,) = run(tmp_path, text, "google-client-type-mismatch")
    assert finding.severity is Severity.WARNING
    assert "platform: desktop" in finding.fix


# --- google-app-password-requires-2sv ------------------------------------------------------


def test_two_step_verification_is_reported_once_per_user(tmp_path: Path) -> None:
    text = """\
    version: 1
    providers:
      gmail: {type: google, account: consumer}
    users:
      - {email: scans@gmail.com, provider: gmail}
    targets:
      a: {type: openbee, url: "https://a.openbeecloud.com", auth: app-password,
          app_password: {env: A}, users: [scans@gmail.com]}
      b: {type: openbee, url: "https://b.openbeecloud.com", auth: app-password,
          app_password: {env: B}, users: [scans@gmail.com]}
    """
    (finding,) = run(tmp_path, text, "google-app-password-requires-2sv")
    assert finding.object_name == "user:scans@gmail.com"
    assert "targets a, b" in finding.message
    assert "two_step_verification: true" in finding.fix


# --- google-redirect-uri-invalid / -missing helpers ----------------------------------------


@pytest.mark.parametrize(
    ("uri", "fragment"),
    [
        ("http://erp.acme.example/cb", "http is allowed only"),
        ("urn:ietf:wg:oauth:2.0:oob:auto", "out-of-band"),
        ("https://erp.acme.example/a/../cb", "path traversal"),
        ("https://erp.googleusercontent.com/cb", "googleusercontent.com"),
        ("ftp://erp.acme.example/cb", "not http(s)"),
    ],
)
def test_redirect_problems(uri: str, fragment: str) -> None:
    found, fix = problems(uri)
    assert any(fragment in p for p in found), found
    assert fix


@pytest.mark.parametrize(
    "uri",
    [
        "https://erp.acme.example/cb",
        "http://localhost:8080/cb",
        "http://127.0.0.1/",
        "http://[::1]/",
    ],
)
def test_redirect_accepted(uri: str) -> None:
    assert problems(uri)[0] == []


def test_http_fix_is_the_https_uri() -> None:
    _, fix = problems("http://erp.acme.example/cb")
    assert fix == "use https://erp.acme.example/cb"


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ("https://erp.example/cb/", "trailing slash"),
        ("http://erp.example/cb", "scheme http instead of https"),
        ("https://ERP.example/cb", "letter case of the host"),
        ("https://erp.example:8443/cb", "host/port erp.example:8443 instead of erp.example"),
        ("https://erp.example/CB", "letter case of the path"),
    ],
)
def test_redirect_near_miss_differences(declared: str, expected: str) -> None:
    assert difference("https://erp.example/cb", declared) == expected


def test_redirect_unrelated_uri_is_no_near_miss() -> None:
    assert difference("https://erp.example/cb", "https://other.example/cb") is None
    assert difference("https://erp.example/cb", "https://erp.example/cb") is None


def test_missing_redirect_ignores_computed_lists(tmp_path: Path) -> None:
    text = (
        WORKSPACE
        + f"""\
apps:
  web: {{provider: acme, client_id: {WEB_ID}}}
users:
  - {{email: helpdesk@acme.example, provider: acme}}
targets:
  helpdesk: {{type: glpi, url: "https://support.acme.example", app: web,
             users: [helpdesk@acme.example]}}
"""
    )
    assert run(tmp_path, text, "google-redirect-uri-missing") == []


# --- google-user-domain-mismatch -----------------------------------------------------------


def test_domain_mismatch_fix_is_a_ready_suppression(tmp_path: Path) -> None:
    text = WORKSPACE + "users:\n  - {email: a@acme-shop.example, provider: acme}\n"
    (finding,) = run(tmp_path, text, "google-user-domain-mismatch")
    assert "secondary domain" in finding.message
    assert "rule: google-user-domain-mismatch" in finding.fix


def test_malformed_redirect_does_not_crash() -> None:
    assert problems("http://[::1/cb")[0] == ["it is not a URL (malformed host)"]
    assert difference("https://erp.example/cb", "http://[::1/cb") is None

"""Unit tests of the cross-object rules and the shared redirect URI comparison."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from mailoauth_cfg.findings import Finding, Status
from mailoauth_cfg.rules import all_rules
from mailoauth_cfg.rules.general import RULES
from mailoauth_cfg.rules.general._redirects import near_miss, same_redirect
from mailoauth_cfg.validation import validate_file

AS_OF = dt.date(2026, 11, 22)
BY_ID = {rule.id: rule for rule in RULES}


def run(tmp_path: Path, text: str, rule_id: str) -> list[Finding]:
    path = tmp_path / "mailoauth.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    result = validate_file(path, as_of=AS_OF, rules=[BY_ID[rule_id]])
    loading = [f for f in result.findings if f.rule != rule_id]
    assert not loading, [f.message for f in loading]
    return [f for f in result.findings if f.status is Status.FAIL]


def test_general_family_is_registered() -> None:
    ids = {rule.id for rule in all_rules()}
    assert set(BY_ID) == {"secret-literal", "redirect-uri-stale", "app-unused"}
    assert set(BY_ID) <= ids
    assert all(rule.family == "general" for rule in RULES)


@pytest.mark.parametrize(
    ("sent", "registered", "provider", "same"),
    [
        ("http://localhost", "http://localhost/", "microsoft", True),
        ("http://localhost:3017/", "http://localhost/", "microsoft", True),
        ("http://127.0.0.1:8080/cb", "http://127.0.0.1/cb", "microsoft", True),
        ("http://[::1]:8080/", "http://[::1]/", "microsoft", True),
        ("http://localhost:3017/", "http://127.0.0.1:3017/", "microsoft", False),
        ("https://erp.example.com:8443/cb", "https://erp.example.com/cb", "microsoft", False),
        ("https://erp.example.com/cb", "https://erp.example.com/cb/", "microsoft", False),
        ("https://erp.example.com/cb", "https://erp.example.com/CB", "microsoft", False),
        ("http://localhost:3017/", "http://localhost/", "google", False),
        ("https://erp.example.com/cb", "https://erp.example.com/cb", "google", True),
    ],
)
def test_same_redirect(sent: str, registered: str, provider: str, same: bool) -> None:
    assert same_redirect(sent, registered, provider) is same


def test_near_miss_kinds() -> None:
    base = "https://erp.example.com/core/cb.php"
    assert near_miss(base, base.upper().replace("HTTPS", "https"), "microsoft") == "case"
    assert near_miss(base, base + "/", "microsoft") == "slash"
    assert near_miss(base, base.replace("cb", "CB") + "/", "microsoft") == "case-and-slash"
    assert near_miss(base, "https://other.example.com/core/cb.php", "microsoft") is None
    assert near_miss(base, base, "microsoft") is None


def test_stale_redirect_is_skipped_when_a_target_redirect_is_unknown(tmp_path: Path) -> None:
    text = """\
    version: 1
    providers:
      contoso: {type: microsoft, tenant: 6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d}
    apps:
      a:
        provider: contoso
        client_id: 1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b
        client_secret: {env: S, expires: 2027-05-31}
        redirect_uris: [https://c.openbeecloud.com/anything]
    users:
      - {email: u@contoso.com, provider: contoso}
    targets:
      portal: {type: openbee, url: 'https://c.openbeecloud.com', app: a, users: [u@contoso.com]}
    """
    assert run(tmp_path, text, "redirect-uri-stale") == []
    known = text.replace("app: a,", "redirect_path: /oauth2/callback, app: a,")
    (finding,) = run(tmp_path, known, "redirect-uri-stale")
    assert finding.location.path == "apps.a.redirect_uris[0]"
    assert finding.fix.startswith("remove https://c.openbeecloud.com/anything from")


def test_stale_redirect_ignores_apps_without_targets(tmp_path: Path) -> None:
    text = """\
    version: 1
    providers:
      contoso: {type: microsoft, tenant: 6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d}
    apps:
      a:
        provider: contoso
        client_id: 1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b
        redirect_uris: [https://erp.contoso.com/cb]
    """
    assert run(tmp_path, text, "redirect-uri-stale") == []
    assert [f.rule for f in run(tmp_path, text, "app-unused")] == ["app-unused"]

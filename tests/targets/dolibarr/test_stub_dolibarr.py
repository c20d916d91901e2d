"""Dolibarr and MultiSMTP, rendered and run under PHP against a stub built on the verified facts.

Each test is one of the defects found on the real programs; the stub (``stub.py``) behaves as
Dolibarr 23 and MultiSMTP do where each fact matters.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from mailoauth_cfg.findings import Severity
from mailoauth_cfg.validation import validate_file
from tests.rendering.support import render_config, require
from tests.targets.dolibarr.stub import run_script

SECRET = "CANARY-doli-3f9a"
TENANT = "6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d"
AS_OF = "2026-11-22"

HEAD = f"""\
version: 1
providers:
  contoso: {{type: microsoft, tenant: {TENANT}}}
  acme:
    type: google
    domain: acme.example
    consent_screen: {{audience: internal, status: production}}
apps:
  erp-mail:
    provider: contoso
    client_id: 1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b
    client_secret: {{env: DOLI_SECRET, created: 2026-06-01, expires: 2028-06-01}}
    platform: web
  erp-google:
    provider: acme
    client_id: 412345678901-k3j4h5g6f7d8s9a0p1o2i3u4y5t6r7e8.apps.googleusercontent.com
    client_secret: {{env: DOLI_SECRET}}
    platform: web
users:
  - {{email: jean.dupont@contoso.com, provider: contoso}}
  - {{email: marie.curie@contoso.com, provider: contoso}}
  - {{email: billing@acme.example, provider: acme}}
targets:
"""


def render(tmp_path: Path, targets: str) -> dict[str, str]:
    """Render ``targets`` (YAML under ``targets:``); path → text, written under ``out/``."""
    config = tmp_path / "mailoauth.yaml"
    config.write_text(HEAD + targets, encoding="utf-8")
    result = render_config(config, {"DOLI_SECRET": SECRET})
    assert not result.findings, [f.message for f in result.findings]
    out: dict[str, str] = {}
    for f in result.files:
        path = tmp_path / "out" / f.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(f.content)
        out[f.path] = f.content.decode("utf-8")
    return out


def php(tmp_path: Path, script: str, ask: dict[str, list[Any]]) -> dict[str, Any]:
    return run_script(require("php", "php-cli"), tmp_path / "out" / script, tmp_path, ask)


MULTI = """\
  erp-multi:
    type: dolibarr-multismtp
    url: https://erp.contoso.com
    version: "23.0.1"
    app: erp-mail
    users: [jean.dupont@contoso.com, marie.curie@contoso.com]
    user_ids: {jean.dupont@contoso.com: 12, marie.curie@contoso.com: 15}
"""


# --- MultiSMTP (defects of the per-user setup) -------------------------------------------------


def test_multismtp_users_send_with_their_own_core_service(tmp_path: Path) -> None:
    """Per-user custom credentials without an OAuth service are never applied: MultiSMTP falls
    back to the global service. Each user must select a core OAuth service of their own."""
    render(tmp_path, MULTI)
    data = php(
        tmp_path,
        "erp-multi/multismtp.php",
        {"jean": ["multismtp_credentials", [12]], "marie": ["multismtp_credentials", [15]]},
    )
    jean, marie = data["answers"]["jean"], data["answers"]["marie"]
    assert jean["service"], "no OAuth service: the custom credentials would be dead"
    assert jean["service"] != marie["service"], "one entry, one token: one per user"
    for who, creds in (("jean.dupont@contoso.com", jean), ("marie.curie@contoso.com", marie)):
        assert creds["login"] == who
        assert creds["mechanism"] == "XOAUTH2"
        assert creds["client_id"] == "1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b"
        assert creds["secret"] == SECRET
        assert creds["tenant"] == TENANT
        assert creds["scope"] == "offline_access,https://outlook.office.com/SMTP.Send"
    assert jean["service"] == "MICROSOFT3-JeanDupontMicrosoft365"


def test_multismtp_users_bound_to_one_entry_are_rejected(tmp_path: Path) -> None:
    config = tmp_path / "mailoauth.yaml"
    config.write_text(
        HEAD + MULTI + "    accounts:\n"
        "      jean.dupont@contoso.com: {entry: Shared}\n"
        "      marie.curie@contoso.com: {entry: Shared}\n",
        encoding="utf-8",
    )
    result = validate_file(config, as_of=__import__("datetime").date.fromisoformat(AS_OF))
    (finding,) = [f for f in result.findings if f.rule == "target-entry-shared"]
    assert finding.severity is Severity.ERROR


def test_multismtp_readme_says_which_redirect_uri_the_token_link_uses(tmp_path: Path) -> None:
    """ "Get new Token" uses the core callback: registering the module path the Email tab shows
    fails with AADSTS50011."""
    files = render(tmp_path, MULTI)
    readme = files["erp-multi/README.md"]
    core = "https://erp.contoso.com/core/modules/oauth/microsoft3_oauthcallback.php"
    assert f"**Get new Token** uses the core callback `{core}`" in readme
    assert "that is the URI to register on the app" in readme
    assert core in files["_apps/erp-mail/registration.md"]
    assert "custom/multismtp/core/oauth" not in files["_apps/erp-mail/registration.md"]


def test_multismtp_says_the_email_tab_hides_a_microsoft3_token_and_the_workaround(
    tmp_path: Path,
) -> None:
    """MultiSMTP looks tokens up by the provider's display name: for MICROSOFT3 its Email tab
    never shows the token (Google is unaffected)."""
    files = render(tmp_path, MULTI)
    readme = files["erp-multi/README.md"]
    assert "The Email tab shows no token for this provider." in readme
    assert "check the token on\n  **Token Manager**" in readme
    runbook = files["erp-multi/bootstrap/jean.dupont@contoso.com.md"]
    assert "will not show this token" in runbook
    google = render(
        tmp_path,
        MULTI.replace("erp-mail", "erp-google")
        .replace("[jean.dupont@contoso.com, marie.curie@contoso.com]", "[billing@acme.example]")
        .replace(
            "{jean.dupont@contoso.com: 12, marie.curie@contoso.com: 15}",
            "{billing@acme.example: 3}",
        ),
    )
    assert "shows no token" not in google["erp-multi/README.md"]


def test_multismtp_warns_before_checking_the_email_tab(tmp_path: Path) -> None:
    """Saving the Email tab blanks a MICROSOFT3 tenant (its form has no Tenant field): the warning
    comes before the step that sends the user to the tab."""
    readme = render(tmp_path, MULTI)["erp-multi/README.md"]
    warning = readme.index("saving it with custom MICROSOFT3 credentials blanks the tenant")
    check = readme.index("Then open each user's card › **Email** tab and check")
    assert warning < check


# --- Dolibarr core (defects of the core module's setup) ------------------------------------------

CORE = """\
  erp:
    type: dolibarr
    url: https://erp.contoso.com
    version: "{version}"
    app: erp-mail
    users: [jean.dupont@contoso.com]
    contexts: {contexts}
"""


def test_every_context_switched_to_oauth_logs_in_with_xoauth2(tmp_path: Path) -> None:
    """Dolibarr takes the SASL mechanism from the main setting only: each rendered context must
    end up with XOAUTH2 and its own OAuth service."""
    render(tmp_path, CORE.format(version="23.0.1", contexts="[main, ticket, emailing]"))
    contexts = ("main", "ticket", "emailing")
    data = php(tmp_path, "erp/dolibarr-oauth.php", {c: ["smtps_login", [c]] for c in contexts})
    for context in contexts:
        assert data["answers"][context] == {
            "login": "jean.dupont@contoso.com",
            "service": "MICROSOFT3-Emails",
            "mechanism": "XOAUTH2",
        }, context


def test_a_context_without_main_is_rejected_before_rendering(tmp_path: Path) -> None:
    config = tmp_path / "mailoauth.yaml"
    config.write_text(HEAD + CORE.format(version="23.0.1", contexts="[ticket]"), encoding="utf-8")
    result = validate_file(config, as_of=__import__("datetime").date.fromisoformat(AS_OF))
    (finding,) = [f for f in result.findings if f.rule == "dolibarr-context-auth-type"]
    assert finding.severity is Severity.ERROR
    (edit,) = finding.edits
    assert (edit.op, edit.value) == ("add", "main")


@pytest.mark.parametrize(
    ("version", "force", "sent"),
    [("23.0.1", "select_account", "consent"), ("25.0.0", "select_account", "select_account")],
)
def test_the_runbook_states_the_prompt_dolibarr_sends(
    tmp_path: Path, version: str, force: str, sent: str
) -> None:
    """OAUTH_MICROSOFT3_FORCE_PROMPT exists only with the fix of PR #40257; before it the
    MICROSOFT3 callback sends prompt=consent."""
    files = render(
        tmp_path,
        CORE.format(version=version, contexts="[main]") + f"    force_prompt: {force}\n",
    )
    data = php(tmp_path, "erp/dolibarr-oauth.php", {"prompt": ["microsoft3_prompt", [version]]})
    assert data["answers"]["prompt"] == sent
    runbook = files["erp/bootstrap/jean.dupont@contoso.com.md"]
    assert f"sends `prompt={sent}`" in runbook
    assert ("OAUTH_MICROSOFT3_FORCE_PROMPT" in data["consts"]) is (sent != "consent")


def test_runbook_labels_are_the_pages_own(tmp_path: Path) -> None:
    files = render(tmp_path, CORE.format(version="23.0.1", contexts="[main]"))
    text = files["erp/README.md"] + files["erp/bootstrap/jean.dupont@contoso.com.md"]
    for label in (
        "OAuth2 token management",
        "Token Manager",
        "Get new Token",
        "Delete Token",
        "Test sending",
        "Microsoft Exchange Online [SMTP/IMAP] (Emails)",
    ):
        assert label in text.replace("\\[", "[").replace("\\]", "]"), label
    for stale in ("Token generation", "Get access", "Send a test e-mail"):
        assert stale not in text, stale


def test_google_entry_authorize_url_and_scopes_are_dolibarrs(tmp_path: Path) -> None:
    files = render(
        tmp_path,
        """\
  erp-g:
    type: dolibarr
    url: https://erp.acme.example
    version: 22
    app: erp-google
    users: [billing@acme.example]
""",
    )
    data = php(tmp_path, "erp-g/dolibarr-oauth.php", {"auth": ["google_authorize", ["Emails"]]})
    auth = data["answers"]["auth"]
    assert auth == {
        "url": "https://accounts.google.com/o/oauth2/auth",
        "scope": "https://mail.google.com/ openid email",
    }
    runbook = files["erp-g/bootstrap/billing@acme.example.md"]
    assert f"The browser goes to `{auth['url']}`" in runbook
    listed = re.findall(r"^   - `([^`]+)`$", runbook, re.M)
    assert " ".join(listed) == auth["scope"]


@pytest.mark.parametrize("label", ["Mail_ID", "Mail-2", "Mail 2"])
def test_labels_outside_the_add_forms_pattern_are_rejected(tmp_path: Path, label: str) -> None:
    config = tmp_path / "mailoauth.yaml"
    config.write_text(
        HEAD + CORE.format(version="23", contexts="[main]") + f"    label: '{label}'\n",
        encoding="utf-8",
    )
    result = validate_file(config, as_of=__import__("datetime").date.fromisoformat(AS_OF))
    assert [f.rule for f in result.findings if f.severity is Severity.ERROR] == [
        "target-setting-invalid"
    ]

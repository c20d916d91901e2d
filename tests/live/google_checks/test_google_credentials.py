"""As whom the Google checks read: a service account with domain-wide delegation (the
administrator for the Directory, each mailbox for Gmail, itself for Service Usage) or user
credentials; and what is reported when that identity is not allowed something."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mailoauth_cfg.findings import Status
from mailoauth_cfg.live.google.permissions import GMAIL_SETTINGS_SCOPE
from tests.emulators.google import GoogleEmulator, GoogleScenario
from tests.live.conftest import Live
from tests.live.google_checks.conftest import ADMIN, quiet


def test_service_account_impersonates_the_admin_and_each_mailbox(
    google: GoogleEmulator, google_live: Callable[..., Live]
) -> None:
    assert google_live(quiet).findings == []
    # One token as the administrator (Directory), one per mailbox whose Gmail settings are
    # read, one for the service account itself (Service Usage); no token for other mailboxes.
    assert sorted(google.subjects, key=str) == sorted(
        [ADMIN, "crm@acme.example", "helpdesk@acme.example", "archive@acme.example", None],
        key=str,
    )


def test_user_credentials_read_the_directory_but_only_their_own_gmail(
    google: GoogleEmulator, google_live: Callable[..., Live]
) -> None:
    result = google_live(quiet, env=google.environment(user=True))
    assert result.rules == set()
    unknown = {f.rule for f in result.unknown}
    assert unknown == {"live-google-imap-pop-disabled", "live-google-send-as-missing"}
    assert all("Delegation denied for admin@acme.example" in f.message for f in result.unknown)
    assert all("user credentials read their own mailbox only" in f.message for f in result.unknown)
    assert google.stats.requests["token"] == 1  # one refresh-token grant for everything


def test_delegation_not_allowed_for_gmail(
    google_scenario: GoogleScenario, google_live: Callable[..., Live]
) -> None:
    google_scenario.delegation["118000000000000000001"].remove(GMAIL_SETTINGS_SCOPE)
    result = google_live(quiet)
    assert result.rules == set()
    assert {f.rule for f in result.unknown} == {
        "live-google-imap-pop-disabled",
        "live-google-send-as-missing",
    }
    for finding in result.unknown:
        assert "unauthorized_client" in finding.message
        assert "checker@acme-ops.iam.gserviceaccount.com (client ID 118000000000000000001)" in (
            finding.message
        )
        assert "Domain-wide delegation" in finding.message
    gmail = result.fetched.snapshot.google["acme"]
    assert gmail.unavailable["gmail"].startswith("token for Gmail")


def test_missing_admin_makes_the_directory_unknown(google_live: Callable[..., Live]) -> None:
    def no_admin(data: dict[str, Any]) -> None:
        quiet(data)
        del data["providers"]["acme"]["admin"]

    result = google_live(no_admin)
    assert result.rules == set()
    messages = [f.message for f in result.unknown]
    assert messages
    assert all("providers.acme.admin is not set" in m for m in messages)
    assert "live-google-user-missing" in {f.rule for f in result.unknown}
    # Gmail and Service Usage did not need the administrator.
    domain = result.fetched.snapshot.google["acme"]
    assert domain.imap
    assert domain.services


def test_admin_without_privileges(
    google_scenario: GoogleScenario, google_live: Callable[..., Live]
) -> None:
    google_scenario.denied = ["directory:tokens.list", "directory:asps.list"]
    result = google_live(quiet)
    assert result.rules == set()
    rules = {f.rule for f in result.unknown}
    assert rules == {"live-google-consent-missing", "live-google-app-password-missing"}
    assert all("admin.directory.user.security" in f.message for f in result.unknown)


def test_service_account_not_a_project_viewer(
    google_scenario: GoogleScenario, google_live: Callable[..., Live]
) -> None:
    google_scenario.projects["412345678901"]["viewers"] = []
    (finding,) = google_live(quiet).findings
    assert finding.rule == "live-google-gmail-api-disabled"
    assert finding.status is Status.UNKNOWN
    assert "HTTP 403 PERMISSION_DENIED" in finding.message
    assert "roles/serviceusage.serviceUsageViewer" in finding.message


def test_wrong_key_is_one_incomplete_provider(
    google: GoogleEmulator, google_live: Callable[..., Live], tmp_path: Path
) -> None:
    info = google.key_info()
    info["private_key_id"] = "0" * 40  # a key Google does not know
    path = tmp_path / "other.json"
    path.write_text(json.dumps(info), encoding="utf-8")
    result = google_live(quiet, env={"GOOGLE_APPLICATION_CREDENTIALS": str(path)})
    (finding,) = result.findings
    assert finding.rule == "live-check-incomplete"
    assert "invalid_grant: Invalid JWT Signature." in finding.message


def test_no_credentials_is_one_incomplete_provider(google_live: Callable[..., Live]) -> None:
    (finding,) = google_live(quiet, env={}).findings
    assert finding.rule == "live-check-incomplete"
    assert finding.status is Status.UNKNOWN
    assert "set GOOGLE_APPLICATION_CREDENTIALS" in finding.message


def test_per_provider_key_wins(
    google: GoogleEmulator, google_live: Callable[..., Live], tmp_path: Path
) -> None:
    good = google.environment()["GOOGLE_APPLICATION_CREDENTIALS"]
    env = {
        "GOOGLE_APPLICATION_CREDENTIALS": str(tmp_path / "missing.json"),
        "MAILOAUTH_CFG_GOOGLE_CREDENTIALS_ACME": good,
    }
    assert google_live(quiet, env=env).findings == []


def test_consumer_accounts_have_no_directory(google_live: Callable[..., Live]) -> None:
    def consumer(data: dict[str, Any]) -> None:
        quiet(data)
        data["providers"]["acme"]["account"] = "consumer"

    result = google_live(consumer)
    assert result.rules == set()
    assert any("have no Directory API" in f.message for f in result.unknown)
    assert any("domain-wide delegation exists only" in f.message for f in result.unknown)
    # Service Usage is still read.
    assert result.fetched.snapshot.google["acme"].services


def test_a_provider_with_nothing_to_read_still_runs_its_rules(
    google: GoogleEmulator, google_live: Callable[..., Live]
) -> None:
    def daemon_only(data: dict[str, Any]) -> None:
        data["apps"] = {"acme-daemon": data["apps"]["acme-daemon"]}
        data["users"] = []
        data["targets"] = {}

    result = google_live(daemon_only, env={})  # no credentials needed: nothing is read
    assert [f.rule for f in result.findings] == ["live-google-delegation-unverifiable"]
    assert google.stats.total == 0

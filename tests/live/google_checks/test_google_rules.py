"""Every Google live rule, passing (the baseline domain) and failing (one change to the domain or
the config each), through google-auth and google-api-python-client against the emulator."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest

from mailoauth_cfg.findings import Severity, Status
from mailoauth_cfg.live.rules import LIVE_RULES
from tests.emulators.google import GoogleEmulator, GoogleScenario
from tests.live.conftest import Live
from tests.live.google_checks.conftest import DESKTOP, PROJECT, UNVERIFIABLE, WEB, quiet

GOOGLE_RULES = {rule.id for rule in LIVE_RULES if rule.id.startswith("live-google-")}


def test_baseline_passes_every_google_live_rule(google_live: Callable[..., Live]) -> None:
    result = google_live()
    assert result.rules == set()
    assert {f.rule for f in result.unknown} == set(UNVERIFIABLE)
    domain = result.fetched.snapshot.google["acme"]
    assert domain.unavailable == {}
    # Every kind of fact was read, and only for the objects the config names.
    assert set(domain.users) == {
        "crm@acme.example",
        "helpdesk@acme.example",
        "notify@acme.example",
        "scans@acme.example",
        "archive@acme.example",
    }
    assert set(domain.tokens) == {
        "crm@acme.example",
        "helpdesk@acme.example",
        "notify@acme.example",
        "archive@acme.example",
    }
    assert [t.client_id for t in domain.tokens["crm@acme.example"]] == [WEB]  # not the other app
    assert set(domain.app_passwords) == {"scans@acme.example"}
    assert set(domain.imap) == {"crm@acme.example"}
    assert set(domain.pop) == {"archive@acme.example"}
    assert set(domain.send_as) == {"helpdesk@acme.example/support@acme.example"}
    assert domain.services == {f"{PROJECT}/gmail.googleapis.com": "ENABLED"}


def test_quiet_baseline_is_clean(google_live: Callable[..., Live]) -> None:
    assert google_live(quiet).findings == []


def test_environment_ca_variables_do_not_matter(
    google_live: Callable[..., Live], google: GoogleEmulator
) -> None:
    # This machine presets REQUESTS_CA_BUNDLE, HTTPLIB2_CA_CERTS & co. to the system bundle
    # the provider's ca_bundle is given to httplib2 explicitly, token requests
    # included, so the run works whatever they say.
    for name in ("REQUESTS_CA_BUNDLE", "HTTPLIB2_CA_CERTS", "SSL_CERT_FILE"):
        assert os.environ.get(name) != google.ca_file
    assert google_live(quiet).findings == []


def _user(s: GoogleScenario, email: str) -> dict[str, Any]:
    return s.user(email)


def _drop_user(s: GoogleScenario, email: str) -> None:
    s.users[:] = [u for u in s.users if u["primaryEmail"] != email]


def _use_alias(data: dict[str, Any]) -> None:
    data["users"][0]["email"] = "sales@acme.example"
    data["targets"]["odoo"]["users"] = ["sales@acme.example"]


def _declare_2sv(data: dict[str, Any]) -> None:
    data["users"][1]["two_step_verification"] = True


Change = Callable[[GoogleScenario], object]
ConfigChange = Callable[[dict[str, Any]], None] | None

CASES: dict[str, tuple[Change, ConfigChange, str]] = {
    # case: (domain change, config change, message fragment); the rule is the case's prefix
    "live-google-user-missing": (
        lambda s: _drop_user(s, "notify@acme.example"),
        None,
        "no Google user in domain acme.example has the address notify@acme.example",
    ),
    "live-google-user-suspended": (
        lambda s: _user(s, "crm@acme.example").update(suspended=True, suspensionReason="ADMIN"),
        None,
        "is suspended (ADMIN)",
    ),
    "live-google-user-suspended/archived": (
        lambda s: _user(s, "notify@acme.example").update(archived=True),
        None,
        "is archived",
    ),
    "live-google-user-no-mailbox": (
        lambda s: _user(s, "notify@acme.example").update(isMailboxSetup=False),
        None,
        "Gmail has no mailbox for notify@acme.example (organisational unit /Services)",
    ),
    "live-google-user-no-mailbox/imap-reader": (
        # Gmail answers 400 failedPrecondition for its settings: not an unknown IMAP state.
        lambda s: _user(s, "crm@acme.example").update(isMailboxSetup=False),
        None,
        "Gmail has no mailbox for crm@acme.example",
    ),
    "live-google-address-not-primary": (
        lambda s: None,
        _use_alias,
        "sales@acme.example is an alias of the Google account crm@acme.example",
    ),
    "live-google-two-step-verification": (
        lambda s: _user(s, "scans@acme.example").update(isEnrolledIn2Sv=False),
        None,
        "scans@acme.example is not enrolled in 2-Step Verification, but target scanner",
    ),
    "live-google-two-step-verification/drift": (
        lambda s: None,
        _declare_2sv,
        "declares two_step_verification: true but the Directory says it is not enrolled",
    ),
    "live-google-app-password-missing": (
        lambda s: _user(s, "scans@acme.example").update(asps=[]),
        None,
        "scans@acme.example has no app password, but target scanner",
    ),
    "live-google-consent-missing": (
        lambda s: _user(s, "crm@acme.example")["tokens"].pop(0),
        None,
        f"crm@acme.example has not granted OAuth client {WEB} (app acme-web), used by target odoo",
    ),
    "live-google-consent-missing/scope": (
        lambda s: _user(s, "notify@acme.example")["tokens"][0].update(
            scopes=["https://www.googleapis.com/auth/gmail.send"]
        ),
        None,
        f"granted OAuth client {DESKTOP} (app acme-desktop) without https://mail.google.com/",
    ),
    "live-google-send-as-missing": (
        lambda s: s.gmail("helpdesk@acme.example").update(sendAs=[]),
        None,
        "support@acme.example is not a send-as address of helpdesk@acme.example",
    ),
    "live-google-send-as-missing/pending": (
        lambda s: s.gmail("helpdesk@acme.example")["sendAs"][0].update(
            verificationStatus="pending"
        ),
        None,
        "is not verified (verificationStatus pending)",
    ),
    "live-google-imap-pop-disabled": (
        lambda s: s.gmail("crm@acme.example")["imap"].update(enabled=False),
        None,
        "IMAP is disabled in the Gmail settings of crm@acme.example",
    ),
    "live-google-imap-pop-disabled/pop": (
        lambda s: s.gmail("archive@acme.example")["pop"].update(accessWindow="disabled"),
        None,
        "POP is disabled in the Gmail settings of archive@acme.example",
    ),
    "live-google-gmail-api-disabled": (
        lambda s: s.projects[PROJECT]["services"].update({"gmail.googleapis.com": "DISABLED"}),
        None,
        f"the Gmail API is not enabled in project {PROJECT}",
    ),
}


def test_every_google_rule_has_a_failing_case() -> None:
    covered = {case.partition("/")[0] for case in CASES} | set(UNVERIFIABLE)
    assert covered == GOOGLE_RULES


@pytest.mark.parametrize("case", sorted(CASES))
def test_rule_fails(
    case: str, google_scenario: GoogleScenario, google_live: Callable[..., Live]
) -> None:
    rule_id = case.partition("/")[0]
    change, config_change, fragment = CASES[case]
    change(google_scenario)  # the emulator serves the scenario object: changes show at once

    def settings(data: dict[str, Any]) -> None:
        quiet(data)
        if config_change is not None:
            config_change(data)

    result = google_live(settings)
    assert result.unknown == []
    assert result.rules == {rule_id}
    found = result.of(rule_id, Status.FAIL)
    assert found, result.findings
    assert any(fragment in f.message for f in found), [f.message for f in found]
    assert all(f.fix for f in found)
    assert all(f.location.line > 0 for f in found)


def test_two_step_drift_is_a_warning(
    google_live: Callable[..., Live],
) -> None:
    def settings(data: dict[str, Any]) -> None:
        quiet(data)
        _declare_2sv(data)

    (finding,) = google_live(settings).of("live-google-two-step-verification")
    assert finding.severity is Severity.WARNING
    assert finding.location.path == "users[1].two_step_verification"
    assert finding.fix == "set two_step_verification: false"


def test_unverifiable_rules_are_unknown_with_the_console_path(
    google_live: Callable[..., Live],
) -> None:
    result = google_live()
    (redirect,) = result.of("live-google-redirect-uris-unverifiable")
    assert redirect.status is Status.UNKNOWN
    assert "https://odoo.acme.example/google_gmail/confirm" in redirect.message
    assert f"Credentials of project {PROJECT} › OAuth 2.0 Client IDs › {WEB}" in redirect.fix
    (consent,) = result.of("live-google-consent-screen-unverifiable")
    assert "audience Internal and publishing status In production" in consent.message
    assert consent.fix.endswith(
        f"OAuth consent screen (Google Auth Platform › Audience) of project {PROJECT}"
    )
    assert consent.location.path == "providers.acme.consent_screen"
    (delegation,) = result.of("live-google-delegation-unverifiable")
    assert "Domain-wide delegation › client ID 109876543210987654321" in delegation.fix
    assert all(f.status is Status.UNKNOWN for f in result.findings)


def test_unverifiable_rules_pass_when_there_is_nothing_to_check(
    google_live: Callable[..., Live],
) -> None:
    def nothing(data: dict[str, Any]) -> None:
        # Desktop clients only (loopback redirects need no registration), no service account,
        # no delegated OAuth target (app passwords only).
        for name in ("odoo", "helpdesk", "notify-relay", "archive-proxy"):
            del data["targets"][name]
        data["apps"] = {}
        data["users"] = [u for u in data["users"] if u["email"] == "scans@acme.example"]

    assert google_live(nothing).findings == []


def test_a_suppression_attests_an_unverifiable_fact(
    google_live: Callable[..., Live],
) -> None:
    def settings(data: dict[str, Any]) -> None:
        data["apps"]["acme-daemon"]["suppress"] = [
            {"rule": "live-google-delegation-unverifiable", "reason": "checked 2026-05-30"}
        ]

    # A suppression attests a fact no API exposes: the unknown finding is reported as such.
    (finding,) = google_live(settings).of("live-google-delegation-unverifiable")
    assert finding.status is Status.SUPPRESSED
    assert finding.suppression is not None
    assert finding.suppression.reason == "checked 2026-05-30"


def test_no_oauth_fix_for_an_app_password_only_application(
    google_scenario: GoogleScenario, google_live: Callable[..., Live]
) -> None:
    # Open Bee works with Google through app passwords only: moving it to OAuth is no fix.
    _user(google_scenario, "scans@acme.example").update(asps=[])
    [found] = google_live(quiet).of("live-google-app-password-missing")
    assert "app_password points" in found.fix
    assert "OAuth" not in found.fix

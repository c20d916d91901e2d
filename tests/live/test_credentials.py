"""Every credential of an app registration is reported (by key ID and hint, never a value):
other secrets and certificates that expired (cleanup) or expire soon, and the rotation state of
the declared one (a registered successor to deploy, or none overlapping it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mailoauth_cfg.findings import Severity, Status
from tests.emulators.microsoft import Scenario
from tests.live.conftest import Live

ERP = "1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b"
DAEMON = "5e8f0a12-3b4c-4d5e-8f9a-0b1c2d3e4f5a"


def secret(key_id: str, hint: str, start: str, end: str, name: str) -> dict[str, Any]:
    return {
        "customKeyIdentifier": None,
        "displayName": name,
        "endDateTime": end,
        "hint": hint,
        "keyId": key_id,
        "secretText": None,
        "startDateTime": start,
    }


EXPIRING = secret(
    "2d9e3f40-5f6c-4d7e-8f90-a1b2c3d4e5f6",
    "Ab1",
    "2024-06-01T00:00:00Z",
    "2026-06-20T00:00:00Z",
    "test server",
)
EXPIRED = secret(
    "3e0f4051-6071-4e8f-90a1-b2c3d4e5f607",
    "Cd2",
    "2023-01-01T00:00:00Z",
    "2025-01-01T00:00:00Z",
    "2023 secret",
)


def test_other_credentials_expired_and_expiring(
    scenario: Scenario, live: Callable[..., Live]
) -> None:
    scenario.application(ERP)["passwordCredentials"] += [EXPIRING, EXPIRED]
    scenario.application(DAEMON)["keyCredentials"].append(
        {
            "customKeyIdentifier": "qrvM3e7/ABEiM0RVZneImaq7zN0=",
            "displayName": "CN=daemon-mail-2024",
            "endDateTime": "2026-03-01T00:00:00Z",
            "key": None,
            "keyId": "4f10516a-7182-4f90-a1b2-c3d4e5f60718",
            "startDateTime": "2024-03-01T00:00:00Z",
            "type": "AsymmetricX509Cert",
            "usage": "Verify",
        }
    )
    result = live()
    found = {f.message: f for f in result.of("live-ms-app-credentials")}
    assert len(found) == 3, list(found)
    expiring = next(f for m, f in found.items() if "Ab1" in m)
    assert expiring.severity is Severity.WARNING
    assert "expires on 2026-06-20, in 19 days" in expiring.message
    assert '"test server"' in expiring.message
    assert "--append" in expiring.fix
    expired = next(f for m, f in found.items() if "Cd2" in m)
    assert expired.severity is Severity.INFO
    assert "expired on 2025-01-01" in expired.message
    assert "--key-id 3e0f4051-6071-4e8f-90a1-b2c3d4e5f607`" in expired.fix
    cert = next(f for m, f in found.items() if "certificate" in m)
    assert "thumbprint AABBCCDDEEFF00112233445566778899AABBCCDD" in cert.message
    assert "--key-id 4f10516a-7182-4f90-a1b2-c3d4e5f60718 --cert" in cert.fix
    # The declared secret and certificate are not reported again by this rule.
    assert not [m for m in found if "0b7c1f2e" in m]
    assert {f.status for f in found.values()} == {Status.FAIL}


def test_rotation_names_the_successor_to_deploy(
    scenario: Scenario, live: Callable[..., Live]
) -> None:
    creds = scenario.application(ERP)["passwordCredentials"]
    creds[0]["endDateTime"] = "2026-06-10T08:00:00Z"
    successor = secret(
        "5a21627b-8293-4a01-b2c3-d4e5f6071829",
        "Ef3",
        "2026-05-01T00:00:00Z",
        "2028-05-01T00:00:00Z",
        "dolibarr 2026",
    )
    creds.append(successor)

    def declared_dates(data: dict[str, Any]) -> None:
        data["apps"]["erp-mail"]["client_secret"]["expires"] = "2026-06-10"

    result = live(declared_dates)
    [expiry] = result.of("live-ms-secret-expiry")
    assert "expires on 2026-06-10, in 9 days" in expiry.message
    assert "hint Q~x" in expiry.message
    assert "key ID 5a21627b-8293-4a01-b2c3-d4e5f6071829, hint Ef3" in expiry.message
    assert "valid until 2028-05-01: deploy it" in expiry.message
    assert expiry.fix.startswith("deploy the client secret key ID 5a21627b")
    # The successor is valid and outlives the window: not reported by the inventory rule.
    assert result.of("live-ms-app-credentials") == []


def test_no_successor_says_none_overlaps(scenario: Scenario, live: Callable[..., Live]) -> None:
    scenario.application(ERP)["passwordCredentials"][0]["endDateTime"] = "2026-06-10T08:00:00Z"

    def declared_dates(data: dict[str, Any]) -> None:
        data["apps"]["erp-mail"]["client_secret"]["expires"] = "2026-06-10"

    [expiry] = live(declared_dates).of("live-ms-secret-expiry")
    assert "no other client secret on the registration overlaps it" in expiry.message
    assert "--append" in expiry.fix


SUCCESSOR_KEY = "5a21627b-8293-4a01-b2c3-d4e5f6071829"


def rotation(data: dict[str, Any]) -> None:
    """The app lists its credentials (old secret and successor); the target uses the new one."""
    app = data["apps"]["erp-mail"]
    old = app.pop("client_secret")
    app["credentials"] = [
        {"name": "s2024", "key_id": old["key_id"], "expires": "2026-06-10", "env": old["env"]},
        {"name": "s2026", "key_id": SUCCESSOR_KEY, "expires": "2028-05-01", "env": "ERP_2026"},
    ]
    data["targets"]["erp"]["credential"] = "s2026"


def test_declared_credentials_each_target_uses_are_judged(
    scenario: Scenario, live: Callable[..., Live]
) -> None:
    creds = scenario.application(ERP)["passwordCredentials"]
    creds[0]["endDateTime"] = "2026-06-10T08:00:00Z"
    creds.append(
        secret(SUCCESSOR_KEY, "Ef3", "2026-05-01T00:00:00Z", "2028-05-01T00:00:00Z", "erp 2026")
    )
    result = live(rotation)
    # The target was given s2026, valid until 2028: nothing to say about the secret in use;
    # the old one is declared (listed), so it is not reported as an unknown registered secret.
    assert result.of("live-ms-secret-expiry") == []
    assert result.of("live-ms-app-credentials") == []


def test_the_secret_a_target_uses_expiring_is_reported_by_name(
    scenario: Scenario, live: Callable[..., Live]
) -> None:
    creds = scenario.application(ERP)["passwordCredentials"]
    creds[0]["endDateTime"] = "2026-06-10T08:00:00Z"
    creds.append(
        secret(SUCCESSOR_KEY, "Ef3", "2026-05-01T00:00:00Z", "2028-05-01T00:00:00Z", "erp 2026")
    )

    def still_on_the_old_one(data: dict[str, Any]) -> None:
        rotation(data)
        data["targets"]["erp"]["credential"] = "s2024"

    [expiry] = live(still_on_the_old_one).of("live-ms-secret-expiry")
    assert "client secret s2024" in expiry.message
    assert "expires on 2026-06-10, in 9 days" in expiry.message
    assert f"key ID {SUCCESSOR_KEY}, hint Ef3" in expiry.message
    assert expiry.location.path.startswith("apps.erp-mail.credentials[0]")


def test_a_listed_credential_the_registration_lacks_is_reported(
    scenario: Scenario, live: Callable[..., Live]
) -> None:
    def listed_but_deleted(data: dict[str, Any]) -> None:
        rotation(data)
        data["targets"]["erp"]["credential"] = "s2024"
        data["apps"]["erp-mail"]["credentials"][0]["expires"] = "2027-05-31"

    found = live(listed_but_deleted).of("live-ms-app-credentials")
    [gone] = [f for f in found if "s2026" in f.message]
    assert gone.severity is Severity.INFO
    assert "the registration does not hold" in gone.message
    assert gone.location.path.startswith("apps.erp-mail.credentials[1]")

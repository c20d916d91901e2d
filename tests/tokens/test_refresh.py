"""Refresh with rotation, `token access` for passwordeval, expired and revoked grants, status."""

from __future__ import annotations

import json
import re
import time

from mailoauth_cfg.catalog.errors import explain_code
from mailoauth_cfg.tokens.store import TokenLocation, TokenRecord
from tests.tokens.conftest import ALICE, PUBLIC_CLIENT, SCOPES, Rig
from tests.tokens.test_canary import assert_no_secrets

JWT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")


def seed(rig: Rig, *, access_ttl: float = -60, access: str | None = None) -> str:
    """Store a refresh token for Alice (and an access token expiring in ``access_ttl``)."""
    refresh = rig.oauth.add_refresh_token(ALICE, PUBLIC_CLIENT, SCOPES)
    TokenLocation(rig.store / f"{ALICE}.json").save(
        TokenRecord(
            user=ALICE,
            refresh_token=refresh,
            access_token=access or rig.oauth.mint(ALICE),
            expires_at=time.time() + access_ttl,
            scopes=tuple(SCOPES.split()),
            obtained_at=time.time() - 3 * 86400,
            flow="loopback",
        )
    )
    return refresh


def stored(rig: Rig) -> dict[str, object]:
    """Alice's token document."""
    doc: dict[str, object] = json.loads((rig.store / f"{ALICE}.json").read_text())
    return doc


def test_refresh_saves_the_rotated_refresh_token(rig: Rig) -> None:
    """The new refresh token is saved; the old one is dead at the server."""
    old = seed(rig)
    result = rig.run("token", "refresh", *rig.token_args(ALICE), check=0)
    assert "rotated and saved" in result.stdout
    new = stored(rig)["refresh_token"]
    assert isinstance(new, str)
    assert new != old
    assert new.startswith("rt-")
    assert not rig.oauth.grants[old].active
    # A second refresh uses the saved (rotated) token: it succeeds.
    rig.run("token", "refresh", *rig.token_args(ALICE), check=0)
    assert stored(rig)["refresh_token"] != new
    assert_no_secrets(rig)


def test_refresh_without_rotation_keeps_the_token(rig: Rig) -> None:
    """A provider that does not rotate: the stored refresh token stays."""
    rig.oauth.rotate = False
    old = seed(rig)
    result = rig.run("token", "refresh", *rig.token_args(ALICE), check=0)
    assert "unchanged" in result.stdout
    assert stored(rig)["refresh_token"] == old


def test_access_prints_only_the_token(rig: Rig) -> None:
    """stdout is the token and a newline; a valid token is reused without a request."""
    seed(rig)
    result = rig.run("token", "access", *rig.token_args(ALICE), check=0)
    token = result.stdout.removesuffix("\n")
    assert JWT.match(token), result.stdout
    assert result.stdout == token + "\n"
    assert result.stderr == ""
    assert stored(rig)["access_token"] == token
    requests = len(rig.oauth.token_requests)
    again = rig.run("token", "access", *rig.token_args(ALICE), check=0)
    assert again.stdout == result.stdout
    assert len(rig.oauth.token_requests) == requests
    assert_no_secrets(rig, allowed_stdout=[result.stdout, again.stdout])


def test_access_refreshes_a_token_about_to_expire(rig: Rig) -> None:
    """Less than two minutes left: refreshed first."""
    seed(rig, access_ttl=60)
    before = stored(rig)["access_token"]
    result = rig.run("token", "access", *rig.token_args(ALICE), check=0)
    assert result.stdout.strip() != before
    assert [r["grant_type"] for r in rig.oauth.token_requests] == ["refresh_token"]


def test_expired_refresh_token_is_a_clear_failure(rig: Rig) -> None:
    """AADSTS700082: exit 1, explained, no traceback, no token."""
    seed(rig)
    rig.oauth.expire_refresh_tokens(ALICE)
    result = rig.run("token", "access", *rig.token_args(ALICE), check=1)
    assert result.stdout == ""
    assert "invalid_grant" in result.stderr
    assert "AADSTS700082" in result.stderr
    assert "fix:" in result.stderr
    assert "bootstrap" in result.stderr
    assert_no_secrets(rig)


def test_revoked_grant_is_a_clear_failure(rig: Rig) -> None:
    """AADSTS50173 (revoked): exit 1 with the catalogue's explanation and rules."""
    seed(rig)
    rig.oauth.revoke(ALICE)
    result = rig.run("token", "refresh", *rig.token_args(ALICE), check=1)
    assert "AADSTS50173" in result.stderr
    expected = explain_code("AADSTS50173")
    assert expected is not None
    assert f"meaning: {expected.title}" in result.stderr
    if expected.rules:
        assert f"rules: {', '.join(expected.rules)}" in result.stderr
    assert_no_secrets(rig)


def test_no_token_yet(rig: Rig) -> None:
    """No file: exit 1 with the bootstrap command to run."""
    result = rig.run("token", "access", *rig.token_args(ALICE), check=1)
    assert "token bootstrap --user alice@example.test" in result.stderr


def test_status_shows_expiry_scopes_and_age_never_the_token(rig: Rig) -> None:
    """Status (text and JSON) shows metadata only; exit 1 when a mailbox has no token."""
    seed(rig, access_ttl=1800)
    text = rig.run("token", "status", "--config", str(rig.config), "--user", ALICE, check=0)
    assert "refresh token: present" in text.stdout
    assert re.search(r"access token: valid for (29|30) min", text.stdout)
    assert "https://outlook.office.com/SMTP.Send" in text.stdout
    assert "3.0 d ago" in text.stdout
    every = rig.run("token", "status", "--config", str(rig.config), "--format", "json", check=1)
    rows = json.loads(every.stdout)["tokens"]
    alice = next(r for r in rows if r.get("user") == ALICE)
    assert alice["present"]
    assert alice["refresh_token"] is True
    assert 1700 < alice["access_expires_in"] <= 1800
    assert alice["age"] >= 3 * 86400
    assert any(r.get("present") is False for r in rows)
    assert_no_secrets(rig)

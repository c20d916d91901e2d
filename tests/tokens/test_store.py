"""The token store: mode 0600 whatever the umask, atomic writes, locking, formats."""

from __future__ import annotations

import json
import os
import stat
import threading
import time
from pathlib import Path

import pytest

from mailoauth_cfg.errors import TokenError
from mailoauth_cfg.tokens import service
from mailoauth_cfg.tokens.setup import resolve
from mailoauth_cfg.tokens.store import TokenLocation, TokenRecord, default_store_dir
from tests.tokens.conftest import ALICE, PUBLIC_CLIENT, SCOPES, Rig


def record(refresh: str = "rt-old-refresh-token", access: str = "old.access.token") -> TokenRecord:
    """A record with placeholder tokens."""
    return TokenRecord(
        user=ALICE,
        refresh_token=refresh,
        access_token=access,
        expires_at=time.time() + 600,
        scopes=("offline_access",),
    )


def test_files_are_0600_even_with_umask_0(tmp_path: Path) -> None:
    """Mode 0600 for the token and its lock file; the new directory is 0700."""
    old = os.umask(0)
    try:
        location = TokenLocation(tmp_path / "tokens" / "a.json")
        with location.lock():
            location.save(record())
    finally:
        os.umask(old)
    assert stat.S_IMODE(location.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(location.lock_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(location.path.parent.stat().st_mode) == 0o700


def test_crash_mid_write_leaves_the_old_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The write fails after the temporary file was created: old file intact, no leftovers."""
    location = TokenLocation(tmp_path / "a.json")
    location.save(record())
    before = location.path.read_bytes()

    def crash(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(TokenError, match=r"previous token file .* is unchanged"):
        location.save(record(refresh="rt-new-refresh-token"))
    monkeypatch.undo()
    assert location.path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json"]
    loaded = location.load(ALICE)
    assert loaded is not None
    assert loaded.refresh_token == "rt-old-refresh-token"


def test_sasl_xoauth2_format_round_trip_keeps_extra_keys(tmp_path: Path) -> None:
    """expiry is a string; keys mailoauth-cfg does not manage survive a rewrite."""
    location = TokenLocation(tmp_path / ALICE, "sasl-xoauth2")
    location.path.write_text(json.dumps({"refresh_token": "x", "client_id": "override"}))
    loaded = location.load(ALICE)
    assert loaded is not None
    location.save(record().__class__(**{**record().__dict__, "extra": loaded.extra}))
    doc = json.loads(location.path.read_text())
    assert doc["client_id"] == "override"
    assert doc["refresh_token"] == "rt-old-refresh-token"
    assert isinstance(doc["expiry"], str)
    assert int(doc["expiry"]) > time.time()


def test_corrupt_file_is_an_error_not_a_crash(tmp_path: Path) -> None:
    """A truncated file gives a TokenError naming the file."""
    location = TokenLocation(tmp_path / "a.json")
    location.path.write_text('{"kind": "mailoauth-cfg-tok')
    with pytest.raises(TokenError, match="not a JSON token file"):
        location.load(ALICE)


def test_repr_never_shows_tokens() -> None:
    """dataclass repr hides the tokens (they may end up in a log)."""
    text = repr(record(refresh="rt-very-secret-refresh", access="very.secret.access"))
    assert "very-secret" not in text
    assert "very.secret" not in text


def test_default_store_dir_follows_xdg_state_home(tmp_path: Path) -> None:
    """~/.local/state/mailoauth-cfg/tokens, or $XDG_STATE_HOME/mailoauth-cfg/tokens."""
    assert default_store_dir({"XDG_STATE_HOME": str(tmp_path)}) == tmp_path / "mailoauth-cfg/tokens"
    assert default_store_dir({}).parts[-4:] == (".local", "state", "mailoauth-cfg", "tokens")


def test_concurrent_access_calls_do_not_lose_a_rotated_token(rig: Rig) -> None:
    """Four concurrent `access` calls with an expired token: one refresh, all get a token."""
    refresh = rig.oauth.add_refresh_token(ALICE, PUBLIC_CLIENT, SCOPES)
    location = TokenLocation(rig.store / f"{ALICE}.json")
    location.save(
        TokenRecord(
            user=ALICE,
            refresh_token=refresh,
            access_token="expired.access.token",
            expires_at=time.time() - 10,
        )
    )
    setup = resolve(rig.config, ALICE, environ=rig.env)
    tokens: list[str] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            tokens.append(service.access_token(setup))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    assert len(set(tokens)) == 1
    assert [r["grant_type"] for r in rig.oauth.token_requests] == ["refresh_token"]
    saved = location.load(ALICE)
    assert saved is not None
    assert saved.refresh_token != refresh
    assert rig.oauth.grants[str(saved.refresh_token)].active


def test_store_location_precedence(rig: Rig) -> None:
    """--store DIR wins over the target's token_dir."""
    env = dict(rig.env)
    setup = resolve(rig.config, ALICE, environ=env, store=None)
    assert setup.location is not None
    assert setup.location.path == rig.store / f"{ALICE}.json"  # the target's token_dir
    other = resolve(rig.config, ALICE, environ=env, store=str(rig.root / "vault"))
    assert other.location is not None
    assert other.location.path == rig.root / "vault" / f"{ALICE}.json"


@pytest.mark.parametrize(
    "email",
    ["../../x/evil@contoso.com", "evil/../../x@contoso.com", "..", "a\x00@contoso.com", ""],
)
def test_a_mailbox_never_leads_a_token_file_outside_its_directory(
    tmp_path: Path, email: str
) -> None:
    """The store joins the mailbox as one file name, whatever reaches it (the schema refuses
    such addresses first): ``..`` and ``/`` never leave the token directory."""
    from mailoauth_cfg.tokens.store import native_path, sasl_path

    store = tmp_path / "etc" / "tokens"
    for build in (native_path, sasl_path):
        with pytest.raises(TokenError, match=r"cannot be a token file name"):
            build(store, email)
    assert not (tmp_path / "x").exists()
    assert sorted(p.name for p in tmp_path.rglob("*")) == []

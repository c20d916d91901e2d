"""``--save-snapshot`` then ``--snapshot``: the same findings without a network; no secret and no
token in the file; stale, foreign and broken snapshots are reported, never passed."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path

from mailoauth_cfg.live.snapshot import MicrosoftTenant, Snapshot
from tests.emulators.microsoft import Fault, MicrosoftEmulator, Scenario
from tests.live.conftest import Cli

CANARY = "CANARY-7f3e9c1a-do-not-store"
APP_CANARY = "CANARY-app-secret-2b8d"


def validate(cli: Callable[..., Cli], config: Path, *args: str, **env: str) -> Cli:
    return cli("validate", str(config), "--as-of", "2026-06-01", "-f", "json", *args, env=env)


def test_saved_snapshot_gives_the_same_findings_offline(
    scenario: Scenario,
    tenant: MicrosoftEmulator,
    write_config: Callable[..., Path],
    cli: Callable[..., Cli],
    tmp_path: Path,
) -> None:
    scenario.user("erp@contoso.com")["accountEnabled"] = False
    scenario.cas("noreply@contoso.com")["SmtpClientAuthenticationDisabled"] = None
    tenant.faults.add(Fault(route="exchange:Get-RecipientPermission", status=503))
    config = write_config()
    saved = tmp_path / "out" / "snapshot.json"
    online = validate(
        cli, config, "--online", "--save-snapshot", str(saved), **tenant.environment()
    )
    assert online.code == 1
    assert saved.is_file()
    tenant.stop()  # no network from here on
    before = tenant.stats.total
    offline = validate(cli, config, "--snapshot", str(saved))
    assert offline.code == online.code
    assert offline.json()["findings"] == online.json()["findings"]
    statuses = {f["status"] for f in offline.json()["findings"]}
    assert statuses == {"fail", "unknown"}
    assert tenant.stats.total == before


def test_snapshot_holds_no_secret_and_no_token(
    scenario: Scenario,
    tenant: MicrosoftEmulator,
    write_config: Callable[..., Path],
    cli: Callable[..., Cli],
    tmp_path: Path,
) -> None:
    scenario.clients[0]["secret"] = CANARY
    saved = tmp_path / "snapshot.json"
    result = validate(
        cli,
        write_config(),
        "--online",
        "--save-snapshot",
        str(saved),
        **tenant.environment(),
        ERP_MAIL_SECRET=APP_CANARY,
    )
    assert result.code == 0, result.output
    text = saved.read_text(encoding="utf-8")
    assert CANARY not in text
    assert CANARY not in result.output
    assert APP_CANARY not in text
    assert tenant.identity.issued >= 2
    for token in tenant.identity._tokens:
        assert token not in text
    # Graph returns the first three characters of each secret as `hint` (the portal shows them
    # to tell secrets apart): kept to name the secret, and never more of it.
    loaded_secret = Snapshot.from_json(text).microsoft["contoso"].applications
    hints = [c.hint for a in loaded_secret.values() if a for c in a.password_credentials]
    assert hints == ["Q~x"]
    assert "secretText" not in text
    assert "secret_text" not in text
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    loaded = Snapshot.from_json(text)
    assert loaded.microsoft["contoso"].applications


def test_snapshot_round_trips(tenant: MicrosoftEmulator, live: Callable[..., object]) -> None:
    result = live()
    snapshot = result.fetched.snapshot  # type: ignore[attr-defined]
    again = Snapshot.from_json(snapshot.to_json())
    assert again == snapshot
    assert json.loads(snapshot.to_json())["version"] == 1


def test_stale_snapshot_is_unknown_not_a_pass(
    tenant: MicrosoftEmulator,
    write_config: Callable[..., Path],
    cli: Callable[..., Cli],
    tmp_path: Path,
) -> None:
    saved = tmp_path / "snapshot.json"
    assert (
        validate(
            cli, write_config(), "--online", "--save-snapshot", str(saved), **tenant.environment()
        ).code
        == 0
    )

    def add_user(data: dict[str, object]) -> None:
        data["users"].append(  # type: ignore[attr-defined]
            {"email": "new@contoso.com", "provider": "contoso"}
        )

    result = validate(cli, write_config(add_user), "--snapshot", str(saved))
    assert result.code == 3
    unknown = [f for f in result.json()["findings"] if f["status"] == "unknown"]
    assert {f["object"] for f in unknown} == {"user:new@contoso.com"}
    assert all("not in the snapshot" in f["message"] for f in unknown)


def test_snapshot_of_another_tenant(
    write_config: Callable[..., Path], cli: Callable[..., Cli], tmp_path: Path
) -> None:
    saved = tmp_path / "snapshot.json"
    other = Snapshot(
        microsoft={"contoso": MicrosoftTenant(tenant="0e1d2c3b-4a59-4687-9786-a5b4c3d2e1f0")}
    )
    saved.write_text(other.to_json(), encoding="utf-8")
    result = validate(cli, write_config(), "--snapshot", str(saved))
    assert result.code == 3
    (finding,) = result.json()["findings"]
    assert finding["rule"] == "live-check-incomplete"
    assert "snapshot is of tenant 0e1d2c3b" in finding["message"]


def test_unusable_snapshot_files_are_usage_errors(
    write_config: Callable[..., Path], cli: Callable[..., Cli], tmp_path: Path
) -> None:
    config = write_config()
    bad = tmp_path / "bad.json"
    for content, message in (
        ("not json", "not JSON"),
        ('{"format": "other"}', "not a mailoauth-cfg snapshot"),
        ('{"format": "mailoauth-cfg-snapshot", "version": 9}', "version 9 is not supported"),
        ('{"format": "mailoauth-cfg-snapshot", "version": 1, "microsoft": 3}', "invalid snapshot"),
    ):
        bad.write_text(content, encoding="utf-8")
        result = validate(cli, config, "--snapshot", str(bad))
        assert result.code == 2
        assert message in result.output
    assert validate(cli, config, "--snapshot", str(tmp_path / "missing.json")).code == 2


def test_option_combinations(write_config: Callable[..., Path], cli: Callable[..., Cli]) -> None:
    config = write_config()
    assert validate(cli, config, "--online", "--snapshot", "x.json").code == 2
    assert validate(cli, config, "--save-snapshot", "x.json").code == 2
    assert validate(cli, config, "--online", "--credential", "magic").code == 2
    result = validate(cli, config, "--online", MAILOAUTH_CFG_LIVE_TIMEOUT="soon")
    assert result.code == 2
    assert "MAILOAUTH_CFG_LIVE_TIMEOUT must be a number" in result.output


def test_save_snapshot_write_error(
    tenant: MicrosoftEmulator,
    write_config: Callable[..., Path],
    cli: Callable[..., Cli],
    tmp_path: Path,
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = validate(
        cli,
        write_config(),
        "--online",
        "--save-snapshot",
        str(blocker / "snapshot.json"),
        **tenant.environment(),
    )
    assert result.code == 2
    assert "cannot write" in result.output
    assert not (blocker / "snapshot.json").exists()

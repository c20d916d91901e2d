"""Unit tests: each module's ``main()`` run with arguments, its JSON checked.

The standard AnsibleModule pattern: arguments go in through
``ansible.module_utils.basic._ANSIBLE_ARGS``; ``exit_json``/``fail_json`` are patched to raise
(see ``conftest.Runner``), except in the tests that read the real JSON on stdout.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest

from tests.ansible.conftest import (
    AS_OF,
    CANARIES,
    CRON,
    ERP_SECRET,
    RELAY_SECRET,
    TOKEN,
    Certs,
    Modules,
    Runner,
    Setup,
    Smtp,
    make_setup,
)

REPO = Path(__file__).resolve().parents[2]
BROKEN_EXAMPLE = REPO / "examples" / "broken" / "mailoauth.yaml"
CLI_CLIENT = "5e8f0a12-3b4c-4d5e-8f9a-0b1c2d3e4f5a"
"""client_id of the public app ``cli-mail`` of the test config."""
FINDING_KEYS = {
    "rule",
    "severity",
    "status",
    "message",
    "file",
    "line",
    "column",
    "path",
    "object",
    "fix",
    "suppressed_because",
}


def assert_no_canary(result: Any) -> None:
    """No canary secret anywhere in a result (as JSON)."""
    text = json.dumps(result)
    for canary in CANARIES:
        assert canary not in text


def mode(path: Path) -> int:
    """Permission bits of ``path``."""
    return stat.S_IMODE(path.stat().st_mode)


# --- validate -------------------------------------------------------------------------------


def test_validate_clean_config(run: Runner, modules: Modules, setup: Setup) -> None:
    """A clean config: changed false, structured findings and summary, a message."""
    result = run.ok(modules.validate, {"path": str(setup.config), "as_of": AS_OF})
    assert result["changed"] is False
    assert result["config"] == str(setup.config)
    assert result["summary"]["errors"] == 0
    assert result["summary"]["objects"] == 11
    assert result["summary"]["files"] == 1
    assert all(set(f) == FINDING_KEYS for f in result["findings"])
    assert "is valid" in result["msg"]


def test_validate_fails_with_top_findings(run: Runner, modules: Modules) -> None:
    """The shipped broken example: failed, message with the first 10 located findings."""
    result = run.fail(modules.validate, {"path": str(BROKEN_EXAMPLE), "as_of": AS_OF})
    errors = [f for f in result["findings"] if f["severity"] == "error"]
    assert len(errors) > 10
    lines = result["msg"].splitlines()
    assert lines[0].endswith(f"{len(errors)} finding(s) at or above error")
    assert len(lines) == 12
    assert lines[-1] == f"... and {len(errors) - 10} more (see findings)"
    first = errors[0]
    assert lines[1] == (
        f"{first['file']}:{first['line']}:{first['column']} error {first['rule']}: "
        f"{first['message']}"
    )
    assert set(result["findings"][0]) == FINDING_KEYS
    assert result["summary"]["errors"] == len(errors)
    assert result["changed"] is False


def test_validate_fail_on_threshold(
    run: Runner, modules: Modules, tmp_path: Path, write: Any
) -> None:
    """A warning passes at fail_on=error and fails at fail_on=warning."""
    config = write(
        tmp_path,
        "mailoauth.yaml",
        """\
version: 1
providers:
  contoso: {type: microsoft, tenant: 6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d}
apps:
  relay-mail:
    provider: contoso
    client_id: 3a9d5f21-6b7c-4d8e-9f0a-1b2c3d4e5f60
    client_secret: {env: RELAY_SECRET, expires: 2026-01-20, created: 2025-07-20}
    platform: web
    permissions: [offline_access, SMTP.Send]
    admin_consent: true
users:
  - {email: noreply@contoso.com, provider: contoso, smtp_auth: enabled}
targets:
  relay: {type: glpi, url: "https://support.contoso.com", app: relay-mail,
          users: [noreply@contoso.com]}
""",
    )
    args = {"path": str(config), "as_of": AS_OF}
    passed = run.ok(modules.validate, args)
    assert passed["summary"]["errors"] == 0
    assert passed["summary"]["warnings"] >= 1
    failed = run.fail(modules.validate, {**args, "fail_on": "warning"})
    assert "at or above warning" in failed["msg"]
    assert " warning ms-secret-expiry: " in failed["msg"]


@pytest.mark.parametrize(
    ("case", "fail_on", "code"),
    [("setup", "error", 0), ("broken", "error", 1), ("broken", "info", 1), ("empty", "error", 4)],
)
def test_validate_exit_code_is_the_cli_exit_code(
    run: Runner, modules: Modules, setup: Setup, tmp_path: Path, case: str, fail_on: str, code: int
) -> None:
    """The module applies the library's exit-code policy: its exit_code is the CLI's."""
    import subprocess
    import sys

    empty = tmp_path / "empty.yaml"
    empty.write_text("version: 1\n", encoding="utf-8")
    config = {"setup": setup.config, "broken": BROKEN_EXAMPLE, "empty": empty}[case]
    args = {"path": str(config), "as_of": AS_OF, "fail_on": fail_on}
    result = run.ok(modules.validate, args) if code == 0 else run.fail(modules.validate, args)
    argv = [sys.executable, "-m", "mailoauth_cfg", "validate", str(config), "--as-of", AS_OF]
    cli = subprocess.run(
        [*argv, "--fail-on", fail_on, "--format", "json"],
        capture_output=True,
        check=False,
    )
    assert result["exit_code"] == cli.returncode == code


def test_validate_check_mode_is_the_same(run: Runner, modules: Modules, setup: Setup) -> None:
    """Validation changes nothing: check mode returns the same result."""
    args = {"path": str(setup.config), "as_of": AS_OF}
    normal = run.ok(modules.validate, args)
    checked = run.ok(modules.validate, {**args, "_ansible_check_mode": True})
    assert checked == normal


def test_validate_missing_file_and_bad_date(run: Runner, modules: Modules, tmp_path: Path) -> None:
    """A missing config and a malformed as_of fail with a plain message."""
    missing = run.fail(modules.validate, {"path": str(tmp_path / "nope.yaml")})
    assert "nope.yaml" in missing["msg"]
    bad = run.fail(modules.validate, {"path": str(BROKEN_EXAMPLE), "as_of": "01/02/2026"})
    assert bad["msg"] == "as_of expects a date as YYYY-MM-DD, got '01/02/2026'"


def test_validate_online_unavailable(
    run: Runner, modules: Modules, setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    """online=true without the live feature fails clearly, never falls back to offline."""
    monkeypatch.setattr(modules.common, "live_available", lambda: False)
    result = run.fail(modules.validate, {"path": str(setup.config), "as_of": AS_OF, "online": True})
    assert result["msg"].startswith("online=true: the live feature is not available")
    assert "mailoauth-cfg[live]" in result["msg"]


def test_validate_online_reads_the_cli_report(
    run: Runner, modules: Modules, setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    """online=true runs `validate --online --format json`; unknown results fail the task."""
    calls: list[list[str]] = []
    document = {
        "version": 1,
        "findings": [
            {
                "rule": "live-ms-app-registration-missing",
                "severity": "error",
                "status": "unknown",
                "message": "the application could not be read: 403",
                "object": "app:erp-mail",
                "fix": "grant Application.Read.All",
                "location": {"file": "mailoauth.yaml", "line": 18, "column": 3, "path": "apps"},
                "suppression": None,
            }
        ],
    }

    def run_command(self: Any, argv: list[str], **kwargs: Any) -> tuple[int, str, str]:
        calls.append(argv)
        return 3, json.dumps(document), ""

    from ansible.module_utils import basic

    monkeypatch.setattr(modules.common, "live_available", lambda: True)
    monkeypatch.setattr(basic.AnsibleModule, "run_command", run_command)
    result = run.fail(modules.validate, {"path": str(setup.config), "as_of": AS_OF, "online": True})
    (argv,) = calls
    assert argv[1:5] == ["-m", "mailoauth_cfg", "validate", str(setup.config)]
    assert argv[5:] == ["--online", "--format", "json", "--fail-on", "error", "--as-of", AS_OF]
    assert "check(s) could not complete" in result["msg"]
    assert "mailoauth.yaml:18:3 error live-ms-app-registration-missing" in result["msg"]
    assert result["summary"]["unknown"] == 1
    assert result["online"] is True


def test_missing_library_is_reported_the_ansible_way(
    run: Runner, modules: Modules, setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without mailoauth-cfg on the host: missing_required_lib's message and the traceback."""
    monkeypatch.setattr(modules.common, "HAS_MAILOAUTH_CFG", False)
    monkeypatch.setattr(modules.common, "MAILOAUTH_CFG_IMPORT_ERROR", "Traceback: no module")
    for module, args in (
        (modules.validate, {"path": str(setup.config)}),
        (modules.render, {"config": str(setup.config), "dest": "/nonexistent"}),
        (modules.probe, {"config": str(setup.config), "user": CRON}),
    ):
        result = run.fail(module, args)
        assert "Failed to import the required Python library (mailoauth-cfg)" in result["msg"]
        assert result["exception"] == "Traceback: no module"


# --- render ---------------------------------------------------------------------------------


def render_args(setup: Setup, dest: Path, **extra: Any) -> dict[str, Any]:
    """Arguments of a render call, with the relay secret passed as ``environment``."""
    return {
        "config": str(setup.config),
        "dest": str(dest),
        "as_of": AS_OF,
        "environment": {"ACME_RELAY_SECRET": RELAY_SECRET},
        **extra,
    }


def test_render_reports_how_each_target_is_installed(
    run: Runner, modules: Modules, setup: Setup, tmp_path: Path
) -> None:
    """Each target carries the role's task file for its kind and where its tokens live."""
    result = run.ok(modules.render, render_args(setup, tmp_path / "out"))
    targets = result["targets"]
    assert {n: t["install_tasks"] for n, t in targets.items()} == {
        "erp": None,
        "relay": "postfix",
        "cron-mail": "msmtp",
    }
    assert targets["relay"]["token_store"] == {
        "directory": "/var/spool/postfix/etc/tokens",
        "format": "sasl-xoauth2",
        "owner": "postfix",
    }
    assert targets["cron-mail"]["token_store"]["format"] == "native"
    assert targets["erp"]["token_store"] is None
    role = REPO / "ansible" / "roles" / "mailoauth_deploy" / "tasks"
    for name in ("postfix", "msmtp"):
        assert (role / f"{name}.yml").is_file()


def test_render_writes_then_reports_no_change(
    run: Runner, modules: Modules, setup: Setup, tmp_path: Path
) -> None:
    """First run creates the files (0600 for secrets); the second changes nothing."""
    dest = tmp_path / "out"
    first = run.ok(modules.render, render_args(setup, dest))
    assert first["changed"] is True
    assert "manifest.json" in first["created"]
    assert first["updated"] == []
    conf = dest / "relay" / "sasl-xoauth2.conf"
    assert RELAY_SECRET in conf.read_text()
    assert mode(conf) == 0o600
    assert ERP_SECRET in (dest / "erp" / "dolibarr-oauth.php").read_text()
    assert mode(dest / "relay" / "main.cf") == 0o644
    entries = {e["path"]: e for e in first["manifest"]}
    assert entries["relay/sasl-xoauth2.conf"]["secret"] is True
    assert entries["relay/sasl-xoauth2.conf"]["mode"] == "0600"
    assert entries["relay/sasl-xoauth2.conf"]["dest"] == str(conf)
    assert entries["relay/main.cf"]["secret"] is False
    assert set(first["targets"]) == {"erp", "relay", "cron-mail"}
    assert first["targets"]["relay"]["type"] == "postfix-sasl-xoauth2"
    assert first["targets"]["relay"]["postfix_dir"] == "/etc/postfix"
    assert_no_canary(first)

    second = run.ok(modules.render, render_args(setup, dest))
    assert second["changed"] is False
    assert second["created"] == second["updated"] == second["mode_changed"] == []
    assert "diff" not in second


def test_render_mode_drift_is_a_change(
    run: Runner, modules: Modules, setup: Setup, tmp_path: Path
) -> None:
    """Right bytes, wrong mode: changed, and the mode is put back."""
    dest = tmp_path / "out"
    run.ok(modules.render, render_args(setup, dest))
    conf = dest / "relay" / "sasl-xoauth2.conf"
    conf.chmod(0o644)
    result = run.ok(modules.render, render_args(setup, dest))
    assert result["changed"] is True
    assert result["mode_changed"] == ["relay/sasl-xoauth2.conf"]
    assert mode(conf) == 0o600


def test_render_check_mode_writes_nothing(
    run: Runner, modules: Modules, setup: Setup, tmp_path: Path
) -> None:
    """Check mode reports what would be created and leaves dest absent."""
    dest = tmp_path / "out"
    result = run.ok(modules.render, render_args(setup, dest, _ansible_check_mode=True))
    assert result["changed"] is True
    assert "relay/sasl-xoauth2.conf" in result["created"]
    assert "check mode: nothing written" in result["msg"]
    assert not dest.exists()


def test_render_diff_is_masked(run: Runner, modules: Modules, setup: Setup, tmp_path: Path) -> None:
    """Diff mode: a unified diff under diff.prepared, secrets replaced by the mask."""
    dest = tmp_path / "out"
    run.ok(modules.render, render_args(setup, dest))
    (dest / "relay" / "sasl-xoauth2.conf").write_text('{"client_secret": "old-secret-value"}\n')
    (dest / "relay" / "main.cf").write_text("relayhost = [old.example]:25\n")
    args = render_args(setup, dest, _ansible_check_mode=True, _ansible_diff=True)
    result = run.ok(modules.render, args)
    prepared = result["diff"]["prepared"]
    assert "--- a/relay/main.cf\n+++ b/relay/main.cf\n" in prepared
    assert "-relayhost = [old.example]:25\n" in prepared
    assert "+relayhost = [smtp.gmail.com]:587\n" in prepared
    assert '+  "client_secret": "********",' in prepared
    assert "old-secret-value" not in prepared
    assert result["updated"] == ["relay/main.cf", "relay/sasl-xoauth2.conf"]
    assert_no_canary(result)
    assert "old-secret-value" in (dest / "relay" / "sasl-xoauth2.conf").read_text()


def test_render_only_some_targets_and_prune(
    run: Runner, modules: Modules, setup: Setup, tmp_path: Path
) -> None:
    """targets restricts the render; files of other targets are stale until pruned."""
    dest = tmp_path / "out"
    run.ok(modules.render, render_args(setup, dest))
    only = run.ok(modules.render, render_args(setup, dest, targets=["cron-mail"]))
    assert set(only["targets"]) == {"cron-mail"}
    assert "relay/main.cf" in only["stale"]
    assert (dest / "relay" / "main.cf").exists()
    assert {e["target"] for e in only["manifest"]} <= {"cron-mail", ""}
    pruned = run.ok(modules.render, render_args(setup, dest, targets=["cron-mail"], prune=True))
    assert pruned["changed"] is True
    assert not (dest / "relay" / "main.cf").exists()
    again = run.ok(modules.render, render_args(setup, dest, targets=["cron-mail"], prune=True))
    assert again["changed"] is False


def test_render_unresolved_secret_fails_located(
    run: Runner, modules: Modules, setup: Setup, tmp_path: Path
) -> None:
    """A secret that cannot be resolved: failed, located, nothing written."""
    dest = tmp_path / "out"
    args = render_args(setup, dest)
    del args["environment"]
    result = run.fail(modules.render, args)
    lines = result["msg"].splitlines()
    assert lines[0] == "some values cannot be rendered; nothing was written:"
    assert lines[1] == (
        "mailoauth.yaml:34:26 error secret-unresolved: "
        "environment variable ACME_RELAY_SECRET is not set (or empty); needed by target relay"
    )
    assert result["findings"][0]["path"].startswith("apps.acme-desktop.client_secret")
    assert not dest.exists()


def test_render_refuses_config_errors_and_unknown_targets(
    run: Runner, modules: Modules, setup: Setup, tmp_path: Path, write: Any
) -> None:
    """A config with errors is not rendered; an unknown target is named."""
    from tests.ansible.conftest import BROKEN_CONFIG

    broken = write(tmp_path, "broken.yaml", BROKEN_CONFIG)
    result = run.fail(modules.render, {"config": str(broken), "dest": str(tmp_path / "o")})
    assert result["msg"].startswith(f"{broken} has errors; fix them before rendering:")
    assert any(f["rule"] for f in result["findings"])
    unknown = run.fail(modules.render, render_args(setup, tmp_path / "o", targets=["nope"]))
    assert unknown["msg"] == "unknown target(s): nope"


def test_render_real_json_output_holds_no_secret(
    run: Runner,
    modules: Modules,
    setup: Setup,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The JSON the module prints (exit_json unpatched, diff mode) has no secret: the
    ``environment`` option is no_log, and resolved secrets are in no_log_values."""
    dest = tmp_path / "out"
    args = render_args(setup, dest, _ansible_diff=True)
    code, out, result = run.json_output(modules.render, args, capsys)
    assert code == 0
    assert result["changed"] is True
    assert "client_secret" in result["diff"]["prepared"]
    for canary in CANARIES:
        assert canary not in out
    module_args = result["invocation"]["module_args"]
    assert module_args["environment"] == {
        "ACME_RELAY_SECRET": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    }


# --- probe ----------------------------------------------------------------------------------


def probe_args(setup: Setup, **extra: Any) -> dict[str, Any]:
    """Arguments of a probe of cron@contoso.com."""
    return {"config": str(setup.config), "user": CRON, **extra}


def test_probe_logs_in(run: Runner, modules: Modules, setup: Setup, smtp: Smtp) -> None:
    """A real XOAUTH2 login over STARTTLS: ok, the reply, no token in the result."""
    result = run.ok(modules.probe, probe_args(setup))
    assert result["ok"] is True
    assert result["changed"] is False
    assert result["token_refreshed"] is False
    assert result["target"] == "cron-mail"
    (only,) = result["results"]
    assert only["protocol"] == "smtp"
    assert only["port"] == smtp.port
    assert only["stage"] == "done"
    assert only["tls"].startswith("TLS")
    assert result["replies"]["smtp"].startswith("235")
    assert smtp.logins == [CRON]
    assert_no_canary(result)


def test_probe_refreshes_an_expiring_token(
    run: Runner,
    modules: Modules,
    smtp: Smtp,
    certs: Certs,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An access token about to expire is refreshed first (the OAuth emulator's token
    endpoint): changed, the store rewritten, and neither token in the result."""
    import secrets

    from mailoauth_cfg.tokens.store import TokenLocation, native_path
    from tests.emulators.oauth import OAuthEmulator, OAuthServer

    emulator = OAuthEmulator(key=secrets.token_bytes(32))
    emulator.add_client(CLI_CLIENT)
    refresh = emulator.add_refresh_token(CRON, CLI_CLIENT, "offline_access SMTP.Send")
    server = OAuthServer(emulator, certs.server_context).start()
    try:
        made = make_setup(
            tmp_path / "cfg",
            certs,
            smtp.port,
            login=server.base,
            expires_in=30,
            refresh_token=refresh,
        )
        monkeypatch.chdir(made.root)
        issued_before = len(emulator.issued)

        class Issued(set[str]):
            """Every token the emulator issued (known only once the refresh has run)."""

            def __contains__(self, token: object) -> bool:
                return token in emulator.issued

        smtp.accepted = Issued()
        result = run.ok(modules.probe, probe_args(made))
    finally:
        server.stop()
    assert len(emulator.issued) > issued_before
    assert result["changed"] is True
    assert result["token_refreshed"] is True
    assert result["ok"] is True
    stored = TokenLocation(native_path(made.store, CRON)).load(CRON)
    assert stored is not None
    assert stored.access_token in emulator.issued
    text = json.dumps(result)
    for token in (TOKEN, refresh, *emulator.issued):
        assert token not in text


def test_probe_refusal_is_explained(
    run: Runner, modules: Modules, setup: Setup, smtp: Smtp
) -> None:
    """535 5.7.139: failed, with the meaning, the fix and the rules in the message."""
    smtp.refuse = "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled"
    result = run.fail(modules.probe, probe_args(setup, protocol=["smtp"]))
    assert result["ok"] is False
    assert f"as {CRON}: FAILED at auth: 535 5.7.139" in result["msg"]
    assert " - meaning: " in result["msg"]
    assert "; fix: " in result["msg"]
    (only,) = result["results"]
    assert only["explanation"]["rules"]
    assert_no_canary(result)


def test_probe_check_mode_skips_the_login(
    run: Runner, modules: Modules, setup: Setup, smtp: Smtp
) -> None:
    """Check mode resolves the mailbox and its token but does not log in."""
    result = run.ok(modules.probe, probe_args(setup, _ansible_check_mode=True))
    assert result["skipped"] is True
    assert result["changed"] is False
    assert result["token_present"] is True
    assert result["ok"] is None
    assert result["msg"].startswith("check mode: no login attempted")
    assert smtp.logins == []


def test_probe_unknown_mailbox_and_stdout_store(
    run: Runner, modules: Modules, setup: Setup
) -> None:
    """Usage errors fail with the library's message."""
    unknown = run.fail(modules.probe, probe_args(setup, user="nobody@contoso.com"))
    assert "mailbox nobody@contoso.com is not declared" in unknown["msg"]
    stdout = run.fail(modules.probe, probe_args(setup, store="-"))
    assert stdout["msg"].startswith("store: '-' prints tokens")


def test_probe_real_json_output_holds_no_token(
    run: Runner,
    modules: Modules,
    setup: Setup,
    smtp: Smtp,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The printed JSON of a successful probe never contains the token."""
    code, out, result = run.json_output(modules.probe, probe_args(setup), capsys)
    assert code == 0
    assert result["ok"] is True
    assert TOKEN not in out

"""Injection paths found in rendered files, each closed and proven with the real consumer:
msmtp's passwordeval (run through /bin/sh), PowerShell's five single quotes, the config file's
name in every header, runbook commands pasted into a shell, msmtp account names, Postfix's
``$`` expansion and postmap's quotes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from mailoauth_cfg.loading import load_config
from mailoauth_cfg.model.building import build_config
from mailoauth_cfg.rendering import RenderResult, render
from mailoauth_cfg.rendering.escaping import ps_string
from tests.rendering.consumers import (
    OLD,
    Breakout,
    powershell_strings,
    read_back,
)
from tests.rendering.support import CASES_DIR, child_env, require
from tests.runbooks.extract import commands

TENANT = "6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d"
CONFIG = f"""\
version: 1
providers:
  contoso: {{type: microsoft, tenant: {TENANT}}}
apps:
  mail:
    provider: contoso
    client_id: 1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b
    client_secret: {{env: INJ_SECRET}}
users:
  - {{email: no.reply@contoso.com, provider: contoso}}
  - {{email: no-reply@contoso.com, provider: contoso}}
targets:
TARGETS
"""


def build(tmp_path: Path, targets: str, name: str = "mailoauth.yaml") -> tuple[Path, RenderResult]:
    config = tmp_path / name
    config.write_text(CONFIG.replace("TARGETS", targets), encoding="utf-8")
    loaded = load_config(config)
    built = build_config(loaded)
    assert built.config is not None, [str(f) for f in built.findings]
    assert not [f for f in built.findings if f.severity.label == "error"], built.findings
    result = render(
        built.config,
        loaded.marks,
        config_name=config.name,
        root=loaded.root,
        environ={"INJ_SECRET": "s3cr3t-value"},
    )
    return config, result


def write(result: RenderResult, directory: Path) -> Path:
    assert not result.findings, [f.message for f in result.findings]
    for f in result.files:
        path = directory / f.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(f.content)
    return directory


# --- msmtp ----------------------------------------------------------------------------------


def test_passwordeval_runs_one_command_whatever_the_paths_hold(tmp_path: Path) -> None:
    """msmtp runs passwordeval through /bin/sh: the paths reach the command as words."""
    config_path = "/etc/m cfg/$(touch PWNED)`touch PWNED2`;touch PWNED3'\".yaml"
    token_dir = "/var/lib/t ${IFS}touch${IFS}PWNED4 &&touch PWNED5"
    targets = f"""  cron:
    type: msmtp
    app: mail
    users: [no.reply@contoso.com]
    config_path: {json.dumps(config_path)}
    token_dir: {json.dumps(token_dir)}
"""
    _, result = build(tmp_path, targets)
    out = write(result, tmp_path / "out")
    msmtp = require("msmtp", "msmtp")
    stubs = tmp_path / "bin"
    stubs.mkdir()
    record = tmp_path / "argv"
    stub = stubs / "mailoauth-cfg"
    stub.write_text(
        f"#!/bin/sh\nprintf '%s\\0' \"$@\" > {record}\necho FAKE-ACCESS-TOKEN\n", encoding="utf-8"
    )
    stub.chmod(0o755)
    rc = out / "cron" / "msmtprc"
    rc.chmod(0o600)
    done = subprocess.run(
        [msmtp, "-C", str(rc), "--pretend", "--account=no.reply@contoso.com"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=child_env(HOME=str(tmp_path), PATH=f"{stubs}:{child_env()['PATH']}"),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    argv = record.read_bytes().decode().split("\0")[:-1]
    assert argv == [
        "token",
        "access",
        "--config",
        config_path,
        "--target",
        "cron",
        "--user",
        "no.reply@contoso.com",
        "--store",
        token_dir,
    ]
    assert list(tmp_path.glob("PWNED*")) == []


def test_a_backquoted_mailbox_address_is_refused_where_it_is_written(tmp_path: Path) -> None:
    config = tmp_path / "mailoauth.yaml"
    text = CONFIG.replace("no.reply@contoso.com", '"a`touch${IFS}x`@contoso.com"').replace(
        "TARGETS", "  cron: {type: msmtp, app: mail, users: ['a`touch${IFS}x`@contoso.com']}\n"
    )
    config.write_text(text, encoding="utf-8")
    built = build_config(load_config(config))
    # the mailbox and the target naming it are left out of the model (nothing renders them);
    # the rest of the config is still checked
    assert built.config is not None
    assert [u.email for u in built.config.users] == ["no-reply@contoso.com"]
    assert "cron" not in built.config.targets
    located = [(f.location.line, f.location.path) for f in built.findings]
    assert (10, "users[0].email") in located, built.findings


def test_accounts_of_look_alike_mailboxes_stay_distinct(tmp_path: Path) -> None:
    """``no.reply@`` and ``no-reply@`` used to share the account name ``no-reply``: msmtp
    rejected the whole file. Each account is now named after its (unique) mailbox."""
    targets = """  cron:
    type: msmtp
    app: mail
    users: [no.reply@contoso.com, no-reply@contoso.com]
"""
    _, result = build(tmp_path, targets)
    out = write(result, tmp_path / "out")
    msmtp = require("msmtp", "msmtp")
    rc = out / "cron" / "msmtprc"
    rc.chmod(0o600)
    for account in ("no.reply@contoso.com", "no-reply@contoso.com"):
        done = subprocess.run(
            [msmtp, "-C", str(rc), "--pretend", f"--account={account}", "--passwordeval=echo x"],
            capture_output=True,
            text=True,
            env=child_env(HOME=str(tmp_path)),
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert f"user = {account}" in done.stdout


# --- PowerShell -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "o'brien",
        "a\u2018b",
        "a\u2019); Remove-Item C:\\ -Recurse; ('",
        "\u201aq\u201b",
        "''\u2018\u2019\u201a\u201b",
        "'",
        "",
        "$(Get-Date) `n $env:PATH",
    ],
)
def test_a_powershell_string_holds_every_single_quote_character(value: str) -> None:
    """PowerShell ends a verbatim string on ', U+2018, U+2019, U+201A and U+201B: each is
    doubled, so the string reads back whole (lexed as the language specification says)."""
    script = f"$x = {ps_string(value)}; Write-Host 'after'\n"
    strings = [text for _, text in powershell_strings(script, "test.ps1")]
    assert strings == [value, "after"]


def test_rendered_remediation_scripts_lex_whole(tmp_path: Path) -> None:
    from tests.rendering.support import VARIANT_SECRETS, VARIANTS_CONFIG, render_config

    result = render_config(VARIANTS_CONFIG, VARIANT_SECRETS)
    scripts = [f for f in result.files if f.path.endswith(".ps1")]
    assert scripts
    for script in scripts:
        values = [v for _, v in powershell_strings(script.content.decode(), script.path)]
        assert "Stop" in values


# --- the config file's name -----------------------------------------------------------------


def _render_named(tmp_path: Path, name: str) -> tuple[Path, RenderResult]:
    config = tmp_path / name
    shutil.copy(CASES_DIR / "escaping" / "mailoauth.yaml", config)
    loaded = load_config(config)
    built = build_config(loaded)
    assert built.config is not None
    return config, render(
        built.config,
        loaded.marks,
        config_name=config.name,
        root=loaded.root,
        environ={"ESC_MS_SECRET": "ms-secret", "ESC_G_SECRET": "g-secret"},
    )


def test_a_hostile_config_file_name_stays_inside_its_comments(tmp_path: Path) -> None:
    """The name is printed in every generated file's header: a ``?>``, quotes or a command
    substitution in it neither leave PHP mode nor run (each consumer reads every file)."""
    name = "x?><?php touch('PWNED'); ?> $(touch PWNED2) \"; import os #.yaml"
    _, result = _render_named(tmp_path, name)
    assert not result.findings, [f.message for f in result.findings]
    work = tmp_path / "work"
    work.mkdir()
    try:
        read_back({f.path: f.content for f in result.files}, work)
    except Breakout as exc:
        pytest.fail(str(exc))
    for f in result.files:
        if f.path.endswith((".php", ".sh", ".py", ".sql", ".ps1")):
            header = next(line for line in f.content.decode().splitlines() if "Generated" in line)
            assert "mailoauth-cfg from x?" in header, f.path
    assert list(tmp_path.rglob("PWNED*")) == []


def test_a_line_break_in_the_config_file_name_stays_inside_its_comments(tmp_path: Path) -> None:
    """In a comment a line break is shown as \\u000a: the name, which only headers print (no
    runbook command names the source config), starts no line of code in any file."""
    from mailoauth_cfg.rendering.escaping import SYNTAXES

    name = "x\nimport os; os.system('touch PWNED').yaml"
    for syntax in ("sh", "php", "python", "sql", "ps1", "ini", "msmtprc", "postfix", "yaml"):
        comment = SYNTAXES[syntax].comment(f"from {name}")
        assert "\n" not in comment, syntax
        assert "\\u000a" in comment, syntax
    _, result = _render_named(tmp_path, name)
    assert not result.findings, [f.message for f in result.findings]
    work = tmp_path / "work"
    work.mkdir()
    try:
        read_back({f.path: f.content for f in result.files}, work)
    except Breakout as exc:
        pytest.fail(str(exc))
    for f in result.files:
        assert b"\nimport os; os.system" not in f.content, f.path
    assert list(tmp_path.rglob("PWNED*")) == []


# --- runbook commands -----------------------------------------------------------------------


def test_a_runbook_command_pasted_into_a_shell_runs_only_itself(tmp_path: Path) -> None:
    """Every command of the runbook's ``sh`` blocks, pasted into dash, runs only itself: the
    hostile host config path reaches mailoauth-cfg as one word."""
    config_path = "/etc/my cfg $(touch PWNED) `touch PWNED2`; touch PWNED3 'q\".yaml"
    targets = (
        "  cron: {type: msmtp, app: mail, users: [no.reply@contoso.com], "
        f"config_path: {json.dumps(config_path)}}}\n"
    )
    _, result = build(tmp_path, targets)
    runbook = next(f for f in result.files if f.path == "cron/bootstrap/no.reply@contoso.com.md")
    found = commands(runbook.content.decode(), runbook.path)
    assert found, runbook.content.decode()
    stubs = tmp_path / "bin"
    stubs.mkdir()
    record = tmp_path / "argv"
    (stubs / "mailoauth-cfg").write_text(
        f"#!/bin/sh\nprintf '%s\\0' \"$@\" >> {record}\nprintf '\\n' >> {record}\n",
        encoding="utf-8",
    )
    (stubs / "mailoauth-cfg").chmod(0o755)
    sh = require("dash", "dash")
    for command in found:
        subprocess.run(
            [sh, "-c", command.line],
            cwd=tmp_path,
            env=child_env(PATH=f"{stubs}:{child_env()['PATH']}"),
            check=True,
        )
    calls = [c.split("\0")[:-1] for c in record.read_text().split("\n") if c]
    assert calls[0][:8] == [
        "token",
        "bootstrap",
        "--config",
        config_path,
        "--target",
        "cron",
        "--user",
        "no.reply@contoso.com",
    ]
    assert len(calls) == len(found)
    # every command that reads the config (bootstrap, probe) got the path as one word; the
    # others (explain) take no config
    reading = [call for call in calls if "--config" in call]
    assert len(reading) >= 2, calls
    assert all(call[call.index("--config") + 1] == config_path for call in reading)
    assert list(tmp_path.glob("PWNED*")) == []


# --- Postfix --------------------------------------------------------------------------------


def test_a_dollar_in_a_postfix_value_is_not_expanded(tmp_path: Path) -> None:
    targets = """  relay:
    type: postfix-sasl-xoauth2
    app: mail
    users: [no.reply@contoso.com]
    postfix_dir: /etc/post$fix$mail_version
"""
    _, result = build(tmp_path, targets)
    out = write(result, tmp_path / "out")
    postconf = require("postconf", "postfix")
    directory = tmp_path / "pf"
    directory.mkdir()
    shutil.copy(out / "relay" / "main.cf", directory / "main.cf")
    os.utime(directory / "main.cf", (OLD, OLD))
    done = subprocess.run(
        [postconf, "-c", str(directory), "-x", "-h", "smtp_sasl_password_maps"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "hash:/etc/post$fix$mail_version/sasl_passwd"


def test_a_quote_postmap_cannot_carry_is_refused_where_it_is_written(tmp_path: Path) -> None:
    targets = """  relay:
    type: postfix-sasl-xoauth2
    app: mail
    users: [no.reply@contoso.com]
    token_dir: '/etc/tok"ens'
"""
    config, result = build(tmp_path, targets)
    assert result.files == [], "nothing is rendered"
    (finding,) = [f for f in result.findings if "sasl_passwd" in f.message]
    assert finding.rule == "render-value-unsafe"
    line = config.read_text().splitlines().index("    token_dir: '/etc/tok\"ens'") + 1
    assert (finding.location.line, finding.location.path) == (line, "targets.relay.token_dir")
    assert "U+0022" in finding.message


def test_the_read_back_names_the_file_whose_value_ran(tmp_path: Path) -> None:
    """The consumers' read-back sees a value that ran (it looks once all files are read), and
    names the file it ran from, not the files read after it."""
    files = {
        "t/a.json": b'{"a": "x"}\n',
        "t/b.sh": b"x=1\n: > PWNED-b\n",
        "t/c.json": b'{"c": "y"}\n',
    }
    with pytest.raises(Breakout, match=r"^t/b\.sh: a value ran as code \(PWNED-b was created\)"):
        read_back(files, tmp_path / "work")
    del files["t/b.sh"]
    assert read_back(files, tmp_path / "clean")

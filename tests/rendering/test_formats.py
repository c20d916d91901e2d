"""Every generated file read back by the real parser of its format.

PHP (``php -l``), SQL (sqlglot, MySQL dialect), INI (configparser), JSON, shell (``sh -n`` and
``bash -n``), Python (``py_compile``), msmtp (``msmtp --pretend``) and Postfix (``postconf``,
``postmap``). A missing tool fails the test and names the Debian package to install.
"""

from __future__ import annotations

import configparser
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.rendering.support import child_env, golden_cases, render_config, require

try:
    import sqlglot
    from sqlglot import exp
except ImportError:  # pragma: no cover - the failure below names the package
    sqlglot = None

OLD = 1_577_836_800  # 2020-01-01


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every golden case rendered with its canary secrets, as files: ``out/<case>/...``."""
    base = tmp_path_factory.mktemp("formats")
    for case, (config, secrets, _) in golden_cases(base / "config").items():
        result = render_config(config, secrets)
        assert not result.findings
        for f in result.files:
            path = base / "out" / case / f.path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(f.content)
            path.chmod(f.mode)
    return base / "out"


def files(out: Path, pattern: str) -> list[Path]:
    found = sorted(out.rglob(pattern))
    assert found, f"no {pattern} rendered"
    return found


def check(*cmd: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env or child_env(),
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert proc.returncode == 0, f"{' '.join(cmd)}: {proc.stdout}{proc.stderr}"
    return proc.stdout


def test_php_files_pass_php_lint(out: Path) -> None:
    php = require("php", "php-cli")
    for path in files(out, "*.php"):
        assert "No syntax errors" in check(php, "-l", str(path))


def sql_statements(path: Path) -> list[exp.Expression]:
    if sqlglot is None:
        pytest.fail("sqlglot is not installed: pip install sqlglot", pytrace=False)
    text = path.read_text(encoding="utf-8")
    statements = [s for s in sqlglot.parse(text, read="mysql") if s is not None]
    for statement in statements:
        again = sqlglot.parse_one(statement.sql(dialect="mysql"), read="mysql")
        assert again == statement, f"{path}: {statement.sql()} does not round-trip"
    return statements


def test_sql_files_parse_as_mysql(out: Path) -> None:
    for path in files(out, "*.sql"):
        statements = sql_statements(path)
        inserts = [s for s in statements if isinstance(s, exp.Insert)]
        expected = path.read_text(encoding="utf-8").count("\nINSERT INTO ")
        assert len(inserts) == expected, path
        assert len(statements) == expected + 2, "START TRANSACTION; inserts; COMMIT"
        for insert in inserts:
            assert insert.args["conflict"].args.get("duplicate"), "ON DUPLICATE KEY UPDATE"


def test_json_files_parse(out: Path) -> None:
    for path in files(out, "*.json"):
        json.loads(path.read_text(encoding="utf-8"))
    for path in files(out, "sasl-xoauth2.conf"):
        conf = json.loads(path.read_text(encoding="utf-8"))
        assert {"client_id", "client_secret", "token_endpoint"} <= set(conf)


def test_emailproxy_config_reads_back_with_configparser(out: Path) -> None:
    (path,) = files(out / "contoso", "emailproxy.config")
    parser = configparser.ConfigParser()
    parser.read_string(path.read_text(encoding="utf-8"))
    assert parser.get("SMTP-1587", "server_address") == "smtp.office365.com"
    assert parser.get("IMAP-1993", "server_address") == "outlook.office365.com"
    account = parser["scanner@contoso.com"]
    assert account["client_id"] == "5e8f0a12-3b4c-4d5e-8f9a-0b1c2d3e4f5a"
    assert account["oauth2_flow"] == "authorization_code"
    assert "client_secret" not in account, "proxy-mail is a public client"


def test_shell_scripts_pass_sh_and_bash_syntax_checks(out: Path) -> None:
    sh = require("sh", "dash")
    bash = require("bash", "bash")
    for path in [*files(out, "*.sh")]:
        check(sh, "-n", str(path))
        check(bash, "-n", str(path))


def test_odoo_script_compiles(out: Path) -> None:
    for path in files(out, "odoo_oauth.py"):
        check(sys.executable, "-m", "py_compile", str(path))


def test_msmtp_reads_the_msmtprc(out: Path, tmp_path: Path) -> None:
    msmtp = require("msmtp", "msmtp")
    (path,) = files(out / "contoso", "msmtprc")
    stub = tmp_path / "bin"
    stub.mkdir()
    helper = stub / "mailoauth-cfg"
    helper.write_text("#!/bin/sh\necho FAKE-ACCESS-TOKEN\n", encoding="utf-8")
    helper.chmod(0o755)
    env = child_env(HOME=str(tmp_path), PATH=f"{stub}:{child_env()['PATH']}")
    printed = check(msmtp, "-C", str(path), "--pretend", "--account=noreply@contoso.com", env=env)
    assert "host = smtp.office365.com" in printed
    assert "port = 587" in printed
    assert "auth = XOAUTH2" in printed
    assert "user = noreply@contoso.com" in printed
    assert "tls_starttls = on" in printed


def test_postfix_reads_main_cf_and_sasl_passwd(out: Path, tmp_path: Path) -> None:
    postconf = require("postconf", "postfix")
    postmap = require("postmap", "postfix")
    for relay, host, user in (
        ("relay", "[smtp.office365.com]:587", "noreply@contoso.com"),
        ("notify-relay", "[smtp.gmail.com]:587", "notify@acme.example"),
    ):
        config_dir = tmp_path / relay
        config_dir.mkdir()
        shutil.copy(out / "contoso" / relay / "main.cf", config_dir / "main.cf")
        shutil.copy(out / "contoso" / relay / "sasl_passwd", config_dir / "sasl_passwd")
        for name in ("main.cf", "sasl_passwd"):
            # Postfix waits ~2 s on a file modified in the last second (an editor may be
            # writing it): date the copies in the past.
            os.utime(config_dir / name, (OLD, OLD))
        values = check(postconf, "-c", str(config_dir), "-n")
        assert f"relayhost = {host}" in values
        assert "smtp_sasl_mechanism_filter = xoauth2" in values
        assert "smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd" in values
        table = f"hash:{config_dir / 'sasl_passwd'}"
        check(postmap, "-c", str(config_dir), table)
        found = check(postmap, "-c", str(config_dir), "-q", host, table).strip()
        assert found == f"{user}:/etc/tokens/{user}"

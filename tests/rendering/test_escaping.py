"""Hostile values (quotes, backslashes, ``$``, ``%``, ``;``, SQL and shell metacharacters) reach
every generated syntax and come back unchanged through the real interpreters: PHP runs the
Dolibarr scripts against a stub Dolibarr, sh runs the GLPI and Nextcloud scripts against stub
``php`` and ``curl``, Python runs the Odoo script against a local XML-RPC server, sqlglot reads
the SQL, configparser the INI and json the JSON sheets.
"""

from __future__ import annotations

import configparser
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xmlrpc.server import SimpleXMLRPCRequestHandler, SimpleXMLRPCServer

import pytest

from tests.rendering.consumers import stub_htdocs
from tests.rendering.support import CASES_DIR, child_env, render_config, require

CONFIG = CASES_DIR / "escaping" / "mailoauth.yaml"
MS_SECRET = "a'b\\c\"d$e%f;-- `id` $(touch pwned)"
G_SECRET = "g'\\\"%x ${HOME}"
SECRETS = {"ESC_MS_SECRET": MS_SECRET, "ESC_G_SECRET": G_SECRET}
MAILBOX = "o'brien@contoso.com"
FOLDER = "INBOX'; DROP TABLE x; --"
TARGET_FOLDER = 'Done "x" $y'
GLPI_DIR = "glpi dir 'q' $HOME"
DISPLAY_NAME = '100% O\'Hara \\ "x" $HOME'
ODOO_DB = 'acme\'db "x"'
ODOO_SERVER = "OAuth \"mail\" \\ {x} 'y'"
G_CLIENT_ID = "412345678901-k3j4h5g6f7d8s9a0p1o2i3u4y5t6r7e8.apps.googleusercontent.com"


def write(directory: Path, environ: dict[str, str]) -> Path:
    result = render_config(CONFIG, environ)
    assert not result.findings, [f.message for f in result.findings]
    for f in result.files:
        path = directory / f.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(f.content)
    return directory


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(tmp_path_factory.mktemp("escaping"), SECRETS)


def run(*cmd: str, cwd: Path, env: dict[str, str], stdin: str | None = None) -> str:
    proc = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        check=False,
    )
    assert proc.returncode == 0, f"{' '.join(cmd)}: {proc.stdout}{proc.stderr}"
    return proc.stdout


# --- PHP: the Dolibarr scripts, run against a stub Dolibarr ----------------------------------


def run_php(script: Path, tmp_path: Path, *, existing: bool = False) -> dict[str, Any]:
    php = require("php", "php-cli")
    htdocs = stub_htdocs(tmp_path)
    record = tmp_path / "record.json"
    env = child_env(STUB_OUT=str(record), **({"STUB_EXISTING": "1"} if existing else {}))
    run(php, str(script), str(htdocs), cwd=tmp_path, env=env)
    data: dict[str, Any] = json.loads(record.read_text(encoding="utf-8"))
    return data


def test_dolibarr_php_sets_every_value_unchanged(out: Path, tmp_path: Path) -> None:
    data = run_php(out / "erp" / "dolibarr-oauth.php", tmp_path)
    consts = {name: value for name, value, *_ in data["consts"]}
    assert all(c[2:] == ["chaine", 0, "", 1] for c in data["consts"])
    assert consts["OAUTH_MICROSOFT3-Emails_SECRET"] == MS_SECRET
    assert consts["OAUTH_MICROSOFT3-Emails_TENANT"] == "6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d"
    assert consts["MAIN_MAIL_EMAIL_FROM"] == "team+ops@contoso.com"
    for suffix in ("", "_EMAILING", "_TICKET", "_PASSWORDRESET"):
        assert consts[f"MAIN_MAIL_SMTPS_ID{suffix}"] == MAILBOX
        assert consts[f"MAIN_MAIL_SMTPS_OAUTH_SERVICE{suffix}"] == "MICROSOFT3-Emails"
    for suffix in ("_EMAILING", "_TICKET", "_PASSWORDRESET"):
        assert consts[f"MAIN_MAIL_SENDMODE{suffix}"] == "smtps"
    assert consts["MAIN_IMAP_USE_PHPIMAP"] == "1"
    assert "OAUTH_MICROSOFT3_FORCE_PROMPT" not in consts, "'none' is written as an empty row"
    assert any("VALUES ('OAUTH_MICROSOFT3_FORCE_PROMPT', ''" in q for q in data["queries"]), data[
        "queries"
    ]
    for value in (FOLDER, TARGET_FOLDER, "col'1", MAILBOX):
        assert value in data["escaped"]
    insert = next(q for q in data["queries"] if q.startswith("INSERT INTO llx_emailcollector"))
    assert "'INBOX\\'; DROP TABLE x; --'" in insert


def test_dolibarr_php_updates_an_existing_collector(out: Path, tmp_path: Path) -> None:
    data = run_php(out / "erp" / "dolibarr-oauth.php", tmp_path, existing=True)
    update = next(q for q in data["queries"] if q.startswith("UPDATE llx_emailcollector"))
    assert "source_directory = 'INBOX\\'; DROP TABLE x; --'" in update
    assert update.endswith("WHERE rowid = 5")


def test_dolibarr_php_refuses_the_web_and_needs_the_htdocs_path(out: Path, tmp_path: Path) -> None:
    php = require("php", "php-cli")
    text = (out / "erp" / "dolibarr-oauth.php").read_text(encoding="utf-8")
    assert text.index("if (PHP_SAPI !== 'cli') exit(1);") < text.index("require_once")
    proc = subprocess.run(
        [php, str(out / "erp" / "dolibarr-oauth.php")],
        capture_output=True,
        text=True,
        env=child_env(),
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert proc.returncode == 2
    assert "DOLIBARR_HTDOCS" in proc.stderr


@pytest.mark.parametrize("existing", [False, True])
def test_multismtp_php_writes_each_user_row(out: Path, tmp_path: Path, existing: bool) -> None:
    data = run_php(out / "multi" / "multismtp.php", tmp_path, existing=existing)
    consts = {name: value for name, value, *_ in data["consts"]}
    assert consts["MULTISMTP_SMTP_ENABLED"] == "1"
    assert consts["MULTISMTP_IMAP_ENABLED"] == "1"
    # One OAuth service per user, its secret through dolibarr_set_const (which encrypts it).
    for label in ("OBrienMicrosoft365", "TeamOpsMicrosoft365"):
        assert consts[f"OAUTH_MICROSOFT3-{label}_SECRET"] == MS_SECRET
    assert MS_SECRET not in data["escaped"], "no secret in a llx_user2smtp row"
    assert "Sent'; --" in data["escaped"]
    assert MAILBOX in data["escaped"]
    verb = "UPDATE llx_user2smtp" if existing else "INSERT INTO llx_user2smtp"
    writes = [q for q in data["queries"] if q.startswith(verb)]
    assert len(writes) == 2
    assert any("'MICROSOFT3-OBrienMicrosoft365'" in q for q in writes)


# --- SQL: sqlglot reads every value back -----------------------------------------------------


def sql_rows(path: Path) -> dict[str, list[dict[str, Any]]]:
    try:
        import sqlglot
        from sqlglot import exp
    except ImportError:
        pytest.fail("sqlglot is not installed: pip install sqlglot", pytrace=False)
    rows: dict[str, list[dict[str, Any]]] = {}
    statements = [s for s in sqlglot.parse(path.read_text(encoding="utf-8"), read="mysql") if s]
    assert not any(s.find(exp.Drop) for s in statements)
    for statement in statements:
        if not isinstance(statement, exp.Insert):
            assert isinstance(statement, exp.Transaction | exp.Commit), statement.sql()
            continue
        table = statement.this.this.name
        columns = [c.name for c in statement.this.expressions]
        (values,) = statement.expression.expressions
        decoded = [
            None
            if isinstance(v, exp.Null)
            else (
                v.this if v.is_string else (int(v.this) if isinstance(v, exp.Literal) else v.sql())
            )
            for v in values.expressions
        ]
        rows.setdefault(table, []).append(dict(zip(columns, decoded, strict=True)))
    return rows


def test_sql_values_read_back_and_a_backslash_secret_is_left_out(out: Path) -> None:
    rows = sql_rows(out / "erp" / "dolibarr-oauth.sql")
    consts = {r["name"]: r["value"] for r in rows["llx_const"]}
    assert "OAUTH_MICROSOFT3-Emails_SECRET" not in consts, "a backslash cannot be written"
    assert "NOT WRITTEN HERE: OAUTH_MICROSOFT3-Emails_SECRET" in (
        out / "erp" / "dolibarr-oauth.sql"
    ).read_text(encoding="utf-8")
    assert consts["MAIN_MAIL_SMTPS_ID_TICKET"] == MAILBOX
    assert consts["OAUTH_MICROSOFT3_FORCE_PROMPT"] == ""
    (collector,) = rows["llx_emailcollector_emailcollector"]
    assert collector["source_directory"] == FOLDER
    assert collector["target_directory"] == TARGET_FOLDER
    assert collector["ref"] == "col'1"
    assert collector["login"] == MAILBOX


def test_sql_carries_a_secret_with_quotes(tmp_path: Path) -> None:
    secret = "q'uote\";-- $x %y `z`"
    out = write(tmp_path, {"ESC_MS_SECRET": secret, "ESC_G_SECRET": "plain"})
    consts = {
        r["name"]: r["value"] for r in sql_rows(out / "erp" / "dolibarr-oauth.sql")["llx_const"]
    }
    assert consts["OAUTH_MICROSOFT3-Emails_SECRET"] == secret
    multi = sql_rows(out / "multi" / "multismtp.sql")
    users = multi["llx_user2smtp"]
    assert sorted(u["fk_user"] for u in users) == [7, 9]
    assert all(u["smtp_oauth_secret"] is None for u in users), "the selected service holds it"
    assert all(u["imap_folder"] == "Sent'; --" for u in users)
    services = {u["smtp_oauth_service"] for u in users}
    assert services == {"MICROSOFT3-OBrienMicrosoft365", "MICROSOFT3-TeamOpsMicrosoft365"}
    entries = {r["name"]: r["value"] for r in multi["llx_const"]}
    assert entries["OAUTH_MICROSOFT3-OBrienMicrosoft365_SECRET"] == secret


# --- shell: the scripts run against stub commands that record what they receive ------------

RECORDER = """#!{python}
import json, os, sys
with open(os.environ["STUB_OUT"], "a", encoding="utf-8") as f:
    f.write(json.dumps({{"argv": sys.argv[1:], "cwd": os.getcwd(),
                        "stdin": "" if sys.stdin.isatty() else sys.stdin.read()}}) + "\\n")
"""


def stub_bin(tmp_path: Path, *names: str) -> Path:
    directory = tmp_path / "bin"
    directory.mkdir(exist_ok=True)
    for name in names:
        path = directory / name
        path.write_text(RECORDER.format(python=sys.executable), encoding="utf-8")
        path.chmod(0o755)
    return directory


def calls(record: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]


def test_glpi_script_passes_every_value_unchanged(out: Path, tmp_path: Path) -> None:
    sh = require("sh", "dash")
    stub = stub_bin(tmp_path, "php")
    (tmp_path / GLPI_DIR).mkdir()
    record = tmp_path / "calls.jsonl"
    env = child_env(STUB_OUT=str(record), PATH=f"{stub}:{child_env()['PATH']}")
    run(sh, str(out / "helpdesk" / "glpi-oauth.sh"), cwd=tmp_path, env=env)
    seen = calls(record)
    assert {Path(c["cwd"]).name for c in seen} == {GLPI_DIR}
    assert all(c["argv"][:4] == ["bin/console", "config:set", "--context=core", "--"] for c in seen)
    values = {c["argv"][4]: c["argv"][5] for c in seen}
    assert values["smtp_oauth_client_secret"] == G_SECRET
    assert values["from_email_name"] == DISPLAY_NAME
    assert values["smtp_oauth_provider"] == "Glpi\\Mail\\SMTP\\OauthProvider\\Google"
    assert values["smtp_mode"] == "4"
    assert not (tmp_path / "pwned").exists()


def test_nextcloud_script_sends_the_secret_on_stdin(out: Path, tmp_path: Path) -> None:
    sh = require("sh", "dash")
    stub = stub_bin(tmp_path, "curl")
    record = tmp_path / "calls.jsonl"
    path = f"{stub}:{child_env()['PATH']}"
    env = child_env(
        STUB_OUT=str(record), PATH=path, NC_ADMIN_USER="adm'in", NC_ADMIN_PASSWORD="p$w"
    )
    run(sh, str(out / "cloud" / "nextcloud-mail.sh"), cwd=tmp_path, env=env)
    (call,) = calls(record)
    assert json.loads(call["stdin"]) == {
        "tenantId": "6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d",
        "clientId": "1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b",
        "clientSecret": MS_SECRET,
    }
    assert call["argv"][-1] == "https://cloud.contoso.com/apps/mail/api/integration/microsoft"
    assert "adm'in:p$w" in call["argv"]
    assert not any(MS_SECRET in arg for arg in call["argv"]), "never on the command line"
    proc = subprocess.run(
        [sh, str(out / "cloud" / "nextcloud-mail.sh")],
        capture_output=True,
        text=True,
        env=child_env(PATH=path, STUB_OUT=str(record)),
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert proc.returncode != 0
    assert "NC_ADMIN_USER" in proc.stderr


# --- Python: the Odoo script against a local XML-RPC server ----------------------------------


class Odoo:
    """Just enough of Odoo's XML-RPC API to record what the script asks for."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str, list[Any], dict[str, Any]]] = []

    def authenticate(self, db: str, login: str, password: str, _env: dict[str, Any]) -> int:
        self.calls.append((db, "auth", login, [password], {}))
        return 2

    def execute_kw(
        self,
        db: str,
        uid: int,
        _pw: str,
        model: str,
        method: str,
        args: list[Any],
        kw: dict[str, Any],
    ) -> Any:
        assert uid == 2
        self.calls.append((db, model, method, args, kw))
        if method == "fields_get" and model == "ir.mail_server":
            return {"smtp_authentication": {"type": "selection"}, "from_filter": {"type": "char"}}
        if method == "fields_get":
            return {"server_type": {"selection": [["imap", "IMAP"], ["gmail", "Gmail"]]}}
        if method == "search_count":
            return 1
        if method == "search":
            return []
        return 1 if method == "create" else True


@pytest.fixture
def odoo() -> Iterator[tuple[Odoo, str]]:
    class Handler(SimpleXMLRPCRequestHandler):
        rpc_paths = ("/xmlrpc/2/common", "/xmlrpc/2/object")

        def log_message(self, *args: Any) -> None:
            pass

    fake = Odoo()
    server = SimpleXMLRPCServer(("127.0.0.1", 0), Handler, allow_none=True, logRequests=False)
    server.register_instance(fake)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield fake, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_odoo_script_sets_the_values_over_xmlrpc(
    out: Path, tmp_path: Path, odoo: tuple[Odoo, str]
) -> None:
    fake, url = odoo
    env = child_env(ODOO_LOGIN="admin", ODOO_PASSWORD="pw'\\")
    run(sys.executable, str(out / "odoo" / "odoo_oauth.py"), "--url", url, cwd=tmp_path, env=env)
    assert {c[0] for c in fake.calls} == {ODOO_DB}, "the database name of the config"
    params = {c[3][0]: c[3][1] for c in fake.calls if c[2] == "set_param"}
    assert params == {
        "google_gmail_client_id": G_CLIENT_ID,
        "google_gmail_client_secret": G_SECRET,
    }
    created = {c[1]: c[3][0] for c in fake.calls if c[2] == "create"}
    assert created["ir.mail_server"] == {
        "name": ODOO_SERVER,
        "smtp_host": "smtp.gmail.com",
        "smtp_port": 587,
        "smtp_encryption": "starttls",
        "smtp_user": "ops@acme.example",
        "smtp_pass": False,
        "smtp_authentication": "gmail",
        "from_filter": "ops@acme.example",
    }
    assert created["fetchmail.server"]["server_type"] == "gmail"
    assert created["fetchmail.server"]["name"] == ODOO_SERVER


def test_odoo_script_never_embeds_odoo_credentials(out: Path, tmp_path: Path) -> None:
    text = (out / "odoo" / "odoo_oauth.py").read_text(encoding="utf-8")
    assert 'os.environ.get("ODOO_PASSWORD")' in text
    proc = subprocess.run(
        [sys.executable, str(out / "odoo" / "odoo_oauth.py")],
        capture_output=True,
        text=True,
        env=child_env(),
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert proc.returncode != 0
    assert "ODOO_LOGIN" in proc.stderr


# --- INI and JSON ----------------------------------------------------------------------------


def test_emailproxy_ini_reads_back_the_secret(out: Path) -> None:
    """email-oauth2-proxy reads its file with interpolation=None: a `%` is written as is."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string((out / "proxy" / "emailproxy.config").read_text(encoding="utf-8"))
    assert parser.get(MAILBOX, "client_secret") == MS_SECRET
    assert parser.sections()[-1] == MAILBOX


def test_json_sheets_read_back(out: Path) -> None:
    bi = json.loads((out / "bi" / "settings.json").read_text(encoding="utf-8"))
    assert bi["OAuth parameters"]["Client Secret"] == G_SECRET
    crm = json.loads((out / "crm" / "settings.json").read_text(encoding="utf-8"))
    section = crm["Préférences dossier › Authentifications"]
    assert section["Dossier"] == "Dossier 'A' \\ \"B\""
    assert section["Code secret"] == MS_SECRET
    for sheet in ("bi", "crm", "portal"):
        text = (out / sheet / "settings.md").read_text(encoding="utf-8")
        assert MS_SECRET not in text
        assert G_SECRET not in text


def test_a_line_break_in_a_secret_is_refused_for_ini() -> None:
    """Located at the secret's reference; the secret itself is never shown; nothing rendered."""
    secret = "x\nallow_catch_all_accounts = True"
    result = render_config(CONFIG, {"ESC_MS_SECRET": secret, "ESC_G_SECRET": "g"})
    assert result.files == []
    refused = [f for f in result.findings if "proxy/emailproxy.config" in f.message]
    assert refused, [f.message for f in result.findings]
    (finding,) = refused
    assert finding.rule == "render-value-unsafe"
    assert finding.location.path.endswith("client_secret.env")
    assert finding.location.line > 0
    assert "env:ESC_MS_SECRET" in finding.message
    assert "U+000A" in finding.message
    assert all("allow_catch_all" not in f.message for f in result.findings)

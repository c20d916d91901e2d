"""The real consumers of rendered files, reading them back as the target would.

:func:`read_back` runs each rendered file through the program (or the parser the program uses)
that consumes it, and returns *observations*: tuples of text saying what that consumer sees
(a constant and its value, an argument a command received, an INI option, a main.cf
parameter...). A file the consumer refuses, or a run that leaves a ``PWNED`` file behind,
raises :class:`Breakout`.

Consumers: PHP (the compiler, then a run against a stub Dolibarr that records every constant and
escaped value), sqlglot's MySQL parser for SQL, dash (``sh -n``, then a run where the external
commands are stubs on ``PATH`` and ``cd`` a recording function), msmtp ``--pretend`` (and dash
splitting ``passwordeval`` into words), ``postconf -x`` and ``postmap -s``, Python's configparser
with ``interpolation=None`` (as email-oauth2-proxy reads its file), the Python compiler and
``ast.literal_eval``, ``json``, markdown-it (CommonMark + tables) for runbooks, and a lexer of
PowerShell verbatim strings written from the language specification (no PowerShell here).
"""

from __future__ import annotations

import ast
import configparser
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.rendering.support import child_env, require

Observation = tuple[str, ...]
OLD = 946684800  # 2000-01-01: Postfix waits on files modified in the last second


class Breakout(AssertionError):
    """A consumer refused a rendered file, or a value ran as code."""


STUB_MASTER = r"""<?php
define('DOL_DOCUMENT_ROOT', __DIR__);
define('MAIN_DB_PREFIX', 'llx_');
class StubDb {
    public $queries = array();
    public $escaped = array();
    public function query($sql) { $this->queries[] = $sql; return true; }
    public function fetch_object($res) {
        return getenv('STUB_EXISTING') ? (object) array('rowid' => 5, 'fk_user' => 7) : null;
    }
    public function escape($s) { $this->escaped[] = $s; return addslashes($s); }
    public function lasterror() { return ''; }
    public function idate($t) { return '2026-01-01 00:00:00'; }
}
function dol_now() { return 0; }
$db = new StubDb();
$GLOBALS['stub_consts'] = array();
register_shutdown_function(function () use ($db) {
    file_put_contents(getenv('STUB_OUT'), json_encode(array(
        'consts' => $GLOBALS['stub_consts'], 'queries' => $db->queries, 'escaped' => $db->escaped,
    )));
});
"""
STUB_ADMIN = r"""<?php
function dolibarr_set_const($db, $name, $value, $type = 'chaine', $visible = 0, $note = '',
    $entity = 1) {
    $GLOBALS['stub_consts'][] = array($name, $value, $type, $visible, $note, $entity);
    return 1;
}
"""
STUB_SECURITY = "<?php\nfunction dolEncrypt($s) { return 'dolcrypt:'.$s; }\n"

#: External commands the rendered shell scripts run; each stub records its argv and stdin.
SH_STUB = """#!/bin/sh
{ printf '%s\\0' "$(basename "$0")" "$@"; printf 'STDIN\\0'; \
[ -t 0 ] || cat; printf '\\0END\\0'; } >> "$STUB_OUT"
# `az cloud show` answers the cloud the operator's az is set to
[ "$(basename "$0") $1 $2" != "az cloud show" ] || printf '%s\\n' "${AZ_STUB_CLOUD:-}"
"""
SH_FUNCTIONS = """cd() {
  { printf '%s\\0' cd "$@"; printf 'STDIN\\0\\0END\\0'; } >> "$STUB_OUT"
}
"""
STUBBED = ("php", "curl", "az")


def stub_htdocs(directory: Path) -> Path:
    """A Dolibarr ``htdocs`` with the stubs (database, constants, encryption)."""
    htdocs = directory / "htdocs"
    (htdocs / "core" / "lib").mkdir(parents=True, exist_ok=True)
    (htdocs / "master.inc.php").write_text(STUB_MASTER, encoding="utf-8")
    (htdocs / "core" / "lib" / "admin.lib.php").write_text(STUB_ADMIN, encoding="utf-8")
    (htdocs / "core" / "lib" / "security.lib.php").write_text(STUB_SECURITY, encoding="utf-8")
    return htdocs


def stub_bin(directory: Path) -> Path:
    """A folder of recording stubs for the external commands of the rendered scripts."""
    folder = directory / "stub-bin"
    folder.mkdir(exist_ok=True)
    for name in STUBBED:
        path = folder / name
        path.write_text(SH_STUB, encoding="utf-8")
        path.chmod(0o755)
    (directory / "stub-functions.sh").write_text(SH_FUNCTIONS, encoding="utf-8")
    return folder


def _run(*cmd: str, cwd: Path, env: dict[str, str], what: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        check=False,
        timeout=60,
    )
    if proc.returncode != 0:
        raise Breakout(f"{what}: exit {proc.returncode}: {proc.stdout[-600:]}{proc.stderr[-600:]}")
    return proc


def _records(raw: bytes) -> list[list[str]]:
    out: list[list[str]] = []
    current: list[str] = []
    for field in raw.decode("utf-8", "replace").split("\0"):
        if field == "END":
            out.append(current)
            current = []
        else:
            current.append(field)
    return out


# --- one reader per syntax --------------------------------------------------------------------


def _php(path: Path, work: Path, name: str) -> Iterator[Observation]:
    php = require("php", "php-cli")
    htdocs = stub_htdocs(work)
    record = work / "php-record.json"
    record.unlink(missing_ok=True)
    _run(php, "-l", str(path), cwd=work, env=child_env(), what=f"php -l {name}")
    _run(
        php,
        str(path),
        str(htdocs),
        cwd=work,
        env=child_env(STUB_OUT=str(record)),
        what=f"php {name}",
    )
    data = json.loads(record.read_text(encoding="utf-8"))
    for const in data["consts"]:
        yield ("php-const", name, *(str(c) for c in const))
    for value in data["escaped"]:
        yield ("php-escaped", name, str(value))


def _sql(path: Path, name: str) -> Iterator[Observation]:
    import sqlglot
    from sqlglot import exp

    text = path.read_bytes().decode("utf-8")  # as bytes: the mysql client keeps a \r
    try:
        statements = [s for s in sqlglot.parse(text, read="mysql") if s]
    except sqlglot.errors.ParseError as exc:
        raise Breakout(f"{name}: not valid SQL: {exc}") from None
    for statement in statements:
        if isinstance(statement, exp.Transaction | exp.Commit):
            continue
        if not isinstance(statement, exp.Insert):
            raise Breakout(f"{name}: a statement other than INSERT: {statement.sql()[:200]}")
        table = statement.this.this.name
        columns = [c.name for c in statement.this.expressions]
        (values,) = statement.expression.expressions
        for column, value in zip(columns, values.expressions, strict=True):
            shown = (
                "NULL"
                if isinstance(value, exp.Null)
                else (value.this if isinstance(value, exp.Literal) else value.sql())
            )
            yield ("sql", name, table, column, str(shown))
    for omitted in re.findall(r"^-- NOT WRITTEN HERE: (.*)$", text, re.M):
        yield ("sql-omitted", name, omitted)


def _sh(path: Path, work: Path, name: str) -> Iterator[Observation]:
    sh = require("dash", "dash")
    _run(sh, "-n", str(path), cwd=work, env=child_env(), what=f"sh -n {name}")
    stubs = stub_bin(work)
    record = work / "sh-record.bin"
    record.unlink(missing_ok=True)
    record.touch()
    # a remediation script checks that az is set to its cloud first: the stub answers that one
    cloud = re.search(r"!= (Azure[A-Za-z]+) \]", path.read_text(encoding="utf-8"))
    env = child_env(
        STUB_OUT=str(record),
        PATH=f"{stubs}:{child_env()['PATH']}",
        NC_ADMIN_USER="admin",
        NC_ADMIN_PASSWORD="pw",
        AZ_STUB_CLOUD=cloud.group(1) if cloud else "",
    )
    script = '. "$1"; . "$2"'
    _run(
        sh,
        "-c",
        script,
        "sh",
        str(work / "stub-functions.sh"),
        str(path),
        cwd=work,
        env=env,
        what=f"sh {name}",
    )
    for index, call in enumerate(_records(record.read_bytes())):
        argv, _, stdin = call[: call.index("STDIN")], None, call[call.index("STDIN") + 1 :]
        yield ("sh-call", name, str(index), *argv)
        body = "".join(stdin)
        try:  # a JSON request body: what the server's JSON parser reads
            doc = json.loads(body) if body.strip() else None
        except ValueError:
            yield ("sh-stdin", name, str(index), body)
            continue
        for keys, value in _leaves(doc) if doc is not None else ():
            yield ("sh-stdin-json", name, str(index), *keys, value)


def _msmtp(path: Path, work: Path, name: str) -> Iterator[Observation]:
    """msmtp reads the file (``--pretend``) and runs each account's ``passwordeval`` through
    ``/bin/sh``, as it does before sending; the command is a stub that prints a token."""
    msmtp = require("msmtp", "msmtp")
    sh = require("dash", "dash")
    path.chmod(0o600)
    accounts = re.findall(r'^account (?!default :)"?(.*?)"?$', path.read_text("utf-8"), re.M)
    if not accounts:
        raise Breakout(f"{name}: no account")
    stubs = work / "msmtp-bin"
    stubs.mkdir(exist_ok=True)
    for account in accounts:
        base = (msmtp, "-C", str(path), "--pretend", f"--account={account}")
        env = child_env(HOME=str(work))
        proc = _run(
            *base,
            "--passwordeval=echo stub-token",
            cwd=work,
            env=env,
            what=f"msmtp --pretend {name} {account}",
        )
        values = dict(line.split(" = ", 1) for line in proc.stdout.splitlines() if " = " in line)
        for key in ("host", "port", "auth", "user", "from", "logfile"):
            yield ("msmtp", name, account, key, values.get(key, ""))
        # the file's own passwordeval, run by msmtp through /bin/sh with a stub command
        raw = re.search(
            r'^account "?' + re.escape(account) + r'"?$.*?^passwordeval "(.*)"$',
            path.read_text("utf-8"),
            re.M | re.S,
        )
        first = raw.group(1).split(" ", 1)[0].strip("'") if raw else ""
        if first and "/" not in first and first not in (".", ".."):
            stub = stubs / first
            stub.write_text("#!/bin/sh\necho stub-token\n", encoding="utf-8")
            stub.chmod(0o755)
        env = child_env(HOME=str(work), PATH=f"{stubs}:{child_env()['PATH']}")
        run = subprocess.run(
            base, capture_output=True, text=True, cwd=work, env=env, check=False, timeout=60
        )
        printed = re.search(r"^passwordeval = (.*)$", run.stdout, re.M)
        refused = re.search(r"cannot read output of '(.*)'$", run.stderr, re.M | re.S)
        if printed:
            command = printed.group(1)
        elif refused:  # the command itself failed (a path that is not a program)
            command = refused.group(1)
        else:
            raise Breakout(f"msmtp {name} {account}: {run.stdout[-300:]}{run.stderr[-300:]}")
        words = _run(
            sh,
            "-c",
            "set -- " + command + '; printf "%s\\0" "$@"',
            cwd=work,
            env=child_env(),
            what=f"sh reading passwordeval of {account}",
        ).stdout
        yield ("passwordeval", name, account, *words.split("\0")[:-1])


def _postfix_dir(work: Path) -> Path:
    directory = work / "postfix"
    directory.mkdir(exist_ok=True)
    return directory


def _main_cf(path: Path, work: Path, name: str) -> Iterator[Observation]:
    postconf = require("postconf", "postfix")
    directory = _postfix_dir(work)
    shutil.copy(path, directory / "main.cf")
    os.utime(directory / "main.cf", (OLD, OLD))
    proc = _run(
        postconf,
        "-c",
        str(directory),
        "-n",
        "-x",
        cwd=work,
        env=child_env(),
        what=f"postconf {name}",
    )
    for line in proc.stdout.splitlines():
        key, _, value = line.partition(" = ")
        if key != "config_directory":  # postconf -c sets it to where it read the file
            yield ("main.cf", name, key, value)


def _sasl_passwd(path: Path, work: Path, name: str) -> Iterator[Observation]:
    postmap = require("postmap", "postfix")
    directory = _postfix_dir(work)
    if not (directory / "main.cf").exists():
        (directory / "main.cf").write_text("\n", encoding="utf-8")
        os.utime(directory / "main.cf", (OLD, OLD))
    table = directory / "sasl_passwd"
    shutil.copy(path, table)
    os.utime(table, (OLD, OLD))
    _run(
        postmap,
        "-c",
        str(directory),
        f"hash:{table}",
        cwd=work,
        env=child_env(),
        what=f"postmap {name}",
    )
    proc = _run(
        postmap,
        "-c",
        str(directory),
        "-s",
        f"hash:{table}",
        cwd=work,
        env=child_env(),
        what=f"postmap -s {name}",
    )
    for line in sorted(proc.stdout.splitlines()):
        key, _, value = line.partition("\t") if "\t" in line else line.partition(" ")
        yield ("sasl_passwd", name, key, value)


def _ini(path: Path, name: str) -> Iterator[Observation]:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        with path.open(encoding="utf-8") as handle:
            parser.read_file(handle)
    except configparser.Error as exc:
        raise Breakout(f"{name}: configparser refused it: {exc}") from None
    for section in parser.sections():
        for option, value in parser.items(section, raw=True):
            yield ("ini", name, section, option, value)


def _leaves(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _leaves(child, (*path, str(key)))
    elif isinstance(value, list | tuple):
        for index, child in enumerate(value):
            yield from _leaves(child, (*path, str(index)))
    else:
        yield path, json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value


def _json(path: Path, name: str) -> Iterator[Observation]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise Breakout(f"{name}: not JSON: {exc}") from None
    for keys, value in _leaves(doc):
        yield ("json", name, *keys, value)


def _yaml(path: Path, name: str) -> Iterator[Observation]:
    """mailoauth-cfg's own loader (the host config's reader on a target's host)."""
    from mailoauth_cfg.findings import Severity
    from mailoauth_cfg.loading import load_config

    loaded = load_config(path)
    errors = [f.message for f in loaded.findings if f.severity is Severity.ERROR]
    if errors:
        raise Breakout(f"{name}: mailoauth-cfg cannot load it: {errors[0]}")
    for keys, value in _leaves(loaded.data):
        yield ("yaml", name, *keys, value)


def _systemd(path: Path, work: Path, name: str) -> Iterator[Observation]:
    """systemd's own checker (``systemd-analyze verify``), then each setting as systemd reads
    it: ``ExecStart=`` split into words (written bare: no quotes to undo) and ``%%`` as ``%``.
    A command that is not installed here is the one complaint that says nothing of the file."""
    analyze = require("systemd-analyze", "systemd")
    unit = work / "verify" / Path(name).name
    unit.parent.mkdir(exist_ok=True)
    unit.write_bytes(path.read_bytes())
    done = subprocess.run(
        [analyze, "verify", "--man=no", str(unit)],
        capture_output=True,
        text=True,
        cwd=work,
        env=child_env(),
        check=False,
    )
    complaints = [
        line
        for line in (done.stdout + done.stderr).splitlines()
        if line.strip() and "is not executable" not in line
    ]
    if complaints:
        raise Breakout(f"{name}: systemd-analyze verify: {complaints[0]}")
    section = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line
            continue
        key, _, value = line.partition("=")
        if key == "ExecStart":
            yield ("systemd", name, section, key, *(w.replace("%%", "%") for w in value.split()))
        else:
            yield ("systemd", name, section, key, value.replace("%%", "%"))


def _python(path: Path, name: str) -> Iterator[Observation]:
    text = path.read_text(encoding="utf-8")
    try:
        compile(text, str(path), "exec")
        tree = ast.parse(text)
    except SyntaxError as exc:
        raise Breakout(f"{name}: Python refused it: {exc}") from None
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                try:
                    value = ast.literal_eval(node.value)
                except ValueError:
                    continue
                for keys, leaf in _leaves(value):
                    yield ("py", name, target.id, *keys, leaf)
        elif not isinstance(
            node, ast.Import | ast.ImportFrom | ast.FunctionDef | ast.If | ast.Expr
        ):
            raise Breakout(f"{name}: unexpected statement at line {node.lineno}")


PS_QUOTES = "'\u2018\u2019\u201a\u201b"


def powershell_strings(text: str, name: str) -> Iterator[tuple[int, str]]:
    """Verbatim strings of a PowerShell script, lexed as the language specification says.

    A verbatim string opens and closes on any single-quote-character (``'``, U+2018, U+2019,
    U+201A, U+201B); two of them in a row inside stand for one. Double-quoted strings (the
    template's own) and comments are skipped.
    """
    index, line = 0, 1
    while index < len(text):
        char = text[index]
        if char == "\n":
            line += 1
        if char == "#":
            while index < len(text) and text[index] != "\n":
                index += 1
            continue
        if char == '"':
            end = text.find('"', index + 1)
            if end < 0:
                raise Breakout(f"{name}:{line}: a double-quoted string never closes")
            index = end + 1
            continue
        if char in PS_QUOTES:
            value: list[str] = []
            index += 1
            while True:
                if index >= len(text):
                    raise Breakout(f"{name}:{line}: a verbatim string never closes")
                current = text[index]
                if current in PS_QUOTES:
                    if index + 1 < len(text) and text[index + 1] in PS_QUOTES:
                        value.append(text[index + 1])
                        index += 2
                        continue
                    index += 1
                    break
                value.append(current)
                index += 1
            yield line, "".join(value)
            continue
        index += 1


def _ps1(path: Path, name: str) -> Iterator[Observation]:
    for index, (line, value) in enumerate(powershell_strings(path.read_text("utf-8"), name)):
        yield ("ps1", name, str(index), str(line), value)


def _markdown(path: Path, name: str) -> Iterator[Observation]:
    """Each paragraph, heading or cell as CommonMark reads it: ``text:`` and ``code:`` parts
    (the text a reader sees, and what a code span holds), any other node by its type."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable("table")
    for index, token in enumerate(md.parse(path.read_text(encoding="utf-8"))):
        if token.type == "html_block":
            yield ("md-html", name, token.content)
        if token.type != "inline" or token.children is None:
            continue
        parts: list[str] = []
        for child in token.children:
            if child.type in ("text", "text_special", "softbreak", "hardbreak"):
                content = " " if child.type.endswith("break") else child.content
                if parts and parts[-1].startswith("text:"):
                    parts[-1] += content
                else:
                    parts.append("text:" + content)
            elif child.type == "code_inline":
                parts.append("code:" + child.content)
            else:
                parts.append(f"node:{child.type}")
        yield ("md", name, str(index), *parts)


_BY_NAME = {
    "msmtprc": "msmtp",
    "main.cf": "main.cf",
    "sasl_passwd": "sasl_passwd",
    "emailproxy.config": "ini",
    "sasl-xoauth2.conf": "json",
}
_BY_SUFFIX = {
    ".php": "php",
    ".sql": "sql",
    ".sh": "sh",
    ".json": "json",
    ".py": "python",
    ".ps1": "ps1",
    ".md": "md",
    ".yaml": "yaml",
    ".service": "systemd",
}


def consumer_of(path: str) -> str:
    """Which consumer reads the rendered file ``path``."""
    name = Path(path).name
    return _BY_NAME.get(name) or _BY_SUFFIX[Path(name).suffix]


def read_back(files: dict[str, bytes], work: Path, *, each: bool = False) -> list[Observation]:
    """Write ``files`` under ``work``, read each back with its consumer (in ``work``).

    ``work`` is searched for a ``PWNED`` file once all are read (``each``: after each one).
    When one appears, the files are read back again in a new folder, searched after each
    consumer, to name the file whose value ran.

    Raises:
        Breakout: a consumer refused a file, or a value ran as code (``PWNED`` appeared).
    """
    observations: list[Observation] = []
    for relative, content in sorted(files.items()):
        path = work / "out" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    for relative in sorted(files):
        path = work / "out" / relative
        kind = consumer_of(relative)
        readers = {
            "php": lambda p=path, r=relative: _php(p, work, r),
            "sql": lambda p=path, r=relative: _sql(p, r),
            "sh": lambda p=path, r=relative: _sh(p, work, r),
            "msmtp": lambda p=path, r=relative: _msmtp(p, work, r),
            "main.cf": lambda p=path, r=relative: _main_cf(p, work, r),
            "sasl_passwd": lambda p=path, r=relative: _sasl_passwd(p, work, r),
            "ini": lambda p=path, r=relative: _ini(p, r),
            "json": lambda p=path, r=relative: _json(p, r),
            "python": lambda p=path, r=relative: _python(p, r),
            "ps1": lambda p=path, r=relative: _ps1(p, r),
            "md": lambda p=path, r=relative: _markdown(p, r),
            "yaml": lambda p=path, r=relative: _yaml(p, r),
            "systemd": lambda p=path, r=relative: _systemd(p, work, r),
        }
        observations.extend(readers[kind]())
        pwned = _pwned(work) if each else None
        if pwned:
            raise Breakout(f"{relative}: a value ran as code ({pwned} was created)")
    pwned = None if each else _pwned(work)
    if pwned:
        read_back(files, work.with_name(f"{work.name}-each"), each=True)  # raises, naming it
        raise Breakout(f"a value ran as code ({pwned} was created)")
    return observations


def _pwned(work: Path) -> str | None:
    """The name of a ``PWNED*`` file or folder under ``work``, if a run left one (``os.walk``
    over ``scandir``: ``Path.rglob`` took a third of a read-back)."""
    for _, folders, names in os.walk(work):
        for name in (*folders, *names):
            if name.startswith("PWNED"):
                return name
    return None

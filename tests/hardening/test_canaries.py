"""Secret canaries: every offline command runs with recognisable fake secrets, and none of
them shows up anywhere but the 0600 files meant to hold them.

The world (one per module) holds every kind of secret mailoauth-cfg handles:

* client secrets through ``{env: NAME}`` (the example's five, the variants' three including a
  Google app password) and through ``{file: PATH}`` (a 0600 file);
* literal ``value:`` secrets (client secret, certificate key, app password) and a secret
  pasted where a reference belongs (``client_secret: <the secret>``), which ``validate`` must
  flag without echoing;
* a token store (0600 files) with refresh and access tokens: one the token endpoint refuses
  (``invalid_grant``), one whose endpoint is unreachable, a corrupt one, and valid access tokens
  that ``probe`` sends to servers that refuse them, echoing the token in their reply.

Each command (:data:`COMMANDS`, plus the ``CANARY_COMMANDS`` of any ``canaries_*.py`` module
beside this one) runs in-process through typer's ``CliRunner`` with logging captured at DEBUG
and warnings recorded. Checked: stdout, stderr, log records, warnings, the exception (if any)
and its traceback, and afterwards every file under the world's directory (reports, manifests,
runbooks, rendered files, lock files, leftovers): a file holding a canary must be one of the
holders (an input config, a secret file, a token file, or a rendered file its manifest marks
``secret``) and, configs aside, have mode 0600. Canaries are searched raw, base64-encoded,
URL-encoded, and as the XOAUTH2/OAUTHBEARER strings a probe sends.

Extending: a module ``tests/hardening/canaries_<area>.py`` that defines
``CANARY_COMMANDS: list[CanaryCommand]`` is picked up (live checks' snapshot, Ansible modules
with ``-vvv`` as ``process=True`` commands). See :class:`CanaryCommand`.
"""

from __future__ import annotations

import base64
import importlib
import json
import logging
import os
import secrets
import shutil
import stat
import subprocess
import time
import traceback
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mailoauth_cfg.cli import app
from mailoauth_cfg.tokens.store import TokenLocation, TokenRecord
from tests.emulators.oauth import OAuthServer
from tests.emulators.scripted import ScriptedImap, ScriptedSmtp
from tests.rendering.support import (
    AS_OF,
    CANARIES,
    EXAMPLE_DIR,
    WAVESOFT_FILE_LINE,
    encodings,
)
from tests.tokens.conftest import TENANT, Certs

HERE = Path(__file__).resolve().parent
CLIENT = "4d3c2b1a-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
OFFLINE_CLIENT = "5e4d3c2b-6f7a-4b8c-9d0e-1f2a3b4c5d6e"
ALICE, BOB, CAROL, DAVE, ERIN = (
    f"{name}@canary.test" for name in ("alice", "bob", "carol", "dave", "erin")
)


def canary(purpose: str) -> str:
    """A recognisable fake secret, new on every run, with characters that URL-encoding and
    base64 change (``+ / = ~ %``)."""
    return f"CANARY-{purpose}+{secrets.token_hex(3)}/{secrets.token_hex(3)}=~%41"


@dataclass
class World:
    """The directory every command works in, its configs, secrets and environment."""

    root: Path
    certs: Certs
    canaries: dict[str, str]
    """Name -> fake secret."""
    env: dict[str, str]
    configs: set[Path]
    """Input configs (a literal secret in a config is the user's own file)."""
    holders: set[Path]
    """Secret files and token files, meant to hold canaries (mode 0600)."""
    xoauth: list[str] = field(default_factory=list)
    """SASL strings a probe sends (XOAUTH2, OAUTHBEARER) for the canary access tokens."""
    done: set[str] = field(default_factory=set)
    """Ids of the commands already run (for ``needs``)."""

    @property
    def contoso(self) -> Path:
        return self.root / "contoso" / "mailoauth.yaml"

    @property
    def literal(self) -> Path:
        return self.root / "literal" / "mailoauth.yaml"

    @property
    def pasted(self) -> Path:
        return self.root / "pasted" / "mailoauth.yaml"

    @property
    def tokens(self) -> Path:
        return self.root / "tokens" / "mailoauth.yaml"

    @property
    def store(self) -> Path:
        return self.root / "store"

    def out(self, name: str = "out") -> Path:
        return self.root / name

    def forms(self) -> dict[str, list[str]]:
        """Each canary with the encodings it could leak in."""
        out: dict[str, list[str]] = {}
        for name, value in self.canaries.items():
            out[name] = encodings(value)
        out["sasl"] = list(self.xoauth)
        return out


# --- the commands ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CanaryCommand:
    """One command to run with canaries.

    ``argv(world)`` gives the arguments after ``mailoauth-cfg`` (in-process), or, with
    ``process=True``, a whole command line run as a subprocess with ``world.env`` (for tools
    such as ``ansible-playbook -vvv``). ``env`` changes the environment (``None`` unsets a
    variable). ``expect`` must appear in stdout + stderr: it proves the command went where the
    test means it to. ``needs``: ids of commands that must have run first (they are run if not).
    ``prepare(world)`` runs first (write a config under ``world.root``, start a server...).
    ``holders(world)``: files the command writes that are meant to hold secrets (they must be
    0600; every other file under ``world.root`` must hold none).
    """

    id: str
    argv: Callable[[World], list[str]]
    exit_codes: tuple[int, ...]
    expect: str = ""
    env: Callable[[World], dict[str, str | None]] | None = None
    needs: tuple[str, ...] = ()
    process: bool = False
    prepare: Callable[[World], None] | None = None
    holders: Callable[[World], Iterable[Path]] | None = None


FORMATS = ("text", "json", "sarif", "junit", "github")


def _validate(config: Callable[[World], Path], fmt: str) -> Callable[[World], list[str]]:
    return lambda w: ["validate", str(config(w)), "--as-of", AS_OF, "--format", fmt]


def _render(config: Callable[[World], Path], out: str, *extra: str) -> Callable[[World], list[str]]:
    return lambda w: ["render", str(config(w)), "--out", str(w.out(out)), "--as-of", AS_OF, *extra]


def _token(*args: str) -> Callable[[World], list[str]]:
    return lambda w: ["token", *args, "--config", str(w.tokens), "--store", str(w.store)]


def _tokens_probe(user: str, *extra: str) -> Callable[[World], list[str]]:
    return lambda w: (
        ["probe", "--user", user, "--config", str(w.tokens), "--store", str(w.store)]
        + [str(w.root / e) if e.endswith(".pem") else e for e in extra]
    )


def _rotated(w: World) -> dict[str, str | None]:
    return {"ERP_MAIL_SECRET": w.canaries["erp-rotated"]}


COMMANDS: list[CanaryCommand] = [
    # validate, every format, on a config with referenced secrets and on one with literal ones
    *(
        CanaryCommand(f"validate-{fmt}-references", _validate(lambda w: w.contoso, fmt), (0, 1))
        for fmt in FORMATS
    ),
    *(
        CanaryCommand(
            f"validate-{fmt}-literals",
            _validate(lambda w: w.literal, fmt),
            (1,),
            expect="secret-literal",
        )
        for fmt in FORMATS
    ),
    *(
        CanaryCommand(
            f"validate-{fmt}-pasted-secrets",
            _validate(lambda w: w.pasted, fmt),
            (1,),
            expect="got a value (hidden: it may be a secret)",
        )
        for fmt in FORMATS
    ),
    CanaryCommand(
        "validate-pasted-secret-unreadable-as-tagged",
        _validate(lambda w: w.pasted.with_name("int.yaml"), "text"),
        (1,),
        expect="cannot read value (hidden: it may be a secret)",
    ),
    CanaryCommand(
        "validate-sarif-to-a-report-file",
        lambda w: [
            "validate",
            str(w.literal),
            "--as-of",
            AS_OF,
            "--format",
            "sarif",
            "--output",
            str(w.root / "reports" / "literal.sarif"),
        ],
        (1,),
    ),
    CanaryCommand("validate-json-token-config", _validate(lambda w: w.tokens, "json"), (0, 1)),
    # render, --check, --diff
    CanaryCommand("render", _render(lambda w: w.contoso, "out"), (0,), expect="created"),
    CanaryCommand(
        "render-check-clean",
        _render(lambda w: w.contoso, "out", "--check"),
        (0,),
        expect="up to date",
        needs=("render",),
    ),
    CanaryCommand(
        "render-check-rotated-secret",
        _render(lambda w: w.contoso, "out", "--check"),
        (1,),
        expect="stale",
        env=_rotated,
        needs=("render",),
    ),
    CanaryCommand(
        "render-diff-rotated-secret",
        _render(lambda w: w.contoso, "out", "--diff"),
        (1,),
        expect="@@",
        env=_rotated,
        needs=("render",),
    ),
    CanaryCommand(
        "render-diff-against-nothing",
        _render(lambda w: w.contoso, "out-empty", "--diff"),
        (1,),
        "@@",
    ),
    CanaryCommand(
        "render-refuses-literal-secrets",
        _render(lambda w: w.literal, "out-literal"),
        (1,),
        expect="fix them before rendering",
    ),
    CanaryCommand(
        "render-with-a-secret-unset",
        _render(lambda w: w.contoso, "out-unset"),
        (1,),
        expect="nothing was written",
        env=lambda _w: {"PORTAL_MAIL_SECRET": None},
    ),
    # explain
    *(
        CanaryCommand(f"explain-{code}", lambda _w, c=code: ["explain", c], (0,))
        for code in ("secret-literal", "ms-secret-expiry", "AADSTS7000215", "invalid_grant")
    ),
    CanaryCommand("explain-smtp-reply", lambda _w: ["explain", "535 5.7.139"], (0,)),
    # token status
    # (exit 1: carol's token file is corrupt; every other mailbox is still shown)
    CanaryCommand("token-status", _token("status"), (1,), "not a JSON token file"),
    CanaryCommand(
        "token-status-json", _token("status", "--format", "json"), (1,), '"user": "alice'
    ),
    CanaryCommand("token-status-one", _token("status", "--user", DAVE), (0,), "valid for"),
    CanaryCommand(
        "token-status-config-with-pasted-secrets",
        lambda w: ["token", "status", "--config", str(w.pasted), "--store", str(w.store)],
        (1,),
        expect="has errors",
    ),
    # token access / refresh errors
    CanaryCommand(
        "token-access-refused-grant",
        _token("access", "--user", ALICE),
        (1,),
        "invalid_grant",
    ),
    CanaryCommand(
        "token-refresh-refused-grant",
        _token("refresh", "--user", ALICE),
        (1,),
        "invalid_grant",
    ),
    CanaryCommand(
        "token-access-unreachable-endpoint",
        _token("access", "--user", BOB),
        (1,),
        "cannot reach",
    ),
    CanaryCommand(
        "token-access-corrupt-token-file",
        _token("access", "--user", CAROL),
        (1,),
        "not a JSON token file",
    ),
    CanaryCommand(
        "token-access-client-secret-unset",
        _token("access", "--user", ALICE),
        (1,),
        "TOKEN_APP_SECRET",
        env=lambda _w: {"TOKEN_APP_SECRET": None},
    ),
    CanaryCommand(
        "token-access-unknown-mailbox",
        _token("access", "--user", "nobody@canary.test"),
        (2,),
        "is not declared",
    ),
    # probe failures
    CanaryCommand(
        "probe-refused-and-echoed",
        _tokens_probe(DAVE, "-p", "smtp", "-p", "imap"),
        (1,),
        "FAILED at auth",
    ),
    CanaryCommand(
        "probe-refused-json",
        _tokens_probe(DAVE, "-p", "smtp", "-p", "imap", "--format", "json"),
        (1,),
        '"ok": false',
    ),
    CanaryCommand(
        "probe-oauthbearer-refused",
        _tokens_probe(DAVE, "-p", "imap", "--mechanism", "oauthbearer"),
        (1,),
        "FAILED at auth",
    ),
    CanaryCommand(
        "probe-unreachable-servers", _tokens_probe(ERIN, "-p", "smtp", "-p", "imap"), (1,), "FAILED"
    ),
    CanaryCommand(
        "probe-untrusted-certificate",
        _tokens_probe(DAVE, "-p", "smtp", "--ca-bundle", "other-ca.pem"),
        (1,),
        "FAILED at tls",
    ),
]


def all_commands() -> list[CanaryCommand]:
    """:data:`COMMANDS` plus the ``CANARY_COMMANDS`` of ``tests/hardening/canaries_*.py``."""
    commands = list(COMMANDS)
    for module in sorted(HERE.glob("canaries_*.py")):
        loaded = importlib.import_module(f"tests.hardening.{module.stem}")
        commands.extend(loaded.CANARY_COMMANDS)
    return commands


BY_ID = {c.id: c for c in all_commands()}


# --- the world ---------------------------------------------------------------------------------

LITERAL_CONFIG = """\
version: 1
providers:
  contoso: {{type: microsoft, tenant: {tenant}}}
  acme: {{type: google, domain: acme.example, consent_screen: {{audience: internal}}}}
apps:
  erp-mail:
    provider: contoso
    client_id: 1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b
    client_secret: {{value: {literal}, expires: 2027-05-31}}
  cert-mail:
    provider: contoso
    client_id: 2f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b
    certificate:
      thumbprint: 3A1B5C0D9E8F7A6B5C4D3E2F1A0B9C8D7E6F5A4B
      key: {{value: {literal_key}}}
users:
  - {{email: erp@contoso.com, provider: contoso}}
  - {{email: ops@acme.example, provider: acme, two_step_verification: true}}
targets:
  erp: {{type: dolibarr, url: https://erp.contoso.com, version: "23", app: erp-mail,
        users: [erp@contoso.com]}}
  portal:
    type: openbee
    url: https://acme.openbeecloud.com
    auth: app-password
    app_password: {{value: {literal_password}}}
    users: [ops@acme.example]
"""

PASTED_CONFIG = """\
version: 1
providers:
  contoso: {{type: microsoft, tenant: {tenant}}}
apps:
  pasted-mail:
    provider: contoso
    client_id: 3f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b
    client_secret: {pasted}
  env-mail:
    provider: contoso
    client_id: 4f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b
    client_secret: {{env: "{in_env}", expires: 2027-05-31}}
  key-mail:
    provider: contoso
    client_id: 5f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b
    certificate: {{thumbprint: 3A1B5C0D9E8F7A6B5C4D3E2F1A0B9C8D7E6F5A4B, key: {pasted_key}}}
"""

#: A secret that YAML cannot read as the number it is tagged as: the loader stops the file.
PASTED_INT_CONFIG = """\
version: 1
apps:
  int-mail:
    provider: contoso
    client_id: 6f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b
    client_secret: {{value: !!int {pasted_int}}}
"""

TOKEN_CONFIG = """\
version: 1
providers:
  contoso:
    type: microsoft
    tenant: {tenant}
    endpoints: {{login: "{login}", smtp: "127.0.0.1:{smtp}", imap: "127.0.0.1:{imap}"}}
    ca_bundle: {ca}
  offline:
    type: microsoft
    tenant: {tenant}
    endpoints: {{login: "https://127.0.0.1:1", smtp: "127.0.0.1:1", imap: "127.0.0.1:1"}}
    ca_bundle: {ca}
apps:
  web-mail:
    provider: contoso
    client_id: {client}
    platform: web
    client_secret: {{env: TOKEN_APP_SECRET, expires: 2099-01-01}}
  file-mail:
    provider: offline
    client_id: {offline_client}
    platform: web
    client_secret: {{file: secrets/token-app-secret, expires: 2099-01-01}}
users:
  - {{email: {alice}, provider: contoso}}
  - {{email: {carol}, provider: contoso}}
  - {{email: {dave}, provider: contoso}}
  - {{email: {bob}, provider: offline}}
  - {{email: {erin}, provider: offline}}
targets:
  hosts:
    type: msmtp
    app: web-mail
    users: [{alice}, {carol}, {dave}]
    protocols: [smtp, imap]
    token_dir: {store}
  offline-hosts:
    type: msmtp
    app: file-mail
    users: [{bob}, {erin}]
    protocols: [smtp, imap]
    token_dir: {store}
"""


def _secret_file(path: Path, value: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(value + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


def _sasl(user: str, token: str) -> list[str]:
    xoauth2 = f"user={user}\x01auth=Bearer {token}\x01\x01".encode()
    bearer = f"n,a={user},\x01auth=Bearer {token}\x01\x01".encode()
    return [base64.b64encode(xoauth2).decode(), base64.b64encode(bearer).decode()]


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory, certs: Certs, oauth_server: OAuthServer
) -> Iterator[World]:
    root = tmp_path_factory.mktemp("canaries")
    values = {k: v for k, v in CANARIES.items() if k != "WAVESOFT_MAIL_SECRET"}  # a file here
    canaries = {f"env-{k}": v for k, v in values.items()}
    for name in (
        "wavesoft-file",
        "erp-rotated",
        "literal",
        "literal-key",
        "literal-password",
        "pasted",
        "pasted-in-env",
        "pasted-key",
        "pasted-int",
        "token-app-env",
        "token-app-file",
        *(f"refresh-{u}" for u in ("alice", "bob", "carol", "dave", "erin")),
        *(f"access-{u}" for u in ("alice", "bob", "dave", "erin")),
    ):
        canaries[name] = canary(name)
    env = {
        **values,
        "TOKEN_APP_SECRET": canaries["token-app-env"],
        "XDG_STATE_HOME": str(root / "state"),
        "NO_COLOR": "1",
    }
    holders: set[Path] = set()
    configs: set[Path] = set()

    # the example with env secrets and the wavesoft secret in a 0600 file
    shutil.copytree(EXAMPLE_DIR, root / "contoso")
    contoso = root / "contoso" / "mailoauth.yaml"
    text = contoso.read_text(encoding="utf-8")
    assert text.count(WAVESOFT_FILE_LINE) == 1
    contoso.write_text(
        text.replace(WAVESOFT_FILE_LINE, "client_secret: {file: secrets/wavesoft-mail,"),
        encoding="utf-8",
    )
    holders.add(
        _secret_file(root / "contoso" / "secrets" / "wavesoft-mail", canaries["wavesoft-file"])
    )
    configs.update(p for p in (root / "contoso").rglob("*.yaml"))

    literal = root / "literal" / "mailoauth.yaml"
    literal.parent.mkdir()
    literal.write_text(
        LITERAL_CONFIG.format(
            tenant=TENANT,
            literal=canaries["literal"],
            literal_key=canaries["literal-key"],
            literal_password=canaries["literal-password"],
        ),
        encoding="utf-8",
    )
    pasted = root / "pasted" / "mailoauth.yaml"
    pasted.parent.mkdir()
    pasted.write_text(
        PASTED_CONFIG.format(
            tenant=TENANT,
            pasted=canaries["pasted"],
            in_env=canaries["pasted-in-env"],
            pasted_key=canaries["pasted-key"],
        ),
        encoding="utf-8",
    )
    pasted_int = root / "pasted" / "int.yaml"
    pasted_int.write_text(PASTED_INT_CONFIG.format(pasted_int=canaries["pasted-int"]))
    configs.update((literal, pasted, pasted_int))

    # servers that refuse the token and echo it back in their reply
    smtp = ScriptedSmtp(certs.server_context).start()
    imap = ScriptedImap(certs.server_context).start()
    smtp.reply = f"535 5.7.139 Authentication unsuccessful for token {canaries['access-dave']}"
    imap.reply = f"NO AUTHENTICATE failed: {canaries['access-dave']}"
    oauth_server.emulator.add_client(CLIENT, secret=canaries["token-app-env"])

    store = root / "store"
    tokens = root / "tokens" / "mailoauth.yaml"
    tokens.parent.mkdir()
    tokens.write_text(
        TOKEN_CONFIG.format(
            tenant=TENANT,
            login=oauth_server.base,
            smtp=smtp.port,
            imap=imap.port,
            ca=certs.ca_file,
            client=CLIENT,
            offline_client=OFFLINE_CLIENT,
            alice=ALICE,
            bob=BOB,
            carol=CAROL,
            dave=DAVE,
            erin=ERIN,
            store=store,
        ),
        encoding="utf-8",
    )
    configs.add(tokens)
    holders.add(
        _secret_file(root / "tokens" / "secrets" / "token-app-secret", canaries["token-app-file"])
    )
    now = time.time()
    for user, valid in ((ALICE, False), (BOB, False), (DAVE, True), (ERIN, True)):
        name = user.split("@")[0]
        location = TokenLocation(store / f"{user}.json")
        location.save(
            TokenRecord(
                user=user,
                refresh_token=canaries[f"refresh-{name}"],
                access_token=canaries[f"access-{name}"],
                expires_at=now + (3600 if valid else -60),
                scopes=("offline_access", "https://outlook.office.com/SMTP.Send"),
                obtained_at=now - 86400,
                flow="loopback",
            )
        )
        holders.add(location.path)
    corrupt = store / f"{CAROL}.json"
    corrupt.write_text(
        '{"kind": "mailoauth-cfg-token", "refresh_token": "' + canaries["refresh-carol"]
    )
    corrupt.chmod(0o600)
    holders.add(corrupt)
    import trustme

    trustme.CA().cert_pem.write_to_path(str(root / "other-ca.pem"))

    xoauth = [s for u in (DAVE, ERIN) for s in _sasl(u, canaries[f"access-{u.split('@')[0]}"])]
    yield World(root, certs, canaries, env, configs, holders, xoauth)
    smtp.stop()
    imap.stop()


# --- running and checking ----------------------------------------------------------------------


@dataclass
class Outcome:
    exit_code: int
    texts: dict[str, str]


def run_command(world: World, command: CanaryCommand, caplog: pytest.LogCaptureFixture) -> Outcome:
    """Run ``command`` (and what it needs) with the canaries; everything it showed."""
    for need in command.needs:
        if need not in world.done:
            run_command(world, BY_ID[need], caplog)
    if command.prepare is not None:
        command.prepare(world)
    env: dict[str, str | None] = dict(world.env)
    if command.env is not None:
        env.update(command.env(world))
    caplog.clear()
    caplog.set_level(logging.DEBUG)
    texts: dict[str, str] = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if command.process:
            full = {k: v for k, v in env.items() if v is not None}
            done = subprocess.run(
                command.argv(world),
                capture_output=True,
                text=True,
                env={**_base_env(), **full},
                cwd=world.root,
                timeout=300,
                check=False,
            )
            code = done.returncode
            texts.update(stdout=done.stdout, stderr=done.stderr)
        else:
            result = CliRunner().invoke(app, command.argv(world), env=env, catch_exceptions=True)
            code = result.exit_code
            texts.update(stdout=result.stdout, stderr=result.stderr)
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                texts["exception"] = "".join(traceback.format_exception(*result.exc_info))
                pytest.fail(f"{command.id}: uncaught exception\n{texts['exception']}")
    texts["logs"] = "\n".join(
        f"{r.name}: {r.getMessage()} {r.exc_text or ''}"
        for r in caplog.records
        if not _test_server(r)
    )
    texts["warnings"] = "\n".join(str(w.message) for w in caught)
    world.done.add(command.id)
    if command.holders is not None:
        world.holders.update(command.holders(world))
    return Outcome(code, texts)


def _test_server(record: logging.LogRecord) -> bool:
    """Records of the test's own servers (aiosmtpd logs the reply it sends), not of the tool."""
    return "aiosmtpd" in record.pathname or "/tests/emulators/" in record.pathname


def _base_env() -> dict[str, str]:
    return dict(os.environ)


def rendered_secret_files(root: Path) -> set[Path]:
    """Files that a manifest under ``root`` marks as holding a secret."""
    out: set[Path] = set()
    for manifest in root.rglob("manifest.json"):
        try:
            doc = json.loads(manifest.read_text(encoding="utf-8"))
        except ValueError:
            continue
        out.update(manifest.parent / e["path"] for e in doc.get("files", []) if e.get("secret"))
    return out


def leaks_in_files(world: World) -> list[str]:
    """Files under the world holding a canary that they should not (or with a loose mode)."""
    forms = world.forms()
    allowed = world.holders | rendered_secret_files(world.root)
    problems: list[str] = []
    for path in sorted(world.root.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        data = path.read_bytes().decode("utf-8", "replace")
        found = sorted(n for n, variants in forms.items() if any(v and v in data for v in variants))
        if not found or path in world.configs:
            continue
        relative = path.relative_to(world.root)
        if path not in allowed:
            problems.append(f"{relative} holds {found}")
        elif stat.S_IMODE(path.stat().st_mode) != 0o600:
            problems.append(f"{relative} holds {found} with mode {path.stat().st_mode:o}")
    return problems


def leaks_in_texts(world: World, texts: dict[str, str]) -> list[str]:
    forms = world.forms()
    return [
        f"{where}: {name} ({text[max(0, text.find(v) - 80) : text.find(v) + 40]!r})"
        for where, text in texts.items()
        for name, variants in forms.items()
        for v in variants
        if v and v in text
    ]


@pytest.mark.parametrize("command", all_commands(), ids=lambda c: c.id)
def test_no_canary_leaks(
    world: World, command: CanaryCommand, caplog: pytest.LogCaptureFixture
) -> None:
    outcome = run_command(world, command, caplog)
    output = outcome.texts["stdout"] + outcome.texts["stderr"]
    assert "Traceback" not in output, output
    assert outcome.exit_code in command.exit_codes, (outcome.exit_code, output[-3000:])
    assert command.expect in output, (command.expect, output[-3000:])
    assert leaks_in_texts(world, outcome.texts) == []
    assert leaks_in_files(world) == []


def test_the_canaries_are_really_used(world: World, caplog: pytest.LogCaptureFixture) -> None:
    """Not vacuous: the secrets reach the rendered 0600 files and the token requests."""
    for needed in ("render", "token-refresh-refused-grant"):
        if needed not in world.done:
            run_command(world, BY_ID[needed], caplog)
    rendered = "".join(
        p.read_text(encoding="utf-8") for p in rendered_secret_files(world.root) if p.is_file()
    )
    for name, value in world.canaries.items():
        if name.startswith("env-") or name == "wavesoft-file":
            assert value in rendered, f"{name} reaches no rendered file"
    for path in world.holders:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path

"""Fixtures for the Ansible collection tests: the collection on a collections path, a small
config with env-only secrets, a TLS SMTP server for the probe, and a module runner.

The collection lives in ``ansible/``; tests link it as ``ansible_collections/mailoauth/cfg``
under a temporary directory, which is both on ``sys.path`` (unit tests import the modules) and
``ANSIBLE_COLLECTIONS_PATH`` (``ansible-playbook``, ``ansible-doc``, ``ansible-galaxy``).
"""

from __future__ import annotations

import base64
import collections
import grp
import importlib
import json
import os
import pwd
import shutil
import socket
import ssl
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
COLLECTION = REPO / "ansible"
AS_OF = "2026-01-01"

#: Canary secrets: they must show up only inside the 0600 files meant to hold them.
ERP_SECRET = "erp-canary-5f1d0c9b7a"
RELAY_SECRET = "relay-canary-8e2a4d6c1b"
TOKEN = "token-canary-3c7b9e1f0a"
CANARIES = (ERP_SECRET, RELAY_SECRET, TOKEN)

CRON = "cron@contoso.com"

CONFIG = """\
version: 1
providers:
  contoso:
    type: microsoft
    tenant: 6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d
    smtp_auth: disabled
    endpoints:
      smtp: 127.0.0.1:{smtp_port}{login}
    ca_bundle: {ca}
  acme:
    type: google
    domain: acme.example
    account: workspace
    consent_screen: {{audience: internal, status: production}}
    project_number: "412345678901"
apps:
  erp-mail:
    provider: contoso
    client_id: 1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b
    client_secret: {{env: ERP_MAIL_SECRET, expires: 2027-05-31, created: 2025-06-01}}
    platform: web
    permissions: [offline_access, SMTP.Send]
    admin_consent: true
  cli-mail:
    provider: contoso
    client_id: 5e8f0a12-3b4c-4d5e-8f9a-0b1c2d3e4f5a
    platform: public
    public_client_flows: true
    permissions: [offline_access, SMTP.Send]
    admin_consent: true
  acme-desktop:
    provider: acme
    client_id: 412345678901-q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6.apps.googleusercontent.com
    client_secret: {{env: ACME_RELAY_SECRET}}
    platform: desktop
users:
  - email: erp@contoso.com
    provider: contoso
    smtp_auth: enabled
  - email: {cron}
    provider: contoso
    smtp_auth: enabled
  - email: notify@acme.example
    provider: acme
targets:
  erp:
    type: dolibarr
    url: https://erp.contoso.com
    version: "23.0.1"
    app: erp-mail
    users: [erp@contoso.com]
  relay:
    type: postfix-sasl-xoauth2
    app: acme-desktop
    users: [notify@acme.example]
  cron-mail:
    type: msmtp
    version: "1.8.22"
    app: cli-mail
    users: [{cron}]
    token_dir: {store}
"""

#: Errors on known lines: an unknown key and a target naming an undeclared app.
BROKEN_CONFIG = """\
version: 1
providers:
  contoso:
    type: microsoft
    tenant: 6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d
    colour: blue
users:
  - email: cron@contoso.com
    provider: contoso
targets:
  cron-mail:
    type: msmtp
    app: no-such-app
    users: [cron@contoso.com]
"""


# --- the collection -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def collections_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A collections root holding ``ansible_collections/mailoauth/cfg`` -> ``ansible/``.

    It is put on ``sys.path`` so that ``ansible_collections.mailoauth.cfg.plugins...`` imports.
    """
    root = tmp_path_factory.mktemp("collections")
    namespace = root / "ansible_collections" / "mailoauth"
    namespace.mkdir(parents=True)
    (namespace / "cfg").symlink_to(COLLECTION, target_is_directory=True)
    sys.path.insert(0, str(root))
    importlib.invalidate_caches()
    return root


@dataclass(frozen=True)
class Modules:
    """The collection's modules and module util, imported as Ansible would."""

    validate: ModuleType
    render: ModuleType
    probe: ModuleType
    common: ModuleType


@pytest.fixture(scope="session")
def modules(collections_path: Path) -> Modules:
    """Import the modules from the collection."""
    base = "ansible_collections.mailoauth.cfg.plugins"
    return Modules(
        validate=importlib.import_module(f"{base}.modules.validate"),
        render=importlib.import_module(f"{base}.modules.render"),
        probe=importlib.import_module(f"{base}.modules.probe"),
        common=importlib.import_module(f"{base}.module_utils._common"),
    )


def ansible_env(collections_path: Path, **extra: str) -> dict[str, str]:
    """Environment for ansible-* commands: the collection path, no user config, no colour."""
    env = dict(os.environ)
    for key in list(env):
        if key.startswith("ANSIBLE_"):
            del env[key]
    env.update(
        ANSIBLE_COLLECTIONS_PATH=str(collections_path),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_HOST_KEY_CHECKING="0",
        ANSIBLE_RETRY_FILES_ENABLED="0",
        ANSIBLE_PIPELINING="1",
        ANSIBLE_LOCAL_TEMP=str(collections_path / ".ansible-tmp"),
        ANSIBLE_REMOTE_TEMP=str(collections_path / ".ansible-remote-tmp"),
        ANSIBLE_HOME=str(collections_path / ".ansible-home"),
    )
    env.update(extra)
    return env


# --- module runner (the standard AnsibleModule unit-testing pattern) ------------------------


class AnsibleExitJson(Exception):
    """Raised instead of ``exit_json``: carries the result."""

    def __init__(self, result: dict[str, Any]) -> None:
        super().__init__(result)
        self.result = result


class AnsibleFailJson(Exception):
    """Raised instead of ``fail_json``: carries the result."""

    def __init__(self, result: dict[str, Any]) -> None:
        super().__init__(result)
        self.result = result


def _exit_json(self: Any, **kwargs: Any) -> None:
    kwargs.setdefault("changed", False)
    raise AnsibleExitJson(kwargs)


def _fail_json(self: Any, **kwargs: Any) -> None:
    kwargs["failed"] = True
    raise AnsibleFailJson(kwargs)


@dataclass
class Runner:
    """Run a module's ``main()`` with arguments and return what it exited with."""

    monkeypatch: pytest.MonkeyPatch

    def set_args(self, args: dict[str, Any]) -> None:
        """Patch ``ansible.module_utils.basic._ANSIBLE_ARGS`` with the JSON of ``args``."""
        from ansible.module_utils import basic

        payload = json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode("utf-8")
        self.monkeypatch.setattr(basic, "_ANSIBLE_ARGS", payload)
        self.monkeypatch.setattr(basic, "_ANSIBLE_PROFILE", "legacy")

    def _patched(self) -> None:
        from ansible.module_utils import basic

        self.monkeypatch.setattr(basic.AnsibleModule, "exit_json", _exit_json)
        self.monkeypatch.setattr(basic.AnsibleModule, "fail_json", _fail_json)

    def ok(self, module: ModuleType, args: dict[str, Any]) -> dict[str, Any]:
        """``main()`` must exit through ``exit_json``; return its result."""
        self.set_args(args)
        self._patched()
        with pytest.raises(AnsibleExitJson) as info:
            module.main()
        return info.value.result

    def fail(self, module: ModuleType, args: dict[str, Any]) -> dict[str, Any]:
        """``main()`` must exit through ``fail_json``; return its result."""
        self.set_args(args)
        self._patched()
        with pytest.raises(AnsibleFailJson) as info:
            module.main()
        return info.value.result

    def json_output(
        self, module: ModuleType, args: dict[str, Any], capsys: pytest.CaptureFixture[str]
    ) -> tuple[int, str, dict[str, Any]]:
        """Run ``main()`` unpatched: the exit code, the raw stdout and its parsed JSON."""
        self.set_args(args)
        with pytest.raises(SystemExit) as info:
            module.main()
        out = capsys.readouterr().out
        return int(info.value.code or 0), out, json.loads(out)


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, modules: Modules) -> Runner:
    """A module runner (exit_json/fail_json raise; see :class:`Runner`)."""
    return Runner(monkeypatch)


# --- a config, its secrets, a token and an SMTP server ---------------------------------------


@dataclass(frozen=True)
class Certs:
    """A throw-away CA and a server context for 127.0.0.1."""

    ca_file: Path
    server_context: ssl.SSLContext


@pytest.fixture(scope="session")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    """trustme CA, the only trust anchor of the probe's TLS connection."""
    import trustme

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    directory = tmp_path_factory.mktemp("ansible-ca")
    ca_file = directory / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    return Certs(ca_file=ca_file, server_context=context)


@dataclass
class Smtp:
    """aiosmtpd with STARTTLS required, accepting XOAUTH2 with :data:`TOKEN` only.

    ``refuse`` set to an SMTP reply makes every login fail with it; tokens in ``accepted`` are
    accepted too.
    """

    context: ssl.SSLContext
    port: int = 0
    refuse: str | None = None
    accepted: set[str] = field(default_factory=set)
    logins: list[str] = field(default_factory=list)
    _controller: Any = None

    def start(self) -> Smtp:
        """Start on 127.0.0.1 (random port)."""
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import SMTP, AuthResult

        server = self

        class LongLines(SMTP):  # type: ignore[misc]
            # `AUTH XOAUTH2 <base64>` with a JWT exceeds RFC 5321's 512-octet command line.
            command_size_limit = 8192
            line_length_limit = 8192

            def __init__(self, *args: Any, **kwargs: Any) -> None:
                # Our own table: SMTP's is a class attribute shared by every server.
                self.command_size_limits = collections.defaultdict(lambda: 8192)
                super().__init__(*args, **kwargs)

        class LongLinesController(Controller):  # type: ignore[misc]
            def factory(self) -> SMTP:
                return LongLines(self.handler, **self.SMTP_kwargs)

        class Handler:
            async def auth_XOAUTH2(self, smtp: Any, args: list[str]) -> Any:
                if server.refuse is not None:
                    return AuthResult(success=False, handled=False, message=server.refuse)
                raw = base64.b64decode(args[1]).decode() if len(args) > 1 else ""
                fields = dict(p.split("=", 1) for p in raw.split("\x01") if "=" in p)
                bearer = fields.get("auth", "").removeprefix("Bearer ")
                ok = bearer == TOKEN or bearer in server.accepted
                if ok:
                    server.logins.append(fields.get("user", ""))
                return AuthResult(success=ok, handled=False, message=None if ok else "535 5.7.8 no")

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self._controller = LongLinesController(
            Handler(),
            hostname="127.0.0.1",
            port=self.port,
            tls_context=self.context,
            require_starttls=True,
            auth_require_tls=True,
            auth_exclude_mechanism=["LOGIN", "PLAIN"],
        )
        self._controller.start()
        return self

    def stop(self) -> None:
        """Stop the server."""
        if self._controller is not None:
            self._controller.stop()


@pytest.fixture(scope="session")
def smtp_server(certs: Certs) -> Iterator[Smtp]:
    """The probe's SMTP server (session-wide)."""
    server = Smtp(certs.server_context).start()
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_server: Smtp) -> Smtp:
    """The SMTP server, accepting logins."""
    smtp_server.refuse = None
    smtp_server.logins.clear()
    smtp_server.accepted.clear()
    return smtp_server


@dataclass(frozen=True)
class Setup:
    """A config directory: the config, its token store and the secrets' environment."""

    root: Path
    config: Path
    store: Path
    env: dict[str, str]


def make_setup(
    root: Path,
    certs: Certs,
    smtp_port: int,
    *,
    login: str | None = None,
    expires_in: float = 6 * 3600,
    refresh_token: str = "refresh-" + TOKEN,
) -> Setup:
    """Write the test config and a stored token for cron@contoso.com under ``root``.

    ``login`` points the Microsoft provider's token endpoint at an emulator.
    """
    from mailoauth_cfg.tokens.store import TokenLocation, TokenRecord, native_path

    root.mkdir(parents=True, exist_ok=True)
    store = root / "store"
    config = root / "mailoauth.yaml"
    config.write_text(
        CONFIG.format(
            smtp_port=smtp_port,
            login=f"\n      login: {login}" if login else "",
            ca=certs.ca_file,
            store=store,
            cron=CRON,
        ),
        encoding="utf-8",
    )
    TokenLocation(native_path(store, CRON)).save(
        TokenRecord(
            user=CRON,
            refresh_token=refresh_token,
            access_token=TOKEN,
            expires_at=time.time() + expires_in,
            scopes=("offline_access", "https://outlook.office.com/SMTP.Send"),
        )
    )
    return Setup(root=root, config=config, store=store, env={"ERP_MAIL_SECRET": ERP_SECRET})


@pytest.fixture
def setup(tmp_path: Path, certs: Certs, smtp: Smtp, monkeypatch: pytest.MonkeyPatch) -> Setup:
    """The test config in ``tmp_path`` (the current directory, so findings name
    ``mailoauth.yaml``), ERP_MAIL_SECRET in the process environment."""
    made = make_setup(tmp_path / "cfg", certs, smtp.port)
    monkeypatch.chdir(made.root)
    for key, value in made.env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("ACME_RELAY_SECRET", raising=False)
    return made


# --- owners ----------------------------------------------------------------------------------


def current_owner() -> tuple[str, str]:
    """User and group names of this process (owner of files that hold no secret)."""
    return pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name


def postfix_owner() -> tuple[str, str]:
    """The ``postfix`` user and group when they exist (Debian's postfix package), else ours."""
    try:
        return pwd.getpwnam("postfix").pw_name, grp.getgrnam("postfix").gr_name
    except KeyError:
        return current_owner()


def require_postfix_tools() -> None:
    """Fail (not skip) when postconf/postmap are missing, naming the Debian package."""
    missing = [tool for tool in ("postconf", "postmap") if shutil.which(tool) is None]
    if missing:
        pytest.fail(
            f"{', '.join(missing)} missing: install Debian's postfix "
            "(apt-get install -y postfix; scripts/test-all does it)",
            pytrace=False,
        )

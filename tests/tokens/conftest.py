"""Fixtures with real parts: a trustme CA, the OAuth emulator over HTTPS, Dovecot, a sink.

Nothing is installed here. Dovecot (``dovecot-imapd dovecot-submissiond``) and msmtp come from
Debian's packages, which ``scripts/test-all`` installs; a missing one FAILS the tests that need
it, naming the packages, instead of skipping them.
"""

from __future__ import annotations

import os
import secrets
import shutil
import ssl
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.emulators.mailserver import DOVECOT, DOVECOT_PACKAGES, LISTEN, Dovecot, Sink
from tests.emulators.oauth import OAuthEmulator, OAuthServer

REPO = Path(__file__).resolve().parents[2]
TENANT = "6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d"
PUBLIC_CLIENT = "1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b"
DAEMON_CLIENT = "2b1f8c7d-3e4f-4a5b-8c9d-1e2f3a4b5c6d"
WEB_CLIENT = "3c2a9d8e-4f5a-4b6c-9d0e-2f3a4b5c6d7e"
GOOGLE_CLIENT = "123456789012-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com"
ALICE = "alice@example.test"
BOB = "bob@example.test"
CAROL = "carol@example.test"
DAVE = "dave@gmail.test"
ERIN = "erin@example.test"
SCOPES = "offline_access https://outlook.office.com/SMTP.Send"


@dataclass(frozen=True)
class Certs:
    """A throw-away CA and a server certificate for localhost, 127.0.0.1 and 127.0.0.2."""

    ca_file: Path
    cert_pem: bytes
    key_pem: bytes
    server_context: ssl.SSLContext


@pytest.fixture(scope="session")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    """trustme CA (the only trust anchor of every TLS connection in these tests)."""
    import trustme

    ca = trustme.CA()
    cert = ca.issue_cert("localhost", "127.0.0.1", LISTEN)
    directory = tmp_path_factory.mktemp("ca")
    ca_file = directory / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    return Certs(
        ca_file=ca_file,
        cert_pem=cert.cert_chain_pems[0].bytes(),
        key_pem=cert.private_key_pem.bytes(),
        server_context=context,
    )


@pytest.fixture(scope="session")
def hmac_key() -> bytes:
    """The HS256 key shared by the token endpoint (signs) and Dovecot (validates)."""
    return secrets.token_bytes(32)


@pytest.fixture(scope="session")
def oauth_server(certs: Certs, hmac_key: bytes) -> Iterator[OAuthServer]:
    """The OAuth emulator over HTTPS on 127.0.0.1."""
    emulator = OAuthEmulator(key=hmac_key, tenant=TENANT)
    emulator.add_client(PUBLIC_CLIENT)
    emulator.add_client(DAEMON_CLIENT, secret="daemon-secret-" + secrets.token_hex(8))
    emulator.add_client(WEB_CLIENT, secret="web-secret-" + secrets.token_hex(8))
    emulator.add_client(GOOGLE_CLIENT, secret="google-secret-" + secrets.token_hex(8))
    server = OAuthServer(emulator, certs.server_context).start()
    yield server
    server.stop()


@pytest.fixture
def oauth(oauth_server: OAuthServer) -> OAuthEmulator:
    """The emulator with its switches reset (no revocation, rotation on, 1 h tokens)."""
    emulator = oauth_server.emulator
    emulator.revoked.clear()
    emulator.rotate = True
    emulator.access_ttl = 3600
    emulator.authorize_requests.clear()
    emulator.token_requests.clear()
    return emulator


@pytest.fixture(scope="session")
def sink() -> Iterator[Sink]:
    """aiosmtpd sink that Dovecot's submission service relays to."""
    server = Sink().start()
    yield server
    server.stop()


def require_dovecot() -> None:
    """Fail (not skip) when Dovecot is missing, naming the Debian packages."""
    if not Path(DOVECOT).exists():
        pytest.fail(
            f"{DOVECOT} is missing: install Debian's {DOVECOT_PACKAGES} "
            f"(apt-get install -y {DOVECOT_PACKAGES}; scripts/test-all does it)",
            pytrace=False,
        )
    if os.geteuid() != 0:
        pytest.fail("the Dovecot test server must be started as root", pytrace=False)


@pytest.fixture(scope="session")
def dovecot(certs: Certs, hmac_key: bytes, sink: Sink) -> Iterator[Dovecot]:
    """A real Dovecot on 127.0.0.2 (submission STARTTLS + IMAPS), validating our JWTs."""
    require_dovecot()
    server = Dovecot(
        hmac_key=hmac_key,
        cert_pem=certs.cert_pem,
        key_pem=certs.key_pem,
        relay_port=sink.port,
    )
    server.start()
    yield server
    server.stop()
    shutil.rmtree(server.workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def msmtp_binary() -> str:
    """The real msmtp (Debian package ``msmtp``)."""
    path = shutil.which("msmtp")
    if path is None:
        pytest.fail(
            "msmtp is missing: install Debian's msmtp (apt-get install -y msmtp; "
            "scripts/test-all does it)",
            pytrace=False,
        )
    return path


@dataclass
class Rig:
    """A test config pointing everything at the local servers, and helpers to run the CLI."""

    root: Path
    config: Path
    store: Path
    sasl_dir: Path
    certs: Certs
    oauth: OAuthEmulator
    env: dict[str, str]
    outputs: list[str] = field(default_factory=list)
    """Every stdout/stderr captured (for canary checks)."""

    def run(self, *args: str, stdin: str | None = None, check: int | None = None) -> Any:
        """Run ``mailoauth-cfg ARGS`` in a subprocess (as msmtp would)."""
        result = subprocess.run(
            [sys.executable, "-m", "mailoauth_cfg", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=self.env,
            cwd=self.root,
            timeout=60,
            check=False,
        )
        self.outputs.extend([result.stdout, result.stderr])
        assert "Traceback" not in result.stderr, result.stderr
        if check is not None:
            assert result.returncode == check, (result.returncode, result.stdout, result.stderr)
        return result

    def token_args(self, user: str, *extra: str) -> list[str]:
        """``--config CFG --user USER`` plus ``extra``."""
        return ["--config", str(self.config), "--user", user, *extra]


CONFIG = """\
version: 1
providers:
  contoso:
    type: microsoft
    tenant: {tenant}
    endpoints:
      login: {login}
      smtp: {listen}:{smtp}
      imap: {listen}:{imap}
    ca_bundle: {ca}
  acme:
    type: google
    domain: gmail.test
    consent_screen: {{audience: internal, status: production}}
    endpoints:
      oauth: {login}
      token: {login}
      smtp: {listen}:{smtp}
      imap: {listen}:{imap}
    ca_bundle: {ca}
apps:
  mail-cli:
    provider: contoso
    client_id: {public}
    platform: public
    public_client_flows: true
  web-mail:
    provider: contoso
    client_id: {web}
    platform: web
    client_secret: {{env: WEB_SECRET, expires: 2099-01-01}}
  daemon:
    provider: contoso
    client_id: {daemon}
    flow: app-only
    client_secret: {{env: DAEMON_SECRET, expires: 2099-01-01}}
  gmail-cli:
    provider: acme
    client_id: {google}
    platform: desktop
    client_secret: {{env: GOOGLE_SECRET}}
users:
  - {{email: {alice}, provider: contoso}}
  - {{email: {bob}, provider: contoso}}
  - {{email: {carol}, provider: contoso}}
  - {{email: {dave}, provider: acme}}
  - {{email: {erin}, provider: contoso}}
targets:
  laptop:
    type: msmtp
    app: mail-cli
    users: [{alice}]
    config_path: {config}
    command: {python} -m mailoauth_cfg
    token_dir: {store}
  relay:
    type: postfix-sasl-xoauth2
    app: mail-cli
    users: [{bob}]
    token_dir: {sasl}
    chroot: false
  webapp:
    type: msmtp
    app: web-mail
    users: [{carol}]
    config_path: {config}
    token_dir: {store}
  gmail:
    type: msmtp
    app: gmail-cli
    users: [{dave}]
    config_path: {config}
    token_dir: {store}
  daemon:
    type: msmtp
    app: daemon
    users: [{erin}]
    config_path: {config}
    token_dir: {store}
"""


@pytest.fixture
def rig(tmp_path: Path, certs: Certs, oauth: OAuthEmulator, oauth_server: OAuthServer) -> Rig:
    """A config whose provider ``endpoints:`` point at the emulator and Dovecot's ports.

    Dovecot itself is not started by this fixture (tests that log in ask for ``dovecot``); its
    ports are read lazily through ``rig_ports``.
    """
    return _make_rig(tmp_path, certs, oauth, oauth_server, smtp=1, imap=1)


def _make_rig(
    tmp_path: Path,
    certs: Certs,
    oauth: OAuthEmulator,
    server: OAuthServer,
    *,
    smtp: int,
    imap: int,
) -> Rig:
    store = tmp_path / "store"
    sasl = tmp_path / "sasl"
    config = tmp_path / "mailoauth.yaml"
    config.write_text(
        CONFIG.format(
            tenant=TENANT,
            login=server.base,
            listen=LISTEN,
            smtp=smtp,
            imap=imap,
            ca=certs.ca_file,
            public=PUBLIC_CLIENT,
            web=WEB_CLIENT,
            daemon=DAEMON_CLIENT,
            google=GOOGLE_CLIENT,
            alice=ALICE,
            bob=BOB,
            carol=CAROL,
            dave=DAVE,
            erin=ERIN,
            config=config,
            python=sys.executable,
            store=store,
            sasl=sasl,
        )
    )
    env = dict(os.environ)
    env.update(
        {
            "WEB_SECRET": oauth.clients[WEB_CLIENT].secret or "",
            "DAEMON_SECRET": oauth.clients[DAEMON_CLIENT].secret or "",
            "GOOGLE_SECRET": oauth.clients[GOOGLE_CLIENT].secret or "",
            "MAILOAUTH_TEST_CA": str(certs.ca_file),
            "BROWSER": f"{sys.executable} {REPO / 'tests' / 'emulators' / 'browser.py'} %s",
            # The system bundle must not be what makes TLS work (machines may preset these).
            "REQUESTS_CA_BUNDLE": "/etc/ssl/certs/ca-certificates.crt",
            "SSL_CERT_FILE": "/etc/ssl/certs/ca-certificates.crt",
            "XDG_STATE_HOME": str(tmp_path / "state"),
            "PYTHONPATH": str(REPO),
        }
    )
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return Rig(tmp_path, config, store, sasl, certs, oauth, env)


@pytest.fixture
def live_rig(
    tmp_path: Path,
    certs: Certs,
    oauth: OAuthEmulator,
    oauth_server: OAuthServer,
    dovecot: Dovecot,
) -> Rig:
    """:func:`rig` with SMTP and IMAP pointing at the running Dovecot."""
    return _make_rig(
        tmp_path, certs, oauth, oauth_server, smtp=dovecot.submission_port, imap=dovecot.imaps_port
    )

"""A real Dovecot (IMAP + submission, XOAUTH2/OAUTHBEARER) on 127.0.0.2 and an SMTP sink.

Dovecot runs as a child process (``dovecot -F``)
with a fresh ``base_dir``, listens on 127.0.0.2 so that loopback does not count as "secured"
and TLS is really required, validates HS256 JWT access tokens locally (the key is shared with
the OAuth emulator), has no auth-failure penalty, and relays submitted mail to an aiosmtpd
sink on 127.0.0.1. Every process is stopped by its own PID.
"""

from __future__ import annotations

import base64
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DOVECOT = "/usr/sbin/dovecot"
DOVECOT_PACKAGES = "dovecot-imapd dovecot-submissiond"
LISTEN = "127.0.0.2"

_CONF = """\
instance_name = mailoauth-test-{tag}
base_dir = {d}/run
state_dir = {d}/state
listen = {listen}
protocols = imap submission
hostname = localhost
log_path = {d}/dovecot.log
auth_verbose = yes
ssl = yes
ssl_cert = <{d}/certs/server.pem
ssl_key = <{d}/certs/server.key
disable_plaintext_auth = yes
auth_mechanisms = xoauth2 oauthbearer
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {d}/oauth2.conf.ext
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={d}/mail/%u
}}
first_valid_uid = 1
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {imaps}
    ssl = yes
  }}
}}
service submission-login {{
  inet_listener submission {{
    port = {submission}
  }}
}}
submission_relay_host = 127.0.0.1
submission_relay_port = {relay}
auth_failure_delay = 0
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""

_OAUTH2 = """\
introspection_mode = local
local_validation_key_dict = fs:posix:prefix={d}/keys/
username_attribute = email
"""


def free_port(host: str) -> int:
    """A currently free TCP port on ``host``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _wait_connect(host: str, port: int, deadline: float) -> None:
    while True:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


@dataclass
class Sink:
    """An aiosmtpd server storing every message relayed to it."""

    port: int = 0
    messages: list[Any] = field(default_factory=list)
    _controller: Any = None

    def start(self) -> Sink:
        """Start on 127.0.0.1 (random port)."""
        from aiosmtpd.controller import Controller

        sink = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                sink.messages.append(envelope)
                return "250 2.0.0 OK stored"

        self.port = free_port("127.0.0.1")
        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        """Stop the server."""
        if self._controller is not None:
            self._controller.stop()


@dataclass
class Dovecot:
    """A private Dovecot instance; ``start`` raises with Dovecot's stderr on failure."""

    hmac_key: bytes
    cert_pem: bytes
    key_pem: bytes
    relay_port: int
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="dovecot-")))
    submission_port: int = 0
    imaps_port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def log(self) -> Path:
        """Dovecot's log file (auth_verbose: one line per failed login, never a token)."""
        return self.workdir / "dovecot.log"

    def start(self) -> Dovecot:
        """Write the config, spawn ``dovecot -F`` and wait until both listeners accept."""
        d = self.workdir
        d.chmod(0o755)  # pitfall 5: the auth process (user dovecot) must read the key
        for sub in ("run", "state", "mail", "certs", "keys/default/HS256"):
            (d / sub).mkdir(parents=True, exist_ok=True)
        for sub in ("keys", "keys/default", "keys/default/HS256", "certs"):
            (d / sub).chmod(0o755)
        shutil.chown(d / "mail", "dovecot", "dovecot")
        (d / "certs/server.pem").write_bytes(self.cert_pem)
        (d / "certs/server.key").write_bytes(self.key_pem)
        (d / "keys/default/HS256/default").write_text(
            base64.b64encode(self.hmac_key).decode() + "\n"
        )
        (d / "keys/default/HS256/default").chmod(0o644)
        self.submission_port = free_port(LISTEN)
        self.imaps_port = free_port(LISTEN)
        (d / "oauth2.conf.ext").write_text(_OAUTH2.format(d=d))
        (d / "dovecot.conf").write_text(
            _CONF.format(
                tag=d.name,
                d=d,
                listen=LISTEN,
                imaps=self.imaps_port,
                submission=self.submission_port,
                relay=self.relay_port,
            )
        )
        stderr = (d / "dovecot.stderr").open("wb")
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(d / "dovecot.conf")],
            stdin=subprocess.DEVNULL,
            stdout=stderr,
            stderr=stderr,
        )
        stderr.close()
        deadline = time.monotonic() + 10
        try:
            _wait_connect(LISTEN, self.submission_port, deadline)
            _wait_connect(LISTEN, self.imaps_port, deadline)
        except OSError:
            self.stop()
            raise RuntimeError(
                "Dovecot did not start:\n" + (d / "dovecot.stderr").read_text(errors="replace")
            ) from None
        return self

    def stop(self) -> None:
        """SIGTERM the master (by PID) and wait; the master stops its children."""
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        with contextlib.suppress(OSError, ValueError):
            pid_file = self.workdir / "run" / "master.pid"
            if pid_file.exists():
                pid = int(pid_file.read_text().strip())
                if pid == process.pid:
                    os.kill(pid, 0)  # still there? (reparented): stop it by its PID
                    os.kill(pid, signal.SIGTERM)

    def log_text(self) -> str:
        """The log so far."""
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

"""Mail servers that answer AUTH with a scripted reply, for replies Dovecot never sends.

Exchange Online's ``535 5.7.139`` (SMTP AUTH disabled), ``535 5.7.3``, ``AUTHENTICATE failed``
and the like cannot come from a local Dovecot. These servers speak real TLS (STARTTLS for SMTP
via aiosmtpd, implicit TLS for IMAP) and refuse the login with whatever reply the test sets.
"""

from __future__ import annotations

import socket
import ssl
import threading
from typing import Any


class ScriptedSmtp:
    """aiosmtpd with STARTTLS required and an XOAUTH2 mechanism that answers ``reply``."""

    def __init__(self, server_context: ssl.SSLContext) -> None:
        self.reply = "535 5.7.139 Authentication unsuccessful"
        self.port = 0
        self._context = server_context
        self._controller: Any = None

    def start(self) -> ScriptedSmtp:
        """Start on 127.0.0.1 (random port)."""
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        scripted = self

        class Handler:
            async def auth_XOAUTH2(self, server: Any, args: list[str]) -> Any:
                return AuthResult(success=False, handled=False, message=scripted.reply)

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self._controller = Controller(
            Handler(),
            hostname="127.0.0.1",
            port=self.port,
            tls_context=self._context,
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


class ScriptedImap:
    """A minimal IMAPS server: CAPABILITY, AUTHENTICATE (answers ``reply``), LOGOUT."""

    def __init__(self, server_context: ssl.SSLContext) -> None:
        self.reply = "NO AUTHENTICATE failed."
        self._context = server_context
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(8)
        self._sock.settimeout(0.2)
        self.port = int(self._sock.getsockname()[1])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def start(self) -> ScriptedImap:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._stop.set()
        self._thread.join(5)
        self._sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            try:
                with self._context.wrap_socket(conn, server_side=True) as tls:
                    tls.settimeout(5)
                    self._session(tls.makefile("rwb"))
            except OSError:
                continue

    def _session(self, stream: Any) -> None:
        def send(line: str) -> None:
            stream.write(line.encode() + b"\r\n")
            stream.flush()

        send("* OK scripted IMAP ready")
        while True:
            line = stream.readline().decode().strip()
            if not line:
                return
            tag, _, rest = line.partition(" ")
            command = rest.split(" ")[0].upper()
            if command == "CAPABILITY":
                send("* CAPABILITY IMAP4rev1 AUTH=XOAUTH2 AUTH=OAUTHBEARER")
                send(f"{tag} OK CAPABILITY completed")
            elif command == "AUTHENTICATE":
                send("+ ")
                stream.readline()
                send(f"{tag} {self.reply}")
            elif command == "LOGOUT":
                send("* BYE")
                send(f"{tag} OK LOGOUT completed")
                return
            else:
                send(f"{tag} BAD unknown command")

"""Shared plumbing of the HTTPS emulators: a trustme CA, a threaded HTTPS server on 127.0.0.1,
deterministic fault injection and request counting.

An emulator is a function ``handle(request) -> Response`` plus a ``route(request) -> str`` that
names the kind of request (``users``, ``batch``, ``exchange:Get-CASMailbox``…). The server:

* serves HTTP/1.1 with keep-alive over TLS (the handshake happens in the connection's thread);
* sleeps ``latency`` seconds before answering each request (a network round trip);
* applies the first :class:`Fault` whose ``route`` pattern matches: ``status`` (e.g. 429 with
  ``Retry-After``, 503), ``latency`` (extra delay), ``timeout`` (no answer for ``seconds``, then
  the connection is closed), ``reset`` (closed at once) or ``malformed`` (200 with a truncated
  JSON body). Batch emulators apply faults of scope ``item`` to the items inside a batch, where
  ``missing`` drops the item's answer from the batch response;
* decides deterministically: ``times=N`` fails the first N attempts of each distinct request
  (method, path, query and body) or, with ``per="route"``, the first N requests of the route;
  ``probability=p`` hashes (seed, fault, request, attempt), so a run is the same whatever the
  thread interleaving;
* counts requests by route (:class:`Stats`) for assertions and benchmarks.

Nothing is logged: requests carry bearer tokens and secrets.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import json
import socket
import ssl
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal

FaultKind = Literal["status", "latency", "timeout", "reset", "malformed", "missing"]


class Tls:
    """A trustme CA and a server certificate for ``127.0.0.1`` and ``localhost``."""

    def __init__(self, directory: str | Path | None = None) -> None:
        import trustme

        self.ca = trustme.CA()
        self.cert = self.ca.issue_cert("127.0.0.1", "localhost")
        self._dir = Path(directory or tempfile.mkdtemp(prefix="emulator-ca-"))
        self._dir.mkdir(parents=True, exist_ok=True)
        self.ca_file = str(self._dir / "ca.pem")
        self.ca.cert_pem.write_to_path(self.ca_file)

    def server_context(self) -> ssl.SSLContext:
        """Server-side TLS context with the certificate."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.cert.configure_cert(context)
        return context


@dataclass
class Request:
    """One HTTP request (or one item of a batch)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes = b""
    raw_query: str = ""

    @property
    def identity(self) -> str:
        """What makes two attempts "the same request"."""
        digest = hashlib.sha256(self.body).hexdigest()[:16] if self.body else ""
        return f"{self.method} {self.path}?{self.raw_query} {digest}"

    def json(self) -> Any:
        """The body as JSON (``None`` when empty or invalid)."""
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None

    @classmethod
    def parse(cls, method: str, target: str, headers: dict[str, str], body: bytes) -> Request:
        """From a request line target (``/v1.0/users?$select=id``)."""
        parts = urllib.parse.urlsplit(target)
        query = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
        return cls(
            method=method.upper(),
            path=urllib.parse.unquote(parts.path),
            query=query,
            headers={k.lower(): v for k, v in headers.items()},
            body=body,
            raw_query=parts.query,
        )


@dataclass
class Response:
    """What a handler answers."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    """Bytes sent as is (malformed bodies); otherwise ``body`` is JSON-encoded."""

    def encode(self) -> bytes:
        """The body bytes."""
        if self.raw is not None:
            return self.raw
        if self.body is None:
            return b""
        return json.dumps(self.body).encode()


@dataclass
class Fault:
    """One injected failure (see the module docstring)."""

    route: str = "*"
    kind: FaultKind = "status"
    status: int = 503
    retry_after: float | None = None
    times: int | None = None
    probability: float | None = None
    seconds: float = 0.0
    scope: Literal["request", "item", "any"] = "any"
    per: Literal["identity", "route"] = "identity"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fault:
        """From a scenario file entry."""
        return cls(**data)

    def body(self) -> dict[str, Any]:
        """A Graph-shaped error body for ``status`` faults."""
        codes = {429: "TooManyRequests", 503: "ServiceUnavailable", 504: "GatewayTimeout"}
        return {
            "error": {
                "code": codes.get(self.status, "InjectedFault"),
                "message": f"Injected fault: HTTP {self.status}",
            }
        }

    def headers(self) -> dict[str, str]:
        """``Retry-After`` when set (integers are written without a decimal point)."""
        if self.retry_after is None:
            return {}
        value = self.retry_after
        text = str(int(value)) if float(value).is_integer() else f"{value:g}"
        return {"Retry-After": text}


class Faults:
    """Deterministic fault decisions, thread-safe."""

    def __init__(self, faults: list[Fault] | None = None, seed: int = 0) -> None:
        self.faults = list(faults or [])
        self.seed = seed
        self._attempts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.injected: Counter[str] = Counter()

    def add(self, fault: Fault) -> Fault:
        """Add a fault (tests may add while the server runs)."""
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear(self) -> None:
        """Remove every fault and forget the attempt counts."""
        with self._lock:
            self.faults.clear()
            self._attempts.clear()

    def pick(self, route: str, identity: str, scope: Literal["request", "item"]) -> Fault | None:
        """The fault to apply to this attempt, if any (and count the attempt)."""
        with self._lock:
            for index, fault in enumerate(self.faults):
                if fault.scope not in ("any", scope) or not fnmatch.fnmatchcase(route, fault.route):
                    continue
                key = f"{index}|{route if fault.per == 'route' else identity}"
                self._attempts[key] += 1
                attempt = self._attempts[key]
                if fault.times is not None and attempt > fault.times:
                    continue
                if fault.probability is not None:
                    digest = hashlib.sha256(f"{self.seed}|{key}|{attempt}".encode()).digest()
                    if int.from_bytes(digest[:8], "big") / 2**64 >= fault.probability:
                        continue
                self.injected[f"{route}:{fault.kind}"] += 1
                return fault
            return None


class Stats:
    """Requests and batch items counted by route, thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: Counter[str] = Counter()
        self.items: Counter[str] = Counter()

    def count(self, route: str, *, item: bool = False) -> None:
        """Count one request (or one batch item)."""
        with self._lock:
            (self.items if item else self.requests)[route] += 1

    @property
    def total(self) -> int:
        """HTTP requests received."""
        with self._lock:
            return sum(self.requests.values())

    def reset(self) -> None:
        """Forget every count."""
        with self._lock:
            self.requests.clear()
            self.items.clear()

    def snapshot(self) -> dict[str, Any]:
        """A copy of the counts."""
        with self._lock:
            return {"requests": dict(self.requests), "items": dict(self.items)}


Handler = Callable[[Request], Response]
Router = Callable[[Request], str]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    owner: HttpsServer


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        # TLS handshake in this connection's thread, not in the accept loop; no Nagle delay
        # (headers and body would otherwise wait for the client's delayed ACK, ~40 ms).
        self.request.settimeout(30)
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.request = self.server.owner.context.wrap_socket(self.request, server_side=True)
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: requests carry tokens and secrets."""

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (ConnectionError, ssl.SSLError, TimeoutError, OSError):
            self.close_connection = True

    def _serve(self) -> None:
        owner = self.server.owner
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Request.parse(self.command, self.path, dict(self.headers.items()), body)
        route = owner.route(request)
        owner.stats.count(route)
        if owner.latency:
            time.sleep(owner.latency)
        fault = owner.faults.pick(route, request.identity, "request")
        if fault is not None:
            if fault.kind == "latency":
                time.sleep(fault.seconds)
            elif fault.kind in ("timeout", "reset"):
                if fault.kind == "timeout":
                    time.sleep(fault.seconds)
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)
                return
            elif fault.kind == "malformed":
                self._send(Response(200, raw=b'{"value": [{"id": "trunc'))
                return
            else:
                self._send(Response(fault.status, fault.body(), fault.headers()))
                return
        try:
            response = owner.handler(request)
        except Exception as exc:
            response = Response(500, {"error": {"code": "EmulatorError", "message": repr(exc)}})
        self._send(response)

    def _send(self, response: Response) -> None:
        data = response.encode()
        self.send_response_only(response.status)
        self.send_header("Date", self.date_time_string())
        for name, value in response.headers.items():
            self.send_header(name, value)
        if data and not any(k.lower() == "content-type" for k in response.headers):
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self._headers_buffer.append(b"\r\n")
        # One write: status line, headers and body in the same TLS record(s).
        self.wfile.write(b"".join(self._headers_buffer) + data)
        self._headers_buffer = []
        self.wfile.flush()

    do_GET = _serve
    do_POST = _serve


class HttpsServer:
    """Serve ``handler`` over HTTPS on 127.0.0.1 (random port) in background threads."""

    def __init__(
        self,
        handler: Handler,
        route: Router,
        tls: Tls,
        *,
        latency: float = 0.0,
        faults: Faults | None = None,
    ) -> None:
        self.handler = handler
        self.route = route
        self.tls = tls
        self.context = tls.server_context()
        self.latency = latency
        self.faults = faults or Faults()
        self.stats = Stats()
        self._server = _Server(("127.0.0.1", 0), _RequestHandler)
        self._server.owner = self
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base(self) -> str:
        """``https://127.0.0.1:PORT``."""
        return f"https://127.0.0.1:{self.port}"

    def start(self) -> HttpsServer:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def __enter__(self) -> HttpsServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

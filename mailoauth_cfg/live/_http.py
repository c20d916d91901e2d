"""HTTP plumbing shared by the Graph and Exchange fetchers: bounded concurrency, per-request
timeouts, ``Retry-After`` and a retry budget, request counting and readable failure reasons.

Imported only by the fetchers (never by offline commands): it imports httpx.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import json
import ssl
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from mailoauth_cfg.live.options import FetchOptions

RETRY_STATUSES = frozenset({429, 503, 504})


class Unavailable(Exception):
    """A read that could not complete; ``reason`` goes into the snapshot."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(slots=True)
class Stats:
    """What a fetch cost, for progress, benchmarks and tests."""

    requests: int = 0
    retries: int = 0
    reads: int = 0
    """Logical reads (Graph items, Exchange cmdlet calls), each counted once."""
    by_kind: Counter[str] = field(default_factory=Counter)

    def add(self, other: Stats) -> None:
        """Accumulate ``other``."""
        self.requests += other.requests
        self.retries += other.retries
        self.reads += other.reads
        self.by_kind.update(other.by_kind)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header: delta-seconds (decimals tolerated) or an HTTP date."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def error_text(status: int, body: Any) -> str:
    """``HTTP 403 Authorization_RequestDenied: Insufficient privileges…`` from a Graph or Exchange
    error body (``error.code``/``error.message``, ``error.details``, ``innererror``)."""
    code = ""
    message = ""
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        error = body["error"]
        code = str(error.get("code") or "")
        message = str(error.get("message") or "")
        details = error.get("details")
        if not message and isinstance(details, list) and details:
            message = str(details[0].get("message") or "") if isinstance(details[0], dict) else ""
        inner = error.get("innererror")
        if not message and isinstance(inner, dict):
            internal = inner.get("internalException")
            if isinstance(internal, dict):
                message = str(internal.get("message") or "")
    text = f"HTTP {status}"
    if code:
        text += f" {code}"
    if message:
        text += f": {message[:300]}"
    return text


def decode_json(content: bytes) -> Any:
    """JSON of a response body; ``Unavailable`` when it is not JSON."""
    if not content.strip():
        return None
    try:
        return json.loads(content)
    except json.JSONDecodeError as exc:
        raise Unavailable(f"malformed JSON response ({exc.msg} at byte {exc.pos})") from None
    except ValueError as exc:  # undecodable bytes
        raise Unavailable(f"malformed JSON response ({exc})") from None


def ssl_context(ca_bundle: str | None) -> ssl.SSLContext | bool:
    """TLS verification: the CA bundle when given (it replaces the system store), else default.

    An explicit context is used as is, so the ``SSL_CERT_FILE``/``REQUESTS_CA_BUNDLE`` variables
    a machine may preset do not override a configured bundle.
    """
    if ca_bundle is None:
        return True
    return ssl.create_default_context(cafile=ca_bundle)


def async_client(options: FetchOptions, ca_bundle: str | None, pool: int) -> httpx.AsyncClient:
    """An httpx client with the options' timeout and a connection pool of ``pool``."""
    http2 = options.http2
    if http2:
        try:
            import h2  # noqa: F401
        except ImportError:  # pragma: no cover - h2 is a dependency of the live extra
            http2 = False
    return httpx.AsyncClient(
        verify=ssl_context(ca_bundle),
        timeout=httpx.Timeout(options.timeout),
        http2=http2,
        limits=httpx.Limits(max_connections=max(pool, 1), max_keepalive_connections=max(pool, 1)),
        follow_redirects=False,
    )


@dataclass(slots=True)
class Reply:
    """A response that is not to be retried: status, headers, JSON body."""

    status: int
    headers: httpx.Headers
    body: Any


class Transport:
    """Sends requests with at most ``concurrency`` in flight, retrying the transient failures.

    429, 503 and 504 wait for ``Retry-After`` (or an exponential backoff) and try again within
    :attr:`FetchOptions.max_attempts`; so do timeouts, resets and malformed JSON. Anything else
    is returned to the caller. The semaphore is held for the exchange only, never while waiting.
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        options: FetchOptions,
        *,
        concurrency: int,
        stats: Stats,
        service: str,
    ) -> None:
        self.client = client
        self.options = options
        self.stats = stats
        self.service = service
        self._gate = asyncio.Semaphore(max(concurrency, 1))

    async def send(
        self, build: Callable[[], Awaitable[httpx.Request]], *, kind: str, what: str
    ) -> Reply:
        """Send the request ``build()`` makes (rebuilt for each attempt); raise ``Unavailable``."""
        attempt = 0
        while True:
            attempt += 1
            retry_after: float | None = None
            try:
                async with self._gate:
                    request = await build()
                    self.stats.requests += 1
                    self.stats.by_kind[kind] += 1
                    response = await self.client.send(request)
                    content = await response.aread()
                    await response.aclose()
            except httpx.TimeoutException:
                reason = f"timed out after {self.options.timeout:g} s"
            except httpx.TransportError as exc:
                reason = f"connection failed ({type(exc).__name__}: {exc})"
            except Unavailable:
                raise
            except Exception as exc:  # e.g. a token refresh failing in build()
                text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                raise Unavailable(f"{what}: {type(exc).__name__}: {text}"[:400]) from None
            else:
                status = response.status_code
                if status in RETRY_STATUSES:
                    retry_after = parse_retry_after(response.headers.get("Retry-After"))
                    body: Any = None
                    try:
                        body = json.loads(content) if content.strip() else None
                    except ValueError:
                        body = None
                    reason = error_text(status, body)
                    if retry_after is not None:
                        reason += f" (Retry-After {retry_after:g} s)"
                else:
                    try:
                        return Reply(status, response.headers, decode_json(content))
                    except Unavailable as exc:
                        reason = exc.reason
            delay = self.options.retry_delay(attempt, retry_after)
            if delay is None:
                raise Unavailable(f"{what}: {reason}; gave up after {attempt} attempt(s)")
            self.stats.retries += 1
            await asyncio.sleep(delay)

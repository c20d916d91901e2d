"""HTTP plumbing of the httpx-based fetchers (Graph and Exchange Online): bounded concurrency,
per-request timeouts, ``Retry-After`` and a retry budget, request counting and readable failure
reasons. :class:`Stats` and :func:`parse_retry_after` serve the Google fetcher too.

Imported only by the fetchers (never by offline commands): it imports httpx.
"""

from __future__ import annotations

import asyncio
import json
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from mailoauth_cfg.errors import LiveReadError
from mailoauth_cfg.live._retry import Budget, Stats, parse_retry_after
from mailoauth_cfg.live.options import FetchOptions

RETRY_STATUSES = frozenset({429, 503, 504})
ErrorText = Callable[[int, Any], str]
"""``error_text(status, body)``: one line describing an error answer."""


def decode_json(content: bytes) -> Any:
    """JSON of a response body; ``LiveReadError`` when it is not JSON."""
    if not content.strip():
        return None
    try:
        return json.loads(content)
    except json.JSONDecodeError as exc:
        raise LiveReadError(f"malformed JSON response ({exc.msg} at byte {exc.pos})") from None
    except ValueError as exc:  # undecodable bytes
        raise LiveReadError(f"malformed JSON response ({exc})") from None


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
        error_text: ErrorText,
        budget: Budget | None = None,
    ) -> None:
        self.client = client
        self.options = options
        self.stats = stats
        self.service = service
        self.error_text = error_text
        self.budget = budget or Budget(options.deadline)
        self._gate = asyncio.Semaphore(max(concurrency, 1))

    async def send(
        self, build: Callable[[], Awaitable[httpx.Request]], *, kind: str, what: str
    ) -> Reply:
        """Send the request ``build()`` makes (rebuilt for each attempt); ``LiveReadError`` when
        it cannot complete."""
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
            except LiveReadError:
                raise
            except Exception as exc:  # e.g. a token refresh failing in build()
                text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                raise LiveReadError(f"{what}: {type(exc).__name__}: {text}"[:400]) from None
            else:
                status = response.status_code
                if status in RETRY_STATUSES:
                    retry_after = parse_retry_after(response.headers.get("Retry-After"))
                    body: Any = None
                    try:
                        body = json.loads(content) if content.strip() else None
                    except ValueError:
                        body = None
                    reason = self.error_text(status, body)
                    if retry_after is not None:
                        reason += f" (Retry-After {retry_after:g} s)"
                else:
                    try:
                        return Reply(status, response.headers, decode_json(content))
                    except LiveReadError as exc:
                        reason = exc.reason
            delay = self.options.retry_delay(attempt, retry_after)
            if delay is None:
                raise LiveReadError(f"{what}: {reason}; gave up after {attempt} attempt(s)")
            if not self.budget.allows(delay):
                raise LiveReadError(f"{what}: {self.budget.gave_up(reason, attempt)}")
            self.stats.retries += 1
            await asyncio.sleep(delay)


__all__ = [
    "Budget",
    "LiveReadError",
    "Reply",
    "Stats",
    "Transport",
    "async_client",
    "decode_json",
    "parse_retry_after",
    "ssl_context",
]

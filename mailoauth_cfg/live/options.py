"""Tuning of the live fetch: batching, concurrency, timeouts, the retry budget and the overall
deadline (``validate --online --timeout``).

Plain data (no heavy import). The defaults suit a real tenant; tests and benchmarks shrink the
timings so that a throttled emulator answers in milliseconds.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

NEVER = 2**62
"""A threshold that is never reached."""

Progress = Callable[[str, int, int], None]
"""``progress(provider, done, total)``: reads finished so far out of those known so far."""


@dataclass(frozen=True, slots=True)
class FetchOptions:
    """How the fetchers talk to Graph and Exchange Online."""

    batch_size: int = 20
    """Graph reads per JSON ``$batch`` request (Graph allows 20). 1 sends one GET per read."""
    graph_concurrency: int = 8
    """Graph HTTP requests in flight at once (per tenant)."""
    exchange_concurrency: int = 4
    """Exchange ``InvokeCommand`` requests in flight at once (per tenant)."""
    timeout: float = 30.0
    """Seconds allowed for one HTTP request (connect, send and read)."""
    deadline: float = 120.0
    """Seconds allowed for the whole live read of a run (``--timeout``; 0: no limit). Facts not
    read by then are ``unknown`` and the run ends (exit code 3); no retry is started that would
    end past it."""
    max_attempts: int = 4
    """Attempts per read (the first one included) on 429, 503, 504, timeouts and resets."""
    backoff: float = 1.0
    """First delay (seconds) before a retry when the server gives no ``Retry-After``;
    doubles each time."""
    max_backoff: float = 30.0
    """Longest delay computed from ``backoff``."""
    max_retry_after: float = 120.0
    """Longest ``Retry-After`` honoured; a longer one gives up at once (``unknown``)."""
    jitter: float = 0.5
    """Randomness of retry delays, so that requests failed together do not retry in lockstep:
    a backoff delay is drawn in ``[(1 - jitter) x d, d]``; a ``Retry-After`` wait is lengthened
    by up to ``jitter`` x min(Retry-After, 1 s)."""
    user_filter_threshold: int = 8
    """From this many users in a tenant, read them with ``$filter=userPrincipalName in (…)``
    (15 names per query, 20 queries per ``$batch``) instead of one read each."""
    filter_chunk: int = 15
    """Names per ``in (…)`` filter (Graph's limit is 15)."""
    exchange_listing_threshold: int = 10
    """From this many mailboxes, list ``Get-CASMailbox``/``Get-Mailbox`` (paged) instead of
    calling them once per mailbox."""
    exchange_page_size: int = 1000
    """``Prefer: odata.maxpagesize`` for Exchange listings."""
    http2: bool = True
    """Offer HTTP/2 (one connection carries the concurrent requests)."""
    extra_headers: dict[str, str] = field(default_factory=dict)
    """Headers added to every Graph and Exchange request (e.g. a proxy's)."""

    def retry_delay(
        self, attempt: int, retry_after: float | None, draw: Callable[[], float] = random.random
    ) -> float | None:
        """Seconds to wait before attempt ``attempt + 1``; ``None`` when the budget is spent.

        ``attempt`` counts the attempts made so far (1 after the first). A server's
        ``Retry-After`` is honoured (never shortened) unless it exceeds
        :attr:`max_retry_after`; both kinds of delay are jittered (:attr:`jitter`) with
        ``draw()`` in ``[0, 1)``.
        """
        if attempt >= self.max_attempts:
            return None
        jitter = min(max(self.jitter, 0.0), 1.0)
        if retry_after is not None:
            if retry_after > self.max_retry_after:
                return None
            return retry_after + jitter * min(retry_after, 1.0) * draw()
        delay = float(min(self.max_backoff, self.backoff * 2.0 ** (attempt - 1)))
        return delay * (1.0 - jitter * draw())

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> FetchOptions:
        """Defaults overridden by ``MAILOAUTH_CFG_LIVE_<FIELD>`` variables (numbers), e.g.
        ``MAILOAUTH_CFG_LIVE_TIMEOUT=10`` or ``MAILOAUTH_CFG_LIVE_GRAPH_CONCURRENCY=4``.

        Raises:
            ValueError: a variable that is not a number (or a negative one).
        """
        changes: dict[str, Any] = {}
        for item in fields(cls):
            if item.type not in ("int", "float"):
                continue
            raw = environ.get(f"MAILOAUTH_CFG_LIVE_{item.name.upper()}")
            if raw is None or not raw.strip():
                continue
            try:
                value: float = int(raw) if item.type == "int" else float(raw)
            except ValueError:
                raise ValueError(
                    f"MAILOAUTH_CFG_LIVE_{item.name.upper()} must be a number, not {raw!r}"
                ) from None
            if value < 0:
                raise ValueError(f"MAILOAUTH_CFG_LIVE_{item.name.upper()} must not be negative")
            changes[item.name] = value
        return replace(cls(), **changes)

    @classmethod
    def naive(cls, **changes: object) -> FetchOptions:
        """One HTTP call per object: no ``$batch``, no filters, no listings (for comparison)."""
        base = cls(batch_size=1, user_filter_threshold=NEVER, exchange_listing_threshold=NEVER)
        return replace(base, **changes)  # type: ignore[arg-type]

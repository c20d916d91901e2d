"""Retry bookkeeping shared by the Microsoft (httpx) and Google (httplib2) fetchers: request
counting and ``Retry-After`` parsing. Plain Python, no heavy import."""

from __future__ import annotations

import datetime as dt
import email.utils
from collections import Counter
from dataclasses import dataclass, field


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

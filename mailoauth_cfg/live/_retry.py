"""Retry bookkeeping shared by the Microsoft (httpx) and Google (httplib2) fetchers: request
counting, ``Retry-After`` parsing and the run's overall deadline. Plain Python, no heavy
import."""

from __future__ import annotations

import datetime as dt
import email.utils
import time
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


@dataclass
class Budget:
    """The overall deadline of a live read (``--timeout``), shared by every provider of a run."""

    seconds: float
    """0 (or less): no deadline."""
    started: float = field(default_factory=time.monotonic)

    @property
    def limited(self) -> bool:
        """Whether there is a deadline."""
        return self.seconds > 0

    def remaining(self) -> float:
        """Seconds left (``inf`` without a deadline, never below 0)."""
        if not self.limited:
            return float("inf")
        return max(0.0, self.started + self.seconds - time.monotonic())

    @property
    def expired(self) -> bool:
        """Whether the deadline has passed."""
        return self.remaining() <= 0

    def allows(self, delay: float) -> bool:
        """Whether a retry after ``delay`` seconds would still start before the deadline."""
        return delay < self.remaining()

    @property
    def reason(self) -> str:
        """Why a fact was not read: the budget ran out."""
        return f"not read within the --timeout budget of {self.seconds:g} s"

    def gave_up(self, reason: str, attempts: int) -> str:
        """``reason`` of an attempt not retried because the retry would pass the deadline."""
        return (
            f"{reason}; gave up after {attempts} attempt(s): a retry would pass the --timeout "
            f"budget of {self.seconds:g} s"
        )

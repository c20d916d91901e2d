"""A hanging Google API never keeps a run past its ``--timeout`` budget by more than one
request timeout: unread facts are ``unknown``, the worker threads are not waited for."""

from __future__ import annotations

import time
from collections.abc import Callable

from mailoauth_cfg.findings import Status
from tests.emulators.google import Fault, GoogleEmulator
from tests.live.conftest import Live
from tests.live.google_checks.conftest import quiet
from tests.live.test_deadline import BUDGET, HANGING, REQUEST_TIMEOUT, SLACK


def test_a_hanging_batch_ends_at_the_budget(
    google: GoogleEmulator, google_live: Callable[..., Live]
) -> None:
    google.faults.add(Fault(route="batch", kind="timeout", seconds=30, scope="request"))
    started = time.monotonic()
    result = google_live(quiet, options=HANGING)
    assert time.monotonic() - started < BUDGET + REQUEST_TIMEOUT + SLACK
    assert not [f for f in result.findings if f.status is Status.FAIL]
    users = result.of("live-google-user-missing")
    assert users
    assert {f.status for f in users} == {Status.UNKNOWN}
    assert all("--timeout budget of 2 s" in f.message for f in users), users
    section = result.fetched.snapshot.google["acme"]
    # Service Usage is not batched: it was read before the budget ran out.
    assert section.services

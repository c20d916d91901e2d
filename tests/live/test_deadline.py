"""The overall ``--timeout`` budget: a hanging service never keeps a run past its budget by more
than one request timeout; what was not read by then is ``unknown`` and the run exits 3. Retries
are jittered so that requests failed together do not retry in lockstep."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from mailoauth_cfg.findings import Status
from mailoauth_cfg.live.options import FetchOptions
from tests.emulators.microsoft import Fault, MicrosoftEmulator
from tests.live.conftest import FAST, Cli, Live

REQUEST_TIMEOUT = 1.0
BUDGET = 2.0
#: Four attempts of a hanging read would cost 4 x 1 s plus backoff without the budget.
HANGING = replace(FAST, timeout=REQUEST_TIMEOUT, max_attempts=4, deadline=BUDGET)
SLACK = 0.75
"""Start-up and rule time on a loaded 2-core machine, on top of the promised bound."""


def test_a_hanging_graph_read_ends_at_the_budget(
    tenant: MicrosoftEmulator, live: Callable[..., Live]
) -> None:
    tenant.faults.add(Fault(route="users", kind="timeout", seconds=30))
    started = time.monotonic()
    result = live(options=HANGING)
    assert time.monotonic() - started < BUDGET + REQUEST_TIMEOUT + SLACK
    users = [f for f in result.findings if f.rule == "live-ms-user-missing"]
    assert users
    assert {f.status for f in users} == {Status.UNKNOWN}
    assert any("--timeout budget of 2 s" in f.message for f in users), users
    assert not [f for f in result.findings if f.status is Status.FAIL]
    # What did answer is still checked: Exchange Online was read in the meantime.
    section = result.fetched.snapshot.microsoft["contoso"]
    assert section.transport_config is not None
    assert result.of("live-ms-smtp-auth-drift") == []


def test_a_hanging_exchange_ends_the_run_promptly_with_exit_3(
    tenant: MicrosoftEmulator, write_config: Callable[..., Path], cli: Callable[..., Cli]
) -> None:
    tenant.faults.add(Fault(route="exchange:*", kind="timeout", seconds=30))
    started = time.monotonic()
    result = cli(
        "validate",
        str(write_config()),
        "--online",
        "--timeout",
        str(BUDGET),
        "--as-of",
        "2026-06-01",
        "-f",
        "json",
        env={
            **tenant.environment(),
            "MAILOAUTH_CFG_LIVE_TIMEOUT": str(REQUEST_TIMEOUT),
            "MAILOAUTH_CFG_LIVE_MAX_ATTEMPTS": "4",
        },
    )
    assert time.monotonic() - started < BUDGET + REQUEST_TIMEOUT + SLACK
    assert result.code == 3
    findings = result.json()["findings"]
    assert not [f for f in findings if f["status"] == "fail"]
    smtp = [f for f in findings if f["rule"] == "live-ms-smtp-auth-disabled"]
    assert smtp
    assert all(f["status"] == "unknown" for f in smtp)
    assert all("--timeout" in f["fix"] for f in smtp)


def test_no_retry_is_started_past_the_budget(
    tenant: MicrosoftEmulator, live: Callable[..., Live]
) -> None:
    # Throttled for 1.5 s each time: the first retry fits in a 1 s budget only if it is not
    # started; the read gives up at once instead of waiting past the budget.
    tenant.faults.add(Fault(route="users", status=429, retry_after=1.5, scope="item"))
    started = time.monotonic()
    result = live(options=replace(FAST, deadline=1.0))
    assert time.monotonic() - started < 1.0 + SLACK
    users = [f for f in result.findings if f.rule == "live-ms-user-missing"]
    assert users
    assert all("a retry would pass the --timeout budget of 1 s" in f.message for f in users)


def test_timeout_option_is_validated(
    write_config: Callable[..., Path], cli: Callable[..., Cli]
) -> None:
    config = str(write_config())
    assert cli("validate", config, "--timeout", "5").code == 2  # needs --online
    assert cli("validate", config, "--online", "--timeout", "-1").code == 2


def test_retry_delays_are_jittered() -> None:
    options = FetchOptions(backoff=1.0, jitter=0.5)
    assert options.retry_delay(1, None, lambda: 0.0) == pytest.approx(1.0)
    assert options.retry_delay(1, None, lambda: 0.999) == pytest.approx(0.5, abs=0.01)
    assert options.retry_delay(2, None, lambda: 0.0) == pytest.approx(2.0)
    # A server's Retry-After is never shortened, and lengthened by at most half a second.
    assert options.retry_delay(1, 2.0, lambda: 0.0) == pytest.approx(2.0)
    assert options.retry_delay(1, 2.0, lambda: 0.999) == pytest.approx(2.5, abs=0.01)
    # Eight requests throttled together wait eight different times.
    draw = random.Random(17).random  # noqa: S311 - timing jitter, not a secret
    assert len({options.retry_delay(1, 1.0, draw) for _ in range(8)}) == 8
    assert len({options.retry_delay(2, None, draw) for _ in range(8)}) == 8
    assert FetchOptions(jitter=0.0).retry_delay(1, None) == pytest.approx(1.0)

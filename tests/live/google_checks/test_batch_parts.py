"""Per-part faults inside Graph's JSON ``$batch`` and Google's multipart ``/batch``: an item
throttled, refused, malformed or left out of the response is retried within the budget, and
one that never comes back is ``unknown``, never ``fail``."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from mailoauth_cfg.findings import Status
from tests.emulators.google import GoogleEmulator
from tests.emulators.microsoft import Fault, MicrosoftEmulator
from tests.live.conftest import Live
from tests.live.google_checks.conftest import quiet


def test_graph_item_left_out_once_is_retried(
    tenant: MicrosoftEmulator, live: Callable[..., Live]
) -> None:
    tenant.faults.add(Fault(route="users", kind="missing", scope="item", times=1))
    result = live()
    assert result.findings == []
    assert result.fetched.stats["contoso"].retries >= 1


def test_graph_item_never_answered_is_unknown(
    tenant: MicrosoftEmulator, live: Callable[..., Live]
) -> None:
    tenant.faults.add(Fault(route="users", kind="missing", scope="item"))
    result = live()
    users = result.of("live-ms-user-missing")
    assert users
    assert {f.status for f in users} == {Status.UNKNOWN}
    assert all("missing from the $batch response" in f.message for f in users)
    assert not [f for f in result.findings if f.status is Status.FAIL]


@pytest.mark.parametrize(
    "fault",
    [
        Fault(route="directory:users.get", kind="missing", scope="item", times=1),
        Fault(route="gmail:getImap", kind="malformed", scope="item", times=1),
        Fault(route="directory:tokens.list", status=503, scope="item", times=2),
    ],
    ids=["part-left-out", "part-malformed", "part-503"],
)
def test_google_part_fault_once_is_retried(
    fault: Fault, google: GoogleEmulator, google_live: Callable[..., Live]
) -> None:
    google.faults.add(fault)
    result = google_live(quiet)
    assert result.findings == []
    assert result.fetched.stats["acme"].retries >= 1


def test_google_part_never_answered_is_unknown(
    google: GoogleEmulator, google_live: Callable[..., Live]
) -> None:
    google.faults.add(Fault(route="directory:users.get", kind="missing", scope="item"))
    result = google_live(quiet)
    users = result.of("live-google-user-missing")
    assert users
    assert {f.status for f in users} == {Status.UNKNOWN}
    assert not [f for f in result.findings if f.status is Status.FAIL]

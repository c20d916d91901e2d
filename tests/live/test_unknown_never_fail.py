"""A live result that depended on a fact that could not be read is ``unknown``, never ``fail``:
transient outages of single objects, malformed batch bodies and stale snapshots never turn a
healthy tenant into errors (exit 3, not 1)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mailoauth_cfg.findings import Status
from tests.emulators.microsoft import Fault, MicrosoftEmulator
from tests.live.conftest import Cli, Live

SERVICE_PRINCIPAL_OUTAGE = [
    # The app's enterprise application (Graph) and its Exchange registration both fail: the
    # mailbox grants name the service principal by its object ID, which only they give.
    Fault(route="servicePrincipals", status=503, scope="item"),
    Fault(route="exchange:Get-ServicePrincipal", status=503),
]


def test_unreadable_service_principal_makes_mailbox_grants_unknown(
    tenant: MicrosoftEmulator, live: Callable[..., Live]
) -> None:
    for fault in SERVICE_PRINCIPAL_OUTAGE:
        tenant.faults.add(fault)
    result = live()
    grants = result.of("live-ms-mailbox-permission-missing")
    assert grants, result.findings
    assert {f.status for f in grants} == {Status.UNKNOWN}
    assert not [f for f in result.findings if f.status is Status.FAIL], result.findings
    message = grants[0].message
    assert "could not check app daemon-mail" in message
    assert "HTTP 503" in message
    # A transient fault is not blamed on the checker's permissions.
    assert "permissions" not in grants[0].fix
    assert "run `validate --online` again" in grants[0].fix


@pytest.mark.parametrize(
    "faults",
    [
        [{"route": "batch", "kind": "malformed", "scope": "request"}],
        [{"route": "servicePrincipals", "kind": "malformed", "scope": "item"}],
        [
            {"route": "users", "status": 503, "scope": "item"},
            {"route": "exchange:*", "status": 504},
        ],
    ],
    ids=["malformed-batch", "malformed-item", "users-and-exchange-down"],
)
def test_healthy_tenant_with_faults_exits_3_never_1(
    faults: list[dict[str, Any]],
    tenant: MicrosoftEmulator,
    write_config: Callable[..., Path],
    cli: Callable[..., Cli],
) -> None:
    for fault in faults:
        tenant.faults.add(Fault.from_dict(fault))
    result = cli(
        "validate",
        str(write_config()),
        "--online",
        "--as-of",
        "2026-06-01",
        "-f",
        "json",
        env=tenant.environment(),
    )
    findings = result.json()["findings"]
    assert [f for f in findings if f["status"] == "fail"] == []
    assert any(f["status"] == "unknown" for f in findings)
    assert result.code == 3

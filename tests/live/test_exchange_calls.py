"""Exchange Online binds cmdlet parameters strictly: every call the checker sends must use the
cmdlet's documented parameters only, or the whole call fails with ParameterBindingException."""

from __future__ import annotations

import asyncio
import json
import ssl
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from mailoauth_cfg.errors import UnknownCmdletParameter
from mailoauth_cfg.findings import Status
from mailoauth_cfg.live._http import Stats, Transport
from mailoauth_cfg.live.microsoft.cmdlets import CMDLET_PARAMETERS, check_call
from mailoauth_cfg.live.microsoft.errors import error_text
from mailoauth_cfg.live.microsoft.exchange import ExchangeClient
from tests.emulators.microsoft import MicrosoftEmulator
from tests.emulators.microsoft.exchange import SYNTAX
from tests.live.conftest import FAST, Cli, Live

DAEMON = "5e8f0a12-3b4c-4d5e-8f9a-0b1c2d3e4f5a"
DAEMON_REGISTRATION_OBJECT = "a3c4d5e6-f708-4b92-8314-c5d6e7f8091a"


def invoke(tenant: MicrosoftEmulator, cmdlet: str, parameters: dict[str, Any]) -> httpx.Response:
    """One raw InvokeCommand call, as any client would send it."""
    token = httpx.post(
        f"{tenant.base}/{tenant.scenario.tenant}/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": tenant.scenario.clients[0]["client_id"],
            "client_secret": tenant.scenario.clients[0]["secret"],
            "scope": "https://outlook.office365.com/.default",
        },
        verify=ssl.create_default_context(cafile=tenant.ca_file),
    ).json()["access_token"]
    return httpx.post(
        f"{tenant.base}/adminapi/beta/{tenant.scenario.tenant}/InvokeCommand",
        json={"CmdletInput": {"CmdletName": cmdlet, "Parameters": parameters}},
        headers={"Authorization": f"Bearer {token}"},
        verify=ssl.create_default_context(cafile=tenant.ca_file),
    )


def test_exchange_refuses_a_parameter_the_cmdlet_does_not_have(tenant: MicrosoftEmulator) -> None:
    answer = invoke(tenant, "Get-ServicePrincipal", {"ResultSize": "Unlimited"})
    assert answer.status_code == 400
    body = answer.json()
    assert "ParameterBindingException" in json.dumps(body)
    assert "ResultSize" in error_text(answer.status_code, body)
    # PowerShell binding: case-insensitive names and unambiguous prefixes are accepted.
    assert invoke(tenant, "Get-ServicePrincipal", {"identity": DAEMON}).status_code == 200
    assert invoke(tenant, "Get-Mailbox", {"Ident": "erp@contoso.com"}).status_code == 200
    assert invoke(tenant, "Get-CASMailbox", {"Re": "x"}).status_code == 400  # ambiguous


def test_the_checker_refuses_such_a_call_before_sending_it(tenant: MicrosoftEmulator) -> None:
    with pytest.raises(UnknownCmdletParameter, match=r"-ResultSize is not a parameter"):
        check_call("Get-ServicePrincipal", {"ResultSize": "Unlimited"})
    check_call("Get-ServicePrincipal", {"Identity": DAEMON})

    async def call() -> None:
        context = ssl.create_default_context(cafile=tenant.ca_file)
        async with httpx.AsyncClient(verify=context) as http:
            client = ExchangeClient(
                Transport(
                    http, FAST, concurrency=1, stats=Stats(), service="x", error_text=error_text
                ),
                f"{tenant.base}/adminapi/beta/{tenant.scenario.tenant}",
                lambda: asyncio.sleep(0, result="token"),
                anchor="APP:x",
                options=FAST,
            )
            await client.invoke("Get-ServicePrincipal", {"ResultSize": "Unlimited"})

    tenant.stats.reset()
    with pytest.raises(UnknownCmdletParameter):
        asyncio.run(call())
    assert tenant.stats.total == 0  # nothing was sent


def test_the_checker_and_the_emulator_agree_on_the_documented_parameters() -> None:
    for cmdlet, parameters in CMDLET_PARAMETERS.items():
        assert cmdlet in SYNTAX
        assert set(SYNTAX[cmdlet]) <= parameters, cmdlet


def test_a_correct_tenant_is_read_without_a_refused_call(
    tenant: MicrosoftEmulator, live: Callable[..., Live]
) -> None:
    result = live()
    assert tenant.exchange.refused == []
    assert result.findings == []
    section = result.fetched.snapshot.microsoft["contoso"]
    assert section.exchange_service_principals[DAEMON] is not None


def test_exchange_registration_with_the_registration_object_id_is_an_error(
    tenant: MicrosoftEmulator, write_config: Callable[..., Path], cli: Callable[..., Cli]
) -> None:
    tenant.scenario.exchange["servicePrincipals"][0]["ObjectId"] = DAEMON_REGISTRATION_OBJECT
    args = ("validate", str(write_config()), "--online", "--as-of", "2026-06-01", "-f", "json")
    result = cli(*args, env=tenant.environment())
    findings = result.json()["findings"]
    found = [f for f in findings if f["rule"] == "live-ms-exchange-service-principal"]
    assert [f["status"] for f in found] == [Status.FAIL.value]
    assert "the app registration's object ID" in found[0]["message"]
    assert "Remove-ServicePrincipal" in found[0]["fix"]
    assert "New-ServicePrincipal -AppId 5e8f0a12" in found[0]["fix"]
    assert result.code == 1
    # Put right, the same tenant exits 0.
    tenant.scenario.exchange["servicePrincipals"][0]["ObjectId"] = (
        "7d8e9f0a-1b23-4c4d-8e5f-6a7b8c9d0e1f"
    )
    assert cli(*args, env=tenant.environment()).code == 0

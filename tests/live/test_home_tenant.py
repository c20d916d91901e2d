"""A multi-tenant app signed in through ``common``: the registration's home tenant is modelled
apart from the tenant the targets sign in to, and the live checks read each where it lives."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mailoauth_cfg.findings import Status
from tests.emulators.microsoft import MicrosoftEmulator, Scenario
from tests.live.conftest import Cli, Live

ERP = "1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b"
ISV_TENANT = "8f3a1c2b-4d5e-4f60-9a7b-1c2d3e4f5a6b"


def through_common(data: dict[str, Any]) -> None:
    """The provider signs in through /common/; erp-mail is a multi-tenant registration of the
    mailboxes' own tenant."""
    tenant = data["providers"]["contoso"]["tenant"]
    data["providers"]["contoso"]["tenant"] = "common"
    data["apps"]["erp-mail"]["audience"] = "multi-tenant"
    data["apps"]["erp-mail"]["home_tenant"] = tenant
    for name in ("relay-mail", "daemon-mail"):
        del data["apps"][name]
    for name in ("relay", "scanner-proxy"):
        del data["targets"][name]
    data["users"] = [u for u in data["users"] if u["email"] == "erp@contoso.com"]


def test_common_provider_is_read_in_the_home_tenant(
    scenario: Scenario, live: Callable[..., Live]
) -> None:
    scenario.application(ERP)["signInAudience"] = "AzureADMultipleOrgs"
    result = live(through_common)
    assert not [f for f in result.findings if f.rule == "live-check-incomplete"], result.findings
    assert result.findings == []
    section = result.fetched.snapshot.microsoft["contoso"]
    assert section.tenant == scenario.tenant
    assert section.applications[ERP] is not None


def test_common_provider_without_a_home_tenant_says_what_to_set(
    live: Callable[..., Live],
) -> None:
    def no_home(data: dict[str, Any]) -> None:
        through_common(data)
        del data["apps"]["erp-mail"]["home_tenant"]

    [found] = live(no_home).findings
    assert found.rule == "live-check-incomplete"
    assert found.status is Status.UNKNOWN
    assert "set apps.<name>.home_tenant" in found.message


def test_registration_of_another_organisation_is_read_in_its_home_tenant(
    scenario: Scenario, live: Callable[..., Live]
) -> None:
    # An ISV's multi-tenant app: registered in the ISV's tenant, consented in ours.
    registration = copy.deepcopy(scenario.application(ERP))
    registration["signInAudience"] = "AzureADMultipleOrgs"
    scenario.graph["applications"] = [
        a for a in scenario.graph["applications"] if a["appId"] != ERP
    ]
    scenario.home_tenants[ISV_TENANT] = [registration]

    def isv(data: dict[str, Any]) -> None:
        data["apps"]["erp-mail"]["audience"] = "multi-tenant"
        data["apps"]["erp-mail"]["home_tenant"] = ISV_TENANT

    result = live(isv)
    assert result.findings == []
    section = result.fetched.snapshot.microsoft["contoso"]
    assert section.tenant == scenario.tenant
    assert section.applications[ERP] is not None
    assert section.service_principals[ERP] is not None  # read in the provider's tenant


def test_home_tenant_must_be_a_directory(
    write_config: Callable[..., Path], cli: Callable[..., Cli], tenant: MicrosoftEmulator
) -> None:
    def keyword(data: dict[str, Any]) -> None:
        data["apps"]["erp-mail"]["home_tenant"] = "organizations"

    result = cli("validate", str(write_config(keyword)), "-f", "json")
    assert result.code == 1
    assert any("home_tenant" in f["location"]["path"] for f in result.json()["findings"])

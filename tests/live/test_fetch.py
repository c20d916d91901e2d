"""How the fetcher reads: batching, filtered user reads, Exchange listings and paging (same facts
whatever the strategy, with the request counts the design promises), and credential sources."""

from __future__ import annotations

import math
import shutil
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from mailoauth_cfg.errors import LiveCredentialError
from mailoauth_cfg.live.microsoft.credentials import connection, make_credential
from mailoauth_cfg.live.options import NEVER, FetchOptions
from mailoauth_cfg.live.run import fetch_snapshot
from mailoauth_cfg.model import MicrosoftProvider
from mailoauth_cfg.validation import validate_file
from tests.emulators.microsoft import MicrosoftEmulator, Scenario, Tls
from tests.emulators.microsoft.synthetic import scaled
from tests.live.conftest import AS_OF, FAST, Live

TENANT = "6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d"


def facts(result: Live | Any) -> dict[str, Any]:
    snapshot = result.fetched.snapshot if isinstance(result, Live) else result.snapshot
    data = snapshot.microsoft["contoso"].model_dump(exclude={"taken_at"})
    assert data["unavailable"] == {}
    return dict(data)


def run_scaled(
    tls: Tls, tmp_path: Path, mailboxes: int, options: FetchOptions, **kw: Any
) -> tuple[Any, MicrosoftEmulator]:
    scenario, config = scaled(mailboxes, **kw.pop("scale", {}))
    for change in kw.pop("changes", []):
        change(scenario)
    emulator = MicrosoftEmulator(scenario, tls).start()
    try:
        config["providers"]["contoso"].update(emulator.provider())
        path = tmp_path / "mailoauth.yaml"
        path.write_text(yaml.safe_dump(config), encoding="utf-8")
        validated = validate_file(path, as_of=AS_OF)
        assert validated.config is not None
        fetched = fetch_snapshot(validated.config, options=options, environ=emulator.environment())
    finally:
        emulator.stop()
    return fetched, emulator


def test_strategies_read_the_same_facts(tls: Tls, tmp_path: Path) -> None:
    batched, _ = run_scaled(tls, tmp_path, 30, FAST)  # filtered users, Exchange listings
    per_object, _ = run_scaled(
        tls,
        tmp_path,
        30,
        replace(FAST, user_filter_threshold=NEVER, exchange_listing_threshold=NEVER),
    )
    naive, emulator = run_scaled(tls, tmp_path, 30, FetchOptions.naive(**vars_of(FAST)))
    assert facts(batched) == facts(per_object) == facts(naive)
    assert emulator.stats.requests["batch"] == 0
    assert emulator.stats.requests["users"] == 33
    assert emulator.stats.requests["exchange:Get-CASMailbox"] == 33


def vars_of(options: FetchOptions) -> dict[str, Any]:
    keep = ("timeout", "backoff", "max_backoff", "max_attempts", "max_retry_after")
    return {k: getattr(options, k) for k in keep}


def test_request_counts_follow_the_batch_arithmetic(tls: Tls, tmp_path: Path) -> None:
    fetched, emulator = run_scaled(tls, tmp_path, 300, FAST)
    items = sum(emulator.stats.items.values())
    batches = emulator.stats.requests["batch"]
    assert batches <= math.ceil(items / 20) + 3
    users = 303
    # Users come 15 per filtered read; each has one mailbox settings read.
    assert emulator.stats.items["users:list"] == math.ceil(users / 15)
    assert emulator.stats.items["mailboxSettings"] == users
    assert emulator.stats.requests["exchange:Get-CASMailbox"] == 1
    assert emulator.stats.requests["exchange:Get-Mailbox"] == 1
    assert emulator.stats.requests["token"] == 2
    stats = fetched.stats["contoso"]
    assert stats.requests == emulator.stats.total - 2  # the tokens are azure-identity's
    assert stats.retries == 0
    assert len(fetched.snapshot.microsoft["contoso"].users) == users


def test_exchange_listing_follows_next_links(tls: Tls, tmp_path: Path) -> None:
    def small_pages(s: Scenario) -> None:
        s.exchange_page_size = 7

    fetched, emulator = run_scaled(
        tls, tmp_path, 30, FAST, scale={"unnamed": 20}, changes=[small_pages]
    )
    assert emulator.stats.requests["exchange:Get-CASMailbox"] == math.ceil(53 / 7)
    tenant = fetched.snapshot.microsoft["contoso"]
    assert len(tenant.cas_mailboxes) == 33
    assert all(v is not None for v in tenant.cas_mailboxes.values())


def test_graph_collections_follow_next_links(scenario: Scenario, live: Callable[..., Live]) -> None:
    erp_sp = "5b6c7d8e-9f01-4a2b-8c3d-4e5f6a7b8c9d"
    for i in range(130):
        scenario.graph["oauth2PermissionGrants"].insert(
            0,
            {
                "id": f"grant{i}",
                "clientId": erp_sp,
                "consentType": "AllPrincipals",
                "principalId": None,
                "resourceId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"r{i}")),
                "scope": "Other.Read",
            },
        )
    result = live()
    assert result.findings == []
    # 130 + the tenant-wide grant + the per-user grant of the baseline
    assert len(result.fetched.snapshot.microsoft["contoso"].grants[erp_sp]) == 132


# --- credentials -----------------------------------------------------------------------------


def test_certificate_credential(
    scenario: Scenario, tls: Tls, live: Callable[..., Live], tmp_path: Path
) -> None:
    client_id = "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f"
    scenario.clients.append({"client_id": client_id, "assertion": True})
    pem = tmp_path / "checker.pem"
    import trustme

    # azure-identity signs client assertions with RS256: an RSA key.
    leaf = tls.ca.issue_cert("checker.contoso.com", key_type=trustme.KeyType.RSA)
    leaf.private_key_and_cert_chain_pem.write_to_path(str(pem))
    env = {"AZURE_CLIENT_ID": client_id, "AZURE_CLIENT_CERTIFICATE_PATH": str(pem)}
    assert live(env=env).findings == []


def test_workload_identity_federation(
    scenario: Scenario, live: Callable[..., Live], tmp_path: Path
) -> None:
    token_file = tmp_path / "federated-token"
    # A CI OIDC token (GitHub Actions shape); the emulator trusts it for this client.
    token_file.write_text(
        "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9."
        "eyJzdWIiOiJyZXBvOmNvbnRvc28vbWFpbDpyZWY6cmVmcy9oZWFkcy9tYWluIiwiYXVkIjoiYXBpOi8vQXp1cmVBRFRva2VuRXhjaGFuZ2UifQ."
        "c2lnbmF0dXJl",
        encoding="utf-8",
    )
    env = {
        "AZURE_CLIENT_ID": scenario.clients[1]["client_id"],
        "AZURE_FEDERATED_TOKEN_FILE": str(token_file),
    }
    assert live(env=env).findings == []
    assert live(env=env, credential="workload-identity").findings == []


@pytest.mark.skipif(shutil.which("az") is not None, reason="an Azure CLI is installed")
def test_azure_cli_missing_is_an_incomplete_provider(live: Callable[..., Live]) -> None:
    result = live(env={}, credential="azure-cli")
    (finding,) = result.findings
    assert finding.rule == "live-check-incomplete"
    assert "Azure CLI" in finding.message


def test_environment_credential_without_variables(live: Callable[..., Live]) -> None:
    (finding,) = live(env={}, credential="environment").findings
    assert finding.rule == "live-check-incomplete"
    assert "needs AZURE_CLIENT_ID and AZURE_CLIENT_SECRET" in finding.message


def test_connection_endpoints_and_scopes(tmp_path: Path) -> None:
    provider = MicrosoftProvider(
        type="microsoft",
        tenant=TENANT,
        cloud="usgov",
        endpoints={"graph": "graph-proxy.contoso.net:8443", "login": "https://login.proxy"},
        ca_bundle="certs/proxy.pem",
    )
    conn = connection(provider, root=tmp_path)
    assert conn.graph_base == "https://graph-proxy.contoso.net:8443/v1.0"
    assert conn.graph_scope == "https://graph.microsoft.us/.default"
    assert conn.exchange_base == f"https://outlook.office365.us/adminapi/beta/{TENANT}"
    assert conn.exchange_scope == "https://outlook.office365.us/.default"
    assert (conn.authority, conn.custom_authority) == ("https://login.proxy", True)
    assert conn.ca_bundle == str(tmp_path / "certs/proxy.pem")
    assert connection(provider, ca_bundle="/etc/cli.pem").ca_bundle == "/etc/cli.pem"
    plain = connection(MicrosoftProvider(type="microsoft", tenant=TENANT))
    assert (plain.authority, plain.custom_authority) == ("login.microsoftonline.com", False)
    assert plain.graph_base == "https://graph.microsoft.com/v1.0"
    assert plain.anchor_mailbox.startswith("APP:SystemMailbox{bb558c35-")


def test_keyword_tenant_cannot_be_read() -> None:
    conn = connection(MicrosoftProvider(type="microsoft", tenant="organizations"))
    with pytest.raises(LiveCredentialError, match="keyword"):
        make_credential(conn, "auto", {})


def test_unusable_certificate_is_an_incomplete_provider(
    tls: Tls, live: Callable[..., Live], tmp_path: Path
) -> None:
    pem = tmp_path / "ec.pem"  # azure-identity signs with RS256 and refuses an EC key
    tls.ca.issue_cert("checker.contoso.com").private_key_and_cert_chain_pem.write_to_path(str(pem))
    env = {"AZURE_CLIENT_ID": "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f"}
    (finding,) = live(env={**env, "AZURE_CLIENT_CERTIFICATE_PATH": str(pem)}).findings
    assert finding.rule == "live-check-incomplete"
    assert "RSA private key" in finding.message


def test_progress_line_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from mailoauth_cfg.cli import live as cli_live

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    err = Tty()
    monkeypatch.setattr(cli_live.sys, "stderr", err)
    show = cli_live._progress()
    assert show is not None
    show("contoso", 0, 40)
    show("contoso", 40, 40)
    assert "reading contoso: 0/40" in err.getvalue()
    assert err.getvalue().endswith("\r\x1b[2K")
    monkeypatch.setattr(cli_live.sys, "stderr", io.StringIO())
    assert cli_live._progress() is None

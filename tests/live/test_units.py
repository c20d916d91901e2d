"""The pure parts of the live checks, without a tenant: snapshot lookups, the SMTP AUTH decision
path, retry arithmetic, the offline side of live rule settings, the permissions command."""

from __future__ import annotations

import datetime as dt
import email.utils
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mailoauth_cfg.cli import app
from mailoauth_cfg.live._retry import parse_retry_after
from mailoauth_cfg.live.microsoft.errors import error_text
from mailoauth_cfg.live.microsoft.exchange import ExchangeClient
from mailoauth_cfg.live.microsoft.needs import app_mailbox_rights, microsoft_needs, user_protocols
from mailoauth_cfg.live.options import FetchOptions
from mailoauth_cfg.live.rules import LIVE_RULES, rule_infos
from mailoauth_cfg.live.rules._user_common import mailbox_kind
from mailoauth_cfg.live.rules.live_ms_smtp_auth_disabled import effective
from mailoauth_cfg.live.snapshot import (
    NOT_FETCHED,
    CasMailbox,
    Mailbox,
    MailboxSettings,
    MicrosoftTenant,
    TransportConfig,
    Unknown,
)
from mailoauth_cfg.validation import validate_file

TENANT = "6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d"
CONFIG = Path(__file__).resolve().parent / "config.yaml"


def tenant(**facts: object) -> MicrosoftTenant:
    return MicrosoftTenant(tenant=TENANT, **facts)  # type: ignore[arg-type]


# --- snapshot lookups ----------------------------------------------------------------------------


def test_three_states_and_reasons() -> None:
    t = tenant(
        users={"a@contoso.com": None},
        unavailable={"users:b@contoso.com": "HTTP 403", "exchange": "no token"},
    )
    assert t.user("A@Contoso.com") is None
    assert t.user("b@contoso.com") == Unknown("HTTP 403")
    assert t.user("c@contoso.com") == Unknown(NOT_FETCHED)
    assert t.cas_mailbox("a@contoso.com") == Unknown("no token")
    assert t.transport() == Unknown("no token")
    failed = tenant(unavailable={"*": "credentials: nope", "users": "x"})
    assert failed.failed == "credentials: nope"
    assert failed.user("a@contoso.com") == Unknown("x")


# --- effective SMTP AUTH ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mailbox", "org", "enabled", "path"),
    [
        (True, False, False, "mailbox SmtpClientAuthenticationDisabled is $true, which overrides"),
        (False, True, True, "is $false, which overrides the organisation"),
        (
            None,
            True,
            False,
            "$null (inherit) → organisation Get-TransportConfig "
            "SmtpClientAuthenticationDisabled is $true",
        ),
        (None, False, True, "is $false"),
    ],
)
def test_effective_smtp_auth(mailbox: bool | None, org: bool, enabled: bool, path: str) -> None:
    t = tenant(
        cas_mailboxes={"a@contoso.com": CasMailbox(smtp_client_authentication_disabled=mailbox)},
        transport_config=TransportConfig(smtp_client_authentication_disabled=org),
    )
    result = effective(t, "a@contoso.com")
    assert isinstance(result, tuple)
    assert result[0] is enabled
    assert path in result[1]


def test_effective_smtp_auth_unknowns() -> None:
    inherit = {"a@contoso.com": CasMailbox(smtp_client_authentication_disabled=None)}
    result = effective(
        tenant(cas_mailboxes=inherit, unavailable={"transport_config": "503"}), "a@contoso.com"
    )
    assert isinstance(result, Unknown)
    assert "(inherit), and Get-TransportConfig: 503" in result.reason
    # A mailbox value decides alone: the organisation's is not needed.
    explicit = {"a@contoso.com": CasMailbox(smtp_client_authentication_disabled=False)}
    assert effective(
        tenant(cas_mailboxes=explicit, unavailable={"transport_config": "503"}), "a@contoso.com"
    ) == (
        True,
        "mailbox SmtpClientAuthenticationDisabled is $false, which overrides the organisation",
    )
    assert effective(tenant(cas_mailboxes={"a@contoso.com": None}), "a@contoso.com") is None
    assert isinstance(effective(tenant(), "a@contoso.com"), Unknown)


def test_mailbox_kind_falls_back_to_graph() -> None:
    shared = MailboxSettings(user_purpose="shared")
    t = tenant(mailbox_settings={"a@contoso.com": shared}, unavailable={"mailboxes": "403"})
    assert mailbox_kind(t, "a@contoso.com") == "shared"
    t = tenant(mailboxes={"a@contoso.com": Mailbox(recipient_type_details="RoomMailbox")})
    assert mailbox_kind(t, "a@contoso.com") == "RoomMailbox"
    both = mailbox_kind(
        tenant(unavailable={"mailboxes": "403", "mailbox_settings": "503"}), "a@contoso.com"
    )
    assert both == Unknown("403; 503")


# --- HTTP helpers -----------------------------------------------------------------------------


def test_retry_after_forms() -> None:
    assert parse_retry_after("5") == 5.0
    assert parse_retry_after("0.25") == 0.25
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30)
    seconds = parse_retry_after(email.utils.format_datetime(later, usegmt=True))
    assert seconds is not None
    assert 25 < seconds <= 30


def test_retry_budget() -> None:
    options = FetchOptions(
        max_attempts=3, backoff=0.5, max_backoff=0.8, max_retry_after=10, jitter=0.0
    )
    assert options.retry_delay(1, None) == 0.5
    assert options.retry_delay(2, None) == 0.8
    assert options.retry_delay(3, None) is None
    assert options.retry_delay(1, 4.0) == 4.0
    assert options.retry_delay(1, 11.0) is None
    with pytest.raises(ValueError, match="must not be negative"):
        FetchOptions.from_env({"MAILOAUTH_CFG_LIVE_BACKOFF": "-1"})
    assert (
        FetchOptions.from_env({"MAILOAUTH_CFG_LIVE_GRAPH_CONCURRENCY": "3"}).graph_concurrency == 3
    )
    naive = FetchOptions.naive()
    assert (naive.batch_size, naive.user_filter_threshold > 10**9) == (1, True)


def test_error_text_shapes() -> None:
    graph = {"error": {"code": "Authorization_RequestDenied", "message": "Insufficient privileges"}}
    assert error_text(403, graph) == "HTTP 403 Authorization_RequestDenied: Insufficient privileges"
    exo = {"error": {"code": "x", "innererror": {"internalException": {"message": "boom"}}}}
    assert error_text(500, exo) == "HTTP 500 x: boom"
    assert error_text(502, None) == "HTTP 502"


def test_exchange_next_link_stays_on_the_configured_host() -> None:
    client = ExchangeClient(
        None,  # type: ignore[arg-type]
        "https://proxy.contoso.net:8443/adminapi/beta/t",
        lambda: None,  # type: ignore[arg-type,return-value]
        anchor="a",
        options=FetchOptions(),
    )
    link = client._same_host("https://evil.example/adminapi/beta/t/InvokeCommand?$skiptoken=5")
    assert link == "https://proxy.contoso.net:8443/adminapi/beta/t/InvokeCommand?$skiptoken=5"


# --- what the config asks for -----------------------------------------------------------------


def test_needs_follow_the_config() -> None:
    validated = validate_file(CONFIG, as_of=dt.date(2026, 6, 1))
    assert validated.config is not None
    config = validated.config
    assert user_protocols(config, "erp@contoso.com") == {"smtp", "imap"}
    assert app_mailbox_rights(config, "daemon-mail") == {
        "scanner@contoso.com": {"FullAccess", "SendAs"}
    }
    assert app_mailbox_rights(config, "erp-mail") == {}
    need = microsoft_needs(config)["contoso"]
    assert need.users == ("erp@contoso.com", "noreply@contoso.com", "scanner@contoso.com")
    assert [a.client_id for a in need.app_only] == ["5e8f0a12-3b4c-4d5e-8f9a-0b1c2d3e4f5a"]
    assert need.needs_exchange


# --- live rules in the offline world ----------------------------------------------------------


def test_live_rule_settings_are_validated_offline(tmp_path: Path) -> None:
    text = CONFIG.read_text(encoding="utf-8") + (
        "rules:\n"
        "  live-ms-secret-expiry: {options: {lead_days: 9999}}\n"
        '  live-ms-user-missing: {severity: "off"}\n'
    )
    path = tmp_path / "mailoauth.yaml"
    path.write_text(text, encoding="utf-8")
    findings = validate_file(path, as_of=dt.date(2026, 6, 1)).findings
    assert [(f.rule, f.location.path) for f in findings] == [
        ("rule-settings-invalid", "rules.live-ms-secret-expiry.options.lead_days")
    ]


def test_every_live_rule_is_documented() -> None:
    infos = rule_infos()
    assert set(infos) == {r.id for r in LIVE_RULES} | {"live-check-incomplete"}
    for rule in LIVE_RULES:
        assert rule.id.startswith(("live-ms-", "live-google-"))
        assert "**What.**" in rule.doc
        assert "**Why.**" in rule.doc
        assert "**Fix.**" in rule.doc
    result = CliRunner().invoke(app, ["explain", "live-ms-smtp-auth-disabled"])
    assert result.exit_code == 0
    assert "overrides the tenant-wide one" in result.output


def test_permissions_command() -> None:
    result = CliRunner().invoke(app, ["permissions"])
    assert result.exit_code == 0
    for needed in (
        "Application.Read.All",
        "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30",
        "DelegatedPermissionGrant.Read.All",
        "Policy.Read.All",
        "246dd0d5-5bd0-4def-940b-0421030a5b68",
        "User.Read.All",
        "MailboxSettings.Read",
        "Exchange.ManageAsApp",
        "Global Reader",
        "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
        "az ad app permission admin-consent",
        "AZURE_FEDERATED_TOKEN_FILE",
    ):
        assert needed in result.output

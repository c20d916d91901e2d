"""Microsoft catalog: clouds, endpoint URLs, permissions and lookups."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from mailoauth_cfg.catalog import microsoft as ms

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
TENANT = "6d0c4d43-1111-2222-3333-444455556666"


# --- constants --------------------------------------------------------------------------------


def test_resource_app_ids() -> None:
    assert ms.GRAPH_APP_ID == "00000003-0000-0000-c000-000000000000"
    assert ms.EXCHANGE_APP_ID == "00000002-0000-0ff1-ce00-000000000000"
    assert ms.RESOURCE_APP_IDS == {"graph": ms.GRAPH_APP_ID, "exchange": ms.EXCHANGE_APP_ID}


def test_scope_constants() -> None:
    assert ms.EXCHANGE_APP_ONLY_SCOPE == "https://outlook.office365.com/.default"
    assert ms.GRAPH_DEFAULT_SCOPE == "https://graph.microsoft.com/.default"
    assert {"openid", "profile", "email", "offline_access"} == ms.OIDC_SCOPES
    assert {"common", "organizations", "consumers"} == ms.TENANT_KEYWORDS


def test_redirect_uri_constants() -> None:
    assert "urn:ietf:wg:oauth:2.0:oob" in ms.RETIRED_REDIRECT_URIS
    assert ms.NATIVE_CLIENT_REDIRECT_URI not in ms.RETIRED_REDIRECT_URIS
    assert ms.NATIVE_CLIENT_REDIRECT_URI == (
        "https://login.microsoftonline.com/common/oauth2/nativeclient"
    )
    for note in ms.RETIRED_REDIRECT_URIS.values():
        assert note.source
        assert note.reason


@pytest.mark.parametrize(
    ("tenant", "expected"),
    [("common", True), ("Organizations", True), (" consumers ", True), (TENANT, False)],
)
def test_is_tenant_keyword(tenant: str, expected: bool) -> None:
    assert ms.is_tenant_keyword(tenant) is expected


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2025, 5, 31), 24, dt.date(2027, 5, 31)),
        (dt.date(2024, 2, 29), 24, dt.date(2026, 2, 28)),
        (dt.date(2025, 12, 15), 1, dt.date(2026, 1, 15)),
        (dt.date(2025, 11, 30), 6, dt.date(2026, 5, 30)),
    ],
)
def test_add_months(start: dt.date, months: int, expected: dt.date) -> None:
    assert ms.add_months(start, months) == expected


def test_secret_lifetime() -> None:
    assert ms.SECRET_MAX_LIFETIME_MONTHS == 24
    assert ms.SECRET_DEFAULT_LIFETIME_MONTHS == 6
    start = dt.date(2024, 3, 1)
    end = ms.secret_max_expiry(start)
    assert end == dt.date(2026, 3, 1)
    assert (end - start).days <= ms.SECRET_MAX_LIFETIME_DAYS


# --- clouds -----------------------------------------------------------------------------------


def test_cloud_keys() -> None:
    assert set(ms.CLOUDS) == {"global", "usgov", "usgov-dod", "china"}
    assert tuple(ms.CLOUDS) == ms.CLOUD_KEYS
    for key, cloud in ms.CLOUDS.items():
        assert cloud.key == key
        assert cloud.source
        for server in (cloud.smtp, cloud.imap, cloud.pop):
            assert server.source
        assert cloud.smtp.port == 587
        assert cloud.smtp.security == "starttls"
        assert cloud.imap.port == 993
        assert cloud.pop.port == 995
        assert cloud.graph_root.startswith("https://")
        assert not cloud.graph_root.endswith("/")
        assert cloud.outlook_scope_host.startswith("https://")


def test_global_cloud_hosts() -> None:
    c = ms.CLOUDS["global"]
    assert c.login_host == "login.microsoftonline.com"
    assert c.graph_root == "https://graph.microsoft.com"
    assert c.exchange_host == "outlook.office365.com"
    assert c.outlook_scope_host == "https://outlook.office.com"
    assert c.outlook_scope_verified
    assert (c.smtp.host, c.imap.host, c.pop.host) == (
        "smtp.office365.com",
        "outlook.office365.com",
        "outlook.office365.com",
    )
    assert c.exchange_app_only_scope == ms.EXCHANGE_APP_ONLY_SCOPE
    assert c.graph_default_scope == ms.GRAPH_DEFAULT_SCOPE
    assert c.outlook_scope("SMTP.Send") == "https://outlook.office.com/SMTP.Send"


def test_national_clouds() -> None:
    assert ms.CLOUDS["usgov"].login_host == "login.microsoftonline.us"
    assert ms.CLOUDS["usgov"].graph_root == "https://graph.microsoft.us"
    assert ms.CLOUDS["usgov"].exchange_host == "outlook.office365.us"
    assert ms.CLOUDS["usgov-dod"].login_host == "login.microsoftonline.us"
    assert ms.CLOUDS["usgov-dod"].graph_root == "https://dod-graph.microsoft.us"
    assert ms.CLOUDS["usgov-dod"].exchange_host == "outlook-dod.office365.us"
    assert ms.CLOUDS["china"].graph_root == "https://microsoftgraph.chinacloudapi.cn"
    assert ms.CLOUDS["china"].exchange_host == "partner.outlook.cn"
    assert ms.CLOUDS["china"].smtp.host == "smtp.partner.outlook.cn"
    for key in ("usgov", "usgov-dod", "china"):
        assert not ms.CLOUDS[key].outlook_scope_verified
        assert not ms.CLOUDS[key].verified
    assert ms.CLOUDS["usgov"].exchange_app_only_scope == "https://outlook.office365.us/.default"


def test_get_cloud() -> None:
    assert ms.get_cloud("GLOBAL") is ms.CLOUDS["global"]
    assert ms.get_cloud(ms.CLOUDS["china"]) is ms.CLOUDS["china"]
    with pytest.raises(ValueError, match="unknown Microsoft cloud"):
        ms.get_cloud("mars")


def test_endpoint_urls_global() -> None:
    base = f"https://login.microsoftonline.com/{TENANT}"
    assert ms.authority_url("global", TENANT) == base
    assert ms.authorize_url("global", TENANT) == f"{base}/oauth2/v2.0/authorize"
    assert ms.token_url("global", TENANT) == f"{base}/oauth2/v2.0/token"
    assert ms.devicecode_url("global", TENANT) == f"{base}/oauth2/v2.0/devicecode"
    assert ms.openid_configuration_url("global", TENANT) == (
        f"{base}/v2.0/.well-known/openid-configuration"
    )
    assert ms.token_url("global", "organizations") == (
        "https://login.microsoftonline.com/organizations/oauth2/v2.0/token"
    )


@pytest.mark.parametrize(
    ("cloud", "host"),
    [
        ("usgov", "login.microsoftonline.us"),
        ("usgov-dod", "login.microsoftonline.us"),
        ("china", "login.partner.microsoftonline.cn"),
    ],
)
def test_endpoint_urls_national(cloud: str, host: str) -> None:
    assert ms.token_url(cloud, TENANT) == f"https://{host}/{TENANT}/oauth2/v2.0/token"
    assert ms.authorize_url(cloud, TENANT) == f"https://{host}/{TENANT}/oauth2/v2.0/authorize"


@pytest.mark.parametrize("tenant", ["", "  ", "a/b", "x?y", "has space"])
def test_bad_tenant_rejected(tenant: str) -> None:
    with pytest.raises(ValueError, match="invalid tenant"):
        ms.token_url("global", tenant)


def test_admin_consent_url_default_scope() -> None:
    url = ms.admin_consent_url("global", TENANT, "client-1", "https://app.example.com/cb")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        f"https://login.microsoftonline.com/{TENANT}/v2.0/adminconsent"
    )
    query = parse_qs(parts.query)
    assert query == {
        "client_id": ["client-1"],
        "scope": ["https://graph.microsoft.com/.default"],
        "redirect_uri": ["https://app.example.com/cb"],
    }


def test_admin_consent_url_exchange_scope_and_state() -> None:
    cloud = ms.CLOUDS["usgov"]
    url = ms.admin_consent_url(
        cloud, TENANT, "client-1", scope=cloud.exchange_app_only_scope, state="s1"
    )
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(f"https://login.microsoftonline.us/{TENANT}/v2.0/adminconsent?")
    assert query["scope"] == ["https://outlook.office365.us/.default"]
    assert query["state"] == ["s1"]
    assert "redirect_uri" not in query


# --- permissions ------------------------------------------------------------------------------

REQUIRED = [
    ("SMTP.Send", "delegated"),
    ("IMAP.AccessAsUser.All", "delegated"),
    ("POP.AccessAsUser.All", "delegated"),
    ("offline_access", "delegated"),
    ("openid", "delegated"),
    ("profile", "delegated"),
    ("email", "delegated"),
    ("User.Read", "delegated"),
    ("User.Read.All", "delegated"),
    ("User.Read.All", "application"),
    ("Mail.Send", "delegated"),
    ("Mail.Send", "application"),
    ("Mail.Read", "delegated"),
    ("Mail.Read", "application"),
    ("Mail.ReadWrite", "delegated"),
    ("Mail.ReadWrite", "application"),
    ("IMAP.AccessAsApp", "application"),
    ("POP.AccessAsApp", "application"),
    ("SMTP.SendAsApp", "application"),
    ("full_access_as_app", "application"),
    ("Exchange.ManageAsApp", "application"),
    ("Exchange.Manage", "delegated"),
]


@pytest.mark.parametrize(("name", "kind"), REQUIRED)
def test_required_permissions_present(name: str, kind: str) -> None:
    p = ms.permission(name, kind)
    assert p is not None
    assert p.name == name
    assert p.kind == kind


@pytest.mark.parametrize("perm", ms.PERMISSIONS, ids=lambda p: f"{p.name}-{p.kind}")
def test_permission_entry_is_well_formed(perm: ms.Permission) -> None:
    assert GUID.match(perm.guid)
    for alt in perm.alt_guids:
        assert GUID.match(alt)
    assert perm.source.strip()
    assert perm.description.strip()
    assert perm.scope
    assert (perm.alt_resource is None) == (not perm.alt_guids)
    # Exactly one audience: OIDC, Outlook or Graph.
    assert [perm.oidc, perm.outlook_resource, perm.graph_resource].count(True) == 1
    if perm.kind == "application":
        assert perm.admin_consent_required
        assert perm.scope.endswith("/.default")
        assert perm.access_type == "Role"
    else:
        assert perm.access_type == "Scope"
    if perm.outlook_resource and perm.kind == "delegated" and perm.resource == "graph":
        assert perm.scope == f"https://outlook.office.com/{perm.name}"
    assert perm.resource_app_id in (ms.GRAPH_APP_ID, ms.EXCHANGE_APP_ID)


def test_permission_keys_unique() -> None:
    keys = [(p.name.lower(), p.kind) for p in ms.PERMISSIONS]
    assert len(keys) == len(set(keys))


def test_documented_guids() -> None:
    smtp = ms.permission("SMTP.Send")
    assert smtp is not None
    assert smtp.guid == "258f6531-6087-4cc4-bb90-092c5fb3ed3f"
    assert smtp.alt_guids == ("76faac2a-0f20-42f1-928a-50de5b9dbe52",)
    assert smtp.resource == "graph"
    assert smtp.alt_resource == "exchange"
    imap = ms.permission("IMAP.AccessAsApp", "application")
    assert imap is not None
    assert imap.guid == "5e5addcd-3e8d-4e90-baf5-964efab2b20a"
    assert imap.resource == "exchange"
    assert imap.scope == ms.EXCHANGE_APP_ONLY_SCOPE
    send_as_app = ms.permission("SMTP.SendAsApp", "application")
    assert send_as_app is not None
    assert not send_as_app.verified


def test_flags() -> None:
    def get(name: str, kind: str = "delegated") -> ms.Permission:
        p = ms.permission(name, kind)
        assert p is not None
        return p

    assert get("offline_access").oidc
    assert get("offline_access").scope == "offline_access"
    assert get("SMTP.Send").outlook_resource
    assert get("User.Read").graph_resource
    assert get("Mail.ReadWrite").over_privileged
    assert get("Mail.Send", "application").over_privileged
    assert get("Mail.Read", "application").over_privileged
    assert get("full_access_as_app", "application").over_privileged
    assert not get("SMTP.Send").over_privileged
    assert not get("IMAP.AccessAsApp", "application").over_privileged
    assert get("User.Read.All").admin_consent_required
    assert not get("User.Read").admin_consent_required
    assert not get("SMTP.Send").admin_consent_required
    assert get("SMTP.Send").audience == "outlook"
    assert get("User.Read").audience == "graph"
    assert get("openid").audience == "oidc"


@pytest.mark.parametrize(
    "text",
    [
        "SMTP.Send",
        "smtp.send",
        "  SMTP.SEND ",
        "https://outlook.office.com/SMTP.Send",
        "https://outlook.office365.com/SMTP.Send",
        "HTTPS://OUTLOOK.OFFICE.COM/smtp.send",
        "https://outlook.office365.us/SMTP.Send",
    ],
)
def test_permission_lookup_forms(text: str) -> None:
    p = ms.permission(text)
    assert p is not None
    assert p.name == "SMTP.Send"


def test_permission_lookup_misses() -> None:
    assert ms.permission("SMTP.Sned") is None
    assert ms.permission("") is None
    assert ms.permission("https://evil.example.com/SMTP.Send") is None
    assert ms.permission("IMAP.AccessAsApp") is None  # application only
    assert ms.permission("IMAP.AccessAsApp", "Role") is not None
    assert ms.permission("SMTP.Send", "Scope") is not None
    with pytest.raises(ValueError, match="unknown permission kind"):
        ms.permission("SMTP.Send", "both")


def test_find_permissions() -> None:
    kinds = [p.kind for p in ms.find_permissions("mail.send")]
    assert kinds == ["delegated", "application"]
    assert [p.kind for p in ms.find_permissions("IMAP.AccessAsApp")] == ["application"]
    assert ms.find_permissions("nothing") == ()


def test_permission_by_guid() -> None:
    exo_smtp = ms.permission_by_guid("76faac2a-0f20-42f1-928a-50de5b9dbe52")
    assert [p.name for p in exo_smtp] == ["SMTP.Send"]
    assert ms.permission_by_guid("76faac2a-0f20-42f1-928a-50de5b9dbe52", "graph") == ()
    by_app_id = ms.permission_by_guid("B633E1C5-B582-4048-A93E-9F11B44C7E96", ms.EXCHANGE_APP_ID)
    assert [(p.name, p.kind) for p in by_app_id] == [("Mail.Send", "application")]
    assert ms.permission_by_guid("5e5addcd-3e8d-4e90-baf5-964efab2b20a", "unknown-app") == ()


def test_permission_names() -> None:
    assert len(ms.PERMISSION_NAMES) == len(set(ms.PERMISSION_NAMES))
    assert set(ms.PERMISSION_NAMES) == {p.name for p in ms.PERMISSIONS}
    assert "SMTP.Send" in ms.PERMISSION_NAMES


@pytest.mark.parametrize(
    ("scope", "audience"),
    [
        ("https://outlook.office.com/SMTP.Send", "outlook"),
        ("https://outlook.office365.com/.default", "outlook"),
        ("https://ps.outlook.com/.default", "outlook"),
        ("https://graph.microsoft.com/User.Read", "graph"),
        ("User.Read", "graph"),
        ("SMTP.Send", "graph"),
        ("offline_access", "oidc"),
        ("openid", "oidc"),
        ("https://example.com/x", None),
    ],
)
def test_scope_audience(scope: str, audience: str | None) -> None:
    assert ms.scope_audience(scope) == audience


def test_split_scope() -> None:
    assert ms.split_scope("https://outlook.office.com/SMTP.Send") == (
        "https://outlook.office.com",
        "SMTP.Send",
    )
    assert ms.split_scope("offline_access") == (None, "offline_access")


def test_scope_for_national_cloud() -> None:
    smtp = ms.permission("SMTP.Send")
    user_read = ms.permission("User.Read")
    app = ms.permission("IMAP.AccessAsApp", "application")
    assert smtp is not None
    assert user_read is not None
    assert app is not None
    assert smtp.scope_for("global") == "https://outlook.office.com/SMTP.Send"
    assert smtp.scope_for("usgov") == "https://outlook.office365.us/SMTP.Send"
    assert user_read.scope_for("usgov") == "https://graph.microsoft.us/User.Read"
    assert app.scope_for("china") == "https://partner.outlook.cn/.default"


def test_entries_are_immutable() -> None:
    perm = ms.PERMISSIONS[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        perm.guid = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        ms.CLOUDS["x"] = ms.CLOUDS["global"]  # type: ignore[index]

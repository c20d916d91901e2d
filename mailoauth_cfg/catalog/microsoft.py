"""Microsoft 365 / Entra ID knowledge: clouds, endpoints, permissions.

Everything here is immutable data plus small pure functions. Each entry cites its public
source (Microsoft's documentation, the Graph permission references, the target applications'
code; see :mod:`mailoauth_cfg.catalog.sources`). Values no vendor source confirms carry
``verified=False``.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal
from urllib.parse import urlencode, urlsplit

from mailoauth_cfg.catalog import sources as src
from mailoauth_cfg.records import record

__all__ = [
    "CLOUDS",
    "CLOUD_KEYS",
    "EXCHANGE_APP_ID",
    "EXCHANGE_APP_ONLY_SCOPE",
    "EXCHANGE_POWERSHELL_PUBLIC_CLIENT_ID",
    "EXCHANGE_PS_APP_ONLY_SCOPE",
    "GRAPH_APP_ID",
    "GRAPH_DEFAULT_SCOPE",
    "LOOPBACK_REDIRECT_URI",
    "NATIVE_CLIENT_REDIRECT_URI",
    "OIDC_SCOPES",
    "OUTLOOK_SCOPE_HOST",
    "PERMISSIONS",
    "PERMISSION_NAMES",
    "REFRESH_TOKEN_INACTIVITY_DAYS",
    "RESOURCE_APP_IDS",
    "RETIRED_REDIRECT_URIS",
    "SECRET_DEFAULT_LIFETIME_MONTHS",
    "SECRET_MAX_LIFETIME_DAYS",
    "SECRET_MAX_LIFETIME_MONTHS",
    "SMTP_HVE_HOST",
    "TENANT_KEYWORDS",
    "Cloud",
    "MailServer",
    "Permission",
    "PermissionKind",
    "RedirectUriNote",
    "Resource",
    "ScopeAudience",
    "add_months",
    "admin_consent_url",
    "authority_url",
    "authorize_url",
    "devicecode_url",
    "find_permissions",
    "get_cloud",
    "is_tenant_keyword",
    "openid_configuration_url",
    "permission",
    "permission_by_guid",
    "scope_audience",
    "secret_max_expiry",
    "split_scope",
    "token_url",
]

Resource = Literal["graph", "exchange"]
"""Resource application a permission GUID belongs to."""

PermissionKind = Literal["delegated", "application"]
"""``delegated`` = ``Scope`` in ``requiredResourceAccess``; ``application`` = ``Role``."""

ScopeAudience = Literal["graph", "outlook", "oidc"]
"""Who a scope string's token is for. OIDC scopes may be combined with either resource."""

Security = Literal["starttls", "tls"]
"""``starttls``: plain connect then STARTTLS; ``tls``: implicit TLS from the first byte."""


# --- Resource applications and well-known constants -----------------------------------------

GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
"""Microsoft Graph resource appId (source: :data:`sources.MS_APP_GET`, example 2)."""

EXCHANGE_APP_ID = "00000002-0000-0ff1-ce00-000000000000"
"""Office 365 Exchange Online resource appId (source: :data:`sources.MS_APP_ONLY_EXO_PS`)."""

RESOURCE_APP_IDS: Mapping[Resource, str] = MappingProxyType(
    {"graph": GRAPH_APP_ID, "exchange": EXCHANGE_APP_ID}
)

EXCHANGE_APP_ONLY_SCOPE = "https://outlook.office365.com/.default"
"""Client-credentials scope for IMAP/POP/SMTP app-only and the Exchange admin API (global cloud).

Source: :data:`sources.MS_OAUTH_MAIL_PROTOCOLS`. Use :attr:`Cloud.exchange_app_only_scope` for
national clouds.
"""

EXCHANGE_PS_APP_ONLY_SCOPE = "https://ps.outlook.com/.default"
"""Scope the Microsoft doc uses in the multi-tenant *admin consent* URL for POP/IMAP app-only.

Source: :data:`sources.MS_OAUTH_MAIL_PROTOCOLS`. SMTP uses
:data:`EXCHANGE_APP_ONLY_SCOPE` there.
"""

GRAPH_DEFAULT_SCOPE = "https://graph.microsoft.com/.default"
"""Static-consent scope for the Graph resource (global cloud)."""

OUTLOOK_SCOPE_HOST = "https://outlook.office.com"
"""Prefix of the delegated mail-protocol scopes (global cloud), e.g. ``…/SMTP.Send``."""

OIDC_SCOPES: frozenset[str] = frozenset({"openid", "profile", "email", "offline_access"})
"""OIDC scopes: allowed next to the Outlook scopes in one token request
(:data:`sources.DOLIBARR_MICROSOFT3`)."""

TENANT_KEYWORDS: frozenset[str] = frozenset({"common", "organizations", "consumers"})
"""Non-GUID tenant segments accepted by the v2 endpoints (:data:`sources.MS_AUTH_CODE_FLOW`)."""

NATIVE_CLIENT_REDIRECT_URI = "https://login.microsoftonline.com/common/oauth2/nativeclient"
"""Still valid for public (mobile and desktop) clients; used by mutt_oauth2.py and the legacy
sasl-xoauth2 authcode flow (sources: :data:`sources.MUTT_OAUTH2`,
:data:`sources.SASL_XOAUTH2_README`)."""

LOOPBACK_REDIRECT_URI = "http://localhost"
"""Loopback redirect for public clients; Entra allows ``http`` only for localhost/loopback and
ignores the port for ``localhost`` (source: :data:`sources.MS_REPLY_URL_RULES`)."""

SMTP_HVE_HOST = "smtp-hve.office365.com"
"""High Volume Email endpoint; sasl-xoauth2 needs ``refresh_window >= 600`` for it
(source: :data:`sources.SASL_XOAUTH2_CONF`)."""

EXCHANGE_POWERSHELL_PUBLIC_CLIENT_ID = "fb78d390-0c51-40cd-8e17-fdbfab77341b"
"""Exchange Online PowerShell's own public client id
(GreyCorbel/ExoHelper:Commands/Public/New-ExoConnection.ps1)."""

SECRET_DEFAULT_LIFETIME_MONTHS = 6
"""Entra portal default client-secret lifetime (:data:`sources.OPENBEE_SMTP`)."""

SECRET_MAX_LIFETIME_MONTHS = 24
"""Entra portal maximum client-secret lifetime (:data:`sources.OPENBEE_SMTP`).

The limit is in calendar months; use :func:`secret_max_expiry` for exact dates.
"""

SECRET_MAX_LIFETIME_DAYS = 731
"""Upper bound in days of :data:`SECRET_MAX_LIFETIME_MONTHS`: 24 calendar months span 730 or
731 days depending on leap years. Prefer :func:`secret_max_expiry`."""

REFRESH_TOKEN_INACTIVITY_DAYS = 90
"""Entra refresh tokens expire after 90 days unused (AADSTS700082;
source: :data:`sources.MS_REFRESH_INACTIVITY`)."""


@record
class RedirectUriNote:
    """A redirect URI that must no longer be registered, and why."""

    uri: str
    reason: str
    replacement: str
    source: str
    verified: bool = True


RETIRED_REDIRECT_URIS: Mapping[str, RedirectUriNote] = MappingProxyType(
    {
        "urn:ietf:wg:oauth:2.0:oob": RedirectUriNote(
            uri="urn:ietf:wg:oauth:2.0:oob",
            reason=(
                "Out-of-band (copy/paste) redirect; deprecated for OAuth clients. Entra public "
                "clients should use the loopback or native-client URI instead."
            ),
            replacement=f"{LOOPBACK_REDIRECT_URI} or {NATIVE_CLIENT_REDIRECT_URI}",
            source=f"{src.MS_REPLY_URL_RULES}; {src.GOOGLE_OOB_MIGRATION}",
            verified=False,
        ),
    }
)
"""Redirect URIs to flag on an Entra app registration. ``uri in RETIRED_REDIRECT_URIS`` works.
The native-client URI :data:`NATIVE_CLIENT_REDIRECT_URI` is *not* retired."""


def add_months(day: _dt.date, months: int) -> _dt.date:
    """Return ``day`` plus ``months`` calendar months, clamped to the last day of the month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    following = _dt.date(year + month // 12, month % 12 + 1, 1)
    last = (following - _dt.timedelta(days=1)).day
    return _dt.date(year, month, min(day.day, last))


def secret_max_expiry(created: _dt.date) -> _dt.date:
    """Latest end date the Entra portal offers for a secret created on ``created``."""
    return add_months(created, SECRET_MAX_LIFETIME_MONTHS)


def is_tenant_keyword(tenant: str) -> bool:
    """True for ``common``, ``organizations`` or ``consumers`` (case-insensitive)."""
    return tenant.strip().lower() in TENANT_KEYWORDS


# --- Clouds --------------------------------------------------------------------------------


@record
class MailServer:
    """A mail protocol endpoint."""

    host: str
    port: int
    security: Security
    verified: bool
    source: str


@record
class Cloud:
    """One Microsoft cloud (national deployment) and its hosts."""

    key: str
    display_name: str
    login_host: str
    """Entra ID (login) host, e.g. ``login.microsoftonline.com``."""
    graph_root: str
    """Graph root URL without trailing slash, e.g. ``https://graph.microsoft.com``."""
    exchange_host: str
    """Exchange Online host: admin API (``/adminapi/…/InvokeCommand``) and app-only token
    resource, e.g. ``outlook.office365.com``."""
    outlook_scope_host: str
    """Prefix of delegated mail scopes, e.g. ``https://outlook.office.com``."""
    outlook_scope_verified: bool
    smtp: MailServer
    imap: MailServer
    pop: MailServer
    powershell_environment: str
    """``Connect-ExchangeOnline -ExchangeEnvironmentName`` value."""
    verified: bool
    """False when any host of this cloud is unverified."""
    note: str
    source: str
    alt_login_hosts: tuple[str, ...] = ()

    @property
    def login_root(self) -> str:
        """``https://`` + login host."""
        return f"https://{self.login_host}"

    @property
    def exchange_root(self) -> str:
        """``https://`` + Exchange host."""
        return f"https://{self.exchange_host}"

    @property
    def exchange_app_only_scope(self) -> str:
        """Client-credentials scope for Exchange (``https://<exchange_host>/.default``)."""
        return f"https://{self.exchange_host}/.default"

    @property
    def graph_default_scope(self) -> str:
        """``<graph_root>/.default``."""
        return f"{self.graph_root}/.default"

    def outlook_scope(self, name: str) -> str:
        """Delegated Outlook scope string for ``name`` (e.g. ``SMTP.Send``) in this cloud."""
        return f"{self.outlook_scope_host}/{name}"


_GLOBAL = Cloud(
    key="global",
    display_name="Microsoft 365 worldwide (commercial and GCC)",
    login_host="login.microsoftonline.com",
    graph_root="https://graph.microsoft.com",
    exchange_host="outlook.office365.com",
    outlook_scope_host=OUTLOOK_SCOPE_HOST,
    outlook_scope_verified=True,
    smtp=MailServer("smtp.office365.com", 587, "starttls", True, src.MS_POP_IMAP_SMTP_SETTINGS),
    imap=MailServer("outlook.office365.com", 993, "tls", True, src.MS_POP_IMAP_SMTP_SETTINGS),
    pop=MailServer("outlook.office365.com", 995, "tls", True, src.MS_POP_IMAP_SMTP_SETTINGS),
    powershell_environment="O365Default",
    verified=True,
    note=(
        "GCC (moderate) uses the worldwide endpoints. Also seen for SMTP: smtp-mail.outlook.com, "
        "smtp.outlook.com (Odoo)."
    ),
    source=src.MS_OAUTH_MAIL_PROTOCOLS,
)

_USGOV = Cloud(
    key="usgov",
    display_name="US Government GCC High (L4)",
    login_host="login.microsoftonline.us",
    graph_root="https://graph.microsoft.us",
    exchange_host="outlook.office365.us",
    outlook_scope_host="https://outlook.office365.us",
    outlook_scope_verified=False,
    smtp=MailServer("smtp.office365.us", 587, "starttls", False, src.MS_CONNECT_EXO),
    imap=MailServer("outlook.office365.us", 993, "tls", True, src.MS_CIPP_EXO_SCOPE),
    pop=MailServer("outlook.office365.us", 995, "tls", False, src.MS_CIPP_EXO_SCOPE),
    powershell_environment="O365USGovGCCHigh",
    verified=False,
    note=(
        "SMTP host and the delegated scope prefix are unverified; the scope prefix "
        "follows the Exchange host form."
    ),
    source=src.MS_NATIONAL_CLOUDS_AUTH,
)

_USGOV_DOD = Cloud(
    key="usgov-dod",
    display_name="US Government DoD (L5)",
    login_host="login.microsoftonline.us",
    graph_root="https://dod-graph.microsoft.us",
    exchange_host="outlook-dod.office365.us",
    outlook_scope_host="https://outlook-dod.office365.us",
    outlook_scope_verified=False,
    smtp=MailServer("smtp.office365.us", 587, "starttls", False, src.MS_CONNECT_EXO),
    imap=MailServer("outlook-dod.office365.us", 993, "tls", False, src.MS_CIPP_EXO_SCOPE),
    pop=MailServer("outlook-dod.office365.us", 995, "tls", False, src.MS_CIPP_EXO_SCOPE),
    powershell_environment="O365USGovDoD",
    verified=False,
    note=(
        "Mail hosts and the delegated scope prefix are unverified. "
        "PowerShell also uses webmail.apps.mil."
    ),
    source=src.MS_NATIONAL_CLOUDS_AUTH,
)

_CHINA = Cloud(
    key="china",
    display_name="Microsoft 365 operated by 21Vianet (China)",
    login_host="login.partner.microsoftonline.cn",
    graph_root="https://microsoftgraph.chinacloudapi.cn",
    exchange_host="partner.outlook.cn",
    outlook_scope_host="https://partner.outlook.cn",
    outlook_scope_verified=False,
    smtp=MailServer("smtp.partner.outlook.cn", 587, "starttls", True, src.MS_CIPP_EXO_SCOPE),
    imap=MailServer("partner.outlook.cn", 993, "tls", False, src.MS_CIPP_EXO_SCOPE),
    pop=MailServer("partner.outlook.cn", 995, "tls", False, src.MS_CIPP_EXO_SCOPE),
    powershell_environment="O365China",
    verified=False,
    note=(
        "Login host as used by sasl-xoauth2 and MSAL; azure-identity still uses "
        "login.chinacloudapi.cn, which MSAL 1.39 marks deprecated. IMAP/POP hosts and the "
        "delegated scope prefix follow the Exchange host form and are unverified."
    ),
    source=src.MS_NATIONAL_CLOUDS_AUTH,
    alt_login_hosts=("login.chinacloudapi.cn",),
)

CLOUDS: Mapping[str, Cloud] = MappingProxyType(
    {c.key: c for c in (_GLOBAL, _USGOV, _USGOV_DOD, _CHINA)}
)
"""Clouds by key: ``global``, ``usgov``, ``usgov-dod``, ``china``."""

CLOUD_KEYS: tuple[str, ...] = tuple(CLOUDS)


def get_cloud(cloud: Cloud | str) -> Cloud:
    """Return the :class:`Cloud` for a key (or the cloud itself); ``ValueError`` if unknown."""
    if isinstance(cloud, Cloud):
        return cloud
    found = CLOUDS.get(cloud.strip().lower())
    if found is None:
        raise ValueError(f"unknown Microsoft cloud {cloud!r}; expected one of: {CLOUD_KEYS}")
    return found


def _tenant(tenant: str) -> str:
    value = tenant.strip()
    if not value or any(ch in value for ch in "/?#% \t"):
        raise ValueError(f"invalid tenant {tenant!r}: expected a GUID, domain or keyword")
    return value


def authority_url(cloud: Cloud | str, tenant: str) -> str:
    """``https://<login-host>/<tenant>``."""
    return f"{get_cloud(cloud).login_root}/{_tenant(tenant)}"


def authorize_url(cloud: Cloud | str, tenant: str) -> str:
    """v2 authorization endpoint, e.g. ``https://login.microsoftonline.com/<t>/oauth2/v2.0/authorize``."""
    return f"{authority_url(cloud, tenant)}/oauth2/v2.0/authorize"


def token_url(cloud: Cloud | str, tenant: str) -> str:
    """v2 token endpoint, e.g. ``https://login.microsoftonline.com/<t>/oauth2/v2.0/token``."""
    return f"{authority_url(cloud, tenant)}/oauth2/v2.0/token"


def devicecode_url(cloud: Cloud | str, tenant: str) -> str:
    """v2 device authorization endpoint (``…/oauth2/v2.0/devicecode``)."""
    return f"{authority_url(cloud, tenant)}/oauth2/v2.0/devicecode"


def openid_configuration_url(cloud: Cloud | str, tenant: str) -> str:
    """OIDC metadata document (``…/v2.0/.well-known/openid-configuration``)."""
    return f"{authority_url(cloud, tenant)}/v2.0/.well-known/openid-configuration"


def admin_consent_url(
    cloud: Cloud | str,
    tenant: str,
    client_id: str,
    redirect_uri: str | None = None,
    *,
    scope: str | None = None,
    state: str | None = None,
) -> str:
    """Build the v2 admin-consent URL an admin opens to grant tenant-wide consent.

    ``https://<login>/<tenant>/v2.0/adminconsent?client_id=…&scope=…[&redirect_uri=…][&state=…]``

    Choice of default ``scope``: the cloud's Graph ``/.default``
    (``https://graph.microsoft.com/.default``). ``.default`` asks for the permissions statically
    configured on the app registration, and the portal registers the delegated mail scopes
    (SMTP.Send, IMAP/POP.AccessAsUser.All) and the OIDC scopes under Microsoft Graph, so this
    covers the usual delegated setups. For app-only Exchange roles (IMAP/POP.AccessAsApp,
    SMTP.SendAsApp) pass ``scope=cloud.exchange_app_only_scope``; Microsoft's doc uses
    :data:`EXCHANGE_PS_APP_ONLY_SCOPE` for POP/IMAP in multi-tenant consent.
    ``tenant`` should be the tenant ID (or ``organizations`` for a multi-tenant app).
    """
    c = get_cloud(cloud)
    params = {"client_id": client_id.strip(), "scope": scope or c.graph_default_scope}
    if redirect_uri is not None:
        params["redirect_uri"] = redirect_uri
    if state is not None:
        params["state"] = state
    return f"{authority_url(c, tenant)}/v2.0/adminconsent?{urlencode(params)}"


# --- Permissions ---------------------------------------------------------------------------


@record
class Permission:
    """One Entra permission (delegated scope or application role) by friendly name.

    ``guid`` is the id under ``resource`` (for SMTP.Send / IMAP / POP delegated: the Microsoft
    Graph id, which is what the portal shows). ``alt_guids`` are ids of the same permission under
    ``alt_resource`` (the Office 365 Exchange Online resource); registrations use either.
    ``scope`` is the string a token request uses in the global cloud (see :meth:`scope_for`).
    """

    name: str
    resource: Resource
    kind: PermissionKind
    guid: str
    scope: str
    description: str
    source: str
    alt_guids: tuple[str, ...] = ()
    alt_resource: Resource | None = None
    oidc: bool = False
    """OIDC scope (openid/profile/email/offline_access): allowed next to Outlook scopes."""
    outlook_resource: bool = False
    """Token audience is Exchange Online / Outlook."""
    graph_resource: bool = False
    """Token audience is Microsoft Graph."""
    over_privileged: bool = False
    """More than mail submission/retrieval needs; flag unless the target demands it."""
    admin_consent_required: bool = False
    verified: bool = True
    """False when the GUID comes only from third-party sources."""
    note: str = ""

    @property
    def resource_app_id(self) -> str:
        """appId of :attr:`resource`."""
        return RESOURCE_APP_IDS[self.resource]

    @property
    def access_type(self) -> Literal["Scope", "Role"]:
        """``requiredResourceAccess[].resourceAccess[].type`` value."""
        return "Scope" if self.kind == "delegated" else "Role"

    @property
    def audience(self) -> ScopeAudience:
        """``outlook``, ``graph`` or ``oidc``."""
        if self.oidc:
            return "oidc"
        return "outlook" if self.outlook_resource else "graph"

    def scope_for(self, cloud: Cloud | str) -> str:
        """Token-request scope string in ``cloud`` (national clouds use their own hosts)."""
        c = get_cloud(cloud)
        if c.key == "global" or self.oidc:
            return self.scope
        if self.kind == "application":
            return c.exchange_app_only_scope if self.outlook_resource else c.graph_default_scope
        if self.outlook_resource:
            if self.resource == "exchange" and self.alt_resource is None:
                return f"{c.exchange_root}/{self.name}"
            return c.outlook_scope(self.name)
        return f"{c.graph_root}/{self.name}"


def _gx(name: str) -> str:
    return src.GRAPH_PERMISSIONS_EXPLORER.format(name=name)


def _outlook(name: str, guid: str, exo_guid: str, description: str) -> Permission:
    return Permission(
        name=name,
        resource="graph",
        kind="delegated",
        guid=guid,
        scope=f"{OUTLOOK_SCOPE_HOST}/{name}",
        description=description,
        source=f"{_gx(name)}; {src.MS_OAUTH_MAIL_PROTOCOLS}",
        alt_guids=(exo_guid,),
        alt_resource="exchange",
        outlook_resource=True,
        note=(
            "Listed under Microsoft Graph in the portal; also exists on Office 365 Exchange "
            "Online with the alt GUID. Which resource receives the consent grant is unverified."
        ),
    )


def _oidc(name: str, guid: str, description: str) -> Permission:
    return Permission(
        name=name,
        resource="graph",
        kind="delegated",
        guid=guid,
        scope=name,
        description=description,
        source=_gx(name),
        oidc=True,
    )


def _graph_app(name: str, guid: str, description: str, *, on_exchange: bool) -> Permission:
    return Permission(
        name=name,
        resource="graph",
        kind="application",
        guid=guid,
        scope=GRAPH_DEFAULT_SCOPE,
        description=description,
        source=_gx(name) + ("; " + src.EXO_PERMISSION_DUMP if on_exchange else ""),
        alt_guids=(guid,) if on_exchange else (),
        alt_resource="exchange" if on_exchange else None,
        graph_resource=True,
        over_privileged=True,
        admin_consent_required=True,
        note="Same role id also exists on Office 365 Exchange Online." if on_exchange else "",
    )


def _exo_app(
    name: str, guid: str, description: str, *, over: bool, verified: bool = True, note: str = ""
) -> Permission:
    return Permission(
        name=name,
        resource="exchange",
        kind="application",
        guid=guid,
        scope=EXCHANGE_APP_ONLY_SCOPE,
        description=description,
        source=src.EXO_PERMISSION_DUMP if verified else src.MS_OAUTH_MAIL_PROTOCOLS,
        outlook_resource=True,
        over_privileged=over,
        admin_consent_required=True,
        verified=verified,
        note=note,
    )


PERMISSIONS: tuple[Permission, ...] = (
    # Delegated mail-protocol scopes (token audience: Outlook).
    _outlook(
        "SMTP.Send",
        "258f6531-6087-4cc4-bb90-092c5fb3ed3f",
        "76faac2a-0f20-42f1-928a-50de5b9dbe52",
        "Send mail as the signed-in user with SMTP AUTH (XOAUTH2).",
    ),
    _outlook(
        "IMAP.AccessAsUser.All",
        "652390e4-393a-48de-9484-05f9b1212954",
        "195adc35-e27b-454b-a7ed-1ecdffa1c09f",
        "Read and write the signed-in user's mailboxes over IMAP.",
    ),
    _outlook(
        "POP.AccessAsUser.All",
        "d7b7f2d9-0f45-4ea1-9d42-e50810c06991",
        "fb698133-92fa-453e-a9ed-688e10f2e5ac",
        "Read the signed-in user's mailbox over POP.",
    ),
    # OIDC scopes.
    _oidc(
        "offline_access",
        "7427e0e9-2fba-42fe-b0c0-848c9e6a8182",
        "Issue a refresh token; without it no refresh token is returned.",
    ),
    _oidc("openid", "37f7f235-527c-4136-accd-4a02d197296e", "Sign the user in (ID token)."),
    _oidc("profile", "14dad69e-099b-42c9-810b-d002981feec1", "Basic profile claims."),
    _oidc("email", "64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0", "Email address claim."),
    # Delegated Graph scopes (token audience: Graph).
    Permission(
        name="User.Read",
        resource="graph",
        kind="delegated",
        guid="e1fe6dd8-ba31-4d61-89e7-88639da4683d",
        scope="User.Read",
        description="Read the signed-in user's profile (Graph).",
        source=f"{_gx('User.Read')}; {src.MS_APP_GET}",
        graph_resource=True,
    ),
    Permission(
        name="User.Read.All",
        resource="graph",
        kind="delegated",
        guid="a154be20-db9c-4678-8ab7-66f6cc099a59",
        scope="User.Read.All",
        description="Read all users' full profiles (Graph); needs admin consent.",
        source=_gx("User.Read.All"),
        graph_resource=True,
        over_privileged=True,
        admin_consent_required=True,
    ),
    Permission(
        name="Mail.Send",
        resource="graph",
        kind="delegated",
        guid="e383f46e-2787-4529-855e-0e479a3ffac0",
        scope="Mail.Send",
        description="Send mail as the signed-in user through Graph (not SMTP).",
        source=_gx("Mail.Send"),
        graph_resource=True,
    ),
    Permission(
        name="Mail.Read",
        resource="graph",
        kind="delegated",
        guid="570282fd-fa5c-430d-a7fd-fc8dc98a9dca",
        scope="Mail.Read",
        description="Read the signed-in user's mail through Graph (not IMAP/POP).",
        source=_gx("Mail.Read"),
        graph_resource=True,
    ),
    Permission(
        name="Mail.ReadWrite",
        resource="graph",
        kind="delegated",
        guid="024d486e-b451-40bb-833d-3e66d98c5c73",
        scope="Mail.ReadWrite",
        description="Create, read, update and delete the signed-in user's mail through Graph.",
        source=_gx("Mail.ReadWrite"),
        graph_resource=True,
        over_privileged=True,
    ),
    Permission(
        name="Exchange.Manage",
        resource="exchange",
        kind="delegated",
        guid="ab4f2b77-0b06-4fc1-a9de-02113fc2ab7c",
        scope="https://outlook.office365.com/Exchange.Manage",
        description="Manage Exchange as the signed-in user (Exchange admin API, delegated).",
        source=src.EXO_PERMISSION_DUMP,
        outlook_resource=True,
        over_privileged=True,
        admin_consent_required=True,
        note="Admin-consent requirement is an assumption (management permission).",
    ),
    # Application roles on Microsoft Graph.
    Permission(
        name="User.Read.All",
        resource="graph",
        kind="application",
        guid="df021288-bdef-4463-88db-98f22de89214",
        scope=GRAPH_DEFAULT_SCOPE,
        description="Read all users' full profiles without a signed-in user.",
        source=_gx("User.Read.All"),
        graph_resource=True,
        over_privileged=True,
        admin_consent_required=True,
    ),
    _graph_app(
        "Mail.Send",
        "b633e1c5-b582-4048-a93e-9f11b44c7e96",
        "Send mail as any user without a signed-in user (Graph sendMail, not SMTP).",
        on_exchange=True,
    ),
    _graph_app(
        "Mail.Read",
        "810c84a8-4a9e-49e6-bf7d-12d183f40d01",
        "Read mail in all mailboxes without a signed-in user.",
        on_exchange=True,
    ),
    _graph_app(
        "Mail.ReadWrite",
        "e2a3a72e-5f79-4c64-b1b1-878b674786c9",
        "Read and write mail in all mailboxes without a signed-in user.",
        on_exchange=True,
    ),
    # Application roles on Office 365 Exchange Online (token audience: Outlook).
    _exo_app(
        "IMAP.AccessAsApp",
        "5e5addcd-3e8d-4e90-baf5-964efab2b20a",
        "App-only IMAP; also needs New-ServicePrincipal and Add-MailboxPermission FullAccess.",
        over=False,
    ),
    _exo_app(
        "POP.AccessAsApp",
        "cb842b43-da6e-4506-86fe-bb12199c656d",
        "App-only POP; also needs New-ServicePrincipal and Add-MailboxPermission FullAccess.",
        over=False,
    ),
    _exo_app(
        "SMTP.SendAsApp",
        "7146a1f0-8703-45b3-9eae-527a64c00995",
        "App-only SMTP AUTH; also needs New-ServicePrincipal and SendAs on the mailbox.",
        over=False,
        verified=False,
        note="GUID from two third-party sources only; verify against the tenant at run time.",
    ),
    _exo_app(
        "full_access_as_app",
        "dc890d15-9560-4a4c-9b7f-a736ec74ec40",
        "EWS full access to all mailboxes. Not the IMAP role.",
        over=True,
    ),
    Permission(
        name="Exchange.ManageAsApp",
        resource="exchange",
        kind="application",
        guid="dc50a0fb-09a3-484d-be87-e023b12c6440",
        scope=EXCHANGE_APP_ONLY_SCOPE,
        description=(
            "Manage Exchange without a user (Exchange admin API / PowerShell app-only); the "
            "service principal also needs an Entra or Exchange RBAC role."
        ),
        source=f"{src.MS_APP_ONLY_EXO_PS}; {src.EXO_PERMISSION_DUMP}",
        outlook_resource=True,
        over_privileged=True,
        admin_consent_required=True,
        note="Needed by a live checker (with Global Reader), never by a mail client.",
    ),
)
"""Every permission the catalog knows, delegated and application."""

PERMISSION_NAMES: tuple[str, ...] = tuple(sorted({p.name for p in PERMISSIONS}, key=str.lower))
"""Canonical permission names, for "did you mean" suggestions."""

_BY_NAME: Mapping[tuple[str, str], Permission] = MappingProxyType(
    {(p.name.lower(), p.kind): p for p in PERMISSIONS}
)


def _index_by_guid() -> Mapping[tuple[str, str], tuple[Permission, ...]]:
    index: dict[tuple[str, str], list[Permission]] = {}
    for p in PERMISSIONS:
        index.setdefault((p.resource, p.guid), []).append(p)
        if p.alt_resource is not None:
            for g in p.alt_guids:
                bucket = index.setdefault((p.alt_resource, g), [])
                if p not in bucket:
                    bucket.append(p)
    return MappingProxyType({k: tuple(v) for k, v in index.items()})


_BY_GUID = _index_by_guid()


def _resource_hosts() -> Mapping[str, Resource]:
    hosts: dict[str, Resource] = {"ps.outlook.com": "exchange", "outlook.office.com": "exchange"}
    for c in CLOUDS.values():
        hosts[urlsplit(c.graph_root).netloc] = "graph"
        hosts[c.exchange_host] = "exchange"
        hosts[urlsplit(c.outlook_scope_host).netloc] = "exchange"
    return MappingProxyType(hosts)


_RESOURCE_HOSTS = _resource_hosts()


def split_scope(scope: str) -> tuple[str | None, str]:
    """Split a scope string into ``(resource URL or None, permission name)``.

    ``"https://outlook.office.com/SMTP.Send"`` → ``("https://outlook.office.com", "SMTP.Send")``;
    ``"offline_access"`` → ``(None, "offline_access")``. Any ``https://host/`` prefix is split;
    use :func:`scope_audience` to know whether the host is a known resource.
    """
    text = scope.strip()
    if "://" not in text:
        return None, text
    parts = urlsplit(text)
    name = parts.path.lstrip("/")
    return f"{parts.scheme}://{parts.netloc}".lower(), name


def scope_audience(scope: str) -> ScopeAudience | None:
    """Which resource a token requested with ``scope`` is for.

    OIDC scope names give ``"oidc"``; a bare name (``User.Read``, ``SMTP.Send``) gives
    ``"graph"`` because Entra resolves unprefixed scopes against Microsoft Graph — so a bare
    ``SMTP.Send`` yields a Graph token that SMTP rejects. Unknown hosts give ``None``.
    """
    resource_url, name = split_scope(scope)
    if resource_url is None:
        return "oidc" if name.lower() in OIDC_SCOPES else "graph"
    resource = _RESOURCE_HOSTS.get(urlsplit(resource_url).netloc)
    if resource is None:
        return None
    return "graph" if resource == "graph" else "outlook"


def _normalise_kind(kind: str) -> PermissionKind:
    value = kind.strip().lower()
    if value in ("delegated", "scope"):
        return "delegated"
    if value in ("application", "role", "app"):
        return "application"
    raise ValueError(f"unknown permission kind {kind!r}; expected 'delegated' or 'application'")


def _name_of(name_or_scope: str) -> str | None:
    resource_url, name = split_scope(name_or_scope)
    if resource_url is not None and urlsplit(resource_url).netloc not in _RESOURCE_HOSTS:
        return None
    return name


def permission(name: str, kind: str = "delegated") -> Permission | None:
    """Look a permission up by friendly name or full scope URI (case-insensitive).

    Accepts ``SMTP.Send``, ``smtp.send``, ``https://outlook.office.com/SMTP.Send``,
    ``https://outlook.office365.com/SMTP.Send`` and the national-cloud hosts. ``kind`` is
    ``delegated`` (alias ``Scope``) or ``application`` (alias ``Role``); ``ValueError`` for
    anything else. Returns ``None`` when unknown or when the name exists only with the other kind
    (see :func:`find_permissions`).
    """
    wanted = _normalise_kind(kind)
    short = _name_of(name)
    if not short:
        return None
    return _BY_NAME.get((short.lower(), wanted))


def find_permissions(name: str) -> tuple[Permission, ...]:
    """All kinds of a permission name or scope URI (delegated first), e.g. for Mail.Send."""
    short = _name_of(name)
    if not short:
        return ()
    key = short.lower()
    return tuple(
        p for k in ("delegated", "application") if (p := _BY_NAME.get((key, k))) is not None
    )


def permission_by_guid(guid: str, resource: Resource | str | None = None) -> tuple[Permission, ...]:
    """Permissions whose id (or alt id) is ``guid``; ``resource`` is ``graph``/``exchange`` or an
    appId. Several results are possible when one GUID is both a scope and a role elsewhere."""
    g = guid.strip().lower()
    if resource is None:
        resources: tuple[str, ...] = ("graph", "exchange")
    elif resource in RESOURCE_APP_IDS:
        resources = (resource,)
    else:
        by_app = {v: k for k, v in RESOURCE_APP_IDS.items()}
        found = by_app.get(resource.strip().lower())
        if found is None:
            return ()
        resources = (found,)
    result: list[Permission] = []
    for r in resources:
        for p in _BY_GUID.get((r, g), ()):
            if p not in result:
                result.append(p)
    return tuple(result)

"""``providers:``: the identity platforms (a Microsoft Entra tenant, a Google domain)."""

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from mailoauth_cfg.model._base import (
    DOMAIN_RE,
    GUID_RE,
    Domain,
    Email,
    Endpoint,
    PathText,
    StrictModel,
    Suppressions,
)

TENANT_KEYWORDS = ("common", "organizations", "consumers")


def _check_tenant(value: str) -> str:
    if GUID_RE.fullmatch(value):
        return value.lower()
    if value.lower() in TENANT_KEYWORDS or DOMAIN_RE.fullmatch(value):
        return value.lower()
    raise ValueError(
        "is not a tenant: expected the directory (tenant) ID as a GUID, "
        "a verified domain such as contoso.onmicrosoft.com, or common/organizations/consumers"
    )


class MicrosoftEndpoints(StrictModel):
    """Overrides of the cloud's endpoints: sovereign clouds, proxies or a local emulator."""

    login: Endpoint | None = Field(default=None, examples=["https://login.microsoftonline.us"])
    """Identity platform authority host (token, authorize, devicecode)."""
    graph: Endpoint | None = Field(default=None, examples=["https://graph.microsoft.us"])
    """Microsoft Graph root URL."""
    exchange: Endpoint | None = None
    """Exchange Online admin API host (InvokeCommand)."""
    smtp: Endpoint | None = Field(default=None, examples=["smtp.office365.com:587"])
    """SMTP submission host[:port]."""
    imap: Endpoint | None = Field(default=None, examples=["outlook.office365.com:993"])
    """IMAP host[:port]."""
    pop: Endpoint | None = None
    """POP3 host[:port]."""


class MicrosoftProvider(StrictModel):
    """A Microsoft Entra ID tenant with Exchange Online mailboxes."""

    type: Literal["microsoft"]
    tenant: Annotated[str, AfterValidator(_check_tenant)] = Field(
        examples=["6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d"]
    )
    """Directory (tenant) ID. A GUID is best; a verified domain works;
    ``common``/``organizations`` only for multi-tenant apps."""
    cloud: Literal["global", "usgov", "usgov-dod", "china"] = "global"
    """National cloud: global (incl. GCC), usgov (GCC High), usgov-dod, china (21Vianet)."""
    endpoints: MicrosoftEndpoints | None = None
    """Endpoint overrides; omitted means the cloud's defaults."""
    ca_bundle: PathText | None = None
    """CA bundle (PEM) for live checks through a TLS-inspecting proxy or a test emulator."""
    smtp_auth: Literal["enabled", "disabled"] | None = None
    """Organisation-wide SMTP AUTH (``Set-TransportConfig -SmtpClientAuthenticationDisabled``).
    Omitted: not managed (live checks read it)."""
    user_consent: Literal["allowed", "low-impact", "disabled"] | None = None
    """The tenant's user consent setting (Entra › Enterprise applications › Consent and
    permissions): ``allowed`` (users consent to apps), ``low-impact`` (only permissions
    classified low impact, such as the OpenID Connect scopes and ``User.Read``, for apps of the
    organisation or verified publishers) or ``disabled`` (only administrators consent).
    Omitted: not known; it decides whether scopes missing from an admin-consented registration
    can still be consented at sign-in."""
    suppress: Suppressions


class ConsentScreen(StrictModel):
    """The Google OAuth consent screen of the project that owns the OAuth clients."""

    audience: Literal["internal", "external"] | None = None
    """``internal``: only users of the Workspace organisation; ``external``: any account.
    Omitted: not known."""
    status: Literal["testing", "production"] | None = None
    """Publishing status; ``testing`` with an external audience kills refresh tokens after
    7 days. Omitted: not known."""


class GoogleEndpoints(StrictModel):
    """Overrides of Google's endpoints (proxies, emulator)."""

    oauth: Endpoint | None = None
    """Authorization endpoint base (accounts.google.com)."""
    token: Endpoint | None = None
    """Token endpoint (oauth2.googleapis.com)."""
    apis: Endpoint | None = None
    """Base for Directory, Gmail and Service Usage API calls."""
    smtp: Endpoint | None = None
    """SMTP submission host[:port]."""
    imap: Endpoint | None = None
    """IMAP host[:port]."""
    pop: Endpoint | None = None
    """POP3 host[:port]."""


class GoogleProvider(StrictModel):
    """A Google Workspace domain (or consumer Gmail accounts)."""

    type: Literal["google"]
    domain: Domain | None = None
    """Primary Workspace domain; omitted for consumer accounts."""
    account: Literal["workspace", "consumer"] = "workspace"
    """``workspace`` (Google Workspace domain) or ``consumer`` (gmail.com accounts)."""
    consent_screen: ConsentScreen | None = None
    """Declared consent screen; no Google API exposes it, so it is taken as declared."""
    project_number: Annotated[str, Field(pattern=r"^[0-9]{6,20}$")] | None = None
    """Cloud project number (the numeric prefix of the OAuth client ID)."""
    admin: Email | None = None
    """Workspace admin to impersonate for live checks (domain-wide delegation)."""
    endpoints: GoogleEndpoints | None = None
    """Endpoint overrides."""
    ca_bundle: PathText | None = None
    """CA bundle (PEM) for live checks."""
    suppress: Suppressions


Provider = Annotated[MicrosoftProvider | GoogleProvider, Field(discriminator="type")]

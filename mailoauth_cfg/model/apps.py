"""``apps:``: app registrations (Entra ID) and OAuth clients (Google)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from mailoauth_cfg.model._base import (
    DOMAIN_RE,
    GUID_RE,
    Certificate,
    ClientId,
    ClientSecret,
    Email,
    Name,
    StrictModel,
    Suppressions,
    Text,
    Uri,
)


def _check_home_tenant(value: str) -> str:
    if GUID_RE.fullmatch(value) or DOMAIN_RE.fullmatch(value):
        return value.lower()
    raise ValueError(
        "is not a tenant: expected the directory (tenant) ID as a GUID or a verified "
        "domain such as contoso.onmicrosoft.com (a registration lives in one tenant, not in "
        "common/organizations)"
    )


class App(StrictModel):
    """An Entra ID app registration or a Google OAuth client used by one or more targets."""

    provider: Name = Field(examples=["contoso"])
    """Name of the provider (``providers:``) the app is registered in."""
    client_id: ClientId
    """Application (client) ID: a GUID for Microsoft; ``<number>-<id>.apps.googleusercontent.com``
    for Google."""
    home_tenant: Annotated[str, AfterValidator(_check_home_tenant)] | None = Field(
        default=None, examples=["8f3a1c2b-4d5e-4f60-9a7b-1c2d3e4f5a6b"]
    )
    """Microsoft: the tenant the app registration lives in, when it is not the provider's
    ``tenant`` (a multi-tenant app signed in through ``common``/``organizations``, or an app
    registered in another organisation). Omitted: the provider's tenant. Live checks read the
    registration there (the enterprise application, consent and mailboxes stay in the
    provider's tenant)."""
    client_secret: ClientSecret | None = None
    """Reference to the client secret (``{env: NAME}`` or ``{file: PATH}``) with its expiry."""
    certificate: Certificate | None = None
    """Certificate credential (Microsoft), instead of or besides a secret."""
    platform: Literal["web", "public", "desktop"] = "web"
    """Microsoft: ``web`` (confidential client, web redirect URIs) or ``public`` (mobile and
    desktop: loopback/native redirects, device code). Google: ``web`` or ``desktop`` client type."""
    audience: Literal["single-tenant", "multi-tenant", "multi-tenant-and-personal", "personal"] = (
        "single-tenant"
    )
    """Microsoft ``signInAudience``: AzureADMyOrg, AzureADMultipleOrgs,
    AzureADandPersonalMicrosoftAccount, PersonalMicrosoftAccount."""
    flow: Literal["delegated", "app-only"] = "delegated"
    """``delegated``: a user signs in and the token acts as that mailbox (refresh token).
    ``app-only``: client credentials, no user (Exchange application permissions)."""
    redirect_uris: list[Uri] | None = None
    """Registered redirect URIs. Omitted: computed from the targets that use the app.
    Given: checked both ways against what the targets send."""
    permissions: list[Text] | None = None
    """API permissions by friendly name (``SMTP.Send``, ``IMAP.AccessAsUser.All``,
    ``offline_access``...). Omitted: computed from the targets."""
    admin_consent: bool | None = None
    """Whether an administrator granted tenant-wide consent."""
    public_client_flows: bool | None = None
    """Entra "Allow public client flows" (needed for device code)."""
    exchange_service_principal: bool | None = None
    """App-only: the app's service principal is registered in Exchange Online
    (``New-ServicePrincipal -AppId <client id> -ObjectId <enterprise app object id>``)."""
    granted_mailboxes: list[Email] | None = None
    """App-only: mailboxes on which the service principal holds ``FullAccess`` (IMAP/POP) or
    ``SendAs`` (SMTP) through ``Add-MailboxPermission`` / ``Add-RecipientPermission``."""
    suppress: Suppressions

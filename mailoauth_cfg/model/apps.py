"""``apps:``: app registrations (Entra ID) and OAuth clients (Google)."""

import datetime as dt
from collections.abc import Iterator
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, Field, SecretStr, StringConstraints, model_validator

from mailoauth_cfg.model._base import (
    DOMAIN_RE,
    GUID_RE,
    Certificate,
    ClientId,
    ClientSecret,
    Email,
    EnvName,
    Guid,
    Name,
    PathText,
    SecretRef,
    StrictModel,
    Suppressions,
    Text,
    Uri,
)
from mailoauth_cfg.records import record

CredentialName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")]
"""How a target names the credential it uses (``credential: s2026``)."""


def _check_home_tenant(value: str) -> str:
    if GUID_RE.fullmatch(value) or DOMAIN_RE.fullmatch(value):
        return value.lower()
    raise ValueError(
        "is not a tenant: expected the directory (tenant) ID as a GUID or a verified "
        "domain such as contoso.onmicrosoft.com (a registration lives in one tenant, not in "
        "common/organizations)"
    )


class Credential(StrictModel):
    """One credential registered on the app: a client secret or a certificate, with its dates.

    An app lists every credential the portal shows (``credentials:``), so that a rotation (a new
    secret added before the old one expires) is written down; each target says which one it
    was given (``targets.<name>.credential``). Live checks match them by ``key_id`` (secrets)
    or ``thumbprint`` (certificates).
    """

    name: CredentialName = Field(examples=["s2026"])
    """How targets refer to it (the portal's *Description* is a good choice)."""
    type: Literal["secret", "certificate"] = "secret"
    """``secret`` (client secret) or ``certificate``."""
    key_id: Guid | None = None
    """The secret ID / certificate key ID shown in the portal (not the value)."""
    thumbprint: Annotated[str, StringConstraints(pattern=r"^[0-9A-Fa-f]{40}$")] | None = None
    """Certificate SHA-1 thumbprint."""
    created: dt.date | None = None
    """Start date (``startDateTime``)."""
    expires: dt.date | None = None
    """End date (``endDateTime``)."""
    env: EnvName | None = None
    """Secret: environment variable holding the value (needed only to render)."""
    file: PathText | None = None
    """Secret: file holding the value."""
    value: SecretStr | None = None
    """The secret itself (discouraged; see rule ``secret-literal``)."""
    key: SecretRef | None = None
    """Certificate: where the private key (PEM) lives, as under ``certificate:``."""
    certificate_file: PathText | None = None
    """Certificate: path of the certificate (PEM)."""

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        sources = [k for k in ("env", "file", "value") if getattr(self, k) is not None]
        if len(sources) > 1:
            raise ValueError(
                f"credential {self.name}: give at most one of `env`, `file` or `value` "
                f"(got {', '.join(sources)})"
            )
        if self.type == "certificate" and sources:
            raise ValueError(
                f"credential {self.name}: a certificate takes its private key as `key:`, as "
                "under `certificate:` (expected key: {file: /path/key.pem})"
            )
        if self.type == "secret" and (
            self.thumbprint is not None or self.certificate_file is not None or self.key is not None
        ):
            raise ValueError(
                f"credential {self.name}: `thumbprint`, `key` and `certificate_file` belong to a "
                "certificate (expected type: certificate)"
            )
        return self

    def reference(self) -> SecretRef | None:
        """Where the secret value (or the certificate's key) is, when given."""
        # Built from fields this model has validated as a SecretRef would (same types, one
        # source at most): constructed, not validated again, which would also build
        # SecretRef's validator at start-up for nothing.
        if self.key is not None:
            return self.key
        if self.env is not None:
            return SecretRef.model_construct(env=self.env)
        if self.file is not None:
            return SecretRef.model_construct(file=self.file)
        if self.value is not None:
            return SecretRef.model_construct(value=self.value)
        return None


@record(hot=True)
class AppCredential:
    """A credential of an app, whichever key declares it (``client_secret``, ``certificate``
    or an entry of ``credentials``)."""

    name: str
    type: Literal["secret", "certificate"]
    path: tuple[str | int, ...]
    """Key path below ``apps.<name>`` (``("client_secret",)``, ``("credentials", 1)``)."""
    key_id: str | None
    thumbprint: str | None
    created: dt.date | None
    expires: dt.date | None
    reference: SecretRef | None
    """Where the value (secret) or the private key (certificate) is."""


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
    credentials: list[Credential] | None = None
    """Every secret and certificate registered on the app, with its dates and key ID (a
    rotation keeps two). Targets name the one they use (``credential:``)."""
    platform: Literal["web", "public", "desktop"] | None = None
    """Microsoft: ``web`` (confidential client, web redirect URIs) or ``public`` (mobile and
    desktop: loopback/native redirects, device code). Google: ``web`` or ``desktop`` client type.
    Omitted: what the app's targets need (rendered so), checked live."""
    audience: (
        Literal["single-tenant", "multi-tenant", "multi-tenant-and-personal", "personal"] | None
    ) = None
    """Microsoft ``signInAudience``: AzureADMyOrg, AzureADMultipleOrgs,
    AzureADandPersonalMicrosoftAccount, PersonalMicrosoftAccount. Omitted: not known (checked
    live); a registration sheet suggests single-tenant."""
    flow: Literal["delegated", "app-only"] | None = None
    """``delegated``: a user signs in and the token acts as that mailbox (refresh token).
    ``app-only``: client credentials, no user (Exchange application permissions). Omitted: the
    flow its targets are configured for."""
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

    @model_validator(mode="after")
    def _unique_credentials(self) -> Self:
        seen: set[str] = set()
        for cred in self.credentials or ():
            if cred.name in seen or cred.name in ("client_secret", "certificate"):
                raise ValueError(
                    f"credential name {cred.name!r} is used twice (client_secret and "
                    "certificate name the credentials of those keys): give each a distinct "
                    "name (expected e.g. name: s2026)"
                )
            seen.add(cred.name)
        return self

    def all_credentials(self) -> Iterator[AppCredential]:
        """Every credential of the app, ``client_secret`` and ``certificate`` first."""
        if self.client_secret is not None:
            s = self.client_secret
            yield AppCredential(
                "client_secret",
                "secret",
                ("client_secret",),
                s.key_id,
                None,
                s.created,
                s.expires,
                # a ClientSecret is a validated SecretRef: its reference is constructed (see
                # Credential.reference)
                SecretRef.model_construct(env=s.env, file=s.file, value=s.value),
            )
        if self.certificate is not None:
            c = self.certificate
            yield AppCredential(
                "certificate",
                "certificate",
                ("certificate",),
                None,
                c.thumbprint,
                None,
                c.expires,
                c.key,
            )
        for index, cred in enumerate(self.credentials or ()):
            yield AppCredential(
                cred.name,
                cred.type,
                ("credentials", index),
                cred.key_id,
                cred.thumbprint,
                cred.created,
                cred.expires,
                cred.reference(),
            )

    def credential(self, name: str) -> AppCredential | None:
        """The credential named ``name`` (or whose key ID or thumbprint it is)."""
        wanted = name.lower()
        for cred in self.all_credentials():
            if wanted in (cred.name.lower(), (cred.key_id or "").lower()) or (
                cred.thumbprint is not None and wanted == cred.thumbprint.lower()
            ):
                return cred
        return None

"""The snapshot: what the live tenants held when they were read. Plain data, JSON, versioned.

One :class:`Snapshot` holds one section per provider type, keyed by the provider's name in the
config: ``snapshot.microsoft["contoso"]`` (a :class:`MicrosoftTenant`), and room for
``snapshot.google["acme"]``. Live rules are pure functions of the config and a snapshot, so a
saved snapshot (``validate --save-snapshot``) can be checked again offline
(``validate --snapshot``).

Three states per fact, so that a rule never mistakes "not read" for "fine":

* the key is present with a value: the object exists and this is what it holds;
* the key is present with ``None`` (or an empty list): it was read and does not exist;
* the key is absent: it could not be read. :meth:`ProviderSnapshot.reason` explains why (the
  ``unavailable`` map, e.g. ``{"users:a@contoso.com": "HTTP 403 ..."}``), and rules turn that
  into a finding of status ``unknown``.

**No secret and no token is ever stored**: the models below list every field kept; credentials
keep their IDs and dates only (not even the three-character ``hint`` Graph returns).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

FORMAT = "mailoauth-cfg-snapshot"
VERSION = 1

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Unknown:
    """A fact that could not be read, with the reason (shown in the ``unknown`` finding)."""

    reason: str


NOT_FETCHED = (
    "not in the snapshot: it was taken before this object was named in the config "
    "(take a new one with `validate --online --save-snapshot FILE`)"
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


# --- Microsoft Graph facts ---------------------------------------------------------------------


class Credential(_Model):
    """A password (client secret) or key (certificate) credential: IDs and dates only."""

    key_id: str | None = None
    display_name: str | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    thumbprint: str | None = None
    """Certificates: SHA-1 thumbprint (hex, upper case) from ``customKeyIdentifier``."""


class ResourceAccess(_Model):
    """One permission an app requests: ``requiredResourceAccess[].resourceAccess[]``."""

    resource_app_id: str
    id: str
    type: Literal["Scope", "Role"] | str


class Application(_Model):
    """An app registration (``GET /applications(appId='…')``)."""

    id: str
    """Object ID of the registration (not the enterprise application)."""
    app_id: str
    display_name: str | None = None
    sign_in_audience: str | None = None
    web_redirect_uris: list[str] = Field(default_factory=list)
    public_client_redirect_uris: list[str] = Field(default_factory=list)
    spa_redirect_uris: list[str] = Field(default_factory=list)
    required_resource_access: list[ResourceAccess] = Field(default_factory=list)
    password_credentials: list[Credential] = Field(default_factory=list)
    key_credentials: list[Credential] = Field(default_factory=list)
    is_fallback_public_client: bool | None = None
    """"Allow public client flows" (device code, ROPC)."""


class ServicePrincipal(_Model):
    """An enterprise application (``GET /servicePrincipals(appId='…')``)."""

    id: str
    app_id: str
    display_name: str | None = None
    account_enabled: bool | None = None


class PermissionTable(_Model):
    """A resource service principal's permissions (Graph or Exchange Online): value by id."""

    sp_id: str
    app_id: str
    display_name: str | None = None
    scopes: dict[str, str] = Field(default_factory=dict)
    """Delegated scopes: GUID (lower case) -> value (``SMTP.Send``)."""
    roles: dict[str, str] = Field(default_factory=dict)
    """Application roles: GUID (lower case) -> value (``IMAP.AccessAsApp``)."""

    def ids_of(self, name: str, kind: Literal["Scope", "Role"]) -> set[str]:
        """GUIDs whose value is ``name`` (case-insensitive)."""
        table = self.scopes if kind == "Scope" else self.roles
        wanted = name.lower()
        return {guid for guid, value in table.items() if value.lower() == wanted}


class PermissionGrant(_Model):
    """A delegated permission grant (``oAuth2PermissionGrant``)."""

    id: str | None = None
    client_id: str
    consent_type: str | None = None
    principal_id: str | None = None
    resource_id: str
    scope: str = ""

    @property
    def scopes(self) -> set[str]:
        """Lower-case scope values."""
        return {s.lower() for s in self.scope.split()}


class AppRoleAssignment(_Model):
    """An application permission granted to a service principal."""

    id: str | None = None
    app_role_id: str
    resource_id: str
    principal_id: str | None = None
    resource_display_name: str | None = None


class AssignedPlan(_Model):
    """One service plan of a user's licences."""

    service: str | None = None
    capability_status: str | None = None
    service_plan_id: str | None = None


class DirectoryUser(_Model):
    """A user from Graph (``GET /users/{upn}?$select=…``)."""

    id: str
    user_principal_name: str | None = None
    mail: str | None = None
    proxy_addresses: list[str] = Field(default_factory=list)
    account_enabled: bool | None = None
    user_type: str | None = None
    assigned_plans: list[AssignedPlan] = Field(default_factory=list)

    @property
    def primary_smtp(self) -> str | None:
        """The ``SMTP:`` (upper-case prefix) proxy address, else ``mail``."""
        for address in self.proxy_addresses:
            if address.startswith("SMTP:"):
                return address[5:]
        return self.mail

    @property
    def smtp_addresses(self) -> set[str]:
        """Every SMTP address of the user (primary and aliases), lower case."""
        found = {a[5:].lower() for a in self.proxy_addresses if a.lower().startswith("smtp:")}
        if self.mail:
            found.add(self.mail.lower())
        return found

    @property
    def exchange_licensed(self) -> bool:
        """Whether an Exchange Online service plan is enabled."""
        return any(
            (p.service or "").lower() == "exchange"
            and (p.capability_status or "").lower() == "enabled"
            for p in self.assigned_plans
        )


class MailboxSettings(_Model):
    """``GET /users/{id}/mailboxSettings?$select=userPurpose``."""

    user_purpose: str | None = None


# --- Exchange Online facts --------------------------------------------------------------------


class TransportConfig(_Model):
    """``Get-TransportConfig``: the organisation-wide SMTP AUTH switch."""

    smtp_client_authentication_disabled: bool | None = None


class CasMailbox(_Model):
    """``Get-CASMailbox``: per-mailbox protocol switches."""

    identity: str | None = None
    primary_smtp_address: str | None = None
    smtp_client_authentication_disabled: bool | None = None
    """``None`` ($null): the organisation's setting applies."""
    imap_enabled: bool | None = None
    pop_enabled: bool | None = None


class Mailbox(_Model):
    """``Get-Mailbox``: the mailbox type."""

    identity: str | None = None
    primary_smtp_address: str | None = None
    recipient_type_details: str | None = None
    external_directory_object_id: str | None = None


class ExchangeServicePrincipal(_Model):
    """``Get-ServicePrincipal``: an app registered in Exchange Online (``New-ServicePrincipal``)."""

    app_id: str
    object_id: str | None = None
    display_name: str | None = None
    identity: str | None = None


class MailboxPermission(_Model):
    """One ``Get-MailboxPermission`` entry."""

    user: str
    access_rights: list[str] = Field(default_factory=list)
    deny: bool = False
    is_inherited: bool = False


class RecipientPermission(_Model):
    """One ``Get-RecipientPermission`` entry."""

    trustee: str
    access_rights: list[str] = Field(default_factory=list)
    access_control_type: str = "Allow"


# --- Provider sections ------------------------------------------------------------------------


def _look(
    owner: ProviderSnapshot, collection: str, table: Mapping[str, T], key: str
) -> T | Unknown:
    folded = key.lower()
    if folded in table:
        return table[folded]
    return Unknown(owner.reason(collection, folded))


class ProviderSnapshot(_Model):
    """What every provider section has: when it was read and what could not be."""

    taken_at: dt.datetime | None = None
    unavailable: dict[str, str] = Field(default_factory=dict)
    """Fact key -> why it could not be read. Keys: ``*`` (the whole provider), a service
    (``graph``, ``exchange``), a collection (``users``) or ``collection:key``."""

    def reason(self, collection: str, key: str = "") -> str:
        """Why ``collection:key`` is missing, from the most to the least specific record."""
        service = _SERVICE_OF.get(collection, "")
        for candidate in (f"{collection}:{key}", collection, service, "*"):
            if candidate and candidate in self.unavailable:
                return self.unavailable[candidate]
        return NOT_FETCHED

    @property
    def failed(self) -> str | None:
        """Reason when nothing at all could be read (credentials, tenant), else ``None``."""
        return self.unavailable.get("*")


_SERVICE_OF = {
    "applications": "graph",
    "service_principals": "graph",
    "grants": "graph",
    "app_role_assignments": "graph",
    "resources": "graph",
    "users": "graph",
    "mailbox_settings": "graph",
    "transport_config": "exchange",
    "cas_mailboxes": "exchange",
    "mailboxes": "exchange",
    "exchange_service_principals": "exchange",
    "mailbox_permissions": "exchange",
    "recipient_permissions": "exchange",
}


class MicrosoftTenant(ProviderSnapshot):
    """One Entra ID tenant and its Exchange Online organisation, as far as the config names it.

    Keys are lower case: app IDs (client IDs), service principal object IDs, e-mail addresses.
    """

    type: Literal["microsoft"] = "microsoft"
    tenant: str
    cloud: str = "global"
    applications: dict[str, Application | None] = Field(default_factory=dict)
    service_principals: dict[str, ServicePrincipal | None] = Field(default_factory=dict)
    """By app ID."""
    grants: dict[str, list[PermissionGrant]] = Field(default_factory=dict)
    """By client service principal object ID."""
    app_role_assignments: dict[str, list[AppRoleAssignment]] = Field(default_factory=dict)
    """By service principal object ID."""
    resources: dict[str, PermissionTable | None] = Field(default_factory=dict)
    """Resource service principals (Graph, Exchange Online) by app ID."""
    users: dict[str, DirectoryUser | None] = Field(default_factory=dict)
    """By the address named in the config."""
    mailbox_settings: dict[str, MailboxSettings | None] = Field(default_factory=dict)
    transport_config: TransportConfig | None = None
    cas_mailboxes: dict[str, CasMailbox | None] = Field(default_factory=dict)
    mailboxes: dict[str, Mailbox | None] = Field(default_factory=dict)
    exchange_service_principals: dict[str, ExchangeServicePrincipal | None] = Field(
        default_factory=dict
    )
    """By app ID."""
    mailbox_permissions: dict[str, list[MailboxPermission]] = Field(default_factory=dict)
    recipient_permissions: dict[str, list[RecipientPermission]] = Field(default_factory=dict)

    # Lookups: value, None (read: does not exist) or Unknown (not read).
    def application(self, app_id: str) -> Application | Unknown | None:
        """The app registration of ``app_id``."""
        return _look(self, "applications", self.applications, app_id)

    def service_principal(self, app_id: str) -> ServicePrincipal | Unknown | None:
        """The enterprise application of ``app_id``."""
        return _look(self, "service_principals", self.service_principals, app_id)

    def grants_of(self, sp_id: str) -> list[PermissionGrant] | Unknown:
        """Delegated grants whose client is the service principal ``sp_id``."""
        return _look(self, "grants", self.grants, sp_id)

    def assignments_of(self, sp_id: str) -> list[AppRoleAssignment] | Unknown:
        """Application permissions granted to the service principal ``sp_id``."""
        return _look(self, "app_role_assignments", self.app_role_assignments, sp_id)

    def resource(self, app_id: str) -> PermissionTable | Unknown | None:
        """The permission table of the resource ``app_id`` (Graph or Exchange Online)."""
        return _look(self, "resources", self.resources, app_id)

    def user(self, email: str) -> DirectoryUser | Unknown | None:
        """The directory user behind ``email``."""
        return _look(self, "users", self.users, email)

    def settings_of(self, email: str) -> MailboxSettings | Unknown | None:
        """Mailbox settings (``userPurpose``) of ``email``."""
        return _look(self, "mailbox_settings", self.mailbox_settings, email)

    def transport(self) -> TransportConfig | Unknown:
        """The organisation's transport config."""
        if self.transport_config is not None:
            return self.transport_config
        return Unknown(self.reason("transport_config"))

    def cas_mailbox(self, email: str) -> CasMailbox | Unknown | None:
        """``Get-CASMailbox`` of ``email``."""
        return _look(self, "cas_mailboxes", self.cas_mailboxes, email)

    def mailbox(self, email: str) -> Mailbox | Unknown | None:
        """``Get-Mailbox`` of ``email``."""
        return _look(self, "mailboxes", self.mailboxes, email)

    def exchange_service_principal(self, app_id: str) -> ExchangeServicePrincipal | Unknown | None:
        """``Get-ServicePrincipal`` entry of ``app_id``."""
        return _look(self, "exchange_service_principals", self.exchange_service_principals, app_id)

    def mailbox_permissions_of(self, email: str) -> list[MailboxPermission] | Unknown:
        """``Get-MailboxPermission`` entries of ``email``."""
        return _look(self, "mailbox_permissions", self.mailbox_permissions, email)

    def recipient_permissions_of(self, email: str) -> list[RecipientPermission] | Unknown:
        """``Get-RecipientPermission`` entries of ``email``."""
        return _look(self, "recipient_permissions", self.recipient_permissions, email)


# --- Google Workspace facts -------------------------------------------------------------------


class GoogleUser(_Model):
    """A Directory user (``users.get``, projection ``basic``)."""

    id: str | None = None
    primary_email: str
    aliases: list[str] = Field(default_factory=list)
    """``aliases`` and ``nonEditableAliases``, lower case."""
    suspended: bool | None = None
    suspension_reason: str | None = None
    archived: bool | None = None
    is_enrolled_in_2sv: bool | None = None
    is_enforced_in_2sv: bool | None = None
    is_mailbox_setup: bool | None = None
    org_unit_path: str | None = None


class GoogleToken(_Model):
    """An OAuth client a user has granted access (``tokens.list`` entry). The API returns no
    token value: client ID and scopes only."""

    client_id: str
    scopes: list[str] = Field(default_factory=list)
    display_text: str | None = None
    native_app: bool | None = None
    anonymous: bool | None = None


class AppPassword(_Model):
    """An app password (``asps.list`` entry): its ID, name and dates, never the password (the
    API does not return it)."""

    code_id: int | None = None
    name: str | None = None
    created: dt.datetime | None = None
    last_used: dt.datetime | None = None


class SendAs(_Model):
    """A Gmail send-as identity (``settings.sendAs.get``); no SMTP relay credential is kept."""

    send_as_email: str
    is_primary: bool | None = None
    treat_as_alias: bool | None = None
    verification_status: str | None = None


class ImapSettings(_Model):
    """Gmail ``settings.getImap``."""

    enabled: bool | None = None


class PopSettings(_Model):
    """Gmail ``settings.getPop``: ``accessWindow`` (``disabled``, ``allMail``, ``fromNowOn``)."""

    access_window: str | None = None


_GOOGLE_SERVICE_OF = {
    "users": "directory",
    "tokens": "directory",
    "app_passwords": "directory",
    "imap": "gmail",
    "pop": "gmail",
    "send_as": "gmail",
    "services": "serviceusage",
}


class GoogleDomain(ProviderSnapshot):
    """One Google Workspace domain (or consumer accounts), as far as the config names it.

    Keys are lower case: e-mail addresses; ``send_as`` by ``mailbox/sender``; ``services`` by
    ``project-number/service`` (``412345678901/gmail.googleapis.com``). ``tokens`` keeps only
    the grants of client IDs the config names. Services in ``unavailable``: ``directory``,
    ``gmail``, ``serviceusage``.
    """

    type: Literal["google"] = "google"
    domain: str | None = None
    account: str = "workspace"
    users: dict[str, GoogleUser | None] = Field(default_factory=dict)
    tokens: dict[str, list[GoogleToken]] = Field(default_factory=dict)
    app_passwords: dict[str, list[AppPassword]] = Field(default_factory=dict)
    imap: dict[str, ImapSettings | None] = Field(default_factory=dict)
    pop: dict[str, PopSettings | None] = Field(default_factory=dict)
    send_as: dict[str, SendAs | None] = Field(default_factory=dict)
    services: dict[str, str | None] = Field(default_factory=dict)
    """Service state (``ENABLED``, ``DISABLED``); ``None``: the project does not exist."""

    def reason(self, collection: str, key: str = "") -> str:
        """Why ``collection:key`` is missing, from the most to the least specific record."""
        service = _GOOGLE_SERVICE_OF.get(collection, "")
        for candidate in (f"{collection}:{key}", collection, service, "*"):
            if candidate and candidate in self.unavailable:
                return self.unavailable[candidate]
        return NOT_FETCHED

    # Lookups: value, None (read: does not exist) or Unknown (not read).
    def user(self, email: str) -> GoogleUser | Unknown | None:
        """The Directory user behind ``email`` (a primary address or an alias)."""
        return _look(self, "users", self.users, email)

    def tokens_of(self, email: str) -> list[GoogleToken] | Unknown:
        """Grants of the named client IDs by ``email``."""
        return _look(self, "tokens", self.tokens, email)

    def app_passwords_of(self, email: str) -> list[AppPassword] | Unknown:
        """App passwords of ``email``."""
        return _look(self, "app_passwords", self.app_passwords, email)

    def imap_of(self, email: str) -> ImapSettings | Unknown | None:
        """IMAP settings of ``email`` (``None``: no Gmail mailbox)."""
        return _look(self, "imap", self.imap, email)

    def pop_of(self, email: str) -> PopSettings | Unknown | None:
        """POP settings of ``email`` (``None``: no Gmail mailbox)."""
        return _look(self, "pop", self.pop, email)

    def send_as_of(self, mailbox: str, sender: str) -> SendAs | Unknown | None:
        """The send-as identity ``sender`` of ``mailbox`` (``None``: not allowed)."""
        return _look(self, "send_as", self.send_as, f"{mailbox}/{sender}")

    def service_state(self, project: str, service: str) -> str | Unknown | None:
        """State of ``service`` in ``project`` (``None``: no such project)."""
        return _look(self, "services", self.services, f"{project}/{service}")


class Snapshot(_Model):
    """Everything fetched for one run: one section per provider, by the provider's name."""

    format: Literal["mailoauth-cfg-snapshot"] = "mailoauth-cfg-snapshot"
    version: Literal[1] = 1
    tool_version: str = ""
    taken_at: dt.datetime | None = None
    microsoft: dict[str, MicrosoftTenant] = Field(default_factory=dict)
    google: dict[str, GoogleDomain] = Field(default_factory=dict)

    def merged(self, other: Snapshot) -> Snapshot:
        """This snapshot with ``other``'s provider sections added (``other`` wins on clashes)."""
        return self.model_copy(
            update={
                "microsoft": {**self.microsoft, **other.microsoft},
                "google": {**self.google, **other.google},
            }
        )

    def to_json(self) -> str:
        """The JSON text written by ``--save-snapshot`` (stable key order)."""
        return self.model_dump_json(indent=1, exclude_defaults=False) + "\n"

    @classmethod
    def from_json(cls, text: str | bytes) -> Snapshot:
        """Parse a saved snapshot; ``ValueError`` with a readable message when it is not one."""
        import json

        from pydantic import ValidationError

        try:
            raw = json.loads(text)
        except ValueError as exc:
            raise ValueError(f"not JSON: {exc}") from None
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise ValueError(f'not a mailoauth-cfg snapshot (no "format": "{FORMAT}")')
        if raw.get("version") != VERSION:
            raise ValueError(
                f"snapshot version {raw.get('version')!r} is not supported (expected {VERSION})"
            )
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ValueError(f"invalid snapshot at {where}: {first['msg']}") from None

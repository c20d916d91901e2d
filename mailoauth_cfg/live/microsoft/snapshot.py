"""The Microsoft section of a snapshot: one Entra ID tenant and its Exchange Online
organisation, as far as the config names them (:class:`MicrosoftTenant`).

**No secret and no token is ever stored**: the models below list every field kept; credentials
keep their key ID, name, dates, thumbprint and the three-character ``hint`` Graph returns (what
the Entra portal shows to tell secrets apart), never a value.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from pydantic import Field

from mailoauth_cfg.live.facts import FactModel as _Model
from mailoauth_cfg.live.facts import ProviderSnapshot, Unknown, observed
from mailoauth_cfg.model._base import new_dict, new_list

# --- Graph facts ---------------------------------------------------------------------


class Credential(_Model):
    """A password (client secret) or key (certificate) credential: IDs and dates, never a value."""

    key_id: str | None = None
    hint: str | None = None
    """Secrets: the first three characters, as Graph and the portal show them (never more is
    kept)."""
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
    web_redirect_uris: list[str] = Field(default_factory=new_list)
    public_client_redirect_uris: list[str] = Field(default_factory=new_list)
    spa_redirect_uris: list[str] = Field(default_factory=new_list)
    required_resource_access: list[ResourceAccess] = Field(default_factory=new_list)
    password_credentials: list[Credential] = Field(default_factory=new_list)
    key_credentials: list[Credential] = Field(default_factory=new_list)
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
    scopes: dict[str, str] = Field(default_factory=new_dict)
    """Delegated scopes: GUID (lower case) -> value (``SMTP.Send``)."""
    roles: dict[str, str] = Field(default_factory=new_dict)
    """Application roles: GUID (lower case) -> value (``IMAP.AccessAsApp``)."""

    def ids_of(self, name: str, kind: Literal["Scope", "Role"]) -> set[str]:
        """GUIDs whose value is ``name`` (case-insensitive)."""
        table = self.scopes if kind == "Scope" else self.roles
        wanted = name.lower()
        return {guid for guid, value in table.items() if value.lower() == wanted}


class AuthorizationPolicy(_Model):
    """The tenant's user-consent setting (``GET /policies/authorizationPolicy``,
    ``defaultUserRolePermissions.permissionGrantPoliciesAssigned``)."""

    permission_grant_policies_assigned: list[str] = Field(default_factory=new_list)
    """``ManagePermissionGrantsForSelf.<policy>`` entries: ``microsoft-user-default-legacy``
    (users consent to any permission that needs no admin), ``microsoft-user-default-low``
    (only to permissions classified low impact, for apps of this organisation or of verified
    publishers), a custom policy ID, or none (user consent disabled)."""

    @property
    def self_consent_policies(self) -> list[str]:
        """The policy IDs that let users consent for themselves (empty: disabled)."""
        prefix = "managepermissiongrantsforself."
        return [
            p[len(prefix) :] for p in self.permission_grant_policies_assigned
            if p.lower().startswith(prefix)
        ]  # fmt: skip


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
    proxy_addresses: list[str] = Field(default_factory=new_list)
    account_enabled: bool | None = None
    user_type: str | None = None
    assigned_plans: list[AssignedPlan] = Field(default_factory=new_list)

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
    access_rights: list[str] = Field(default_factory=new_list)
    deny: bool = False
    is_inherited: bool = False


class RecipientPermission(_Model):
    """One ``Get-RecipientPermission`` entry."""

    trustee: str
    access_rights: list[str] = Field(default_factory=new_list)
    access_control_type: str = "Allow"


class ManagementRoleAssignment(_Model):
    """One ``Get-ManagementRoleAssignment`` entry (RBAC for Applications: a role given to an
    app's Exchange service principal, optionally limited to a management scope)."""

    name: str | None = None
    role: str
    role_assignee: str | None = None
    role_assignee_name: str | None = None
    role_assignee_type: str | None = None
    custom_resource_scope: str | None = None
    recipient_write_scope: str | None = None
    enabled: bool | None = None

    def held_by(self, names: set[str]) -> bool:
        """Whether the assignee is one of ``names`` (lower case) and the assignment enabled."""
        return self.enabled is not False and any(
            (value or "").lower() in names
            for value in (self.role_assignee, self.role_assignee_name)
        )


class ManagementScope(_Model):
    """A ``Get-ManagementScope`` entry: which recipients a scoped role assignment reaches."""

    name: str
    recipient_restriction_filter: str | None = None


class ServicePrincipalAuthorization(_Model):
    """One ``Test-ServicePrincipalAuthorization -Resource <mailbox>`` row: whether a role of the
    app's service principal reaches that mailbox."""

    role_name: str
    in_scope: bool | None = None
    allowed_resource_scope: str | None = None
    scope_type: str | None = None


SERVICE_OF = {
    "applications": "graph",
    "service_principals": "graph",
    "grants": "graph",
    "app_role_assignments": "graph",
    "resources": "graph",
    "low_impact": "graph",
    "authorization_policy": "graph",
    "users": "graph",
    "mailbox_settings": "graph",
    "transport_config": "exchange",
    "cas_mailboxes": "exchange",
    "mailboxes": "exchange",
    "exchange_service_principals": "exchange",
    "mailbox_permissions": "exchange",
    "recipient_permissions": "exchange",
    "role_assignments": "exchange",
    "management_scopes": "exchange",
    "authorizations": "exchange",
}


class MicrosoftTenant(ProviderSnapshot):
    """One Entra ID tenant and its Exchange Online organisation, as far as the config names it.

    Keys are lower case: app IDs (client IDs), service principal object IDs, e-mail addresses.
    """

    SERVICES: ClassVar[dict[str, str]] = SERVICE_OF

    type: Literal["microsoft"] = "microsoft"
    tenant: str
    cloud: str = "global"
    applications: dict[str, Application | None] = Field(default_factory=new_dict)
    service_principals: dict[str, ServicePrincipal | None] = Field(default_factory=new_dict)
    """By app ID."""
    grants: dict[str, list[PermissionGrant]] = Field(default_factory=new_dict)
    """By client service principal object ID."""
    app_role_assignments: dict[str, list[AppRoleAssignment]] = Field(default_factory=new_dict)
    """By service principal object ID."""
    resources: dict[str, PermissionTable | None] = Field(default_factory=new_dict)
    """Resource service principals (Graph, Exchange Online) by app ID."""
    low_impact: dict[str, list[str]] = Field(default_factory=new_dict)
    """Delegated permissions the tenant classified ``low`` impact, by resource app ID: their
    values (``User.Read``), lower case (``delegatedPermissionClassifications``)."""
    authorization_policy: AuthorizationPolicy | None = None
    """The user-consent setting (``None``: not read)."""
    users: dict[str, DirectoryUser | None] = Field(default_factory=new_dict)
    """By the address named in the config."""
    mailbox_settings: dict[str, MailboxSettings | None] = Field(default_factory=new_dict)
    transport_config: TransportConfig | None = None
    cas_mailboxes: dict[str, CasMailbox | None] = Field(default_factory=new_dict)
    mailboxes: dict[str, Mailbox | None] = Field(default_factory=new_dict)
    exchange_service_principals: dict[str, ExchangeServicePrincipal | None] = Field(
        default_factory=new_dict
    )
    """By app ID."""
    mailbox_permissions: dict[str, list[MailboxPermission]] = Field(default_factory=new_dict)
    recipient_permissions: dict[str, list[RecipientPermission]] = Field(default_factory=new_dict)
    role_assignments: dict[str, list[ManagementRoleAssignment]] = Field(default_factory=new_dict)
    """By role name, lower case (``application smtp.sendasapp``)."""
    management_scopes: dict[str, ManagementScope | None] = Field(default_factory=new_dict)
    """By scope name, lower case."""
    authorizations: dict[str, list[ServicePrincipalAuthorization]] = Field(default_factory=new_dict)
    """By ``<app ID>/<mailbox>``: ``Test-ServicePrincipalAuthorization`` rows."""

    # Lookups: value, None (read: does not exist) or Unknown (not read).
    def application(self, app_id: str) -> Application | Unknown | None:
        """The app registration of ``app_id``."""
        return self.look("applications", self.applications, app_id)

    def service_principal(self, app_id: str) -> ServicePrincipal | Unknown | None:
        """The enterprise application of ``app_id``."""
        return self.look("service_principals", self.service_principals, app_id)

    def grants_of(self, sp_id: str) -> list[PermissionGrant] | Unknown:
        """Delegated grants whose client is the service principal ``sp_id``."""
        return self.look("grants", self.grants, sp_id)

    def assignments_of(self, sp_id: str) -> list[AppRoleAssignment] | Unknown:
        """Application permissions granted to the service principal ``sp_id``."""
        return self.look("app_role_assignments", self.app_role_assignments, sp_id)

    def resource(self, app_id: str) -> PermissionTable | Unknown | None:
        """The permission table of the resource ``app_id`` (Graph or Exchange Online)."""
        return self.look("resources", self.resources, app_id)

    def low_impact_of(self, app_id: str) -> list[str] | Unknown:
        """Delegated permissions classified low impact on the resource ``app_id``."""
        return self.look("low_impact", self.low_impact, app_id)

    def consent_policy(self) -> AuthorizationPolicy | Unknown:
        """The tenant's user-consent setting."""
        found: AuthorizationPolicy | Unknown = (
            self.authorization_policy
            if self.authorization_policy is not None
            else Unknown(self.reason("authorization_policy"))
        )
        return observed("authorization_policy", "", found)

    def user(self, email: str) -> DirectoryUser | Unknown | None:
        """The directory user behind ``email``."""
        return self.look("users", self.users, email)

    def settings_of(self, email: str) -> MailboxSettings | Unknown | None:
        """Mailbox settings (``userPurpose``) of ``email``."""
        return self.look("mailbox_settings", self.mailbox_settings, email)

    def transport(self) -> TransportConfig | Unknown:
        """The organisation's transport config."""
        found: TransportConfig | Unknown = (
            self.transport_config
            if self.transport_config is not None
            else Unknown(self.reason("transport_config"))
        )
        return observed("transport_config", "", found)

    def cas_mailbox(self, email: str) -> CasMailbox | Unknown | None:
        """``Get-CASMailbox`` of ``email``."""
        return self.look("cas_mailboxes", self.cas_mailboxes, email)

    def mailbox(self, email: str) -> Mailbox | Unknown | None:
        """``Get-Mailbox`` of ``email``."""
        return self.look("mailboxes", self.mailboxes, email)

    def exchange_service_principal(self, app_id: str) -> ExchangeServicePrincipal | Unknown | None:
        """``Get-ServicePrincipal`` entry of ``app_id``."""
        return self.look("exchange_service_principals", self.exchange_service_principals, app_id)

    def mailbox_permissions_of(self, email: str) -> list[MailboxPermission] | Unknown:
        """``Get-MailboxPermission`` entries of ``email``."""
        return self.look("mailbox_permissions", self.mailbox_permissions, email)

    def role_assignments_of(self, role: str) -> list[ManagementRoleAssignment] | Unknown:
        """``Get-ManagementRoleAssignment -Role <role>`` entries (every assignee)."""
        return self.look("role_assignments", self.role_assignments, role)

    def management_scope(self, name: str) -> ManagementScope | Unknown | None:
        """``Get-ManagementScope -Identity <name>``."""
        return self.look("management_scopes", self.management_scopes, name)

    def authorization(
        self, app_id: str, mailbox: str
    ) -> list[ServicePrincipalAuthorization] | Unknown:
        """``Test-ServicePrincipalAuthorization`` of the app's service principal on ``mailbox``."""
        return self.look("authorizations", self.authorizations, f"{app_id}/{mailbox}")

    def recipient_permissions_of(self, email: str) -> list[RecipientPermission] | Unknown:
        """``Get-RecipientPermission`` entries of ``email``."""
        return self.look("recipient_permissions", self.recipient_permissions, email)

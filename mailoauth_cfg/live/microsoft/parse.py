"""Service answers -> snapshot models: Graph objects through kiota's parse nodes (strict about
GUIDs, as the SDK is), Exchange cmdlet objects from their JSON.

Imported only on the ``--online`` path (kiota and msgraph's nested models are loaded lazily by
the views).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from mailoauth_cfg.live import snapshot as snap
from mailoauth_cfg.live.microsoft.errors import LiveReadError, describe, error_text

T = TypeVar("T")


@dataclass(slots=True)
class Item:
    """One Graph read's result: status and JSON body."""

    status: int
    body: Any


def ok_body(item: Item, what: str) -> dict[str, Any]:
    """The JSON object of a 2xx result; ``LiveReadError`` otherwise."""
    if 200 <= item.status < 300:
        if not isinstance(item.body, dict):
            raise LiveReadError(f"{what}: malformed response (the body is not a JSON object)")
        return item.body
    raise LiveReadError(f"{what}: {error_text(item.status, item.body)}")


def parse(body: dict[str, Any], factory: type[T], what: str) -> T:
    from kiota_serialization_json.json_parse_node import JsonParseNode

    try:
        parsed: T = JsonParseNode(body).get_object_value(factory)  # type: ignore[arg-type]
        return parsed
    except Exception as exc:
        raise LiveReadError(f"{what}: malformed response ({describe(exc)})") from None


class View:
    """Only the properties the checker selects, parsed by kiota's JSON parse node.

    msgraph's entity models (``User``, ``Application``, ``ServicePrincipal``…) are not used for
    parsing: in msgraph-sdk 1.65 ``Entity.get_field_deserializers`` executes 2,074 import
    statements on every call, so each entity costs 4-7 ms of CPU, which would dominate a check
    of thousands of mailboxes. A view declares the selected fields with the same kiota readers
    and the SDK's own nested models (``PasswordCredential``, ``RequiredResourceAccess``,
    ``AppRole``, ``AssignedPlan``…), so GUIDs are parsed as strictly (a malformed ``keyId``
    still fails the read), at about 0.05 ms per object.
    """

    FIELDS: ClassVar[dict[str, tuple[str, str, str | None]]] = {}
    """JSON name -> (attribute, reader, SDK model for objects and collections)."""
    _readers: ClassVar[dict[str, Callable[[View, Any], None]]]

    def __init__(self) -> None:
        self.additional_data: dict[str, Any] = {}
        for attribute, _, _ in self.FIELDS.values():
            setattr(self, attribute, None)

    if TYPE_CHECKING:  # the FIELDS attributes, set in __init__

        def __getattr__(self, name: str) -> Any: ...

    @classmethod
    def create_from_discriminator_value(cls, parse_node: Any) -> View:
        """Kiota factory."""
        return cls()

    def get_field_deserializers(self) -> dict[str, Callable[[Any], None]]:
        """Kiota field map (the readers are compiled once per view class)."""
        readers = type(self)._compiled()
        return {name: partial(read, self) for name, read in readers.items()}

    @classmethod
    def _compiled(cls) -> dict[str, Callable[[View, Any], None]]:
        found: dict[str, Callable[[View, Any], None]] | None = cls.__dict__.get("_readers")
        if found is None:
            found = {name: _reader(*spec) for name, spec in cls.FIELDS.items()}
            cls._readers = found
        return found

    def serialize(self, writer: Any) -> None:
        """Never serialised (read-only)."""
        raise NotImplementedError


def _reader(attribute: str, kind: str, model: str | None) -> Callable[[View, Any], None]:
    """``read(view, node)`` setting ``attribute`` from a kiota parse node."""
    factory = _model(model) if model is not None else None
    getters: dict[str, Callable[[Any], Any]] = {
        "str": lambda node: node.get_str_value(),
        "bool": lambda node: node.get_bool_value(),
        "uuid": lambda node: node.get_uuid_value(),
        "strs": lambda node: node.get_collection_of_primitive_values(str),
        "enum": lambda node: node.get_enum_value(factory),
        "object": lambda node: node.get_object_value(factory),
        "objects": lambda node: node.get_collection_of_object_values(factory),
    }
    get = getters[kind]

    def read(view: View, node: Any) -> None:
        setattr(view, attribute, get(node))

    return read


def _model(name: str) -> Any:
    import importlib

    if name.startswith("live:"):
        return globals()[name[5:]]
    module, _, cls = name.rpartition(".")
    return getattr(importlib.import_module(f"msgraph.generated.models.{module}"), cls)


class ApplicationView(View):
    """An application's selected properties."""

    FIELDS: ClassVar[dict[str, tuple[str, str, str | None]]] = {
        "id": ("id", "str", None),
        "appId": ("app_id", "str", None),
        "displayName": ("display_name", "str", None),
        "signInAudience": ("sign_in_audience", "str", None),
        "web": ("web", "object", "web_application.WebApplication"),
        "publicClient": (
            "public_client",
            "object",
            "public_client_application.PublicClientApplication",
        ),
        "spa": ("spa", "object", "spa_application.SpaApplication"),
        "requiredResourceAccess": (
            "required_resource_access",
            "objects",
            "required_resource_access.RequiredResourceAccess",
        ),
        "passwordCredentials": (
            "password_credentials",
            "objects",
            "password_credential.PasswordCredential",
        ),
        "keyCredentials": ("key_credentials", "objects", "key_credential.KeyCredential"),
        "isFallbackPublicClient": ("is_fallback_public_client", "bool", None),
    }


class ServicePrincipalView(View):
    """A service principal's selected properties."""

    FIELDS: ClassVar[dict[str, tuple[str, str, str | None]]] = {
        "id": ("id", "str", None),
        "appId": ("app_id", "str", None),
        "displayName": ("display_name", "str", None),
        "accountEnabled": ("account_enabled", "bool", None),
        "appRoles": ("app_roles", "objects", "app_role.AppRole"),
        "oauth2PermissionScopes": (
            "oauth2_permission_scopes",
            "objects",
            "permission_scope.PermissionScope",
        ),
    }


class GrantView(View):
    """An ``oAuth2PermissionGrant``."""

    FIELDS: ClassVar[dict[str, tuple[str, str, str | None]]] = {
        "id": ("id", "str", None),
        "clientId": ("client_id", "str", None),
        "consentType": ("consent_type", "str", None),
        "principalId": ("principal_id", "str", None),
        "resourceId": ("resource_id", "str", None),
        "scope": ("scope", "str", None),
    }


class AssignmentView(View):
    """An ``appRoleAssignment`` (its IDs are GUIDs, parsed strictly)."""

    FIELDS: ClassVar[dict[str, tuple[str, str, str | None]]] = {
        "id": ("id", "str", None),
        "appRoleId": ("app_role_id", "uuid", None),
        "resourceId": ("resource_id", "uuid", None),
        "principalId": ("principal_id", "uuid", None),
        "resourceDisplayName": ("resource_display_name", "str", None),
    }


class ClassificationView(View):
    """A ``delegatedPermissionClassification``."""

    FIELDS: ClassVar[dict[str, tuple[str, str, str | None]]] = {
        "permissionId": ("permission_id", "uuid", None),
        "permissionName": ("permission_name", "str", None),
        "classification": (
            "classification",
            "enum",
            "permission_classification_type.PermissionClassificationType",
        ),
    }


class AuthorizationPolicyView(View):
    """The ``authorizationPolicy``: its default user role permissions."""

    FIELDS: ClassVar[dict[str, tuple[str, str, str | None]]] = {
        "defaultUserRolePermissions": (
            "default_user_role_permissions",
            "object",
            "default_user_role_permissions.DefaultUserRolePermissions",
        ),
    }


class UserView(View):
    """A user's selected properties."""

    FIELDS: ClassVar[dict[str, tuple[str, str, str | None]]] = {
        "id": ("id", "str", None),
        "userPrincipalName": ("user_principal_name", "str", None),
        "mail": ("mail", "str", None),
        "proxyAddresses": ("proxy_addresses", "strs", None),
        "accountEnabled": ("account_enabled", "bool", None),
        "userType": ("user_type", "str", None),
        "assignedPlans": ("assigned_plans", "objects", "live:AssignedPlanView"),
    }


class AssignedPlanView(View):
    """An ``assignedPlan`` (its ``servicePlanId`` is a GUID, parsed strictly)."""

    FIELDS: ClassVar[dict[str, tuple[str, str, str | None]]] = {
        "service": ("service", "str", None),
        "capabilityStatus": ("capability_status", "str", None),
        "servicePlanId": ("service_plan_id", "uuid", None),
    }


class MailboxSettingsView(View):
    """``mailboxSettings`` with ``userPurpose`` read as the SDK's ``UserPurpose`` enum."""

    FIELDS: ClassVar[dict[str, tuple[str, str, str | None]]] = {
        "userPurpose": ("user_purpose", "enum", "user_purpose.UserPurpose"),
    }


def lower(value: Any) -> str | None:
    """``str(value).lower()``, keeping ``None``."""
    return None if value is None else str(value).lower()


def _credentials(items: Any, *, certificates: bool) -> list[snap.Credential]:
    out: list[snap.Credential] = []
    for c in items or []:
        thumb = None
        hint = None
        if certificates and c.custom_key_identifier:
            thumb = bytes(c.custom_key_identifier).hex().upper()
        if not certificates and c.hint:
            hint = str(c.hint)[:3]  # the portal's hint; nothing more of a secret is kept
        out.append(
            snap.Credential(
                key_id=lower(c.key_id),
                hint=hint,
                display_name=c.display_name,
                start=c.start_date_time,
                end=c.end_date_time,
                thumbprint=thumb,
            )
        )
    return out


def to_application(model: Any) -> snap.Application:
    """Snapshot of an application (an :class:`ApplicationView`): no secret value, no key; a
    secret's three-character ``hint`` only."""
    access: list[snap.ResourceAccess] = []
    for rra in model.required_resource_access or []:
        for ra in rra.resource_access or []:
            access.append(
                snap.ResourceAccess(
                    resource_app_id=lower(rra.resource_app_id) or "",
                    id=lower(ra.id) or "",
                    type=ra.type or "",
                )
            )
    return snap.Application(
        id=lower(model.id) or "",
        app_id=lower(model.app_id) or "",
        display_name=model.display_name,
        sign_in_audience=model.sign_in_audience,
        web_redirect_uris=list((model.web.redirect_uris if model.web else None) or []),
        public_client_redirect_uris=list(
            (model.public_client.redirect_uris if model.public_client else None) or []
        ),
        spa_redirect_uris=list((model.spa.redirect_uris if model.spa else None) or []),
        required_resource_access=access,
        password_credentials=_credentials(model.password_credentials, certificates=False),
        key_credentials=_credentials(model.key_credentials, certificates=True),
        is_fallback_public_client=model.is_fallback_public_client,
    )


def to_user(model: Any) -> snap.DirectoryUser:
    """Snapshot of a user (a :class:`UserView`)."""
    return snap.DirectoryUser(
        id=lower(model.id) or "",
        user_principal_name=model.user_principal_name,
        mail=model.mail,
        proxy_addresses=list(model.proxy_addresses or []),
        account_enabled=model.account_enabled,
        user_type=model.user_type,
        assigned_plans=[
            snap.AssignedPlan(
                service=p.service,
                capability_status=p.capability_status,
                service_plan_id=lower(p.service_plan_id),
            )
            for p in model.assigned_plans or []
        ],
    )


# --- Exchange cmdlet objects ------------------------------------------------------------------


def as_bool(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "$true", "1"):
        return True
    if text in ("false", "$false", "0"):
        return False
    return None


def as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [part.strip() for part in str(value).split(",") if part.strip()]


def smtp_addresses(obj: dict[str, Any]) -> set[str]:
    found = {
        a.split(":", 1)[1].lower()
        for a in as_list(obj.get("EmailAddresses"))
        if a.lower().startswith("smtp:")
    }
    primary = obj.get("PrimarySmtpAddress")
    if primary:
        found.add(str(primary).lower())
    return found


def to_cas(obj: dict[str, Any]) -> snap.CasMailbox:
    """Snapshot of a ``Get-CASMailbox`` object."""
    return snap.CasMailbox(
        identity=obj.get("Identity"),
        primary_smtp_address=obj.get("PrimarySmtpAddress"),
        smtp_client_authentication_disabled=as_bool(obj.get("SmtpClientAuthenticationDisabled")),
        imap_enabled=as_bool(obj.get("ImapEnabled")),
        pop_enabled=as_bool(obj.get("PopEnabled")),
    )


def to_mailbox(obj: dict[str, Any]) -> snap.Mailbox:
    """Snapshot of a ``Get-Mailbox`` object."""
    return snap.Mailbox(
        identity=obj.get("Identity"),
        primary_smtp_address=obj.get("PrimarySmtpAddress"),
        recipient_type_details=obj.get("RecipientTypeDetails"),
        external_directory_object_id=(
            str(obj.get("ExternalDirectoryObjectId") or "").lower() or None
        ),
    )


def to_role_assignment(obj: dict[str, Any]) -> snap.ManagementRoleAssignment:
    """Snapshot of a ``Get-ManagementRoleAssignment`` object."""

    def text(key: str) -> str | None:
        value = obj.get(key)
        return None if value in (None, "") else str(value)

    return snap.ManagementRoleAssignment(
        name=text("Name"),
        role=str(obj.get("Role") or ""),
        role_assignee=text("RoleAssignee"),
        role_assignee_name=text("RoleAssigneeName"),
        role_assignee_type=text("RoleAssigneeType"),
        custom_resource_scope=text("CustomResourceScope"),
        recipient_write_scope=text("RecipientWriteScope"),
        enabled=as_bool(obj.get("Enabled")),
    )


def to_scope(obj: dict[str, Any]) -> snap.ManagementScope:
    """Snapshot of a ``Get-ManagementScope`` object."""
    value = obj.get("RecipientRestrictionFilter") or obj.get("RecipientFilter")
    return snap.ManagementScope(
        name=str(obj.get("Name") or obj.get("Identity") or ""),
        recipient_restriction_filter=None if value is None else str(value),
    )


def to_authorization(obj: dict[str, Any]) -> snap.ServicePrincipalAuthorization:
    """Snapshot of a ``Test-ServicePrincipalAuthorization`` row (``InScope``: True, False, or
    "Not Run" when no resource was given)."""
    return snap.ServicePrincipalAuthorization(
        role_name=str(obj.get("RoleName") or ""),
        in_scope=as_bool(obj.get("InScope")),
        allowed_resource_scope=(
            None if obj.get("AllowedResourceScope") is None else str(obj["AllowedResourceScope"])
        ),
        scope_type=None if obj.get("ScopeType") is None else str(obj["ScopeType"]),
    )

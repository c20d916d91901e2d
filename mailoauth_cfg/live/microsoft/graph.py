"""Microsoft Graph reads for one tenant, into the Graph half of a :class:`MicrosoftTenant`.

The msgraph-sdk builds every request (its request builders make the URLs and encode the
``$select``/``$filter`` parameters), authenticates it (kiota's azure-identity provider) and
its JSON parse nodes read every result (:mod:`.parse`); :class:`~.batch.GraphReader` sends
them as ``$batch`` requests.

Which reads (:func:`fetch_graph`), all issued together, only for the objects the config names:
per app its registration and service principal, then that principal's grants and app role
assignments; the Graph and Exchange Online resource principals (permission tables); per user the
user (one read each, or from ``user_filter_threshold`` users ``$filter=userPrincipalName in
(…)`` with 15 names per query) and its mailbox settings; an address that is not a UPN is looked
up among proxy addresses.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from mailoauth_cfg.catalog.microsoft import EXCHANGE_APP_ID, GRAPH_APP_ID
from mailoauth_cfg.live import snapshot as snap
from mailoauth_cfg.live.microsoft.batch import GraphReader, UrlTemplate
from mailoauth_cfg.live.microsoft.errors import LiveReadError, describe, with_hint
from mailoauth_cfg.live.microsoft.needs import AppNeeds, MicrosoftNeeds
from mailoauth_cfg.live.microsoft.parse import (
    ApplicationView,
    AssignmentView,
    AuthorizationPolicyView,
    ClassificationView,
    GrantView,
    Item,
    MailboxSettingsView,
    ServicePrincipalView,
    UserView,
    lower,
    ok_body,
    parse,
    to_application,
    to_user,
)
from mailoauth_cfg.live.options import FetchOptions

APPLICATION_SELECT = [
    "id",
    "appId",
    "displayName",
    "signInAudience",
    "web",
    "publicClient",
    "spa",
    "requiredResourceAccess",
    "passwordCredentials",
    "keyCredentials",
    "isFallbackPublicClient",
]
SERVICE_PRINCIPAL_SELECT = ["id", "appId", "displayName", "accountEnabled"]
RESOURCE_SELECT = ["id", "appId", "displayName", "appRoles", "oauth2PermissionScopes"]
USER_SELECT = [
    "id",
    "userPrincipalName",
    "mail",
    "proxyAddresses",
    "accountEnabled",
    "userType",
    "assignedPlans",
]


@dataclass
class GraphFacts:
    """The Graph facts gathered so far (mutable; becomes part of a :class:`MicrosoftTenant`)."""

    applications: dict[str, snap.Application | None] = field(default_factory=dict)
    service_principals: dict[str, snap.ServicePrincipal | None] = field(default_factory=dict)
    grants: dict[str, list[snap.PermissionGrant]] = field(default_factory=dict)
    app_role_assignments: dict[str, list[snap.AppRoleAssignment]] = field(default_factory=dict)
    resources: dict[str, snap.PermissionTable | None] = field(default_factory=dict)
    low_impact: dict[str, list[str]] = field(default_factory=dict)
    authorization_policy: snap.AuthorizationPolicy | None = None
    users: dict[str, snap.DirectoryUser | None] = field(default_factory=dict)
    mailbox_settings: dict[str, snap.MailboxSettings | None] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)

    @property
    def has_facts(self) -> bool:
        """Whether anything was read."""
        return any(
            (
                self.applications,
                self.service_principals,
                self.grants,
                self.app_role_assignments,
                self.resources,
                self.users,
                self.mailbox_settings,
            )
        )


# --- the reads ----------------------------------------------------------------------------------


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


async def fetch_graph(
    client: Any,
    reader: GraphReader,
    needs: MicrosoftNeeds,
    options: FetchOptions,
    facts: GraphFacts | None = None,
    *,
    registrations_only: bool = False,
) -> GraphFacts:
    """Read every Graph fact ``needs`` names into ``facts`` (filled as reads complete, so that a
    cancelled read keeps what it had); failures are recorded, never raised.

    An app registered in another tenant (``home_tenant``) has its registration read by a
    second call with ``registrations_only`` (in that tenant); everything else of it here."""
    import warnings

    # msgraph-sdk warns (DeprecationWarning) while defining its request builder classes;
    # import every builder used here at once, quietly.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from kiota_abstractions.base_request_configuration import RequestConfiguration
        from msgraph.generated.applications_with_app_id.applications_with_app_id_request_builder import (  # noqa: E501
            ApplicationsWithAppIdRequestBuilder as AppRB,
        )
        from msgraph.generated.oauth2_permission_grants.oauth2_permission_grants_request_builder import (  # noqa: E501
            Oauth2PermissionGrantsRequestBuilder as GrantsRB,
        )
        from msgraph.generated.policies import policies_request_builder  # noqa: F401
        from msgraph.generated.policies.authorization_policy import (
            authorization_policy_request_builder,  # noqa: F401
        )
        from msgraph.generated.service_principals import (
            service_principals_request_builder,  # noqa: F401
        )
        from msgraph.generated.service_principals.item import (
            service_principal_item_request_builder,  # noqa: F401
        )
        from msgraph.generated.service_principals.item.app_role_assignments import (
            app_role_assignments_request_builder,  # noqa: F401
        )
        from msgraph.generated.service_principals.item.delegated_permission_classifications import (
            delegated_permission_classifications_request_builder,  # noqa: F401
        )
        from msgraph.generated.service_principals_with_app_id.service_principals_with_app_id_request_builder import (  # noqa: E501
            ServicePrincipalsWithAppIdRequestBuilder as SpRB,
        )
        from msgraph.generated.users.item.mailbox_settings.mailbox_settings_request_builder import (
            MailboxSettingsRequestBuilder as SettingsRB,
        )
        from msgraph.generated.users.item.user_item_request_builder import (
            UserItemRequestBuilder as UserRB,
        )
        from msgraph.generated.users.users_request_builder import UsersRequestBuilder as UsersRB

    facts = GraphFacts() if facts is None else facts

    def sp_info(app_id: str, select: list[str]) -> Any:
        return client.service_principals_with_app_id(app_id).to_get_request_information(
            RequestConfiguration(
                query_parameters=SpRB.ServicePrincipalsWithAppIdRequestBuilderGetQueryParameters(
                    select=select
                )
            )
        )

    async def guarded(key: str, collection: str, work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        except LiveReadError as exc:
            facts.unavailable[key] = with_hint(exc.reason, collection)

    async def read_app(app: AppNeeds) -> None:
        info = client.applications_with_app_id(app.client_id).to_get_request_information(
            RequestConfiguration(
                query_parameters=AppRB.ApplicationsWithAppIdRequestBuilderGetQueryParameters(
                    select=APPLICATION_SELECT
                )
            )
        )
        result = await reader.get(info)
        if result.status == 404:
            facts.applications[app.client_id] = None
            return
        what = f"application {app.client_id}"
        model = parse(ok_body(result, what), ApplicationView, what)
        facts.applications[app.client_id] = to_application(model)

    async def read_sp(app: AppNeeds) -> None:
        result = await reader.get(sp_info(app.client_id, SERVICE_PRINCIPAL_SELECT))
        if result.status == 404:
            facts.service_principals[app.client_id] = None
            return
        what = f"service principal of {app.client_id}"
        model = parse(ok_body(result, what), ServicePrincipalView, what)
        sp = snap.ServicePrincipal(
            id=lower(model.id) or "",
            app_id=lower(model.app_id) or "",
            display_name=model.display_name,
            account_enabled=model.account_enabled,
        )
        facts.service_principals[app.client_id] = sp
        await asyncio.gather(
            guarded(f"grants:{sp.id}", "grants", read_grants(sp.id)),
            guarded(
                f"app_role_assignments:{sp.id}", "app_role_assignments", read_assignments(sp.id)
            ),
        )

    async def read_grants(sp_id: str) -> None:
        info = client.oauth2_permission_grants.to_get_request_information(
            RequestConfiguration(
                query_parameters=GrantsRB.Oauth2PermissionGrantsRequestBuilderGetQueryParameters(
                    # Every grant of the client: tenant-wide (AllPrincipals) and per user.
                    filter=f"clientId eq {_quote(sp_id)}"
                )
            )
        )
        what = f"permission grants of {sp_id}"
        values = await reader.get_all(info, what)
        grants: list[snap.PermissionGrant] = []
        for value in values:
            g = parse(value, GrantView, what)
            grants.append(
                snap.PermissionGrant(
                    id=g.id,
                    client_id=lower(g.client_id) or "",
                    consent_type=g.consent_type,
                    principal_id=lower(g.principal_id),
                    resource_id=lower(g.resource_id) or "",
                    scope=g.scope or "",
                )
            )
        facts.grants[sp_id] = grants

    async def read_assignments(sp_id: str) -> None:
        info = client.service_principals.by_service_principal_id(
            sp_id
        ).app_role_assignments.to_get_request_information()
        what = f"app role assignments of {sp_id}"
        values = await reader.get_all(info, what)
        out: list[snap.AppRoleAssignment] = []
        for value in values:
            a = parse(value, AssignmentView, what)
            out.append(
                snap.AppRoleAssignment(
                    id=lower(a.id),
                    app_role_id=lower(a.app_role_id) or "",
                    resource_id=lower(a.resource_id) or "",
                    principal_id=lower(a.principal_id),
                    resource_display_name=a.resource_display_name,
                )
            )
        facts.app_role_assignments[sp_id] = out

    async def read_resource(app_id: str) -> None:
        result = await reader.get(sp_info(app_id, RESOURCE_SELECT))
        if result.status == 404:
            facts.resources[app_id] = None
            return
        what = f"resource service principal {app_id}"
        model = parse(ok_body(result, what), ServicePrincipalView, what)
        facts.resources[app_id] = snap.PermissionTable(
            sp_id=lower(model.id) or "",
            app_id=lower(model.app_id) or app_id,
            display_name=model.display_name,
            scopes={
                str(s.id).lower(): s.value
                for s in model.oauth2_permission_scopes or []
                if s.id is not None and s.value
            },
            roles={
                str(r.id).lower(): r.value
                for r in model.app_roles or []
                if r.id is not None and r.value
            },
        )
        sp_id = lower(model.id)
        if needs.delegated and sp_id:
            await guarded(f"low_impact:{app_id}", "low_impact", read_low_impact(app_id, sp_id))

    async def read_low_impact(app_id: str, sp_id: str) -> None:
        info = client.service_principals.by_service_principal_id(
            sp_id
        ).delegated_permission_classifications.to_get_request_information()
        what = f"permission classifications of {app_id}"
        values = await reader.get_all(info, what)
        low: list[str] = []
        for value in values:
            item = parse(value, ClassificationView, what)
            classification = str(getattr(item.classification, "value", item.classification))
            if classification.lower() == "low" and item.permission_name:
                low.append(str(item.permission_name).lower())
        facts.low_impact[app_id] = sorted(low)

    async def read_consent_policy() -> None:
        info = client.policies.authorization_policy.to_get_request_information()
        what = "the authorization policy"
        model = parse(ok_body(await reader.get(info), what), AuthorizationPolicyView, what)
        defaults = model.default_user_role_permissions
        facts.authorization_policy = snap.AuthorizationPolicy(
            permission_grant_policies_assigned=list(
                (defaults.permission_grant_policies_assigned if defaults else None) or []
            )
        )

    # Users, in groups without a task per user (thousands of mailboxes): one filtered read of
    # up to 15 user principal names (from the threshold; else one read per user), and with it
    # the mailbox settings read of each address, in the same round trip. An address that is
    # not a user principal name is looked up among proxy addresses, then its settings by ID.
    def user_query(filter_text: str, top: int | None = None) -> Any:
        return client.users.to_get_request_information(
            RequestConfiguration(
                query_parameters=UsersRB.UsersRequestBuilderGetQueryParameters(
                    filter=filter_text, select=USER_SELECT, top=top
                )
            )
        )

    size = max(1, min(options.filter_chunk, 15))
    chunk_url = UrlTemplate(lambda text: user_query(text, top=size))
    filter_url = UrlTemplate(lambda text: user_query(text))
    settings_url = UrlTemplate(
        lambda key: client.users.by_user_id(key).mailbox_settings.to_get_request_information(
            RequestConfiguration(
                query_parameters=SettingsRB.MailboxSettingsRequestBuilderGetQueryParameters(
                    select=["userPurpose"]
                )
            )
        )
    )
    user_url = UrlTemplate(
        lambda key: client.users.by_user_id(key).to_get_request_information(
            RequestConfiguration(
                query_parameters=UserRB.UserItemRequestBuilderGetQueryParameters(select=USER_SELECT)
            )
        )
    )
    mailboxes = set(needs.mailboxes)

    def settings_of(email: str, result: Item) -> snap.MailboxSettings | None:
        what = f"mailbox settings of {email}"
        if result.status == 404 or (
            result.status == 400 and "MailboxNotEnabled" in json.dumps(result.body)
        ):
            return None  # the user has no Exchange Online mailbox
        model = parse(ok_body(result, what), MailboxSettingsView, what)
        purpose = model.user_purpose
        return snap.MailboxSettings(
            user_purpose=None if purpose is None else str(getattr(purpose, "value", purpose))
        )

    def unavailable(key: str, collection: str, exc: BaseException) -> None:
        reason = exc.reason if isinstance(exc, LiveReadError) else describe(exc)
        facts.unavailable[key] = with_hint(reason, collection)

    async def by_upn(group: list[str]) -> dict[str, snap.DirectoryUser | BaseException | None]:
        """Each address's user when the address is a user principal name (else ``None``)."""
        out: dict[str, snap.DirectoryUser | BaseException | None] = {}
        if len(needs.users) >= options.user_filter_threshold:
            names = ",".join(_quote(e) for e in group)
            try:
                values = await reader.get_all(chunk_url(f"userPrincipalName in ({names})"), "users")
                found: dict[str, snap.DirectoryUser] = {}
                for value in values:
                    user = to_user(parse(value, UserView, "users"))
                    found[(user.user_principal_name or "").lower()] = user
            except LiveReadError as exc:
                return dict.fromkeys(group, exc)
            return {e: found.get(e) for e in group}
        results = await asyncio.gather(
            *(reader.submit(user_url(e)) for e in group), return_exceptions=True
        )
        for email, result in zip(group, results, strict=True):
            if isinstance(result, BaseException):
                out[email] = result
            elif result.status == 404:
                out[email] = None
            else:
                try:
                    what = f"user {email}"
                    out[email] = to_user(parse(ok_body(result, what), UserView, what))
                except LiveReadError as exc:
                    out[email] = exc
        return out

    async def by_alias(email: str) -> snap.DirectoryUser | None:
        what = f"user {email}"
        values = await reader.get_all(
            filter_url(f"proxyAddresses/any(p:p eq {_quote('smtp:' + email)})"), what
        )
        return to_user(parse(values[0], UserView, what)) if values else None

    async def read_group(group: list[str]) -> None:
        settings = {e: reader.submit(settings_url(e)) for e in group if e in mailboxes}
        users = await by_upn(group)
        for email in group:
            user = users[email]
            if user is None:
                try:
                    user = await by_alias(email)
                except LiveReadError as exc:
                    user = exc
            if isinstance(user, BaseException):
                unavailable(f"users:{email}", "users", user)
                if email in mailboxes:
                    unavailable(f"mailbox_settings:{email}", "users", user)
                continue
            facts.users[email] = user
            if email not in mailboxes:
                continue
            key = f"mailbox_settings:{email}"
            if user is None:
                facts.mailbox_settings[email] = None
                continue
            pending = settings[email]
            if (user.user_principal_name or "").lower() != email:
                pending = reader.submit(settings_url(user.id))
            try:
                facts.mailbox_settings[email] = settings_of(email, await pending)
            except LiveReadError as exc:
                unavailable(key, "mailbox_settings", exc)
        # Settings read for addresses that turned out to be aliases: retrieve, ignore.
        await asyncio.gather(*settings.values(), return_exceptions=True)

    work: list[Coroutine[Any, Any, None]] = []
    for app in needs.apps:
        if not app.home_tenant or app.home_tenant == needs.tenant:
            work.append(guarded(f"applications:{app.client_id}", "applications", read_app(app)))
        if registrations_only:
            continue
        work.append(
            guarded(f"service_principals:{app.client_id}", "service_principals", read_sp(app))
        )
    if registrations_only:
        await asyncio.gather(*work)
        return facts
    if needs.apps:
        for resource in (GRAPH_APP_ID, EXCHANGE_APP_ID):
            work.append(guarded(f"resources:{resource}", "resources", read_resource(resource)))
    if needs.delegated:
        work.append(guarded("authorization_policy", "authorization_policy", read_consent_policy()))
    users = list(needs.users)
    step = size if len(users) >= options.user_filter_threshold else max(1, options.batch_size)
    for start in range(0, len(users), step):
        work.append(read_group(users[start : start + step]))
    await asyncio.gather(*work)
    return facts

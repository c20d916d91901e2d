"""Microsoft Graph reads for one tenant, into the Graph half of a :class:`MicrosoftTenant`.

The msgraph-sdk builds every request (its request builders make the URLs and encode the
``$select``/``$filter`` parameters), authenticates it (kiota's azure-identity provider) and
parses every result into its models (kiota's JSON parse nodes, strict about GUIDs). The
``$batch`` envelope is our own, sent over the SDK's httpx client with its middleware: the
msgraph-core batch helpers put absolute URLs and ``depends_on`` into items once the client has
been used, which Graph rejects (microsoftgraph/msgraph-sdk-python#1015,
microsoftgraph/msgraph-sdk-python-core#1116), and a read-only checker needs only GETs.

How reads become requests (:class:`GraphReader`): every read is queued; at the end of each event
loop turn the queue is sent as ``$batch`` requests of up to 20 items, at most
``graph_concurrency`` at a time. Items throttled inside a batch (429/503/504 with their own
``Retry-After``) are queued again after the longest wait, so they share a batch with other
retries. A read that runs out of attempts fails with the reason, which the snapshot records.

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
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar
from urllib.parse import quote, urlsplit

from mailoauth_cfg.catalog.microsoft import EXCHANGE_APP_ID, GRAPH_APP_ID
from mailoauth_cfg.live import snapshot as snap
from mailoauth_cfg.live._http import Stats, Transport, Unavailable, error_text
from mailoauth_cfg.live.needs import AppNeeds, MicrosoftNeeds
from mailoauth_cfg.live.options import FetchOptions
from mailoauth_cfg.live.permissions import hint

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
MAX_PAGES = 50
"""Safety bound on ``@odata.nextLink`` pages of one collection."""

T = TypeVar("T")


@dataclass(slots=True)
class Item:
    """One read's result: status and JSON body."""

    status: int
    body: Any


@dataclass(slots=True)
class _Pending:
    url: str
    future: asyncio.Future[Item]
    attempts: int = 0


@dataclass
class GraphFacts:
    """The Graph facts gathered so far (mutable; becomes part of a :class:`MicrosoftTenant`)."""

    applications: dict[str, snap.Application | None] = field(default_factory=dict)
    service_principals: dict[str, snap.ServicePrincipal | None] = field(default_factory=dict)
    grants: dict[str, list[snap.PermissionGrant]] = field(default_factory=dict)
    app_role_assignments: dict[str, list[snap.AppRoleAssignment]] = field(default_factory=dict)
    resources: dict[str, snap.PermissionTable | None] = field(default_factory=dict)
    users: dict[str, snap.DirectoryUser | None] = field(default_factory=dict)
    mailbox_settings: dict[str, snap.MailboxSettings | None] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)


class GraphReader:
    """Queues Graph GET reads and sends them as JSON ``$batch`` requests (or one by one)."""

    def __init__(
        self,
        adapter: Any,
        transport: Transport,
        options: FetchOptions,
        *,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.adapter = adapter
        self.transport = transport
        self.options = options
        self.stats = transport.stats
        self._queue: list[_Pending] = []
        self._inflight: dict[str, asyncio.Future[Item]] = {}
        self._scheduled = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._done = 0
        self._total = 0
        self._on_progress = on_progress

    # -- public -----------------------------------------------------------------------------
    @staticmethod
    def relative(info: Any) -> str:
        """The relative URL (``/users/a%40b.com?$select=…``) of an SDK request information."""
        info.path_parameters["baseurl"] = ""
        url: str = info.url
        path, _, query = url.partition("?")
        if query:
            query = "&".join(
                ("$" + part[3:]) if part.startswith("%24") else part for part in query.split("&")
            )
            return f"{path}?{query}"
        return path

    def submit(self, info_or_url: Any) -> asyncio.Future[Item]:
        """Queue one read (an SDK request information or a relative URL) and return its
        future, shared by every read of the same URL; no task per read."""
        url = info_or_url if isinstance(info_or_url, str) else self.relative(info_or_url)
        found = self._inflight.get(url)
        if found is None:
            loop = asyncio.get_running_loop()
            found = loop.create_future()
            self._inflight[url] = found
            self.stats.reads += 1
            self._total += 1
            self._enqueue(_Pending(url, found))
        return found

    async def get(self, info_or_url: Any) -> Item:
        """Read one URL (see :meth:`submit`)."""
        return await asyncio.shield(self.submit(info_or_url))

    async def get_all(self, info_or_url: Any, what: str) -> list[Any]:
        """Every item of a collection, following ``@odata.nextLink``; ``Unavailable`` if any
        page fails."""
        items: list[Any] = []
        target: Any = info_or_url
        for _ in range(MAX_PAGES):
            result = await self.get(target)
            body = ok_body(result, what)
            values = body.get("value")
            if not isinstance(values, list):
                raise Unavailable(f"{what}: malformed response (no `value` list)")
            items.extend(values)
            link = body.get("@odata.nextLink")
            if not link:
                return items
            target = self._relative_link(str(link))
        raise Unavailable(f"{what}: more than {MAX_PAGES} pages")

    async def close(self) -> None:
        """Wait for the batches still running (after a cancellation)."""
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    # -- batching -----------------------------------------------------------------------------
    def _relative_link(self, link: str) -> str:
        parts = urlsplit(link)
        path = parts.path
        index = path.find("/v1.0/")
        if index >= 0:
            path = path[index + len("/v1.0") :]
        return f"{path}?{parts.query}" if parts.query else path

    def _enqueue(self, pending: _Pending) -> None:
        self._queue.append(pending)
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self._flush, 0, -1)

    def _flush(self, hops: int, seen: int) -> None:
        # Let reads queued by tasks woken in this loop turn join the batch: wait while the
        # queue still grows (a few hops at most), then send everything queued.
        if hops < 3 and len(self._queue) != seen:
            asyncio.get_running_loop().call_soon(self._flush, hops + 1, len(self._queue))
            return
        self._scheduled = False
        queue, self._queue = self._queue, []
        size = max(1, self.options.batch_size)
        for start in range(0, len(queue), size):
            chunk = queue[start : start + size]
            runner = self._send_batch(chunk) if size > 1 else self._send_one(chunk[0])
            task = asyncio.get_running_loop().create_task(runner)
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _resolve(self, pending: _Pending, result: Item | Unavailable) -> None:
        self._inflight.pop(pending.url, None)
        if pending.future.done():
            return
        if isinstance(result, Unavailable):
            pending.future.set_exception(result)
        else:
            pending.future.set_result(result)
        self._done += 1
        if self._on_progress is not None:
            self._on_progress(self._done, self._total)

    async def _native(self, method: str, url: str, body: bytes | None = None) -> Any:
        from kiota_abstractions.method import Method
        from kiota_abstractions.request_information import RequestInformation

        info = RequestInformation(Method.POST if method == "POST" else Method.GET)
        info.url = self.adapter.base_url.rstrip("/") + url
        info.headers.try_add("Accept", "application/json")
        for name, value in self.options.extra_headers.items():
            info.headers.try_add(name, value)
        if body is not None:
            info.set_stream_content(body, "application/json")
        return await self.adapter.convert_to_native_async(info)

    async def _send_one(self, pending: _Pending) -> None:
        try:
            reply = await self.transport.send(
                lambda: self._native("GET", pending.url), kind="graph", what="Graph"
            )
        except Unavailable as exc:
            self._resolve(pending, exc)
        except Exception as exc:
            self._resolve(pending, Unavailable(describe(exc)))
        else:
            self._resolve(pending, Item(reply.status, reply.body))

    async def _send_batch(self, chunk: list[_Pending]) -> None:
        payload = json.dumps(
            {
                "requests": [
                    {"id": str(index), "method": "GET", "url": p.url}
                    for index, p in enumerate(chunk, 1)
                ]
            }
        ).encode()
        try:
            reply = await self.transport.send(
                lambda: self._native("POST", "/$batch", payload),
                kind="graph-batch",
                what="Graph $batch",
            )
        except Unavailable as exc:
            for pending in chunk:
                self._resolve(pending, exc)
            return
        except Exception as exc:
            for pending in chunk:
                self._resolve(pending, Unavailable(describe(exc)))
            return
        responses = reply.body.get("responses") if isinstance(reply.body, dict) else None
        if reply.status != 200 or not isinstance(responses, list):
            reason = (
                error_text(reply.status, reply.body)
                if reply.status != 200
                else "malformed $batch response (no `responses` list)"
            )
            for pending in chunk:
                self._resolve(pending, Unavailable(f"Graph $batch: {reason}"))
            return
        by_id = {str(r.get("id")): r for r in responses if isinstance(r, dict)}
        retry: list[_Pending] = []
        wait = 0.0
        for index, pending in enumerate(chunk, 1):
            item = by_id.get(str(index))
            status = item.get("status") if item is not None else None
            if item is not None and isinstance(status, int) and status not in (429, 503, 504, 424):
                self._resolve(pending, Item(status, item.get("body")))
                continue
            pending.attempts += 1
            headers = (item or {}).get("headers") or {}
            after = None
            if isinstance(headers, dict):
                from mailoauth_cfg.live._http import parse_retry_after

                lowered = {str(k).lower(): v for k, v in headers.items()}
                after = parse_retry_after(lowered.get("retry-after"))
            delay = self.options.retry_delay(pending.attempts, after)
            if delay is None:
                what = (
                    error_text(status, (item or {}).get("body"))
                    if isinstance(status, int)
                    else "missing from the $batch response"
                )
                if after is not None:
                    what += f" (Retry-After {after:g} s)"
                self._resolve(
                    pending,
                    Unavailable(f"Graph: {what}; gave up after {pending.attempts} attempt(s)"),
                )
                continue
            retry.append(pending)
            wait = max(wait, delay)
        if retry:
            self.stats.retries += len(retry)
            await asyncio.sleep(wait)
            for pending in retry:
                self._enqueue(pending)


class UrlTemplate:
    """An SDK request URL built once, for reads that differ by one path value only.

    The SDK expands its URL templates with std-uritemplate, about 1 ms per URL in pure Python;
    for thousands of per-mailbox reads the URL is built once by the request builder with a
    placeholder, which is then replaced by each value encoded as the template's simple
    expansion does (RFC 6570: everything but unreserved characters percent-encoded).
    """

    PLACEHOLDER = "mailoauthcfgvalue0"

    def __init__(self, make: Callable[[str], Any]) -> None:
        self.url = GraphReader.relative(make(self.PLACEHOLDER))
        if self.url.count(self.PLACEHOLDER) != 1:  # pragma: no cover - SDK template change
            raise ValueError(f"unexpected URL template {self.url!r}")

    def __call__(self, value: str) -> str:
        """The URL for ``value``."""
        return self.url.replace(self.PLACEHOLDER, quote(value, safe=""))


# --- results -> snapshot models ---------------------------------------------------------------


def describe(exc: BaseException) -> str:
    """A one-line reason for an unexpected exception (credential, SDK)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:400] if text else type(exc).__name__


def ok_body(item: Item, what: str) -> dict[str, Any]:
    """The JSON object of a 2xx result; ``Unavailable`` (with the permission hint) otherwise."""
    if 200 <= item.status < 300:
        if not isinstance(item.body, dict):
            raise Unavailable(f"{what}: malformed response (the body is not a JSON object)")
        return item.body
    raise Unavailable(f"{what}: {error_text(item.status, item.body)}")


def _parse(body: dict[str, Any], factory: type[T], what: str) -> T:
    from kiota_serialization_json.json_parse_node import JsonParseNode

    try:
        parsed: T = JsonParseNode(body).get_object_value(factory)  # type: ignore[arg-type]
        return parsed
    except Exception as exc:
        raise Unavailable(f"{what}: malformed response ({describe(exc)})") from None


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


def _s(value: Any) -> str | None:
    return None if value is None else str(value).lower()


def _credentials(items: Any, *, certificates: bool) -> list[snap.Credential]:
    out: list[snap.Credential] = []
    for c in items or []:
        thumb = None
        if certificates and c.custom_key_identifier:
            thumb = bytes(c.custom_key_identifier).hex().upper()
        out.append(
            snap.Credential(
                key_id=_s(c.key_id),
                display_name=c.display_name,
                start=c.start_date_time,
                end=c.end_date_time,
                thumbprint=thumb,
            )
        )
    return out


def to_application(model: Any) -> snap.Application:
    """Snapshot of an application (an :class:`ApplicationView`): no secret, no ``hint``, no key."""
    access: list[snap.ResourceAccess] = []
    for rra in model.required_resource_access or []:
        for ra in rra.resource_access or []:
            access.append(
                snap.ResourceAccess(
                    resource_app_id=_s(rra.resource_app_id) or "",
                    id=_s(ra.id) or "",
                    type=ra.type or "",
                )
            )
    return snap.Application(
        id=_s(model.id) or "",
        app_id=_s(model.app_id) or "",
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
        id=_s(model.id) or "",
        user_principal_name=model.user_principal_name,
        mail=model.mail,
        proxy_addresses=list(model.proxy_addresses or []),
        account_enabled=model.account_enabled,
        user_type=model.user_type,
        assigned_plans=[
            snap.AssignedPlan(
                service=p.service,
                capability_status=p.capability_status,
                service_plan_id=_s(p.service_plan_id),
            )
            for p in model.assigned_plans or []
        ],
    )


# --- the reads ----------------------------------------------------------------------------------


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


async def fetch_graph(
    client: Any, reader: GraphReader, needs: MicrosoftNeeds, options: FetchOptions
) -> GraphFacts:
    """Read every Graph fact ``needs`` names; failures are recorded, never raised."""
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
        from msgraph.generated.service_principals import (
            service_principals_request_builder,  # noqa: F401
        )
        from msgraph.generated.service_principals.item import (
            service_principal_item_request_builder,  # noqa: F401
        )
        from msgraph.generated.service_principals.item.app_role_assignments import (
            app_role_assignments_request_builder,  # noqa: F401
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

    facts = GraphFacts()

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
        except Unavailable as exc:
            reason = exc.reason
            if "HTTP 403" in reason or "HTTP 401" in reason:
                reason += f"; {hint(collection)}"
            facts.unavailable[key] = reason

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
        model = _parse(ok_body(result, what), ApplicationView, what)
        facts.applications[app.client_id] = to_application(model)

    async def read_sp(app: AppNeeds) -> None:
        result = await reader.get(sp_info(app.client_id, SERVICE_PRINCIPAL_SELECT))
        if result.status == 404:
            facts.service_principals[app.client_id] = None
            return
        what = f"service principal of {app.client_id}"
        model = _parse(ok_body(result, what), ServicePrincipalView, what)
        sp = snap.ServicePrincipal(
            id=_s(model.id) or "",
            app_id=_s(model.app_id) or "",
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
                    filter=f"clientId eq {_quote(sp_id)} and consentType eq 'AllPrincipals'"
                )
            )
        )
        what = f"permission grants of {sp_id}"
        values = await reader.get_all(info, what)
        grants: list[snap.PermissionGrant] = []
        for value in values:
            g = _parse(value, GrantView, what)
            grants.append(
                snap.PermissionGrant(
                    id=g.id,
                    client_id=_s(g.client_id) or "",
                    consent_type=g.consent_type,
                    principal_id=_s(g.principal_id),
                    resource_id=_s(g.resource_id) or "",
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
            a = _parse(value, AssignmentView, what)
            out.append(
                snap.AppRoleAssignment(
                    id=_s(a.id),
                    app_role_id=_s(a.app_role_id) or "",
                    resource_id=_s(a.resource_id) or "",
                    principal_id=_s(a.principal_id),
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
        model = _parse(ok_body(result, what), ServicePrincipalView, what)
        facts.resources[app_id] = snap.PermissionTable(
            sp_id=_s(model.id) or "",
            app_id=_s(model.app_id) or app_id,
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
        model = _parse(ok_body(result, what), MailboxSettingsView, what)
        purpose = model.user_purpose
        return snap.MailboxSettings(
            user_purpose=None if purpose is None else str(getattr(purpose, "value", purpose))
        )

    def unavailable(key: str, collection: str, exc: BaseException) -> None:
        reason = exc.reason if isinstance(exc, Unavailable) else describe(exc)
        if "HTTP 403" in reason or "HTTP 401" in reason:
            reason += f"; {hint(collection)}"
        facts.unavailable[key] = reason

    async def by_upn(group: list[str]) -> dict[str, snap.DirectoryUser | BaseException | None]:
        """Each address's user when the address is a user principal name (else ``None``)."""
        out: dict[str, snap.DirectoryUser | BaseException | None] = {}
        if len(needs.users) >= options.user_filter_threshold:
            names = ",".join(_quote(e) for e in group)
            try:
                values = await reader.get_all(chunk_url(f"userPrincipalName in ({names})"), "users")
                found: dict[str, snap.DirectoryUser] = {}
                for value in values:
                    user = to_user(_parse(value, UserView, "users"))
                    found[(user.user_principal_name or "").lower()] = user
            except Unavailable as exc:
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
                    out[email] = to_user(_parse(ok_body(result, what), UserView, what))
                except Unavailable as exc:
                    out[email] = exc
        return out

    async def by_alias(email: str) -> snap.DirectoryUser | None:
        what = f"user {email}"
        values = await reader.get_all(
            filter_url(f"proxyAddresses/any(p:p eq {_quote('smtp:' + email)})"), what
        )
        return to_user(_parse(values[0], UserView, what)) if values else None

    async def read_group(group: list[str]) -> None:
        settings = {e: reader.submit(settings_url(e)) for e in group if e in mailboxes}
        users = await by_upn(group)
        for email in group:
            user = users[email]
            if user is None:
                try:
                    user = await by_alias(email)
                except Unavailable as exc:
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
            except Unavailable as exc:
                unavailable(key, "mailbox_settings", exc)
        # Settings read for addresses that turned out to be aliases: retrieve, ignore.
        await asyncio.gather(*settings.values(), return_exceptions=True)

    work: list[Coroutine[Any, Any, None]] = []
    for app in needs.apps:
        work.append(guarded(f"applications:{app.client_id}", "applications", read_app(app)))
        work.append(
            guarded(f"service_principals:{app.client_id}", "service_principals", read_sp(app))
        )
    if needs.apps:
        for resource in (GRAPH_APP_ID, EXCHANGE_APP_ID):
            work.append(guarded(f"resources:{resource}", "resources", read_resource(resource)))
    users = list(needs.users)
    step = size if len(users) >= options.user_filter_threshold else max(1, options.batch_size)
    for start in range(0, len(users), step):
        work.append(read_group(users[start : start + step]))
    await asyncio.gather(*work)
    return facts


# --- one tenant: credentials, Graph and Exchange together --------------------------------------


@dataclass
class TenantResult:
    """A tenant's snapshot section and what reading it cost."""

    tenant: snap.MicrosoftTenant
    stats: Stats


class _TokenCache:
    """Access tokens per scope, refreshed five minutes before they expire."""

    def __init__(self, credential: Any) -> None:
        self.credential = credential
        self._tokens: dict[str, tuple[str, float]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def get(self, scope: str, *, cae: bool = False) -> str:
        """A token for ``scope`` (``cae``: the continuous-access-evaluation variant that kiota's
        Graph authentication asks for, so that its first request finds it in the cache)."""
        import time

        key = f"{scope}|{cae}"
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            found = self._tokens.get(key)
            if found is not None and found[1] - 300 > time.time():
                return found[0]
            token = await (
                self.credential.get_token(scope, enable_cae=True)
                if cae
                else self.credential.get_token(scope)
            )
            self._tokens[key] = (token.token, float(token.expires_on))
            return str(token.token)


async def fetch_microsoft_tenant(
    needs: MicrosoftNeeds,
    conn: Any,
    *,
    credential_source: str,
    environ: dict[str, str],
    options: FetchOptions,
    progress: Callable[[int, int], None] | None = None,
) -> TenantResult:
    """Read one tenant. Never raises for tenant-side problems: they end up in ``unavailable``."""
    import datetime as dt

    from mailoauth_cfg.live._http import async_client
    from mailoauth_cfg.live.credentials import CredentialProblem, make_credential
    from mailoauth_cfg.live.exchange import ExchangeClient, ExchangeFacts, fetch_exchange

    stats = Stats()
    unavailable: dict[str, str] = {}
    graph = GraphFacts()
    exchange = ExchangeFacts()
    taken = dt.datetime.now(dt.UTC).replace(microsecond=0)

    def section() -> snap.MicrosoftTenant:
        return snap.MicrosoftTenant(
            tenant=needs.tenant,
            cloud=needs.cloud,
            taken_at=taken,
            applications=graph.applications,
            service_principals=graph.service_principals,
            grants=graph.grants,
            app_role_assignments=graph.app_role_assignments,
            resources=graph.resources,
            users=graph.users,
            mailbox_settings=graph.mailbox_settings,
            transport_config=exchange.transport_config,
            cas_mailboxes=exchange.cas_mailboxes,
            mailboxes=exchange.mailboxes,
            exchange_service_principals=exchange.exchange_service_principals,
            mailbox_permissions=exchange.mailbox_permissions,
            recipient_permissions=exchange.recipient_permissions,
            unavailable={**unavailable, **graph.unavailable, **exchange.unavailable},
        )

    if needs.empty:
        return TenantResult(section(), stats)
    try:
        credential = make_credential(conn, credential_source, environ, options)
    except CredentialProblem as exc:
        unavailable["*"] = f"credentials: {exc}"
        return TenantResult(section(), stats)

    tokens = _TokenCache(credential)
    need_graph = bool(needs.apps or needs.users)
    need_exchange = needs.needs_exchange

    async def first_token(scope: str, *, cae: bool = False) -> str | None:
        try:
            await tokens.get(scope, cae=cae)
        except Exception as exc:
            return f"could not get a token for {scope}: {describe(exc)}"
        return None

    graph_http = None
    exchange_http = None
    try:
        checks = await asyncio.gather(
            first_token(conn.graph_scope, cae=True) if need_graph else _none(),
            first_token(conn.exchange_scope) if need_exchange else _none(),
        )
        graph_error, exchange_error = checks
        if graph_error and (exchange_error or not need_exchange):
            unavailable["*"] = graph_error
            return TenantResult(section(), stats)
        if exchange_error and not need_graph:
            unavailable["*"] = exchange_error
            return TenantResult(section(), stats)
        if graph_error:
            unavailable["graph"] = graph_error
        if exchange_error:
            unavailable["exchange"] = exchange_error

        jobs: list[Coroutine[Any, Any, Any]] = []
        if need_graph and not graph_error:
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                from kiota_authentication_azure.azure_identity_authentication_provider import (
                    AzureIdentityAuthenticationProvider,
                )
                from kiota_http.middleware.options import RetryHandlerOption
                from msgraph.graph_request_adapter import GraphRequestAdapter
                from msgraph.graph_service_client import GraphServiceClient
                from msgraph_core import GraphClientFactory

            # Our Transport retries (with the configured budget), so the SDK's does not.
            no_retry = RetryHandlerOption(delay=0, max_retries=0, should_retry=False)
            graph_http = GraphClientFactory.create_with_default_middleware(
                client=async_client(options, conn.ca_bundle, options.graph_concurrency),
                options={RetryHandlerOption.get_key(): no_retry},
            )
            auth = AzureIdentityAuthenticationProvider(credential, scopes=[conn.graph_scope])
            adapter = GraphRequestAdapter(auth, graph_http)
            adapter.base_url = conn.graph_base
            client = GraphServiceClient(request_adapter=adapter)
            transport = Transport(
                graph_http,
                options,
                concurrency=options.graph_concurrency,
                stats=stats,
                service="graph",
            )
            reader = GraphReader(adapter, transport, options, on_progress=progress)

            async def run_graph() -> None:
                nonlocal graph
                try:
                    graph = await fetch_graph(client, reader, needs, options)
                finally:
                    await reader.close()

            jobs.append(run_graph())
        if need_exchange and not exchange_error:
            exchange_http = async_client(options, conn.ca_bundle, options.exchange_concurrency)
            exo = ExchangeClient(
                Transport(
                    exchange_http,
                    options,
                    concurrency=options.exchange_concurrency,
                    stats=stats,
                    service="exchange",
                ),
                conn.exchange_base,
                lambda: tokens.get(conn.exchange_scope),
                anchor=conn.anchor_mailbox,
                options=options,
            )

            async def run_exchange() -> None:
                nonlocal exchange
                exchange = await fetch_exchange(exo, needs, options)

            jobs.append(run_exchange())
        await asyncio.gather(*jobs)
    except Exception as exc:  # reported as an incomplete provider, not a crash
        unavailable["*"] = f"the read failed: {describe(exc)}"
    finally:
        for http in (graph_http, exchange_http):
            if http is not None:
                await http.aclose()
        await credential.close()
    return TenantResult(section(), stats)


async def _none() -> None:
    return None

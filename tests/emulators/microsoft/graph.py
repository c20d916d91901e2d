"""Microsoft Graph v1.0, the part a read-only checker uses, in Graph's own JSON shapes.

Routes (``{k}``: an object ID or a user principal name; names are matched case-insensitively):

* ``GET /v1.0/applications(appId='…')`` and ``GET /v1.0/servicePrincipals(appId='…')``
* ``GET /v1.0/servicePrincipals/{id}/appRoleAssignments`` and
  ``…/delegatedPermissionClassifications`` (a service principal's
  ``delegatedPermissionClassifications`` list in the scenario)
* ``GET /v1.0/policies/authorizationPolicy`` (the scenario's ``authorizationPolicy``)
* ``GET /v1.0/oauth2PermissionGrants?$filter=clientId eq '…' [and consentType eq '…']``
* ``GET /v1.0/users/{k}``, ``GET /v1.0/users/{k}/mailboxSettings``
* ``GET /v1.0/users?$filter=userPrincipalName in ('…',…)`` or
  ``proxyAddresses/any(p:p eq 'smtp:…')``, with ``$top`` and ``@odata.nextLink`` paging
* ``POST /v1.0/$batch``: up to 20 GET items with relative URLs, unique ``id``s; answers come
  back in reverse order (Graph promises no order); item faults give per-item 429/503 with their
  own ``Retry-After`` header (a partial batch failure)

``$select`` is honoured; without it a user has Graph's default properties only (no
``accountEnabled``, ``proxyAddresses``, ``assignedPlans``), as on the real service. Routes named
in the scenario's ``denied`` answer ``403 Authorization_RequestDenied``.
"""

from __future__ import annotations

import re
import time
import urllib.parse
from typing import Any

from tests.emulators._server import Faults, Request, Response, Stats
from tests.emulators.microsoft.identity import Identity
from tests.emulators.microsoft.scenario import Scenario

GRAPH_AUDIENCE = "https://graph.microsoft.com"
USER_DEFAULT = (
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
)
WITH_APP_ID = re.compile(r"^/(applications|servicePrincipals)\(appId='((?:[^']|'')*)'\)$")
ASSIGNMENTS = re.compile(r"^/servicePrincipals/([^/]+)/appRoleAssignments$")
CLASSIFICATIONS = re.compile(r"^/servicePrincipals/([^/]+)/delegatedPermissionClassifications$")
AUTHORIZATION_POLICY = "/policies/authorizationPolicy"
SETTINGS = re.compile(r"^/users/([^/]+)/mailboxSettings$")
USER = re.compile(r"^/users/([^/]+)$")
QUOTED = re.compile(r"'((?:[^']|'')*)'")


def _error(status: int, code: str, message: str) -> Response:
    return Response(status, {"error": {"code": code, "message": message}})


def not_found(what: str) -> Response:
    """Graph's 404."""
    return _error(404, "Request_ResourceNotFound", f"Resource '{what}' does not exist.")


def _unquote(value: str) -> str:
    return value.replace("''", "'")


class FilterError(ValueError):
    """A ``$filter`` the emulator (and so this checker) does not use."""


def parse_filter(text: str) -> list[tuple[str, str, list[str]]]:
    """``[(field, op, values)]`` for clauses joined by ``and``: ``eq``, ``in``, ``any(eq)``."""
    clauses: list[tuple[str, str, list[str]]] = []
    for part in re.split(r"\s+and\s+(?=(?:[^']*'[^']*')*[^']*$)", text.strip()):
        part = part.strip()
        if m := re.fullmatch(r"(\w+)\s+eq\s+'((?:[^']|'')*)'", part):
            clauses.append((m.group(1), "eq", [_unquote(m.group(2))]))
        elif m := re.fullmatch(r"(\w+)\s+in\s+\((.*)\)", part):
            values = [_unquote(v) for v in QUOTED.findall(m.group(2))]
            if len(values) > 15:
                raise FilterError("The 'in' operator is limited to 15 values")
            clauses.append((m.group(1), "in", values))
        elif m := re.fullmatch(r"(\w+)/any\((\w+):\2\s+eq\s+'((?:[^']|'')*)'\)", part):
            clauses.append((m.group(1), "any", [_unquote(m.group(3))]))
        else:
            raise FilterError(f"Unsupported or invalid query filter clause: {part}")
    return clauses


def matches(obj: dict[str, Any], clauses: list[tuple[str, str, list[str]]]) -> bool:
    """Whether ``obj`` satisfies every clause (strings compared case-insensitively)."""
    for name, op, values in clauses:
        wanted = {v.lower() for v in values}
        value = obj.get(name)
        if op == "any":
            if not any(str(v).lower() in wanted for v in value or []):
                return False
        elif str(value).lower() not in wanted:
            return False
    return True


def select(
    obj: dict[str, Any], query: dict[str, str], default: tuple[str, ...] | None = None
) -> dict[str, Any]:
    """``obj`` restricted to ``$select`` (or to ``default`` when there is none)."""
    wanted = query.get("$select")
    keys = [k.strip() for k in wanted.split(",")] if wanted else list(default or ())
    if not keys:
        return {k: v for k, v in obj.items() if k != "mailboxSettings"}
    return {k: obj.get(k) for k in keys}


class Graph:
    """Graph routes over a scenario."""

    def __init__(
        self, scenario: Scenario, identity: Identity, stats: Stats, faults: Faults
    ) -> None:
        self.scenario = scenario
        self.identity = identity
        self.stats = stats
        self.faults = faults
        self.base = ""

    # -- routing ------------------------------------------------------------------------------
    @staticmethod
    def route_of(path: str, query: dict[str, str]) -> str:
        """Route name of a Graph path (without ``/v1.0``)."""
        if path == "/$batch":
            return "batch"
        if m := WITH_APP_ID.match(path):
            return m.group(1)
        if ASSIGNMENTS.match(path):
            return "appRoleAssignments"
        if CLASSIFICATIONS.match(path):
            return "delegatedPermissionClassifications"
        if path == AUTHORIZATION_POLICY:
            return "authorizationPolicy"
        if path == "/oauth2PermissionGrants":
            return "oauth2PermissionGrants"
        if SETTINGS.match(path):
            return "mailboxSettings"
        if USER.match(path):
            return "users"
        if path == "/users":
            return "users:list"
        return "graph:other"

    def handle(self, request: Request) -> Response:
        """An HTTP request under ``/v1.0``."""
        denied = self.identity.check(request, GRAPH_AUDIENCE)
        if denied is not None:
            return denied
        path = request.path.removeprefix("/v1.0")
        if path == "/$batch":
            if request.method != "POST":
                return _error(405, "Request_BadRequest", "Method not allowed")
            return self.batch(request)
        if request.method != "GET":
            return _error(405, "Request_BadRequest", "Method not allowed")
        return self.get(path, request.query, self.identity.tenant_of(request))

    # -- reads ----------------------------------------------------------------------------------
    def get(self, path: str, query: dict[str, str], tenant: str = "") -> Response:
        """One GET (also the items of a batch) in ``tenant`` (the token's; another tenant holds
        app registrations only)."""
        route = self.route_of(path, query)
        if route in self.scenario.denied:
            return _error(
                403,
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation.",
            )
        graph = self.scenario.graph
        foreign = tenant and tenant != self.scenario.tenant
        if m := WITH_APP_ID.match(path):
            if foreign and m.group(1) != "applications":
                return not_found(m.group(2))
            collection = self.scenario.home_tenants[tenant] if foreign else graph[m.group(1)]
            app_id = _unquote(m.group(2)).lower()
            found = next((o for o in collection if o["appId"].lower() == app_id), None)
            if found is None:
                return not_found(app_id)
            return Response(200, select(found, query))
        if m := ASSIGNMENTS.match(path):
            sp_id = m.group(1).lower()
            if not any(s["id"].lower() == sp_id for s in graph["servicePrincipals"]):
                return not_found(sp_id)
            items = [a for a in graph["appRoleAssignments"] if a["principalId"].lower() == sp_id]
            return self.page(path, query, items)
        if m := CLASSIFICATIONS.match(path):
            sp_id = m.group(1).lower()
            sp = next((s for s in graph["servicePrincipals"] if s["id"].lower() == sp_id), None)
            if sp is None:
                return not_found(sp_id)
            return self.page(path, query, list(sp.get("delegatedPermissionClassifications") or []))
        if path == AUTHORIZATION_POLICY:
            context = f"{self.base}/v1.0/$metadata#policies/authorizationPolicy/$entity"
            policy = {
                "@odata.context": context,
                "id": "authorizationPolicy",
                "displayName": "Authorization Policy",
                **self.scenario.authorization_policy,
            }
            return Response(200, select(policy, query))
        if path == "/oauth2PermissionGrants":
            try:
                clauses = parse_filter(query.get("$filter", "")) if query.get("$filter") else []
            except FilterError as exc:
                return _error(400, "Request_UnsupportedQuery", str(exc))
            items = [g for g in graph["oauth2PermissionGrants"] if matches(g, clauses)]
            return self.page(path, query, items)
        if m := SETTINGS.match(path):
            user = self.user(m.group(1))
            if user is None:
                return not_found(m.group(1))
            settings = user.get("mailboxSettings")
            if settings is None:
                return _error(
                    404,
                    "MailboxNotEnabledForRESTAPI",
                    "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
                )
            return Response(200, select(settings, query))
        if m := USER.match(path):
            user = self.user(m.group(1))
            if user is None:
                return not_found(m.group(1))
            return Response(200, select(user, query, USER_DEFAULT))
        if path == "/users":
            try:
                clauses = parse_filter(query.get("$filter", "")) if query.get("$filter") else []
            except FilterError as exc:
                return _error(400, "Request_UnsupportedQuery", str(exc))
            if len(clauses) == 1 and clauses[0][:2] in (
                ("userPrincipalName", "in"),
                ("userPrincipalName", "eq"),
            ):
                found = (self.user(v) for v in clauses[0][2])
                users = [u for u in found if u is not None]
            else:
                users = [u for u in graph["users"] if matches(u, clauses)]
            return self.page(path, query, users, USER_DEFAULT)
        return _error(400, "BadRequest", f"Resource not found for the segment '{path}'.")

    def user(self, key: str) -> dict[str, Any] | None:
        """A user by object ID or user principal name (indexed: tenants of thousands)."""
        wanted = urllib.parse.unquote(key).lower()
        found = self._users().get(wanted)
        if found is not None and wanted not in (
            found["id"].lower(),
            found["userPrincipalName"].lower(),
        ):
            self._index = None  # a test renamed someone: index again
            found = self._users().get(wanted)
        return found

    _index: tuple[int, int, dict[str, dict[str, Any]]] | None = None

    def _users(self) -> dict[str, dict[str, Any]]:
        users = self.scenario.graph["users"]
        key = (id(users), len(users))
        if self._index is None or self._index[:2] != key:
            index: dict[str, dict[str, Any]] = {}
            for user in users:
                index[user["id"].lower()] = user
                index[user["userPrincipalName"].lower()] = user
            self._index = (*key, index)
        return self._index[2]

    def page(
        self,
        path: str,
        query: dict[str, str],
        items: list[dict[str, Any]],
        default: tuple[str, ...] | None = None,
    ) -> Response:
        """A collection page (``$top``, default 100, max 999) with ``@odata.nextLink``."""
        top = min(int(query.get("$top") or 100), 999)
        start = int(query.get("$skiptoken") or 0)
        chunk = items[start : start + top]
        body: dict[str, Any] = {
            "@odata.context": f"{self.base}/v1.0/$metadata#{path.strip('/')}",
            "value": [select(o, query, default) for o in chunk],
        }
        if start + top < len(items):
            following = {**query, "$skiptoken": str(start + top)}
            encoded = urllib.parse.urlencode(following, safe="$,()':")
            body["@odata.nextLink"] = f"{self.base}/v1.0{path}?{encoded}"
        return Response(200, body)

    # -- $batch ---------------------------------------------------------------------------------
    def batch(self, request: Request) -> Response:
        """JSON batching: per-item status, headers and body."""
        payload = request.json()
        items = payload.get("requests") if isinstance(payload, dict) else None
        if not isinstance(items, list) or not items:
            return _error(400, "BadRequest", "Invalid batch payload.")
        if len(items) > 20:
            return _error(400, "BadRequest", "The number of batch requests exceeds 20.")
        ids = [str(i.get("id")) for i in items]
        if len(set(ids)) != len(ids):
            return _error(400, "BadRequest", "Batch request ids must be unique.")
        responses = []
        for item in items:
            answer = self.item(item, self.identity.tenant_of(request))
            if answer.get("status") is None:
                continue  # an item fault of kind `missing`: left out of the response
            responses.append({"id": str(item.get("id")), **answer})
        responses.reverse()
        return Response(200, {"responses": responses})

    def item(self, item: dict[str, Any], tenant: str = "") -> dict[str, Any]:
        """One batch item's answer (``status``, ``headers``, ``body``)."""
        method = str(item.get("method", "")).upper()
        url = str(item.get("url", ""))
        if method != "GET":
            return {"status": 405, "body": {"error": {"code": "BadRequest", "message": "GET only"}}}
        if not url.startswith("/"):
            return {
                "status": 400,
                "body": {"error": {"code": "BadRequest", "message": "Invalid request URL."}},
            }
        parts = urllib.parse.urlsplit(url)
        path = urllib.parse.unquote(parts.path).removeprefix("/v1.0")
        query = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
        route = self.route_of(path, query)
        self.stats.count(route, item=True)
        fault = self.faults.pick(route, f"GET {url}", "item")
        if fault is not None and fault.kind in ("latency", "timeout"):
            time.sleep(fault.seconds)  # the whole batch answers that much later
        if fault is not None and fault.kind == "status":
            return {
                "status": fault.status,
                "headers": {"Content-Type": "application/json", **fault.headers()},
                "body": fault.body(),
            }
        if fault is not None and fault.kind == "missing":
            return {}
        if fault is not None and fault.kind == "malformed":
            return {
                "status": 200,
                "headers": {"Content-Type": "text/html"},
                "body": "PGh0bWw+UHJveHkgZXJyb3I8L2h0bWw+",
            }
        response = self.get(path, query, tenant)
        return {
            "status": response.status,
            "headers": {"Content-Type": "application/json"},
            "body": response.body,
        }

"""The Exchange Online admin REST endpoint ``InvokeCommand`` (as ExchangeOnlineManagement v3
calls it; KelvinTegelaar/CIPP-API, GreyCorbel/ExoHelper).

``POST /adminapi/beta/{tenant}/InvokeCommand[?$select=A,B]`` with
``{"CmdletInput": {"CmdletName": "…", "Parameters": {...}}}`` and a bearer token for
``https://outlook.office365.com``. Cmdlets: ``Get-TransportConfig``, ``Get-CASMailbox``,
``Get-Mailbox``, ``Get-ServicePrincipal``, ``Get-MailboxPermission``,
``Get-RecipientPermission``, ``Get-ManagementRoleAssignment`` (``-Role``, ``-RoleAssignee``),
``Get-ManagementScope`` and ``Test-ServicePrincipalAuthorization`` (RBAC for Applications: the
scope's ``RecipientRestrictionFilter`` is evaluated against the mailbox, ``-eq``/``-ne``/
``-like`` clauses joined by ``-and``/``-or``, ``MemberOfGroup`` from the mailbox's
``MemberOfGroup`` list). ``-Identity`` matches an SMTP address, the identity, name, alias,
GUID or directory object ID; a miss is ``404`` with a ``ManagementObjectNotFoundException``
message.

Parameters are bound as PowerShell binds them (:data:`SYNTAX`, from each cmdlet's documented
syntax): a name the cmdlet does not have, or an ambiguous prefix, is refused with ``400`` and a
``System.Management.Automation.ParameterBindingException`` (``NamedParameterNotFound``), as
Exchange Online refuses ``Get-ServicePrincipal -ResultSize``; every refused call is kept in
:attr:`Exchange.refused`.

Listings are paged by ``Prefer: odata.maxpagesize`` (the scenario's page size at most):
``@odata.nextLink`` points back at ``InvokeCommand`` with a ``$skiptoken``; the client POSTs the
same body there.

[UNVERIFIED] shapes: the real contract is undocumented (the public code above is the only
source).
"""

from __future__ import annotations

import fnmatch
import re
import urllib.parse
from typing import Any

from tests.emulators._server import Request, Response
from tests.emulators.microsoft.identity import Identity
from tests.emulators.microsoft.scenario import Scenario

EXCHANGE_AUDIENCE = "https://outlook.office365.com"
PATH = re.compile(r"^/adminapi/(?:beta|v1\.0)/([^/]+)/InvokeCommand$")
SYNTAX: dict[str, tuple[str, ...]] = {
    # Exchange Online parameters of each cmdlet (office-docs-powershell, SYNTAX sections).
    "Get-TransportConfig": ("Identity", "DomainController"),
    "Get-CASMailbox": (
        "Identity", "ActiveSyncDebugLogging", "ActiveSyncSuppressReadReceipt", "Anr",
        "Credential", "DomainController", "Filter", "IgnoreDefaultScope", "Monitoring",
        "OrganizationalUnit", "ProtocolSettings", "ReadFromDomainController",
        "ReadIsOptimizedForAccessibility", "RecalculateHasActiveSyncDevicePartnership",
        "ResultSize", "SortBy",
    ),
    "Get-Mailbox": (
        "Identity", "Anr", "Arbitration", "Archive", "AuditLog", "AuxAuditLog", "Credential",
        "DomainController", "Filter", "GroupMailbox", "IgnoreDefaultScope",
        "InactiveMailboxOnly", "IncludeInactiveMailbox", "MailboxPlan", "Migration",
        "Monitoring", "OrganizationalUnit", "PublicFolder", "RecipientTypeDetails",
        "ResultSize", "SoftDeletedMailbox", "SortBy",
    ),
    "Get-MailboxPermission": (
        "Identity", "Credential", "DomainController", "GroupMailbox",
        "IncludeSoftDeletedUserPermissions", "IncludeUnresolvedPermissions", "Owner",
        "ReadFromDomainController", "ResultSize", "SoftDeletedMailbox", "UseCustomRouting",
        "User",
    ),
    "Get-RecipientPermission": (
        "Identity", "AccessRights", "ReadFromDomainController", "ResultSize", "Trustee",
    ),
    "Get-ServicePrincipal": ("Identity", "Organization"),
    "Set-CASMailbox": (
        "Identity", "ActiveSyncAllowedDeviceIDs", "ActiveSyncBlockedDeviceIDs",
        "ActiveSyncDebugLogging", "ActiveSyncEnabled", "ActiveSyncMailboxPolicy",
        "ActiveSyncSuppressReadReceipt", "Confirm", "DisplayName", "EmailAddresses",
        "EwsAllowEntourage", "EwsAllowList", "EwsAllowMacOutlook", "EwsAllowOutlook",
        "EwsApplicationAccessPolicy", "EwsBlockList", "EwsEnabled",
        "HasActiveSyncDevicePartnership", "IgnoreDefaultScope", "ImapEnabled",
        "ImapEnableExactRFC822Size", "ImapForceICalForCalendarRetrievalOption",
        "ImapMessagesRetrievalMimeFormat", "ImapSuppressReadReceipt", "ImapUseProtocolDefaults",
        "MacOutlookEnabled", "MAPIEnabled", "Name", "OneWinNativeOutlookEnabled",
        "OutlookMobileEnabled", "OWAEnabled", "OWAforDevicesEnabled", "OwaMailboxPolicy",
        "PopEnabled", "PopEnableExactRFC822Size", "PopForceICalForCalendarRetrievalOption",
        "PopMessagesRetrievalMimeFormat", "PopSuppressReadReceipt", "PopUseProtocolDefaults",
        "PrimarySmtpAddress", "ResetAutoBlockedDevices", "SamAccountName",
        "ShowGalAsDefaultView", "SmtpClientAuthenticationDisabled", "UniversalOutlookEnabled",
        "WhatIf",
    ),
    "Get-ManagementRoleAssignment": (
        "Identity", "AssignmentMethod", "ConfigWriteScope", "CustomConfigWriteScope",
        "CustomRecipientWriteScope", "Delegating", "DomainController", "Enabled", "Exclusive",
        "ExclusiveConfigWriteScope", "ExclusiveRecipientWriteScope", "GetEffectiveUsers",
        "RecipientAdministrativeUnitScope", "RecipientGroupScope",
        "RecipientOrganizationalUnitScope", "RecipientWriteScope", "Role", "RoleAssignee",
        "RoleAssigneeType", "WritableDatabase", "WritableRecipient", "WritableServer",
    ),
    "Get-ManagementScope": ("Identity", "DomainController", "Exclusive", "Orphan"),
    "Test-ServicePrincipalAuthorization": (
        "Identity", "Confirm", "Organization", "Resource", "WhatIf",
    ),
}  # fmt: skip
COMMON = (
    "Debug", "ErrorAction", "ErrorVariable", "InformationAction", "InformationVariable",
    "OutBuffer", "OutVariable", "PipelineVariable", "Verbose", "WarningAction",
    "WarningVariable",
)  # fmt: skip
CLAUSE = re.compile(r"^\s*(\w+)\s+-(eq|ne|like)\s+'((?:[^']|'')*)'\s*$", re.IGNORECASE)


def in_scope(restriction: str, mailbox: dict[str, Any]) -> bool:
    """Whether ``mailbox`` matches a management scope's ``RecipientRestrictionFilter``."""
    for alternative in re.split(r"\s+-or\s+", restriction.strip().strip("{}()"), flags=re.I):
        if all(
            _clause(part, mailbox)
            for part in re.split(r"\s+-and\s+", alternative.strip().strip("()"), flags=re.I)
        ):
            return True
    return False


def _clause(text: str, mailbox: dict[str, Any]) -> bool:
    m = CLAUSE.match(text.strip().strip("()"))
    if m is None:
        raise ValueError(f"unsupported recipient filter clause: {text}")
    prop, op, value = m.group(1), m.group(2).lower(), m.group(3).replace("''", "'").lower()
    raw = mailbox.get(prop)
    values = [str(v).lower() for v in (raw if isinstance(raw, list) else [raw]) if v is not None]
    if prop.lower() == "emailaddresses":
        values = [v.split(":", 1)[-1] for v in values]
    like = op == "like"
    hit = any(fnmatch.fnmatchcase(v, value) for v in values) if like else value in values
    return hit if op != "ne" else not hit


COLLECTIONS = {
    "Get-CASMailbox": "casMailboxes",
    "Get-Mailbox": "mailboxes",
    "Get-ServicePrincipal": "servicePrincipals",
    "Get-MailboxPermission": "mailboxPermissions",
    "Get-RecipientPermission": "recipientPermissions",
    "Get-ManagementScope": "managementScopes",
}


def cmdlet_of(request: Request) -> str:
    """The cmdlet a request invokes (``?`` when unreadable)."""
    body = request.json()
    try:
        return str(body["CmdletInput"]["CmdletName"])
    except (TypeError, KeyError):
        return "?"


def _error(status: int, code: str, message: str) -> Response:
    return Response(status, {"error": {"code": code, "message": message}})


def binding_error(message: str, error_id: str) -> Response:
    """``400`` with a ``ParameterBindingException``, in the shape InvokeCommand gives it."""
    full = f"Ex9C1A2B|System.Management.Automation.ParameterBindingException|{message}"
    return Response(
        400,
        {
            "error": {
                "code": "BadRequest",
                "message": message,
                "details": [{"code": "Context", "target": "", "message": full}],
                "innererror": {
                    "message": message,
                    "type": "Microsoft.Exchange.Admin.OData.Core.ODataServiceException",
                    "internalException": {
                        "message": message,
                        "type": "System.Management.Automation.ParameterBindingException",
                        "errorId": error_id,
                    },
                },
            }
        },
    )


def bind(cmdlet: str, parameters: dict[str, Any]) -> tuple[dict[str, Any], Response | None]:
    """``parameters`` by their full names, or the binding error: names match case-insensitively
    or by an unambiguous prefix, as PowerShell binds them."""
    allowed = (*SYNTAX.get(cmdlet, ()), *COMMON)
    bound: dict[str, Any] = {}
    for name, value in parameters.items():
        exact = [p for p in allowed if p.lower() == name.lower()]
        found = exact or [p for p in allowed if p.lower().startswith(name.lower())]
        if not found:
            return {}, binding_error(
                f"A parameter cannot be found that matches parameter name '{name}'.",
                f"NamedParameterNotFound,{cmdlet}",
            )
        if len(found) > 1:
            return {}, binding_error(
                f"Parameter cannot be processed because the parameter name '{name}' is "
                f"ambiguous. Possible matches include: {' '.join('-' + f for f in found)}.",
                f"AmbiguousParameter,{cmdlet}",
            )
        bound[found[0]] = value
    size = bound.get("ResultSize")
    if size is not None and str(size).lower() != "unlimited" and not str(size).isdigit():
        return {}, binding_error(
            f"Cannot bind parameter 'ResultSize'. Cannot convert value \"{size}\" to type "
            '"Microsoft.Exchange.Data.Unlimited`1[System.UInt32]".',
            f"CannotConvertArgumentNoMessage,{cmdlet}",
        )
    return bound, None


def _names(obj: dict[str, Any]) -> set[str]:
    out = {
        str(obj.get(k)).lower()
        for k in (
            "Identity",
            "Name",
            "Alias",
            "Guid",
            "ExternalDirectoryObjectId",
            "PrimarySmtpAddress",
            "UserPrincipalName",
            "AppId",
            "ObjectId",
        )
        if obj.get(k)
    }
    for address in obj.get("EmailAddresses") or []:
        out.add(str(address).split(":", 1)[-1].lower())
    return out


class Exchange:
    """``InvokeCommand`` over a scenario."""

    def __init__(self, scenario: Scenario, identity: Identity) -> None:
        self.scenario = scenario
        self.identity = identity
        self.base = ""
        self.refused: list[tuple[str, dict[str, Any]]] = []
        """``(cmdlet, parameters)`` of every call refused with a binding error."""
        self._indexes: dict[int, tuple[tuple[int, int], dict[str, dict[str, Any]]]] = {}

    def handle(self, request: Request) -> Response:
        """One ``InvokeCommand`` POST."""
        m = PATH.match(request.path)
        if m is None or request.method != "POST":
            return _error(404, "NotFound", "No such endpoint.")
        denied = self.identity.check(request, EXCHANGE_AUDIENCE)
        if denied is not None:
            return denied
        if m.group(1).lower() != self.scenario.tenant:
            return _error(400, "BadRequest", f"Tenant '{m.group(1)}' is not this organization.")
        cmdlet = cmdlet_of(request)
        if f"exchange:{cmdlet}" in self.scenario.denied or "exchange" in self.scenario.denied:
            return _error(
                403,
                "Forbidden",
                "The role assigned to application isn't supported in this scenario.",
            )
        body = request.json() or {}
        raw = (body.get("CmdletInput") or {}).get("Parameters") or {}
        if cmdlet not in SYNTAX:
            return _error(
                400,
                "BadRequest",
                f"The term '{cmdlet}' is not recognized as a name of a cmdlet.",
            )
        params, refused = bind(cmdlet, raw)
        if refused is not None:
            self.refused.append((cmdlet, dict(raw)))
            return refused
        exchange = self.scenario.exchange
        if cmdlet == "Get-TransportConfig":
            items = [dict(exchange.get("transportConfig") or {})]
        elif cmdlet == "Get-ManagementRoleAssignment":
            items = self.role_assignments(params)
        elif cmdlet == "Test-ServicePrincipalAuthorization":
            return self.test_authorization(request, params)
        elif cmdlet == "Set-CASMailbox":
            return self.set_cas_mailbox(params)
        elif cmdlet in COLLECTIONS:
            items = list(exchange[COLLECTIONS[cmdlet]])
            identity = params.get("Identity")
            if identity is not None:
                wanted = str(identity).lower()
                if cmdlet in ("Get-MailboxPermission", "Get-RecipientPermission"):
                    mailbox = self.find(exchange["mailboxes"], wanted)
                    if mailbox is None:
                        return self.not_found(identity)
                    names = _names(mailbox)
                    items = [i for i in items if str(i.get("Identity", "")).lower() in names]
                else:
                    found = self.find(exchange[COLLECTIONS[cmdlet]], wanted)
                    if found is None:
                        return self.not_found(identity)
                    items = [found]
        else:
            return _error(
                400,
                "BadRequest",
                f"The term '{cmdlet}' is not recognized as a name of a cmdlet.",
            )
        return self.page(request, items)

    def role_assignments(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """``Get-ManagementRoleAssignment`` filtered by ``-Role`` and ``-RoleAssignee``."""
        items = list(self.scenario.exchange.get("managementRoleAssignments") or [])
        if params.get("Role") is not None:
            role = str(params["Role"]).lower()
            items = [i for i in items if str(i.get("Role", "")).lower() == role]
        if params.get("RoleAssignee") is not None:
            who = str(params["RoleAssignee"]).lower()
            items = [
                i
                for i in items
                if who in {str(i.get(k, "")).lower() for k in ("RoleAssignee", "RoleAssigneeName")}
            ]
        return items

    def test_authorization(self, request: Request, params: dict[str, Any]) -> Response:
        """``Test-ServicePrincipalAuthorization``: one row per role of the service principal."""
        exchange = self.scenario.exchange
        identity = str(params.get("Identity") or "")
        sp = self.find(exchange["servicePrincipals"], identity.lower())
        if sp is None:
            return self.not_found(identity)
        names = _names(sp)
        resource = params.get("Resource")
        mailbox = None
        if resource is not None:
            mailbox = self.find(exchange["mailboxes"], str(resource).lower())
            if mailbox is None:
                return self.not_found(resource)
        scopes = {str(s.get("Name", "")).lower(): s for s in exchange.get("managementScopes") or []}
        rows = []
        for assignment in exchange.get("managementRoleAssignments") or []:
            assignee = {
                str(assignment.get(k, "")).lower() for k in ("RoleAssignee", "RoleAssigneeName")
            }
            if not assignee & names:
                continue
            scope_name = assignment.get("CustomResourceScope")
            verdict: Any = "Not Run"
            if mailbox is not None:
                if scope_name:
                    found = scopes.get(str(scope_name).lower())
                    verdict = found is not None and in_scope(
                        str(found.get("RecipientRestrictionFilter") or ""), mailbox
                    )
                else:
                    verdict = True
            role = str(assignment.get("Role", ""))
            rows.append(
                {
                    "RoleName": role,
                    "GrantedPermissions": role.removeprefix("Application "),
                    "AllowedResourceScope": scope_name or "Organization",
                    "ScopeType": "CustomRecipientScope" if scope_name else "Organization",
                    "InScope": verdict,
                }
            )
        return self.page(request, rows)

    def set_cas_mailbox(self, params: dict[str, Any]) -> Response:
        """``Set-CASMailbox -Identity X -Setting value``: the CAS mailbox is changed in place
        (what a later ``Get-CASMailbox`` reads); nothing is returned, as Exchange does."""
        identity = params.get("Identity")
        found = self.find(self.scenario.exchange["casMailboxes"], str(identity or "").lower())
        if found is None:
            return self.not_found(identity)
        for name, value in params.items():
            if name not in ("Identity", "Confirm", "WhatIf", *COMMON):
                found[name] = value
        return Response(200, {"value": []})

    def find(self, objects: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
        """The object one of whose names is ``name`` (indexed per list, re-indexed on change)."""
        key = (id(objects), len(objects))  # the scenario's own lists: they live as long
        cached = self._indexes.get(id(objects))
        if cached is None or cached[0] != key:
            index: dict[str, dict[str, Any]] = {}
            for obj in objects:
                for alias in _names(obj):
                    index.setdefault(alias, obj)
            cached = (key, index)
            self._indexes[id(objects)] = cached
        found = cached[1].get(name)
        if found is not None and name in _names(found):
            return found
        # Not indexed (a test changed an object in place): look it up the slow way.
        return next((o for o in objects if name in _names(o)), None)

    def not_found(self, identity: Any) -> Response:
        """What a missing ``-Identity`` gives."""
        return _error(
            404,
            "NotFound",
            "Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|"
            f"The operation couldn't be performed because object '{identity}' couldn't be "
            f"found on 'AM0PR01A001DC01.EURPR01A001.prod.outlook.com'.",
        )

    def page(self, request: Request, items: list[dict[str, Any]]) -> Response:
        """A page of ``value`` per ``Prefer: odata.maxpagesize`` with ``@odata.nextLink``."""
        size = self.scenario.exchange_page_size
        prefer = request.headers.get("prefer", "")
        if m := re.search(r"odata\.maxpagesize=(\d+)", prefer):
            size = min(size, int(m.group(1)))
        start = int(request.query.get("$skiptoken") or 0)
        wanted = request.query.get("$select")
        keys = [k.strip() for k in wanted.split(",")] if wanted else None
        chunk = [
            {k: item.get(k) for k in keys} if keys else item for item in items[start : start + size]
        ]
        body: dict[str, Any] = {
            "@odata.context": (
                f"{self.base}/adminapi/beta/$metadata#Collection(Exchange.GenericHashTable)"
            ),
            "value": chunk,
        }
        if start + size < len(items):
            query = {**request.query, "$skiptoken": str(start + size)}
            body["@odata.nextLink"] = (
                f"{self.base}{request.path}?{urllib.parse.urlencode(query, safe='$,')}"
            )
        return Response(200, body)

"""Exchange Online reads through the admin REST endpoint ``InvokeCommand`` (what the
ExchangeOnlineManagement v3 module uses; KelvinTegelaar/CIPP-API, GreyCorbel/ExoHelper), into
the Exchange half of a tenant.

``POST https://outlook.office365.com/adminapi/beta/{tenant}/InvokeCommand`` with
``{"CmdletInput": {"CmdletName": "Get-CASMailbox", "Parameters": {...}}}``; results come in
``value``, further pages at ``@odata.nextLink`` (POST the same body). The endpoint has no batch,
so :func:`fetch_exchange` chooses per count: below ``exchange_listing_threshold`` mailboxes it
calls ``Get-CASMailbox``/``Get-Mailbox -Identity`` once per mailbox (concurrently); from the
threshold it lists them (``-ResultSize Unlimited``, ``Prefer: odata.maxpagesize``) and keeps the
named ones, which costs one request per page whatever the number of named mailboxes.

[UNVERIFIED]: the HTTP contract is undocumented; a missing object is taken to be
HTTP 404 or an error naming ``ManagementObjectNotFoundException`` / "couldn't be found".
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from mailoauth_cfg.live import snapshot as snap
from mailoauth_cfg.live._http import Transport
from mailoauth_cfg.live.microsoft.cmdlets import check_call
from mailoauth_cfg.live.microsoft.errors import (
    LiveReadError,
    ObjectNotFound,
    error_text,
    is_not_found,
    is_parameter_binding,
    with_hint,
)
from mailoauth_cfg.live.microsoft.exchange_roles import SMTP_ROLE
from mailoauth_cfg.live.microsoft.needs import MicrosoftNeeds
from mailoauth_cfg.live.microsoft.parse import (
    as_bool,
    as_list,
    smtp_addresses,
    to_authorization,
    to_cas,
    to_mailbox,
    to_role_assignment,
    to_scope,
)
from mailoauth_cfg.live.options import FetchOptions

MAX_PAGES = 1000

CAS_SELECT = [
    "Identity",
    "PrimarySmtpAddress",
    "EmailAddresses",
    "ExternalDirectoryObjectId",
    "SmtpClientAuthenticationDisabled",
    "ImapEnabled",
    "PopEnabled",
]
MAILBOX_SELECT = [
    "Identity",
    "PrimarySmtpAddress",
    "EmailAddresses",
    "ExternalDirectoryObjectId",
    "RecipientTypeDetails",
]


@dataclass
class ExchangeFacts:
    """The Exchange facts gathered so far."""

    transport_config: snap.TransportConfig | None = None
    cas_mailboxes: dict[str, snap.CasMailbox | None] = field(default_factory=dict)
    mailboxes: dict[str, snap.Mailbox | None] = field(default_factory=dict)
    exchange_service_principals: dict[str, snap.ExchangeServicePrincipal | None] = field(
        default_factory=dict
    )
    mailbox_permissions: dict[str, list[snap.MailboxPermission]] = field(default_factory=dict)
    recipient_permissions: dict[str, list[snap.RecipientPermission]] = field(default_factory=dict)
    role_assignments: dict[str, list[snap.ManagementRoleAssignment]] = field(default_factory=dict)
    management_scopes: dict[str, snap.ManagementScope | None] = field(default_factory=dict)
    authorizations: dict[str, list[snap.ServicePrincipalAuthorization]] = field(
        default_factory=dict
    )
    unavailable: dict[str, str] = field(default_factory=dict)

    @property
    def has_facts(self) -> bool:
        """Whether anything was read."""
        return self.transport_config is not None or any(
            (
                self.role_assignments,
                self.cas_mailboxes,
                self.mailboxes,
                self.exchange_service_principals,
                self.mailbox_permissions,
                self.recipient_permissions,
            )
        )


class ExchangeClient:
    """Calls cmdlets through ``InvokeCommand`` with an app-only bearer token."""

    def __init__(
        self,
        transport: Transport,
        base: str,
        token: Callable[[], Awaitable[str]],
        *,
        anchor: str,
        options: FetchOptions,
    ) -> None:
        self.transport = transport
        self.base = base.rstrip("/")
        self.token = token
        self.anchor = anchor
        self.options = options

    def _same_host(self, link: str) -> str:
        # Follow a nextLink on the configured host only: the bearer token never leaves it.
        ours = urlsplit(self.base)
        theirs = urlsplit(link)
        return urlunsplit((ours.scheme, ours.netloc, theirs.path, theirs.query, ""))

    async def invoke(
        self,
        cmdlet: str,
        parameters: dict[str, Any] | None = None,
        *,
        select: list[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Every object the cmdlet returns (all pages). ``ObjectNotFound`` or ``LiveReadError``
        (:class:`~mailoauth_cfg.errors.UnknownCmdletParameter`, before anything is sent, for a
        parameter the cmdlet does not have)."""
        check_call(cmdlet, parameters or {})
        payload = json.dumps(
            {"CmdletInput": {"CmdletName": cmdlet, "Parameters": parameters or {}}}
        ).encode()
        url = f"{self.base}/InvokeCommand"
        if select:
            url += "?$select=" + ",".join(select)
        out: list[dict[str, Any]] = []
        self.transport.stats.reads += 1
        for _ in range(MAX_PAGES):
            current = url

            async def build(current: str = current) -> Any:
                headers = {
                    "Authorization": f"Bearer {await self.token()}",
                    "Content-Type": "application/json",
                    "Accept": "application/json",
                    "X-AnchorMailbox": self.anchor,
                    "X-CmdletName": cmdlet,
                    "X-ResponseFormat": "json",
                    "X-ClientApplication": "ExoManagementModule",
                    "Prefer": f"odata.maxpagesize={self.options.exchange_page_size}",
                    **self.options.extra_headers,
                }
                return self.transport.client.build_request(
                    "POST", current, headers=headers, content=payload
                )

            reply = await self.transport.send(build, kind="exchange", what=cmdlet)
            if reply.status >= 400:
                if is_not_found(reply.status, reply.body):
                    raise ObjectNotFound(cmdlet)
                if is_parameter_binding(reply.body):
                    raise LiveReadError(
                        f"{cmdlet}: {error_text(reply.status, reply.body)} (Exchange refused a "
                        "parameter of the call: a checker defect, not a tenant or permission "
                        "problem)"
                    )
                raise LiveReadError(
                    with_hint(f"{cmdlet}: {error_text(reply.status, reply.body)}", "exchange")
                )
            body = reply.body
            values = body.get("value") if isinstance(body, dict) else None
            if not isinstance(values, list) or not all(isinstance(v, dict) for v in values):
                raise LiveReadError(f"{cmdlet}: malformed response (no `value` list of objects)")
            out.extend(values)
            link = body.get("@odata.nextLink")
            if not link:
                return out
            url = self._same_host(str(link))
        raise LiveReadError(f"{cmdlet}: more than {MAX_PAGES} pages")


async def fetch_exchange(
    client: ExchangeClient,
    needs: MicrosoftNeeds,
    options: FetchOptions,
    facts: ExchangeFacts | None = None,
) -> ExchangeFacts:
    """Read every Exchange fact ``needs`` names into ``facts`` (filled as reads complete);
    failures are recorded, never raised."""
    facts = ExchangeFacts() if facts is None else facts

    async def guarded(key: str, work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        except LiveReadError as exc:
            facts.unavailable[key] = exc.reason

    async def transport_config() -> None:
        found = await client.invoke(
            "Get-TransportConfig", select=["SmtpClientAuthenticationDisabled"]
        )
        if not found:
            raise LiveReadError("Get-TransportConfig returned nothing")
        facts.transport_config = snap.TransportConfig(
            smtp_client_authentication_disabled=as_bool(
                found[0].get("SmtpClientAuthenticationDisabled")
            )
        )

    async def one(cmdlet: str, email: str) -> dict[str, Any] | None:
        try:
            found = await client.invoke(cmdlet, {"Identity": email})
        except ObjectNotFound:
            return None
        return found[0] if found else None

    async def cas_of(email: str) -> None:
        obj = await one("Get-CASMailbox", email)
        facts.cas_mailboxes[email] = None if obj is None else to_cas(obj)

    async def mailbox_of(email: str) -> None:
        obj = await one("Get-Mailbox", email)
        facts.mailboxes[email] = None if obj is None else to_mailbox(obj)

    async def list_all(
        cmdlet: str,
        select: list[str],
        convert: Callable[[dict[str, Any]], Any],
        into: dict[str, Any],
    ) -> None:
        """One paged listing of ``cmdlet``, indexed by every SMTP address, then each mailbox
        the config names looked up in it (absent: ``None``)."""
        index: dict[str, dict[str, Any]] = {}
        for listed in await client.invoke(cmdlet, {"ResultSize": "Unlimited"}, select=select):
            for address in smtp_addresses(listed):
                index.setdefault(address, listed)
        for email in needs.mailboxes:
            obj = index.get(email)
            into[email] = None if obj is None else convert(obj)

    async def service_principals() -> None:
        # Get-ServicePrincipal takes -Identity and -Organization only: without them it lists
        # every service principal (paged), which costs one call whatever the number of apps.
        found = await client.invoke("Get-ServicePrincipal")
        by_app = {str(o.get("AppId") or "").lower(): o for o in found}
        for app in needs.app_only:
            obj = by_app.get(app.client_id)
            facts.exchange_service_principals[app.client_id] = (
                None
                if obj is None
                else snap.ExchangeServicePrincipal(
                    app_id=app.client_id,
                    object_id=(str(obj.get("ObjectId") or "").lower() or None),
                    display_name=obj.get("DisplayName"),
                    identity=obj.get("Identity"),
                )
            )

    async def rbac(app_service_principals: asyncio.Task[None]) -> None:
        """RBAC for Applications: who holds the SMTP role, then, for each app-only app holding
        it, whether it reaches each mailbox the app sends as (Exchange evaluates the scope)."""
        key = SMTP_ROLE.lower()
        try:
            found = await client.invoke("Get-ManagementRoleAssignment", {"Role": SMTP_ROLE})
        except ObjectNotFound:
            found = []
        assignments = [to_role_assignment(o) for o in found]
        facts.role_assignments[key] = assignments
        if not assignments:
            return
        await app_service_principals
        checks: list[Coroutine[Any, Any, None]] = []
        scopes: set[str] = set()
        for app in needs.app_only:
            senders = [email for email, rights in app.mailbox_rights if "SendAs" in rights]
            exo = facts.exchange_service_principals.get(app.client_id)
            names = {app.client_id}
            if exo is not None:
                names |= {v.lower() for v in (exo.object_id, exo.identity, exo.display_name) if v}
            known = app.client_id in facts.exchange_service_principals
            held = [a for a in assignments if not known or a.held_by(names)]
            if not held or not senders:
                continue
            scopes |= {a.custom_resource_scope for a in held if a.custom_resource_scope}
            for email in senders:
                checks.append(
                    guarded(
                        f"authorizations:{app.client_id}/{email}",
                        authorization(app.client_id, email),
                    )
                )
        for name in sorted(scopes):
            checks.append(guarded(f"management_scopes:{name.lower()}", scope(name)))
        await asyncio.gather(*checks)

    async def authorization(app_id: str, email: str) -> None:
        rows = await client.invoke(
            "Test-ServicePrincipalAuthorization", {"Identity": app_id, "Resource": email}
        )
        facts.authorizations[f"{app_id}/{email}"] = [to_authorization(o) for o in rows]

    async def scope(name: str) -> None:
        try:
            found = await client.invoke("Get-ManagementScope", {"Identity": name})
        except ObjectNotFound:
            found = []
        facts.management_scopes[name.lower()] = to_scope(found[0]) if found else None

    async def mailbox_permissions(email: str) -> None:
        try:
            found = await client.invoke("Get-MailboxPermission", {"Identity": email})
        except ObjectNotFound:
            found = []
        facts.mailbox_permissions[email] = [
            snap.MailboxPermission(
                user=str(o.get("User") or ""),
                access_rights=as_list(o.get("AccessRights")),
                deny=bool(as_bool(o.get("Deny"))),
                is_inherited=bool(as_bool(o.get("IsInherited"))),
            )
            for o in found
        ]

    async def recipient_permissions(email: str) -> None:
        try:
            found = await client.invoke("Get-RecipientPermission", {"Identity": email})
        except ObjectNotFound:
            found = []
        facts.recipient_permissions[email] = [
            snap.RecipientPermission(
                trustee=str(o.get("Trustee") or ""),
                access_rights=as_list(o.get("AccessRights")),
                access_control_type=str(o.get("AccessControlType") or "Allow"),
            )
            for o in found
        ]

    work: list[Awaitable[None]] = []
    if needs.mailboxes:
        work.append(guarded("transport_config", transport_config()))
        if len(needs.mailboxes) >= options.exchange_listing_threshold:
            work.append(
                guarded(
                    "cas_mailboxes",
                    list_all("Get-CASMailbox", CAS_SELECT, to_cas, facts.cas_mailboxes),
                )
            )
            work.append(
                guarded(
                    "mailboxes",
                    list_all("Get-Mailbox", MAILBOX_SELECT, to_mailbox, facts.mailboxes),
                )
            )
        else:
            for email in needs.mailboxes:
                work.append(guarded(f"cas_mailboxes:{email}", cas_of(email)))
                work.append(guarded(f"mailboxes:{email}", mailbox_of(email)))
    if needs.app_only:
        principals = asyncio.ensure_future(
            guarded("exchange_service_principals", service_principals())
        )
        work.append(principals)
        if any("SendAs" in rights for a in needs.app_only for _, rights in a.mailbox_rights):
            work.append(guarded(f"role_assignments:{SMTP_ROLE.lower()}", rbac(principals)))
    full, send_as = needs.permission_reads()
    for email in full:
        work.append(guarded(f"mailbox_permissions:{email}", mailbox_permissions(email)))
    for email in send_as:
        work.append(guarded(f"recipient_permissions:{email}", recipient_permissions(email)))
    await asyncio.gather(*work)
    return facts

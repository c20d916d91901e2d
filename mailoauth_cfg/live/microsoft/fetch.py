"""One Microsoft tenant: the checker's tokens, then Graph (:mod:`.graph`) and Exchange Online
(:mod:`.exchange`) read concurrently into one :class:`MicrosoftTenant` section.

Imported only by :func:`mailoauth_cfg.live.run.fetch_async` (``--online``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from mailoauth_cfg.live import snapshot as snap
from mailoauth_cfg.live._http import Stats, Transport
from mailoauth_cfg.live._retry import Budget
from mailoauth_cfg.live.microsoft.batch import GraphReader
from mailoauth_cfg.live.microsoft.errors import describe, error_text
from mailoauth_cfg.live.microsoft.graph import GraphFacts, fetch_graph
from mailoauth_cfg.live.microsoft.needs import MicrosoftNeeds
from mailoauth_cfg.live.options import FetchOptions


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
    budget: Budget | None = None,
) -> TenantResult:
    """Read one tenant. Never raises for tenant-side problems: they end up in ``unavailable``.

    ``budget`` (the run's ``--timeout``, else ``options.deadline`` from now) bounds the whole
    read: when it runs out, the reads in flight are cancelled and every fact not read by then
    is recorded as not read within the budget."""
    import datetime as dt

    from mailoauth_cfg.errors import LiveCredentialError
    from mailoauth_cfg.live._http import async_client
    from mailoauth_cfg.live.microsoft.credentials import make_credential
    from mailoauth_cfg.live.microsoft.exchange import ExchangeClient, ExchangeFacts, fetch_exchange

    budget = budget or Budget(options.deadline)
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
            low_impact=graph.low_impact,
            authorization_policy=graph.authorization_policy,
            users=graph.users,
            mailbox_settings=graph.mailbox_settings,
            transport_config=exchange.transport_config,
            cas_mailboxes=exchange.cas_mailboxes,
            mailboxes=exchange.mailboxes,
            exchange_service_principals=exchange.exchange_service_principals,
            mailbox_permissions=exchange.mailbox_permissions,
            recipient_permissions=exchange.recipient_permissions,
            role_assignments=exchange.role_assignments,
            management_scopes=exchange.management_scopes,
            authorizations=exchange.authorizations,
            unavailable={**unavailable, **graph.unavailable, **exchange.unavailable},
        )

    if needs.empty:
        return TenantResult(section(), stats)
    if needs.problem:
        unavailable["*"] = needs.problem
        return TenantResult(section(), stats)
    try:
        credential = make_credential(conn, credential_source, environ, options)
    except LiveCredentialError as exc:
        unavailable["*"] = f"credentials: {exc}"
        return TenantResult(section(), stats)

    tokens = _TokenCache(credential)
    need_graph = bool(needs.apps or needs.users)
    need_exchange = needs.needs_exchange
    clients: list[Any] = []

    async def first_token(scope: str, *, cae: bool = False) -> str | None:
        try:
            await tokens.get(scope, cae=cae)
        except Exception as exc:
            return f"could not get a token for {scope}: {describe(exc)}"
        return None

    async def read() -> None:
        graph_error, exchange_error = await asyncio.gather(
            first_token(conn.graph_scope, cae=True) if need_graph else _none(),
            first_token(conn.exchange_scope) if need_exchange else _none(),
        )
        if graph_error and (exchange_error or not need_exchange):
            unavailable["*"] = graph_error
            return
        if exchange_error and not need_graph:
            unavailable["*"] = exchange_error
            return
        if graph_error:
            unavailable["graph"] = graph_error
        if exchange_error:
            unavailable["exchange"] = exchange_error
        jobs: list[Coroutine[Any, Any, Any]] = []
        if need_graph and not graph_error:
            jobs.append(read_graph())
            jobs.extend(read_home(home, ids) for home, ids in needs.home_apps.items())
        if need_exchange and not exchange_error:
            jobs.append(read_exchange())
        await asyncio.gather(*jobs)

    async def read_graph(
        with_credential: Any = None, at: Any = None, subset: MicrosoftNeeds | None = None
    ) -> None:
        """Graph reads of ``needs`` (or only the registrations of ``subset``, in another tenant,
        with ``with_credential`` on the connection ``at``)."""
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

        where = at or conn
        # Our Transport retries (with the configured budget), so the SDK's does not.
        no_retry = RetryHandlerOption(delay=0, max_retries=0, should_retry=False)
        http = GraphClientFactory.create_with_default_middleware(
            client=async_client(options, where.ca_bundle, options.graph_concurrency),
            options={RetryHandlerOption.get_key(): no_retry},
        )
        clients.append(http)
        auth = AzureIdentityAuthenticationProvider(
            with_credential or credential, scopes=[where.graph_scope]
        )
        adapter = GraphRequestAdapter(auth, http)
        adapter.base_url = where.graph_base
        client = GraphServiceClient(request_adapter=adapter)
        transport = Transport(
            http,
            options,
            concurrency=options.graph_concurrency,
            stats=stats,
            service="graph",
            error_text=error_text,
            budget=budget,
        )
        reader = GraphReader(adapter, transport, options, on_progress=progress)
        try:
            await fetch_graph(
                client, reader, subset or needs, options, graph, registrations_only=bool(subset)
            )
        finally:
            await reader.close()

    async def read_home(home: str, client_ids: tuple[str, ...]) -> None:
        """The registrations of apps that live in another tenant (``home_tenant``), read
        there with the checker's credential for that tenant."""
        from dataclasses import replace

        at = replace(conn, tenant=home)
        where = f"the registration lives in tenant {home} (home_tenant)"
        try:
            other = make_credential(at, credential_source, environ, options)
        except LiveCredentialError as exc:
            for client_id in client_ids:
                graph.unavailable[f"applications:{client_id}"] = f"{where}: credentials: {exc}"
            return
        try:
            subset = replace(
                needs,
                tenant=home,
                apps=tuple(a for a in needs.apps if a.client_id in client_ids),
                users=(),
                mailboxes=(),
                delegates=(),
            )
            await read_graph(other, at, subset)
        finally:
            await other.close()

    async def read_exchange() -> None:
        http = async_client(options, conn.ca_bundle, options.exchange_concurrency)
        clients.append(http)
        exo = ExchangeClient(
            Transport(
                http,
                options,
                concurrency=options.exchange_concurrency,
                stats=stats,
                service="exchange",
                error_text=error_text,
                budget=budget,
            ),
            conn.exchange_base,
            lambda: tokens.get(conn.exchange_scope),
            anchor=conn.anchor_mailbox,
            options=options,
        )
        await fetch_exchange(exo, needs, options, exchange)

    try:
        if budget.limited:
            await asyncio.wait_for(read(), budget.remaining())
        else:
            await read()
    except TimeoutError:
        # The budget ran out: whatever was not read by now is unknown, for that reason.
        if need_graph:
            unavailable.setdefault("graph", budget.reason)
        if need_exchange:
            unavailable.setdefault("exchange", budget.reason)
        if not (graph.has_facts or exchange.has_facts):
            unavailable.setdefault("*", budget.reason)
    except Exception as exc:  # reported as an incomplete provider, not a crash
        unavailable["*"] = f"the read failed: {describe(exc)}"
    finally:
        for http in clients:
            await http.aclose()
        await credential.close()
    return TenantResult(section(), stats)


async def _none() -> None:
    return None

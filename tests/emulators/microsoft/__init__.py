"""A Microsoft 365 tenant emulator for the live checks: Entra ID tokens, Graph v1.0 and the
Exchange Online admin API, over HTTPS on 127.0.0.1 with a trustme CA.

The real clients (azure-identity, msgraph-sdk/kiota, httpx) talk to it through a provider's
``endpoints:`` override and ``ca_bundle:``; nothing on the client side is mocked::

    with MicrosoftEmulator(load_scenario("baseline")) as tenant:
        config = {..., "providers": {"contoso": tenant.provider()}}
        env = tenant.environment()          # AZURE_CLIENT_ID / AZURE_CLIENT_SECRET of the checker
        ...
        tenant.stats.total                  # HTTP requests received

See :mod:`.scenario` for the scenario format, :mod:`.graph`, :mod:`.exchange` and
:mod:`.identity` for the routes, and :mod:`tests.emulators._server` for faults and latency.
"""

from __future__ import annotations

import re
from typing import Any

from tests.emulators._server import Fault, Faults, HttpsServer, Request, Response, Tls
from tests.emulators.microsoft.exchange import Exchange, cmdlet_of
from tests.emulators.microsoft.graph import Graph
from tests.emulators.microsoft.identity import Identity
from tests.emulators.microsoft.scenario import Scenario, load_scenario

TOKEN = re.compile(r"^/([^/]+)/oauth2/v2\.0/token$")
METADATA = re.compile(r"^/([^/]+)/v2\.0/\.well-known/openid-configuration$")


class MicrosoftEmulator:
    """One tenant (a :class:`Scenario`) served over HTTPS."""

    def __init__(self, scenario: Scenario, tls: Tls | None = None) -> None:
        self.scenario = scenario
        self.tls = tls or Tls()
        self.faults = Faults([Fault.from_dict(f) for f in scenario.faults], seed=scenario.seed)
        self.identity = Identity(scenario)
        self.server = HttpsServer(
            self.handle, self.route, self.tls, latency=scenario.latency, faults=self.faults
        )
        self.stats = self.server.stats
        self.graph = Graph(scenario, self.identity, self.stats, self.faults)
        self.exchange = Exchange(scenario, self.identity)
        for part in (self.identity, self.graph, self.exchange):
            part.base = self.server.base

    # -- serving --------------------------------------------------------------------------------
    def route(self, request: Request) -> str:
        """Route name of an HTTP request, for faults and counts."""
        path = request.path
        if TOKEN.match(path):
            return "token"
        if METADATA.match(path):
            return "openid"
        if path.startswith("/v1.0/"):
            return Graph.route_of(path.removeprefix("/v1.0"), request.query)
        if "/InvokeCommand" in path:
            return f"exchange:{cmdlet_of(request)}"
        return "other"

    def handle(self, request: Request) -> Response:
        """Dispatch to the identity platform, Graph or Exchange."""
        path = request.path
        if m := TOKEN.match(path):
            if request.method != "POST":
                return Response(405, {"error": "invalid_request"})
            return self.identity.token(m.group(1), request)
        if m := METADATA.match(path):
            return self.identity.metadata(m.group(1))
        if path.startswith("/v1.0/"):
            return self.graph.handle(request)
        if path.startswith("/adminapi/"):
            return self.exchange.handle(request)
        return Response(404, {"error": {"code": "NotFound", "message": path}})

    def start(self) -> MicrosoftEmulator:
        """Start serving."""
        self.server.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self.server.stop()

    def __enter__(self) -> MicrosoftEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what a config and the checker need -----------------------------------------------------
    @property
    def base(self) -> str:
        """``https://127.0.0.1:PORT``."""
        return self.server.base

    @property
    def ca_file(self) -> str:
        """PEM of the CA that signed the server certificate."""
        return self.tls.ca_file

    def provider(self, **extra: Any) -> dict[str, Any]:
        """A ``providers:`` entry pointing every endpoint at the emulator."""
        return {
            "type": "microsoft",
            "tenant": self.scenario.tenant,
            "endpoints": {"login": self.base, "graph": self.base, "exchange": self.base},
            "ca_bundle": self.ca_file,
            **extra,
        }

    def environment(self, index: int = 0) -> dict[str, str]:
        """``AZURE_CLIENT_ID``/``AZURE_CLIENT_SECRET`` of the scenario's ``index``-th client."""
        client = self.scenario.clients[index]
        env = {"AZURE_CLIENT_ID": client["client_id"]}
        if client.get("secret"):
            env["AZURE_CLIENT_SECRET"] = client["secret"]
        return env


__all__ = ["Fault", "MicrosoftEmulator", "Scenario", "Tls", "load_scenario"]

"""Applications no package registry has, reduced to the interfaces the rendered scripts use,
built on what the applications' own code does (see the reference in the project's docs):

* Odoo's XML-RPC API (``/xmlrpc/2/common`` ``authenticate``, ``/xmlrpc/2/object``
  ``execute_kw``) with ``ir.config_parameter.set_param`` and the ``search``/``create``/``write``
  of ``ir.mail_server`` and ``fetchmail.server`` (whose ``fields_get`` are Odoo 17's);
* Nextcloud Mail's admin API, ``POST /apps/mail/api/integration/{microsoft,google}`` with basic
  authentication and the ``OCS-APIRequest`` header, which stores the integration.

Both serve HTTPS with the test CA on 127.0.0.1 (``localhost``); what they receive is kept for
the tests' assertions.
"""

from __future__ import annotations

import base64
import json
import ssl
import threading
import xmlrpc.server
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

from tests.emulators.mailserver import free_port


@dataclass
class Odoo:
    """An Odoo database over XML-RPC."""

    context: ssl.SSLContext
    login: str = "admin"
    password: str = "odoo-admin-api-key-1"
    db: str = "acme"
    port: int = 0
    parameters: dict[str, Any] = field(default_factory=dict)
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    _server: Any = None

    FIELDS: ClassVar[dict[str, dict[str, Any]]] = {
        "ir.mail_server": {
            "smtp_authentication": {"type": "selection"},
            "from_filter": {"type": "char"},
        },
        "fetchmail.server": {
            "server_type": {
                "type": "selection",
                "selection": [["imap", "IMAP"], ["pop", "POP"], ["gmail", "Gmail"],
                              ["outlook", "Outlook"]],
            },
        },
    }  # fmt: skip

    def start(self) -> Odoo:
        odoo = self

        class Common:
            def authenticate(self, db: str, login: str, password: str, _env: Any) -> Any:
                ok = (db, login, password) == (odoo.db, odoo.login, odoo.password)
                return 2 if ok else False

        class Object:
            def execute_kw(
                self, db: str, uid: int, password: str, model: str, method: str, *rest: Any
            ) -> Any:
                args, kwargs = (list(rest[0]) if rest else []), (rest[1] if len(rest) > 1 else {})
                if (db, uid, password) != (odoo.db, 2, odoo.password):
                    raise xmlrpc.server.Fault(3, "Access Denied")
                return odoo.call(model, method, args, kwargs or {})

        self.port = free_port("127.0.0.1")
        self._server = _XmlRpcServer(("127.0.0.1", self.port), self.context)
        self._server.register_instance(_Paths(Common(), Object()), allow_dotted_names=False)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def call(self, model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        rows = self.records.setdefault(model, [])
        if model == "ir.config_parameter" and method == "set_param":
            self.parameters[args[0]] = args[1]
            return True
        if method == "fields_get":
            return self.FIELDS.get(model, {})
        if model == "ir.model" and method == "search_count":
            return 1
        if method == "search":
            (domain,) = args[:1]
            wanted = {k: v for k, _op, v in domain}
            return [r["id"] for r in rows if all(r.get(k) == v for k, v in wanted.items())][
                : kwargs.get("limit")
            ]
        if method == "create":
            rows.append({**args[0], "id": len(rows) + 1})
            return len(rows)
        if method == "write":
            for row in rows:
                if row["id"] in args[0]:
                    row.update(args[1])
            return True
        raise xmlrpc.server.Fault(2, f"unknown method {model}.{method}")

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


class _Paths:
    """``/xmlrpc/2/common`` and ``/xmlrpc/2/object`` on one server."""

    def __init__(self, common: Any, obj: Any) -> None:
        self.common, self.object = common, obj

    def _dispatch(self, method: str, params: tuple[Any, ...]) -> Any:
        target = self.object if method == "execute_kw" else self.common
        return getattr(target, method)(*params)


class _OdooPaths(xmlrpc.server.SimpleXMLRPCRequestHandler):
    rpc_paths = ("/xmlrpc/2/common", "/xmlrpc/2/object")


class _XmlRpcServer(xmlrpc.server.SimpleXMLRPCServer):
    def __init__(self, address: tuple[str, int], context: ssl.SSLContext) -> None:
        super().__init__(address, requestHandler=_OdooPaths, logRequests=False, allow_none=True)
        self.socket = context.wrap_socket(self.socket, server_side=True)


@dataclass
class Nextcloud:
    """Nextcloud Mail's integration endpoints."""

    context: ssl.SSLContext
    user: str = "admin"
    password: str = "nextcloud-app-password-1"
    port: int = 0
    integrations: dict[str, dict[str, Any]] = field(default_factory=dict)
    _server: Any = None

    def start(self) -> Nextcloud:
        nextcloud = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                provider = self.path.removeprefix("/apps/mail/api/integration/")
                expected = base64.b64encode(
                    f"{nextcloud.user}:{nextcloud.password}".encode()
                ).decode()
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Authorization") != f"Basic {expected}":
                    return self._answer(401, {"message": "Current user is not logged in"})
                if self.headers.get("OCS-APIRequest") != "true":
                    return self._answer(412, {"message": "CSRF check failed"})
                if provider not in ("microsoft", "google"):
                    return self._answer(404, {"message": "not found"})
                nextcloud.integrations[provider] = json.loads(body)
                return self._answer(200, {"status": "success"})

            def _answer(self, status: int, doc: dict[str, Any]) -> None:
                data = json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.port = free_port("127.0.0.1")
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.socket = self.context.wrap_socket(self._server.socket, server_side=True)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

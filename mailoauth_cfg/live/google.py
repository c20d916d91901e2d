"""Google Workspace reads for one provider, into a :class:`~.snapshot.GoogleDomain`.

google-api-python-client builds every request from the discovery documents bundled with it
(``static_discovery=True``: no discovery fetch) and google-auth mints the tokens: a service
account with domain-wide delegation (DWD) impersonating ``providers.<name>.admin`` for the
Directory API and each mailbox for Gmail, the service account itself for Service Usage; or user
credentials (``authorized_user``) for everything. Only what
:func:`~mailoauth_cfg.live.google_needs.google_needs` names is read.

How reads become requests: every read is a :class:`_Read` (one API method call). Directory
reads wait for the administrator's token, Gmail reads for their mailbox's token; then they are
sent as ``multipart/mixed`` batches of up to 50 (googleapiclient's ``BatchHttpRequest``, each
part with its own ``Authorization``, which overrides the outer request's), or one by one when
``batch_size`` is 1. A pool of ``graph_concurrency`` worker threads (httplib2 is synchronous and
not thread-safe: one ``httplib2.Http`` per thread) sends token requests, batches and single
calls, reads before token requests, and never holds a worker while waiting to retry.

Retries follow :class:`~mailoauth_cfg.live.options.FetchOptions` (not googleapiclient's or
google-auth's own loops, which are disabled or pre-empted): 429, 500, 502, 503 and 504 (with
``Retry-After``), timeouts, resets and malformed responses are retried within the budget; items
throttled inside a batch are retried in a later batch. A read that runs out of attempts, or is
refused, is recorded in ``unavailable`` with the reason, which the rules report as ``unknown``.

TLS: with a CA bundle (``providers.<name>.ca_bundle`` or ``--ca-bundle``) every connection,
token requests included, uses ``httplib2.Http(ca_certs=...)``, so the ``REQUESTS_CA_BUNDLE``,
``SSL_CERT_FILE`` or ``HTTPLIB2_CA_CERTS`` a machine may preset cannot override it (requests
lets ``REQUESTS_CA_BUNDLE`` win over ``Session.verify``; httplib2 reads ``HTTPLIB2_CA_CERTS`` at
import). ``endpoints.apis`` replaces the base URL of the three APIs (googleapiclient's
``client_options={"api_endpoint": ...}``), ``endpoints.token`` the token endpoint (google-auth's
``token_uri``).

Everything heavy (googleapiclient, google-auth, httplib2) is imported inside the functions that
run on the ``--online`` path.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import heapq
import itertools
import json
import threading
import time
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from mailoauth_cfg.live import snapshot as snap
from mailoauth_cfg.live.google_needs import GMAIL_SERVICE, GoogleNeeds, google_needs
from mailoauth_cfg.live.google_permissions import (
    CREDENTIALS_VARIABLE,
    DIRECTORY_SECURITY_SCOPE,
    DIRECTORY_USER_SCOPE,
    DWD_CONSOLE,
    GMAIL_SETTINGS_SCOPE,
    SERVICE_USAGE_SCOPE,
    google_hint,
    provider_variable,
)
from mailoauth_cfg.live.options import FetchOptions
from mailoauth_cfg.model import GoogleProvider, MailConfig

if TYPE_CHECKING:
    from mailoauth_cfg.live._http import Stats

BATCH_LIMIT = 50
"""Calls per batch request: Gmail advises at most 50 (larger batches trigger rate limiting)."""
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
DIRECTORY_ROOT = "https://admin.googleapis.com/"
GMAIL_ROOT = "https://gmail.googleapis.com/"
BATCH_PATH = "batch"
"""``batchPath`` of the Directory and Gmail discovery documents. googleapiclient's
``new_batch_http_request()`` joins it to the document's ``rootUrl`` and so ignores an
``api_endpoint`` override: the batch URI is built here from the effective base instead."""
USER_FIELDS = (
    "id,primaryEmail,aliases,nonEditableAliases,suspended,suspensionReason,archived,"
    "isEnrolledIn2Sv,isEnforcedIn2Sv,isMailboxSetup,orgUnitPath"
)
TOKEN_FIELDS = "items(clientId,scopes,displayText,nativeApp,anonymous)"
ASP_FIELDS = "items(codeId,name,creationTime,lastTimeUsed)"

Api = Literal["directory", "gmail"]


class GoogleCredentialProblem(Exception):
    """No usable credentials for a Google provider (missing or unreadable key file)."""


class _Unavailable(Exception):
    """A read that could not complete; ``reason`` goes into the snapshot."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Transient(Exception):
    """A retryable answer of the token endpoint (raised before google-auth's own retry loop)."""

    def __init__(self, status: int, retry_after: float | None, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.retry_after = retry_after
        self.reason = reason


@dataclass(frozen=True, slots=True)
class _Malformed:
    """What a wrapped ``postproc`` returns for a body that is not JSON."""

    reason: str


class _MalformedAnswer(Exception):
    """A single call answered 2xx with a body that is not JSON (retried)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --- where and as whom -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GoogleConnection:
    """Endpoints and TLS settings of one Google provider."""

    provider: str
    token_uri: str
    api_base: str | None
    """``endpoints.apis`` (``https://host:port/``) or ``None``: each API's own root URL."""
    ca_bundle: str | None

    def batch_uri(self, api: Api) -> str:
        """Where batches of ``api`` are posted."""
        root = self.api_base or (DIRECTORY_ROOT if api == "directory" else GMAIL_ROOT)
        return root + BATCH_PATH


def google_connection(
    name: str, provider: GoogleProvider, *, root: Path | None = None, ca_bundle: str | None = None
) -> GoogleConnection:
    """Endpoints of ``provider`` with its ``endpoints:`` applied. ``ca_bundle`` (``--ca-bundle``)
    wins over the provider's ``ca_bundle:``, which is relative to ``root`` (the config's
    directory)."""
    from mailoauth_cfg.derive import endpoints

    over = provider.endpoints
    api_base = None
    if over is not None and over.apis:
        text = over.apis.strip().rstrip("/")
        api_base = (text if "://" in text else f"https://{text}") + "/"
    bundle = ca_bundle
    if bundle is None and provider.ca_bundle:
        path = Path(provider.ca_bundle)
        bundle = str(path if path.is_absolute() or root is None else root / path)
    return GoogleConnection(
        provider=name,
        token_uri=endpoints(provider).token_url,
        api_base=api_base,
        ca_bundle=bundle,
    )


def credentials_file(provider: str, environ: Mapping[str, str]) -> Path:
    """The key file to use: ``MAILOAUTH_CFG_GOOGLE_CREDENTIALS_<PROVIDER>``, else
    ``GOOGLE_APPLICATION_CREDENTIALS``, else gcloud's application default credentials."""
    for variable in (provider_variable(provider), CREDENTIALS_VARIABLE):
        value = environ.get(variable, "").strip()
        if value:
            path = Path(value).expanduser()
            if not path.is_file():
                raise GoogleCredentialProblem(f"{variable} {value!r} is not a file")
            return path
    config_dir = environ.get("CLOUDSDK_CONFIG")
    if not config_dir and environ.get("APPDATA"):
        config_dir = str(Path(environ["APPDATA"]) / "gcloud")
    if not config_dir and environ.get("HOME"):
        config_dir = str(Path(environ["HOME"]) / ".config" / "gcloud")
    if config_dir:
        adc = Path(config_dir) / "application_default_credentials.json"
        if adc.is_file():
            return adc
    raise GoogleCredentialProblem(
        f"no Google credentials: set {CREDENTIALS_VARIABLE} (or {provider_variable(provider)}) "
        "to the key file (JSON) of a service account with domain-wide delegation"
    )


class _Identity:
    """The checker's Google identity: a service account (DWD) or user credentials."""

    def __init__(self, info: dict[str, Any], conn: GoogleConnection) -> None:
        kind = info.get("type")
        self.kind: Literal["service-account", "user"]
        if kind == "service_account":
            from google.oauth2 import service_account

            accounts: Any = service_account
            self.kind = "service-account"
            self.base: Any = accounts.Credentials.from_service_account_info(
                {**info, "token_uri": conn.token_uri}
            )
            self.client_id = str(info.get("client_id") or "")
            self.email = str(info.get("client_email") or "")
        elif kind == "authorized_user":
            from google.oauth2 import credentials as user_credentials

            users: Any = user_credentials
            self.kind = "user"
            # from_authorized_user_info always sets Google's token URL: override it after.
            self.base = users.Credentials.from_authorized_user_info(info).with_token_uri(
                conn.token_uri
            )
            self.client_id = str(info.get("client_id") or "")
            self.email = ""
        else:
            raise GoogleCredentialProblem(
                f"credential type {kind!r} is not supported: use a service account key "
                "(type service_account) or user credentials (type authorized_user)"
            )
        self._creds: dict[tuple[str | None, tuple[str, ...]], Any] = {}
        self._locks: dict[tuple[str | None, tuple[str, ...]], threading.Lock] = {}
        self._guard = threading.Lock()

    def key(
        self, subject: str | None, scopes: tuple[str, ...]
    ) -> tuple[str | None, tuple[str, ...]]:
        """Cache key: user credentials have one token whatever the subject and scopes."""
        return (subject, scopes) if self.kind == "service-account" else (None, ())

    def credentials(self, subject: str | None, scopes: tuple[str, ...]) -> Any:
        """The (cached) credentials object for ``subject`` with ``scopes``."""
        key = self.key(subject, scopes)
        with self._guard:
            found = self._creds.get(key)
            if found is None:
                if self.kind == "service-account":
                    found = self.base.with_scopes(list(scopes))
                    if subject:
                        found = found.with_subject(subject)
                else:
                    found = self.base
                self._creds[key] = found
                self._locks[key] = threading.Lock()
            return found

    def valid(self, subject: str | None, scopes: tuple[str, ...], http: Any) -> Any:
        """Credentials holding a valid token (refreshed through ``http`` when needed)."""
        creds = self.credentials(subject, scopes)
        lock = self._locks[self.key(subject, scopes)]
        with lock:
            if not creds.valid:
                creds.refresh(_AuthRequest(http))
        return creds

    def delegation_hint(self, scopes: tuple[str, ...]) -> str:
        """Where the service account must be allowed ``scopes``."""
        if self.kind != "service-account":
            return "the user credentials must be of a Workspace administrator"
        return (
            f"the service account {self.email} (client ID {self.client_id}) must be allowed "
            f"{', '.join(scopes)} in {DWD_CONSOLE}"
        )


class _AuthRequest:
    """google-auth transport over httplib2 that raises :class:`_Transient` on a retryable
    status, so that the fetch's own retry budget applies instead of google-auth's loop."""

    def __init__(self, http: Any) -> None:
        import google_auth_httplib2

        self._inner = google_auth_httplib2.Request(http)

    def __call__(
        self,
        url: str,
        method: str = "GET",
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> Any:
        response = self._inner(url, method=method, body=body, headers=headers, **kwargs)
        if response.status in RETRY_STATUSES:
            from mailoauth_cfg.live._http import parse_retry_after

            retry_after = parse_retry_after(response.headers.get("retry-after"))
            reason = f"token endpoint: {error_text(response.status, response.data)}"
            if retry_after is not None:
                reason += f" (Retry-After {retry_after:g} s)"
            raise _Transient(response.status, retry_after, reason)
        return response


# --- error texts --------------------------------------------------------------------------------


def _json(content: Any) -> Any:
    if isinstance(content, bytes | bytearray):
        try:
            content = content.decode("utf-8")
        except UnicodeDecodeError:
            return None
    if isinstance(content, str):
        try:
            return json.loads(content) if content.strip() else None
        except ValueError:
            return None
    return content


def error_text(status: int, content: Any) -> str:
    """``HTTP 403 PERMISSION_DENIED: message`` from a Google API or token endpoint error body."""
    body = _json(content)
    code = ""
    message = ""
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            code = str(error.get("status") or "")
            errors = error.get("errors")
            if not code and isinstance(errors, list) and errors and isinstance(errors[0], dict):
                code = str(errors[0].get("reason") or "")
            message = str(error.get("message") or "")
        elif isinstance(error, str):
            code = error
            message = str(body.get("error_description") or "")
    text = f"HTTP {status}"
    if code:
        text += f" {code}"
    if message:
        text += f": {message[:300]}"
    return text


def describe(exc: BaseException) -> str:
    """A one-line reason for an unexpected exception."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:400] if text else type(exc).__name__


@dataclass(frozen=True, slots=True)
class _Problem:
    transient: bool
    reason: str
    retry_after: float | None = None


def _classify(exc: BaseException, options: FetchOptions) -> _Problem:
    """Whether a failed attempt may be retried, and why it failed."""
    import http.client

    import httplib2
    from google.auth import exceptions as auth_errors
    from googleapiclient.errors import BatchError, HttpError

    from mailoauth_cfg.live._http import parse_retry_after

    if isinstance(exc, _Transient):
        return _Problem(True, exc.reason, exc.retry_after)
    if isinstance(exc, _MalformedAnswer):
        return _Problem(True, exc.reason)
    if isinstance(exc, BatchError):
        return _Problem(True, f"malformed batch response ({exc.reason})")
    if isinstance(exc, HttpError):
        status = int(exc.resp.status)
        reason = error_text(status, exc.content)
        after = parse_retry_after(exc.resp.get("retry-after"))
        if after is not None:
            reason += f" (Retry-After {after:g} s)"
        return _Problem(status in RETRY_STATUSES, reason, after)
    if isinstance(exc, TimeoutError):
        return _Problem(True, f"timed out after {options.timeout:g} s")
    if isinstance(exc, auth_errors.RefreshError):
        first = exc.args[0] if exc.args else exc
        return _Problem(False, f"token request refused: {str(first)[:300]}")
    if isinstance(exc, auth_errors.TransportError):
        inner = exc.args[0] if exc.args else exc
        if isinstance(inner, TimeoutError) or "timed out" in str(inner):
            return _Problem(True, f"timed out after {options.timeout:g} s")
        return _Problem(True, f"connection failed ({describe(inner)})")
    if isinstance(exc, ValueError | KeyError | TypeError | IndexError):
        return _Problem(True, f"malformed batch response ({describe(exc)})")
    if isinstance(exc, httplib2.HttpLib2Error | http.client.HTTPException | OSError):
        return _Problem(True, f"connection failed ({describe(exc)})")
    return _Problem(False, describe(exc))


# --- a worker pool with priorities and delayed jobs ---------------------------------------------


class _Pool:
    """``workers`` threads running jobs, lower ``priority`` first; a delayed job waits in a
    heap, not in a worker. :meth:`wait` returns when every job (and the jobs they submitted)
    has run."""

    def __init__(self, workers: int, make_http: Callable[[], Any]) -> None:
        self._ready: list[tuple[int, int, Callable[[], None]]] = []
        self._delayed: list[tuple[float, int, int, Callable[[], None]]] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._pending = 0
        self._stopped = False
        self.errors: list[str] = []
        """Exceptions that escaped a job (a bug: each job records its own failures)."""
        self._local = threading.local()
        self._make_http = make_http
        self._threads = [
            threading.Thread(target=self._work, name=f"google-fetch-{i}", daemon=True)
            for i in range(max(1, workers))
        ]
        for thread in self._threads:
            thread.start()

    def http(self) -> Any:
        """This worker thread's ``httplib2.Http``."""
        found = getattr(self._local, "http", None)
        if found is None:
            found = self._make_http()
            self._local.http = found
        return found

    def submit(self, job: Callable[[], None], *, priority: int = 0, delay: float = 0.0) -> None:
        """Run ``job`` on a worker (after ``delay`` seconds)."""
        with self._cond:
            self._pending += 1
            if delay > 0:
                due = time.monotonic() + delay
                heapq.heappush(self._delayed, (due, priority, next(self._seq), job))
            else:
                heapq.heappush(self._ready, (priority, next(self._seq), job))
            self._cond.notify_all()

    def _next(self) -> Callable[[], None] | None:
        with self._cond:
            while not self._stopped:
                now = time.monotonic()
                while self._delayed and self._delayed[0][0] <= now:
                    _, priority, seq, job = heapq.heappop(self._delayed)
                    heapq.heappush(self._ready, (priority, seq, job))
                if self._ready:
                    return heapq.heappop(self._ready)[2]
                self._cond.wait(self._delayed[0][0] - now if self._delayed else None)
            return None

    def _work(self) -> None:
        while True:
            job = self._next()
            if job is None:
                return
            try:
                job()
            except Exception as exc:  # pragma: no cover - jobs record their own failures
                self.errors.append(describe(exc))
            finally:
                with self._cond:
                    self._pending -= 1
                    if self._pending == 0:
                        self._cond.notify_all()

    def wait(self) -> None:
        """Block until no job is pending."""
        with self._cond:
            while self._pending:
                self._cond.wait()

    def stop(self) -> None:
        """Stop the workers (after :meth:`wait`)."""
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        for thread in self._threads:
            thread.join(5)
        for thread in self._threads:  # pragma: no cover - only after a stuck request
            if thread.is_alive():
                break


# --- batches ------------------------------------------------------------------------------------

_LEAN_BATCH: list[Any] = []


def lean_batch_class() -> Any:
    """googleapiclient's ``BatchHttpRequest`` with a lean request encoder.

    The library builds the ``multipart/mixed`` body with ``email.mime`` and ``email.generator``,
    which folds every header of every call: about 0.5 ms of CPU per call, under the GIL, so a
    thousand-mailbox run spent more time encoding than waiting for the network. This subclass
    writes the same parts (``application/http``, ``Content-ID: <base + id>``, the call's request
    line and headers, its ``Authorization`` included) with plain string formatting; everything
    else (ids, the response parser, the 401 refresh, the callbacks) is the library's.
    """
    if _LEAN_BATCH:
        return _LEAN_BATCH[0]
    import urllib.parse
    import uuid
    from email.parser import FeedParser

    from googleapiclient.errors import BatchError, HttpError
    from googleapiclient.http import BatchHttpRequest

    class LeanBatchHttpRequest(BatchHttpRequest):  # type: ignore[misc]
        def _serialize_request(self, request: Any) -> str:
            parsed = urllib.parse.urlparse(request.uri)
            target = urllib.parse.urlunparse(("", "", parsed.path, parsed.params, parsed.query, ""))
            headers = dict(request.headers)
            credentials = getattr(request.http, "credentials", None)
            if credentials is not None:
                if not credentials.valid:  # pragma: no cover - tokens are minted beforehand
                    raise _Unavailable("batch: a call's token expired before it was sent")
                credentials.apply(headers)
            content_type = headers.pop("content-type", "application/json")
            lines = [f"{request.method} {target} HTTP/1.1", f"Content-Type: {content_type}"]
            lines += [f"{k}: {v}" for k, v in headers.items() if k.lower() != "host"]
            lines.append(f"Host: {parsed.netloc}")
            body = request.body or ""
            if isinstance(body, bytes):
                body = body.decode("utf-8")
            if body:
                lines.append(f"content-length: {len(body)}")
            return "\r\n".join(lines) + "\r\n\r\n" + body

        def _execute(self, http: Any, order: list[str], requests: dict[str, Any]) -> None:
            boundary = f"batch_{uuid.uuid4().hex}"
            chunks = [
                f"--{boundary}\r\nContent-Type: application/http\r\n"
                f"Content-Transfer-Encoding: binary\r\nContent-ID: {self._id_to_header(rid)}"
                f"\r\n\r\n{self._serialize_request(requests[rid])}\r\n"
                for rid in order
            ]
            chunks.append(f"--{boundary}--\r\n")
            headers = {"content-type": f'multipart/mixed; boundary="{boundary}"'}
            resp, content = http.request(
                self._batch_uri, method="POST", body="".join(chunks), headers=headers
            )
            if resp.status >= 300:
                raise HttpError(resp, content, uri=self._batch_uri)
            # From here on as the library does it (BatchHttpRequest._execute).
            header = "content-type: {}\r\n\r\n".format(resp["content-type"])
            text = content.decode("utf-8")
            parser = FeedParser()
            parser.feed(header + text)
            mime_response = parser.close()
            if not mime_response.is_multipart():
                raise BatchError("Response not in multipart/mixed format.", resp=resp, content=text)
            parts: Any = mime_response.get_payload()
            for part in parts:
                request_id = self._header_to_id(part["Content-ID"])
                response, part_content = self._deserialize_response(part.get_payload())
                if isinstance(part_content, str):
                    part_content = part_content.encode("utf-8")
                self._responses[request_id] = (response, part_content)

    _LEAN_BATCH.append(LeanBatchHttpRequest)
    return LeanBatchHttpRequest


# --- results -> snapshot models ------------------------------------------------------------------


def _object(body: Any, what: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise _Unavailable(f"{what}: malformed response (the body is not a JSON object)")
    return body


def _model(factory: Callable[[], Any], what: str) -> Any:
    from pydantic import ValidationError

    try:
        return factory()
    except (ValidationError, TypeError, ValueError) as exc:
        raise _Unavailable(f"{what}: malformed response ({describe(exc)})") from None


def _millis(value: Any) -> dt.datetime | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    if number <= 0:
        return None
    return dt.datetime.fromtimestamp(number / 1000, dt.UTC).replace(microsecond=0)


def to_user(body: Any, what: str) -> snap.GoogleUser:
    """Snapshot of a Directory ``User``."""
    data = _object(body, what)
    aliases = [
        str(a).lower()
        for a in [*(data.get("aliases") or []), *(data.get("nonEditableAliases") or [])]
    ]
    return _model(  # type: ignore[no-any-return]
        lambda: snap.GoogleUser(
            id=data.get("id"),
            primary_email=str(data["primaryEmail"]),
            aliases=aliases,
            suspended=data.get("suspended"),
            suspension_reason=data.get("suspensionReason"),
            archived=data.get("archived"),
            is_enrolled_in_2sv=data.get("isEnrolledIn2Sv"),
            is_enforced_in_2sv=data.get("isEnforcedIn2Sv"),
            is_mailbox_setup=data.get("isMailboxSetup"),
            org_unit_path=data.get("orgUnitPath"),
        ),
        what,
    )


def _items(body: Any, what: str) -> list[dict[str, Any]]:
    data = _object(body, what)
    items = data.get("items", [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise _Unavailable(f"{what}: malformed response (`items` is not a list of objects)")
    return items


def to_tokens(body: Any, what: str, clients: set[str]) -> list[snap.GoogleToken]:
    """The grants of the named client IDs (other apps the user granted are not kept)."""
    out: list[snap.GoogleToken] = []
    for item in _items(body, what):
        client = str(item.get("clientId") or "").lower()
        if client not in clients:
            continue
        out.append(
            _model(
                partial(
                    snap.GoogleToken,
                    client_id=client,
                    scopes=[str(s) for s in item.get("scopes") or []],
                    display_text=item.get("displayText"),
                    native_app=item.get("nativeApp"),
                    anonymous=item.get("anonymous"),
                ),
                what,
            )
        )
    return out


def to_app_passwords(body: Any, what: str) -> list[snap.AppPassword]:
    """App passwords: IDs, names and dates."""
    return [
        _model(
            partial(
                snap.AppPassword,
                code_id=item.get("codeId"),
                name=item.get("name"),
                created=_millis(item.get("creationTime")),
                last_used=_millis(item.get("lastTimeUsed")),
            ),
            what,
        )
        for item in _items(body, what)
    ]


# --- one read -----------------------------------------------------------------------------------


@dataclass(eq=False)
class _Read:
    """One API call: what it reads, as whom, and how its answer is stored."""

    key: str
    """``collection:key`` in ``unavailable``."""
    collection: str
    kind: str
    api: Api
    subject: str | None
    scopes: tuple[str, ...]
    build: Callable[[], Any]
    """Makes the googleapiclient ``HttpRequest``."""
    store: Callable[[int, Any], None]
    """Stores the answer (status 200 with its body, or a 4xx the read understands); raises
    :class:`_Unavailable` for any other."""
    attempts: int = 0


@dataclass
class GoogleFacts:
    """The facts gathered so far (mutable; becomes a :class:`GoogleDomain`)."""

    users: dict[str, snap.GoogleUser | None] = field(default_factory=dict)
    tokens: dict[str, list[snap.GoogleToken]] = field(default_factory=dict)
    app_passwords: dict[str, list[snap.AppPassword]] = field(default_factory=dict)
    imap: dict[str, snap.ImapSettings | None] = field(default_factory=dict)
    pop: dict[str, snap.PopSettings | None] = field(default_factory=dict)
    send_as: dict[str, snap.SendAs | None] = field(default_factory=dict)
    services: dict[str, str | None] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)


def _no_mailbox(status: int, body: Any) -> bool:
    """Gmail's answer for a user without a Gmail mailbox (404, or 400 ``failedPrecondition``
    "Mail service not enabled")."""
    if status == 404:
        return True
    text = json.dumps(_json(body) or "")
    return status == 400 and ("failedPrecondition" in text or "FAILED_PRECONDITION" in text)


class _Fetch:
    """One provider's reads: tokens, batches, retries, and the facts they produce."""

    def __init__(
        self,
        needs: GoogleNeeds,
        conn: GoogleConnection,
        identity: _Identity,
        options: FetchOptions,
        stats: Stats,
        progress: Callable[[int, int], None] | None,
    ) -> None:
        import httplib2
        from googleapiclient.discovery import build

        self.needs = needs
        self.conn = conn
        self.identity = identity
        self.options = options
        self.stats = stats
        self.progress = progress
        self.facts = GoogleFacts()
        self.lock = threading.Lock()
        self.batch_size = BATCH_LIMIT if options.batch_size > 1 else 1

        def make_http() -> Any:
            return httplib2.Http(timeout=options.timeout, ca_certs=conn.ca_bundle)

        kwargs: dict[str, Any] = {
            "static_discovery": True,
            "cache_discovery": False,
            "http": make_http(),
        }
        if conn.api_base:
            kwargs["client_options"] = {"api_endpoint": conn.api_base}
        self.directory = build("admin", "directory_v1", **kwargs)
        self.gmail = build("gmail", "v1", **kwargs)
        self.usage = build("serviceusage", "v1", **kwargs)
        self.pool = _Pool(options.graph_concurrency, make_http)
        self.queues: dict[Api, list[_Read]] = {"directory": [], "gmail": []}
        self.gmail_tokens_left = 0
        self.done = 0
        self.total = 0

    # -- bookkeeping ----------------------------------------------------------------------------
    def _count(self, kind: str, requests: int = 1) -> None:
        with self.lock:
            self.stats.requests += requests
            self.stats.by_kind[kind] += requests

    def _unavailable(self, key: str, reason: str, collection: str) -> None:
        if ("HTTP 403" in reason or "HTTP 401" in reason) and "the checker needs" not in reason:
            reason += f"; {google_hint(collection)}"
        with self.lock:
            self.facts.unavailable[key] = reason

    def _resolve(
        self, read: _Read, status: int | None, body: Any, reason: str | None, *, record: bool = True
    ) -> None:
        """Store an answer (or record why there is none); ``record=False`` when the reason is
        already recorded for the whole service."""
        try:
            if reason is not None or status is None:
                raise _Unavailable(reason or f"{read.kind}: no answer")
            read.store(status, body)
        except _Unavailable as exc:
            if record:
                self._unavailable(read.key, exc.reason, read.collection)
        with self.lock:
            self.done += 1
            done, total = self.done, self.total
        if self.progress is not None:
            self.progress(done, total)

    def _attempt(
        self,
        what: str,
        call: Callable[[], Any],
        on_ok: Callable[[Any], None],
        on_fail: Callable[[str], None],
        *,
        priority: int,
    ) -> None:
        """Run ``call`` on the pool, retrying transient failures within the budget."""
        attempts = [0]

        def job() -> None:
            attempts[0] += 1
            try:
                result = call()
            except Exception as exc:
                problem = _classify(exc, self.options)
                if problem.transient:
                    delay = self.options.retry_delay(attempts[0], problem.retry_after)
                    if delay is not None:
                        with self.lock:
                            self.stats.retries += 1
                        self.pool.submit(job, priority=priority, delay=delay)
                        return
                    on_fail(f"{what}: {problem.reason}; gave up after {attempts[0]} attempt(s)")
                else:
                    on_fail(f"{what}: {problem.reason}")
                return
            on_ok(result)

        self.pool.submit(job, priority=priority)

    # -- tokens ---------------------------------------------------------------------------------
    def _token(
        self,
        subject: str | None,
        scopes: tuple[str, ...],
        on_ok: Callable[[], None],
        on_fail: Callable[[str], None],
        *,
        what: str,
        priority: int,
    ) -> None:
        def call() -> None:
            creds = self.identity.credentials(subject, scopes)
            if not creds.valid:
                self._count("token")
            self.identity.valid(subject, scopes, self.pool.http())

        def failed(reason: str) -> None:
            if "unauthorized_client" in reason or "access_denied" in reason:
                reason += f"; {self.identity.delegation_hint(scopes)}"
            on_fail(reason)

        self._attempt(what, call, lambda _: on_ok(), failed, priority=priority)

    # -- queues and batches ---------------------------------------------------------------------
    def _queue(self, api: Api, reads: list[_Read]) -> None:
        chunks: list[list[_Read]] = []
        with self.lock:
            queue = self.queues[api]
            queue.extend(reads)
            while len(queue) >= self.batch_size:
                chunks.append(queue[: self.batch_size])
                del queue[: self.batch_size]
            if queue and (api != "gmail" or self.gmail_tokens_left == 0):
                chunks.append(list(queue))
                queue.clear()
        for chunk in chunks:
            if len(chunk) == 1 and self.batch_size == 1:
                self._send_one(chunk[0])
            else:
                self._send_batch(api, chunk)

    def _retry_items(self, api: Api, items: list[tuple[_Read, str, float | None]]) -> None:
        """Queue throttled items again after the longest wait (or give up on them)."""
        again: list[_Read] = []
        wait = 0.0
        for read, reason, after in items:
            read.attempts += 1
            delay = self.options.retry_delay(read.attempts, after)
            if delay is None:
                self._resolve(
                    read, None, None, f"{reason}; gave up after {read.attempts} attempt(s)"
                )
                continue
            again.append(read)
            wait = max(wait, delay)
        if again:
            with self.lock:
                self.stats.retries += len(again)
            self.pool.submit(lambda: self._queue(api, again), priority=0, delay=wait)

    def _authorized(self, read: _Read) -> Any:
        import google_auth_httplib2

        creds = self.identity.valid(read.subject, read.scopes, self.pool.http())
        return google_auth_httplib2.AuthorizedHttp(creds, http=self.pool.http())

    def _request(self, read: _Read) -> Any:
        request = read.build()
        original = request.postproc

        def postproc(resp: Any, content: Any) -> Any:
            # googleapiclient's JsonModel returns the text itself when it is not JSON.
            try:
                result = original(resp, content)
            except ValueError as exc:
                return _Malformed(f"malformed JSON response ({describe(exc)})")
            if isinstance(result, str | bytes):
                try:
                    json.loads(content)
                except ValueError as exc:
                    where = (
                        f"{exc.msg} at byte {exc.pos}"
                        if isinstance(exc, json.JSONDecodeError)
                        else describe(exc)
                    )
                    return _Malformed(f"malformed JSON response ({where})")
                return _Malformed("malformed response (the body is not a JSON object)")
            return result

        request.postproc = postproc
        return request

    def _send_one(self, read: _Read) -> None:
        from googleapiclient.errors import HttpError

        what = f"{read.kind} {read.key.partition(':')[2]}"

        def call() -> tuple[int, Any]:
            request = self._request(read)
            authorized = self._authorized(read)
            self._count(read.kind)
            try:
                body = request.execute(http=authorized)
            except HttpError as exc:
                if int(exc.resp.status) in RETRY_STATUSES:
                    raise
                return int(exc.resp.status), exc.content
            if isinstance(body, _Malformed):
                raise _MalformedAnswer(body.reason)
            return 200, body

        self._attempt(
            what,
            call,
            lambda result: self._resolve(read, result[0], result[1], None),
            lambda reason: self._resolve(read, None, None, reason),
            priority=0,
        )

    def _send_batch(self, api: Api, chunk: list[_Read]) -> None:
        batch_class = lean_batch_class()
        what = f"{api.capitalize()} batch"

        def call() -> dict[str, tuple[Any, Any]]:
            http = self.pool.http()
            answers: dict[str, tuple[Any, Any]] = {}

            def callback(request_id: str, response: Any, exception: Any) -> None:
                answers[request_id] = (response, exception)

            batch = batch_class(callback=callback, batch_uri=self.conn.batch_uri(api))
            for index, read in enumerate(chunk):
                request = self._request(read)
                request.http = self._authorized(read)
                batch.add(request, request_id=str(index))
            self._count(f"{api}-batch")
            with self.lock:
                for read in chunk:
                    self.stats.by_kind[read.kind] += 1
            batch.execute(http=http)
            return answers

        def done(answers: dict[str, tuple[Any, Any]]) -> None:
            retry: list[tuple[_Read, str, float | None]] = []
            for index, read in enumerate(chunk):
                response, exception = answers.get(str(index), (None, None))
                if exception is not None:
                    status = int(exception.resp.status)
                    if status in RETRY_STATUSES:
                        problem = _classify(exception, self.options)
                        retry.append((read, f"{read.kind}: {problem.reason}", problem.retry_after))
                    else:
                        self._resolve(read, status, exception.content, None)
                elif str(index) not in answers:
                    retry.append((read, f"{read.kind}: missing from the batch response", None))
                elif isinstance(response, _Malformed):
                    retry.append((read, f"{read.kind}: {response.reason}", None))
                else:
                    self._resolve(read, 200, response, None)
            if retry:
                self._retry_items(api, retry)

        def failed(reason: str) -> None:
            for read in chunk:
                self._resolve(read, None, None, reason)

        self._attempt(what, call, done, failed, priority=0)

    # -- the reads ------------------------------------------------------------------------------
    def _directory_reads(self) -> list[_Read]:
        needs = self.needs
        admin = needs.admin if self.identity.kind == "service-account" else None
        facts = self.facts
        reads: list[_Read] = []
        user_scopes: tuple[str, ...] = (DIRECTORY_USER_SCOPE,)
        if needs.grants or needs.app_passwords:
            user_scopes = (DIRECTORY_USER_SCOPE, DIRECTORY_SECURITY_SCOPE)
        users = self.directory.users()
        tokens = self.directory.tokens()
        asps = self.directory.asps()

        def store_user(email: str) -> Callable[[int, Any], None]:
            def store(status: int, body: Any) -> None:
                what = f"user {email}"
                if status == 404:
                    facts.users[email] = None
                elif status == 200:
                    facts.users[email] = to_user(body, what)
                else:
                    raise _Unavailable(f"{what}: {error_text(status, body)}")

            return store

        def store_tokens(email: str, clients: set[str]) -> Callable[[int, Any], None]:
            def store(status: int, body: Any) -> None:
                what = f"tokens of {email}"
                if status == 404:
                    facts.tokens[email] = []
                elif status == 200:
                    facts.tokens[email] = to_tokens(body, what, clients)
                else:
                    raise _Unavailable(f"{what}: {error_text(status, body)}")

            return store

        def store_asps(email: str) -> Callable[[int, Any], None]:
            def store(status: int, body: Any) -> None:
                what = f"app passwords of {email}"
                if status == 404:
                    facts.app_passwords[email] = []
                elif status == 200:
                    facts.app_passwords[email] = to_app_passwords(body, what)
                else:
                    raise _Unavailable(f"{what}: {error_text(status, body)}")

            return store

        for email in needs.users:
            reads.append(
                _Read(
                    f"users:{email}",
                    "users",
                    "users.get",
                    "directory",
                    admin,
                    user_scopes,
                    partial(users.get, userKey=email, projection="basic", fields=USER_FIELDS),
                    store_user(email),
                )
            )
        for email, clients in needs.grants:
            reads.append(
                _Read(
                    f"tokens:{email}",
                    "tokens",
                    "tokens.list",
                    "directory",
                    admin,
                    user_scopes,
                    partial(tokens.list, userKey=email, fields=TOKEN_FIELDS),
                    store_tokens(email, set(clients)),
                )
            )
        for email in needs.app_passwords:
            reads.append(
                _Read(
                    f"app_passwords:{email}",
                    "app_passwords",
                    "asps.list",
                    "directory",
                    admin,
                    user_scopes,
                    partial(asps.list, userKey=email, fields=ASP_FIELDS),
                    store_asps(email),
                )
            )
        return reads

    def _gmail_reads(self) -> dict[str, list[_Read]]:
        needs = self.needs
        facts = self.facts
        settings = self.gmail.users().settings()
        send_as = settings.sendAs()
        scopes = (GMAIL_SETTINGS_SCOPE,)
        out: dict[str, list[_Read]] = {}

        def add(email: str, read: _Read) -> None:
            out.setdefault(email, []).append(read)

        def store_imap(email: str) -> Callable[[int, Any], None]:
            def store(status: int, body: Any) -> None:
                what = f"IMAP settings of {email}"
                if _no_mailbox(status, body):
                    facts.imap[email] = None
                elif status == 200:
                    data = _object(body, what)
                    facts.imap[email] = _model(
                        lambda: snap.ImapSettings(enabled=data.get("enabled")), what
                    )
                else:
                    raise _Unavailable(f"{what}: {error_text(status, body)}")

            return store

        def store_pop(email: str) -> Callable[[int, Any], None]:
            def store(status: int, body: Any) -> None:
                what = f"POP settings of {email}"
                if _no_mailbox(status, body):
                    facts.pop[email] = None
                elif status == 200:
                    data = _object(body, what)
                    facts.pop[email] = _model(
                        lambda: snap.PopSettings(access_window=data.get("accessWindow")), what
                    )
                else:
                    raise _Unavailable(f"{what}: {error_text(status, body)}")

            return store

        def store_send_as(email: str, sender: str) -> Callable[[int, Any], None]:
            def store(status: int, body: Any) -> None:
                what = f"send-as {sender} of {email}"
                key = f"{email}/{sender}"
                if status == 404:
                    facts.send_as[key] = None
                elif status == 200:
                    data = _object(body, what)
                    facts.send_as[key] = _model(
                        lambda: snap.SendAs(
                            send_as_email=str(data["sendAsEmail"]).lower(),
                            is_primary=data.get("isPrimary"),
                            treat_as_alias=data.get("treatAsAlias"),
                            verification_status=data.get("verificationStatus"),
                        ),
                        what,
                    )
                else:
                    raise _Unavailable(f"{what}: {error_text(status, body)}")

            return store

        for email in needs.imap:
            add(
                email,
                _Read(
                    f"imap:{email}",
                    "imap",
                    "settings.getImap",
                    "gmail",
                    email,
                    scopes,
                    partial(settings.getImap, userId=email),
                    store_imap(email),
                ),
            )
        for email in needs.pop:
            add(
                email,
                _Read(
                    f"pop:{email}",
                    "pop",
                    "settings.getPop",
                    "gmail",
                    email,
                    scopes,
                    partial(settings.getPop, userId=email),
                    store_pop(email),
                ),
            )
        for email, sender in needs.send_as:
            add(
                email,
                _Read(
                    f"send_as:{email}/{sender}",
                    "send_as",
                    "settings.sendAs.get",
                    "gmail",
                    email,
                    scopes,
                    partial(send_as.get, userId=email, sendAsEmail=sender),
                    store_send_as(email, sender),
                ),
            )
        return out

    def _service_reads(self) -> list[_Read]:
        facts = self.facts
        services = self.usage.services()
        reads: list[_Read] = []

        def store_service(project: str) -> Callable[[int, Any], None]:
            def store(status: int, body: Any) -> None:
                what = f"{GMAIL_SERVICE} in project {project}"
                key = f"{project}/{GMAIL_SERVICE}"
                if status == 404:
                    facts.services[key] = None
                elif status == 200:
                    state = _object(body, what).get("state")
                    if not isinstance(state, str):
                        raise _Unavailable(f"{what}: malformed response (no `state`)")
                    facts.services[key] = state
                else:
                    raise _Unavailable(f"{what}: {error_text(status, body)}")

            return store

        for project in self.needs.projects:
            reads.append(
                _Read(
                    f"services:{project}/{GMAIL_SERVICE}",
                    "services",
                    "services.get",
                    "directory",  # unused: Service Usage calls are never batched
                    None,
                    (SERVICE_USAGE_SCOPE,),
                    partial(services.get, name=f"projects/{project}/services/{GMAIL_SERVICE}"),
                    store_service(project),
                )
            )
        return reads

    # -- the whole fetch ------------------------------------------------------------------------
    def run(self) -> None:
        """Read everything ``needs`` names; return when every read is resolved."""
        needs = self.needs
        consumer = needs.account == "consumer"
        sa = self.identity.kind == "service-account"
        directory = self._directory_reads() if needs.needs_directory else []
        gmail = self._gmail_reads()
        services = self._service_reads()
        self.total = len(directory) + sum(len(r) for r in gmail.values()) + len(services)
        self.stats.reads += self.total
        failures: dict[str, str] = {}

        def fail_all(reads: list[_Read], service: str, reason: str) -> None:
            with self.lock:
                failures[service] = reason
                self.facts.unavailable[service] = reason
            for read in reads:
                self._resolve(read, None, None, reason, record=False)

        # Directory: one token (the administrator, or the user), then batches.
        if directory:
            if consumer:
                fail_all(
                    directory,
                    "directory",
                    "consumer accounts (account: consumer) have no Directory API: users, "
                    "OAuth grants and app passwords cannot be read",
                )
            elif sa and not needs.admin:
                fail_all(
                    directory,
                    "directory",
                    f"providers.{needs.provider}.admin is not set: the service account needs a "
                    "Workspace administrator to impersonate for the Directory API",
                )
            else:
                scopes = directory[0].scopes
                self._token(
                    directory[0].subject,
                    scopes,
                    lambda: self._queue("directory", directory),
                    lambda reason: fail_all(directory, "directory", reason),
                    what=f"token for the Directory API (as {needs.admin or 'the user'})",
                    priority=0,
                )

        # Service Usage: the service account itself (no impersonation).
        if services:

            def read_services() -> None:
                for read in services:
                    self._send_one(read)

            self._token(
                None,
                (SERVICE_USAGE_SCOPE,),
                read_services,
                lambda reason: fail_all(services, "serviceusage", reason),
                what="token for Service Usage",
                priority=0,
            )

        # Gmail: one token per mailbox (domain-wide delegation), then batches.
        if gmail and consumer and sa:
            every = [r for reads in gmail.values() for r in reads]
            fail_all(
                every,
                "gmail",
                "a service account cannot read consumer (gmail.com) mailboxes: domain-wide "
                "delegation exists only in Google Workspace",
            )
        elif gmail:
            with self.lock:
                self.gmail_tokens_left = len(gmail)
            gmail_failures: list[str] = []

            def token_done(email: str, reason: str | None) -> None:
                reads = gmail[email]
                if reason is not None:
                    for read in reads:
                        self._resolve(read, None, None, reason)
                with self.lock:
                    self.gmail_tokens_left -= 1
                    if reason is not None:
                        gmail_failures.append(reason)
                    last = self.gmail_tokens_left == 0
                    if last and len(gmail_failures) == len(gmail):
                        failures["gmail"] = gmail_failures[0]
                        self.facts.unavailable["gmail"] = gmail_failures[0]
                self._queue("gmail", [] if reason is not None else reads)

            for email in gmail:
                self._token(
                    email if sa else None,
                    (GMAIL_SETTINGS_SCOPE,),
                    partial(token_done, email, None),
                    partial(token_done, email),
                    what=f"token for Gmail (as {email})",
                    priority=1,
                )

        try:
            self.pool.wait()
        finally:
            self.pool.stop()
        needed = {
            "directory": bool(directory),
            "gmail": bool(gmail),
            "serviceusage": bool(services),
        }
        if failures and all(service in failures for service, need in needed.items() if need):
            self.facts.unavailable["*"] = "; ".join(dict.fromkeys(failures.values()))


# --- one provider --------------------------------------------------------------------------------


@dataclass
class DomainResult:
    """A provider's snapshot section and what reading it cost."""

    domain: snap.GoogleDomain
    stats: Stats


def fetch_google_domain_sync(
    needs: GoogleNeeds,
    conn: GoogleConnection,
    *,
    environ: Mapping[str, str],
    options: FetchOptions,
    progress: Callable[[int, int], None] | None = None,
) -> DomainResult:
    """Read one Google provider. Never raises for provider-side problems: they end up in
    ``unavailable`` (``*`` when nothing at all could be read)."""
    from mailoauth_cfg.live._http import Stats

    stats = Stats()
    taken = dt.datetime.now(dt.UTC).replace(microsecond=0)
    facts = GoogleFacts()

    def section() -> snap.GoogleDomain:
        return snap.GoogleDomain(
            domain=needs.domain,
            account=needs.account,
            taken_at=taken,
            users=facts.users,
            tokens=facts.tokens,
            app_passwords=facts.app_passwords,
            imap=facts.imap,
            pop=facts.pop,
            send_as=facts.send_as,
            services=facts.services,
            unavailable=facts.unavailable,
        )

    if needs.empty:
        return DomainResult(section(), stats)
    try:
        path = credentials_file(needs.provider, environ)
        try:
            info = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise GoogleCredentialProblem(f"cannot read {path}: {describe(exc)}") from None
        if not isinstance(info, dict):
            raise GoogleCredentialProblem(f"{path} is not a JSON object")
        try:
            identity = _Identity(info, conn)
        except GoogleCredentialProblem:
            raise
        except (ValueError, KeyError, TypeError) as exc:
            raise GoogleCredentialProblem(f"{path}: {describe(exc)}") from None
    except GoogleCredentialProblem as exc:
        facts.unavailable["*"] = f"credentials: {exc}"
        return DomainResult(section(), stats)
    try:
        fetch = _Fetch(needs, conn, identity, options, stats, progress)
        facts = fetch.facts
        fetch.run()
    except Exception as exc:  # reported as an incomplete provider, not a crash
        facts.unavailable["*"] = f"the read failed: {describe(exc)}"
    return DomainResult(section(), stats)


async def fetch_google_domain(
    needs: GoogleNeeds,
    conn: GoogleConnection,
    *,
    environ: Mapping[str, str],
    options: FetchOptions,
    progress: Callable[[int, int], None] | None = None,
) -> DomainResult:
    """:func:`fetch_google_domain_sync` in a thread, so that the event loop (and the Microsoft
    providers it reads) runs meanwhile."""
    return await asyncio.to_thread(
        fetch_google_domain_sync,
        needs,
        conn,
        environ=environ,
        options=options,
        progress=progress,
    )


def google_jobs(
    config: MailConfig,
    *,
    root: Path | None,
    ca_bundle: str | None,
    environ: Mapping[str, str],
    options: FetchOptions,
    progress: Callable[[str], Callable[[int, int], None] | None],
) -> list[tuple[str, Coroutine[Any, Any, DomainResult]]]:
    """One fetch per Google provider: ``(name, coroutine)``. A provider with nothing to read
    still gets its (empty) section, so that the rules that need no API (an app-only app's
    delegation) run. ``progress(name)`` gives the provider's progress callback (or ``None``)."""
    jobs: list[tuple[str, Coroutine[Any, Any, DomainResult]]] = []
    for name, need in google_needs(config).items():
        provider = config.providers[name]
        if not isinstance(provider, GoogleProvider):
            continue
        conn = google_connection(name, provider, root=root, ca_bundle=ca_bundle)
        jobs.append(
            (
                name,
                fetch_google_domain(
                    need, conn, environ=environ, options=options, progress=progress(name)
                ),
            )
        )
    return jobs

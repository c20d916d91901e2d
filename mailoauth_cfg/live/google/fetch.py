"""Google Workspace reads for one provider, into a :class:`~.snapshot.GoogleDomain`.

google-api-python-client builds every request from the discovery documents bundled with it
(``static_discovery=True``: no discovery fetch) and google-auth mints the tokens: a service
account with domain-wide delegation (DWD) impersonating ``providers.<name>.admin`` for the
Directory API and each mailbox for Gmail, the service account itself for Service Usage; or user
credentials (``authorized_user``) for everything. Only what
:func:`~mailoauth_cfg.live.google.needs.google_needs` names is read.

How reads become requests: every read is a :class:`~.reads.Read` (one API method call). Directory
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
import json
import threading
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from mailoauth_cfg.errors import LiveCredentialError, LiveReadError
from mailoauth_cfg.live import snapshot as snap
from mailoauth_cfg.live._retry import Budget, Stats
from mailoauth_cfg.live.google.batch import BATCH_LIMIT, Pool, lean_batch_class
from mailoauth_cfg.live.google.credentials import (
    Api,
    GoogleConnection,
    Identity,
    credentials_file,
    google_connection,
)
from mailoauth_cfg.live.google.errors import (
    RETRY_STATUSES,
    Malformed,
    MalformedAnswer,
    classify,
    describe,
)
from mailoauth_cfg.live.google.needs import GoogleNeeds, google_needs
from mailoauth_cfg.live.google.permissions import (
    GMAIL_SETTINGS_SCOPE,
    SERVICE_USAGE_SCOPE,
    google_hint,
)
from mailoauth_cfg.live.google.reads import (
    GoogleFacts,
    Read,
    directory_reads,
    gmail_reads,
    service_reads,
)
from mailoauth_cfg.live.options import FetchOptions
from mailoauth_cfg.model import GoogleProvider, MailConfig


class Fetch:
    """One provider's reads: tokens, batches, retries, and the facts they produce."""

    def __init__(
        self,
        needs: GoogleNeeds,
        conn: GoogleConnection,
        identity: Identity,
        options: FetchOptions,
        stats: Stats,
        progress: Callable[[int, int], None] | None,
        budget: Budget | None = None,
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
        self.budget = budget or Budget(options.deadline)
        self.closed = False
        """Set when the deadline passed: answers arriving later are dropped."""
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
        self.pool = Pool(options.graph_concurrency, make_http)
        self.queues: dict[Api, list[Read]] = {"directory": [], "gmail": []}
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
            if not self.closed:
                self.facts.unavailable[key] = reason

    def _resolve(
        self, read: Read, status: int | None, body: Any, reason: str | None, *, record: bool = True
    ) -> None:
        """Store an answer (or record why there is none); ``record=False`` when the reason is
        already recorded for the whole service."""
        try:
            if reason is not None or status is None:
                raise LiveReadError(reason or f"{read.kind}: no answer")
            with self.lock:
                if not self.closed:
                    read.store(status, body)
        except LiveReadError as exc:
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
                problem = classify(exc, self.options)
                if problem.transient:
                    delay = self.options.retry_delay(attempts[0], problem.retry_after)
                    if delay is not None and self.budget.allows(delay):
                        with self.lock:
                            self.stats.retries += 1
                        self.pool.submit(job, priority=priority, delay=delay)
                        return
                    if delay is not None:
                        on_fail(f"{what}: {self.budget.gave_up(problem.reason, attempts[0])}")
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
    def _queue(self, api: Api, reads: list[Read]) -> None:
        chunks: list[list[Read]] = []
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

    def _retry_items(self, api: Api, items: list[tuple[Read, str, float | None]]) -> None:
        """Queue throttled items again after the longest wait (or give up on them)."""
        again: list[Read] = []
        wait = 0.0
        for read, reason, after in items:
            read.attempts += 1
            delay = self.options.retry_delay(read.attempts, after)
            if delay is None:
                self._resolve(
                    read, None, None, f"{reason}; gave up after {read.attempts} attempt(s)"
                )
                continue
            if not self.budget.allows(delay):
                self._resolve(read, None, None, self.budget.gave_up(reason, read.attempts))
                continue
            again.append(read)
            wait = max(wait, delay)
        if again:
            with self.lock:
                self.stats.retries += len(again)
            self.pool.submit(lambda: self._queue(api, again), priority=0, delay=wait)

    def _authorized(self, read: Read) -> Any:
        import google_auth_httplib2

        creds = self.identity.valid(read.subject, read.scopes, self.pool.http())
        return google_auth_httplib2.AuthorizedHttp(creds, http=self.pool.http())

    def _request(self, read: Read) -> Any:
        request = read.build()
        original = request.postproc

        def postproc(resp: Any, content: Any) -> Any:
            # googleapiclient's JsonModel returns the text itself when it is not JSON.
            try:
                result = original(resp, content)
            except ValueError as exc:
                return Malformed(f"malformed JSON response ({describe(exc)})")
            if isinstance(result, str | bytes):
                try:
                    json.loads(content)
                except ValueError as exc:
                    where = (
                        f"{exc.msg} at byte {exc.pos}"
                        if isinstance(exc, json.JSONDecodeError)
                        else describe(exc)
                    )
                    return Malformed(f"malformed JSON response ({where})")
                return Malformed("malformed response (the body is not a JSON object)")
            return result

        request.postproc = postproc
        return request

    def _send_one(self, read: Read) -> None:
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
            if isinstance(body, Malformed):
                raise MalformedAnswer(body.reason)
            return 200, body

        self._attempt(
            what,
            call,
            lambda result: self._resolve(read, result[0], result[1], None),
            lambda reason: self._resolve(read, None, None, reason),
            priority=0,
        )

    def _send_batch(self, api: Api, chunk: list[Read]) -> None:
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
            retry: list[tuple[Read, str, float | None]] = []
            for index, read in enumerate(chunk):
                response, exception = answers.get(str(index), (None, None))
                if exception is not None:
                    status = int(exception.resp.status)
                    if status in RETRY_STATUSES:
                        problem = classify(exception, self.options)
                        retry.append((read, f"{read.kind}: {problem.reason}", problem.retry_after))
                    else:
                        self._resolve(read, status, exception.content, None)
                elif str(index) not in answers:
                    retry.append((read, f"{read.kind}: missing from the batch response", None))
                elif isinstance(response, Malformed):
                    retry.append((read, f"{read.kind}: {response.reason}", None))
                else:
                    self._resolve(read, 200, response, None)
            if retry:
                self._retry_items(api, retry)

        def failed(reason: str) -> None:
            for read in chunk:
                self._resolve(read, None, None, reason)

        self._attempt(what, call, done, failed, priority=0)

    # -- the whole fetch ------------------------------------------------------------------------
    def run(self) -> None:
        """Read everything ``needs`` names; return when every read is resolved."""
        needs = self.needs
        consumer = needs.account == "consumer"
        sa = self.identity.kind == "service-account"
        directory = directory_reads(self) if needs.needs_directory else []
        gmail = gmail_reads(self)
        services = service_reads(self)
        self.total = len(directory) + sum(len(r) for r in gmail.values()) + len(services)
        self.stats.reads += self.total
        failures: dict[str, str] = {}

        def fail_all(reads: list[Read], service: str, reason: str) -> None:
            with self.lock:
                failures[service] = reason
                if not self.closed:
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
                    if last and len(gmail_failures) == len(gmail) and not self.closed:
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

        needed = {
            "directory": bool(directory),
            "gmail": bool(gmail),
            "serviceusage": bool(services),
        }
        finished = False
        try:
            finished = self.pool.wait(self.budget.remaining() if self.budget.limited else None)
        finally:
            with self.lock:
                self.closed = True
                if not finished:
                    # The budget ran out: whatever was not read by now is unknown, for that
                    # reason; answers still in flight are dropped.
                    for service, need in needed.items():
                        if need:
                            self.facts.unavailable.setdefault(service, self.budget.reason)
            self.pool.stop(join=finished)
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
    budget: Budget | None = None,
) -> DomainResult:
    """Read one Google provider. Never raises for provider-side problems: they end up in
    ``unavailable`` (``*`` when nothing at all could be read). ``budget`` bounds the whole read
    (the run's ``--timeout``): facts not read by then are recorded as such."""
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
            raise LiveCredentialError(f"cannot read {path}: {describe(exc)}") from None
        if not isinstance(info, dict):
            raise LiveCredentialError(f"{path} is not a JSON object")
        try:
            identity = Identity(info, conn)
        except LiveCredentialError:
            raise
        except (ValueError, KeyError, TypeError) as exc:
            raise LiveCredentialError(f"{path}: {describe(exc)}") from None
    except LiveCredentialError as exc:
        facts.unavailable["*"] = f"credentials: {exc}"
        return DomainResult(section(), stats)
    try:
        fetch = Fetch(needs, conn, identity, options, stats, progress, budget)
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
    budget: Budget | None = None,
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
        budget=budget,
    )


def google_jobs(
    config: MailConfig,
    *,
    root: Path | None,
    ca_bundle: str | None,
    environ: Mapping[str, str],
    options: FetchOptions,
    progress: Callable[[str], Callable[[int, int], None] | None],
    budget: Budget | None = None,
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
                    need,
                    conn,
                    environ=environ,
                    options=options,
                    progress=progress(name),
                    budget=budget,
                ),
            )
        )
    return jobs

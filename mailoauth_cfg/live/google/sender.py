"""The transport of the Google fetch: :class:`Sender` sends the reads (:mod:`.reads`) as
``multipart/mixed`` batches or single calls on a worker pool (:mod:`.batch`), mints the tokens
they need, retries transient failures within the budget and the deadline, and stores the
answers. Imported only on the ``--online`` path (googleapiclient, httplib2 inside)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from mailoauth_cfg.errors import LiveReadError
from mailoauth_cfg.live._retry import Budget, Stats
from mailoauth_cfg.live.google.batch import BATCH_LIMIT, Pool, lean_batch_class
from mailoauth_cfg.live.google.credentials import Api, GoogleConnection, Identity
from mailoauth_cfg.live.google.errors import (
    RETRY_STATUSES,
    Malformed,
    MalformedAnswer,
    classify,
    describe,
)
from mailoauth_cfg.live.google.needs import GoogleNeeds
from mailoauth_cfg.live.google.permissions import google_hint
from mailoauth_cfg.live.google.reads import GoogleFacts, Read
from mailoauth_cfg.live.options import FetchOptions


class Sender:
    """The transport of one provider's reads: tokens, batches and single calls on a worker pool,
    retries within the budget and the deadline, and the facts their answers produce.
    :class:`~mailoauth_cfg.live.google.fetch.Fetch` decides what to read."""

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

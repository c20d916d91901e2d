"""The Google fetch's transport machinery: a worker pool (httplib2 is synchronous and not
thread-safe: one ``httplib2.Http`` per worker thread) with priorities and delayed jobs, and a lean
encoder for googleapiclient's ``multipart/mixed`` batches.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable
from typing import Any

from mailoauth_cfg.errors import LiveReadError
from mailoauth_cfg.live.google.errors import describe

BATCH_LIMIT = 50
"""Calls per batch request: Gmail advises at most 50 (larger batches trigger rate limiting)."""


class Pool:
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

    def wait(self, timeout: float | None = None) -> bool:
        """Block until no job is pending (``True``), or ``timeout`` seconds (``False``)."""
        end = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self._pending:
                left = None if end is None else end - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._cond.wait(left)
            return True

    def stop(self, *, join: bool = True) -> None:
        """Stop the workers: no job starts any more. ``join=False`` (the deadline passed)
        returns at once; a worker in the middle of a request ends with it (daemon threads)."""
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        if join:
            for thread in self._threads:
                thread.join(5)


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
                    raise LiveReadError("batch: a call's token expired before it was sent")
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

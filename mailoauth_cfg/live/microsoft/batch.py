"""Graph reads as JSON ``$batch`` requests (:class:`GraphReader`).

The ``$batch`` envelope is our own, sent over the SDK's httpx client with its middleware: the
msgraph-core batch helpers put absolute URLs and ``depends_on`` into items once the client has
been used, which Graph rejects (microsoftgraph/msgraph-sdk-python#1015,
microsoftgraph/msgraph-sdk-python-core#1116), and a read-only checker needs only GETs.

Every read is queued; at the end of each event loop turn the queue is sent as ``$batch``
requests of up to 20 items, at most ``graph_concurrency`` at a time. Items throttled inside a
batch (429/503/504 with their own ``Retry-After``) are queued again after the longest wait, so
they share a batch with other retries. A read that runs out of attempts fails with the reason,
which the snapshot records.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from mailoauth_cfg.live._http import Transport, parse_retry_after
from mailoauth_cfg.live.microsoft.errors import LiveReadError, describe, error_text
from mailoauth_cfg.live.microsoft.parse import Item, ok_body
from mailoauth_cfg.live.options import FetchOptions

MAX_PAGES = 50
"""Safety bound on ``@odata.nextLink`` pages of one collection."""


@dataclass(slots=True)
class _Pending:
    url: str
    future: asyncio.Future[Item]
    attempts: int = 0


class GraphReader:
    """Queues Graph GET reads and sends them as JSON ``$batch`` requests (or one by one)."""

    def __init__(
        self,
        adapter: Any,
        transport: Transport,
        options: FetchOptions,
        *,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.adapter = adapter
        self.transport = transport
        self.options = options
        self.stats = transport.stats
        self._queue: list[_Pending] = []
        self._inflight: dict[str, asyncio.Future[Item]] = {}
        self._scheduled = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._done = 0
        self._total = 0
        self._on_progress = on_progress

    # -- public -----------------------------------------------------------------------------
    @staticmethod
    def relative(info: Any) -> str:
        """The relative URL (``/users/a%40b.com?$select=…``) of an SDK request information."""
        info.path_parameters["baseurl"] = ""
        url: str = info.url
        path, _, query = url.partition("?")
        if query:
            query = "&".join(
                ("$" + part[3:]) if part.startswith("%24") else part for part in query.split("&")
            )
            return f"{path}?{query}"
        return path

    def submit(self, info_or_url: Any) -> asyncio.Future[Item]:
        """Queue one read (an SDK request information or a relative URL) and return its
        future, shared by every read of the same URL; no task per read."""
        url = info_or_url if isinstance(info_or_url, str) else self.relative(info_or_url)
        found = self._inflight.get(url)
        if found is None:
            loop = asyncio.get_running_loop()
            found = loop.create_future()
            self._inflight[url] = found
            self.stats.reads += 1
            self._total += 1
            self._enqueue(_Pending(url, found))
        return found

    async def get(self, info_or_url: Any) -> Item:
        """Read one URL (see :meth:`submit`)."""
        return await asyncio.shield(self.submit(info_or_url))

    async def get_all(self, info_or_url: Any, what: str) -> list[Any]:
        """Every item of a collection, following ``@odata.nextLink``; ``LiveReadError`` if any
        page fails."""
        items: list[Any] = []
        target: Any = info_or_url
        for _ in range(MAX_PAGES):
            result = await self.get(target)
            body = ok_body(result, what)
            values = body.get("value")
            if not isinstance(values, list):
                raise LiveReadError(f"{what}: malformed response (no `value` list)")
            items.extend(values)
            link = body.get("@odata.nextLink")
            if not link:
                return items
            target = self._relative_link(str(link))
        raise LiveReadError(f"{what}: more than {MAX_PAGES} pages")

    async def close(self) -> None:
        """Wait for the batches still running (after a cancellation)."""
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    # -- batching -----------------------------------------------------------------------------
    def _relative_link(self, link: str) -> str:
        parts = urlsplit(link)
        path = parts.path
        index = path.find("/v1.0/")
        if index >= 0:
            path = path[index + len("/v1.0") :]
        return f"{path}?{parts.query}" if parts.query else path

    def _enqueue(self, pending: _Pending) -> None:
        self._queue.append(pending)
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self._flush, 0, -1)

    def _flush(self, hops: int, seen: int) -> None:
        # Let reads queued by tasks woken in this loop turn join the batch: wait while the
        # queue still grows (a few hops at most), then send everything queued.
        if hops < 3 and len(self._queue) != seen:
            asyncio.get_running_loop().call_soon(self._flush, hops + 1, len(self._queue))
            return
        self._scheduled = False
        queue, self._queue = self._queue, []
        size = max(1, self.options.batch_size)
        for start in range(0, len(queue), size):
            chunk = queue[start : start + size]
            runner = self._send_batch(chunk) if size > 1 else self._send_one(chunk[0])
            task = asyncio.get_running_loop().create_task(runner)
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _resolve(self, pending: _Pending, result: Item | LiveReadError) -> None:
        self._inflight.pop(pending.url, None)
        if pending.future.done():
            return
        if isinstance(result, LiveReadError):
            pending.future.set_exception(result)
        else:
            pending.future.set_result(result)
        self._done += 1
        if self._on_progress is not None:
            self._on_progress(self._done, self._total)

    async def _native(self, method: str, url: str, body: bytes | None = None) -> Any:
        from kiota_abstractions.method import Method
        from kiota_abstractions.request_information import RequestInformation

        info = RequestInformation(Method.POST if method == "POST" else Method.GET)
        info.url = self.adapter.base_url.rstrip("/") + url
        info.headers.try_add("Accept", "application/json")
        for name, value in self.options.extra_headers.items():
            info.headers.try_add(name, value)
        if body is not None:
            info.set_stream_content(body, "application/json")
        return await self.adapter.convert_to_native_async(info)

    async def _send_one(self, pending: _Pending) -> None:
        try:
            reply = await self.transport.send(
                lambda: self._native("GET", pending.url), kind="graph", what="Graph"
            )
        except LiveReadError as exc:
            self._resolve(pending, exc)
        except Exception as exc:
            self._resolve(pending, LiveReadError(describe(exc)))
        else:
            self._resolve(pending, Item(reply.status, reply.body))

    async def _send_batch(self, chunk: list[_Pending]) -> None:
        payload = json.dumps(
            {
                "requests": [
                    {"id": str(index), "method": "GET", "url": p.url}
                    for index, p in enumerate(chunk, 1)
                ]
            }
        ).encode()
        try:
            reply = await self.transport.send(
                lambda: self._native("POST", "/$batch", payload),
                kind="graph-batch",
                what="Graph $batch",
            )
        except LiveReadError as exc:
            for pending in chunk:
                self._resolve(pending, exc)
            return
        except Exception as exc:
            for pending in chunk:
                self._resolve(pending, LiveReadError(describe(exc)))
            return
        responses = reply.body.get("responses") if isinstance(reply.body, dict) else None
        if reply.status != 200 or not isinstance(responses, list):
            reason = (
                error_text(reply.status, reply.body)
                if reply.status != 200
                else "malformed $batch response (no `responses` list)"
            )
            for pending in chunk:
                self._resolve(pending, LiveReadError(f"Graph $batch: {reason}"))
            return
        by_id = {str(r.get("id")): r for r in responses if isinstance(r, dict)}
        retry: list[_Pending] = []
        wait = 0.0
        for index, pending in enumerate(chunk, 1):
            item = by_id.get(str(index))
            status = item.get("status") if item is not None else None
            if item is not None and isinstance(status, int) and status not in (429, 503, 504, 424):
                self._resolve(pending, Item(status, item.get("body")))
                continue
            pending.attempts += 1
            headers = (item or {}).get("headers") or {}
            after = None
            if isinstance(headers, dict):
                lowered = {str(k).lower(): v for k, v in headers.items()}
                after = parse_retry_after(lowered.get("retry-after"))
            delay = self.options.retry_delay(pending.attempts, after)
            budget = self.transport.budget
            if delay is None or not budget.allows(delay):
                what = (
                    error_text(status, (item or {}).get("body"))
                    if isinstance(status, int)
                    else "missing from the $batch response"
                )
                if after is not None:
                    what += f" (Retry-After {after:g} s)"
                self._resolve(
                    pending,
                    LiveReadError(
                        f"Graph: {what}; gave up after {pending.attempts} attempt(s)"
                        if delay is None
                        else f"Graph: {budget.gave_up(what, pending.attempts)}"
                    ),
                )
                continue
            retry.append(pending)
            wait = max(wait, delay)
        if retry:
            self.stats.retries += len(retry)
            await asyncio.sleep(wait)
            for pending in retry:
                self._enqueue(pending)


class UrlTemplate:
    """An SDK request URL built once, for reads that differ by one path value only.

    The SDK expands its URL templates with std-uritemplate, about 1 ms per URL in pure Python;
    for thousands of per-mailbox reads the URL is built once by the request builder with a
    placeholder, which is then replaced by each value encoded as the template's simple
    expansion does (RFC 6570: everything but unreserved characters percent-encoded).
    """

    PLACEHOLDER = "mailoauthcfgvalue0"

    def __init__(self, make: Callable[[str], Any]) -> None:
        self.url = GraphReader.relative(make(self.PLACEHOLDER))
        if self.url.count(self.PLACEHOLDER) != 1:  # pragma: no cover - SDK template change
            raise ValueError(f"unexpected URL template {self.url!r}")

    def __call__(self, value: str) -> str:
        """The URL for ``value``."""
        return self.url.replace(self.PLACEHOLDER, quote(value, safe=""))

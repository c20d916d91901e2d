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
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from mailoauth_cfg.errors import LiveCredentialError
from mailoauth_cfg.live import snapshot as snap
from mailoauth_cfg.live._retry import Budget, Stats
from mailoauth_cfg.live.google.credentials import (
    GoogleConnection,
    Identity,
    credentials_file,
    google_connection,
)
from mailoauth_cfg.live.google.errors import (
    describe,
)
from mailoauth_cfg.live.google.needs import GoogleNeeds, google_needs
from mailoauth_cfg.live.google.permissions import (
    GMAIL_SETTINGS_SCOPE,
    SERVICE_USAGE_SCOPE,
)
from mailoauth_cfg.live.google.reads import (
    GoogleFacts,
    Read,
    directory_reads,
    gmail_reads,
    service_reads,
)
from mailoauth_cfg.live.google.sender import Sender
from mailoauth_cfg.live.options import FetchOptions
from mailoauth_cfg.model import GoogleProvider, MailConfig


class Fetch(Sender):
    """One provider's reads: what to read and in which order (the transport is
    :class:`~mailoauth_cfg.live.google.sender.Sender`)."""

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

"""Which Google API call reads which fact: one :class:`Read` per call, with the function that
stores its answer in the :class:`GoogleFacts` (or raises
:class:`~mailoauth_cfg.errors.LiveReadError` with the reason)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from mailoauth_cfg.errors import LiveReadError
from mailoauth_cfg.live import snapshot as snap
from mailoauth_cfg.live.google.credentials import Api
from mailoauth_cfg.live.google.errors import error_text
from mailoauth_cfg.live.google.needs import GMAIL_SERVICE
from mailoauth_cfg.live.google.parse import (
    as_object,
    model,
    no_mailbox,
    to_app_passwords,
    to_tokens,
    to_user,
)
from mailoauth_cfg.live.google.permissions import (
    DIRECTORY_SECURITY_SCOPE,
    DIRECTORY_USER_SCOPE,
    GMAIL_SETTINGS_SCOPE,
    SERVICE_USAGE_SCOPE,
)

if TYPE_CHECKING:
    from mailoauth_cfg.live.google.sender import Sender

USER_FIELDS = (
    "id,primaryEmail,aliases,nonEditableAliases,suspended,suspensionReason,archived,"
    "isEnrolledIn2Sv,isEnforcedIn2Sv,isMailboxSetup,orgUnitPath"
)
TOKEN_FIELDS = "items(clientId,scopes,displayText,nativeApp,anonymous)"
ASP_FIELDS = "items(codeId,name,creationTime,lastTimeUsed)"


@dataclass(eq=False)
class Read:
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
    :class:`~mailoauth_cfg.errors.LiveReadError` for any other."""
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


def directory_reads(fetch: Sender) -> list[Read]:
    needs = fetch.needs
    admin = needs.admin if fetch.identity.kind == "service-account" else None
    facts = fetch.facts
    reads: list[Read] = []
    user_scopes: tuple[str, ...] = (DIRECTORY_USER_SCOPE,)
    if needs.grants or needs.app_passwords:
        user_scopes = (DIRECTORY_USER_SCOPE, DIRECTORY_SECURITY_SCOPE)
    users = fetch.directory.users()
    tokens = fetch.directory.tokens()
    asps = fetch.directory.asps()

    def store_user(email: str) -> Callable[[int, Any], None]:
        def store(status: int, body: Any) -> None:
            what = f"user {email}"
            if status == 404:
                facts.users[email] = None
            elif status == 200:
                facts.users[email] = to_user(body, what)
            else:
                raise LiveReadError(f"{what}: {error_text(status, body)}")

        return store

    def store_tokens(email: str, clients: set[str]) -> Callable[[int, Any], None]:
        def store(status: int, body: Any) -> None:
            what = f"tokens of {email}"
            if status == 404:
                facts.tokens[email] = []
            elif status == 200:
                facts.tokens[email] = to_tokens(body, what, clients)
            else:
                raise LiveReadError(f"{what}: {error_text(status, body)}")

        return store

    def store_asps(email: str) -> Callable[[int, Any], None]:
        def store(status: int, body: Any) -> None:
            what = f"app passwords of {email}"
            if status == 404:
                facts.app_passwords[email] = []
            elif status == 200:
                facts.app_passwords[email] = to_app_passwords(body, what)
            else:
                raise LiveReadError(f"{what}: {error_text(status, body)}")

        return store

    for email in needs.users:
        reads.append(
            Read(
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
            Read(
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
            Read(
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


def gmail_reads(fetch: Sender) -> dict[str, list[Read]]:
    needs = fetch.needs
    facts = fetch.facts
    settings = fetch.gmail.users().settings()
    send_as = settings.sendAs()
    scopes = (GMAIL_SETTINGS_SCOPE,)
    out: dict[str, list[Read]] = {}

    def add(email: str, read: Read) -> None:
        out.setdefault(email, []).append(read)

    def store_imap(email: str) -> Callable[[int, Any], None]:
        def store(status: int, body: Any) -> None:
            what = f"IMAP settings of {email}"
            if no_mailbox(status, body):
                facts.imap[email] = None
            elif status == 200:
                data = as_object(body, what)
                facts.imap[email] = model(
                    lambda: snap.ImapSettings(enabled=data.get("enabled")), what
                )
            else:
                raise LiveReadError(f"{what}: {error_text(status, body)}")

        return store

    def store_pop(email: str) -> Callable[[int, Any], None]:
        def store(status: int, body: Any) -> None:
            what = f"POP settings of {email}"
            if no_mailbox(status, body):
                facts.pop[email] = None
            elif status == 200:
                data = as_object(body, what)
                facts.pop[email] = model(
                    lambda: snap.PopSettings(access_window=data.get("accessWindow")), what
                )
            else:
                raise LiveReadError(f"{what}: {error_text(status, body)}")

        return store

    def store_send_as(email: str, sender: str) -> Callable[[int, Any], None]:
        def store(status: int, body: Any) -> None:
            what = f"send-as {sender} of {email}"
            key = f"{email}/{sender}"
            if status == 404:
                facts.send_as[key] = None
            elif status == 200:
                data = as_object(body, what)
                facts.send_as[key] = model(
                    lambda: snap.SendAs(
                        send_as_email=str(data["sendAsEmail"]).lower(),
                        is_primary=data.get("isPrimary"),
                        treat_as_alias=data.get("treatAsAlias"),
                        verification_status=data.get("verificationStatus"),
                    ),
                    what,
                )
            else:
                raise LiveReadError(f"{what}: {error_text(status, body)}")

        return store

    for email in needs.imap:
        add(
            email,
            Read(
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
            Read(
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
            Read(
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


def service_reads(fetch: Sender) -> list[Read]:
    facts = fetch.facts
    services = fetch.usage.services()
    reads: list[Read] = []

    def store_service(project: str) -> Callable[[int, Any], None]:
        def store(status: int, body: Any) -> None:
            what = f"{GMAIL_SERVICE} in project {project}"
            key = f"{project}/{GMAIL_SERVICE}"
            if status == 404:
                facts.services[key] = None
            elif status == 200:
                state = as_object(body, what).get("state")
                if not isinstance(state, str):
                    raise LiveReadError(f"{what}: malformed response (no `state`)")
                facts.services[key] = state
            else:
                raise LiveReadError(f"{what}: {error_text(status, body)}")

        return store

    for project in fetch.needs.projects:
        reads.append(
            Read(
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

"""What the Google live checks must read, derived from the config: only the objects it names.

Pure functions of the config (no I/O, nothing heavy), shared by the fetcher (what to read) and
the Google live rules (what to expect), so that both agree on, say, which mailboxes must have
granted which OAuth client.

Per Google provider:

* every mailbox of the provider: Directory ``users.get`` (primary address, suspended, 2SV);
* mailboxes of targets that sign in with a delegated OAuth client: ``tokens.list`` (has the
  mailbox granted that client ID, with ``https://mail.google.com/``);
* mailboxes of targets with ``auth: app-password``: ``asps.list`` (app passwords);
* mailboxes read over IMAP or POP (``protocols:``, else their targets'): Gmail
  ``settings.getImap`` / ``settings.getPop``;
* a target's ``sender`` that differs from its mailbox: Gmail ``settings.sendAs.get``;
* the project of each delegated OAuth client (the client ID's numeric prefix): Service Usage
  ``services.get`` of ``gmail.googleapis.com``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from mailoauth_cfg.derive import TargetPlan, effective_app, plan
from mailoauth_cfg.live.microsoft.needs import user_protocols
from mailoauth_cfg.model import GoogleProvider, MailConfig

GMAIL_SERVICE = "gmail.googleapis.com"
"""The service whose state Service Usage reports for each OAuth client's project."""

CLIENT_ID_RE = re.compile(r"^([0-9]{6,20})-[0-9A-Za-z_]+\.apps\.googleusercontent\.com$")
"""An OAuth client ID: ``<project number>-<id>.apps.googleusercontent.com``."""

READ_PROTOCOLS = ("imap", "pop")


def project_of(client_id: str) -> str | None:
    """The Cloud project number of an OAuth client ID (its numeric prefix), if it has one."""
    match = CLIENT_ID_RE.fullmatch(client_id.strip())
    return match.group(1) if match else None


def _google_plans(plans: Iterable[TargetPlan], provider: str) -> list[TargetPlan]:
    """Targets whose mailboxes live in ``provider`` (by their app, else their first user)."""
    return [p for p in plans if p.provider_name == provider and p.provider_type == "google"]


def oauth_grants(plans: Iterable[TargetPlan], provider: str) -> dict[str, dict[str, list[str]]]:
    """Mailbox (lower case) -> client ID (lower case) -> targets that sign in with it.

    Only targets that obtain a user's token through a delegated OAuth client (a service account,
    ``flow: app-only``, issues no per-user token: nothing to list).
    """
    out: dict[str, dict[str, list[str]]] = {}
    for p in _google_plans(plans, provider):
        profile = p.google
        app = p.app
        if profile is None or app is None or app.flow != "delegated":
            continue
        if profile.auth != "oauth2" or p.target.auth != "oauth2":
            continue
        client = app.client_id.strip().lower()
        for email in p.target.users:
            out.setdefault(email.lower(), {}).setdefault(client, []).append(p.name)
    return out


def app_password_users(plans: Iterable[TargetPlan], provider: str) -> dict[str, list[str]]:
    """Mailbox (lower case) -> targets that log in with one of its app passwords."""
    out: dict[str, list[str]] = {}
    for p in _google_plans(plans, provider):
        if p.target.auth != "app-password":
            continue
        for email in p.target.users:
            out.setdefault(email.lower(), []).append(p.name)
    return out


def senders(plans: Iterable[TargetPlan], provider: str) -> dict[tuple[str, str], list[str]]:
    """(mailbox, sender), both lower case -> targets that send as ``sender`` from ``mailbox``.

    Only senders that differ from the mailbox: the primary address is always allowed.
    """
    out: dict[tuple[str, str], list[str]] = {}
    for p in _google_plans(plans, provider):
        if "smtp" not in p.target.protocols:
            continue
        sender = getattr(p.target, "sender", None)
        if not isinstance(sender, str) or not sender:
            continue
        for email in p.target.users:
            if email.lower() != sender.lower():
                out.setdefault((email.lower(), sender.lower()), []).append(p.name)
    return out


def projects(config: MailConfig, provider: str) -> dict[str, list[str]]:
    """Project number -> delegated apps (names) of ``provider`` whose client it owns."""
    out: dict[str, list[str]] = {}
    for name, declared in sorted(config.apps.items()):
        app = effective_app(config, name) or declared
        if app.provider != provider or app.flow != "delegated":
            continue
        number = project_of(app.client_id)
        if number is not None:
            out.setdefault(number, []).append(name)
    return out


def read_protocols(config: MailConfig, email: str) -> list[str]:
    """``imap``/``pop`` the mailbox must allow (its ``protocols:``, else its targets')."""
    found = user_protocols(config, email)
    return [p for p in READ_PROTOCOLS if p in found]


@dataclass(frozen=True, slots=True)
class GoogleNeeds:
    """Everything to read in one Google provider (addresses and client IDs in lower case)."""

    provider: str
    domain: str | None
    account: str
    admin: str | None
    users: tuple[str, ...]
    """Directory ``users.get``."""
    grants: tuple[tuple[str, tuple[str, ...]], ...]
    """Directory ``tokens.list``: (mailbox, client IDs to keep)."""
    app_passwords: tuple[str, ...]
    """Directory ``asps.list``."""
    imap: tuple[str, ...]
    """Gmail ``settings.getImap``."""
    pop: tuple[str, ...]
    """Gmail ``settings.getPop``."""
    send_as: tuple[tuple[str, str], ...]
    """Gmail ``settings.sendAs.get``: (mailbox, sender)."""
    projects: tuple[str, ...]
    """Service Usage ``services.get`` of ``gmail.googleapis.com``: project numbers."""

    @property
    def gmail_users(self) -> tuple[str, ...]:
        """Mailboxes whose Gmail settings are read (each needs its own token)."""
        found: dict[str, None] = {}
        for email in (*self.imap, *self.pop, *(m for m, _ in self.send_as)):
            found.setdefault(email, None)
        return tuple(found)

    @property
    def needs_directory(self) -> bool:
        """Whether any Directory fact is needed."""
        return bool(self.users or self.grants or self.app_passwords)

    @property
    def empty(self) -> bool:
        """Nothing to read."""
        return not (self.needs_directory or self.gmail_users or self.projects)


def google_needs(config: MailConfig) -> dict[str, GoogleNeeds]:
    """What to read per Google provider (by provider name)."""
    plans = list(plan(config).targets.values())
    out: dict[str, GoogleNeeds] = {}
    for name, provider in sorted(config.providers.items()):
        if not isinstance(provider, GoogleProvider):
            continue
        users = [u.email.lower() for u in config.users if u.provider == name]
        known = set(users)
        grants = oauth_grants(plans, name)
        passwords = app_password_users(plans, name)
        imap: list[str] = []
        pop: list[str] = []
        for email in users:
            protocols = read_protocols(config, email)
            if "imap" in protocols:
                imap.append(email)
            if "pop" in protocols:
                pop.append(email)
        out[name] = GoogleNeeds(
            provider=name,
            domain=provider.domain.lower() if provider.domain else None,
            account=provider.account,
            admin=provider.admin.lower() if provider.admin else None,
            users=tuple(users),
            grants=tuple(
                (email, tuple(sorted(clients)))
                for email, clients in grants.items()
                if email in known
            ),
            app_passwords=tuple(e for e in passwords if e in known),
            imap=tuple(imap),
            pop=tuple(pop),
            send_as=tuple(k for k in senders(plans, name) if k[0] in known),
            projects=tuple(sorted(projects(config, name))),
        )
    return out

"""What the live checks must read, derived from the config: only the objects it names.

Pure functions of the config, shared by the fetchers (what to read) and the live rules (what to
expect), so both agree on, say, which mailboxes an app-only app needs ``FullAccess`` on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mailoauth_cfg.catalog.microsoft import is_tenant_keyword
from mailoauth_cfg.derive import effective_app
from mailoauth_cfg.model import MailConfig, MicrosoftProvider

Right = Literal["FullAccess", "SendAs"]

RIGHT_OF_PROTOCOL: dict[str, Right] = {"imap": "FullAccess", "pop": "FullAccess", "smtp": "SendAs"}
"""Exchange permission an app-only app needs on a mailbox per protocol
(:data:`mailoauth_cfg.catalog.sources.MS_OAUTH_MAIL_PROTOCOLS`)."""


def user_protocols(config: MailConfig, email: str) -> set[str]:
    """Protocols the mailbox must allow: its ``protocols:``, else what its targets use."""
    user = config.user(email)
    if user is not None and user.protocols is not None:
        return set(user.protocols)
    wanted = email.lower()
    found: set[str] = set()
    for target in config.targets.values():
        if any(u.lower() == wanted for u in target.users):
            found.update(target.protocols)
    return found


def app_mailbox_rights(config: MailConfig, app_name: str) -> dict[str, set[Right]]:
    """Mailbox (lower case) -> Exchange rights an app-only app needs on it.

    Each target using the app needs ``FullAccess`` (IMAP/POP) or ``SendAs`` (SMTP) on each of
    its mailboxes; ``granted_mailboxes`` not used by a target need what the app's targets use.
    """
    app = effective_app(config, app_name)
    if app is None or app.flow != "app-only":
        return {}
    out: dict[str, set[Right]] = {}
    every: set[Right] = set()
    for target in config.targets.values():
        if target.app != app_name:
            continue
        rights = {RIGHT_OF_PROTOCOL[p] for p in target.protocols if p in RIGHT_OF_PROTOCOL}
        every |= rights
        for email in target.users:
            out.setdefault(email.lower(), set()).update(rights)
    for email in app.granted_mailboxes or []:
        out.setdefault(email.lower(), set()).update(every)
    return {email: rights for email, rights in sorted(out.items()) if rights}


def delegate_rights(config: MailConfig, email: str) -> set[Right]:
    """Rights the ``sign_in_as`` account of a shared mailbox needs on it: ``FullAccess`` to read
    it (IMAP/POP), ``SendAs`` to send as it (SMTP), for the protocols its delegated targets use
    (targets of app-only apps reach it through the app's service principal instead)."""
    user = config.user(email)
    if user is None or user.mailbox == "user" or not user.sign_in_as:
        return set()
    wanted = email.lower()
    protocols: set[str] = set()
    for target in config.targets.values():
        app = effective_app(config, target.app)
        if app is None or app.flow == "app-only":
            continue
        if any(u.lower() == wanted for u in target.users):
            protocols.update(target.protocols)
    if user.protocols is not None and protocols:
        protocols = set(user.protocols)
    return {RIGHT_OF_PROTOCOL[p] for p in protocols if p in RIGHT_OF_PROTOCOL}


@dataclass(frozen=True, slots=True)
class AppNeeds:
    """One app registration to read."""

    client_id: str
    """Lower case."""
    app_only: bool
    mailbox_rights: tuple[tuple[str, tuple[Right, ...]], ...] = ()
    """App-only: (mailbox, rights) to read permissions of."""
    home_tenant: str | None = None
    """The tenant its registration lives in, when not the tenant read (``apps.<n>.home_tenant``):
    the registration is read there, everything else in the tenant read."""


def effective_tenant(config: MailConfig, provider_name: str) -> tuple[str | None, str]:
    """``(tenant, problem)``: the tenant the live checks read for a Microsoft provider. Its
    ``tenant``, or when that is a keyword (``common``, ``organizations``), the home tenant its
    apps are registered in (``apps.<name>.home_tenant``): a keyword names no directory to read.
    ``None`` with the reason when there is none (or several)."""
    provider = config.providers.get(provider_name)
    if not isinstance(provider, MicrosoftProvider):
        return None, f"provider {provider_name} is not a Microsoft provider"
    if not is_tenant_keyword(provider.tenant):
        return provider.tenant, ""
    homes = sorted(
        {
            app.home_tenant
            for app in config.apps.values()
            if app.provider == provider_name and app.home_tenant
        }
    )
    if len(homes) == 1:
        return homes[0], ""
    if not homes:
        return None, (
            f"tenant {provider.tenant!r} is a keyword, which names no directory to read: set "
            f"apps.<name>.home_tenant to the tenant the app registration lives in (or "
            f"providers.{provider_name}.tenant to the mailboxes' tenant ID)"
        )
    return None, (
        f"tenant {provider.tenant!r} is a keyword and the provider's apps live in different "
        f"tenants ({', '.join(homes)}): set providers.{provider_name}.tenant to the tenant ID of "
        "the mailboxes"
    )


@dataclass(frozen=True, slots=True)
class MicrosoftNeeds:
    """Everything to read in one Microsoft tenant."""

    provider: str
    tenant: str
    cloud: str
    apps: tuple[AppNeeds, ...]
    users: tuple[str, ...]
    """Directory users to read (mailboxes and the accounts that sign in for shared ones)."""
    mailboxes: tuple[str, ...]
    """Exchange mailboxes to read (``Get-CASMailbox``, ``Get-Mailbox``)."""
    delegates: tuple[tuple[str, tuple[Right, ...]], ...] = ()
    """Shared mailboxes a ``sign_in_as`` account signs in for: (mailbox, rights to read)."""
    problem: str = ""
    """Why no tenant can be read (a keyword tenant without a home tenant), else empty."""

    @property
    def home_apps(self) -> dict[str, tuple[str, ...]]:
        """Client IDs of the apps registered in another tenant, by that tenant."""
        out: dict[str, list[str]] = {}
        for app in self.apps:
            if app.home_tenant and app.home_tenant != self.tenant:
                out.setdefault(app.home_tenant, []).append(app.client_id)
        return {tenant: tuple(ids) for tenant, ids in sorted(out.items())}

    @property
    def delegated(self) -> bool:
        """Whether a delegated app is named (its consent depends on the tenant's user-consent
        policy and the low-impact classifications)."""
        return any(not a.app_only for a in self.apps)

    @property
    def app_only(self) -> tuple[AppNeeds, ...]:
        """The app-only apps (Exchange service principal and mailbox permissions)."""
        return tuple(a for a in self.apps if a.app_only)

    @property
    def needs_exchange(self) -> bool:
        """Whether any Exchange Online fact is needed."""
        return bool(self.mailboxes or self.app_only or self.delegates)

    def permission_reads(self) -> tuple[list[str], list[str]]:
        """Mailboxes whose ``Get-MailboxPermission`` (FullAccess) and ``Get-RecipientPermission``
        (SendAs) are read: for app-only apps and for the delegates of shared mailboxes."""
        full: set[str] = set()
        send_as: set[str] = set()
        pairs = [*(r for app in self.app_only for r in app.mailbox_rights), *self.delegates]
        for email, rights in pairs:
            if "FullAccess" in rights:
                full.add(email)
            if "SendAs" in rights:
                send_as.add(email)
        return sorted(full), sorted(send_as)

    @property
    def empty(self) -> bool:
        """Nothing to read."""
        return not (self.apps or self.users or self.mailboxes)


def microsoft_needs(config: MailConfig) -> dict[str, MicrosoftNeeds]:
    """What to read per Microsoft provider (by provider name)."""
    out: dict[str, MicrosoftNeeds] = {}
    for name, provider in sorted(config.providers.items()):
        if not isinstance(provider, MicrosoftProvider):
            continue
        apps: dict[str, AppNeeds] = {}
        for app_name, declared in sorted(config.apps.items()):
            if declared.provider != name:
                continue
            rights = app_mailbox_rights(config, app_name)
            client_id = declared.client_id.strip().lower()
            previous = apps.get(client_id)
            merged = dict(previous.mailbox_rights) if previous else {}
            for email, wanted in rights.items():
                merged[email] = tuple(sorted(set(merged.get(email, ())) | wanted))
            apps[client_id] = AppNeeds(
                client_id=client_id,
                app_only=(effective_app(config, app_name) or declared).flow == "app-only"
                or bool(previous and previous.app_only),
                mailbox_rights=tuple(sorted(merged.items())),
                home_tenant=declared.home_tenant or (previous.home_tenant if previous else None),
            )
        mailboxes: dict[str, None] = {}
        users: dict[str, None] = {}
        delegates: list[tuple[str, tuple[Right, ...]]] = []
        for user in config.users:
            if user.provider != name:
                continue
            mailboxes[user.email.lower()] = None
            users[user.email.lower()] = None
            if user.sign_in_as:
                users[user.sign_in_as.lower()] = None
            delegated = delegate_rights(config, user.email)
            if delegated:
                delegates.append((user.email.lower(), tuple(sorted(delegated))))
        for needed in apps.values():
            for email, _ in needed.mailbox_rights:
                mailboxes.setdefault(email, None)
        tenant, problem = effective_tenant(config, name)
        out[name] = MicrosoftNeeds(
            provider=name,
            tenant=tenant or provider.tenant,
            problem=problem,
            cloud=provider.cloud,
            apps=tuple(apps.values()),
            users=tuple(users),
            mailboxes=tuple(mailboxes),
            delegates=tuple(delegates),
        )
    return out

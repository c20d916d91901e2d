"""The Google section of a snapshot: one Workspace domain (or consumer accounts), as far as
the config names it (:class:`GoogleDomain`). No token, password or relay credential is kept.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from pydantic import Field

from mailoauth_cfg.live.facts import FactModel as _Model
from mailoauth_cfg.live.facts import ProviderSnapshot, Unknown, observed
from mailoauth_cfg.model._base import new_dict, new_list

# --- Directory, Gmail and Service Usage facts -------------------------------------------------


class GoogleUser(_Model):
    """A Directory user (``users.get``, projection ``basic``)."""

    id: str | None = None
    primary_email: str
    aliases: list[str] = Field(default_factory=new_list)
    """``aliases`` and ``nonEditableAliases``, lower case."""
    suspended: bool | None = None
    suspension_reason: str | None = None
    archived: bool | None = None
    is_enrolled_in_2sv: bool | None = None
    is_enforced_in_2sv: bool | None = None
    is_mailbox_setup: bool | None = None
    org_unit_path: str | None = None


class GoogleToken(_Model):
    """An OAuth client a user has granted access (``tokens.list`` entry). The API returns no
    token value: client ID and scopes only."""

    client_id: str
    scopes: list[str] = Field(default_factory=new_list)
    display_text: str | None = None
    native_app: bool | None = None
    anonymous: bool | None = None


class AppPassword(_Model):
    """An app password (``asps.list`` entry): its ID, name and dates, never the password (the
    API does not return it)."""

    code_id: int | None = None
    name: str | None = None
    created: dt.datetime | None = None
    last_used: dt.datetime | None = None


class SendAs(_Model):
    """A Gmail send-as identity (``settings.sendAs.get``); no SMTP relay credential is kept."""

    send_as_email: str
    is_primary: bool | None = None
    treat_as_alias: bool | None = None
    verification_status: str | None = None


class ImapSettings(_Model):
    """Gmail ``settings.getImap``."""

    enabled: bool | None = None


class PopSettings(_Model):
    """Gmail ``settings.getPop``: ``accessWindow`` (``disabled``, ``allMail``, ``fromNowOn``)."""

    access_window: str | None = None


SERVICE_OF = {
    "users": "directory",
    "tokens": "directory",
    "app_passwords": "directory",
    "imap": "gmail",
    "pop": "gmail",
    "send_as": "gmail",
    "services": "serviceusage",
}


UNEXPOSED = {
    "oauth_clients": "redirect URIs of an OAuth client",
    "consent_screen": "OAuth consent screen (audience, publishing status)",
    "delegation": "domain-wide delegation allow-list",
}
"""Facts of a Google provider that no API exposes, by the name rules declare them with."""


class GoogleDomain(ProviderSnapshot):
    """One Google Workspace domain (or consumer accounts), as far as the config names it.

    Keys are lower case: e-mail addresses; ``send_as`` by ``mailbox/sender``; ``services`` by
    ``project-number/service`` (``412345678901/gmail.googleapis.com``). ``tokens`` keeps only
    the grants of client IDs the config names. Services in ``unavailable``: ``directory``,
    ``gmail``, ``serviceusage``.
    """

    SERVICES: ClassVar[dict[str, str]] = SERVICE_OF

    type: Literal["google"] = "google"
    domain: str | None = None
    account: str = "workspace"
    users: dict[str, GoogleUser | None] = Field(default_factory=new_dict)
    tokens: dict[str, list[GoogleToken]] = Field(default_factory=new_dict)
    app_passwords: dict[str, list[AppPassword]] = Field(default_factory=new_dict)
    imap: dict[str, ImapSettings | None] = Field(default_factory=new_dict)
    pop: dict[str, PopSettings | None] = Field(default_factory=new_dict)
    send_as: dict[str, SendAs | None] = Field(default_factory=new_dict)
    services: dict[str, str | None] = Field(default_factory=new_dict)
    """Service state (``ENABLED``, ``DISABLED``); ``None``: the project does not exist."""

    # Lookups: value, None (read: does not exist) or Unknown (not read).
    def unexposed(self, fact: str, key: str) -> Unknown:
        """A fact no Google API exposes (``oauth_clients``: redirect URIs; ``consent_screen``:
        audience and publishing status; ``delegation``: the domain-wide delegation allow-list):
        always :class:`Unknown`, so that a rule reading it can only say ``unknown`` until an
        operator attests it (a suppression with a reason and an expiry)."""
        return observed(fact, key.lower(), Unknown(f"no Google API exposes the {UNEXPOSED[fact]}"))

    def user(self, email: str) -> GoogleUser | Unknown | None:
        """The Directory user behind ``email`` (a primary address or an alias)."""
        return self.look("users", self.users, email)

    def tokens_of(self, email: str) -> list[GoogleToken] | Unknown:
        """Grants of the named client IDs by ``email``."""
        return self.look("tokens", self.tokens, email)

    def app_passwords_of(self, email: str) -> list[AppPassword] | Unknown:
        """App passwords of ``email``."""
        return self.look("app_passwords", self.app_passwords, email)

    def imap_of(self, email: str) -> ImapSettings | Unknown | None:
        """IMAP settings of ``email`` (``None``: no Gmail mailbox)."""
        return self.look("imap", self.imap, email)

    def pop_of(self, email: str) -> PopSettings | Unknown | None:
        """POP settings of ``email`` (``None``: no Gmail mailbox)."""
        return self.look("pop", self.pop, email)

    def send_as_of(self, mailbox: str, sender: str) -> SendAs | Unknown | None:
        """The send-as identity ``sender`` of ``mailbox`` (``None``: not allowed)."""
        return self.look("send_as", self.send_as, f"{mailbox}/{sender}")

    def service_state(self, project: str, service: str) -> str | Unknown | None:
        """State of ``service`` in ``project`` (``None``: no such project)."""
        return self.look("services", self.services, f"{project}/{service}")

"""The keys every ``targets.<name>`` entry has, and the value types target models share.

Each ``targets/<kind>/model.py`` subclasses :class:`TargetModel` and adds its ``type``
(``Literal["<kind>"]``: the only place a kind's key is written) and its own keys. A ``version``
key is validated by the kind's own format: ``Annotated[str | int | float,
AfterValidator(VERSIONS.format.check)]`` (numbers are read as text).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field

from mailoauth_cfg.model._base import Email, Name, SecretRef, StrictModel, Suppressions
from mailoauth_cfg.model.users import Protocol


def _check_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{value!r} is not an http(s) URL (expected e.g. https://erp.contoso.com)")
    if parts.query or parts.fragment:
        raise ValueError(f"{value!r}: a base URL takes no query string or fragment")
    return value


Url = Annotated[str, AfterValidator(_check_url), Field(examples=["https://erp.contoso.com"])]

_SMTP_ONLY: list[Protocol] = ["smtp"]


class TargetModel(StrictModel):
    """Keys shared by every target; a kind's model adds ``type`` and its own keys."""

    MAILBOX_KEYED: ClassVar[tuple[str, ...]] = ()
    """Keys whose mapping is keyed by mailbox address: each key must be one of ``users``."""

    if TYPE_CHECKING:  # each kind declares ``type: Literal["<key>"]``
        type: str

    app: Name | None = None
    """Name of the app registration / OAuth client (``apps:``) the target uses."""
    users: list[Email] = Field(default_factory=list)
    """Mailboxes (``users:`` e-mails) the target sends or reads as."""
    protocols: list[Protocol] = Field(default_factory=lambda: _SMTP_ONLY.copy())
    """Protocols the target uses: ``smtp`` to send, ``imap``/``pop`` to read."""
    auth: Literal["oauth2", "password", "app-password"] = "oauth2"
    """How the target authenticates today: ``oauth2`` (the goal), ``password`` (legacy basic
    auth still in use, tracked until it is migrated) or ``app-password`` (Google only)."""
    description: str | None = None
    """Free text shown in rendered runbooks."""
    suppress: Suppressions

    @property
    def base_url(self) -> str | None:
        """The ``url`` users and admins open, for kinds that have one."""
        url = getattr(self, "url", None)
        return url if isinstance(url, str) else None

    def secret_refs(self) -> list[tuple[str, SecretRef]]:
        """``(key, reference)`` of every secret the target itself holds (an app password)."""
        found = ((key, getattr(self, key)) for key in type(self).model_fields)
        return [(key, value) for key, value in found if isinstance(value, SecretRef)]

    @property
    def declared_version(self) -> str | None:
        """The ``version`` key as text, for kinds that have one and when it is set."""
        version = getattr(self, "version", None)
        return None if version is None else str(version)

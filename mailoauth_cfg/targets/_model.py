"""The keys every ``targets.<name>`` entry has, and the value types target models share.

Each ``targets/<kind>/model.py`` subclasses :class:`TargetModel` and adds its ``type``
(``Literal["<kind>"]``: the only place a kind's key is written) and its own keys, typed with
the shared identifier types of :mod:`mailoauth_cfg.model._base` (``Url``, ``PathText``, ``Text``,
``Host``, ``Endpoint``...). A ``version`` key is a :data:`~mailoauth_cfg.model._base.Version`
narrowed to the kind's own format: ``Annotated[Version, AfterValidator(VERSIONS.format.check)]``
(numbers are read as text).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import Field

from mailoauth_cfg.model._base import (
    Email,
    Name,
    SecretRef,
    StrictModel,
    Suppressions,
    Text,
    Url,
    Version,
)
from mailoauth_cfg.model.users import Protocol

__all__ = ["TargetModel", "Url", "Version"]

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
    description: Text | None = None
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

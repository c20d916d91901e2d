"""What every provider section of a snapshot shares: the three states of a fact and the record of
what could not be read.

Three states per fact, so that a rule never mistakes "not read" for "fine":

* the key is present with a value: the object exists and this is what it holds;
* the key is present with ``None`` (or an empty list): it was read and does not exist;
* the key is absent: it could not be read. :meth:`ProviderSnapshot.reason` explains why (the
  ``unavailable`` map, e.g. ``{"users:a@contoso.com": "HTTP 403 ..."}``), and a lookup returns
  :class:`Unknown` with that reason; the rule engine turns any result that depended on it into
  a finding of status ``unknown``.

Plain data, no heavy import. The provider sections live in
:mod:`mailoauth_cfg.live.microsoft.snapshot` and :mod:`mailoauth_cfg.live.google.snapshot`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from mailoauth_cfg.model._base import new_dict

T = TypeVar("T")

NOT_FETCHED = (
    "not in the snapshot: it was taken before this object was named in the config "
    "(take a new one with `validate --online --save-snapshot FILE`)"
)


@dataclass(frozen=True, slots=True)
class Unknown:
    """A fact that could not be read, with the reason (shown in the ``unknown`` finding)."""

    reason: str


Observer = Callable[[str, str, object], None]
"""``observe(collection, key, result)``: told of every lookup (the rule engine records them)."""

OBSERVER: ContextVar[Observer | None] = ContextVar("mailoauth_cfg_fact_observer", default=None)
"""Set by the live rule engine while a rule runs: every lookup is reported to it, so that a
result that depended on a missing fact becomes ``unknown`` (see
:mod:`mailoauth_cfg.live.rules._facts`)."""


def observed(collection: str, key: str, result: T) -> T:
    """Report a lookup to the active observer (if any) and return its result."""
    observer = OBSERVER.get()
    if observer is not None:
        observer(collection, key, result)
    return result


class FactModel(BaseModel):
    """Base of every snapshot model: strict (unknown keys refused), frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class ProviderSnapshot(FactModel):
    """What every provider section has: when it was read and what could not be."""

    SERVICES: ClassVar[dict[str, str]] = {}
    """Collection -> the service it is read from (``users`` -> ``graph``)."""

    taken_at: dt.datetime | None = None
    unavailable: dict[str, str] = Field(default_factory=new_dict)
    """Fact key -> why it could not be read. Keys: ``*`` (the whole provider), a service
    (``graph``, ``exchange``, ``directory``), a collection (``users``) or ``collection:key``."""

    def reason(self, collection: str, key: str = "") -> str:
        """Why ``collection:key`` is missing, from the most to the least specific record."""
        service = self.SERVICES.get(collection, "")
        for candidate in (f"{collection}:{key}", collection, service, "*"):
            if candidate and candidate in self.unavailable:
                return self.unavailable[candidate]
        return NOT_FETCHED

    @property
    def failed(self) -> str | None:
        """Reason when nothing at all could be read (credentials, tenant), else ``None``."""
        return self.unavailable.get("*")

    def look(self, collection: str, table: Mapping[str, T], key: str) -> T | Unknown:
        """``table[key]`` (keys are lower case), or :class:`Unknown` with the reason; every lookup
        is reported to the rule engine's observer."""
        folded = key.lower()
        if folded in table:
            return observed(collection, folded, table[folded])
        return observed(collection, folded, Unknown(self.reason(collection, folded)))

"""Scenario files: one Google Workspace domain described in real Admin SDK, Gmail and Service
Usage JSON shapes.

```yaml
domain: acme.example
latency: 0.0                 # seconds before every answer (a round trip)
seed: 0                      # for probabilistic faults
service_account:             # the checker's service account (its RSA key is made at start)
  {client_email: checker@p.iam.gserviceaccount.com, client_id: "1180…", project_id: p}
delegation:                  # domain-wide delegation allow-list: client ID -> scopes
  "1180…": [https://www.googleapis.com/auth/admin.directory.user.readonly, …]
admins: [admin@acme.example] # who may call the Directory API
authorized_users:            # user credentials accepted by the refresh_token grant
  - {client_id: …, client_secret: …, refresh_token: …, email: admin@acme.example, scopes: […]}
projects:                    # Service Usage: state per service, who may read it
  "412345678901": {services: {gmail.googleapis.com: ENABLED}, viewers: [checker@…]}
users:                       # Directory users as users.get returns them, plus:
  - primaryEmail: crm@acme.example
    tokens: [{clientId: …, scopes: […]}]        # tokens.list items
    asps: [{codeId: 7, name: …}]                # asps.list items
    gmail: {imap: {enabled: true}, pop: {accessWindow: disabled}, sendAs: [...]}
denied: [directory:tokens.list]  # routes answered 403 (the checker lacks a privilege)
faults: [{route: "directory:users.get", kind: status, status: 429, retry_after: 0.05}]
```
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
INTERNAL = ("tokens", "asps", "gmail")
"""Keys of a scenario user that are not part of the Directory ``User`` resource."""


@dataclass
class GoogleScenario:
    """One domain (mutable: tests tweak it before or while the emulator runs)."""

    domain: str
    service_account: dict[str, str] = field(default_factory=dict)
    delegation: dict[str, list[str]] = field(default_factory=dict)
    admins: list[str] = field(default_factory=list)
    authorized_users: list[dict[str, Any]] = field(default_factory=list)
    projects: dict[str, dict[str, Any]] = field(default_factory=dict)
    users: list[dict[str, Any]] = field(default_factory=list)
    denied: list[str] = field(default_factory=list)
    faults: list[dict[str, Any]] = field(default_factory=list)
    latency: float = 0.0
    seed: int = 0

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GoogleScenario:
        """From parsed scenario data (copied)."""
        return cls(**copy.deepcopy(data))

    @classmethod
    def load(cls, path: str | Path) -> GoogleScenario:
        """From a ``.json``, ``.yaml`` or ``.yml`` file."""
        text = Path(path).read_text(encoding="utf-8")
        if str(path).endswith((".yaml", ".yml")):
            import yaml

            data = yaml.safe_load(text)
        else:
            data = json.loads(text)
        return cls.from_dict(data)

    # -- lookups used by the emulator and by tests ----------------------------------------------
    @staticmethod
    def _keys(user: dict[str, Any]) -> set[str]:
        names = [user.get("primaryEmail", ""), *(user.get("aliases") or [])]
        names += list(user.get("nonEditableAliases") or [])
        return {n.lower() for n in names} | {str(user.get("id", ""))}

    def _reindex(self) -> dict[str, dict[str, Any]]:
        index: dict[str, dict[str, Any]] = {}
        for user in self.users:
            for name in self._keys(user):
                index.setdefault(name, user)
        self.__dict__["_index"] = (len(self.users), index)
        return index

    def find(self, key: str) -> dict[str, Any] | None:
        """The user whose primary address, alias or ID is ``key`` (case-insensitive).

        An index makes thousands of lookups cheap; it is rebuilt when the number of users
        changes or a lookup does not match the user as it is now (tests change users while the
        emulator runs).
        """
        wanted = key.lower()
        cached = self.__dict__.get("_index")
        index = cached[1] if cached is not None and cached[0] == len(self.users) else None
        if index is None:
            index = self._reindex()
        found = index.get(wanted)
        if found is not None and wanted in self._keys(found):
            return found
        return self._reindex().get(wanted)

    def user(self, email: str) -> dict[str, Any]:
        """The user with this primary address (tests)."""
        found = next(
            (u for u in self.users if u["primaryEmail"].lower() == email.lower()),
            None,
        )
        if found is None:
            raise KeyError(email)
        return found

    def gmail(self, email: str) -> dict[str, Any]:
        """The ``gmail`` settings of a user (created when absent)."""
        settings: dict[str, Any] = self.user(email).setdefault("gmail", {})
        return settings

    def resource(self, user: dict[str, Any]) -> dict[str, Any]:
        """The Directory ``User`` resource of a scenario user."""
        out = {k: v for k, v in user.items() if k not in INTERNAL}
        out.setdefault("kind", "admin#directory#user")
        return out


def load_scenario(name_or_path: str | Path) -> GoogleScenario:
    """A scenario by file name in ``scenarios/`` (``baseline``) or by path."""
    path = Path(name_or_path)
    if not path.exists():
        for suffix in (".yaml", ".yml", ".json"):
            candidate = HERE / "scenarios" / f"{name_or_path}{suffix}"
            if candidate.exists():
                path = candidate
                break
    return GoogleScenario.load(path)

"""The whole config: ``MailConfig``, the root of the YAML model."""

from typing import Any, Literal

from pydantic import Field, PrivateAttr

from mailoauth_cfg.model._base import Name, PathText, StrictModel, new_dict, new_list
from mailoauth_cfg.model.apps import App
from mailoauth_cfg.model.providers import Provider
from mailoauth_cfg.model.targets import Target
from mailoauth_cfg.model.users import User


class RuleSetting(StrictModel):
    """Per-rule settings: severity override and options."""

    severity: Literal["error", "warning", "info", "off"] | None = None
    """Override the rule's default severity; ``off`` disables it."""
    options: dict[str, Any] = Field(default_factory=new_dict)
    """Rule options (see ``mailoauth-cfg explain RULE``)."""


class MailConfig(StrictModel):
    """A mailoauth-cfg config: providers, app registrations, mailboxes and target applications."""

    version: Literal[1]
    """Config format version; always 1."""
    include: list[PathText] | PathText | None = None
    """Files or globs (relative to this file) merged into this config."""
    providers: dict[Name, Provider] = Field(default_factory=new_dict)
    """Identity providers by name: a Microsoft Entra tenant or a Google domain."""
    apps: dict[Name, App] = Field(default_factory=new_dict)
    """App registrations / OAuth clients by name."""
    users: list[User] = Field(default_factory=new_list)
    """Mailboxes."""
    targets: dict[Name, Target] = Field(default_factory=new_dict)
    """Applications to configure, by name."""
    rules: dict[str, RuleSetting] = Field(default_factory=new_dict)
    """Rule settings by rule ID."""

    _users_by_email: dict[str, User] = PrivateAttr(default_factory=new_dict)
    _plans: Any = PrivateAttr(default=None)

    @property
    def cached_plans(self) -> Any:
        """The plans derived from this config (``derive.plan``), once computed."""
        return self._plans

    def remember_plans(self, plans: Any) -> None:
        """Keep the plans derived from this config (computed once per config)."""
        self._plans = plans

    def model_post_init(self, context: Any, /) -> None:
        """Index users by e-mail once: lookups happen per target, mailbox and output file."""
        index: dict[str, User] = {}
        for user in self.users:
            index.setdefault(user.email.lower(), user)
        self._users_by_email = index

    def user(self, email: str) -> User | None:
        """The user with this e-mail (case-insensitive), if declared."""
        # the index read from pydantic's own slot: ``self._users_by_email`` goes through
        # BaseModel.__getattr__ (2 µs against 0.1), and a render of 10,000 mailboxes asks
        # for users some 100,000 times
        private = self.__pydantic_private__
        index = private["_users_by_email"] if private is not None else self._users_by_email
        found: User | None = index.get(email.lower())
        return found

    def object_count(self) -> int:
        """Number of declared objects (for the report summary)."""
        return len(self.providers) + len(self.apps) + len(self.users) + len(self.targets)

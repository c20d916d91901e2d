"""Target applications as plugins: one package per kind, and the one registry of them.

Everything the tool knows about an application (Dolibarr, GLPI, msmtp...) lives in its package
``targets/<module>/``: its YAML model, its facts, its renderer, its runbook steps and its
rules. The registry below lists the packages; the model union, the JSON Schema, rendering
dispatch, the rule catalogue, the docs tables and the tests' parametrisation are derived from
it. A kind's key (``type:``) is written once, in its model; its package is named after it
(``nextcloud-mail`` → ``nextcloud_mail``), so the registry can find a kind's module from a
``type:`` value without importing any other kind.

The registry is typed by :class:`TargetPlugin`, as pre-commit's language registry types its
language modules: anything that has these members is a target plugin. See
docs/adding-a-target.md and ``scripts/add-target``.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from mailoauth_cfg.derive import TargetPlan
    from mailoauth_cfg.rendering import Output, RenderContext
    from mailoauth_cfg.rules._base import Rule
    from mailoauth_cfg.targets._facts import BootstrapKind, TargetFacts
    from mailoauth_cfg.targets._model import TargetModel
    from mailoauth_cfg.targets._plugin import (
        EntryBinding,
        LocalLogin,
        ScopeCheckboxes,
        TokenStore,
    )

PLUGIN_MODULES: tuple[str, ...] = (
    "dolibarr",
    "dolibarr_multismtp",
    "digdash",
    "wavesoft",
    "openbee",
    "postfix_sasl_xoauth2",
    "msmtp",
    "email_oauth2_proxy",
    "glpi",
    "odoo",
    "nextcloud_mail",
)
"""The target packages, in the order reports, the schema and the docs list them."""


class TargetPlugin(Protocol):
    """What the registry holds for each kind."""

    @property
    def key(self) -> str:
        """The ``type:`` value."""

    @property
    def model(self) -> type[TargetModel]:
        """The pydantic model of ``targets.<name>``."""

    @property
    def facts(self) -> TargetFacts:
        """Typed facts: providers, protocols, flows, redirects, settings, versions, traits."""

    @property
    def rules(self) -> tuple[Rule[Any], ...]:
        """The kind's own rules."""

    def outputs(self, ctx: RenderContext, plan: TargetPlan) -> list[Output]:
        """The files to render for a target of this kind."""

    def redirect(self, plan: TargetPlan) -> tuple[str | None, str]:
        """The redirect URI the target sends (or ``None``) and how it is computed."""

    def derived_redirect(self, plan: TargetPlan) -> str | None:
        """The redirect URI the kind sends when nothing is declared."""

    def bootstrap(self, plan: TargetPlan) -> BootstrapKind | None:
        """The flow that obtains the target's token, its own settings applied."""

    def token_store(self, target: TargetModel) -> TokenStore | None:
        """Where a file-based target keeps its tokens on its host."""

    def runbook_context(self, plan: TargetPlan) -> dict[str, Any]:
        """Extra variables of the bootstrap runbook."""

    def scope_checkboxes(self, plan: TargetPlan) -> ScopeCheckboxes | None:
        """The scope checkboxes the operator ticks, for kinds configured that way."""

    def local_login(self, plan: TargetPlan) -> LocalLogin | None:
        """Where clients log in with a password, for a target that keeps its own tokens."""

    def deployment(self, target: TargetModel, name: str) -> dict[str, Any]:
        """Where a file-based target's files go on its host (for deployment roles)."""

    def reference(self) -> list[str]:
        """Markdown lines about the kind's own facts, for docs/targets.md."""

    def normalise_scopes(self, plan: TargetPlan, scopes: tuple[str, ...]) -> tuple[str, ...]:
        """Declared scopes as the target's token request carries them."""

    def repair_scopes(self, plan: TargetPlan, mailbox: str | None) -> list[str] | None:
        """The scopes to declare instead of wrong ones, in the application's notation."""

    def offered_scopes(self, plan: TargetPlan) -> tuple[str, ...] | None:
        """The only scope values the application accepts, in its notation."""

    def entry_bindings(self, plan: TargetPlan) -> list[EntryBinding]:
        """The named OAuth entries the target's mailboxes are bound to."""


def module_name(key: str) -> str:
    """The package of a kind: its key with ``-`` written ``_``."""
    return key.replace("-", "_")


def kind_keys() -> tuple[str, ...]:
    """Every kind's key, without importing any kind (keys contain no ``_``)."""
    return tuple(name.replace("_", "-") for name in PLUGIN_MODULES)


@cache
def plugin(key: str) -> TargetPlugin:
    """The plugin of ``key``; ``KeyError`` for an unknown kind."""
    name = module_name(key)
    if name not in PLUGIN_MODULES:
        raise KeyError(key)
    found: TargetPlugin = importlib.import_module(f"{__name__}.{name}").PLUGIN
    return found


def plugins() -> tuple[TargetPlugin, ...]:
    """Every plugin, in registry order."""
    return tuple(plugin(key) for key in kind_keys())


def models() -> tuple[type[TargetModel], ...]:
    """Every kind's model, in registry order (the members of the ``targets:`` union)."""
    return tuple(p.model for p in plugins())


def all_rules() -> tuple[Rule[Any], ...]:
    """The rules of every kind."""
    return tuple(rule for p in plugins() for rule in p.rules)


__all__ = [
    "PLUGIN_MODULES",
    "TargetPlugin",
    "all_rules",
    "kind_keys",
    "models",
    "module_name",
    "plugin",
    "plugins",
]

# The model's target union is built from this registry, and kind packages import the shared
# model types: importing the model here, once the registry is defined, lets a kind's module be
# imported first without a cycle.
import mailoauth_cfg.model  # noqa: E402, F401

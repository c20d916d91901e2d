"""The target plugin: what the registry knows of a kind, and the default behaviour of its hooks.

A kind's package (``targets/<kind>/``) holds ``facts.py`` (``FACTS``), ``model.py`` (its
pydantic model), ``render.py`` (``outputs(ctx, plan)``) and, when it has any, ``rules/``
(``RULES``). Its ``__init__.py`` builds ``PLUGIN`` from them: a :class:`Plugin`, or a subclass
that overrides a hook where the kind departs from the generic behaviour. Renderers and rules
are imported on first use, so that reading a config imports no renderer.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Mapping
from functools import cached_property
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, Literal, get_args

from mailoauth_cfg.records import record
from mailoauth_cfg.targets._facts import BootstrapKind, TargetFacts
from mailoauth_cfg.targets._model import TargetModel

if TYPE_CHECKING:
    from mailoauth_cfg.derive import TargetPlan
    from mailoauth_cfg.rendering import Output, RenderContext
    from mailoauth_cfg.rules._base import Rule

TokenFormat = Literal["native", "sasl-xoauth2"]

HOST_CONFIG = "mailoauth.yaml"
"""The standalone config rendered beside the files of a target whose token lives on its host
(``rendering/host_config.py``): what mailoauth-cfg reads there."""


@record
class TokenStore:
    """Where a file-based target keeps its mailboxes' tokens on its host."""

    directory: str
    """The directory as the host sees it (a chroot already applied)."""
    format: TokenFormat
    """``native``: mailoauth-cfg's own store (``<mailbox>.json``); ``sasl-xoauth2``:
    sasl-xoauth2's token file, named after the mailbox."""
    owner: str | None = None
    """The user of the host that must own the directory and the files (the program reads and
    rewrites them as that user); ``None``: whoever runs mailoauth-cfg."""

    def file(self, email: str) -> PurePosixPath:
        """The token file of ``email`` in this store."""
        name = email if self.format == "sasl-xoauth2" else f"{email.lower()}.json"
        return PurePosixPath(self.directory) / name


@record
class LocalLogin:
    """A target that mail clients log in to with a password, and that keeps its own tokens
    (email-oauth2-proxy): the probe logs in there, and mailoauth-cfg holds no token for it."""

    host: str
    """Where to connect on the target's host."""
    ports: Mapping[str, int]
    """The local port of each protocol the probe speaks (``smtp``, ``imap``)."""
    logins: Mapping[str, str]
    """Mailbox → the user name clients log in to the proxy with (its account section)."""
    keeper: str
    """Who keeps the token, and how it is obtained (the answer to a ``token`` command)."""


@record
class ScopeCheckboxes:
    """A target whose admin ticks the requested scopes among those an entry offers."""

    entry: str
    """The entry the operator configures (Dolibarr ``MICROSOFT-Emails``)."""
    offered_by: str
    """What offers the checkboxes (``Dolibarr's MICROSOFT provider class``)."""
    offered: tuple[str, ...]
    """The scopes the entry offers, as literal scope strings."""
    fix: str
    """How to avoid ticking a Graph scope next to Outlook scopes; ``{graph}`` stands for the
    Graph scopes concerned."""
    keys: tuple[str, ...]
    """Keys of ``targets.<name>`` that choose the entry (for the finding's location)."""


@record
class EntryBinding:
    """A mailbox bound to a named OAuth entry of an application (one entry holds one token)."""

    key: tuple[str, ...]
    """What identifies the entry on its instance (kind family, URL, entity, ``<PROV>-<label>``)."""
    label: str
    """The entry as the operator sees it (``MICROSOFT3-Emails``)."""
    mailbox: str
    target: str
    path: tuple[str | int, ...] | None
    """Where the binding is declared (``None`` when derived)."""
    own_entry: str | None = None
    """A label of its own for this mailbox (the fix)."""


class Plugin:
    """A target kind: its model, facts, rules, renderer and hooks.

    The hooks implement what most kinds do; a kind overrides the ones where it differs.
    """

    def __init__(self, package: str, *, model: type[TargetModel], facts: TargetFacts) -> None:
        self.package = package
        self.model = model
        self.facts = facts

    @cached_property
    def key(self) -> str:
        """The ``type:`` value: the one literal of the model's ``type`` field."""
        annotation = self.model.model_fields["type"].annotation
        (value,) = get_args(annotation)
        return str(value)

    @cached_property
    def rules(self) -> tuple[Rule[Any], ...]:
        """The kind's own rules (``targets/<kind>/rules``), imported on first use."""
        name = f"{self.package}.rules"
        if importlib.util.find_spec(name) is None:
            return ()
        found: tuple[Rule[Any], ...] = importlib.import_module(name).RULES
        return found

    def outputs(self, ctx: RenderContext, plan: TargetPlan) -> list[Output]:
        """The files to render for ``plan`` (``targets/<kind>/render.py``)."""
        result: list[Output] = importlib.import_module(f"{self.package}.render").outputs(ctx, plan)
        return result

    # -- hooks -------------------------------------------------------------------------------

    def redirect(self, plan: TargetPlan) -> tuple[str | None, str]:
        """(The redirect URI the target sends or ``None``, how it is computed).

        Default: the provider profile's template filled with the target's ``url``.
        """
        profile = plan.profile
        if profile is None:
            return None, "no provider profile"
        pattern = profile.redirect
        try:
            uri = pattern.render(plan.target.base_url)
        except ValueError:
            return None, pattern.reason
        return uri, pattern.reason

    def derived_redirect(self, plan: TargetPlan) -> str | None:
        """The redirect URI the kind sends when nothing is declared (its callback)."""
        return self.redirect(plan)[0]

    def bootstrap(self, plan: TargetPlan) -> BootstrapKind | None:
        """How the target obtains its token with its provider, its own settings applied.

        Default: the profile's flow (``None`` without a provider profile).
        """
        profile = plan.profile
        return None if profile is None else profile.bootstrap

    def token_store(self, target: TargetModel) -> TokenStore | None:
        """Where the token files of a file-based target live, when its config says so."""
        del target
        return None

    def runbook_context(self, plan: TargetPlan) -> dict[str, Any]:
        """Extra variables of the kind's bootstrap runbook template."""
        del plan
        return {}

    def deployment(self, target: TargetModel, name: str) -> dict[str, Any]:
        """Where a file-based target's files go on its host, resolved (defaults applied): what
        a deployment role installs, and where. Default: nothing to install."""
        del target, name
        return {}

    def local_login(self, plan: TargetPlan) -> LocalLogin | None:
        """Where mail clients log in to the target with a password, for a target that keeps
        its own tokens (a proxy); ``None``: clients use the provider's servers with a token."""
        del plan
        return None

    def scope_checkboxes(self, plan: TargetPlan) -> ScopeCheckboxes | None:
        """The scope checkboxes the operator ticks, for kinds configured that way."""
        del plan
        return None

    def reference(self) -> list[str]:
        """Markdown lines about the kind's own facts, for docs/targets.md."""
        return []

    def normalise_scopes(self, plan: TargetPlan, scopes: tuple[str, ...]) -> tuple[str, ...]:
        """Declared scopes as the request carries them (Dolibarr's ``gmail_full`` is
        ``https://mail.google.com/``). Default: as written."""
        del plan
        return scopes

    def repair_scopes(self, plan: TargetPlan, mailbox: str | None) -> list[str] | None:
        """The scopes to declare instead of wrong ones, in the application's notation, when the
        kind writes them its own way (Dolibarr: the checkboxes its class offers). Default:
        ``None`` (the generic repair applies)."""
        del plan, mailbox
        return None

    def entry_bindings(self, plan: TargetPlan) -> list[EntryBinding]:
        """The named OAuth entries the target's mailboxes are bound to (none by default)."""
        del plan
        return []

    def offered_scopes(self, plan: TargetPlan) -> tuple[str, ...] | None:
        """The only scope values the application accepts, in its notation (Dolibarr: its
        provider class's checkboxes); ``None`` when any scope may be written."""
        del plan
        return None

    def __repr__(self) -> str:
        return f"<target plugin {self.package}>"


if TYPE_CHECKING:
    from mailoauth_cfg.targets import TargetPlugin

    def _conforms(plugin: Plugin) -> TargetPlugin:
        """mypy checks here that :class:`Plugin` implements the registry's protocol."""
        return plugin

"""The shape of a rule, and the context every rule reads.

A rule is a module with a docstring (its documentation: what, why, how to fix, source),
an options model and a ``check(ctx, options)`` generator, wrapped in a :class:`Rule`::

    class Options(RuleOptions):
        lead_days: int = 30

    def check(ctx: Context, options: Options) -> Iterator[Finding]: ...

    RULE = Rule.define(__doc__, id="ms-secret-expiry", severity=Severity.WARNING,
                       check=check, options=Options)

Rules are pure functions of the config: no I/O, no clock (``ctx.as_of`` is the date).

Live rules (``mailoauth_cfg.live.rules``) are the same type: they also declare the snapshot
facts they read (``reads=``) and the offline rules whose guesses their verdict replaces
(``supersedes=``), and read the snapshot through ``ctx.facts``. One engine loop
(:mod:`~mailoauth_cfg.rules.engine`) applies settings, severities, options and suppressions to
every rule; it runs live rules only when live facts are given, and turns any result that
depended on a missing or failed fact into ``unknown`` (never ``fail``).
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable, Iterator
from dataclasses import field
from typing import Any, Generic, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict

from mailoauth_cfg.derive import AppPlan, Plans, TargetPlan, plan
from mailoauth_cfg.findings import Edit, Finding, ObjectRef, RuleInfo, Severity
from mailoauth_cfg.locations import PathKey, SourceMap
from mailoauth_cfg.model import App, MailConfig, Provider, TargetModel, User
from mailoauth_cfg.records import record


class RuleOptions(BaseModel):
    """Base of rule options (set under ``rules: {<id>: {options: ...}}`` in the config)."""

    # Built on first validation: a config that sets no option never validates one (the
    # engine constructs the defaults).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


OptionsT = TypeVar("OptionsT", bound=RuleOptions)
TargetT = TypeVar("TargetT", bound=TargetModel)


class FactSource(Protocol):
    """The live facts a run checks against (implemented by ``mailoauth_cfg.live.rules._facts``;
    kept abstract here so that offline rules import nothing of ``live``)."""

    def check(self, rule: Rule[Any], ctx: Context, options: Any) -> Iterator[Finding]:
        """Run the live ``rule`` against the facts: its findings, with a result that depended on
        a missing or failed fact turned into ``unknown``."""
        ...


@record
class Context:
    """What rules read: the config, where each part came from, the date of the run and, for
    live checks, the facts read from the tenants."""

    config: MailConfig
    marks: SourceMap
    as_of: dt.date
    plans: Plans
    _user_index: dict[str, int] = field(default_factory=dict)
    _uses_by_user: dict[str, list[tuple[TargetPlan, int]]] = field(default_factory=dict)
    facts: Any = None
    """The live facts (``None`` offline, where live rules do not run): the run's
    :class:`FactSource` in the engine loop and, while a live rule runs, the view of them bound
    to that rule (it records every lookup)."""

    @classmethod
    def of(
        cls, config: MailConfig, marks: SourceMap, as_of: dt.date, *, facts: Any = None
    ) -> Context:
        """Build a context, its indexes and the target/app plans."""
        index = {u.email.lower(): i for i, u in enumerate(config.users)}
        plans = plan(config)
        uses: dict[str, list[tuple[TargetPlan, int]]] = {}
        for tplan in plans.targets.values():
            seen: set[str] = set()
            for position, address in enumerate(tplan.target.users):
                key = address.lower()
                if key not in seen:
                    seen.add(key)
                    uses.setdefault(key, []).append((tplan, position))
        return cls(
            config=config,
            marks=marks,
            as_of=as_of,
            plans=plans,
            _user_index=index,
            _uses_by_user=uses,
            facts=facts,
        )

    def uses_of_user(self, email: str) -> list[tuple[TargetPlan, int]]:
        """(target plan, index in ``targets.<name>.users``) for every target of the mailbox."""
        return list(self._uses_by_user.get(email.lower(), ()))

    def target_plans(self) -> list[TargetPlan]:
        """Every target's plan, sorted by name."""
        return list(self.plans.targets.values())

    def targets_of(self, model: type[TargetT]) -> list[tuple[TargetPlan, TargetT]]:
        """``(plan, target)`` of every target whose model is ``model`` (a kind's own rules)."""
        return [(p, p.target) for p in self.plans.targets.values() if isinstance(p.target, model)]

    def app_plans(self) -> list[AppPlan]:
        """Every app's plan, sorted by name."""
        return list(self.plans.apps.values())

    # -- lookups ---------------------------------------------------------------------------
    def user(self, email: str) -> User | None:
        """The declared user with this e-mail (case-insensitive)."""
        index = self._user_index.get(email.lower())
        return None if index is None else self.config.users[index]

    def user_path(self, email: str) -> PathKey:
        """Key path of a user entry (``("users", 3)``)."""
        return ("users", self._user_index.get(email.lower(), 0))

    def app(self, name: str | None) -> App | None:
        """The app with this name, if declared (its omitted flow/platform/audience derived)."""
        if name is None:
            return None
        found = self.plans.apps.get(name)
        return None if found is None else found.app

    def provider(self, name: str | None) -> Provider | None:
        """The provider with this name, if declared."""
        return None if name is None else self.config.providers.get(name)

    # -- findings ----------------------------------------------------------------------------
    def finding(
        self,
        rule: Rule[Any],
        message: str,
        path: PathKey,
        *,
        fix: str,
        object: ObjectRef,
        at_key: bool = False,
        severity: Severity | None = None,
        edits: tuple[Edit, ...] = (),
    ) -> Finding:
        """A finding of ``rule`` located at the YAML node of ``path``; ``edits``: the fix as
        YAML changes, when the fix is a change to the config."""
        return Finding(
            rule=rule.id,
            severity=severity or rule.severity,
            message=message,
            location=self.marks.location(path, at_key=at_key),
            fix=fix,
            object=object,
            help=rule.summary,
            edits=edits,
        )

    def declared(self, path: PathKey) -> bool:
        """Whether ``path`` is written in the config (a declared fact, not a default)."""
        return path in self.marks.values


def first_line(doc: str) -> str:
    """The first line of ``inspect.cleandoc(doc)`` (empty for an empty text).

    A rule's docstring starts with its summary on the first line: that line alone gives it
    (tabs expanded, leading blanks removed, as cleandoc does), without cleaning the whole
    text. Any other layout is cleaned in full."""
    first = doc.split("\n", 1)[0].expandtabs().lstrip()
    text = first or inspect.cleandoc(doc)
    return text.splitlines()[0] if text else ""


@record
class Rule(Generic[OptionsT]):
    """A rule: ID, default severity, documentation, options and check function."""

    id: str
    severity: Severity
    summary: str
    docstring: str
    """The documentation as written (the rule module's docstring); :attr:`doc` is it cleaned."""
    check: Callable[[Context, OptionsT], Iterator[Finding]]
    options: type[OptionsT]
    family: str
    reads: tuple[str, ...] = ()
    """Live rules only: the snapshot facts the rule reads (``applications``,
    ``mailbox_permissions``…). It runs only against a snapshot, reading anything else is
    refused, and a result that depended on one of them being missing or failed becomes
    ``unknown``, never ``fail``."""
    supersedes: tuple[str, ...] = ()
    """Live rules only: offline rules whose findings on an object give way once this rule has
    decided that object from facts read live (``--online``: the tenant's truth replaces the
    offline guess); a suppression of one of them also silences this rule on that object."""
    replaces: tuple[str, ...] = ()
    """Former IDs of checks this rule took over: settings and suppressions naming them are
    reported with the new ID."""
    impacts: tuple[tuple[Severity, str], ...] = ()
    """Each severity the rule reports, with the impact that justifies it (error: mail cannot
    flow or no token can be issued; warning: it will break later or by chance; info:
    advice). Published in docs/severity.md."""
    fixable: bool = False
    """Its findings carry their fix as YAML changes (:attr:`Finding.edits`)."""

    @property
    def doc(self) -> str:
        """The documentation, indentation and blank edges removed (:func:`inspect.cleandoc`):
        cleaned when read (reports that show it, ``explain``), not for every rule imported."""
        return inspect.cleandoc(self.docstring)

    @property
    def live(self) -> bool:
        """Whether the rule checks live facts (it declares what it reads)."""
        return bool(self.reads)

    @classmethod
    def define(
        cls,
        doc: str | None,
        *,
        id: str,
        severity: Severity,
        check: Callable[[Context, OptionsT], Iterator[Finding]],
        options: type[OptionsT],
        family: str,
        reads: tuple[str, ...] = (),
        supersedes: tuple[str, ...] = (),
        replaces: tuple[str, ...] = (),
        impacts: tuple[tuple[Severity, str], ...] = (),
        fixable: bool = False,
    ) -> Rule[OptionsT]:
        """Define a rule from its module docstring (first line is the summary).

        ``impacts`` lists each severity the rule reports with its impact; the default
        severity must be one of them (a rule without ``impacts`` reports only its default).
        """
        summary = first_line(doc or "") or id
        if impacts and severity not in {level for level, _ in impacts}:
            raise ValueError(f"rule {id}: its default severity is not among its impacts")
        return cls(
            id=id,
            severity=severity,
            summary=summary,
            docstring=doc or "",
            check=check,
            options=options,
            family=family,
            reads=reads,
            supersedes=supersedes,
            replaces=replaces,
            impacts=impacts,
            fixable=fixable,
        )

    def info(self) -> RuleInfo:
        """Metadata for reports."""
        return RuleInfo(
            id=self.id,
            severity=self.severity,
            summary=self.summary,
            doc=self.doc,
            impacts=self.impacts,
            fixable=self.fixable,
        )

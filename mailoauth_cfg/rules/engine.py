"""Run rules over a config: severity overrides, options, suppressions: one loop for every rule.

Offline and live rules are one :class:`~mailoauth_cfg.rules._base.Rule` type and go through the
same :func:`run_checks` loop (settings, severity, options) and :func:`suppress_findings`. A live
rule (one that declares the facts it ``reads``) runs only when the context carries live
``facts`` (a snapshot), through ``facts.check``, which turns results that depended on missing
facts into ``unknown``; its settings are validated either way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from pydantic import ValidationError

from mailoauth_cfg.findings import (
    Finding,
    Location,
    ObjectKind,
    ObjectRef,
    Severity,
    Status,
    Suppression,
)
from mailoauth_cfg.locations import SourceMap
from mailoauth_cfg.model import MailConfig, SuppressionSpec
from mailoauth_cfg.model.building import closest, suggest
from mailoauth_cfg.rules._base import Context, FactSource, Rule
from mailoauth_cfg.rules.builtin import BUILTIN_RULES


def run_rules(
    config: MailConfig,
    marks: SourceMap,
    *,
    as_of: dt.date,
    rules: Iterable[Rule[Any]],
    facts: FactSource | None = None,
    report_settings: bool = True,
) -> list[Finding]:
    """Run ``rules`` over ``config`` and apply the config's rule settings and suppressions.

    ``facts``: the live facts live rules check (without it they are skipped, their settings
    still validated). ``report_settings=False`` (the live pass of an ``--online`` run, whose
    offline pass already reported them): unknown or former rule IDs and invalid options are not
    reported again, and a rule with invalid options is skipped.
    """
    catalogue = {rule.id: rule for rule in rules}
    findings: list[Finding] = []
    if report_settings:
        renamed = {old: rule.id for rule in catalogue.values() for old in rule.replaces}
        known_ids = set(catalogue) | set(BUILTIN_RULES)
        findings = unknown_rule_settings(config, marks, known_ids, renamed)
    ctx = Context.of(config, marks, as_of, facts=facts)
    ordered = [catalogue[rule_id] for rule_id in sorted(catalogue)]
    findings.extend(run_checks(ctx, ordered, report_settings=report_settings))
    twins = {rule.id: rule.supersedes for rule in ordered if rule.supersedes}
    return suppress_findings(findings, config, marks, as_of, twins=twins)


def unknown_rule_settings(
    config: MailConfig,
    marks: SourceMap,
    known_ids: set[str],
    renamed: dict[str, str] | None = None,
) -> list[Finding]:
    """A located finding for each ``rules:`` entry that names no known rule, and for each
    setting or suppression naming a rule by a former ID (``renamed``: old ID → new ID)."""
    findings: list[Finding] = []
    renamed = renamed or {}
    for path, rule_id in _rule_references(config):
        new = renamed.get(rule_id)
        if new is None or new == rule_id:
            continue
        findings.append(
            Finding(
                rule="rule-settings-invalid",
                severity=Severity.ERROR,
                message=f"rule {rule_id!r} is now part of {new!r}, which checks every target "
                "kind the same way",
                location=marks.location(path, at_key=path[0] == "rules"),
                fix=f"write {new!r} instead of {rule_id!r} (check that the setting suits every "
                "target it now covers)",
            )
        )
    for rule_id in config.rules:
        if rule_id in renamed:
            continue
        if rule_id not in known_ids:
            match = closest(rule_id, sorted(known_ids))
            findings.append(
                Finding(
                    rule="rule-settings-invalid",
                    severity=Severity.ERROR,
                    message=f"unknown rule {rule_id!r}{suggest(rule_id, sorted(known_ids))}",
                    location=marks.location(("rules", rule_id), at_key=True),
                    fix=f"use {match!r}" if match else "see `mailoauth-cfg rules` for rule IDs",
                )
            )
    return findings


def names_rules(config: MailConfig) -> bool:
    """Whether the config names a rule (a ``rules:`` setting or a suppression)."""
    return bool(_rule_references(config))


def _rule_references(config: MailConfig) -> list[tuple[tuple[Any, ...], str]]:
    """(key path, rule ID) of every ``rules:`` entry and every suppression."""
    found: list[tuple[tuple[Any, ...], str]] = [(("rules", r), r) for r in config.rules]
    sections: tuple[tuple[str, dict[str, Any]], ...] = (
        ("apps", config.apps),
        ("targets", config.targets),
        ("providers", config.providers),
    )
    for section, objects in sections:
        for name, obj in objects.items():
            for i, spec in enumerate(obj.suppress):
                found.append(((section, name, "suppress", i, "rule"), spec.rule))
    for index, user in enumerate(config.users):
        for i, spec in enumerate(user.suppress):
            found.append((("users", index, "suppress", i, "rule"), spec.rule))
    return found


def run_checks(
    ctx: Context, rules: Iterable[Rule[Any]], *, report_settings: bool = True
) -> list[Finding]:
    """The one loop over rules: each rule's setting (``off``, severity, options), then its check
    (a live rule against ``ctx.facts``, and only when there are facts).

    Invalid options are reported as located ``rule-settings-invalid`` findings (unless
    ``report_settings`` is false) and the rule is skipped. Suppressions are applied afterwards
    (:func:`suppress_findings`).
    """
    facts: FactSource | None = ctx.facts
    findings: list[Finding] = []
    for rule in rules:
        setting = ctx.config.rules.get(rule.id)
        severity = rule.severity
        raw_options: dict[str, Any] = {}
        if setting is not None:
            if setting.severity == "off":
                continue
            if setting.severity is not None:
                severity = Severity.parse(setting.severity)
            raw_options = setting.options
        try:
            # the defaults, as validating {} gives them (defaults are not validated)
            options = (
                rule.options.model_validate(raw_options)
                if raw_options
                else rule.options.model_construct()
            )
        except ValidationError as exc:
            for error in exc.errors(include_url=False) if report_settings else ():
                key = ".".join(str(p) for p in error["loc"])
                findings.append(
                    Finding(
                        rule="rule-settings-invalid",
                        severity=Severity.ERROR,
                        message=f"option {key!r} of rule {rule.id}: {error['msg']}",
                        location=ctx.marks.location(
                            ("rules", rule.id, "options", *error["loc"]), at_key=True
                        ),
                        fix=f"see `mailoauth-cfg explain {rule.id}` for its options",
                    )
                )
            continue
        if rule.live:
            if facts is None:
                continue  # a live rule runs only against live facts
            found = facts.check(rule, ctx, options)
        else:
            found = rule.check(ctx, options)
        for finding in found:
            if severity is not finding.severity and finding.severity is rule.severity:
                finding = replace(finding, severity=severity)
            findings.append(finding)
    return findings


def suppress_findings(
    findings: list[Finding],
    config: MailConfig,
    marks: SourceMap,
    as_of: dt.date,
    *,
    twins: dict[str, tuple[str, ...]] | None = None,
) -> list[Finding]:
    """Apply the config's suppressions to ``findings`` (offline and live rules alike).

    ``twins``: live rule ID -> the offline rules it supersedes. A suppression written for the
    offline rule also silences its live twin on the same object (the operator's reason covers
    the fact, whether guessed offline or read live)."""
    index = _SuppressionIndex(config)
    return [apply_suppressions(f, index, marks, as_of, twins or {}) for f in findings]


class _SuppressionIndex:
    """Suppressions by object (:attr:`ObjectRef.key`), built once per run."""

    def __init__(self, config: MailConfig) -> None:
        self._by_object: dict[tuple[str, str], tuple[tuple[Any, ...], list[SuppressionSpec]]] = {}
        sections: tuple[tuple[ObjectKind, dict[str, Any]], ...] = (
            ("app", config.apps),
            ("target", config.targets),
            ("provider", config.providers),
        )
        for kind, section in sections:
            for name, obj in section.items():
                if obj.suppress:
                    ref = ObjectRef(kind, name)
                    self._by_object[ref.key] = ((f"{kind}s", name), obj.suppress)
        for index, user in enumerate(config.users):
            if user.suppress:
                self._by_object[ObjectRef.user(user.email).key] = (("users", index), user.suppress)

    def get(self, obj: ObjectRef) -> tuple[tuple[Any, ...], list[SuppressionSpec]]:
        return self._by_object.get(obj.key, ((), []))


def apply_suppressions(
    finding: Finding,
    index: _SuppressionIndex,
    marks: SourceMap,
    as_of: dt.date,
    twins: dict[str, tuple[str, ...]] | None = None,
) -> Finding:
    """Mark ``finding`` suppressed when its object silences its rule (and has not expired).

    An ``unknown`` finding can be suppressed too: some facts no API exposes (a Google client's
    redirect URIs, its consent screen), and a suppression is how an operator attests, with a
    reason and an expiry, that they checked them by hand.
    """
    if not finding.object or finding.status is Status.SUPPRESSED:
        return finding
    base, specs = index.get(finding.object)
    aliases = (twins or {}).get(finding.rule, ())
    for position, spec in enumerate(specs):
        if spec.rule != finding.rule and spec.rule not in aliases:
            continue
        location: Location = marks.location((*base, "suppress", position))
        if spec.expires is not None and spec.expires < as_of:
            return replace(
                finding,
                message=f"{finding.message} (suppression expired on {spec.expires.isoformat()})",
                related=(*finding.related, location),
            )
        return finding.suppressed(
            Suppression(
                reason=spec.reason,
                expires=spec.expires.isoformat() if spec.expires else None,
                location=location,
            )
        )
    return finding

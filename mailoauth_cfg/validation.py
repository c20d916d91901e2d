"""The offline validation pipeline: load -> model -> rules -> findings."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from mailoauth_cfg.findings import Finding, Report, RuleInfo
from mailoauth_cfg.gcpause import gc_paused
from mailoauth_cfg.loading import LoadResult, load_config, load_config_bytes
from mailoauth_cfg.model import MailConfig
from mailoauth_cfg.model.building import build_config
from mailoauth_cfg.records import record


@record
class Validated:
    """One config after validation."""

    path: str
    loaded: LoadResult
    config: MailConfig | None
    findings: list[Finding]
    dropped: int = 0
    """Objects the schema rejected and left out (each reported; the rest was checked)."""


@gc_paused
def validate_file(
    path: str | os.PathLike[str],
    *,
    as_of: dt.date,
    allow_include_outside: bool = False,
    rules: Iterable[Any] | None = None,
    source: bytes | None = None,
) -> Validated:
    """Validate one config file (and its includes) offline.

    With ``source``, the config is those bytes (standard input) and ``path`` is only its
    name; its includes are relative to the current directory.

    Raises:
        ConfigError: the file does not exist or is not a regular file.
    """
    from mailoauth_cfg.rules import all_rules, rules_for
    from mailoauth_cfg.rules.engine import names_rules, run_rules

    if source is not None:
        loaded = load_config_bytes(
            source, name=str(path), allow_include_outside=allow_include_outside
        )
    else:
        loaded = load_config(path, allow_include_outside=allow_include_outside)
    findings = list(loaded.findings)
    config: MailConfig | None = None
    dropped = 0
    if loaded.ok:
        built = build_config(loaded)
        findings.extend(built.findings)
        config = built.config
        dropped = built.dropped
        if built.marks is not None and built.marks is not loaded.marks:
            loaded = replace(loaded, marks=built.marks)
        if config is not None:
            if rules is not None:
                selected = tuple(rules)
            elif names_rules(config):  # its settings are checked against the whole catalogue
                selected = all_rules()
            else:  # the rules that can find something here (families and kinds it uses)
                selected = rules_for(config)
            if rules is None and any(rule_id.startswith("live-") for rule_id in config.rules):
                # Live rules run offline only to have their `rules:` settings validated (the
                # engine runs them against a snapshot only); imported only then, to keep
                # offline start-up small.
                from mailoauth_cfg.live.rules import LIVE_RULES

                selected = (*selected, *LIVE_RULES)
            findings.extend(run_rules(config, loaded.marks, as_of=as_of, rules=selected))
    return Validated(
        path=str(path), loaded=loaded, config=config, findings=findings, dropped=dropped
    )


class _RuleCatalogue(Mapping[str, RuleInfo]):
    """A report's rule metadata: the whole catalogue, imported (every family and kind) only
    when a reporter reads it (SARIF): text, JSON and the other formats never do."""

    def __init__(self, live: bool) -> None:
        self._live = live
        self._infos: dict[str, RuleInfo] | None = None

    def _all(self) -> dict[str, RuleInfo]:
        if self._infos is None:
            from mailoauth_cfg.rules import rule_infos

            self._infos = rule_infos()
            if self._live:
                from mailoauth_cfg.live.rules import rule_infos as live_rule_infos

                self._infos.update(live_rule_infos())
        return self._infos

    def __getitem__(self, rule_id: str) -> RuleInfo:
        return self._all()[rule_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


def build_report(results: Sequence[Validated], *, tool_version: str) -> Report:
    """Combine validated configs into one report."""
    findings = [f for r in results for f in r.findings]
    infos = _RuleCatalogue(live=any(f.rule.startswith("live-") for f in findings))
    files = sorted({name for r in results for name in r.loaded.files})
    objects = sum(r.config.object_count() + r.dropped for r in results if r.config is not None)
    return Report.build(
        findings,
        infos,
        files=files,
        objects=objects,
        tool_version=tool_version,
    )

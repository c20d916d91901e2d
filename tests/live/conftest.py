"""Fixtures of the live tests: the Microsoft tenant emulator, the config pointed at it, and a
way to run ``validate`` (in-process through typer, or the library directly)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from mailoauth_cfg.cli import app
from mailoauth_cfg.findings import Finding, Status
from mailoauth_cfg.live.options import FetchOptions
from mailoauth_cfg.live.run import FetchResult, check, fetch_snapshot
from mailoauth_cfg.validation import Validated, validate_file
from tests.emulators.microsoft import MicrosoftEmulator, Scenario, Tls, load_scenario

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "config.yaml"
AS_OF = dt.date(2026, 6, 1)

#: Retry and timeout budget small enough for faults to resolve in milliseconds.
FAST_ENV = {
    "MAILOAUTH_CFG_LIVE_TIMEOUT": "2",
    "MAILOAUTH_CFG_LIVE_BACKOFF": "0.01",
    "MAILOAUTH_CFG_LIVE_MAX_BACKOFF": "0.05",
    "MAILOAUTH_CFG_LIVE_MAX_ATTEMPTS": "3",
    "MAILOAUTH_CFG_LIVE_MAX_RETRY_AFTER": "5",
}
FAST = FetchOptions.from_env(FAST_ENV)


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Tls:
    """One CA for every emulator of the session."""
    return Tls(tmp_path_factory.mktemp("ca"))


@pytest.fixture
def scenario() -> Scenario:
    """A fresh copy of the baseline tenant (every live rule passes against it)."""
    return load_scenario("baseline")


@pytest.fixture
def tenant(scenario: Scenario, tls: Tls) -> Iterator[MicrosoftEmulator]:
    """The baseline tenant served over HTTPS (tests may change ``scenario`` first)."""
    with MicrosoftEmulator(scenario, tls) as emulator:
        yield emulator


def config_text(
    emulator: MicrosoftEmulator, change: Callable[[dict[str, Any]], None] | None = None
) -> str:
    """``tests/live/config.yaml`` with provider ``contoso`` pointed at ``emulator``."""
    data = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    data["providers"]["contoso"].update(emulator.provider())
    if change is not None:
        change(data)
    return yaml.safe_dump(data, sort_keys=False)


@dataclass
class Live:
    """One library-level live run: offline result, fetch result and live findings."""

    validated: Validated
    fetched: FetchResult
    findings: list[Finding]

    def of(self, rule: str, status: Status | None = None) -> list[Finding]:
        """Findings of ``rule`` (with ``status`` when given)."""
        return [
            f for f in self.findings if f.rule == rule and (status is None or f.status is status)
        ]

    @property
    def rules(self) -> set[str]:
        """IDs of the failing (non-suppressed) findings."""
        return {f.rule for f in self.findings if f.status is Status.FAIL}

    @property
    def unknown(self) -> list[Finding]:
        """The ``unknown`` findings."""
        return [f for f in self.findings if f.status is Status.UNKNOWN]


@pytest.fixture
def live(tenant: MicrosoftEmulator, tmp_path: Path) -> Callable[..., Live]:
    """``live(change=None, options=FAST, env=None)``: fetch + live rules against ``tenant``."""

    def run(
        change: Callable[[dict[str, Any]], None] | None = None,
        *,
        options: FetchOptions = FAST,
        env: dict[str, str] | None = None,
        credential: str = "auto",
    ) -> Live:
        path = tmp_path / "mailoauth.yaml"
        path.write_text(config_text(tenant, change), encoding="utf-8")
        validated = validate_file(path, as_of=AS_OF)
        assert validated.config is not None, validated.findings
        fetched = fetch_snapshot(
            validated.config,
            root=tmp_path,
            options=options,
            environ=tenant.environment() if env is None else env,
            credential_source=credential,
        )
        findings = check(validated.config, validated.loaded.marks, fetched.snapshot, as_of=AS_OF)
        return Live(validated, fetched, findings)

    return run


@dataclass
class Cli:
    """Result of one ``mailoauth-cfg`` invocation."""

    code: int
    output: str

    def json(self) -> dict[str, Any]:
        """The JSON report."""
        return dict(json.loads(self.output))


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Cli]:
    """``cli(*args, env={...})``: run the CLI in-process with the fast retry budget."""

    def run(*args: str, env: dict[str, str] | None = None) -> Cli:
        for name, value in {**FAST_ENV, **(env or {})}.items():
            monkeypatch.setenv(name, value)
        result = CliRunner().invoke(app, list(args), catch_exceptions=False)
        return Cli(result.exit_code, result.output)

    return run


@pytest.fixture
def write_config(tenant: MicrosoftEmulator, tmp_path: Path) -> Callable[..., Path]:
    """``write_config(change=None) -> Path`` of the config pointed at ``tenant``."""

    def write(change: Callable[[dict[str, Any]], None] | None = None) -> Path:
        path = tmp_path / "mailoauth.yaml"
        path.write_text(config_text(tenant, change), encoding="utf-8")
        return path

    return write

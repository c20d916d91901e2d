"""Fixtures of the Google live tests: the Workspace emulator and ``tests/live/google_config.yaml``
pointed at it (``tls``, ``cli``, ``tenant`` and ``Live`` come from ``tests/live/conftest.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from mailoauth_cfg.live.options import FetchOptions
from mailoauth_cfg.live.run import check, fetch_snapshot
from mailoauth_cfg.validation import validate_file
from tests.emulators.google import GoogleEmulator, GoogleScenario, Tls, load_scenario
from tests.live.conftest import AS_OF, FAST, Live

HERE = Path(__file__).resolve().parent
GOOGLE_CONFIG = HERE.parent / "google_config.yaml"
ADMIN = "admin@acme.example"
WEB = "412345678901-k3j4h5g6f7d8s9a0p1o2i3u4y5t6r7e8.apps.googleusercontent.com"
DESKTOP = "412345678901-q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6.apps.googleusercontent.com"
PROJECT = "412345678901"

UNVERIFIABLE = (
    "live-google-redirect-uris-unverifiable",
    "live-google-consent-screen-unverifiable",
    "live-google-delegation-unverifiable",
)
"""Rules whose findings are always ``unknown`` (no Google API exposes what they name)."""


def quiet(data: dict[str, Any]) -> None:
    """Turn the always-``unknown`` rules off (a config whose owner checked them by hand)."""
    data.setdefault("rules", {}).update({rule: {"severity": "off"} for rule in UNVERIFIABLE})


@pytest.fixture
def google_scenario() -> GoogleScenario:
    """A fresh copy of the baseline domain (every Google live rule passes against it)."""
    return load_scenario("baseline")


@pytest.fixture
def google(google_scenario: GoogleScenario, tls: Tls, tmp_path: Path) -> Iterator[GoogleEmulator]:
    """The baseline domain served over HTTPS (tests may change ``google_scenario`` first)."""
    with GoogleEmulator(google_scenario, tls, key_dir=tmp_path / "keys") as emulator:
        yield emulator


def google_data(
    emulator: GoogleEmulator, change: Callable[[dict[str, Any]], None] | None = None
) -> dict[str, Any]:
    """``tests/live/google_config.yaml`` (parsed) with provider ``acme`` pointed at ``emulator``."""
    data = yaml.safe_load(GOOGLE_CONFIG.read_text(encoding="utf-8"))
    data["providers"]["acme"].update(emulator.provider())
    if change is not None:
        change(data)
    return dict(data)


@pytest.fixture
def google_live(google: GoogleEmulator, tmp_path: Path) -> Callable[..., Live]:
    """``google_live(change=None, options=FAST, env=None)``: fetch + live rules."""

    def run(
        change: Callable[[dict[str, Any]], None] | None = None,
        *,
        options: FetchOptions = FAST,
        env: dict[str, str] | None = None,
    ) -> Live:
        path = tmp_path / "mailoauth.yaml"
        path.write_text(yaml.safe_dump(google_data(google, change), sort_keys=False), "utf-8")
        validated = validate_file(path, as_of=AS_OF)
        assert validated.config is not None, validated.findings
        fetched = fetch_snapshot(
            validated.config,
            root=tmp_path,
            options=options,
            environ=google.environment() if env is None else env,
        )
        findings = check(validated.config, validated.loaded.marks, fetched.snapshot, as_of=AS_OF)
        return Live(validated, fetched, findings)

    return run


@pytest.fixture
def write_google_config(google: GoogleEmulator, tmp_path: Path) -> Callable[..., Path]:
    """``write_google_config(change=None) -> Path`` of the config pointed at ``google``."""

    def write(change: Callable[[dict[str, Any]], None] | None = None) -> Path:
        path = tmp_path / "mailoauth.yaml"
        path.write_text(yaml.safe_dump(google_data(google, change), sort_keys=False), "utf-8")
        return path

    return write

"""Validating and rendering run without the cyclic collector, which is restored afterwards."""

from __future__ import annotations

import datetime as dt
import gc
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mailoauth_cfg.gcpause import gc_paused
from mailoauth_cfg.rendering import render
from mailoauth_cfg.validation import validate_file

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from generate import generate, generate_render


@pytest.fixture
def collections() -> Iterator[list[int]]:
    """The generations collected meanwhile (the collector on, at its usual thresholds)."""
    seen: list[int] = []

    def count(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            seen.append(int(info["generation"]))

    was = gc.isenabled()
    gc.enable()
    gc.callbacks.append(count)
    try:
        yield seen
    finally:
        gc.callbacks.remove(count)
        if not was:
            gc.disable()


def test_validating_a_large_config_runs_no_collection(
    tmp_path: Path, collections: list[int]
) -> None:
    config = tmp_path / "mailoauth.yaml"
    config.write_text(generate(2000), encoding="utf-8")
    collections.clear()  # generating the config may collect; only validating counts
    result = validate_file(config, as_of=dt.date(2026, 11, 22))
    assert result.config is not None
    assert collections == []
    assert gc.isenabled()


def test_rendering_runs_no_collection(tmp_path: Path, collections: list[int]) -> None:
    config = tmp_path / "mailoauth.yaml"
    config.write_text(generate_render(300), encoding="utf-8")
    validated = validate_file(config, as_of=dt.date(2026, 11, 22))
    assert validated.config is not None
    collections.clear()  # generating the config may collect; only rendering counts
    result = render(
        validated.config, validated.loaded.marks, config_name=config.name, root=tmp_path
    )
    assert len(result.files) > 900
    assert collections == []
    assert gc.isenabled()


def test_the_collector_is_restored_when_the_phase_fails_and_left_off_when_it_was(
    collections: list[int],
) -> None:
    @gc_paused
    def failing() -> None:
        assert not gc.isenabled()
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        failing()
    assert gc.isenabled()

    @gc_paused
    def inner() -> bool:
        return gc.isenabled()

    @gc_paused
    def outer() -> tuple[bool, bool]:
        during = inner()
        return during, gc.isenabled()

    assert outer() == (False, False), "an inner phase does not turn it back on"
    assert gc.isenabled()
    gc.disable()
    assert inner() is False
    assert not gc.isenabled(), "a collector the caller turned off stays off"

"""Hypothesis profiles of the fuzz suite and the directory the fuzzed configs are written to.

Two profiles, chosen by ``MAILOAUTH_FUZZ``:

``mailoauth-fuzz-ci`` (default)
    derandomised (the same cases on every run, so CI is never flaky), 500 cases over the
    suite, about 20 s.
``mailoauth-fuzz-long`` (``MAILOAUTH_FUZZ=long``)
    random, twenty times the cases (10,000): ``MAILOAUTH_FUZZ=long python3 -m pytest
    tests/fuzz -q``. A failure prints the falsifying input and a ``@reproduce_failure`` blob;
    add the input to ``tests/fuzz/corpus/`` with the fix.

Both give each ``validate`` run a 2 s deadline (bounded time) and keep no example database.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.fuzz.strategies import REPO

_COMMON = {
    "database": None,
    "print_blob": True,
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.large_base_example,
    ],
}
settings.register_profile("mailoauth-fuzz-ci", derandomize=True, **_COMMON)  # type: ignore[arg-type]
settings.register_profile("mailoauth-fuzz-long", derandomize=False, **_COMMON)  # type: ignore[arg-type]

LONG = os.environ.get("MAILOAUTH_FUZZ", "").strip().lower() == "long"
PROFILE = "mailoauth-fuzz-long" if LONG else "mailoauth-fuzz-ci"
MULTIPLIER = 20 if LONG else 1


DEADLINE_MS = 2000
"""Time allowed to one ``validate`` run of one case."""


def budget(ci_cases: int, *, runs: int = 1) -> settings:
    """Settings for a test of ``ci_cases`` cases in CI (20 times more in the long run).

    ``runs``: ``validate`` runs per case; the deadline is :data:`DEADLINE_MS` for each.
    """
    return settings(
        settings.get_profile(PROFILE),
        max_examples=ci_cases * MULTIPLIER,
        deadline=DEADLINE_MS * runs,
    )


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A config directory with what fuzzed ``include:`` entries may point at.

    The example's included files (``mailboxes/``, ``targets/``), a valid fragment and a broken
    one under ``inc/``. Each case writes ``c.yaml`` here.
    """
    root = tmp_path_factory.mktemp("fuzz")
    example = REPO / "examples" / "contoso"
    for sub in ("mailboxes", "targets"):
        shutil.copytree(example / sub, root / sub)
    (root / "inc").mkdir()
    (root / "inc" / "users.yaml").write_text(
        "users:\n  - {email: extra@contoso.com, provider: contoso}\n", encoding="utf-8"
    )
    (root / "inc" / "bad.yaml").write_bytes(b"users: [\x00\n")
    return root

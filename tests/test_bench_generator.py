"""The benchmark's synthetic configs are realistic: they validate without any finding."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from mailoauth_cfg.validation import validate_file

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from generate import generate


def test_generated_config_is_clean_and_deterministic(tmp_path: Path) -> None:
    text = generate(400, targets=30, seed=7)
    assert text == generate(400, targets=30, seed=7)
    path = tmp_path / "bench.yaml"
    path.write_text(text, encoding="utf-8")
    result = validate_file(path, as_of=dt.date(2026, 11, 22))
    assert result.config is not None
    assert [f"{f.rule}: {f.message}" for f in result.findings] == []
    assert len(result.config.users) == 400
    used = {e for t in result.config.targets.values() for e in t.users}
    assert len(used) == 400

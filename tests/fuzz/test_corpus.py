"""Replay the fuzz corpus: each file gives its named, located finding or a clean result."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fuzz.harness import check_validate
from tests.fuzz.strategies import CORPUS_DIR

CASES = sorted(CORPUS_DIR.glob("*.yaml"))


def test_the_corpus_is_not_empty() -> None:
    assert len(CASES) >= 40
    assert all("--" in case.name for case in CASES), [c.name for c in CASES if "--" not in c.name]


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_corpus_case(case: Path) -> None:
    """A located finding of the rule the file is named after, or no error for ``clean--``."""
    doc = check_validate(case)
    assert doc is not None
    assert "FUZZ-" not in repr(doc), "a pasted secret (FUZZ-...) is echoed"
    expected = case.name.split("--", 1)[0]
    findings = doc["findings"]
    if expected == "clean":
        assert doc["summary"]["errors"] == 0, findings
        return
    matching = [f for f in findings if f["rule"] == expected]
    assert matching, (expected, [f["rule"] for f in findings])
    for finding in matching:
        assert finding["location"]["file"], finding
        assert finding["location"]["line"] >= 1, finding

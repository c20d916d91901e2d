"""The benchmark's machinery on small sizes: each figure comes with its floor measured in the
same run, the render's floor writes the very bytes the render wrote, and the table shows every
ratio with its floor and our peak memory."""

from __future__ import annotations

import marshal
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import run as bench


def test_the_bench_measures_each_ratio_against_its_floor(tmp_path: Path) -> None:
    startup = bench.bench_startup(1, tmp_path)
    validate = bench.bench_validate([20], 1, tmp_path)
    render = bench.bench_render(5, 1, tmp_path)
    for row in (startup, *validate, render):
        assert row["floor_s"] > 0
        # ratios of unrounded medians; the times shown are rounded to the millisecond
        assert abs(row["ratio"] - row["ours_s"] / row["floor_s"]) <= 0.05 * row["ratio"]
        assert row["peak_rss_mib"] > 10
    assert startup["heavy_sdk_imports"] == []
    assert render["identical"] is True
    assert render["files"] > 5 * 3  # a runbook per mailbox and target, the configs, the manifest
    table = bench.report(validate, startup, render)
    for figure in (startup, validate[0], render):
        assert f"{figure['floor_s']:.3f}" in table
        assert f"{figure['ratio']:.2f}x" in table
    assert "byte-identical: yes" in table
    assert startup["landmark_s"] > 0
    assert (
        abs(startup["landmark_ratio"] - startup["landmark_s"] / startup["floor_s"])
        <= 0.05 * (startup["landmark_ratio"])
    )
    assert f"validated once: {startup['landmark_s']:.3f}s, {startup['landmark_ratio']:.2f}x" in (
        table
    )


def test_the_render_floor_writes_what_it_is_given(tmp_path: Path) -> None:
    """The floor's writer leaves the same tree (paths, bytes, modes) as its input."""
    source = tmp_path / "source"
    (source / "a" / "b").mkdir(parents=True)
    (source / "a" / "b" / "secret.json").write_bytes(b'{"k": 1}\n')
    (source / "a" / "b" / "secret.json").chmod(0o600)
    (source / "top.md").write_bytes(b"# runbook\n")
    (source / "top.md").chmod(0o644)
    tree = bench._tree(source)
    pack = tmp_path / "pack"
    pack.write_bytes(marshal.dumps([(name, *entry) for name, entry in tree.items()]))
    out = tmp_path / "out"
    subprocess.run(
        [sys.executable, "-c", bench.FLOOR_WRITER, str(pack), str(out)], check=True, timeout=60
    )
    assert bench._tree(out) == tree

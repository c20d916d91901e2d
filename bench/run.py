"""Benchmarks of mailoauth-cfg, each measured against its floor in the same run.

    python bench/run.py            # full: 100, 1,000 and 10,000 mailboxes, 7 runs each
    python bench/run.py --quick    # 100 and 10,000 mailboxes, 3 runs each

Prints a table and writes ``bench/results/latest.json``. Every figure is the median of
several runs of a fresh process, so start-up is included on both sides of each ratio.
"""

from __future__ import annotations

import argparse
import json
import marshal
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate, generate_render  # noqa: E402


def _run(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MiB) of one fresh process (``env`` added to its
    environment)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=None if env is None else {**os.environ, **env},
    )
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {err[-2000:]!r}")
    return wall, usage.ru_maxrss / 1024


def _pair(
    ours: list[str],
    floor: list[str],
    runs: int,
    before: Callable[[str], None] | None = None,
    landmark: tuple[list[str], dict[str, str]] | None = None,
) -> dict[str, float]:
    """Medians of ``runs`` alternating runs of our command and its floor (alternating, so
    that a burst of load from elsewhere on the machine weighs on both sides alike).

    ``landmark`` (a command and what it adds to the environment) joins the alternation: its
    median and its ratio to the same floor are reported too."""
    walls: list[float] = []
    floors: list[float] = []
    marks: list[float] = []
    peak = 0.0
    for _ in range(runs):
        if before is not None:
            before("ours")
        wall, rss = _run(ours)
        walls.append(wall)
        peak = max(peak, rss)
        if before is not None:
            before("floor")
        floors.append(_run(floor)[0])
        if landmark is not None:
            marks.append(_run(*landmark)[0])
    ours_s = statistics.median(walls)
    floor_s = statistics.median(floors)
    row = {
        "floor_s": round(floor_s, 3),
        "ours_s": round(ours_s, 3),
        "ratio": round(ours_s / floor_s, 2),
        "peak_rss_mib": round(peak, 1),
    }
    if marks:
        row["landmark_s"] = round(statistics.median(marks), 3)
        row["landmark_ratio"] = round(statistics.median(marks) / floor_s, 2)
    return row


def _load_floor(path: Path) -> list[str]:
    code = (
        "import yaml, sys; "
        f"yaml.load(open({str(path)!r}, encoding='utf-8'), Loader=yaml.CSafeLoader)"
    )
    return [sys.executable, "-c", code]


def _validate(path: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "mailoauth_cfg",
        "validate",
        str(path),
        "--as-of",
        "2026-11-22",
        "--format",
        "json",
    ]


def bench_validate(sizes: list[int], runs: int, workdir: Path) -> list[dict[str, float]]:
    """`validate` wall time against the CSafeLoader load of the same file."""
    rows = []
    for n in sizes:
        path = workdir / f"config-{n}.yaml"
        path.write_text(generate(n), encoding="utf-8")
        row = _pair(_validate(path), _load_floor(path), runs)
        rows.append({"mailboxes": n, "bytes": path.stat().st_size, **row})
    return rows


SDKS = frozenset({"msgraph", "azure", "googleapiclient", "google", "msal", "httpx", "kiota_http"})


def bench_startup(runs: int, workdir: Path) -> dict[str, Any]:
    """CLI start-up on a tiny config against importing yaml, pydantic and jinja2."""
    tiny = workdir / "tiny.yaml"
    tiny.write_text(generate(1, targets=1), encoding="utf-8")
    floor = [sys.executable, "-c", "import yaml, pydantic, jinja2"]
    # Not a goal, a landmark: `import pydantic` is lazy and leaves out its model machinery.
    # What a validator built on pydantic models pays at least: one model, one field, one
    # validation (plugin discovery off; its loader, which the command line stands in for, is
    # still imported: about 11 ms).
    one_model = [
        sys.executable,
        "-c",
        f"{floor[2]}\nfrom pydantic import BaseModel, Field\n"
        "class M(BaseModel):\n    x: int = Field(default=0)\nM(x=1)",
    ]
    row = _pair(
        _validate(tiny), floor, runs, landmark=(one_model, {"PYDANTIC_DISABLE_PLUGINS": "__all__"})
    )
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", *_validate(tiny)[1:]],
        capture_output=True,
        text=True,
        check=False,
    )
    imported = {
        line.split("|")[-1].strip().split(".")[0]
        for line in proc.stderr.splitlines()
        if line.startswith("import time:")
    }
    return {**row, "heavy_sdk_imports": sorted(imported & SDKS)}


FLOOR_WRITER = """
import ctypes, marshal, os, sys
with open(sys.argv[1], "rb") as fh:
    files = marshal.load(fh)
out = sys.argv[2]
os.mkdir(out)
made = set()
staged = []
for index, (name, data, mode) in enumerate(files):
    destination = os.path.join(out, name)
    folder = os.path.dirname(destination)
    if folder not in made:
        os.makedirs(folder, exist_ok=True)
        made.add(folder)
    temporary = f"{folder}/.{index}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    os.write(fd, data)
    os.close(fd)
    staged.append((temporary, destination))
fd = os.open(out, os.O_RDONLY)
if ctypes.CDLL(None, use_errno=True).syncfs(fd) != 0:
    os.sync()
os.close(fd)
for temporary, destination in staged:
    os.replace(temporary, destination)
"""
"""The I/O floor of a render: the same bytes, modes and paths written atomically (a temporary
file each, renamed over its destination) with one ``syncfs`` before the renames, by a fresh
Python process that has them in memory (one marshal file)."""


def _tree(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mode & 0o7777)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def bench_render(mailboxes: int, runs: int, workdir: Path) -> dict[str, Any]:
    """`render` of N mailboxes x 3 file-based targets into a fresh directory, against writing
    the same bytes atomically plus one sync."""
    path = workdir / "render.yaml"
    path.write_text(generate_render(mailboxes), encoding="utf-8")
    first = workdir / "render-first"
    render = [
        sys.executable,
        "-m",
        "mailoauth_cfg",
        "render",
        str(path),
        "--out",
        str(first),
        "--as-of",
        "2026-11-22",
    ]
    _run(render)
    expected = _tree(first)
    pack = workdir / "render.marshal"
    pack.write_bytes(marshal.dumps([(name, *entry) for name, entry in expected.items()]))
    out = workdir / "render-out"
    floor_out = workdir / "floor-out"

    def fresh(side: str) -> None:
        shutil.rmtree(out if side == "ours" else floor_out, ignore_errors=True)
        os.sync()  # neither side pays for the other's dirty pages

    ours = [*render[:6], str(out), *render[7:]]
    floor = [sys.executable, "-c", FLOOR_WRITER, str(pack), str(floor_out)]
    row = _pair(ours, floor, runs, before=fresh)
    identical = _tree(out) == expected and _tree(floor_out) == expected
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(floor_out, ignore_errors=True)
    return {
        "mailboxes": mailboxes,
        "targets": 3,
        "files": len(expected),
        "bytes": sum(len(data) for data, _ in expected.values()),
        "identical": identical,
        **row,
    }


def _compile_package() -> None:
    """Byte-compile mailoauth_cfg as `pip install` does.

    Some environments set PYTHONDONTWRITEBYTECODE, which would make every measured run compile
    ~150 modules from source: a cost real installs never pay.
    """
    import compileall

    import mailoauth_cfg

    compileall.compile_dir(Path(mailoauth_cfg.__file__).parent, quiet=1)


def report(
    validate_rows: list[dict[str, Any]], startup: dict[str, Any], render: dict[str, Any]
) -> str:
    """The table of ratios, each with its floor and our peak resident memory."""
    lines = [
        "Each ratio: median wall time of ours / median of its floor, same run, fresh processes.",
        "",
        "validate vs a bare CSafeLoader load of the same file (goal <= 1.5x)",
        f"{'mailboxes':>10} {'bytes':>10} {'floor s':>8} {'validate s':>11} {'ratio':>6}"
        f" {'peak MiB':>9}",
    ]
    lines += [
        f"{row['mailboxes']:>10} {row['bytes']:>10} {row['floor_s']:>8.3f} "
        f"{row['ours_s']:>11.3f} {row['ratio']:>5.2f}x {row['peak_rss_mib']:>9.1f}"
        for row in validate_rows
    ]
    lines += [
        "",
        "start-up: validate of a tiny config vs `import yaml, pydantic, jinja2` (goal <= 1.5x)",
        f"  floor {startup['floor_s']:.3f}s  validate {startup['ours_s']:.3f}s"
        f"  ratio {startup['ratio']:.2f}x  peak {startup['peak_rss_mib']:.1f} MiB"
        f"  SDK imported: {', '.join(startup['heavy_sdk_imports']) or 'none'}",
        f"  landmark: the floor plus one pydantic model with one Field, validated once:"
        f" {startup['landmark_s']:.3f}s, {startup['landmark_ratio']:.2f}x",
        "",
        f"render: {render['mailboxes']} mailboxes x {render['targets']} targets,"
        f" {render['files']} files, {render['bytes']} bytes,"
        " vs writing them atomically + one syncfs (goal <= 1.5x)",
        f"  floor {render['floor_s']:.3f}s  render {render['ours_s']:.3f}s"
        f"  ratio {render['ratio']:.2f}x  peak {render['peak_rss_mib']:.1f} MiB"
        f"  byte-identical: {'yes' if render['identical'] else 'NO'}",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Run the benchmarks and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer sizes and runs")
    parser.add_argument("--no-live", action="store_true", help="skip the live-check figures")
    parser.add_argument("--json", type=Path, default=HERE / "results" / "latest.json")
    args = parser.parse_args()
    runs = 3 if args.quick else 7
    _compile_package()
    sizes = [100, 10_000] if args.quick else [100, 1_000, 10_000]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        startup = bench_startup(runs * 2, work)
        validate_rows = bench_validate(sizes, runs, work)
        render_row = bench_render(2_000 if args.quick else 10_000, 3 if args.quick else 5, work)
    print(report(validate_rows, startup, render_row), end="")
    figures: dict[str, Any] = {"validate": validate_rows, "startup": startup, "render": render_row}
    if not args.no_live:
        import live

        figures["live"] = live.run(
            mailboxes=200 if args.quick else 1000, repeat=3 if args.quick else 5, naive=True
        )
        print()
        print("Live checks against the emulator (goal: requests <= 1.1x ceil(reads/20) + constant,")
        print("wall time <= 1.2x the round-trip floor, >= 20x faster than one call per object)")
        print(live.report(figures["live"]), end="")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()

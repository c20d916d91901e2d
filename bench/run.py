"""Benchmarks of mailoauth-cfg, each measured against its floor in the same run.

    python bench/run.py            # full: 100, 1,000 and 10,000 mailboxes, 5 runs each
    python bench/run.py --quick    # 100 and 10,000 mailboxes, 3 runs each

Prints a table and writes ``bench/results/latest.json``. Every figure is the median of
several runs of a fresh process, so start-up is included on both sides of each ratio.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate, generate_render  # noqa: E402


def _time(cmd: list[str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, check=False)
        samples.append(time.perf_counter() - start)
        if done.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr[-2000:]!r}")
    return statistics.median(samples)


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
        floor = _time(_load_floor(path), runs)
        wall = _time(_validate(path), runs)
        rows.append(
            {
                "mailboxes": n,
                "bytes": path.stat().st_size,
                "csafeloader_s": round(floor, 3),
                "validate_s": round(wall, 3),
                "ratio": round(wall / floor, 2),
            }
        )
    return rows


def bench_startup(runs: int, workdir: Path) -> dict[str, float]:
    """CLI start-up on a tiny config against importing yaml, pydantic and jinja2."""
    tiny = workdir / "tiny.yaml"
    tiny.write_text(generate(1, targets=1), encoding="utf-8")
    floor = _time([sys.executable, "-c", "import yaml, pydantic, jinja2"], runs)
    wall = _time(_validate(tiny), runs)
    proc = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-m",
            "mailoauth_cfg",
            "validate",
            str(tiny),
            "--as-of",
            "2026-11-22",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    heavy = sorted(
        {
            line.split("|")[-1].strip().split(".")[0]
            for line in proc.stderr.splitlines()
            if line.startswith("import time:")
            and line.split("|")[-1].strip().split(".")[0]
            in {"msgraph", "azure", "googleapiclient", "google", "msal", "httpx", "kiota_http"}
        }
    )
    return {
        "imports_floor_s": round(floor, 3),
        "validate_tiny_s": round(wall, 3),
        "ratio": round(wall / floor, 2),
        "heavy_sdk_imports": heavy,
    }  # type: ignore[dict-item]


def bench_render(mailboxes: int, runs: int, workdir: Path) -> dict[str, float]:
    """`render` of N mailboxes x 3 file-based targets into a fresh directory."""
    path = workdir / "render.yaml"
    path.write_text(generate_render(mailboxes), encoding="utf-8")
    samples = []
    for run in range(runs):
        out = workdir / f"render-out-{run}"
        cmd = [
            sys.executable,
            "-m",
            "mailoauth_cfg",
            "render",
            str(path),
            "--out",
            str(out),
            "--as-of",
            "2026-11-22",
        ]
        samples.append(_time(cmd, 1))
    return {
        "mailboxes": mailboxes,
        "targets": 3,
        "render_s": round(statistics.median(samples), 2),
        "goal_s": 3.0,
    }


def bench_memory(workdir: Path) -> dict[str, float]:
    """Peak resident memory of `validate` on the 10,000-mailbox config."""
    path = workdir / "config-10000.yaml"
    if not path.exists():
        path.write_text(generate(10_000), encoding="utf-8")
    code = (
        "import resource, sys\n"
        "from mailoauth_cfg.cli import app\n"
        f"sys.argv = ['mailoauth-cfg', 'validate', {str(path)!r}, '--as-of', '2026-11-22']\n"
        "try:\n    app()\nexcept SystemExit:\n    pass\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    peak_kib = int(done.stderr.strip().splitlines()[-1])
    return {"mailboxes": 10_000, "peak_rss_mib": round(peak_kib / 1024, 1)}


def _compile_package() -> None:
    """Byte-compile mailoauth_cfg as `pip install` does.

    Some environments set PYTHONDONTWRITEBYTECODE, which would make every measured run compile
    ~150 modules from source: a cost real installs never pay.
    """
    import compileall

    import mailoauth_cfg

    compileall.compile_dir(Path(mailoauth_cfg.__file__).parent, quiet=1)


def main() -> None:
    """Run the benchmarks and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer sizes and runs")
    parser.add_argument("--json", type=Path, default=HERE / "results" / "latest.json")
    args = parser.parse_args()
    runs = 3 if args.quick else 5
    _compile_package()
    sizes = [100, 10_000] if args.quick else [100, 1_000, 10_000]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        validate_rows = bench_validate(sizes, runs, work)
        startup = bench_startup(runs, work)
        render_row = bench_render(2_000 if args.quick else 10_000, 1 if args.quick else 3, work)
        memory = bench_memory(work)
    import live

    live_figures = live.run(
        mailboxes=200 if args.quick else 1000, repeat=3 if args.quick else 5, naive=True
    )
    print("validate vs CSafeLoader load of the same file (goal <= 2.0x)")
    print(f"{'mailboxes':>10} {'bytes':>10} {'load s':>8} {'validate s':>11} {'ratio':>6}")
    for row in validate_rows:
        print(
            f"{row['mailboxes']:>10} {row['bytes']:>10} {row['csafeloader_s']:>8.3f} "
            f"{row['validate_s']:>11.3f} {row['ratio']:>5.2f}x"
        )
    print()
    print("CLI start-up: validate tiny config vs `import yaml, pydantic, jinja2` (goal <= 1.5x)")
    print(
        f"  floor {startup['imports_floor_s']:.3f}s  validate {startup['validate_tiny_s']:.3f}s"
        f"  ratio {startup['ratio']:.2f}x"
        f"  heavy SDK imports: {startup['heavy_sdk_imports'] or 'none'}"
    )
    print()
    print(
        f"render: {render_row['mailboxes']} mailboxes x 3 targets in {render_row['render_s']:.2f}s"
        f" (goal <= 3 s for 10,000 x 3)"
    )
    print(f"peak memory of validate, 10,000 mailboxes: {memory['peak_rss_mib']:.1f} MiB")
    print()
    print("Live checks against the emulator (goal: requests <= 1.1x ceil(reads/20) + constant,")
    print("wall time <= 1.2x the round-trip floor, >= 20x faster than one call per object)")
    print(live.report(live_figures), end="")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "validate": validate_rows,
                "startup": startup,
                "render": render_row,
                "memory": memory,
                "live": live_figures,
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()

"""Benchmark of the Google Workspace live checks against the emulator: requests and wall time.

    python3 bench/live_google.py                      # 1,000 mailboxes, 50 ms per round trip
    python3 bench/live_google.py --mailboxes 200 --no-naive --json out.json

(``python3 bench/live.py`` runs it too, after the Microsoft section.)

The emulator (tests/emulators/google) runs in a child process with ``--latency`` seconds before
each answer, so its CPU does not compete with the client's. The baseline domain of the live
tests is scaled to N more mailboxes (tests/emulators/google/synthetic.py: every mailbox read
with ``users.get``, OAuth mailboxes with ``tokens.list``, app-password ones with ``asps.list``,
IMAP readers with ``getImap`` and alias senders with ``sendAs.get``, each of those with its own
token through domain-wide delegation) and its config checked twice after a warm-up:

* **batched** (the defaults): multipart ``/batch`` requests of up to 50 calls;
* **naive**: one HTTP call per read (``FetchOptions.naive()``), same concurrency.

Figures against their floors:

* requests vs the request floor: the tokens that cannot be avoided (the administrator, the
  service account for Service Usage, one per mailbox whose Gmail settings are read) plus
  ``ceil(Directory calls / 50) + ceil(Gmail calls / 50)`` batches plus one Service Usage call
  per project;
* wall time vs the round-trip floor at the configured concurrency: every request costs at least
  one round trip and at most ``graph_concurrency`` run at once, and a read waits for its token:
  ``latency x max(2, ceil(requests / concurrency))``.

:func:`run` returns the figures as a dict.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import sys
import tempfile
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from _emulator_ipc import measured_fetch, serve_commands

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def _serve(conn: Connection, mailboxes: int, latency: float, ca_dir: str) -> None:
    """Child process: serve the scaled domain until told to stop."""
    from tests.emulators.google import GoogleEmulator, Tls
    from tests.emulators.google.synthetic import scaled

    scenario, _ = scaled(mailboxes, latency=latency)
    with GoogleEmulator(scenario, Tls(ca_dir), key_dir=ca_dir) as emulator:
        conn.send((emulator.base, emulator.ca_file, emulator.environment()))
        serve_commands(emulator, conn)


def _measure(config: Any, options: Any, env: dict[str, str], conn: Connection) -> dict[str, Any]:
    fetched, cpu, stats = measured_fetch(config, options, env, conn)
    domain = fetched.snapshot.google["acme"]
    requests: dict[str, int] = stats["requests"]
    items: dict[str, int] = stats["items"]
    calls = dict(items)
    for route, count in requests.items():
        if route not in ("token", "batch"):
            calls[route] = calls.get(route, 0) + count
    return {
        "seconds": round(fetched.seconds, 3),
        "client_cpu_seconds": round(cpu, 3),
        "emulator_cpu_seconds": round(stats["cpu"], 3),
        "requests": sum(requests.values()),
        "token_requests": requests.get("token", 0),
        "batch_requests": requests.get("batch", 0),
        "directory_calls": sum(n for r, n in calls.items() if r.startswith("directory:")),
        "gmail_calls": sum(n for r, n in calls.items() if r.startswith("gmail:")),
        "service_usage_calls": calls.get("serviceusage:services.get", 0),
        "retries": fetched.stats["acme"].retries,
        "unavailable": len(domain.unavailable),
        "by_route": requests,
    }


def run(
    mailboxes: int = 1000, *, latency: float = 0.05, naive: bool = True, repeat: int = 3
) -> dict[str, Any]:
    """Run the benchmark; return its figures (the batched run with the median wall time of
    ``repeat``)."""
    import datetime as dt

    import yaml

    from mailoauth_cfg.live.google.batch import BATCH_LIMIT
    from mailoauth_cfg.live.google.needs import google_needs
    from mailoauth_cfg.live.options import FetchOptions
    from mailoauth_cfg.validation import validate_file
    from tests.emulators.google.synthetic import scaled

    context = mp.get_context("spawn")
    parent, child = context.Pipe()
    with tempfile.TemporaryDirectory(prefix="bench-live-google-") as work:
        process = context.Process(
            target=_serve, args=(child, mailboxes, latency, work), daemon=True
        )
        process.start()
        try:
            base, ca_file, env = parent.recv()
            _, config = scaled(mailboxes)
            config["providers"]["acme"].update(
                {"endpoints": {"token": base, "apis": base}, "ca_bundle": ca_file}
            )
            path = Path(work) / "mailoauth.yaml"
            path.write_text(yaml.safe_dump(config), encoding="utf-8")
            validated = validate_file(path, as_of=dt.date(2026, 6, 1))
            assert validated.config is not None
            need = google_needs(validated.config)["acme"]
            options = FetchOptions()
            _measure(validated.config, options, env, parent)  # warm-up: imports, first parses
            runs = [_measure(validated.config, options, env, parent) for _ in range(repeat)]
            batched = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
            batched["seconds_all_runs"] = [r["seconds"] for r in runs]
            naive_figures = (
                _measure(validated.config, FetchOptions.naive(), env, parent) if naive else None
            )
        finally:
            parent.send("stop")
            process.join(10)
    tokens_floor = 2 + len(need.gmail_users)
    batches_floor = math.ceil(batched["directory_calls"] / BATCH_LIMIT) + math.ceil(
        batched["gmail_calls"] / BATCH_LIMIT
    )
    requests_floor = tokens_floor + batches_floor + len(need.projects)
    concurrency = options.graph_concurrency
    floor = latency * max(2, math.ceil(requests_floor / concurrency))
    result: dict[str, Any] = {
        "mailboxes": mailboxes,
        "users_in_config": mailboxes + 5,
        "gmail_mailboxes": len(need.gmail_users),
        "latency_s": latency,
        "concurrency": concurrency,
        "batch_limit": BATCH_LIMIT,
        "batched": batched,
        "requests_floor": requests_floor,
        "tokens_floor": tokens_floor,
        "batches_floor": batches_floor,
        "requests_over_floor": round(batched["requests"] / requests_floor, 3),
        "round_trip_floor_s": round(floor, 3),
        "wall_over_floor": round(batched["seconds"] / floor, 3),
        "depth_floor_s": round(latency * 2, 3),
    }
    if naive_figures is not None:
        result["naive"] = naive_figures
        result["naive_over_batched_requests"] = round(
            naive_figures["requests"] / batched["requests"], 1
        )
        result["naive_over_batched_seconds"] = round(
            naive_figures["seconds"] / batched["seconds"], 1
        )
    return result


def report(figures: dict[str, Any]) -> str:
    """The human-readable table."""
    b = figures["batched"]
    lines = [
        f"Google live check of {figures['users_in_config']} mailboxes "
        f"({figures['gmail_mailboxes']} with Gmail settings read) against the emulator, "
        f"{figures['latency_s'] * 1000:.0f} ms per round trip, concurrency "
        f"{figures['concurrency']}, batches of {figures['batch_limit']}",
        "",
        f"{'':22}{'requests':>10}{'tokens':>8}{'batches':>9}{'Directory':>11}{'Gmail':>7}"
        f"{'seconds':>9}",
    ]
    rows = [("batched (default)", b)]
    if "naive" in figures:
        rows.append(("naive (1 call/read)", figures["naive"]))
    for label, row in rows:
        lines.append(
            f"{label:22}{row['requests']:>10}{row['token_requests']:>8}"
            f"{row['batch_requests']:>9}{row['directory_calls']:>11}{row['gmail_calls']:>7}"
            f"{row['seconds']:>9.2f}"
        )
    lines += [
        "",
        f"request floor {figures['requests_floor']} = {figures['tokens_floor']} tokens (admin, "
        f"service account, one per Gmail mailbox) + {figures['batches_floor']} batches + "
        f"projects; requests = {figures['requests_over_floor']} x floor",
        f"round-trip floor at this concurrency {figures['round_trip_floor_s']:.3f} s; wall = "
        f"{figures['wall_over_floor']} x floor (dependency-depth floor "
        f"{figures['depth_floor_s']:.3f} s)",
        f"  (median of {len(b['seconds_all_runs'])} runs: "
        f"{', '.join(f'{x:.2f}' for x in sorted(b['seconds_all_runs']))} s; client CPU "
        f"{b['client_cpu_seconds']:.2f} s, emulator CPU {b['emulator_cpu_seconds']:.2f} s)",
    ]
    if "naive" in figures:
        lines.append(
            f"naive / batched: {figures['naive_over_batched_requests']}x requests, "
            f"{figures['naive_over_batched_seconds']}x time"
        )
    if b["unavailable"] or b["retries"]:
        lines.append(f"WARNING: {b['unavailable']} facts unavailable, {b['retries']} retries")
    return "\n".join(lines) + "\n"


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mailboxes", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per round trip")
    parser.add_argument("--no-naive", action="store_true", help="skip the one-call-per-read run")
    parser.add_argument("--repeat", type=int, default=3, help="batched runs (the median is kept)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    figures = run(
        args.mailboxes, latency=args.latency, naive=not args.no_naive, repeat=max(1, args.repeat)
    )
    sys.stdout.write(report(figures))
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

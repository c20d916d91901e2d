"""Benchmark of ``validate --online`` against the tenant emulator: requests and wall time.

    python3 bench/live.py                      # 1,000 mailboxes, 50 ms per round trip
    python3 bench/live.py --mailboxes 200 --no-naive --json out.json
    python3 bench/live.py --no-google           # Microsoft only (Google: bench/live_google.py)

The emulator (tests/emulators/microsoft) runs in a child process with ``--latency`` seconds
before each answer, so its CPU does not compete with the client's. The baseline tenant of the
live tests is scaled to N more mailboxes (tests/emulators/microsoft/synthetic.py) and its config
checked twice after a warm-up:

* **batched** (the defaults; the median of ``--repeat`` runs): JSON ``$batch`` of 20, users
  read 15 per ``$filter``, Exchange mailboxes listed (paged) past 10, bounded concurrency;
* **naive**: one HTTP call per object (``FetchOptions.naive()``), same concurrency.

Figures against their floors:

* Graph requests vs ``ceil(graph reads / 20)`` (reads = the items the emulator served);
  Exchange calls and token requests are the constant (they do not grow with the mailboxes
  while the tenant fits one listing page).
* Wall time vs the round-trip floor of the requests made, at the configured concurrency:
  ``latency x (1 token round trip + max(ceil(Graph requests / graph_concurrency) + 1 dependent
  stage, Exchange pages in sequence))``, and vs the dependency-depth floor (unbounded
  concurrency: token, first reads, dependent reads = 3 round trips).

:func:`run` returns the figures as a dict, for ``bench/run.py``.
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


def _serve(conn: Connection, mailboxes: int, unnamed: int, latency: float, ca_dir: str) -> None:
    """Child process: serve the scaled tenant until told to stop."""
    from tests.emulators.microsoft import MicrosoftEmulator, Tls
    from tests.emulators.microsoft.synthetic import scaled

    scenario, _ = scaled(mailboxes, unnamed=unnamed, latency=latency)
    with MicrosoftEmulator(scenario, Tls(ca_dir)) as emulator:
        conn.send((emulator.base, emulator.ca_file))
        serve_commands(emulator, conn)


def _measure(config: Any, options: Any, env: dict[str, str], conn: Connection) -> dict[str, Any]:
    fetched, cpu, stats = measured_fetch(config, options, env, conn)
    tenant = fetched.snapshot.microsoft["contoso"]
    requests: dict[str, int] = stats["requests"]
    items: dict[str, int] = stats["items"]
    graph_requests = sum(
        n
        for route, n in requests.items()
        if not route.startswith("exchange:") and route not in ("token", "openid")
    )
    exchange_requests = sum(n for route, n in requests.items() if route.startswith("exchange:"))
    return {
        "seconds": round(fetched.seconds, 3),
        "client_cpu_seconds": round(cpu, 3),
        "emulator_cpu_seconds": round(stats["cpu"], 3),
        "requests": sum(requests.values()),
        "graph_requests": graph_requests,
        "graph_reads": sum(items.values()) if items else graph_requests,
        "exchange_requests": exchange_requests,
        "token_requests": requests.get("token", 0) + requests.get("openid", 0),
        "cas_pages": requests.get("exchange:Get-CASMailbox", 0),
        "mailbox_pages": requests.get("exchange:Get-Mailbox", 0),
        "retries": fetched.stats["contoso"].retries,
        "unavailable": len(tenant.unavailable),
        "by_route": requests,
    }


def run(
    mailboxes: int = 1000,
    *,
    latency: float = 0.05,
    unnamed: int = 0,
    naive: bool = True,
    repeat: int = 5,
) -> dict[str, Any]:
    """Run the benchmark; return its figures (the batched run: median of ``repeat``)."""
    import datetime as dt

    import yaml

    from mailoauth_cfg.live.options import FetchOptions
    from mailoauth_cfg.validation import validate_file
    from tests.emulators.microsoft.synthetic import scaled

    context = mp.get_context("spawn")
    parent, child = context.Pipe()
    with tempfile.TemporaryDirectory(prefix="bench-live-") as work:
        process = context.Process(
            target=_serve, args=(child, mailboxes, unnamed, latency, work), daemon=True
        )
        process.start()
        try:
            base, ca_file = parent.recv()
            scenario, config = scaled(mailboxes, unnamed=unnamed)
            config["providers"]["contoso"].update(
                {
                    "endpoints": {"login": base, "graph": base, "exchange": base},
                    "ca_bundle": ca_file,
                }
            )
            path = Path(work) / "mailoauth.yaml"
            path.write_text(yaml.safe_dump(config), encoding="utf-8")
            validated = validate_file(path, as_of=dt.date(2026, 6, 1))
            assert validated.config is not None
            client = scenario.clients[0]
            env = {"AZURE_CLIENT_ID": client["client_id"], "AZURE_CLIENT_SECRET": client["secret"]}
            options = FetchOptions()
            _measure(validated.config, options, env, parent)  # warm-up: imports, first parses
            runs = [_measure(validated.config, options, env, parent) for _ in range(repeat)]
            runs.sort(key=lambda r: r["seconds"])
            batched = runs[len(runs) // 2]  # the median run
            batched["seconds_all_runs"] = [r["seconds"] for r in runs]
            naive_figures = (
                _measure(validated.config, FetchOptions.naive(), env, parent) if naive else None
            )
        finally:
            parent.send("stop")
            process.join(10)
    reads_bound = math.ceil(batched["graph_reads"] / 20)
    graph_waves = math.ceil(batched["graph_requests"] / options.graph_concurrency) + 1
    exchange_waves = max(batched["cas_pages"], batched["mailbox_pages"], 1)
    floor = latency * (1 + max(graph_waves, exchange_waves))
    depth_floor = latency * 3
    result: dict[str, Any] = {
        "mailboxes": mailboxes,
        "users_in_config": mailboxes + 3,
        "latency_s": latency,
        "graph_concurrency": options.graph_concurrency,
        "exchange_concurrency": options.exchange_concurrency,
        "batched": batched,
        "graph_reads_over_20": reads_bound,
        "graph_requests_ratio": round(batched["graph_requests"] / reads_bound, 3),
        "constant_requests": batched["exchange_requests"] + batched["token_requests"],
        "round_trip_floor_s": round(floor, 3),
        "wall_over_floor": round(batched["seconds"] / floor, 3),
        "depth_floor_s": round(depth_floor, 3),
        "wall_over_depth_floor": round(batched["seconds"] / depth_floor, 3),
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
        f"live check of {figures['users_in_config']} mailboxes (3 apps) against the emulator, "
        f"{figures['latency_s'] * 1000:.0f} ms per round trip, Graph concurrency "
        f"{figures['graph_concurrency']}, Exchange {figures['exchange_concurrency']}",
        "",
        f"{'':22}{'requests':>10}{'Graph':>8}{'Exchange':>10}{'tokens':>8}{'seconds':>9}",
        f"{'batched (default)':22}{b['requests']:>10}{b['graph_requests']:>8}"
        f"{b['exchange_requests']:>10}{b['token_requests']:>8}{b['seconds']:>9.2f}",
    ]
    naive = figures.get("naive")
    if naive is not None:
        lines.append(
            f"{'naive (1 call/object)':22}{naive['requests']:>10}{naive['graph_requests']:>8}"
            f"{naive['exchange_requests']:>10}{naive['token_requests']:>8}{naive['seconds']:>9.2f}"
        )
    lines += [
        "",
        f"Graph reads {b['graph_reads']}; ceil(reads/20) = {figures['graph_reads_over_20']}; "
        f"Graph requests = {figures['graph_requests_ratio']} x that; constant (Exchange + "
        f"tokens) = {figures['constant_requests']}",
        f"round-trip floor at this concurrency {figures['round_trip_floor_s']:.3f} s; wall = "
        f"{figures['wall_over_floor']} x floor",
        f"  (median of {len(b['seconds_all_runs'])} runs: "
        f"{', '.join(f'{s:.2f}' for s in b['seconds_all_runs'])} s; client CPU "
        f"{b['client_cpu_seconds']:.2f} s, emulator CPU {b['emulator_cpu_seconds']:.2f} s)",
        f"dependency-depth floor (unbounded concurrency) {figures['depth_floor_s']:.3f} s; wall = "
        f"{figures['wall_over_depth_floor']} x that",
    ]
    if naive is not None:
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
    parser.add_argument("--unnamed", type=int, default=0, help="tenant mailboxes not in the config")
    parser.add_argument("--no-naive", action="store_true", help="skip the one-call-per-object run")
    parser.add_argument("--repeat", type=int, default=5, help="batched runs (the median is kept)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--no-google", action="store_true", help="skip the Google section")
    args = parser.parse_args()
    figures = run(
        args.mailboxes,
        latency=args.latency,
        unnamed=args.unnamed,
        naive=not args.no_naive,
        repeat=max(1, args.repeat),
    )
    sys.stdout.write(report(figures))
    if not args.no_google:  # Google Workspace: bench/live_google.py
        import live_google

        figures["google"] = live_google.run(
            args.mailboxes,
            latency=args.latency,
            naive=not args.no_naive,
            repeat=max(1, args.repeat),
        )
        sys.stdout.write("\n" + live_google.report(figures["google"]))
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

"""The protocol between a benchmark and its emulator child process (shared by the live benches).

The child serves until told to stop and answers ``"reset"`` (zero the counters) and ``"stats"``
(request counts and its own CPU time) over a pipe, so the emulator's CPU never competes with
the client being measured.
"""

from __future__ import annotations

import time
from multiprocessing.connection import Connection
from typing import Any


def serve_commands(emulator: Any, conn: Connection) -> None:
    """Answer ``reset``/``stats`` for a running emulator until any other command arrives."""
    started = time.process_time()
    while True:
        command = conn.recv()
        if command == "stats":
            conn.send({**emulator.stats.snapshot(), "cpu": time.process_time() - started})
        elif command == "reset":
            emulator.stats.reset()
            started = time.process_time()
            conn.send(True)
        else:
            break


def measured_fetch(
    config: Any, options: Any, env: dict[str, str], conn: Connection
) -> tuple[Any, float, dict[str, Any]]:
    """Reset the emulator's counters, fetch a snapshot; return it, client CPU and the stats."""
    from mailoauth_cfg.live.run import fetch_snapshot

    conn.send("reset")
    conn.recv()
    cpu = time.process_time()
    fetched = fetch_snapshot(config, options=options, environ=env)
    cpu = time.process_time() - cpu
    conn.send("stats")
    return fetched, cpu, conn.recv()

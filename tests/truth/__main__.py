"""``python -m tests.truth [-v] [--cases DIR]``: the catch and false-alarm rates of the truth
corpus (``DIR``: another directory of cases written the same way, e.g. a held-out set)."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.truth.harness import describe, measure, parse


def main(argv: list[str]) -> int:
    selected = None
    if "--cases" in argv:
        folder = Path(argv[argv.index("--cases") + 1])
        selected = [parse(p) for p in sorted(folder.glob("*.yaml"))]
    rates = measure(selected)
    print(rates.summary())
    if "-v" in argv:
        for outcome in rates.outcomes:
            if not outcome.ok:
                print("\n".join(describe(outcome)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

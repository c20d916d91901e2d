"""``python -m tests.truth [-v]``: the catch and false-alarm rates of the truth corpus."""

from __future__ import annotations

import sys

from tests.truth.harness import describe, measure


def main(argv: list[str]) -> int:
    rates = measure()
    print(rates.summary())
    if "-v" in argv:
        for outcome in rates.outcomes:
            if not outcome.ok:
                print("\n".join(describe(outcome)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""The command line's process and the cyclic garbage collector: no search for cycles among the
objects of start-up, and none among the command's own at shutdown (they are freed by
reference counting all the same)."""

from __future__ import annotations

from tests.fresh import REPO, python

_PROBE = """
import atexit, gc, sys
# registered before the command's own handlers, so it runs after them (last in, first out)
atexit.register(lambda: sys.stderr.write(f"frozen {gc.get_freeze_count()}\\n"))
sys.argv = ["mailoauth-cfg", *sys.argv[1:]]
from mailoauth_cfg.cli import main
main()
"""


def test_the_objects_of_a_finished_command_are_frozen_before_shutdown() -> None:
    config = REPO / "examples" / "contoso" / "mailoauth.yaml"
    done = python("-c", _PROBE, "validate", str(config), "--as-of", "2026-11-22")
    assert done.returncode in (0, 1), done.stderr
    frozen = int(done.stderr.rsplit("frozen ", 1)[1].split()[0])
    assert frozen > 10_000, "the command's objects (models, rules, the config) are frozen"


_COUNT = """
import atexit, gc, sys
starts = []
gc.callbacks.append(lambda phase, info: phase == "start" and starts.append(info["generation"]))
atexit.register(lambda: sys.stderr.write(f"collections {len(starts)} on {gc.isenabled()}\\n"))
sys.argv = ["mailoauth-cfg", *sys.argv[1:]]
from mailoauth_cfg.cli import main
starts.clear()  # what importing this probe and the entry point collected is not the command's
main()
"""


def _collections(*args: str) -> tuple[int, bool]:
    done = python("-c", _COUNT, *args)
    assert done.returncode in (0, 1), done.stderr
    count, on = done.stderr.rsplit("collections ", 1)[1].split()[:3:2]
    return int(count), on == "True"


def test_validate_runs_without_a_collection_from_start_to_end() -> None:
    config = REPO / "examples" / "contoso" / "mailoauth.yaml"
    assert _collections("validate", str(config), "--as-of", "2026-11-22") == (0, False)


def test_other_commands_get_the_collector_back_once_their_command_line_is_imported() -> None:
    _, on = _collections("explain", "ms-tenant-keyword")
    assert on, "a command that may run long (live checks, token tooling) collects as usual"

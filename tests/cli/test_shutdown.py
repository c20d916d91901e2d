"""The command line's process leaves its objects out of the garbage collector's last search at
shutdown (they are freed by reference counting all the same)."""

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

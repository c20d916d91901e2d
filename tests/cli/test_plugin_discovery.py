"""The command line does not look for pydantic plugins it has disabled: no entry point is read
and ``importlib.metadata`` is not imported, while a setting that names some plugins keeps
pydantic's own loader, and any name of that loader other than ``get_plugins`` is the real one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.fresh import REPO, python

EXAMPLE = REPO / "examples" / "contoso" / "mailoauth.yaml"

_PROBE = """
import sys
sys.argv = ["mailoauth-cfg", "validate", sys.argv[1], "--as-of", "2026-11-22"]
from mailoauth_cfg.cli import main
try:
    main()
except SystemExit as exc:
    loader = sys.modules.get("pydantic.plugin._loader")
    print(exc.code, "importlib.metadata" in sys.modules, getattr(loader, "__file__", None),
          file=sys.stderr)
"""


def _probe(setting: str | None) -> tuple[str, bool, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    if setting is not None:
        env["PYDANTIC_DISABLE_PLUGINS"] = setting
    done = python("-c", _PROBE, str(EXAMPLE), env=env, check=True)
    code, metadata, loader = done.stderr.strip().splitlines()[-1].split(" ", 2)
    return code, metadata == "True", loader


@pytest.mark.parametrize("setting", [None, "__all__", "1", "true"])
def test_disabled_plugins_are_not_looked_for(setting: str | None) -> None:
    code, metadata, loader = _probe(setting)
    assert code == "0"  # the example is clean, with or without the stand-in
    assert not metadata
    assert loader == "None", "pydantic's loader stands in, its module never imported"


def test_a_setting_naming_some_plugins_keeps_pydantics_loader() -> None:
    code, metadata, loader = _probe("logfire")
    assert code == "0"
    assert metadata
    assert Path(loader).parts[-3:] == ("pydantic", "plugin", "_loader.py")


def test_the_stand_in_hands_any_other_name_to_the_real_loader() -> None:
    code = (
        "import sys\n"
        "from mailoauth_cfg.cli import _no_plugin_discovery\n"
        "_no_plugin_discovery('__all__')\n"
        "from pydantic import BaseModel\n"
        "class M(BaseModel):\n    x: int\n"
        "assert M(x=1).x == 1\n"
        "from pydantic.plugin._loader import get_plugins\n"
        "assert tuple(get_plugins()) == ()\n"
        "assert 'importlib.metadata' not in sys.modules\n"
        "from pydantic.plugin._loader import PYDANTIC_ENTRY_POINT_GROUP\n"
        "print(PYDANTIC_ENTRY_POINT_GROUP, sys.modules['pydantic.plugin._loader'].__file__)\n"
    )
    done = python("-c", code, check=True)
    group, path = done.stdout.split()
    assert group == "pydantic"
    assert Path(path).parts[-3:] == ("pydantic", "plugin", "_loader.py")

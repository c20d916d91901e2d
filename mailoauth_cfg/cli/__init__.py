"""Command line: a thin typer app over the library. It parses, calls, prints and exits.

Exit codes (scripts and CI depend on them):

====  =====================================================================
0     clean: no finding at or above ``--fail-on``
1     findings at or above ``--fail-on`` (a config that does not parse is one)
2     usage error, or a config file that does not exist
3     a live check could not complete; some results are ``unknown``
4     nothing was checked (the config declares no object)
====  =====================================================================

The typer app is :mod:`mailoauth_cfg.cli.typer_app` (``app`` here too, imported on first use).
``validate`` in its common forms runs without it (:mod:`mailoauth_cfg.cli.validating`): start-up
is most of a small config's wait.
"""

from __future__ import annotations

from typing import Any


def main() -> None:
    """Console-script entry point: never a traceback for an expected error."""
    import gc
    import os
    import sys

    # Start-up allocates some 300,000 objects (modules, classes, pydantic's schemas) that live
    # as long as the process; the collector would traverse them some 50 times for no garbage,
    # 8 % of a `validate`. It stays off through the imports; `validate` runs with it off to
    # its end (its load, build and rules are paused anyway, see gcpause), and every other
    # command gets it back once its command line is imported.
    gc.disable()
    # pydantic looks for plugins (entry points) when it builds its first validator: importing
    # importlib.metadata and reading every installed distribution's entry points, start-up
    # time spent for observers this command never has. A user's own setting stays.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    _no_plugin_discovery(os.environ["PYDANTIC_DISABLE_PLUGINS"])
    # The process ends with the command. Its objects are freed by reference counting at
    # shutdown either way; a last search for cycles among all of them is 0.1 s more after a
    # 10,000-mailbox render, for nothing to find (every file it writes is closed by then).
    import atexit

    atexit.register(gc.freeze)
    if sys.argv[1:2] == ["validate"]:
        from mailoauth_cfg.cli.validating import fast_validate

        fast_validate(sys.argv[2:])  # exits, unless the arguments are the typer app's to read
    from mailoauth_cfg.cli.typer_app import main as run

    gc.enable()
    run()


_PLUGIN_LOADER = "pydantic.plugin._loader"


def _no_plugin_discovery(setting: str) -> None:
    """With every pydantic plugin disabled, stand in for pydantic's plugin loader.

    Disabled, its ``get_plugins()`` returns no plugin; but importing it imports
    ``importlib.metadata`` (with ``email``, ``zipfile``, ``csv``...), 11 ms of a 0.2 s start-up.
    The stand-in answers ``get_plugins()`` the same, and hands any other name to the real
    module, imported then: a pydantic that reads more of it loses nothing. A partial setting
    (some plugins named) leaves the real loader in place.
    """
    import importlib.machinery
    import sys
    import types

    if setting not in ("__all__", "1", "true") or _PLUGIN_LOADER in sys.modules:
        return

    def get_plugins() -> tuple[()]:
        return ()

    def real(name: str) -> Any:
        import importlib

        if name.startswith("__"):  # what the import system probes (``__path__``...)
            raise AttributeError(name)
        if sys.modules.get(_PLUGIN_LOADER) is stand_in:
            sys.modules.pop(_PLUGIN_LOADER, None)
        return getattr(importlib.import_module(_PLUGIN_LOADER), name)

    stand_in = types.ModuleType(_PLUGIN_LOADER, "pydantic's plugin loader, plugins disabled")
    stand_in.__spec__ = importlib.machinery.ModuleSpec(_PLUGIN_LOADER, None)
    stand_in.get_plugins = get_plugins  # type: ignore[attr-defined]
    stand_in.__getattr__ = real  # type: ignore[method-assign]
    sys.modules[_PLUGIN_LOADER] = stand_in  # pydantic imports it by name, relative to its package


def __getattr__(name: str) -> Any:
    """The typer app and its names (``app``, ``REPORT_FORMATS``...), imported on first use."""
    import importlib

    if name.startswith("__"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.typer_app")
    try:
        return getattr(module, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None

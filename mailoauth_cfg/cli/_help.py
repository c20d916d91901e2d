"""Help and completion plumbing shared by every command.

Help is plain text (click's layout, no rich tables): option names are never cut, whatever
the terminal width, and every value placeholder is a name chosen here (``FILE``, ``DATE``,
``[text|json|...]``), never a Python type such as ``<bool>`` or ``<list[Path]>``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from typer.core import TyperCommand


def choices(values: Sequence[str]) -> dict[str, Any]:
    """``typer.Option`` keywords for a text option with fixed values.

    The values show in the help as ``[a|b|c]`` and complete in the shell; the command still
    checks the value itself, so that a wrong one gets the usual one-line error.
    """
    frozen = tuple(values)

    def complete(incomplete: str) -> list[str]:
        return [value for value in frozen if value.startswith(incomplete)]

    return {"metavar": "[" + "|".join(frozen) + "]", "autocompletion": complete}


class HelpCommand(TyperCommand):
    """A command whose help lists arguments by their metavar, without a type placeholder."""

    def format_options(self, ctx: Any, formatter: Any) -> None:
        """The ``Arguments:`` and ``Options:`` sections."""
        arguments: list[tuple[str, str]] = []
        options: list[tuple[str, str]] = []
        for param in self.get_params(ctx):
            if getattr(param, "hidden", False):
                continue
            if param.param_type_name == "argument":
                name = param.metavar or (param.name or "").upper()
                if param.nargs != 1:
                    name += "..."
                arguments.append((name, getattr(param, "help", None) or ""))
                continue
            record = param.get_help_record(ctx)
            if record is not None:
                options.append(record)
        if arguments:
            with formatter.section("Arguments"):
                formatter.write_dl(arguments)
        if options:
            with formatter.section("Options"):
                formatter.write_dl(options)

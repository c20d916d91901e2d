"""``validate``, without typer: the command's work, and a parser for its common forms.

Start-up is most of what a pre-commit hook or a CI step waits for on a small config, and typer
(click, its parameter types, the whole command tree) costs about as much as importing
pydantic. :func:`fast_validate` handles ``validate`` with configs and the plain report options
(``--format``, ``--output``, ``--fail-on``, ``--as-of``, ``--sarif-rules``, ``--stdin-name``,
``--allow-include-outside``) whose values are ones typer would accept as they are; anything
else (help, another option, a value typer would refuse or read differently) is left to the
typer app, which gives its usual messages. Both run :func:`run_validate`, so that their
output, messages and exit codes are the same (a test runs both on the same arguments).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from mailoauth_cfg.errors import ConfigError
from mailoauth_cfg.findings import ExitCode

if TYPE_CHECKING:
    from mailoauth_cfg.validation import Validated

DEFAULT_CONFIG = "mailoauth.yaml"
STDIN = "-"
"""The config argument that reads standard input."""
CONFIG_NAMES = ("mailoauth.yaml", "mailoauth.yml")
"""Names of top-level configs that ``--changed`` finds by itself."""
REPORT_FORMATS = ("text", "json", "sarif", "junit", "junit-gitlab", "github")
"""The report formats, as ``reporting.FORMATS`` (a test keeps both equal; the CLI does not
import the formatters before a command runs)."""
SEVERITIES = ("error", "warning", "info")
SARIF_RULES = ("used", "all")


class UsageFailure(Exception):
    """A usage error: printed as ``mailoauth-cfg: error: MESSAGE``, exit code ``code``."""

    def __init__(self, message: str, code: ExitCode = ExitCode.USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def parse_date(text: str | None) -> dt.date:
    """``--as-of``: a date as YYYY-MM-DD; today when not given."""
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageFailure(f"--as-of expects a date as YYYY-MM-DD, got {text!r}") from None


def color(output: Path | None) -> bool:
    """Colour on a terminal, unless ``NO_COLOR`` is set to a non-empty value (no-color.org: an
    empty one does not count) or the terminal is ``TERM=dumb``."""
    return (
        output is None
        and sys.stdout.isatty()
        and not os.environ.get("NO_COLOR")
        and os.environ.get("TERM") != "dumb"
    )


def read_stdin() -> bytes:
    """The config on standard input."""
    try:
        return sys.stdin.buffer.read()
    except (OSError, AttributeError, ValueError) as exc:
        raise UsageFailure(f"cannot read the config from standard input: {exc}") from None


def find_configs(base: Path) -> list[Path]:
    """Every ``mailoauth.yaml``/``.yml`` below ``base`` (hidden and tool directories skipped)."""
    found: list[Path] = []
    skip = {"node_modules", "__pycache__", "venv", "site-packages"}
    for directory, subdirs, names in os.walk(base):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith(".") and d not in skip)
        found.extend(Path(directory) / name for name in sorted(names) if name in CONFIG_NAMES)
    return [Path(os.path.relpath(p, base)) if p.is_relative_to(base) else p for p in found]


def touches(files: list[str], changed: set[Path]) -> bool:
    """Whether any of ``files`` is one of the ``changed`` ones."""
    return any(Path(name).resolve() in changed for name in files)


def emit(text: str, output: Path | None) -> None:
    """Print ``text``, or write it to ``output`` atomically."""
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from mailoauth_cfg.fileio import write_atomic

    try:
        write_atomic(output, text.encode("utf-8"))
    except OSError as exc:
        raise UsageFailure(f"cannot write {output}: {exc.strerror or exc}") from None


def run_validate(
    configs: Sequence[str] | None,
    *,
    fmt: str = "text",
    output: Path | None = None,
    fail_on: str = "error",
    as_of: str | None = None,
    sarif_rules: str = "used",
    changed: bool = False,
    config_option: Sequence[Path] | None = None,
    stdin_name: str = "<stdin>",
    allow_include_outside: bool = False,
    online: bool = False,
    snapshot: Path | None = None,
    save_snapshot: Path | None = None,
    credential: str = "auto",
    ca_bundle: Path | None = None,
    timeout: float | None = None,
    fix: bool = False,
) -> ExitCode:
    """The ``validate`` command (its options are documented in the typer app).

    Returns the exit code; prints the report (or writes it to ``output``).

    Raises:
        UsageFailure: a usage error, or a config that cannot be read.
    """
    from mailoauth_cfg import __version__
    from mailoauth_cfg.findings import Severity
    from mailoauth_cfg.reporting import FORMATS, render_report
    from mailoauth_cfg.validation import build_report, validate_file

    if fmt not in FORMATS:
        raise UsageFailure(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    try:
        threshold = Severity.parse(fail_on)
    except ValueError as exc:
        raise UsageFailure(f"--fail-on: {exc}") from None
    if sarif_rules not in SARIF_RULES:
        raise UsageFailure(f"--sarif-rules must be used or all, not {sarif_rules!r}")
    if config_option and not changed:
        raise UsageFailure("--config goes with --changed; otherwise give the configs as arguments")
    date = parse_date(as_of)
    results: list[Validated] = []
    if changed:
        touched = {Path(name).resolve() for name in configs or []}
        for candidate in config_option or find_configs(Path.cwd()):
            try:
                result = validate_file(
                    candidate, as_of=date, allow_include_outside=allow_include_outside
                )
            except ConfigError as exc:
                raise UsageFailure(str(exc)) from None
            if touches(result.loaded.files, touched):
                results.append(result)
        if not results:
            return ExitCode.CLEAN
    else:
        names = list(configs or [DEFAULT_CONFIG])
        if names.count(STDIN) > 1:
            raise UsageFailure("standard input (`-`) can be read only once")
        for name in names:
            try:
                if name == STDIN:
                    result = validate_file(
                        stdin_name,
                        as_of=date,
                        allow_include_outside=allow_include_outside,
                        source=read_stdin(),
                    )
                else:
                    result = validate_file(
                        name, as_of=date, allow_include_outside=allow_include_outside
                    )
            except ConfigError as exc:
                raise UsageFailure(str(exc)) from None
            results.append(result)
    if fix:
        if online or snapshot is not None or changed:
            raise UsageFailure(
                "--fix applies offline findings: it goes without --online, --snapshot, --changed"
            )
        results = _fix(results, date, allow_include_outside)
    if online or snapshot is not None or save_snapshot is not None or timeout is not None:
        from mailoauth_cfg.cli.live import LiveUsageError, run_live

        try:
            run_live(
                results,
                as_of=date,
                online=online,
                snapshot_file=snapshot,
                save_file=save_snapshot,
                credential=credential,
                ca_bundle=ca_bundle,
                timeout=timeout,
            )
        except LiveUsageError as exc:
            raise UsageFailure(str(exc)) from None
    report = build_report(results, tool_version=__version__)
    emit(render_report(report, fmt, color=color(output), sarif_rules=sarif_rules), output)
    code = report.exit_code(threshold)
    if code is ExitCode.NOTHING_CHECKED:
        sys.stderr.write("mailoauth-cfg: nothing was checked: the config declares no object\n")
        sys.stderr.flush()
    return code


def _fix(results: list[Validated], date: dt.date, allow_include_outside: bool) -> list[Validated]:
    """Apply each config's YAML fixes and validate it again."""
    from mailoauth_cfg.fixing import apply_fixes, plan_fixes
    from mailoauth_cfg.validation import validate_file

    fixed: list[Validated] = []
    for result in results:
        if not Path(result.path).is_file() or result.loaded.data is None:
            fixed.append(result)
            continue
        plan = plan_fixes(
            result.findings, result.loaded.marks, result.loaded.data, result.loaded.root
        )
        try:
            changed = apply_fixes(plan)
        except ConfigError as exc:
            raise UsageFailure(str(exc)) from None
        for note in plan.conflicts:
            sys.stderr.write(f"mailoauth-cfg: --fix: {note}\n")
        if changed:
            names = ", ".join(str(p) for p in changed)
            sys.stderr.write(
                f"mailoauth-cfg: --fix: {len(plan.applied)} finding(s) fixed in {names}\n"
            )
            result = validate_file(
                result.path, as_of=date, allow_include_outside=allow_include_outside
            )
        fixed.append(result)
    sys.stderr.flush()
    return fixed


_VALUES: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "--format": ("fmt", REPORT_FORMATS),
    "-f": ("fmt", REPORT_FORMATS),
    "--output": ("output", None),
    "-o": ("output", None),
    "--fail-on": ("fail_on", SEVERITIES),
    "--as-of": ("as_of", None),
    "--sarif-rules": ("sarif_rules", SARIF_RULES),
    "--stdin-name": ("stdin_name", None),
}
"""The options :func:`fast_validate` reads, with the values it takes as they are (``None``:
any value that does not look like an option)."""


def parse_fast(args: Sequence[str]) -> tuple[list[str], dict[str, str | bool]] | None:
    """``validate``'s arguments (after the command name) as configs and options, or ``None``
    where the typer app must read them (see the module's docstring)."""
    configs: list[str] = []
    options: dict[str, str | bool] = {}
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        if arg == STDIN or not arg.startswith("-"):
            configs.append(arg)
            continue
        if arg == "--allow-include-outside":
            if "allow_include_outside" in options:
                return None
            options["allow_include_outside"] = True
            continue
        name, equals, value = arg.partition("=")
        if name not in _VALUES or (equals and not name.startswith("--")):
            return None
        if not equals:
            if index == len(args):
                return None
            value = args[index]
            index += 1
        key, allowed = _VALUES[name]
        if key in options or value.startswith("-") or not value:
            return None
        if allowed is not None and value not in allowed:
            return None
        options[key] = value
    return configs, options


def fast_validate(args: Sequence[str]) -> None:
    """Run ``validate`` and exit, when :func:`parse_fast` reads ``args``; else return."""
    parsed = parse_fast(args)
    if parsed is None:
        return
    configs, options = parsed
    output = options.get("output")
    try:
        code = run_validate(
            configs,
            fmt=str(options.get("fmt", "text")),
            output=Path(output) if isinstance(output, str) else None,
            fail_on=str(options.get("fail_on", "error")),
            as_of=str(options["as_of"]) if "as_of" in options else None,
            sarif_rules=str(options.get("sarif_rules", "used")),
            stdin_name=str(options.get("stdin_name", "<stdin>")),
            allow_include_outside=bool(options.get("allow_include_outside", False)),
        )
    except UsageFailure as exc:
        _exit_failed(exc.message, exc.code)
    except BrokenPipeError:  # as click does: a closed pipe (`| head`) is exit 1, quietly
        sys.stdout = Path(os.devnull).open("w")  # noqa: SIM115 - flushed by the interpreter
        sys.exit(1)
    except KeyboardInterrupt:
        sys.stderr.write("\nAborted!\n")
        sys.exit(1)
    sys.exit(int(code))


def _exit_failed(message: str, code: ExitCode) -> NoReturn:
    sys.stderr.write(f"mailoauth-cfg: error: {message}\n")
    sys.exit(int(code))

"""Command line: a thin typer app over the library. It parses, calls, prints and exits.

Exit codes (scripts and CI depend on them):

====  =====================================================================
0     clean: no finding at or above ``--fail-on``
1     findings at or above ``--fail-on`` (a config that does not parse is one)
2     usage error, or a config file that does not exist
3     a live check could not complete; some results are ``unknown``
4     nothing was checked (the config declares no object)
====  =====================================================================
"""

from __future__ import annotations

import datetime as dt
import enum
import os
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from mailoauth_cfg import __version__
from mailoauth_cfg.errors import ConfigError, MailoauthCfgError


class ExitCode(enum.IntEnum):
    """Documented exit codes."""

    CLEAN = 0
    FINDINGS = 1
    USAGE = 2
    INCOMPLETE = 3
    NOTHING_CHECKED = 4


app = typer.Typer(
    name="mailoauth-cfg",
    help="Validate, check live and render OAuth2 (XOAUTH2) mail setups from one YAML.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

DEFAULT_CONFIG = "mailoauth.yaml"


def _fail(message: str, code: ExitCode = ExitCode.USAGE) -> NoReturn:
    typer.echo(f"mailoauth-cfg: error: {message}", err=True)
    raise typer.Exit(int(code))


def _parse_date(text: str | None) -> dt.date:
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        _fail(f"--as-of expects a date as YYYY-MM-DD, got {text!r}")


def _color(output: Path | None) -> bool:
    return output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from mailoauth_cfg.fileio import write_atomic

    try:
        write_atomic(output, text.encode("utf-8"))
    except OSError as exc:
        _fail(f"cannot write {output}: {exc.strerror or exc}")


FormatOption = Annotated[
    str,
    typer.Option(
        "--format",
        "-f",
        help="Output format: text, json, sarif, junit or github.",
        metavar="FORMAT",
    ),
]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write the report to FILE (atomically) instead of stdout."),
]
FailOnOption = Annotated[
    str,
    typer.Option("--fail-on", help="Exit 1 on findings at or above: error, warning or info."),
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Date used by date-dependent rules (secret expiry, retirement deadlines), "
        "YYYY-MM-DD. Default: today. Pin it in CI for reproducible results.",
        metavar="DATE",
    ),
]


@app.command()
def validate(
    configs: Annotated[
        list[Path] | None,
        typer.Argument(help=f"Config files (default: ./{DEFAULT_CONFIG}).", show_default=False),
    ] = None,
    fmt: FormatOption = "text",
    output: OutputOption = None,
    fail_on: FailOnOption = "error",
    as_of: AsOfOption = None,
    allow_include_outside: Annotated[
        bool,
        typer.Option(help="Allow `include:` of files outside the config's directory tree."),
    ] = False,
    online: Annotated[
        bool,
        typer.Option(
            "--online",
            help="Also check the live tenants (Entra ID, Exchange Online, Google Workspace); "
            "see `mailoauth-cfg permissions`.",
        ),
    ] = False,
    snapshot: Annotated[
        Path | None,
        typer.Option(
            "--snapshot",
            help="Run the live checks against a saved snapshot instead of the tenants.",
            metavar="FILE",
        ),
    ] = None,
    save_snapshot: Annotated[
        Path | None,
        typer.Option(
            "--save-snapshot",
            help="With --online: write what was read to FILE (JSON; no secret, no token).",
            metavar="FILE",
        ),
    ] = None,
    credential: Annotated[
        str,
        typer.Option(
            "--credential",
            help="With --online: auto, environment, workload-identity or azure-cli "
            "(Microsoft providers; Google reads GOOGLE_APPLICATION_CREDENTIALS).",
        ),
    ] = "auto",
    ca_bundle: Annotated[
        Path | None,
        typer.Option(
            "--ca-bundle",
            help="With --online: CA bundle (PEM) for every provider (TLS-inspecting proxy); "
            "default: each provider's ca_bundle, else the system store.",
            metavar="FILE",
        ),
    ] = None,
) -> None:
    """Check configs offline: schema, references and the rule catalogue; with --online (or
    --snapshot FILE) also the live tenants."""
    from mailoauth_cfg.findings import Severity, Status
    from mailoauth_cfg.reporting import FORMATS, render_report
    from mailoauth_cfg.validation import build_report, validate_file

    if fmt not in FORMATS:
        _fail(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    try:
        threshold = Severity.parse(fail_on)
    except ValueError as exc:
        _fail(f"--fail-on: {exc}")
    date = _parse_date(as_of)
    paths = configs or [Path(DEFAULT_CONFIG)]
    results = []
    for path in paths:
        try:
            results.append(
                validate_file(path, as_of=date, allow_include_outside=allow_include_outside)
            )
        except ConfigError as exc:
            _fail(str(exc))
    if online or snapshot is not None or save_snapshot is not None:
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
            )
        except LiveUsageError as exc:
            _fail(str(exc))
    report = build_report(results, tool_version=__version__)
    _emit(render_report(report, fmt, color=_color(output)), output)
    failing = [f for f in report.findings if f.status is Status.FAIL and f.severity >= threshold]
    if failing:
        raise typer.Exit(int(ExitCode.FINDINGS))
    if any(f.status is Status.UNKNOWN for f in report.findings):
        raise typer.Exit(int(ExitCode.INCOMPLETE))
    if report.summary.objects == 0:
        typer.echo("mailoauth-cfg: nothing was checked: the config declares no object", err=True)
        raise typer.Exit(int(ExitCode.NOTHING_CHECKED))


@app.command()
def permissions() -> None:
    """Print the read-only permissions and roles the live checks need, and how to grant them."""
    from mailoauth_cfg.live.permissions import permissions_text

    sys.stdout.write(permissions_text())


@app.command()
def render(
    config: Annotated[Path, typer.Argument(help="Config file.")] = Path(DEFAULT_CONFIG),
    out: Annotated[Path, typer.Option("--out", "-o", help="Output directory.")] = Path("out"),
    target: Annotated[
        list[str] | None,
        typer.Option("--target", "-t", help="Render only this target (repeatable)."),
    ] = None,
    templates: Annotated[
        list[Path] | None,
        typer.Option("--templates", help="Extra template directory searched first (repeatable)."),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 when DIR is stale.")
    ] = False,
    diff: Annotated[
        bool, typer.Option("--diff", help="Print a unified diff (secrets masked); write nothing.")
    ] = False,
    prune: Annotated[
        bool, typer.Option("--prune", help="Remove files no longer produced.")
    ] = False,
    as_of: AsOfOption = None,
    allow_include_outside: Annotated[
        bool, typer.Option(help="Allow `include:` outside the config's directory tree.")
    ] = False,
) -> None:
    """Render target configs, provider-side artefacts and per-mailbox bootstrap runbooks."""
    from mailoauth_cfg.errors import RenderError
    from mailoauth_cfg.findings import Severity, Status
    from mailoauth_cfg.rendering import render as render_files
    from mailoauth_cfg.rendering.writer import plan_write, unified_diff, write_files
    from mailoauth_cfg.reporting import render_report
    from mailoauth_cfg.validation import build_report, validate_file

    date = _parse_date(as_of)
    try:
        result = validate_file(config, as_of=date, allow_include_outside=allow_include_outside)
    except ConfigError as exc:
        _fail(str(exc))
    blocking = [
        f for f in result.findings if f.status is Status.FAIL and f.severity is Severity.ERROR
    ]
    if blocking or result.config is None:
        report = build_report([result], tool_version=__version__)
        sys.stderr.write(render_report(report, "text"))
        _fail("the config has errors; fix them before rendering", ExitCode.FINDINGS)
    try:
        rendered = render_files(
            result.config,
            result.loaded.marks,
            config_name=config.name,
            root=result.loaded.root,
            only=target,
            template_dirs=templates,
        )
        if rendered.findings:
            report = build_report([result], tool_version=__version__)
            report = type(report).build(
                list(rendered.findings),
                report.rules,
                files=list(report.files),
                objects=report.summary.objects,
                tool_version=__version__,
            )
            sys.stderr.write(render_report(report, "text"))
            _fail("some values cannot be rendered; nothing was written", ExitCode.FINDINGS)
        if diff:
            sys.stdout.write(unified_diff(rendered.files, out))
            plan = plan_write(rendered.files, out)
            raise typer.Exit(0 if plan.clean else int(ExitCode.FINDINGS))
        if check:
            plan = plan_write(rendered.files, out)
            for label, paths in (
                ("missing", plan.created),
                ("stale", plan.changed),
                ("mode differs", plan.mode_changed),
                ("no longer produced", plan.stale),
                ("left by an interrupted render", plan.leftovers),
            ):
                for path in paths:
                    typer.echo(f"{label}: {out / path}")
            if not plan.clean:
                _fail(f"{out} is out of date; run `mailoauth-cfg render`", ExitCode.FINDINGS)
            typer.echo(f"{out} is up to date ({len(rendered.files)} files)")
            return
        plan = write_files(rendered.files, out, prune=prune)
    except RenderError as exc:
        _fail(str(exc), ExitCode.FINDINGS)
    typer.echo(
        f"{out}: {len(plan.created)} created, {len(plan.changed)} changed, "
        f"{len(plan.unchanged)} unchanged"
        + (
            f", {len(plan.stale)} {'removed' if prune else 'no longer produced'}"
            if plan.stale
            else ""
        )
    )
    if plan.stale and not prune:
        for path in plan.stale:
            typer.echo(f"no longer produced (use --prune to remove): {out / path}")
    for path in plan.leftovers:
        typer.echo(f"removed, left by an interrupted render: {out / path}")


@app.command()
def schema(
    check: Annotated[
        bool, typer.Option("--check", help="Exit 1 when the committed schema file is stale.")
    ] = False,
    path: Annotated[
        Path | None, typer.Option("--path", help="Schema file to check or write.")
    ] = None,
    write: Annotated[
        bool, typer.Option("--write", help="Write the schema file instead of printing it.")
    ] = False,
) -> None:
    """Print, write or check the JSON Schema of the config format."""
    from mailoauth_cfg.fileio import write_atomic
    from mailoauth_cfg.schema import committed_schema_path, schema_text

    text = schema_text()
    target = path or committed_schema_path()
    if check:
        try:
            current = target.read_text(encoding="utf-8")
        except OSError:
            _fail(f"{target} does not exist; run `mailoauth-cfg schema --write`", ExitCode.FINDINGS)
        if current != text:
            _fail(
                f"{target} is stale; run `mailoauth-cfg schema --write` and commit it",
                ExitCode.FINDINGS,
            )
        typer.echo(f"{target} is up to date")
        return
    if write:
        write_atomic(target, text.encode("utf-8"))
        typer.echo(f"wrote {target}")
        return
    sys.stdout.write(text)


@app.command()
def rules(
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="text or json.", metavar="FORMAT")
    ] = "text",
) -> None:
    """List every rule: ID, default severity and summary."""
    import json

    from mailoauth_cfg.live.rules import rule_infos as live_rule_infos
    from mailoauth_cfg.rules import rule_infos

    infos = sorted({**rule_infos(), **live_rule_infos()}.values(), key=lambda r: r.id)
    if fmt == "json":
        doc = [
            {"id": r.id, "severity": r.severity.label, "summary": r.summary, "doc": r.doc}
            for r in infos
        ]
        sys.stdout.write(json.dumps({"version": 1, "rules": doc}, indent=2) + "\n")
        return
    if fmt != "text":
        _fail("--format must be text or json")
    width = max(len(r.id) for r in infos)
    for r in infos:
        typer.echo(f"{r.id:<{width}}  {r.severity.label:<7}  {r.summary}")


@app.command()
def explain(
    code: Annotated[
        str,
        typer.Argument(
            help="A rule ID, an AADSTS code, a Google OAuth error or an SMTP/IMAP reply.",
        ),
    ],
) -> None:
    """Explain a rule ID, an AADSTS code, a Google OAuth error or a mail server reply."""
    from mailoauth_cfg.explaining import explain_text

    text = explain_text(code)
    if text is None:
        _fail(
            f"nothing known about {code!r}; try a rule ID (`mailoauth-cfg rules`), "
            "an AADSTS code, a Google OAuth error or an SMTP reply such as '535 5.7.139'",
            ExitCode.FINDINGS,
        )
    typer.echo(text)


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="Where to write the starter config.")] = Path(
        DEFAULT_CONFIG
    ),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented starter config."""
    from mailoauth_cfg.fileio import write_atomic
    from mailoauth_cfg.starter import STARTER_CONFIG

    if path.exists() and not force:
        _fail(f"{path} already exists; use --force to overwrite it")
    write_atomic(path, STARTER_CONFIG.encode("utf-8"))
    typer.echo(f"wrote {path}; edit it, then run `mailoauth-cfg validate {path}`")


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"mailoauth-cfg {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version_callback, is_eager=True, help="Show version."),
    ] = False,
) -> None:
    """mailoauth-cfg: OAuth2 mail configs for Microsoft 365 and Google, validated and rendered."""


from mailoauth_cfg.cli.tokens import probe, token_app  # noqa: E402 - registered after `app`

app.add_typer(token_app, name="token")
app.command()(probe)


def main() -> None:
    """Console-script entry point: never a traceback for an expected error."""
    try:
        app(standalone_mode=True)
    except MailoauthCfgError as exc:  # pragma: no cover - commands catch their own
        typer.echo(f"mailoauth-cfg: error: {exc}", err=True)
        sys.exit(int(ExitCode.USAGE))

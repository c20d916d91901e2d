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

import contextlib
import datetime as dt
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from mailoauth_cfg import __version__
from mailoauth_cfg.cli._help import HelpCommand, choices
from mailoauth_cfg.cli.validating import (
    DEFAULT_CONFIG,
    REPORT_FORMATS,
    SEVERITIES,
    STDIN,
    UsageFailure,
    parse_date,
    read_stdin,
    run_validate,
    touches,
)
from mailoauth_cfg.errors import ConfigError, MailoauthCfgError
from mailoauth_cfg.findings import ExitCode

app = typer.Typer(
    name="mailoauth-cfg",
    help="Validate, check live and render OAuth2 (XOAUTH2) mail setups from one YAML.",
    no_args_is_help=True,
    add_completion=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

SCHEMA_FILE = "mailoauth.schema.json"
FRAGMENT_SCHEMA_FILE = "mailoauth-fragment.schema.json"
SCHEMA_DIR = "schemas"
"""Where ``init`` puts the schemas, beside the config (its modeline points there)."""
CREDENTIALS = ("auto", "environment", "workload-identity", "azure-cli")


def _fail(message: str, code: ExitCode = ExitCode.USAGE) -> NoReturn:
    typer.echo(f"mailoauth-cfg: error: {message}", err=True)
    raise typer.Exit(int(code))


def _parse_date(text: str | None) -> dt.date:
    try:
        return parse_date(text)
    except UsageFailure as exc:
        _fail(exc.message, exc.code)


def _read_stdin() -> bytes:
    try:
        return read_stdin()
    except UsageFailure as exc:
        _fail(exc.message, exc.code)


def _under(path: Path, directories: list[Path]) -> bool:
    return any(path.is_relative_to(d) for d in directories)


FormatOption = Annotated[
    str,
    typer.Option(
        "--format",
        "-f",
        help="Report format: junit is strictly valid for Jenkins' xUnit plugin, junit-gitlab "
        "adds the file of each test case for GitLab.",
        **choices(REPORT_FORMATS),
    ),
]
OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write the report to FILE (atomically) instead of stdout.",
        metavar="FILE",
    ),
]
FailOnOption = Annotated[
    str,
    typer.Option("--fail-on", help="Exit 1 on findings at or above.", **choices(SEVERITIES)),
]
StdinNameOption = Annotated[
    str,
    typer.Option(
        "--stdin-name",
        help="Name of the config read from standard input (`-`), in findings and rendered "
        "headers; its includes are relative to the current directory.",
        metavar="NAME",
    ),
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


@app.command(cls=HelpCommand)
def validate(
    configs: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="CONFIG",
            help=f"Config files (default: ./{DEFAULT_CONFIG}); `-` reads one from standard "
            "input. With --changed: the changed files.",
            show_default=False,
        ),
    ] = None,
    fmt: FormatOption = "text",
    output: OutputOption = None,
    fail_on: FailOnOption = "error",
    as_of: AsOfOption = None,
    sarif_rules: Annotated[
        str,
        typer.Option(
            "--sarif-rules",
            help="With --format sarif: describe only the rules that have results (used), or "
            "every rule (all).",
            **choices(("used", "all")),
        ),
    ] = "used",
    changed: Annotated[
        bool,
        typer.Option(
            "--changed",
            help="The arguments are changed files (pre-commit): validate each top-level config "
            "(--config; default: every mailoauth.yaml/.yml below the current directory) that "
            "is one of them or includes one. None affected is a success.",
        ),
    ] = False,
    config_option: Annotated[
        list[Path] | None,
        typer.Option(
            "--config",
            "-c",
            help="With --changed: a top-level config to consider (repeatable).",
            metavar="CONFIG",
        ),
    ] = None,
    stdin_name: StdinNameOption = "<stdin>",
    allow_include_outside: Annotated[
        bool,
        typer.Option(
            "--allow-include-outside",
            help="Allow `include:` of files outside the config's directory tree.",
        ),
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
            help="With --online: how to sign in to Microsoft providers (Google reads "
            "GOOGLE_APPLICATION_CREDENTIALS).",
            **choices(CREDENTIALS),
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
    timeout: Annotated[
        float | None,
        typer.Option(
            "--timeout",
            help="With --online: seconds allowed for the whole live read (default 120; 0: no "
            "limit). What is not read by then is reported `unknown` (exit code 3).",
            metavar="SECONDS",
        ),
    ] = None,
    fix: Annotated[
        bool,
        typer.Option(
            "--fix",
            help="Apply the fixes that are changes to the config (comments and layout kept), "
            "then report what remains.",
        ),
    ] = False,
) -> None:
    """Check configs offline: schema, references and the rule catalogue; with --online (or
    --snapshot FILE) also the live tenants.

    `sops -d mailoauth.yaml | mailoauth-cfg validate -` checks a config that never touches the
    disk (its includes are read relative to the current directory).
    """
    try:
        code = run_validate(
            configs,
            fmt=fmt,
            output=output,
            fail_on=fail_on,
            as_of=as_of,
            sarif_rules=sarif_rules,
            changed=changed,
            config_option=config_option,
            stdin_name=stdin_name,
            allow_include_outside=allow_include_outside,
            online=online,
            snapshot=snapshot,
            save_snapshot=save_snapshot,
            credential=credential,
            ca_bundle=ca_bundle,
            timeout=timeout,
            fix=fix,
        )
    except UsageFailure as exc:
        _fail(exc.message, exc.code)
    if code is not ExitCode.CLEAN:
        raise typer.Exit(int(code))


@app.command()
def permissions() -> None:
    """Print the read-only permissions and roles the live checks need, and how to grant them."""
    from mailoauth_cfg.live.permissions import permissions_text

    sys.stdout.write(permissions_text())


@app.command(cls=HelpCommand)
def render(
    arguments: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="CONFIG",
            help=f"Config file (default: ./{DEFAULT_CONFIG}); `-` reads it from standard input. "
            "With --changed: the changed files.",
            show_default=False,
        ),
    ] = None,
    config_option: Annotated[
        Path | None,
        typer.Option(
            "--config", "-c", help="Config file (instead of the argument).", metavar="CONFIG"
        ),
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Output directory.", metavar="DIR")
    ] = Path("out"),
    target: Annotated[
        list[str] | None,
        typer.Option(
            "--target", "-t", help="Render only this target (repeatable).", metavar="NAME"
        ),
    ] = None,
    templates: Annotated[
        list[Path] | None,
        typer.Option(
            "--templates",
            help="Extra template directory searched first (repeatable).",
            metavar="DIR",
        ),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 when DIR is stale.")
    ] = False,
    diff: Annotated[
        bool, typer.Option("--diff", help="Print a unified diff (secrets masked); write nothing.")
    ] = False,
    no_secrets: Annotated[
        bool,
        typer.Option(
            "--no-secrets",
            help="With --check or --diff: read no secret; compare secret-bearing files with "
            "their secrets masked, by the spans DIR/manifest.json recorded (pipelines without "
            "secrets).",
        ),
    ] = False,
    changed: Annotated[
        bool,
        typer.Option(
            "--changed",
            help="With --check (pre-commit): the arguments are changed files; check only when "
            "one feeds the config (it, its includes, --templates) or lies in DIR.",
        ),
    ] = False,
    prune: Annotated[
        bool, typer.Option("--prune", help="Remove files no longer produced.")
    ] = False,
    stdin_name: StdinNameOption = "<stdin>",
    as_of: AsOfOption = None,
    allow_include_outside: Annotated[
        bool,
        typer.Option(
            "--allow-include-outside",
            help="Allow `include:` outside the config's directory tree.",
        ),
    ] = False,
) -> None:
    """Render target configs, provider-side artefacts and per-mailbox bootstrap runbooks."""
    from mailoauth_cfg.errors import RenderError
    from mailoauth_cfg.findings import Severity, Status
    from mailoauth_cfg.rendering import render as render_files
    from mailoauth_cfg.rendering import secretless
    from mailoauth_cfg.rendering.writer import WriteSession, plan_write, unified_diff
    from mailoauth_cfg.reporting import render_report
    from mailoauth_cfg.validation import build_report, validate_file

    touched: set[Path] = set()
    if changed:
        if not check:
            _fail("--changed goes with --check")
        config = str(config_option or DEFAULT_CONFIG)
        touched = {Path(name).resolve() for name in arguments or []}
    else:
        given = [*([str(config_option)] if config_option else []), *(arguments or [])]
        if len(given) > 1:
            _fail("render takes one config; render each config with its own --out")
        config = given[0] if given else DEFAULT_CONFIG
    if no_secrets and not (check or diff):
        _fail("--no-secrets goes with --check or --diff: writing the files needs the secrets")
    date = _parse_date(as_of)
    try:
        if config == STDIN:
            name = stdin_name
            result = validate_file(
                name,
                as_of=date,
                allow_include_outside=allow_include_outside,
                source=_read_stdin(),
            )
        else:
            name = config
            result = validate_file(config, as_of=date, allow_include_outside=allow_include_outside)
    except ConfigError as exc:
        _fail(str(exc))
    if changed and not (
        touches(result.loaded.files, touched)
        or any(
            _under(path, [out.resolve(), *(d.resolve() for d in templates or [])])
            for path in touched
        )
    ):
        typer.echo(f"{out}: no changed file feeds it or lies in it")
        return
    blocking = [
        f for f in result.findings if f.status is Status.FAIL and f.severity is Severity.ERROR
    ]
    if blocking or result.config is None:
        report = build_report([result], tool_version=__version__)
        sys.stderr.write(render_report(report, "text"))
        _fail("the config has errors; fix them before rendering", ExitCode.FINDINGS)
    try:
        with contextlib.ExitStack() as stack:
            # writing: DIR is locked and each target's files are staged while the next renders
            session = None if (check or diff) else stack.enter_context(WriteSession(out))
            rendered = render_files(
                result.config,
                result.loaded.marks,
                config_name=Path(name).name,
                root=result.loaded.root,
                only=target,
                template_dirs=templates,
                secretless=no_secrets,
                on_batch=None if session is None else session.stage,
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
                if no_secrets:
                    sys.stdout.write(secretless.diff(rendered.files, out))
                    plan = secretless.check(rendered.files, out)
                else:
                    sys.stdout.write(unified_diff(rendered.files, out))
                    plan = plan_write(rendered.files, out)
                raise typer.Exit(0 if plan.clean else int(ExitCode.FINDINGS))
            if session is None:  # --check
                if no_secrets:
                    plan = secretless.check(rendered.files, out)
                else:
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
                masked = ", secrets masked" if no_secrets else ""
                typer.echo(f"{out} is up to date ({len(rendered.files)} files{masked})")
                return
            plan = session.commit(rendered.files, prune=prune)
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
        bool, typer.Option("--check", help="Exit 1 when a schema file is missing or stale.")
    ] = False,
    write: Annotated[
        bool, typer.Option("--write", help="Write the schema file(s) instead of printing.")
    ] = False,
    directory: Annotated[
        Path | None,
        typer.Option(
            "--dir",
            help=f"Check or write both schemas in DIR: {SCHEMA_FILE} for top-level configs and "
            f"{FRAGMENT_SCHEMA_FILE} for included files (editors load them by a relative "
            "modeline path, offline).",
            metavar="DIR",
        ),
    ] = None,
    fragment: Annotated[
        bool,
        typer.Option("--fragment", help="The schema of included files (nothing required)."),
    ] = False,
    path: Annotated[
        Path | None,
        typer.Option("--path", help="One schema file to check or write.", metavar="FILE"),
    ] = None,
) -> None:
    """Print, write or check the JSON Schemas of the config format.

    Without --dir or --path, --check and --write work on this package's own schemas/.
    """
    from mailoauth_cfg.fileio import write_atomic
    from mailoauth_cfg.schema import committed_schema_path, schema_files

    if directory is not None and path is not None:
        _fail("give --dir or --path, not both")
    texts = schema_files()
    chosen = FRAGMENT_SCHEMA_FILE if fragment else SCHEMA_FILE
    if path is not None:
        targets = {path: texts[chosen]}
    else:
        if (
            directory is None
            and write
            and not committed_schema_path().parent.parent.joinpath("pyproject.toml").is_file()
        ):
            _fail("give the directory to write the schemas to with --dir DIR")
        folder = directory if directory is not None else committed_schema_path().parent
        targets = {folder / name: text for name, text in texts.items()}
    if check:
        for target, text in targets.items():
            try:
                current = target.read_text(encoding="utf-8")
            except OSError:
                _fail(
                    f"{target} does not exist; run `mailoauth-cfg schema --write`",
                    ExitCode.FINDINGS,
                )
            if current != text:
                _fail(
                    f"{target} is stale; run `mailoauth-cfg schema --write` and commit it",
                    ExitCode.FINDINGS,
                )
            typer.echo(f"{target} is up to date")
        return
    if write:
        for target, text in targets.items():
            try:
                write_atomic(target, text.encode("utf-8"))
            except OSError as exc:
                _fail(f"cannot write {target}: {exc.strerror or exc}")
            typer.echo(f"wrote {target}")
        return
    sys.stdout.write(texts[chosen])


@app.command()
def rules(
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="Output format.", **choices(("text", "json")))
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


@app.command(cls=HelpCommand)
def explain(
    code: Annotated[
        str,
        typer.Argument(
            metavar="CODE",
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


@app.command(cls=HelpCommand)
def init(
    path: Annotated[
        Path,
        typer.Argument(metavar="PATH", help="Where to write the starter config."),
    ] = Path(DEFAULT_CONFIG),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented starter config, and the JSON Schemas its editor modeline points at.

    The schemas go to schemas/ beside the config, so editors with yaml-language-server (VS Code
    and others) check and complete it offline; `mailoauth-cfg schema --write --dir DIR`
    refreshes them after an upgrade.
    """
    from mailoauth_cfg.fileio import write_atomic
    from mailoauth_cfg.schema import schema_files
    from mailoauth_cfg.starter import STARTER_CONFIG

    if path.exists() and not force:
        _fail(f"{path} already exists; use --force to overwrite it")
    folder = path.parent / SCHEMA_DIR
    try:
        write_atomic(path, STARTER_CONFIG.encode("utf-8"))
        for name, text in schema_files().items():
            write_atomic(folder / name, text.encode("utf-8"))
    except OSError as exc:
        _fail(f"cannot write {exc.filename or path}: {exc.strerror or exc}")
    typer.echo(
        f"wrote {path} and its editor schemas in {folder}; edit it, then run "
        f"`mailoauth-cfg validate {path}`"
    )


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

"""``mailoauth-cfg token …`` and ``mailoauth-cfg probe``: obtain, store, refresh and test tokens.

Exit codes: 0 success, 1 failure (flow refused, token expired or revoked, login refused),
2 usage (bad option, unknown mailbox or target, missing config). Errors go to stderr, one
message, never a traceback and never a token. ``token access`` prints the access token and
nothing else, for msmtp's ``passwordeval``.

Only typer and the standard library are imported here; the token library (and through it
msal and google-auth-oauthlib) is imported inside the commands.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from mailoauth_cfg.cli._help import choices

if TYPE_CHECKING:
    from mailoauth_cfg.tokens.flows import Interaction
    from mailoauth_cfg.tokens.probe import ProbeResult
    from mailoauth_cfg.tokens.setup import TokenSetup

USAGE = 2
FAILURE = 1

token_app = typer.Typer(
    name="token",
    help="Obtain, store, refresh and inspect OAuth2 tokens of mailboxes whose token lives in a "
    "file (msmtp, Postfix sasl-xoauth2, ...).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

ConfigOption = Annotated[
    Path,
    typer.Option("--config", "-c", help="Config file.", show_default=True, metavar="CONFIG"),
]
UserOption = Annotated[
    str, typer.Option("--user", "-u", help="Mailbox e-mail address.", metavar="EMAIL")
]
TargetOption = Annotated[
    str | None,
    typer.Option(
        "--target",
        "-t",
        help="Target whose app and token file to use (when several list it).",
        metavar="NAME",
    ),
]
StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="Token directory (one <email>.json per mailbox) instead of the target's token file "
        "or ~/.local/state/mailoauth-cfg/tokens; '-' prints the token JSON on stdout "
        "(bootstrap only, to pipe into a vault).",
        metavar="DIR",
    ),
]
CaBundleOption = Annotated[
    str | None,
    typer.Option(
        "--ca-bundle",
        help="CA bundle (PEM) to trust for the token endpoint and mail servers "
        "(default: the provider's ca_bundle, else the system store).",
        metavar="PEM",
    ),
]


def _fail(message: str, code: int) -> NoReturn:
    from mailoauth_cfg.tokens.redaction import redact

    typer.echo(f"mailoauth-cfg: error: {redact(message)}", err=True)
    raise typer.Exit(code)


@contextlib.contextmanager
def _errors() -> Iterator[None]:
    """Turn every failure into one stderr message and an exit code."""
    from mailoauth_cfg.errors import ConfigError, MailoauthCfgError
    from mailoauth_cfg.tokens import TokenUsageError

    try:
        yield
    except typer.Exit:
        raise
    except (ConfigError, TokenUsageError) as exc:
        _fail(str(exc), USAGE)
    except MailoauthCfgError as exc:
        _fail(str(exc), FAILURE)
    except KeyboardInterrupt:
        _fail("interrupted", FAILURE)
    except Exception as exc:  # never a traceback (and never a token in one)
        lines = str(exc).splitlines()
        _fail(f"unexpected {type(exc).__name__}: {lines[0] if lines else ''}", FAILURE)


def _resolve(
    config: Path,
    user: str,
    *,
    target: str | None = None,
    flow: str | None = None,
    store: str | None = None,
    ca_bundle: str | None = None,
) -> TokenSetup:
    from mailoauth_cfg.tokens.setup import resolve

    return resolve(config, user, target=target, flow=flow, store=store, ca_bundle=ca_bundle)


def _duration(seconds: float) -> str:
    seconds = abs(seconds)
    if seconds < 90:
        return f"{int(seconds)} s"
    if seconds < 90 * 60:
        return f"{int(seconds // 60)} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def _stdin_ready(timeout: float) -> bool:
    """Whether stdin has input (or end of input) within ``timeout`` seconds.

    Without a selectable stdin (a test runner's buffer), it is taken as ready.
    """
    import select

    try:
        ready, _, _ = select.select([sys.stdin], [], [], timeout)
    except (OSError, ValueError, TypeError, io.UnsupportedOperation):
        return True
    return bool(ready)


def _interaction(no_browser: bool, timeout: float, port: int) -> Interaction:
    from mailoauth_cfg.tokens.flows import Interaction

    def notify(message: str) -> None:
        typer.echo(message, err=True)

    def open_browser(url: str) -> bool:
        import webbrowser

        try:
            opened = webbrowser.open(url)
        except webbrowser.Error:
            opened = False
        if not opened:
            notify("No browser could be started; open the URL above on this machine.")
        return opened

    def read_redirect() -> str:
        from mailoauth_cfg.errors import TokenError

        sys.stderr.write("Redirect address: ")
        sys.stderr.flush()
        if not _stdin_ready(timeout):
            raise TokenError(
                f"no redirect address was pasted within {timeout:.0f} s; run the bootstrap again"
            )
        line = sys.stdin.readline()
        if not line:
            raise TokenError("no redirect address was pasted (end of input)")
        return line

    return Interaction(
        notify=notify,
        open_browser=None if no_browser else open_browser,
        read_redirect=read_redirect,
        timeout=timeout,
        port=port,
    )


@token_app.command()
def bootstrap(
    user: UserOption,
    config: ConfigOption = Path("mailoauth.yaml"),
    target: TargetOption = None,
    flow: Annotated[
        str | None,
        typer.Option(
            "--flow",
            help="loopback (authorization code + PKCE), device-code or client-credentials. "
            "Default: the target's (device code for sasl-xoauth2 on Microsoft, loopback "
            "otherwise; client credentials for app-only apps).",
            **choices(("loopback", "device-code", "client-credentials")),
        ),
    ] = None,
    store: StoreOption = None,
    no_browser: Annotated[
        bool,
        typer.Option(
            "--no-browser",
            help="Print the sign-in URL and read the redirect address pasted back.",
        ),
    ] = False,
    ca_bundle: CaBundleOption = None,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout", help="Seconds to wait for the sign-in.", min=1, metavar="SECONDS"
        ),
    ] = 300.0,
    port: Annotated[
        int,
        typer.Option(
            "--port",
            help="Loopback redirect port (0: any free port).",
            min=0,
            max=65535,
            metavar="PORT",
        ),
    ] = 0,
) -> None:
    """Sign in as the mailbox and store its refresh token (mode 0600, atomically)."""
    with _errors():
        from mailoauth_cfg.tokens import service

        setup = _resolve(config, user, target=target, flow=flow, store=store, ca_bundle=ca_bundle)
        setup.require_own_token()
        record = service.bootstrap(setup, _interaction(no_browser, timeout, port))
        if setup.location is None:
            sys.stdout.write(service.export_json(record))
            sys.stdout.flush()
            return
        valid = _duration(record.access_valid_for())
        kind = "refresh token" if record.refresh_token else "access token (app-only)"
        typer.echo(
            f"stored the {kind} of {setup.email} in {setup.location.describe()} "
            f"(flow {setup.flow}; access token valid for {valid})"
        )


@token_app.command()
def refresh(
    user: UserOption,
    config: ConfigOption = Path("mailoauth.yaml"),
    target: TargetOption = None,
    store: StoreOption = None,
    ca_bundle: CaBundleOption = None,
) -> None:
    """Renew the access token now; a refresh token the provider rotates is saved."""
    with _errors():
        from mailoauth_cfg.tokens import service

        setup = _resolve(config, user, target=target, store=store, ca_bundle=ca_bundle)
        setup.require_own_token()
        record, rotated = service.refresh(setup)
        typer.echo(
            f"refreshed the token of {setup.email}: access token valid for "
            f"{_duration(record.access_valid_for())}; refresh token "
            f"{'rotated and saved' if rotated else 'unchanged'} in "
            f"{setup.store_location().describe()}"
        )


@token_app.command()
def access(
    user: UserOption,
    config: ConfigOption = Path("mailoauth.yaml"),
    target: TargetOption = None,
    store: StoreOption = None,
    ca_bundle: CaBundleOption = None,
) -> None:
    """Print a valid access token and nothing else (refreshing it when needed).

    For msmtp ``passwordeval`` and similar helpers.
    """
    with _errors():
        from mailoauth_cfg.tokens import service

        setup = _resolve(config, user, target=target, store=store, ca_bundle=ca_bundle)
        setup.require_own_token()
        token = service.access_token(setup)
        sys.stdout.write(token + "\n")
        sys.stdout.flush()


@token_app.command()
def status(
    config: ConfigOption = Path("mailoauth.yaml"),
    user: Annotated[
        str | None,
        typer.Option(
            "--user", "-u", help="Only this mailbox (default: every mailbox).", metavar="EMAIL"
        ),
    ] = None,
    target: TargetOption = None,
    store: StoreOption = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="Output format.", **choices(("text", "json")))
    ] = "text",
) -> None:
    """Show each token's expiry, scopes and age (never the token). Exit 1 when one is missing."""
    with _errors():
        from mailoauth_cfg.errors import TokenError
        from mailoauth_cfg.tokens import service
        from mailoauth_cfg.tokens.setup import resolve_all

        if fmt not in ("text", "json"):
            _fail("--format must be text or json", USAGE)
        setups: list[TokenSetup | TokenError]
        if user is not None:
            one = _resolve(config, user, target=target, store=store)
            one.require_own_token()
            setups = [one]
        else:
            setups = list(resolve_all(config, store=store))
        now = time.time()
        rows: list[dict[str, object]] = []
        missing = False
        for item in setups:
            if isinstance(item, TokenError):
                rows.append({"error": str(item)})
                missing = True
                continue
            try:
                state = service.status(item)
            except TokenError as exc:  # one unreadable file hides no other mailbox's status
                if user is not None:
                    raise
                rows.append({"error": str(exc)})
                missing = True
                continue
            missing = missing or not state.present
            rows.append(state.as_dict(now))
        if fmt == "json":
            sys.stdout.write(json.dumps({"version": 1, "tokens": rows}, indent=2) + "\n")
        else:
            for row in rows:
                typer.echo(_status_text(row))
        if missing:
            raise typer.Exit(FAILURE)


def _status_text(row: dict[str, object]) -> str:
    if "error" in row:
        return f"error: {row['error']}"
    target = f" (target {row['target']})" if row.get("target") else ""
    head = f"{row['user']}{target}: {row['location']}"
    if not row["present"]:
        return head + "\n  no token: run `mailoauth-cfg token bootstrap --user " + f"{row['user']}`"
    lines = [head]
    age = row.get("age")
    obtained = (
        f"; obtained {row['obtained_at']} ({_duration(float(str(age)))} ago)"
        if isinstance(age, int)
        else ""
    )
    flow = f" by {row['flow']}" if row.get("flow") else ""
    lines.append(
        f"  refresh token: {'present' if row['refresh_token'] else 'none'}{obtained}{flow}"
    )
    expires_in = row.get("access_expires_in")
    if isinstance(expires_in, int):
        when = row["access_expires_at"]
        lines.append(
            f"  access token: valid for {_duration(expires_in)} (until {when})"
            if expires_in > 0
            else f"  access token: expired {_duration(expires_in)} ago ({when})"
        )
    else:
        lines.append("  access token: none")
    scopes = row.get("scopes")
    if isinstance(scopes, list):
        lines.append(f"  scopes: {' '.join(str(s) for s in scopes) or '(not recorded)'}")
    if row.get("refreshed_at"):
        lines.append(f"  last refresh: {row['refreshed_at']}")
    return "\n".join(lines)


def probe(
    user: UserOption,
    config: ConfigOption = Path("mailoauth.yaml"),
    target: TargetOption = None,
    protocol: Annotated[
        list[str] | None,
        typer.Option(
            "--protocol",
            "-p",
            help="Protocol to log in to (repeatable). Default: the target's protocols.",
            **choices(("smtp", "imap")),
        ),
    ] = None,
    mechanism: Annotated[
        str,
        typer.Option(
            "--mechanism", "-m", help="SASL mechanism.", **choices(("xoauth2", "oauthbearer"))
        ),
    ] = "xoauth2",
    store: StoreOption = None,
    ca_bundle: CaBundleOption = None,
    timeout: Annotated[
        float,
        typer.Option("--timeout", help="Network timeout in seconds.", min=1, metavar="SECONDS"),
    ] = 20.0,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="Output format.", **choices(("text", "json")))
    ] = "text",
) -> None:
    """Log in to SMTP (STARTTLS) and IMAP (TLS) with the mailbox's token, then log out.

    Nothing is sent. A refusal is explained (``535 5.7.139``: SMTP AUTH disabled for the
    mailbox...) with the rule IDs that check the cause offline. Exit 1 when a login fails.

    For a target that keeps its own tokens (email-oauth2-proxy), log in through it as its mail
    clients do, with the password they use (asked for on a terminal, else the first line of
    standard input): its first login makes the proxy obtain the mailbox's token.
    """
    with _errors():
        from mailoauth_cfg.tokens import probe as probing
        from mailoauth_cfg.tokens import service

        mech = mechanism.upper()
        if mech not in probing.MECHANISMS:
            _fail("--mechanism must be xoauth2 or oauthbearer", USAGE)
        if fmt not in ("text", "json"):
            _fail("--format must be text or json", USAGE)
        wanted = [p.lower() for p in protocol or []]
        for name in wanted:
            if name not in probing.PROTOCOLS:
                _fail(f"--protocol must be smtp or imap, not {name!r}", USAGE)
        setup = _resolve(config, user, target=target, store=store, ca_bundle=ca_bundle)
        if not wanted:
            declared = setup.plan.protocols if setup.plan is not None else ()
            wanted = [p for p in declared if p in probing.PROTOCOLS] or ["smtp"]
        results: list[probing.ProbeResult] = []
        if setup.local_login is not None:
            results = _probe_local(setup, list(dict.fromkeys(wanted)), timeout)
            wanted = []
        else:
            token = service.access_token(setup)
        ep = setup.endpoints
        for name in dict.fromkeys(wanted):
            run = probing.probe_smtp if name == "smtp" else probing.probe_imap
            host, port = (
                (ep.smtp_host, ep.smtp_port) if name == "smtp" else (ep.imap_host, ep.imap_port)
            )
            results.append(
                run(
                    host,
                    port,
                    setup.email,
                    token,
                    mechanism=mech,
                    ca_bundle=setup.ca_bundle,
                    timeout=timeout,
                    provider_type=setup.provider_type,
                )
            )
        if fmt == "json":
            doc = {"version": 1, "user": setup.email, "results": [r.as_dict() for r in results]}
            sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        else:
            for result in results:
                typer.echo(_probe_text(result, setup.email))
        if not all(r.ok for r in results):
            raise typer.Exit(FAILURE)


def _password(prompt: str) -> str:
    """A password from the terminal (not echoed), else the first line of standard input."""
    if sys.stdin is not None and sys.stdin.isatty():
        import getpass

        return getpass.getpass(prompt, stream=sys.stderr)
    line = sys.stdin.readline() if sys.stdin is not None else ""
    return line.rstrip("\r\n")


def _probe_local(setup: TokenSetup, wanted: list[str], timeout: float) -> list[ProbeResult]:
    """Log in through a target that keeps its own tokens, with its clients' password."""
    from mailoauth_cfg.tokens import probe as probing
    from mailoauth_cfg.tokens import redaction

    login = setup.local_login
    assert login is not None  # noqa: S101 - checked by the caller
    missing = [p for p in wanted if p not in login.ports]
    if missing:
        _fail(
            f"target {setup.target_name} has no local {', '.join(missing)} port "
            f"(it serves {', '.join(login.ports) or 'none'})",
            USAGE,
        )
    password = _password(f"Password of {setup.email} for the mail clients of the proxy: ")
    if not password:
        _fail("no password: the proxy needs the one its mail clients use", USAGE)
    redaction.register(password)
    results: list[ProbeResult] = []
    for name in wanted:
        run = probing.probe_smtp_local if name == "smtp" else probing.probe_imap_local
        results.append(
            run(
                login.host,
                login.ports[name],
                login.logins.get(setup.email, setup.email),
                password,
                timeout=timeout,
                provider_type=setup.provider_type,
            )
        )
    return results


def _probe_text(result: object, user: str) -> str:
    from mailoauth_cfg.tokens.probe import ProbeResult

    assert isinstance(result, ProbeResult)  # noqa: S101 - internal
    tls = f" {result.tls}" if result.tls else ""
    head = f"{result.protocol} {result.host}:{result.port}{tls} {result.mechanism} as {user}: "
    if result.ok:
        return head + f"OK ({result.reply}) in {result.elapsed * 1000:.0f} ms"
    lines = [head + f"FAILED at {result.stage}: {result.reply}"]
    explanation = result.explanation
    if explanation is not None:
        lines.append(f"  meaning: {explanation.title}")
        lines.append(f"  cause: {explanation.cause}")
        lines.append(f"  fix: {explanation.fix}")
        if explanation.rules:
            lines.append(f"  rules: {', '.join(explanation.rules)}")
    if result.challenge:
        lines.append(f"  server said: {json.dumps(result.challenge, sort_keys=True)}")
    return "\n".join(lines)

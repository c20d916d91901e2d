"""Command-line details users meet every day: help, shell completion, colour, standard input,
and the messages of render and probe."""

from __future__ import annotations

import os
import pty
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from mailoauth_cfg.cli import REPORT_FORMATS, app
from mailoauth_cfg.reporting import FORMATS
from mailoauth_cfg.starter import STARTER_CONFIG
from tests.conftest import EXAMPLE_DIR, MINIMAL_CONFIG

PROGRAM = str(Path(sys.executable).parent / "mailoauth-cfg")
TYPE_PLACEHOLDER = re.compile(r"<(?:bool|str|int|float|path|Path|list\[[^\]]*\])>")


def _commands(command: Any, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    found = [(prefix, command)]
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        found += _commands(sub, (*prefix, name))
    return found


COMMANDS = _commands(typer.main.get_command(app))


def _run(*args: str, env: dict[str, str] | None = None, **kwargs: Any) -> Any:
    return subprocess.run(
        [PROGRAM, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        check=False,
        **kwargs,
    )


def test_report_formats_are_listed_once() -> None:
    assert REPORT_FORMATS == FORMATS


# --- help -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "command"), COMMANDS, ids=[" ".join(w) or "-" for w, _ in COMMANDS]
)
def test_help_at_80_columns(words: tuple[str, ...], command: Any) -> None:
    done = _run(*words, "--help", env={"COLUMNS": "80", "TERM": "xterm"})
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert not TYPE_PLACEHOLDER.findall(text), text
    assert "…" not in text, text  # nothing cut
    assert "\x1b[" not in text
    for param in getattr(command, "params", []):
        if param.param_type_name != "option" or param.hidden:
            continue
        for name in (*param.opts, *param.secondary_opts):
            assert re.search(rf"(^|[\s,/]){re.escape(name)}(?=[\s,=]|$)", text, re.M), (name, text)
        if not param.is_flag and not param.count:
            assert param.metavar, f"{param.opts}: give the option a metavar"


@pytest.mark.parametrize(
    ("words", "option", "values"),
    [
        (("validate",), "--format", FORMATS),
        (("validate",), "--fail-on", ("error", "warning", "info")),
        (("validate",), "--credential", ("auto", "environment", "workload-identity", "azure-cli")),
        (("validate",), "--sarif-rules", ("used", "all")),
        (("probe",), "--mechanism", ("xoauth2", "oauthbearer")),
        (("token", "bootstrap"), "--flow", ("loopback", "device-code", "client-credentials")),
    ],
)
def test_help_shows_choices(words: tuple[str, ...], option: str, values: tuple[str, ...]) -> None:
    text = _run(*words, "--help", env={"COLUMNS": "80"}).stdout
    assert f"{option} [{'|'.join(values)}]" in text, text


# --- shell completion -----------------------------------------------------------------------


def _shell(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed; ./scripts/test-tools installs it")
    return path


def _completion_env() -> dict[str, str]:
    return {**os.environ, "PATH": f"{Path(PROGRAM).parent}{os.pathsep}{os.environ['PATH']}"}


def test_bash_completes_commands_options_and_choices(tmp_path: Path) -> None:
    script = tmp_path / "complete.bash"
    script.write_text(
        "source <(_MAILOAUTH_CFG_COMPLETE=source_bash mailoauth-cfg)\n"
        'complete_words() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); '
        '_mailoauth_cfg_completion mailoauth-cfg; printf "%s\\n" "${COMPREPLY[@]}"; echo ==; }\n'
        "complete_words mailoauth-cfg val\n"
        "complete_words mailoauth-cfg validate --fail\n"
        'complete_words mailoauth-cfg validate --format ""\n'
        "complete_words mailoauth-cfg token st\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [_shell("bash"), str(script)],
        capture_output=True,
        text=True,
        env=_completion_env(),
        timeout=60,
        check=True,
    )
    blocks = [block.split() for block in done.stdout.split("==")[:4]]
    assert blocks[0] == ["validate"]
    assert blocks[1] == ["--fail-on"]
    assert blocks[2] == list(FORMATS)
    assert blocks[3] == ["status"]


def test_zsh_completion_loads_and_completes() -> None:
    program = (
        "autoload -U compinit; compinit -u -D; "
        "source <(_MAILOAUTH_CFG_COMPLETE=source_zsh mailoauth-cfg); "
        # inside a real completion widget _arguments offers these to the user
        '_arguments() { print -rl -- "$@" }; '
        'words=(mailoauth-cfg validate --fail-on ""); CURRENT=4; _mailoauth_cfg_completion; '
        "words=(mailoauth-cfg ren); CURRENT=2; _mailoauth_cfg_completion"
    )
    done = subprocess.run(
        [_shell("zsh"), "-f", "-c", program],
        capture_output=True,
        text=True,
        env=_completion_env(),
        timeout=60,
        check=True,
    )
    assert '*: :(("error" "warning" "info"))' in done.stdout.replace("\n", " "), done.stdout
    assert '"render":' in done.stdout


def test_fish_completes_commands_and_choices() -> None:
    program = (
        "_MAILOAUTH_CFG_COMPLETE=source_fish mailoauth-cfg | source; "
        'complete -C "mailoauth-cfg validate --format "; echo ==; complete -C "mailoauth-cfg ren"'
    )
    done = subprocess.run(
        [_shell("fish"), "--no-config", "-c", program],
        capture_output=True,
        text=True,
        env=_completion_env(),
        timeout=60,
        check=True,
    )
    choices, commands = done.stdout.split("==")
    assert sorted(choices.split()) == sorted(FORMATS)
    assert commands.split()[0] == "render"


def test_install_completion_is_offered() -> None:
    text = _run("--help", env={"COLUMNS": "80"}).stdout
    assert "--install-completion" in text
    assert "--show-completion" in text


# --- colour ----------------------------------------------------------------------------------


def _on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run the program with stdout on a pseudo-terminal; returns what it printed."""
    leader, follower = pty.openpty()
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")}
    process = subprocess.Popen(
        [PROGRAM, *args], stdout=follower, stderr=subprocess.DEVNULL, env={**environ, **env}
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", errors="replace")


@pytest.mark.parametrize(
    ("env", "coloured"),
    [
        ({"TERM": "xterm-256color"}, True),
        ({"TERM": "xterm-256color", "NO_COLOR": ""}, True),
        ({"TERM": "xterm-256color", "NO_COLOR": "1"}, False),
        ({"TERM": "dumb"}, False),
    ],
    ids=["terminal", "empty-NO_COLOR", "NO_COLOR", "TERM=dumb"],
)
def test_colour_follows_no_color_and_term(env: dict[str, str], coloured: bool) -> None:
    broken = EXAMPLE_DIR.parent / "broken" / "mailoauth.yaml"
    out = _on_a_terminal(["validate", str(broken), "--as-of", "2026-11-22"], env)
    assert "error" in out
    assert ("\x1b[" in out) is coloured


# --- standard input ------------------------------------------------------------------------


def test_validate_reads_stdin_with_includes_relative_to_cwd(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE_DIR, tmp_path / "contoso")
    text = (EXAMPLE_DIR / "mailoauth.yaml").read_text(encoding="utf-8")
    done = _run("validate", "-", "--as-of", "2026-11-22", input=text, cwd=tmp_path / "contoso")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "in 6 files" in done.stdout  # the includes were read
    broken = text.replace("platform: web", "platfrom: web", 1)
    done = _run(
        "validate", "-", "--stdin-name", "mailoauth.yaml", "--as-of", "2026-11-22",
        input=broken, cwd=tmp_path / "contoso",
    )  # fmt: skip
    assert done.returncode == 1
    line = broken.splitlines().index("    platfrom: web") + 1
    assert f"mailoauth.yaml:{line}:5: error schema-unknown-key" in done.stdout


def test_stdin_default_name_and_piped_from_a_program(tmp_path: Path) -> None:
    (tmp_path / "mailoauth.yaml").write_text(MINIMAL_CONFIG + "bogus: 1\n", encoding="utf-8")
    done = subprocess.run(  # noqa: S602 - the documented pipe
        f"cat mailoauth.yaml | {PROGRAM} validate - --format json",
        shell=True,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert '"file": "<stdin>"' in done.stdout


def test_stdin_twice_is_a_usage_error() -> None:
    done = _run("validate", "-", "-", input="")
    assert done.returncode == 2
    assert "standard input (`-`) can be read only once" in done.stderr


def test_render_reads_stdin(tmp_path: Path) -> None:
    (tmp_path / "mailoauth.yaml").write_text(SHARED_SECRET, encoding="utf-8")
    env = {"ERP_MAIL_SECRET_UNSET": "CANARY-stdin-4f2a"}
    from_file = _run("render", "mailoauth.yaml", "--out", "a", cwd=tmp_path, env=env)
    assert from_file.returncode == 0, from_file.stderr
    piped = _run(
        "render", "-", "--stdin-name", "mailoauth.yaml", "--out", "b",
        input=SHARED_SECRET, cwd=tmp_path, env=env,
    )  # fmt: skip
    assert piped.returncode == 0, piped.stderr
    files = sorted(
        p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file()
    )
    assert len(files) > 3
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


# --- render and probe messages ---------------------------------------------------------------

SHARED_SECRET = MINIMAL_CONFIG.replace(
    "    client_id: 1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b\n",
    "    client_id: 1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b\n"
    "    client_secret: {env: ERP_MAIL_SECRET_UNSET}\n",
) + (
    '  erp2:\n    type: dolibarr\n    url: https://erp2.contoso.com\n    version: "23"\n'
    "    app: erp-mail\n    users: [erp@contoso.com]\n"
)


def test_missing_secret_is_reported_once_with_its_users(tmp_path: Path) -> None:
    (tmp_path / "mailoauth.yaml").write_text(SHARED_SECRET, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "ERP_MAIL_SECRET_UNSET"}
    done = subprocess.run(
        [PROGRAM, "render", "mailoauth.yaml", "--out", "out"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if "secret-unresolved" in line]
    assert len(lines) == 1, done.stderr
    assert "ERP_MAIL_SECRET_UNSET is not set" in lines[0]
    assert lines[0].endswith("needed by targets erp, erp2")
    assert "1 error," in done.stderr
    assert not (tmp_path / "out").exists()


TOKEN_CONFIG = """\
version: 1
providers:
  contoso: {type: microsoft, tenant: 6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d}
apps:
  relay-mail:
    provider: contoso
    client_id: 1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b
    platform: public
    permissions: [offline_access, SMTP.Send]
users:
  - {email: noreply@contoso.com, provider: contoso, smtp_auth: enabled}
targets:
  cron-mail: {type: msmtp, version: "1.8.22", app: relay-mail, users: [noreply@contoso.com]}
  cron-two: {type: msmtp, version: "1.8.22", app: relay-mail, users: [noreply@contoso.com]}
"""


@pytest.mark.parametrize("command", [["probe"], ["token", "access"], ["token", "refresh"]])
def test_no_token_hint_and_no_lock_file(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "mailoauth.yaml").write_text(TOKEN_CONFIG, encoding="utf-8")
    store = tmp_path / "store"
    done = _run(
        *command, "--user", "noreply@contoso.com", "--target", "cron-two",
        "--config", "mailoauth.yaml", "--store", str(store), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.rstrip().endswith(
        "run `mailoauth-cfg token bootstrap --user noreply@contoso.com --target cron-two`"
    ), done.stderr
    assert not store.exists() or list(store.iterdir()) == []


# --- init and schema ----------------------------------------------------------------------------


def test_init_writes_config_and_both_schemas(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["init", str(tmp_path / "mail" / "mailoauth.yaml")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "mail" / "mailoauth.yaml").read_text(encoding="utf-8") == STARTER_CONFIG
    check = CliRunner().invoke(app, ["schema", "--check", "--dir", str(tmp_path / "mail/schemas")])
    assert check.exit_code == 0, check.output


def test_schema_dir_check_finds_a_stale_copy(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["schema", "--write", "--dir", str(tmp_path)]).exit_code == 0
    (tmp_path / "mailoauth-fragment.schema.json").write_text("{}\n", encoding="utf-8")
    result = runner.invoke(app, ["schema", "--check", "--dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "mailoauth-fragment.schema.json is stale" in result.output


def test_schema_titles_and_fragment_requires_nothing() -> None:
    import json

    runner = CliRunner()
    top = json.loads(runner.invoke(app, ["schema"]).stdout)
    fragment = json.loads(runner.invoke(app, ["schema", "--fragment"]).stdout)
    assert top["title"] == "mailoauth-cfg config"
    assert top["required"] == ["version"]
    assert "required" not in fragment
    assert fragment["properties"] == top["properties"]
    assert fragment["$defs"] == top["$defs"]
    assert "MailConfig" not in {top["title"], fragment["title"]}

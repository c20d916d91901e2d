"""``mailoauth-cfg render`` end to end: determinism, --check, --diff, --prune, file modes, the
manifest, secrets (canaries), unresolved secrets, refused values and symlinks."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from mailoauth_cfg.cli import app
from tests.rendering.support import AS_OF, CANARIES, GOLDEN_DIR, encodings, golden_case, tree


def run(*args: str, env: Mapping[str, str | None] | None = None) -> Result:
    """Invoke the CLI with the canary secrets (or ``env``) set."""
    environment: dict[str, str | None] = dict(CANARIES if env is None else env)
    result = CliRunner(env=environment).invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


def render(
    config: Path, out: Path, *extra: str, env: Mapping[str, str | None] | None = None
) -> Result:
    return run("render", str(config), "--out", str(out), "--as-of", AS_OF, *extra, env=env)


def no_canary(text: str) -> bool:
    """No canary secret in ``text``, in any encoding (raw, base64, URL/form-encoded...)."""
    return not any(form in text for canary in CANARIES.values() for form in encodings(canary))


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return golden_case(tmp_path / "config")


@pytest.fixture
def rendered(config: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    result = render(config, out)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def umask_zero() -> Iterator[None]:
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


# --- determinism -----------------------------------------------------------------------------


def test_two_renders_are_byte_identical_and_match_the_golden_files(
    config: Path, rendered: Path, tmp_path: Path
) -> None:
    second = tmp_path / "second"
    assert render(config, second).exit_code == 0
    assert tree(rendered) == tree(second)
    assert tree(rendered) == tree(GOLDEN_DIR)


def test_writing_again_changes_nothing(config: Path, rendered: Path) -> None:
    result = render(config, rendered)
    assert result.exit_code == 0
    count = len(tree(rendered))
    assert f"0 created, 0 changed, {count} unchanged" in result.stdout


def test_check_passes_on_a_fresh_render_and_fails_after_a_config_change(
    config: Path, rendered: Path
) -> None:
    result = render(config, rendered, "--check")
    assert result.exit_code == 0, result.output
    assert "up to date" in result.stdout
    before = tree(rendered)
    erp = config.parent / "targets" / "erp.yaml"
    erp.write_text(
        erp.read_text(encoding="utf-8").replace(
            "url: https://erp.contoso.com", "url: https://erp2.contoso.com", 1
        ),
        encoding="utf-8",
    )
    result = render(config, rendered, "--check")
    assert result.exit_code == 1
    assert "stale: " in result.stdout
    assert "erp/README.md" in result.stdout
    assert tree(rendered) == before, "--check must not write"


# --- --diff: secrets masked ------------------------------------------------------------------


def test_diff_masks_the_secrets_of_both_sides(config: Path, rendered: Path) -> None:
    # A rotated secret: the files on disk hold the old value, the render the new one.
    rotated = {**CANARIES, "ERP_MAIL_SECRET": "ROTATED-erp-0c0ffee"}
    result = render(config, rendered, "--diff", env=rotated)
    assert result.exit_code == 1, "a diff that is not empty exits 1"
    assert (
        "--- a/erp/dolibarr-oauth.php\n+++ b/erp/dolibarr-oauth.php\n"
        "@@ only secret values differ (masked) @@\n"
    ) in result.stdout
    assert "ROTATED-erp-0c0ffee" not in result.output
    assert no_canary(result.output)


def test_diff_hides_old_lines_that_may_hold_an_old_secret(config: Path, rendered: Path) -> None:
    php = rendered / "erp" / "dolibarr-oauth.php"
    text = php.read_text(encoding="utf-8")
    php.write_text(
        text.replace("'MAIN_MAIL_SMTP_PORT', '587'", "'MAIN_MAIL_SMTP_PORT', '25'").replace(
            CANARIES["ERP_MAIL_SECRET"], "OLD-erp-secret-5e5e"
        ),
        encoding="utf-8",
    )
    result = render(config, rendered, "--diff")
    assert result.exit_code == 1
    # In a secret-bearing file an old line that matches no new line may hold an old secret:
    # it is hidden; the new line is shown.
    assert "-******** (line of a secret-bearing file, hidden)\n" in result.stdout
    assert "+\tarray('MAIN_MAIL_SMTP_PORT', '587'),\n" in result.stdout
    assert "'25'" not in result.stdout
    assert "OLD-erp-secret-5e5e" not in result.output
    assert no_canary(result.output)


def test_diff_against_an_empty_directory_masks_every_secret(config: Path, tmp_path: Path) -> None:
    result = render(config, tmp_path / "empty", "--diff")
    assert result.exit_code == 1
    assert "+++ b/erp/dolibarr-oauth.php" in result.stdout
    assert "********" in result.stdout
    assert no_canary(result.output)
    assert not (tmp_path / "empty").exists(), "--diff must not write"


# --- --prune ---------------------------------------------------------------------------------


def test_stale_files_are_reported_and_removed_only_with_prune(config: Path, rendered: Path) -> None:
    erp = config.parent / "targets" / "erp.yaml"
    text = erp.read_text(encoding="utf-8")
    erp.write_text(text[: text.index("\n  crm:\n")] + "\n", encoding="utf-8")
    result = render(config, rendered)
    assert result.exit_code == 0, result.output
    assert "no longer produced (use --prune to remove)" in result.stdout
    assert (rendered / "crm" / "settings.md").is_file()
    result = render(config, rendered, "--prune")
    assert result.exit_code == 0, result.output
    assert "removed" in result.stdout
    assert not (rendered / "crm" / "settings.md").exists()
    assert not (rendered / "_apps" / "wavesoft-mail" / "registration.md").exists()
    assert (rendered / "erp" / "README.md").is_file()
    result = render(config, rendered, "--check")
    assert result.exit_code == 0, result.output


# --- modes, manifest, canaries ---------------------------------------------------------------


def test_modes_hold_under_umask_zero(config: Path, tmp_path: Path, umask_zero: None) -> None:
    out = tmp_path / "out"
    assert render(config, out).exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    secret = {e["path"] for e in manifest["files"] if e["secret"]}
    assert secret, "the example has secret-bearing files"
    for path in sorted(out.rglob("*")):
        mode = stat.S_IMODE(path.lstat().st_mode)
        relative = path.relative_to(out).as_posix()
        if path.is_dir():
            assert mode & 0o022 == 0, f"directory {relative} is writable by others: {mode:o}"
        elif relative in secret:
            assert mode == 0o600, f"{relative}: {mode:o}"
        else:
            assert mode == 0o644, f"{relative}: {mode:o}"


def test_manifest_lists_digest_mode_and_secret_flag(rendered: Path) -> None:
    text = (rendered / "manifest.json").read_text(encoding="utf-8")
    manifest = json.loads(text)
    files = tree(rendered)
    assert {e["path"] for e in manifest["files"]} == set(files) - {"manifest.json"}
    for entry in manifest["files"]:
        content = files[entry["path"]]
        assert entry["sha256"] == hashlib.sha256(content).hexdigest()
        holds = not no_canary(content.decode("utf-8"))
        assert entry["secret"] is holds, entry["path"]
        assert entry["mode"] == ("0600" if holds else "0644")
    assert no_canary(text)


def test_canaries_appear_only_in_files_of_mode_0600(config: Path, rendered: Path) -> None:
    seen: set[str] = set()
    for relative, content in tree(rendered).items():
        text = content.decode("utf-8")
        found = {c for c in CANARIES.values() if c in text}
        seen |= found
        if found:
            mode = stat.S_IMODE((rendered / relative).stat().st_mode)
            assert mode == 0o600, f"{relative} holds a secret with mode {mode:o}"
            assert not relative.endswith(".md"), f"{relative}: a runbook or sheet shows a secret"
            assert relative != "manifest.json"
    assert seen == set(CANARIES.values()), "every canary reaches some file"
    for args in ((), ("--check",), ("--diff",)):
        result = render(config, rendered, *args)
        assert no_canary(result.output), args


# --- failures: nothing written, a clear message ----------------------------------------------


def test_missing_secret_variable_is_a_located_finding(config: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    env = {**CANARIES, "ERP_MAIL_SECRET": None}
    result = render(config, out, env=env)
    assert result.exit_code == 1
    lines = config.read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, 1) if "env: ERP_MAIL_SECRET" in text)
    assert f"mailoauth.yaml:{line}:" in result.stderr
    assert "ERP_MAIL_SECRET" in result.stderr
    assert "nothing was written" in result.stderr
    assert not out.exists()


def test_a_line_break_in_an_ini_value_is_refused(config: Path, tmp_path: Path) -> None:
    hosts = config.parent / "targets" / "hosts.yaml"
    hosts.write_text(
        hosts.read_text(encoding="utf-8").replace(
            "  scanner-proxy:\n",
            '  scanner-proxy:\n    local_address: "127.0.0.1\\nallow_catch_all_accounts = True"\n',
        ),
        encoding="utf-8",
    )
    # a late target: the earlier ones were already being staged when the refusal came
    out = tmp_path / "deploy" / "site" / "out"
    result = render(config, out)
    assert result.exit_code == 1, result.output
    line = hosts.read_text(encoding="utf-8").splitlines().index("  scanner-proxy:") + 2
    assert f"hosts.yaml:{line}:" in result.stderr, "located at the value"
    assert "U+000A (line feed)" in result.stderr
    assert not (tmp_path / "deploy").exists(), "the folders made for DIR are removed"


def test_a_symlink_leading_outside_is_refused(config: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    elsewhere = tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "relay").symlink_to(elsewhere)
    result = render(config, out)
    assert result.exit_code == 1
    assert "symbolic link" in result.stderr
    assert "refusing" in result.stderr
    assert list(elsewhere.iterdir()) == []
    assert [p.name for p in out.iterdir()] == ["relay"], "nothing is written at all"


def test_a_secret_that_is_not_utf8_is_a_located_finding(config: Path, tmp_path: Path) -> None:
    """An environment variable holding bytes that are not UTF-8 (os.environ turns them into
    lone surrogates) is refused at its reference, without a traceback."""
    import subprocess
    import sys

    out = tmp_path / "out"
    env: dict[bytes, bytes] = {k.encode(): v.encode() for k, v in CANARIES.items()}
    env[b"ERP_MAIL_SECRET"] = b"CANARY-\xff\xfe-latin1-\xe9"
    env[b"PATH"] = os.environ["PATH"].encode()
    done = subprocess.run(
        [sys.executable, "-m", "mailoauth_cfg", "render", str(config), "--out", str(out)],
        capture_output=True,
        env=env,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    stderr = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 1, stderr
    assert "Traceback" not in stderr
    lines = config.read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, 1) if "env: ERP_MAIL_SECRET" in text)
    assert f"mailoauth.yaml:{line}:" in stderr
    assert "environment variable ERP_MAIL_SECRET is not valid UTF-8 text" in stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("expression", "error"),
    [
        ("{{ 1 // 0 }}", "ZeroDivisionError"),
        ("{{ none + 1 }}", "TypeError"),
        ("{{ range(10 ** 9) | list }}", "OverflowError"),
        ("{{ ''.__class__ }}", "SecurityError"),
        ("{{ undefined_name }}", "UndefinedError"),
        ("{% for x in %}", "Expected an expression"),
    ],
)
def test_a_user_template_that_raises_is_a_located_error(
    config: Path, tmp_path: Path, expression: str, error: str
) -> None:
    templates = tmp_path / "templates"
    (templates / "msmtp").mkdir(parents=True)
    (templates / "msmtp" / "msmtprc.j2").write_text(
        "# first line\n# second line\n" + expression + "\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    result = render(config, out, "--templates", str(templates))
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "msmtp/msmtprc.j2:3" in result.stderr, result.stderr
    assert error in result.stderr, result.stderr
    assert not out.exists()

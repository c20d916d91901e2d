"""Files: writes survive SIGKILL, no symlink leads a write outside, modes hold under umask 0.

Kill-during-write: a subprocess (``tests.hardening.pause_run``) writes and pauses at a chosen
point, where the test SIGKILLs it. Through ``write_atomic`` (the token store, reports): halfway
through the data, or with the temporary file complete but not renamed; the file under its final
name is the previous one, byte for byte, and the leftover temporary file has the final file's
mode. Through ``render``: while staging, after the one ``syncfs``, between two renames, before
the manifest's rename; every file is whole (old or new), a staging folder left behind is
private (0700), ``--check`` sees the interruption and the next render removes and reports it.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from mailoauth_cfg.cli import app
from mailoauth_cfg.errors import TokenError
from mailoauth_cfg.fileio import write_atomic
from mailoauth_cfg.tokens.store import TokenLocation, TokenRecord
from tests.rendering.support import AS_OF, CANARIES, golden_case, tree

REPO = Path(__file__).resolve().parents[2]
ROTATED = {**CANARIES, "ERP_MAIL_SECRET": "CANARY-erp+rotated/0b=5e~%41"}


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def leftovers(directory: Path) -> list[Path]:
    """Temporary files of ``write_atomic`` (``.<name>.<random>.tmp``) under ``directory``."""
    return sorted(p for p in directory.rglob(".*.tmp") if p.is_file())


def final_files(directory: Path) -> dict[str, bytes]:
    """Every file under its final name (temporary files and staging folders left out)."""
    return {
        k: v
        for k, v in tree(directory).items()
        if not Path(k).name.endswith(".tmp") and not k.startswith(".mailoauth-cfg-stage-")
    }


@contextlib.contextmanager
def paused(point: str, nth: int, *scenario: str, env: dict[str, str]) -> Iterator[Path]:
    """Run ``pause_run`` until it pauses; yield its temporary file; SIGKILL it on exit."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.hardening.pause_run", point, str(nth), *scenario],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    try:
        ready, _, _ = select.select([process.stdout], [], [], 60)
        line = process.stdout.readline() if ready else ""
        if not line.startswith("PAUSED "):
            process.kill()
            _, err = process.communicate(timeout=10)
            pytest.fail(f"the writer did not pause: {line!r} {err[-2000:]}")
        yield Path(line.removeprefix("PAUSED ").strip())
    finally:
        process.kill()
        process.communicate(timeout=10)
    assert process.returncode == -9, "the writer was killed by SIGKILL"


def render_process(
    launcher: list[str], config: Path, out: Path, *, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """``render CONFIG --out DIR`` in a fresh process started by ``launcher`` (the words before
    ``render``: an interpreter and a module, a wrapper such as ``prlimit``...)."""
    return subprocess.run(
        [*launcher, "render", str(config), "--out", str(out), "--as-of", AS_OF],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def render_with_file_size_limit(
    config: Path, out: Path, limit: int, *, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """``mailoauth-cfg render`` in a process that may not write a file past ``limit`` bytes
    (``prlimit --fsize``): every larger write fails, as on a full disk."""
    launcher = ["prlimit", f"--fsize={limit}", sys.executable, "-m", "mailoauth_cfg"]
    return render_process(launcher, config, out, env=env)


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    result = CliRunner(env=dict(CANARIES if env is None else env)).invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def umask_zero() -> Iterator[None]:
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


# --- kill during write -----------------------------------------------------------------------


@pytest.mark.parametrize("point", ["data", "rename"])
def test_write_atomic_killed_mid_write_keeps_the_previous_file(tmp_path: Path, point: str) -> None:
    target = tmp_path / "secret.conf"
    write_atomic(target, b"previous contents\n", mode=0o600)
    size = 8 * 1024 * 1024
    with paused(point, 1, "atomic", str(target), str(size), "600", env={}) as temporary:
        assert temporary.parent == tmp_path
        assert temporary.name.startswith(".secret.conf.")
        assert target.read_bytes() == b"previous contents\n"
        written = temporary.stat().st_size
        assert written == (size // 2 if point == "data" else size)
    assert target.read_bytes() == b"previous contents\n"
    assert mode_of(target) == 0o600
    assert leftovers(tmp_path) == [temporary]
    assert mode_of(temporary) == 0o600, "a killed write leaves no secret readable by others"
    write_atomic(target, b"next contents\n", mode=0o600)  # the next write is not hindered
    assert target.read_bytes() == b"next contents\n"


@pytest.mark.parametrize("point", ["data", "rename"])
def test_token_store_killed_mid_save_keeps_the_previous_token(tmp_path: Path, point: str) -> None:
    location = TokenLocation(tmp_path / "tokens" / "alice@example.test.json")
    location.save(TokenRecord(user="alice@example.test", refresh_token="rt-previous-token"))
    before = location.path.read_bytes()
    with paused(point, 1, "store", str(location.path), "rt-next-token", env={}) as temporary:
        assert location.path.read_bytes() == before
    assert location.path.read_bytes() == before
    loaded = location.load("alice@example.test")
    assert loaded is not None
    assert loaded.refresh_token == "rt-previous-token"
    assert mode_of(location.path) == 0o600
    assert mode_of(temporary) == 0o600


Rendered = tuple[Path, Path, dict[str, bytes], dict[str, bytes]]


@pytest.fixture(scope="module")
def rendered_once(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """The example rendered once per module: (config, out, files, files after a rotation)."""
    base = tmp_path_factory.mktemp("rendered")
    config = golden_case(base / "config")
    out = base / "out"
    assert run("render", str(config), "--out", str(out), "--as-of", AS_OF).exit_code == 0
    expected = base / "expected"
    result = run("render", str(config), "--out", str(expected), "--as-of", AS_OF, env=ROTATED)
    assert result.exit_code == 0
    return config, out, final_files(out), final_files(expected)


@pytest.fixture
def rendered(tmp_path: Path, rendered_once: Rendered) -> Rendered:
    """A private copy of :func:`rendered_once` (modes kept)."""
    config, out, before, after = rendered_once
    shutil.copytree(config.parent, tmp_path / "config")
    shutil.copytree(out, tmp_path / "out")
    return tmp_path / "config" / config.name, tmp_path / "out", before, after


def staging(directory: Path) -> list[Path]:
    """Staging folders of the render writer left under ``directory``."""
    return sorted(p for p in directory.rglob(".mailoauth-cfg-stage-*") if p.is_dir())


def _changed(before: dict[str, bytes], after: dict[str, bytes]) -> list[str]:
    changed = sorted(p for p in after if p != "manifest.json" and before[p] != after[p])
    assert len(changed) >= 2, changed
    return changed


def _recovers(config: Path, out: Path, after: dict[str, bytes], interrupted: bool) -> None:
    """``--check`` sees the interruption; the next render finishes, removing the leftovers."""
    check = run("render", str(config), "--out", str(out), "--as-of", AS_OF, "--check", env=ROTATED)
    assert check.exit_code == 1
    if interrupted:
        assert "left by an interrupted render: " in check.stdout
    again = run("render", str(config), "--out", str(out), "--as-of", AS_OF, env=ROTATED)
    assert again.exit_code == 0, again.output
    assert ("removed, left by an interrupted render" in again.stdout) is interrupted
    assert final_files(out) == after
    assert staging(out) == []
    assert leftovers(out) == []
    check = run("render", str(config), "--out", str(out), "--as-of", AS_OF, "--check", env=ROTATED)
    assert check.exit_code == 0, check.output


@pytest.mark.parametrize(("point", "nth"), [("stage", 1), ("stage", 2), ("sync", 1)])
def test_render_killed_before_any_rename_changes_nothing(
    rendered: Rendered, point: str, nth: int
) -> None:
    """Killed while staging or right after the flush: DIR holds the previous render exactly."""
    config, out, before, after = rendered
    args = ["cli", "render", str(config), "--out", str(out), "--as-of", AS_OF]
    with paused(point, nth, *args, env=ROTATED) as where:
        assert where.parent.name.startswith(".mailoauth-cfg-stage-") or where.name.startswith(
            ".mailoauth-cfg-stage-"
        )
    assert final_files(out) == before
    (stage,) = staging(out)
    assert mode_of(stage) == 0o700, "staged secrets are private"
    assert all(mode_of(f) in (0o600, 0o644) for f in stage.iterdir())
    _recovers(config, out, after, interrupted=True)


def test_render_killed_between_renames_leaves_whole_files_only(rendered: Rendered) -> None:
    """Killed before its second rename: the first changed file is new, the rest untouched."""
    config, out, before, after = rendered
    changed = _changed(before, after)
    args = ["cli", "render", str(config), "--out", str(out), "--as-of", AS_OF]
    with paused("replace", 2, *args, env=ROTATED) as destination:
        assert destination == out / changed[1]
    now = final_files(out)
    assert set(now) == set(before)
    for path, content in now.items():
        assert content in (before[path], after[path]), f"{path} is a partial file"
    assert now[changed[0]] == after[changed[0]]
    assert all(now[p] == before[p] for p in changed[1:])
    assert now["manifest.json"] == before["manifest.json"], "the manifest is written last"
    _recovers(config, out, after, interrupted=True)


def test_render_killed_before_the_manifest_is_caught_by_check(rendered: Rendered) -> None:
    config, out, before, after = rendered
    changed = _changed(before, after)
    args = ["cli", "render", str(config), "--out", str(out), "--as-of", AS_OF]
    with paused("replace", len(changed) + 1, *args, env=ROTATED) as destination:
        assert destination == out / "manifest.json"
    now = final_files(out)
    assert now["manifest.json"] == before["manifest.json"]
    assert all(now[p] == after[p] for p in changed)
    check = run("render", str(config), "--out", str(out), "--as-of", AS_OF, "--check", env=ROTATED)
    assert check.exit_code == 1
    assert "stale: " in check.stdout
    _recovers(config, out, after, interrupted=True)


def test_render_flushes_once_then_renames_then_syncs_the_folders(rendered: Rendered) -> None:
    """One syncfs after staging and before any rename; the manifest renamed last; the folders
    renamed into are synced afterwards, so a finished render is durable."""
    config, out, before, after = rendered
    changed = _changed(before, after)
    launcher = [sys.executable, "-m", "tests.hardening.pause_run", "trace", "0", "cli"]
    done = render_process(launcher, config, out, env=ROTATED)
    assert done.returncode == 0, done.stderr
    steps = [line.removeprefix("TRACE ") for line in done.stdout.splitlines() if "TRACE" in line]
    assert steps[0] == "syncfs"
    assert steps.count("syncfs") == 1
    renames = [s for s in steps if s.startswith("replace ")]
    assert len(renames) == len(changed) + 1
    assert renames[-1] == "replace manifest.json"
    assert steps.index(renames[-1]) < steps.index("fsync-dir")
    assert steps[-1] == "fsync-dir"
    assert final_files(out) == after


def test_a_write_error_while_staging_leaves_dir_untouched(
    rendered: Rendered, tmp_path: Path
) -> None:
    """A disk that fills up mid-render: nothing renamed, no staging left, a clear error."""
    config, out, before, after = rendered
    done = render_with_file_size_limit(config, out, 4096, env=ROTATED)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "cannot write" in done.stderr
    assert final_files(out) == before
    assert staging(out) == []
    assert (
        run("render", str(config), "--out", str(out), "--as-of", AS_OF, env=ROTATED).exit_code == 0
    )
    assert final_files(out) == after


def test_two_renders_at_once_leave_one_consistent_result(
    rendered: Rendered, tmp_path: Path
) -> None:
    """A render paused while holding DIR makes a second one wait; each exits 0 and DIR ends
    with the second one's files and a manifest that matches them."""
    config, out, before, after = rendered
    args = ["cli", "render", str(config), "--out", str(out), "--as-of", AS_OF]
    second: subprocess.Popen[str] | None = None
    with paused("sync", 1, *args, env=ROTATED):
        second = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "mailoauth_cfg",
                "render",
                str(config),
                "--out",
                str(out),
                "--as-of",
                AS_OF,
            ],
            cwd=REPO,
            env={**os.environ, **CANARIES},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(1.5)
        assert second.poll() is None, "the second render waits for the first"
        assert final_files(out) == before
    out_text, err_text = second.communicate(timeout=120)
    assert second.returncode == 0, out_text + err_text
    assert "removed, left by an interrupted render" in out_text
    now = final_files(out)
    assert now == before, "the second render (the original secrets) wins whole"
    manifest = json.loads(now["manifest.json"])
    import hashlib

    for entry in manifest["files"]:
        assert hashlib.sha256(now[entry["path"]]).hexdigest() == entry["sha256"]
    del after


# --- symbolic links ----------------------------------------------------------------------------


def _render(config: Path, out: Path, *extra: str) -> Result:
    return run("render", str(config), "--out", str(out), "--as-of", AS_OF, *extra)


@pytest.mark.parametrize("mode", ["write", "--check", "--diff", "--prune"])
def test_a_symlinked_file_leading_outside_is_neither_written_nor_read(
    rendered: Rendered, tmp_path: Path, mode: str
) -> None:
    config, out, _, _ = rendered
    victim = tmp_path / "victim.sql"
    victim.write_text("VICTIM-CONTENT-outside\n")
    link = out / "erp" / "dolibarr-oauth.sql"
    link.unlink()
    link.symlink_to(victim)
    result = _render(config, out, *([] if mode == "write" else [mode]))
    assert result.exit_code == 1, result.output
    assert "symbolic link leading outside" in result.stderr
    assert "VICTIM-CONTENT" not in result.output
    assert victim.read_text() == "VICTIM-CONTENT-outside\n"
    assert link.is_symlink()


def test_a_deeper_symlinked_directory_leading_outside_is_refused(
    rendered: Rendered, tmp_path: Path
) -> None:
    config, out, before, _ = rendered
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    apps = out / "_apps" / "erp-mail"
    for child in apps.iterdir():
        child.unlink()
    apps.rmdir()
    apps.symlink_to(elsewhere)
    result = _render(config, out)
    assert result.exit_code == 1
    assert "symbolic link leading outside" in result.stderr
    assert list(elsewhere.iterdir()) == []
    assert final_files(out).keys() <= before.keys()


def test_a_symlinked_manifest_leading_outside_is_refused(
    rendered: Rendered, tmp_path: Path
) -> None:
    config, out, _, _ = rendered
    victim = tmp_path / "victim.json"
    victim.write_text("{}\n")
    (out / "manifest.json").unlink()
    (out / "manifest.json").symlink_to(victim)
    result = run("render", str(config), "--out", str(out), "--as-of", AS_OF, env=ROTATED)
    assert result.exit_code == 1
    assert "symbolic link leading outside" in result.stderr
    assert victim.read_text() == "{}\n"


def test_prune_never_deletes_outside_through_a_forged_manifest(
    rendered: Rendered, tmp_path: Path
) -> None:
    """A manifest listing ``../x``, an absolute path or a path through a link deletes nothing."""
    config, out, _, _ = rendered
    victims = [tmp_path / "victim-1", tmp_path / "linked" / "victim-2", Path(tmp_path / "abs")]
    for victim in victims:
        victim.parent.mkdir(exist_ok=True)
        victim.write_text("keep me\n")
    (out / "gone").symlink_to(tmp_path / "linked")
    manifest = json.loads((out / "manifest.json").read_text())
    for forged in ("../victim-1", "gone/victim-2", str(tmp_path / "abs")):
        manifest["files"].append({"path": forged, "secret": False, "sha256": "", "mode": "0644"})
    (out / "manifest.json").write_text(json.dumps(manifest))
    result = _render(config, out, "--prune")
    assert result.exit_code == 1, result.output
    assert all(victim.read_text() == "keep me\n" for victim in victims)


def test_a_symlinked_token_file_is_replaced_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("outside\n")
    store = tmp_path / "tokens"
    store.mkdir(mode=0o700)
    location = TokenLocation(store / "alice@example.test.json")
    location.path.symlink_to(victim)
    location.save(TokenRecord(user="alice@example.test", refresh_token="rt-new-token-value"))
    assert victim.read_text() == "outside\n"
    assert not location.path.is_symlink()
    assert mode_of(location.path) == 0o600


def test_a_symlinked_lock_file_is_refused(tmp_path: Path) -> None:
    store = tmp_path / "tokens"
    store.mkdir(mode=0o700)
    location = TokenLocation(store / "alice@example.test.json")
    planted = tmp_path / "created-elsewhere"
    location.lock_path.symlink_to(planted)
    with pytest.raises(TokenError, match="symbolic link; refusing to follow it"), location.lock():
        pass  # pragma: no cover - the lock is refused
    assert not planted.exists()


# --- modes under umask 0 -----------------------------------------------------------------------


def test_write_atomic_modes_ignore_the_umask(tmp_path: Path, umask_zero: None) -> None:
    write_atomic(tmp_path / "secret", b"s", mode=0o600)
    write_atomic(tmp_path / "public", b"p")
    write_atomic(tmp_path / "new" / "dir" / "file", b"x", mode=0o600)
    assert mode_of(tmp_path / "secret") == 0o600
    assert mode_of(tmp_path / "public") == 0o644
    assert mode_of(tmp_path / "new" / "dir" / "file") == 0o600


def test_cli_written_files_are_not_world_writable_under_umask_0(
    tmp_path: Path, umask_zero: None
) -> None:
    config = tmp_path / "etc" / "mailoauth" / "mailoauth.yaml"
    assert run("init", str(config)).exit_code == 0
    report = tmp_path / "reports" / "daily" / "report.sarif"
    result = run("validate", str(config), "--format", "sarif", "--output", str(report))
    assert result.exit_code in (0, 1, 4)
    schema = tmp_path / "schemas" / "v1" / "schema.json"
    assert run("schema", "--write", "--path", str(schema)).exit_code == 0
    for path in (config, report, schema):
        assert mode_of(path) == 0o644, path
        for folder in path.relative_to(tmp_path).parents:
            if folder != Path():
                assert mode_of(tmp_path / folder) == 0o755, folder


def test_a_loose_token_file_is_rewritten_0600_under_umask_0(
    tmp_path: Path, umask_zero: None
) -> None:
    for fmt in ("native", "sasl-xoauth2"):
        path = tmp_path / fmt / "alice@example.test"
        path.parent.mkdir()
        path.write_text(json.dumps({"refresh_token": "", "user": "alice"}))
        path.chmod(0o666)
        location = TokenLocation(path, fmt)  # type: ignore[arg-type]
        with location.lock():
            location.save(
                TokenRecord(
                    user="alice@example.test",
                    refresh_token="rt-secret-value",
                    access_token="a.b.c",
                    expires_at=time.time() + 60,
                )
            )
        assert mode_of(path) == 0o600, fmt
        assert mode_of(location.lock_path) == 0o600, fmt


def test_render_fixes_a_loose_secret_file_under_umask_0(
    rendered: Rendered, umask_zero: None
) -> None:
    """Same contents, wrong mode: --check reports it and render rewrites it 0600."""
    config, out, _, _ = rendered
    secret = out / "erp" / "dolibarr-oauth.sql"
    secret.chmod(0o644)
    check = _render(config, out, "--check")
    assert check.exit_code == 1
    assert f"mode differs: {secret}" in check.stdout
    assert _render(config, out).exit_code == 0
    assert mode_of(secret) == 0o600
    assert _render(config, out, "--check").exit_code == 0

"""`render` stages each target's files in a forked process while the next target renders.

The guarantees of the writer hold for those files too: a kill at any point leaves DIR as it
was (the stager dies with the render, so nothing goes on writing or holding DIR), a write
error is reported like any other and leaves nothing behind, and the bytes and modes written
are those of a render without background staging.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import stat
import sys
import time
from pathlib import Path

import pytest

from mailoauth_cfg.errors import RenderError
from mailoauth_cfg.rendering.writer import RenderedFile, WriteSession, write_files
from tests.hardening.test_files import (
    final_files,
    mode_of,
    paused,
    render_process,
    render_with_file_size_limit,
    run,
    staging,
)
from tests.rendering.support import AS_OF, CANARIES, golden_case, render_config, tree


def _files_and_modes(directory: Path) -> dict[str, tuple[bytes, int]]:
    return {
        path: (content, stat.S_IMODE((directory / path).stat().st_mode))
        for path, content in tree(directory).items()
    }


def _free(directory: Path, within: float = 5.0) -> bool:
    """Whether DIR's lock can be taken within ``within`` seconds (no process holds it)."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        deadline = time.monotonic() + within
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return False
                time.sleep(0.05)
    finally:
        os.close(fd)


def test_background_staging_writes_the_bytes_and_modes_of_a_plain_write(tmp_path: Path) -> None:
    config = golden_case(tmp_path / "config")
    piped, plain = tmp_path / "piped", tmp_path / "plain"
    result = run("render", str(config), "--out", str(piped), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    write_files(render_config(config, CANARIES).files, plain)
    assert _files_and_modes(piped) == _files_and_modes(plain)
    assert any(mode == 0o600 for _, mode in _files_and_modes(piped).values())
    assert staging(piped) == []


def test_a_render_killed_while_a_target_is_staged_in_the_background(tmp_path: Path) -> None:
    """The stager dies with the render: DIR is free at once, holds no final file, and the next
    render removes the staging folder and writes everything."""
    config = golden_case(tmp_path / "config")
    out = tmp_path / "out"
    args = ["cli", "render", str(config), "--out", str(out), "--as-of", AS_OF]
    with paused("stage", 1, *args, env=CANARIES) as where:
        assert where.parent.name.startswith(".mailoauth-cfg-stage-")
        assert where.name.startswith("b"), "the first file staged is a background one"
        assert where.parent.parent == out
    assert _free(out), "a stager outlived the render and still holds DIR"
    assert final_files(out) == {}
    (stage,) = staging(out)
    assert mode_of(stage) == 0o700
    again = run("render", str(config), "--out", str(out), "--as-of", AS_OF)
    assert again.exit_code == 0, again.output
    assert "removed, left by an interrupted render" in again.output
    assert staging(out) == []
    plain = tmp_path / "plain"
    write_files(render_config(config, CANARIES).files, plain)
    assert _files_and_modes(out) == _files_and_modes(plain)


def test_a_background_write_error_is_reported_and_leaves_nothing(tmp_path: Path) -> None:
    """A file size limit makes the stagers fail: a located error, no traceback, and DIR (made
    by this render) is gone again."""
    config = golden_case(tmp_path / "config")
    out = tmp_path / "out"
    done = render_with_file_size_limit(config, out, 2048, env=CANARIES)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "cannot write" in done.stderr
    assert f"{out}/.mailoauth-cfg-stage-" in done.stderr
    assert not out.exists()


def test_without_a_process_to_spare_the_render_stages_everything_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``fork`` refused (a process limit): the same files, written by the render itself."""
    forks: list[int] = []

    def refused() -> int:
        forks.append(1)
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", refused)
    config = golden_case(tmp_path / "config")
    out, plain = tmp_path / "out", tmp_path / "plain"
    result = run("render", str(config), "--out", str(out), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert forks == [1], "tried once, then no more"
    monkeypatch.undo()
    write_files(render_config(config, CANARIES).files, plain)
    assert _files_and_modes(out) == _files_and_modes(plain)
    assert staging(out) == []


def test_a_render_into_a_dir_partly_there_stages_only_what_is_missing(tmp_path: Path) -> None:
    """A target's folder removed and another file edited by hand: the missing files come from
    the stager, the edited one from the commit, the rest is left alone; the result is a plain
    write's."""
    config = golden_case(tmp_path / "config")
    out = tmp_path / "out"
    assert run("render", str(config), "--out", str(out), "--as-of", AS_OF).exit_code == 0
    removed = sorted(p.name for p in out.iterdir() if p.is_dir() and not p.name.startswith("_"))[0]
    gone = [p for p in tree(out) if p.startswith(f"{removed}/")]
    for path in sorted((out / removed).rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    (out / removed).rmdir()
    edited = next(p for p in tree(out) if p != "manifest.json" and not p.startswith(removed))
    (out / edited).write_bytes(b"edited by hand\n")
    again = run("render", str(config), "--out", str(out), "--as-of", AS_OF)
    assert again.exit_code == 0, again.output
    assert f"{len(gone)} created, 1 changed" in again.output
    plain = tmp_path / "plain"
    write_files(render_config(config, CANARIES).files, plain)
    assert _files_and_modes(out) == _files_and_modes(plain)
    assert staging(out) == []


def test_a_file_handed_again_is_staged_anew_and_the_final_one_is_written(tmp_path: Path) -> None:
    """A runbook redone after it was handed over comes again with new content; every batch
    gets names of its own, and the commit writes the final content of each file."""
    out = tmp_path / "out"

    def made(path: str, text: str) -> RenderedFile:
        return RenderedFile(path, text.encode(), "t", None, False)

    first, second = made("t/a.md", "first a\n"), made("t/b.md", "b\n")
    again, third, fourth = made("t/a.md", "final a\n"), made("t/c.md", "c\n"), made("t/d.md", "d\n")
    with WriteSession(out) as session:
        session.stage([first, second])
        session._wait_stagers()  # the stager ends here: the next batch starts another
        session.stage([again, third])
        session._wait_stagers()
        session.stage([fourth])
        plan = session.commit([again, second, third, fourth])
    assert plan.created == ("manifest.json", "t/a.md", "t/b.md", "t/c.md", "t/d.md")
    assert tree(out) == {
        "manifest.json": (out / "manifest.json").read_bytes(),
        "t/a.md": b"final a\n",
        "t/b.md": b"b\n",
        "t/c.md": b"c\n",
        "t/d.md": b"d\n",
    }
    assert staging(out) == []


def test_with_sigchld_ignored_the_render_stages_everything_itself(tmp_path: Path) -> None:
    """A parent process that ignores SIGCHLD passes that on: children are then reaped by the
    kernel and a stager's outcome is unknowable, so none is started; the files are the same."""
    config = golden_case(tmp_path / "config")
    out, plain = tmp_path / "out", tmp_path / "plain"
    ignoring = (
        "import signal, sys, runpy; signal.signal(signal.SIGCHLD, signal.SIG_IGN); "
        "sys.argv = ['mailoauth-cfg', *sys.argv[1:]]; "
        "runpy.run_module('mailoauth_cfg', run_name='__main__')"
    )
    done = render_process([sys.executable, "-c", ignoring], config, out, env=CANARIES)
    assert done.returncode == 0, done.stdout + done.stderr
    write_files(render_config(config, CANARIES).files, plain)
    assert _files_and_modes(out) == _files_and_modes(plain)
    assert staging(out) == []


def test_one_stager_writes_every_batch_of_a_render(tmp_path: Path) -> None:
    """Batches handed one after the other go to the same process (forked once: the render
    then copies each page it writes at most once), in order, with their modes."""
    out = tmp_path / "out"
    batches = [
        [
            RenderedFile(f"t/{b}-{i}.md", bytes([b, i]) * (i * 97), "t", None, i % 3 == 0)
            for i in range(40)
        ]
        for b in range(5)
    ]
    with WriteSession(out) as session:
        pids = set()
        for batch in batches:
            session.stage(batch)
            assert session._stager is not None
            pids.add(session._stager.pid)
        plan = session.commit([f for batch in batches for f in batch])
    assert len(pids) == 1
    assert len(plan.created) == 5 * 40 + 1
    for f in (f for batch in batches for f in batch):
        assert (out / f.path).read_bytes() == f.content
        assert mode_of(out / f.path) == f.mode
    assert staging(out) == []


def test_a_stager_killed_midway_fails_the_render_and_leaves_nothing(tmp_path: Path) -> None:
    """Its outcome is unknown: the commit reports it and writes nothing (no silent pass)."""
    out = tmp_path / "out"
    files = [RenderedFile(f"t/{i}.md", b"x" * i, "t", None, False) for i in range(30)]
    with WriteSession(out) as session:
        session.stage(files[:10])
        assert session._stager is not None
        os.kill(session._stager.pid, 9)
        session.stage(files[10:])
        with pytest.raises(RenderError, match="a staging process failed"):
            session.commit(files)
    assert final_files(out) == {}


def _descriptors(pid: int) -> list[str]:
    """What each open descriptor of process ``pid`` points to."""
    held = []
    for entry in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):  # closed meanwhile
            held.append(str(entry.readlink()))
    return held


def test_the_stager_keeps_none_of_the_renders_descriptors(tmp_path: Path) -> None:
    """A fork copies every descriptor: the stager closes all but its channel and error pipe,
    so it does not hold a render helper's answer (a memory file with part of the rendered
    files, secrets included) or DIR's lock until the render ends."""
    out = tmp_path / "out"
    files = [RenderedFile(f"t/{i}.md", b"secret %d" % i, "t", None, True) for i in range(20)]
    answer = os.memfd_create("mailoauth-cfg-answer-probe")  # as a render helper's answer
    try:
        with WriteSession(out) as session:
            session.stage(files[:10])
            stager = session._stager
            assert stager is not None
            deadline = time.monotonic() + 10
            while any("answer-probe" in held for held in _descriptors(stager.pid)):
                assert time.monotonic() < deadline, _descriptors(stager.pid)
                time.sleep(0.01)
            held = _descriptors(stager.pid)
            assert not any(held_path == str(out) for held_path in held), held  # DIR's lock
            session.stage(files[10:])
            session.commit(files)
    finally:
        os.close(answer)
    for f in files:
        assert (out / f.path).read_bytes() == f.content
    assert staging(out) == []


def test_an_interrupt_while_the_commit_waits_ends_the_stager(tmp_path: Path) -> None:
    """^C while the commit waits for the stager: the session still kills and reaps it before
    it removes the staging folder and unlocks DIR; nothing goes on writing in DIR."""
    out = tmp_path / "out"
    files = [RenderedFile(f"t/{i}.md", b"x" * i, "t", None, True) for i in range(30)]

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    pid = 0
    try:
        with WriteSession(out) as session:
            session.stage(files)
            assert session._stager is not None
            pid = session._stager.pid
            os.kill(pid, signal.SIGSTOP)  # the stager is still busy when the commit waits
            signal.setitimer(signal.ITIMER_REAL, 0.3)
            with pytest.raises(KeyboardInterrupt):
                session.commit(files)
        assert not Path(f"/proc/{pid}").exists()  # killed and reaped
        assert staging(out) == []
        assert not out.exists() or _free(out, within=0)
        assert final_files(out) == {}
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if pid and Path(f"/proc/{pid}").exists():
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)

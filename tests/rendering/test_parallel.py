"""A large render shares its outputs with a forked helper: the result is the one-process render's,
file for file (bytes, modes, secret spans, secrets), finding for finding, error for error."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from mailoauth_cfg.errors import RenderError
from mailoauth_cfg.loading import load_config
from mailoauth_cfg.model.building import build_config
from mailoauth_cfg.rendering import RenderResult, parallel
from mailoauth_cfg.rendering.writer import RenderedFile
from tests.fresh import python
from tests.rendering.support import REPO, render_config
from tests.rendering.test_shapes import SECRETS, _cases

sys.path.insert(0, str(REPO / "bench"))
from generate import generate_render


@pytest.fixture(autouse=True)
def _two_cores() -> None:
    assert parallel.available(), "a render helper needs two cores, fork and memfd_create"


def _render(config: Path, split: bool | None, **options: Any) -> RenderResult | str:
    """The render of ``config`` (``split``: with a helper or not), or the error it raised."""
    try:
        return render_config(config, SECRETS, parallel=split, **options)
    except RenderError as exc:
        return f"RenderError: {exc}"


def _seen(result: RenderResult | str) -> Any:
    if isinstance(result, str):
        return result
    return (
        [(f.rule, f.message, f.location, f.fix) for f in result.findings],
        [
            (f.path, f.content, f.mode, f.target, f.mailbox, f.secrets, f.secret_spans)
            for f in result.files
        ],
    )


def test_every_case_renders_the_same_with_a_helper(tmp_path: Path) -> None:
    helped = clean = 0
    for config in _cases(tmp_path):
        if build_config(load_config(config)).config is None:
            continue
        alone = _render(config, False)
        shared = _render(config, True)
        assert _seen(shared) == _seen(alone), config
        assert isinstance(alone, str) or alone.helped == 0
        if isinstance(shared, RenderResult) and not shared.findings:
            clean += 1
            # a clean render of more than one file is shared, never silently done alone
            assert shared.helped > 0 or len(shared.files) <= 1, config
            helped += shared.helped
    assert clean > 20
    assert helped > 100


def test_findings_and_errors_are_decided_by_the_render_in_one_process(tmp_path: Path) -> None:
    config = tmp_path / "mailoauth.yaml"
    config.write_text(generate_render(40), encoding="utf-8")
    # a secret that cannot be read: a finding (the render in one process reports it)
    text = (
        config.read_text(encoding="utf-8")
        .replace(
            "    public_client_flows: true",
            "    platform: web\n    client_secret: {env: UNSET_SECRET}",
        )
        .replace("    platform: public\n", "")
    )
    broken = tmp_path / "broken.yaml"
    broken.write_text(text, encoding="utf-8")
    alone, shared = _render(broken, False), _render(broken, True)
    assert isinstance(shared, RenderResult)
    assert shared.findings
    assert _seen(shared) == _seen(alone)
    assert shared.helped == 0
    assert shared.files == []
    # a template that fails for one mailbox in the helper's share: the same error
    common = tmp_path / "templates" / "_common"
    common.mkdir(parents=True)
    body = (REPO / "templates" / "_common" / "bootstrap.md.j2").read_text(encoding="utf-8")
    common.joinpath("bootstrap.md.j2").write_text(
        '{% if user.email == "user00007@contoso.example.com" %}{{ 1 // 0 }}{% endif %}' + body,
        encoding="utf-8",
    )
    options = {"template_dirs": [tmp_path / "templates"]}
    alone, shared = _render(config, False, **options), _render(config, True, **options)
    assert isinstance(alone, str)
    assert "ZeroDivisionError" in alone
    assert shared == alone


def test_a_small_render_stays_in_one_process_and_a_large_one_is_shared(tmp_path: Path) -> None:
    """Chosen by the render itself (``parallel=None``), in a fresh process of one thread (the
    suite's own process runs its servers' threads)."""
    program = textwrap.dedent(
        """
        import sys
        from tests.rendering.support import render_config
        for name in sys.argv[1:]:
            result = render_config(__import__("pathlib").Path(name), {})
            print(len(result.files), result.helped, len(result.findings))
        """
    )
    mailboxes = int(parallel.MIN_COST) // 3 + 1  # three targets: each mailbox counts three times
    configs = []
    for size in (30, mailboxes):
        config = tmp_path / f"render-{size}.yaml"
        config.write_text(generate_render(size), encoding="utf-8")
        configs.append(str(config))
    done = python("-c", program, *configs, timeout=300)
    assert done.returncode == 0, done.stderr
    small, large = ([int(n) for n in line.split()] for line in done.stdout.splitlines())
    assert small == [3 * 30 + 16, 0, 0]  # a runbook per mailbox and target, and 16 others
    files, helped, findings = large
    assert (files, findings) == (3 * mailboxes + 16, 0)
    assert helped > files // 3


def test_the_split_is_balanced_and_fixed_by_the_costs() -> None:
    costs = [[5001.0, 1.0, 1.0], [1.0] * 6000, [3.0]]
    theirs = parallel.split(costs)
    assert parallel.split(costs) == theirs
    helper = sum(
        c
        for job, flags in zip(costs, theirs, strict=True)
        for c, h in zip(job, flags, strict=True)
        if h
    )
    total = sum(map(sum, costs))
    assert abs(helper - (total - helper)) <= 5001
    assert theirs[0][0] is False  # the largest is this process's, the helper then catches up
    assert sum(theirs[1]) > 5000 - 1


def _file(path: str, content: bytes) -> RenderedFile:
    return RenderedFile(
        path=path,
        content=content,
        target="t",
        mailbox=None,
        secret=True,
        secrets=frozenset({"s3cret"}),
        secret_spans=((0, 3),),
    )


def test_a_helper_answers_its_files_or_nothing() -> None:
    files = [_file(f"t/{i}", bytes(range(256)) * i) for i in range(50)]
    helper = parallel.start(lambda: files)
    assert helper is not None
    assert parallel.finish(helper) == files
    # a finding on the helper's side, or any failure: no answer (the render is redone)
    for work in (lambda: None, lambda: [1 // 0], lambda: os._exit(0)):
        helper = parallel.start(work)  # type: ignore[arg-type]
        assert helper is not None
        assert parallel.finish(helper) is None


def test_a_helper_dies_with_the_render(tmp_path: Path) -> None:
    program = textwrap.dedent(
        """
        import sys, time
        from mailoauth_cfg.rendering import parallel
        helper = parallel.start(lambda: time.sleep(120) or [])
        print(helper.pid, flush=True)
        time.sleep(120)
        """
    )
    process = subprocess.Popen(
        [sys.executable, "-c", program], stdout=subprocess.PIPE, text=True, cwd=REPO
    )
    assert process.stdout is not None
    pid = int(process.stdout.readline())
    assert Path(f"/proc/{pid}").exists()
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.05)
    assert not _alive(pid)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"  # a zombie is dead; its parent (init) reaps it


def test_with_another_thread_running_a_large_render_stays_in_one_process(tmp_path: Path) -> None:
    """A fork copies only the calling thread: with another one running, the render forks no
    helper by itself (an explicit ``parallel=True`` still does)."""
    config = tmp_path / "mailoauth.yaml"
    config.write_text(generate_render(int(parallel.MIN_COST) // 3 + 1), encoding="utf-8")
    stop = threading.Event()
    worker = threading.Thread(target=stop.wait)
    worker.start()
    try:
        assert not parallel.alone()
        chosen = _render(config, None)
        forced = _render(config, True)
    finally:
        stop.set()
        worker.join()
    assert isinstance(chosen, RenderResult)
    assert isinstance(forced, RenderResult)
    assert chosen.helped == 0
    assert forced.helped > 0
    assert _seen(chosen) == _seen(forced)

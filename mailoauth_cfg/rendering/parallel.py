"""A large render on two cores: a forked helper renders part of the outputs.

Rendering is pure Python and holds one core; ten thousand mailboxes take seconds. Once every
output is known, :func:`split` shares them out by an estimate of their cost, :func:`start`
forks a helper that renders its share (sharing this process's memory: the config, the plans
and the compiled templates are not copied), and this process renders the rest meanwhile.
The helper sends its files back through an anonymous memory file (never a file on disk:
a file may hold a secret); :func:`finish` reads them.

The helper's files are byte for byte what this process would render: the same functions
run on the same values. What a render decides as a whole (findings, the first error in
output order) is not split: whenever either side meets a finding or an error, or the helper
fails in any way, the caller renders everything again in one process, which decides as it
always did. A render that ends well, the common case, is rendered once.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from mailoauth_cfg.rendering.writer import RenderedFile, _prctl

MIN_COST = 3000.0
"""Mailbox-target pairs (each target's mailboxes, added up: about one runbook each) below
which a render stays in one process: a fork and the transfer back cost more than they save on
a small render."""

USER_COST = 0.5
"""The cost of one mailbox in a file listing every mailbox (a README, an msmtprc), relative to
one runbook: measured on 10,000 mailboxes, such a file takes about 12 to 30 µs per mailbox
where a runbook takes about 30 µs."""


class _Item(Protocol):
    @property
    def own(self) -> Any: ...

    @property
    def context(self) -> dict[str, Any]: ...


def cost(item: _Item) -> float:
    """The estimated cost of rendering ``item``: a runbook is 1, a file listing the target's
    mailboxes grows with them."""
    if item.own is not None:
        return 1.0
    users = item.context.get("users")
    return 1.0 + USER_COST * (len(users) if isinstance(users, list | tuple) else 0)


def available() -> bool:
    """Whether a helper can run: two cores for this process, a memory file to answer by, and
    children whose end this process can wait for (``SIGCHLD`` not ignored)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return (
        cores >= 2
        and hasattr(os, "memfd_create")
        and hasattr(os, "fork")
        and signal.getsignal(signal.SIGCHLD) != signal.SIG_IGN
    )


def alone() -> bool:
    """Whether this process runs no other thread. A fork copies only the calling thread: a lock
    another one holds (a template cache's, say) would stay locked in the helper forever. The
    command line is single-threaded; a render chooses a helper by itself only when alone."""
    threading = sys.modules.get("threading")  # not imported: no thread was started
    return threading is None or threading.active_count() == 1


def split(costs: Sequence[Sequence[float]]) -> list[list[bool]]:
    """For each job's outputs (their :func:`cost`), whether the helper renders it.

    Largest first, each output goes to the side with less work so far (ties to this process):
    the same costs always give the same split.
    """
    order = sorted(
        ((c, j, i) for j, job in enumerate(costs) for i, c in enumerate(job)),
        key=lambda entry: (-entry[0], entry[1], entry[2]),
    )
    helper = [[False] * len(job) for job in costs]
    mine = theirs = 0.0
    for c, j, i in order:
        if theirs < mine:
            helper[j][i] = True
            theirs += c
        else:
            mine += c
    return helper


Wire = tuple[str, bytes, str, "str | None", bool, frozenset[str], tuple[tuple[int, int], ...]]
"""A file as the helper sends it: :class:`RenderedFile`'s fields."""


class Helper:
    """A running helper: its pid and the memory file it answers in."""

    def __init__(self, pid: int, answer: int) -> None:
        self.pid = pid
        self.answer = answer
        self.done = False

    def stop(self) -> None:
        """Kill the helper (if still running) and close its answer."""
        if not self.done:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
            self.done = True
        with contextlib.suppress(OSError):
            os.close(self.answer)


def start(work: Callable[[], list[RenderedFile] | None]) -> Helper | None:
    """Fork a helper running ``work`` (``None`` from it: a finding was met); ``None`` when no
    process can be made."""
    prctl = _prctl()
    parent = os.getpid()
    try:
        answer = os.memfd_create("mailoauth-cfg-render", os.MFD_CLOEXEC)
    except OSError:  # no file descriptor to spare
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(answer)
        return None
    if pid == 0:  # pragma: no cover - the child's coverage is not collected
        code = 1
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # the render's process handles ^C
            if prctl is not None:  # dies with the render: prctl(PR_SET_PDEATHSIG, SIGKILL)
                prctl(1, int(signal.SIGKILL), 0, 0, 0)
            if os.getppid() == parent:
                files = work()
                wire = (
                    None
                    if files is None
                    else [
                        (
                            f.path,
                            f.content,
                            f.target,
                            f.mailbox,
                            f.secret,
                            f.secrets,
                            f.secret_spans,
                        )
                        for f in files
                    ]
                )
                data = memoryview(pickle.dumps(wire, protocol=pickle.HIGHEST_PROTOCOL))
                while data:
                    data = data[os.write(answer, data) :]
                code = 0
        except BaseException:  # any failure: the render redoes it in one process
            code = 2
        finally:
            os._exit(code)
    return Helper(pid, answer)


def finish(helper: Helper) -> list[RenderedFile] | None:
    """The helper's files (``None``: it met a finding or failed; the render is then done again
    in one process)."""
    try:
        _, status = os.waitpid(helper.pid, 0)
        helper.done = True
        if os.waitstatus_to_exitcode(status) != 0:
            return None
        size = os.fstat(helper.answer).st_size
        chunks = []
        offset = 0
        while offset < size:
            chunk = os.pread(helper.answer, size - offset, offset)
            if not chunk:
                return None
            chunks.append(chunk)
            offset += len(chunk)
        wire: list[Wire] | None = pickle.loads(b"".join(chunks))  # noqa: S301 - our own child
    except Exception:  # any answer but a whole one: the render is done again in one process
        return None
    finally:
        helper.stop()
    if wire is None:
        return None
    return [
        RenderedFile(
            path=path,
            content=content,
            target=target,
            mailbox=mailbox,
            secret=secret,
            secrets=secrets,
            secret_spans=spans,
        )
        for path, content, target, mailbox, secret, secrets, spans in wire
    ]

"""``render --check/--diff --no-secrets``: compare DIR with a render that read no secret.

A pull-request pipeline has no secrets. Rendered without them, each secret stands for a
placeholder inside the file's *secret spans* (the byte ranges of the printed expressions that
carry a secret), and the file is compared with its spans masked:

* a secret-bearing file on disk is masked with the spans that ``manifest.json`` recorded for
  it when it was rendered with the secrets, then compared with the masked render;
* a secret-bearing file absent from disk (never committed: the usual case) is compared through
  the digest of its masked content that the manifest recorded;
* files without secrets and the manifest itself are compared byte for byte, the manifest with
  the entries of unchanged secret-bearing files as recorded (their real digests and spans).

So a change to a config, a template or a committed file makes the check fail, while only the
deployment, which has the secrets, renders and writes them. Like ``--check`` with secrets, both
read DIR under the writer's shared lock (a render in progress is waited for) and report the
temporary files an interrupted render left.
"""

from __future__ import annotations

import difflib
import hashlib
from pathlib import Path
from typing import Any

from mailoauth_cfg.errors import RenderError
from mailoauth_cfg.rendering.writer import (
    MANIFEST,
    Plan,
    RenderedFile,
    _carried,
    _leftovers,
    _lock,
    _previous_entries,
    _resolve_inside,
    manifest_bytes,
    mask_spans,
    safe_relative,
)


def _spans(entry: dict[str, Any]) -> list[tuple[int, int]] | None:
    raw = entry.get("secret_spans")
    if not isinstance(raw, list):
        return None
    spans: list[tuple[int, int]] = []
    for item in raw:
        if (
            not isinstance(item, list)
            or len(item) != 2
            or not all(isinstance(n, int) and n >= 0 for n in item)
            or item[0] > item[1]
        ):
            return None
        spans.append((item[0], item[1]))
    return spans


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise RenderError(f"cannot read {path}: {exc.strerror or exc}") from None


def _masked_on_disk(f: RenderedFile, out: Path, entry: dict[str, Any] | None) -> bytes | None:
    """The file on disk with its recorded spans masked (None: absent, or no usable record)."""
    current = _read(_resolve_inside(out, safe_relative(f.path)))
    if current is None or entry is None:
        return None
    spans = _spans(entry)
    if spans is None or any(end > len(current) for _, end in spans):
        return None
    return mask_spans(current, spans)


def _same(f: RenderedFile, out: Path, entry: dict[str, Any] | None) -> bool | None:
    """Whether a secret-bearing file matches DIR with secrets masked (None: nothing recorded)."""
    path = _resolve_inside(out, safe_relative(f.path))
    on_disk = path.exists() or path.is_symlink()
    if entry is None:
        return None if not on_disk else False
    if on_disk:
        masked = _masked_on_disk(f, out, entry)
        return masked is not None and masked == f.masked_content
    return entry.get("masked_sha256") == hashlib.sha256(f.masked_content).hexdigest()


def check(files: list[RenderedFile], out: Path) -> Plan:
    """What differs between DIR and ``files`` (rendered without secrets), secrets masked."""
    with _lock(out, shared=True):
        return _check(files, out)


def _check(files: list[RenderedFile], out: Path) -> Plan:
    previous = _previous_entries(out)
    created: list[str] = []
    changed: list[str] = []
    unchanged: list[str] = []
    mode_changed: list[str] = []
    recorded: dict[str, dict[str, Any]] = {}
    for f in files:
        path = _resolve_inside(out, safe_relative(f.path))
        if f.secret:
            same = _same(f, out, previous.get(f.path))
            if same is None:
                created.append(f.path)
                continue
            if not same:
                changed.append(f.path)
                continue
            unchanged.append(f.path)
            recorded[f.path] = {k: v for k, v in previous[f.path].items() if k != "stale"}
            if path.exists() and (path.stat().st_mode & 0o777) != f.mode:
                mode_changed.append(f.path)
            continue
        current = _read(path)
        if current is None:
            created.append(f.path)
        elif current != f.content:
            changed.append(f.path)
        else:
            unchanged.append(f.path)
            if (path.stat().st_mode & 0o777) != f.mode:
                mode_changed.append(f.path)
    manifest = manifest_bytes(files, _carried(files, out), recorded)
    current_manifest = _read(_resolve_inside(out, safe_relative(MANIFEST)))
    if current_manifest is None:
        created.append(MANIFEST)
    elif current_manifest != manifest:
        changed.append(MANIFEST)
    else:
        unchanged.append(MANIFEST)
    produced = {f.path for f in files}
    stale = [p for p in previous if p not in produced]
    return Plan(
        created=tuple(sorted(created)),
        changed=tuple(sorted(changed)),
        unchanged=tuple(sorted(unchanged)),
        stale=tuple(sorted(stale)),
        mode_changed=tuple(sorted(mode_changed)),
        leftovers=tuple(_leftovers(out, files)),
    )


def diff(files: list[RenderedFile], out: Path) -> str:
    """A unified diff of DIR against ``files`` (rendered without secrets), secrets masked.

    A secret-bearing file is shown with its spans masked on both sides; one that is not on disk
    and whose recorded digest differs is shown whole as new, masked.
    """
    with _lock(out, shared=True):
        return _diff(files, out)


def _diff(files: list[RenderedFile], out: Path) -> str:
    previous = _previous_entries(out)
    plan = _check(files, out)
    differing = set(plan.created) | set(plan.changed)
    chunks: list[str] = []
    for f in sorted(files, key=lambda f: f.path):
        if f.path not in differing:
            continue
        entry = previous.get(f.path)
        if f.secret:
            new = f.masked_content.decode("utf-8", errors="replace")
            masked = _masked_on_disk(f, out, entry)
            on_disk = _read(_resolve_inside(out, safe_relative(f.path))) is not None
            if masked is None and on_disk:
                # No usable record of where its secrets are: show nothing of the old file.
                chunks.append(
                    f"--- a/{f.path}\n+++ b/{f.path}\n"
                    "@@ secret-bearing file differs; no recorded secret spans to mask it @@\n"
                )
                continue
            old = None if masked is None else masked.decode("utf-8", errors="replace")
            if old is None and entry is not None:
                chunks.append(
                    f"--- a/{f.path} (not on disk; its recorded masked digest differs)\n"
                    f"+++ b/{f.path}\n"
                    + "".join(f"+{line}" for line in new.splitlines(keepends=True))
                )
                if not new.endswith("\n"):
                    chunks.append("\n")
                continue
        else:
            current = _read(_resolve_inside(out, safe_relative(f.path)))
            old = None if current is None else current.decode("utf-8", errors="replace")
            new = f.content.decode("utf-8", errors="replace")
        chunks.extend(
            difflib.unified_diff(
                old.splitlines(keepends=True) if old is not None else [],
                new.splitlines(keepends=True),
                fromfile=f"a/{f.path}" if old is not None else "/dev/null",
                tofile=f"b/{f.path}",
            )
        )
    if MANIFEST in differing:
        chunks.append(f"--- a/{MANIFEST}\n+++ b/{MANIFEST}\n@@ manifest differs @@\n")
    for stale in plan.stale:
        chunks.append(f"--- a/{stale}\n+++ /dev/null\n@@ no longer produced @@\n")
    text = "".join(chunks)
    return text if text.endswith("\n") or not text else text + "\n"

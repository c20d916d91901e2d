"""Indented JSON (manifests, host configs) is written by hand, the C encoder per entry. It must
stay byte for byte what ``json.dumps(indent=2, sort_keys=True)`` writes: a manifest from an older
version compares equal, and readers that diff these files see no noise."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mailoauth_cfg.jsontext import dumps_indented
from mailoauth_cfg.rendering.writer import RenderedFile, manifest_bytes, manifest_entry

_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
_documents = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=400)
@given(_documents)
def test_any_document_is_written_as_json_dumps_writes_it(document: Any) -> None:
    for ascii_only in (True, False):
        expected = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=ascii_only)
        assert dumps_indented(document, ensure_ascii=ascii_only) == expected


def test_keys_that_are_not_text_are_written_as_json_writes_them() -> None:
    for document in ({"a": {1: "x", 2: {"c": [1, 2]}}}, [{True: None}], {"n": {None: 0.5}}):
        for ascii_only in (True, False):
            expected = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=ascii_only)
            assert dumps_indented(document, ensure_ascii=ascii_only) == expected


def test_a_manifest_with_secret_spans_and_stale_entries_is_json_dumps_output() -> None:
    files = [
        RenderedFile(
            "b/x.conf", b"k = s3cret\n", "b", None, True, frozenset({"s3cret"}), ((4, 10),)
        ),
        RenderedFile("a/r\u00e9.md", b"# \xc3\xa9\n", "a", "u@example.com", False),
    ]
    stale = [
        {
            "path": "c/old",
            "target": "c",
            "mailbox": None,
            "sha256": "0" * 64,
            "mode": "0644",
            "secret": False,
        }
    ]
    written = manifest_bytes(files, stale)
    document = json.loads(written)
    assert written == (json.dumps(document, indent=2, sort_keys=True) + "\n").encode("utf-8")
    assert [e["path"] for e in document["files"]] == ["a/r\u00e9.md", "b/x.conf", "c/old"]
    assert document["files"][1]["secret_spans"] == [[4, 10]]
    assert document["files"][2]["stale"] is True
    assert b"s3cret" not in written


_files = st.lists(
    st.builds(
        lambda path, target, mailbox, content, secret: RenderedFile(
            path,
            content,
            target,
            mailbox,
            secret,
            frozenset({"k"}) if secret else frozenset(),
            ((0, min(1, len(content))),) if secret else (),
        ),
        st.text(min_size=1),
        st.text(),
        st.none() | st.text(),
        st.binary(max_size=20),
        st.booleans(),
    ),
    max_size=8,
    unique_by=lambda f: f.path,
)


@settings(max_examples=300)
@given(_files, st.booleans(), st.booleans())
def test_any_manifest_is_what_json_dumps_writes(
    files: list[RenderedFile], with_stale: bool, with_recorded: bool
) -> None:
    """Entries written from a pattern (files without secrets), by the encoder (secret files,
    stale and recorded entries) or none at all: json.dumps' bytes, sorted by path."""
    stale = [{"path": "\uffff/stale", "target": "t", "mailbox": None, "sha256": "0" * 64}]
    stale = stale if with_stale else []
    recorded = {f.path: {**manifest_entry(f), "note": "kept"} for f in files[:1]}
    recorded = recorded if with_recorded else {}
    entries = [recorded.get(f.path) or manifest_entry(f) for f in files]
    entries += [{**entry, "stale": True} for entry in stale]
    entries.sort(key=lambda e: str(e["path"]))
    document = {"version": 1, "generator": "mailoauth-cfg", "files": entries}
    expected = (json.dumps(document, indent=2, sort_keys=True) + "\n").encode("utf-8")
    assert manifest_bytes(files, stale, recorded) == expected

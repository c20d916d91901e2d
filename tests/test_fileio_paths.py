"""A file name joined to a folder as text is the path ``pathlib`` would give."""

from __future__ import annotations

from pathlib import PurePosixPath

from hypothesis import given
from hypothesis import strategies as st

from mailoauth_cfg.fileio import child_path, path_component

_parts = st.sampled_from(["", ".", "..", "a", "b c", "é", "x.y", "/", "//", "///"])


@given(st.lists(_parts, max_size=5), st.text(min_size=1, max_size=8))
def test_a_name_joined_as_text_is_the_path_pathlib_joins(parts: list[str], name: str) -> None:
    folder = PurePosixPath("/".join(parts))
    try:
        checked = path_component(name)
    except ValueError:
        return
    assert child_path(folder, checked) == str(folder / checked)


def test_the_folders_a_target_uses() -> None:
    for folder in ("/var/spool/postfix/etc/tokens", "/", "//srv", "tokens", "", "./a/../b/"):
        expected = str(PurePosixPath(folder) / "ann@contoso.com")
        assert child_path(PurePosixPath(folder), "ann@contoso.com") == expected

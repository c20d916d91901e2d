"""Output paths are checked once, as text, with the same verdict as a path object gives."""

from __future__ import annotations

import itertools

from mailoauth_cfg.errors import RenderError
from mailoauth_cfg.rendering.writer import _safe_parts, safe_path, safe_relative


def test_a_rendered_path_is_checked_as_text_exactly_as_a_path_object_would_be() -> None:
    parts = ["a", ".", "..", "", "x\\y", "n\x00", "c.d"]
    for count in range(1, 4):
        for combo in itertools.product(parts, repeat=count):
            for path in (
                "/".join(combo),
                "/" + "/".join(combo),
                "/".join(combo) + "/",
            ):
                try:
                    expected: str = str(safe_relative(path))
                except RenderError as exc:
                    expected = f"refused: {exc}"
                try:
                    found = safe_path(path)
                except RenderError as exc:
                    found = f"refused: {exc}"
                assert found == expected, path


def test_a_path_looked_up_as_text_has_the_parts_a_path_object_has() -> None:
    """The writer looks files up by their text path; the verdict and the parts must be those of
    :func:`safe_relative`."""
    parts = ["a", ".", "..", "", "x\\y", "n\x00", "c.d"]
    for count in range(1, 4):
        for combo in itertools.product(parts, repeat=count):
            for path in ("/".join(combo), "/" + "/".join(combo), "/".join(combo) + "/"):
                try:
                    expected: object = safe_relative(path).parts
                except RenderError as exc:
                    expected = f"refused: {exc}"
                try:
                    found: object = _safe_parts(path)
                except RenderError as exc:
                    found = f"refused: {exc}"
                assert found == expected, path

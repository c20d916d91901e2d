"""A rule's summary and documentation come from its module's docstring, as ``inspect.cleandoc``
gives them; the summary is read off the first line without cleaning the whole text."""

from __future__ import annotations

import inspect
import sys

from hypothesis import given
from hypothesis import strategies as st

from mailoauth_cfg.live.rules import LIVE_RULES
from mailoauth_cfg.rules import all_rules
from mailoauth_cfg.rules._base import first_line


def _cleaned_first_line(doc: str) -> str:
    text = inspect.cleandoc(doc)
    return text.splitlines()[0] if text else ""


LAYOUT = st.text(
    alphabet=st.sampled_from(["\n", " ", "\t", "\r", "\x0c", "\x85", "a", "é", "\u2028"])
)


@given(st.one_of(LAYOUT, st.text(), st.builds(lambda a, b: a + b, LAYOUT, st.text())))
def test_the_first_line_is_the_first_line_of_the_cleaned_text(doc: str) -> None:
    assert first_line(doc) == _cleaned_first_line(doc)


def test_every_rule_has_its_module_docstring_cleaned() -> None:
    rules = [*all_rules(), *LIVE_RULES]
    assert len(rules) > 90
    for rule in rules:
        written = sys.modules[rule.check.__module__].__doc__ or ""
        assert rule.docstring == written, rule.id
        assert rule.doc == inspect.cleandoc(written), rule.id
        assert rule.summary == _cleaned_first_line(written), rule.id
        assert rule.info().doc == rule.doc

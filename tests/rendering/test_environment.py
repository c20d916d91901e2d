"""The template environments: escaping chosen by the output file's syntax, never by a template;
shipped templates compiled once in a plain environment, added ones in the sandbox."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from jinja2.sandbox import SandboxedEnvironment

from mailoauth_cfg.errors import RenderError
from mailoauth_cfg.rendering.environment import (
    FILTERS,
    SPAN_CLOSE,
    SPAN_OPEN,
    Secret,
    make_environment,
    output_syntax,
    tracking,
)
from mailoauth_cfg.rendering.escaping import SYNTAXES, Unrepresentable, syntax_for

HOSTILE = "a'b\"c`d$(e)\\f ‘g’"


def render(source: str, syntax: str, **values: object) -> str:
    env = make_environment()
    with tracking(), output_syntax(SYNTAXES[syntax]):
        return env.from_string(source).render(**values)


@pytest.mark.parametrize(
    ("syntax", "expected"),
    [
        ("sh", "'a'\"'\"'b\"c`d$(e)\\f ‘g’'"),
        ("ps1", "'a''b\"c`d$(e)\\f ‘‘g’’'"),
        ("php", "'a\\'b\"c`d$(e)\\\\f ‘g’'"),
        ("python", repr(HOSTILE)),
        ("json", '"a\'b\\"c`d$(e)\\\\f ‘g’"'),
        ("msmtprc", '"' + HOSTILE + '"'),
        ("md", "a'b\"c\\`d$(e)\\\\f ‘g’"),
    ],
)
def test_every_printed_value_is_escaped_for_the_file_syntax(syntax: str, expected: str) -> None:
    assert render("{{ value }}", syntax, value=HOSTILE) == expected


def test_a_template_cannot_print_a_value_raw_nor_in_another_syntax() -> None:
    for source in ("{{ value | safe }}", "{{ value | e }}", "{{ value | forceescape }}"):
        with pytest.raises(Exception, match="No filter named"):
            render(source, "sh", value=HOSTILE)
    with pytest.raises(RenderError, match="not available in a POSIX shell file"):
        render("{{ value | code }}", "sh", value=HOSTILE)
    with output_syntax(SYNTAXES["md"]):
        md_span = FILTERS["code"]("x")  # a Markdown code span, handed to a PHP file
    with pytest.raises(RenderError, match="escaped for Markdown was printed in a PHP file"):
        render("{{ span }}", "php", span=md_span)


def test_a_secret_is_revealed_only_by_escaping() -> None:
    secret = Secret("s3cr=t+/", "env:X")
    with tracking() as tracker, output_syntax(SYNTAXES["sh"]):
        text = make_environment().from_string("{{ s }} {{ t }}").render(s=secret, t="a b")
    # the escaped secret, between the marks the renderer turns into the file's secret spans
    assert text == f"{SPAN_OPEN}s3cr=t+/{SPAN_CLOSE} 'a b'"
    assert tracker.secrets == {"s3cr=t+/"}
    with tracking(), output_syntax(SYNTAXES["php"]):
        text = make_environment().from_string("{{ s }}").render(s=Secret("it's", "env:Y"))
    assert text == f"{SPAN_OPEN}'it\\'s'{SPAN_CLOSE}", "a span holds the escaped bytes"
    with pytest.raises(RenderError, match="turned the secret from env:X into text"):
        render("{{ s ~ 'x' }}", "sh", s=secret)
    with pytest.raises(RenderError, match="put the secret from env:X in a comment"):
        render("{{ s | comment }}", "sh", s=secret)


def test_a_secret_printed_after_it_was_revealed_is_still_in_a_span() -> None:
    """A value built from a secret and printed later (here after another expression) is marked
    as carrying it, so that ``--no-secrets`` masks it."""
    secret = Secret("s3cr=t+/value", "env:X")
    source = '{% set body = {"s": s} | tojson %}{{ n }} then {{ body }}'
    with tracking(), output_syntax(SYNTAXES["sh"]):
        text = make_environment().from_string(source).render(s=secret, n="name")
    spans = text.split(SPAN_OPEN)[1:]
    assert any("s3cr=t+/value" in span.split(SPAN_CLOSE)[0] for span in spans), text
    outside = "".join(part.split(SPAN_CLOSE)[-1] for part in text.split(SPAN_OPEN))
    assert "s3cr=t+/value" not in outside


def test_a_value_a_syntax_cannot_carry_is_refused() -> None:
    with pytest.raises(Unrepresentable, match=r"U\+000A"):
        render("{{ value }}", "ini", value="a\nb")
    with pytest.raises(Unrepresentable, match=r"U\+0022"):
        render("{{ value }}", "postfix-map", value='a"b')


def test_the_syntax_is_the_output_file_s() -> None:
    assert syntax_for("erp/dolibarr-oauth.php").name == "php"
    assert syntax_for("relay/main.cf", "postfix").name == "postfix"
    with pytest.raises(KeyError, match="must declare one"):
        syntax_for("relay/main.cf")


def test_shipped_templates_compile_once_and_added_ones_run_sandboxed(tmp_path: Path) -> None:
    shipped = make_environment()
    assert make_environment() is shipped, "one environment per process: templates compile once"
    assert not isinstance(shipped, SandboxedEnvironment)
    template = shipped.get_template("msmtp/msmtprc.j2")
    assert shipped.get_template("msmtp/msmtprc.j2") is template
    added = make_environment([tmp_path])
    assert isinstance(added, SandboxedEnvironment)
    assert added is not make_environment([tmp_path])


def test_no_markdown_template_prints_a_value_inside_a_hand_written_code_span() -> None:
    """Inside `` `...{{ value }}...` `` the value is escaped as Markdown text, so a code span
    would show the backslashes (``select\\_account``): a value shown as code goes through
    ``| code`` (``{{ ("prompt=" ~ prompt) | code }}``), which builds the whole span."""
    root = Path(__file__).resolve().parents[2] / "templates"
    found = []
    for path in sorted(root.rglob("*.md.j2")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            text = re.sub(r"{%.*?%}", "", line)
            found += [
                f"{path.relative_to(root)}:{number}: {span.group(0)}"
                for span in re.finditer(r"`[^`]*`", text)
                if "{{" in span.group(0)
            ]
    assert found == []

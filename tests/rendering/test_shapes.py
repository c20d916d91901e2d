"""Runbooks are rendered once per shape and specialised per mailbox: the bytes are those of a
render of each runbook in full, for every kind and every sort of mailbox, and whatever a
template does with a mailbox's values."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from mailoauth_cfg.errors import RenderError
from mailoauth_cfg.loading import load_config
from mailoauth_cfg.model.building import build_config
from mailoauth_cfg.model.users import User
from mailoauth_cfg.rendering import Output, RenderResult, _render_outputs, render
from mailoauth_cfg.rendering.environment import Secret, make_environment
from tests.rendering.support import (
    CANARIES,
    CASES_DIR,
    KIND_CASES,
    KIND_SECRETS,
    REPO,
    VARIANT_SECRETS,
    golden_case,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from generate import generate

SECRETS = {
    **CANARIES,
    **VARIANT_SECRETS,
    **KIND_SECRETS,
    "ESC_MS_SECRET": "m'\\s",
    "ESC_G_SECRET": "g",
}
SECRETS |= {
    f"{t.upper()}_{k}": "CANARY-s3cret+/="
    for t in ("tenant0", "tenant1", "tenant2")
    for k in ("SECRET", "OPENBEE")
}
SECRETS |= {"G_WEB_SECRET": "CANARY-gweb", "G_DESKTOP_SECRET": "CANARY-gdesk"}


def _both(config: Path) -> list[RenderResult | str]:
    """The render of ``config`` with and without shapes (or the error each one raised)."""
    loaded = load_config(config)
    built = build_config(loaded)
    if built.config is None:
        return []
    results: list[RenderResult | str] = []
    for specialise in (True, False):
        try:
            results.append(
                render(
                    built.config,
                    loaded.marks,
                    config_name=config.name,
                    root=loaded.root,
                    environ=SECRETS,
                    specialise=specialise,
                )
            )
        except RenderError as exc:
            results.append(str(exc))
    return results


def _cases(tmp: Path) -> list[Path]:
    generated = tmp / "generated" / "mailoauth.yaml"
    generated.parent.mkdir()
    generated.write_text(generate(150, targets=40), encoding="utf-8")
    return [
        golden_case(tmp / "golden"),
        CASES_DIR / "variants" / "mailoauth.yaml",
        CASES_DIR / "escaping" / "mailoauth.yaml",
        *sorted(KIND_CASES.glob("*/render/*.yaml")),
        *sorted(KIND_CASES.glob("*/cases/*/pass.yaml")),
        *sorted((REPO / "tests" / "rules" / "cases").glob("*/pass.yaml")),
        generated,
    ]


def _seen(result: RenderResult | str) -> Any:
    if isinstance(result, str):
        return result
    return (
        [f.message for f in result.findings],
        [(f.path, f.content, f.mode, f.secret_spans) for f in result.files],
    )


def test_every_case_renders_the_same_bytes_specialised_or_in_full(tmp_path: Path) -> None:
    runbooks = 0
    for config in _cases(tmp_path):
        results = _both(config)
        if not results:
            continue
        shaped, full = results
        assert _seen(shaped) == _seen(full), config
        if not isinstance(full, str):
            runbooks += sum("/bootstrap/" in f.path for f in full.files)
    assert runbooks > 150


# --- the trace, on templates of its own -------------------------------------------------------


def _users(*specs: dict[str, Any]) -> list[User]:
    return [User.model_validate({"provider": "p", **spec}) for spec in specs]


USERS = _users(
    {"email": "ann@contoso.com"},
    {"email": "o'brien@contoso.com", "display_name": "O'Brien `x` | y"},
    {"email": "shared@contoso.com", "mailbox": "shared", "sign_in_as": "ann@contoso.com"},
    {"email": "bob@contoso.com"},
)


class _Counting:
    """Counts full renders and traces of one template (by wrapping ``render``)."""

    def __init__(self, source: str) -> None:
        self.template = make_environment().from_string(source)
        self.renders = 0
        original = self.template.render

        def counted(*args: Any, **kwargs: Any) -> str:
            self.renders += 1
            return original(*args, **kwargs)

        self.template.render = counted  # type: ignore[method-assign]


class _Env:
    """Just enough of an environment for ``_render_outputs``: one template by name."""

    def __init__(self, template: Any) -> None:
        self.template = template

    def get_template(self, name: str) -> Any:
        del name
        return self.template


def _render(
    source: str, shared: Mapping[str, Any], specialise: bool = True
) -> tuple[list[bytes], int]:
    counting = _Counting(source)
    outputs = [
        Output(
            f"{u.email}.md",
            "t.md.j2",
            shared,
            mailbox=u.email,
            own={"user": u, "sign_in": u.sign_in_as or u.email},
        )
        for u in USERS
    ]
    files = _render_outputs(None, _Env(counting.template), outputs, "x/", "x", specialise)  # type: ignore[arg-type]
    return [f.content for f in files], counting.renders


@pytest.mark.parametrize(
    ("source", "renders"),
    [
        # printed and escaped only: one trace serves every mailbox (+ the final check)
        ("{{ user.email }} {{ user.email | code }} {{ ['a', user.email] | command }}\n", 2),
        ("{{ sign_in | cell }} {{ user.display_name or 'none' }}\n", 3),
        # a choice on a mailbox's value: one shape per distinct value
        ('{% if user.mailbox == "shared" %}S {{ sign_in | code }}{% else %}U{% endif %}\n', 3),
        # its characters read by Python code: a fact, and a trace, for each mailbox
        ('{{ user.email.split("@")[0] | upper }} {{ user.email | length }}\n', 5),
        ("{{ user.email ~ '.md' }} {{ '%s!' % user.email }}\n", 5),
    ],
)
def test_a_trace_is_reused_only_when_every_fact_it_read_is_the_same(
    source: str, renders: int
) -> None:
    shaped, count = _render(source, {})
    full, full_count = _render(source, {}, specialise=False)
    assert shaped == full
    assert full_count == len(USERS)
    assert count == renders


def test_reading_characters_the_trace_cannot_see_is_caught_by_the_final_full_render() -> None:
    # `in` with the mailbox on the left is answered by str's own C code, unseen by the trace;
    # the last mailbox differs, so the group is rendered in full again.
    source = '{% if user.email in "bob@contoso.com" %}bob{% else %}other{% endif %}\n'
    shaped, _ = _render(source, {})
    full, _ = _render(source, {}, specialise=False)
    assert shaped == full == [b"other", b"other", b"other", b"bob"]


def test_a_secret_or_an_object_printed_whole_is_rendered_in_full() -> None:
    secret = Secret("s3cret-value", "env:S")
    shaped, count = _render("{{ secret }} {{ user.email }}\n", {"secret": secret})
    assert count == len(USERS) + 1  # the trace saw the secret: every runbook in full
    assert shaped[0] == b"s3cret-value ann@contoso.com\n"
    with pytest.raises(Exception, match="printed a User"):
        _render("{{ user }}\n", {})


def test_a_target_s_runbooks_come_from_a_few_traces_not_one_render_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The runbooks of three file-based targets for 60 mailboxes (each with its own signer and
    scopes in the runbook) are specialised from a handful of renders, not rendered 180 times."""
    from generate import generate_render
    from jinja2 import Template

    config = tmp_path / "mailoauth.yaml"
    config.write_text(generate_render(60), encoding="utf-8")
    loaded = load_config(config)
    built = build_config(loaded)
    assert built.config is not None
    renders = 0
    original = Template.render

    def counted(self: Template, *args: Any, **kwargs: Any) -> str:
        nonlocal renders
        renders += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Template, "render", counted)
    result = render(built.config, loaded.marks, config_name=config.name, root=loaded.root)
    runbooks = sum("/bootstrap/" in f.path for f in result.files)
    assert runbooks == 180
    assert renders < 30


def test_files_handed_to_the_writer_early_are_handed_again_when_replaced(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The writer stages files as they are rendered and keeps a staged file only if it is the
    very object of the final list; a runbook redone in full after its group's check failed must
    therefore be handed over again, so that the last one handed for each path is the final."""
    import mailoauth_cfg.rendering as rendering

    monkeypatch.setattr(rendering, "BATCH", 1)
    source = '{% if user.email in "bob@contoso.com" %}bob{% else %}other{% endif %}\n'
    shared: dict[str, Any] = {}  # one context: the runbooks form one group
    outputs = [
        Output(
            f"{u.email}.md", "t.md.j2", shared, mailbox=u.email, own={"user": u, "sign_in": u.email}
        )
        for u in USERS
    ]
    handed: list[Any] = []
    files = _render_outputs(
        None,  # type: ignore[arg-type]
        _Env(_Counting(source).template),
        outputs,
        "x/",
        "x",
        True,
        handed.extend,
    )
    assert [f.content for f in files] == [b"other", b"other", b"other", b"bob"]
    last = {f.path: f for f in handed}
    assert all(last[f.path] is f for f in files), "the final files are the last ones handed"
    assert len(handed) > len(files), "the redone runbooks were handed a second time"

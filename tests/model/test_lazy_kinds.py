"""A config builds the models of the kinds it uses only; ``targets:`` entries are validated by
tag with exactly the errors (types, messages, locations) of the tagged union of every kind."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from mailoauth_cfg import targets as registry
from mailoauth_cfg.model import MailConfig
from mailoauth_cfg.model.targets import union
from tests.fresh import python

REPO = Path(__file__).resolve().parents[2]


class _Eager(BaseModel):
    """The ``targets:`` section as one tagged union of every kind (imports them all)."""

    targets: dict[str, union()]  # type: ignore[valid-type]


ENTRIES: list[Any] = [
    5,
    None,
    "msmtp",
    [1],
    {},
    {"type": 5},
    {"type": ["msmtp"]},
    {"type": "nope"},
    {"type": "Msmtp"},
    {"type": None},
    {"type": "msmtp"},
    {"type": "msmtp", "bogus": 1, "version": "x y"},
    {"type": "msmtp", "users": "not-a-list", "app": "bad name!"},
    {"type": "dolibarr", "url": "ftp://x", "version": [1]},
    {"type": "postfix-sasl-xoauth2", "users": ["a@contoso.com"], "token_dir": "\n"},
    {"type": "odoo", "url": "https://erp.contoso.com", "version": 17, "database": "prod"},
]


def _errors(model: type[BaseModel], data: dict[str, Any]) -> list[dict[str, Any]] | BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        return [
            {k: str(v) if k == "ctx" else v for k, v in error.items()}
            for error in exc.errors(include_url=False)
        ]


@pytest.mark.parametrize("entry", ENTRIES, ids=[json.dumps(e)[:40] for e in ENTRIES])
def test_an_entry_validated_by_tag_gives_what_the_tagged_union_gives(entry: Any) -> None:
    lazy = _errors(MailConfig, {"version": 1, "targets": {"t": entry}})
    eager = _errors(_Eager, {"targets": {"t": entry}})
    if isinstance(eager, BaseModel):
        assert isinstance(lazy, MailConfig)
        assert lazy.targets == eager.targets  # type: ignore[attr-defined]
    else:
        assert lazy == eager


def test_validating_a_config_imports_only_the_kinds_it_uses(tmp_path: Path) -> None:
    config = tmp_path / "mailoauth.yaml"
    config.write_text(
        "version: 1\n"
        "providers: {contoso: {type: microsoft, tenant: contoso.onmicrosoft.com}}\n"
        "users: [{email: ann@contoso.com, provider: contoso}]\n"
        "targets: {relay: {type: msmtp, users: [ann@contoso.com]}}\n",
        encoding="utf-8",
    )
    code = (
        "import sys, datetime\n"
        "from mailoauth_cfg.validation import validate_file\n"
        f"validate_file({str(config)!r}, as_of=datetime.date(2026, 11, 22))\n"
        "print(sorted({m.split('.')[2] for m in sys.modules"
        " if m.startswith('mailoauth_cfg.targets.') and not m.split('.')[2].startswith('_')}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert json.loads(done.stdout.replace("'", '"')) == ["msmtp"]
    assert len(registry.kind_keys()) > 5


def test_validating_a_config_builds_validators_for_what_it_validates_only(tmp_path: Path) -> None:
    """The config model and the models of the kinds in use validate input; values made from
    what they validated (an app's secret references) are constructed, and build no validator
    (each is a schema to generate at start-up)."""
    sys.path.insert(0, str(REPO / "bench"))
    from generate import generate

    config = tmp_path / "mailoauth.yaml"
    config.write_text(generate(1, targets=1), encoding="utf-8")
    code = (
        "import datetime\n"
        "from pydantic import BaseModel\n"
        "from mailoauth_cfg.validation import validate_file\n"
        f"done = validate_file({str(config)!r}, as_of=datetime.date(2026, 11, 22))\n"
        "assert done.config is not None and not done.config.rules\n"
        "assert any(a.client_secret for a in done.config.apps.values())\n"
        "built, todo = set(), [BaseModel]\n"
        "while todo:\n"
        "    cls = todo.pop()\n"
        "    todo.extend(cls.__subclasses__())\n"
        "    if cls.__dict__.get('__pydantic_complete__'):\n"
        "        built.add(cls.__name__)\n"
        "print(' '.join(sorted(built)))\n"
        "print(' '.join(sorted({type(t).__name__ for t in done.config.targets.values()})))\n"
    )
    done = python("-c", code)
    assert done.returncode == 0, done.stderr
    built, used = (set(line.split()) for line in done.stdout.splitlines())
    assert built == {"MailConfig", *used}

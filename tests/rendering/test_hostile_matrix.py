"""Hostile-value matrix: every string field of every target kind × payloads that break each
output syntax, read back by the real consumers. Zero breakouts.

The fields are enumerated from the models (the target union, and the user, app and provider a
target renders from), not from a list kept here. For each kind a base config gives every such
field a unique, valid value; each payload then replaces one field (as is, and embedded in the
field's valid value, for fields with a form such as a URL or a mailbox), and the result must be
either

* a **located rejection**: an error finding with a file and line (schema, or a value a syntax
  cannot carry at render time), or
* a render whose files the real consumers read back exactly as the base render's, the base
  value replaced by the payload: same constants, options, parameters, accounts, arguments and
  strings, and nothing that ran (a ``PWNED`` file) on the way.

Secrets get the same payloads through the environment. See :mod:`tests.rendering.consumers`.
"""

from __future__ import annotations

import copy
import itertools
import re
import shlex
import types
import typing
import urllib.parse
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import pytest
import yaml
from pydantic import BaseModel

from mailoauth_cfg import targets as registry
from mailoauth_cfg.errors import RenderError
from mailoauth_cfg.findings import Severity
from mailoauth_cfg.loading import load_config
from mailoauth_cfg.model import App, Provider, User
from mailoauth_cfg.model.building import build_config
from mailoauth_cfg.model.targets import union
from mailoauth_cfg.rendering import render
from tests.rendering.consumers import (
    PS_QUOTES,
    Breakout,
    Observation,
    powershell_strings,
    read_back,
)

SECRET_ENV = "MATRIX_SECRET"
PASSWORD_ENV = "MATRIX_APP_PASSWORD"
TENANT = "6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d"

#: What breaks each syntax (and a few things that break them all). Each `touch PWNED` would
#: leave a file behind if it ran.
PAYLOADS: tuple[str, ...] = (
    "a'b",
    'a"b',
    "a`b",
    "a\\b",
    "x'; touch PWNED; '",
    'x"; touch PWNED; "',
    "$(touch PWNED)",
    "`touch PWNED`",
    "${IFS}touch${IFS}PWNED",
    "a\nb",
    "a\r\nb",
    "a\x00b",
    "a\tb",
    "?><?php touch('PWNED'); ?>",
    "'.touch('PWNED').'",
    "\\'; touch PWNED; #",
    "x'); DROP TABLE llx_const; --",
    "{{ 7*7 }}{% raw %}",
    "a # b ; c",
    "x]\n[emailproxy]",
    "[section]",
    "\u2018\u2019\u201a\u201b\u201c\u201d",
    "x\u2019; New-Item PWNED; \u2018",
    "\u202eevil",
    "a\u200bb",
    "%(x)s %% %41 %2B ~",
    "$HOME ${x} $$ $(y)",
    "-oProxyCommand=touch PWNED",
    " lead",
    "trail ",
    "a,b {c} d",
    "a|b <script>x</script> [l](javascript:x) *e* _u_ &amp;",
    "\u00e9 \u6f22\u5b57 \U0001f600",
    "/../../etc/passwd",
    "x" * 4000,
)


# --- the fields, from the models ---------------------------------------------------------------


def _unwrap(annotation: Any) -> list[Any]:
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [a for arg in get_args(annotation) for a in _unwrap(arg)]
    return [annotation]


def _metadata(annotation: Any) -> list[Any]:
    if get_origin(annotation) is typing.Annotated:
        return [*get_args(annotation)[1:], *_metadata(get_args(annotation)[0])]
    if get_origin(annotation) in (typing.Union, types.UnionType):
        return [m for arg in get_args(annotation) for m in _metadata(arg)]
    return []


def _form(annotation: Any, extra: list[Any] | None = None) -> str:
    """The form of a text field: the name of its validator (``_check_url``...) or ``text``."""
    metadata = [*(extra or []), *_metadata(annotation)]
    metadata += [m for meta in metadata for m in getattr(meta, "metadata", [])]  # Field(...)
    for meta in metadata:
        func = getattr(meta, "func", None)
        if func is not None:
            return str(func.__name__).removeprefix("_check_")
        pattern = getattr(meta, "pattern", None)
        if pattern is not None:
            return "pattern:" + str(pattern)
    return "text"


def string_fields(model: type[BaseModel], prefix: tuple[Any, ...] = ()) -> Iterator[Any]:
    """(key path, form) of every text a model holds; ``0`` stands for a list item, ``KEY``
    for a mapping key and ``VALUE`` for the value under it."""
    for name, info in model.model_fields.items():
        annotation = info.annotation
        for member in _unwrap(annotation):
            origin = get_origin(member)
            if member is str:
                yield (*prefix, name), _form(annotation, list(info.metadata))
            elif origin is list:
                (item,) = get_args(member)
                inner = _unwrap(item)
                if str in inner:
                    yield (*prefix, name, 0), _form(item)
                for sub in inner:
                    if isinstance(sub, type) and issubclass(sub, BaseModel):
                        yield from string_fields(sub, (*prefix, name, 0))
            elif origin is dict:
                key, value = get_args(member)
                if str in _unwrap(key):
                    yield (*prefix, name, KEY), _form(key)
                for sub in _unwrap(value):
                    if isinstance(sub, type) and issubclass(sub, BaseModel):
                        yield from string_fields(sub, (*prefix, name, VALUE))
            elif isinstance(member, type) and issubclass(member, BaseModel):
                yield from string_fields(member, (*prefix, name))
            elif get_origin(member) is Literal:
                continue


KEY = "<key>"
VALUE = "<value>"


def fill_required(model: type[BaseModel], node: Any) -> None:
    """Give each model the config holds below ``node`` its required choices (the first one a
    ``Literal`` allows): a field set inside a ``token_helper`` needs its ``type``."""
    if not isinstance(node, dict):
        return
    for name, info in model.model_fields.items():
        for member in _unwrap(info.annotation):
            origin = get_origin(member)
            if origin is Literal and info.is_required() and name not in node:
                node[name] = get_args(member)[0]
            elif isinstance(member, type) and issubclass(member, BaseModel):
                fill_required(member, node.get(name))
            elif origin in (list, dict) and name in node:
                inner = get_args(member)[-1]
                items = node[name] if origin is list else list((node[name] or {}).values())
                for sub in _unwrap(inner):
                    if isinstance(sub, type) and issubclass(sub, BaseModel):
                        for item in items or ():
                            fill_required(sub, item)


def target_models() -> dict[str, type[BaseModel]]:
    """Target kind → model, from the union of every kind (checked against the registry)."""
    members = [m for m in _unwrap(union()) if isinstance(m, type) and issubclass(m, BaseModel)]
    out = {get_args(m.model_fields["type"].annotation)[0]: m for m in members}
    assert set(out) == set(registry.kind_keys()), "the model's union and the registry disagree"
    return out


# --- the base config and how a field is set -----------------------------------------------------


def base_value(form: str, marker: str) -> str:
    if form == "pattern:^[0-9]{6,20}$":  # a project number
        return f"{900000 + int(marker[2:])}"
    return {
        "text": f"{marker}-text",
        "path": f"/srv/{marker}/p",
        "url": f"https://{marker}.contoso.com",
        "uri": f"https://{marker}.contoso.com/cb",
        "url_path": f"/{marker}/cb",
        "host": f"{marker}.contoso.com",
        "endpoint": f"{marker}.contoso.com",
        "command": f"{marker}-command",
        "version": "23.0.77",
        "email": f"{marker}@contoso.com",
        "domain": f"{marker}.example",
        "tenant": f"{marker}.onmicrosoft.com",
        "home_tenant": f"{marker}.onmicrosoft.com",
    }.get(form, f"{marker}-x")


@dataclass
class Field:
    """One text of the config a target renders from."""

    label: str
    form: str
    get: Callable[[dict[str, Any]], str]
    put: Callable[[dict[str, Any], dict[str, str], str], None]
    """Set the value in the config (and the environment, for secrets and their names)."""


def _at(path: tuple[Any, ...]) -> tuple[Callable[..., str], Callable[..., None]]:
    def parent(doc: dict[str, Any]) -> Any:
        node: Any = doc
        for part in path[:-1]:
            node = next(iter(node.values())) if part == VALUE else node[part]
        return node

    def get(doc: dict[str, Any]) -> str:
        node = parent(doc)
        if path[-1] == KEY:
            return str(next(iter(node)))
        return str(node[path[-1]])

    def put(doc: dict[str, Any], env: dict[str, str], value: str) -> None:
        node = parent(doc)
        if path[-1] == KEY:
            old = next(iter(node))
            node[value] = node.pop(old)
        else:
            node[path[-1]] = value

    return get, put


def fields_of(kind: str, model: type[BaseModel], doc: dict[str, Any]) -> list[Field]:
    """Every text field that reaches this kind's outputs, with the base config's values."""
    out: list[Field] = []
    target = ("targets", "t")
    skip = {("type",)}
    for path, form in string_fields(model):
        if path in skip or path[0] in ("users", "app"):
            continue  # the mailbox and the app reference are linked fields, below
        full = (*target, *path)
        if path[0] in ("user_ids", "credential") or path[:2] == ("accounts", KEY):
            continue  # keyed by the mailbox, or naming the app's credential: below
        if path[-1] in ("env", "file") and path[0] == "app_password":
            continue  # the secret's name and file: below, with the secret
        _ensure(doc, full, form, f"zq{len(out)}")
        get, put = _at(full)
        out.append(Field(f"targets.{kind}.{'.'.join(map(str, path))}", form, get, put))
    provider_model = next(
        m
        for m in _unwrap(Provider)
        if get_args(m.model_fields["type"].annotation)[0] == doc["providers"]["p"]["type"]
    )
    for model_cls, prefix in (
        (User, ("users", 0)),
        (App, ("apps", "zqapp")),
        (provider_model, ("providers", "p")),
    ):
        for path, form in string_fields(model_cls):
            if path in (("provider",), ("email",), ("type",)) or path[0] in ("suppress",):
                continue
            if path[0] in ("client_secret", "certificate", "credentials"):
                continue  # secrets and their references: below
            if path[0] in ("granted_mailboxes", "aliases"):
                continue
            full = (*prefix, *path)
            _ensure(doc, full, form, f"zq{len(out)}")
            get, put = _at(full)
            out.append(Field(".".join(map(str, full)), form, get, put))

    def get_mailbox(d: dict[str, Any]) -> str:
        return str(d["users"][0]["email"])

    def put_mailbox(d: dict[str, Any], env: dict[str, str], value: str) -> None:
        old = d["users"][0]["email"]
        d["users"][0]["email"] = value
        t = d["targets"]["t"]
        t["users"] = [value if u == old else u for u in t["users"]]
        for keyed in ("user_ids", "accounts"):
            if keyed in t:
                t[keyed] = {value if k == old else k: v for k, v in t[keyed].items()}

    out.append(Field("users[0].email (the mailbox)", "email", get_mailbox, put_mailbox))

    def get_secret(d: dict[str, Any]) -> str:
        return "zqsecret value"

    def put_secret(d: dict[str, Any], env: dict[str, str], value: str) -> None:
        env[SECRET_ENV] = value
        env[PASSWORD_ENV] = value

    out.append(Field("the client secret (environment)", "secret", get_secret, put_secret))

    def get_secret_name(d: dict[str, Any]) -> str:
        return str(d["apps"]["zqapp"]["client_secret"]["env"])

    def put_secret_name(d: dict[str, Any], env: dict[str, str], value: str) -> None:
        d["apps"]["zqapp"]["client_secret"]["env"] = value
        env[value] = env.pop(SECRET_ENV, "zqsecret value")

    out.append(Field("apps.zqapp.client_secret.env", "env", get_secret_name, put_secret_name))

    # The same secret declared in the app's `credentials` list, the target naming it.
    def as_credential(d: dict[str, Any], name: str, variable: str) -> None:
        app = d["apps"]["zqapp"]
        app["credentials"] = [{**app.pop("client_secret"), "name": name, "env": variable}]
        d["targets"]["t"]["credential"] = name

    def put_credential_secret(d: dict[str, Any], env: dict[str, str], value: str) -> None:
        as_credential(d, "zqcred", SECRET_ENV)
        env[SECRET_ENV] = value

    out.append(
        Field(
            "apps.zqapp.credentials[0] (environment)", "secret", get_secret, put_credential_secret
        )
    )

    def put_credential_name(d: dict[str, Any], env: dict[str, str], value: str) -> None:
        as_credential(d, "zqcred", value)
        env[value] = env.pop(SECRET_ENV, "zqsecret value")

    out.append(Field("apps.zqapp.credentials[0].env", "env", get_secret_name, put_credential_name))

    def get_credential(d: dict[str, Any]) -> str:
        return "zqcred"

    def put_credential(d: dict[str, Any], env: dict[str, str], value: str) -> None:
        as_credential(d, value, SECRET_ENV)

    out.append(
        Field(
            "targets.t.credential = apps.zqapp.credentials[0].name",
            "credential",
            get_credential,
            put_credential,
        )
    )
    fill_required(model, doc["targets"]["t"])
    return out


def _ensure(doc: dict[str, Any], path: tuple[Any, ...], form: str, marker: str) -> None:
    node: Any = doc
    for part, following in itertools.pairwise(path):
        if part == VALUE:  # the value of the mapping's (only) key, created by base_config
            node = next(iter(node.values()))
            continue
        if isinstance(node, list):
            while len(node) <= part:
                node.append({} if not isinstance(following, int) else [])
            node = node[part]
            continue
        if part not in node:
            node[part] = [] if isinstance(following, int) else {}
        node = node[part]
    last = path[-1]
    if last == KEY:
        if not node:
            node[base_value(form, marker)] = 1
    elif isinstance(node, list):
        if not node:
            node.append(base_value(form, marker))
    else:
        node[last] = base_value(form, marker)


def base_config(kind: str, provider: str) -> dict[str, Any]:
    email = "zqmailbox@contoso.com"
    protocols = list(registry.plugin(kind).facts.protocols(provider)) or ["smtp"]
    target: dict[str, Any] = {
        "type": kind,
        "app": "zqapp",
        "users": [email],
        "protocols": [p for p in protocols if p != "pop"] or protocols,
    }
    if kind == "dolibarr-multismtp":
        target["user_ids"] = {email: 7}
    if "accounts" in target_models()[kind].model_fields:
        target["accounts"] = {email: {}}  # what the application holds for the mailbox
    if kind == "openbee" and provider == "google":
        target["app_password"] = {"env": PASSWORD_ENV}
    providers = {
        "microsoft": {"type": "microsoft", "tenant": TENANT},
        "google": {"type": "google", "domain": "contoso.com"},
    }
    return {
        "version": 1,
        "providers": {"p": providers[provider]},
        "apps": {
            "zqapp": {
                "provider": "p",
                "client_id": "1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b",
                "client_secret": {"env": SECRET_ENV},
            }
        },
        "users": [{"email": email, "provider": "p"}],
        "targets": {"t": target},
    }


# --- running one case --------------------------------------------------------------------------


@dataclass
class Outcome:
    rejected: bool
    files: dict[str, bytes]
    problem: str = ""


def attempt(doc: dict[str, Any], env: dict[str, str], directory: Path) -> Outcome:
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "mailoauth.yaml"
    text = yaml.dump(  # libyaml's emitter: the Python one took half of the matrix's time
        doc, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False, width=10**6
    )
    config.write_text(text, encoding="utf-8")
    loaded = load_config(config)
    findings = list(loaded.findings)
    built = build_config(loaded) if loaded.ok else None
    if built is not None:
        findings += built.findings
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if errors or built is None or built.config is None:
        unlocated = [f for f in errors if f.location.line < 1 or not f.location.file]
        if unlocated or not errors:
            return Outcome(True, {}, f"a rejection without a location: {unlocated or findings}")
        return Outcome(True, {})
    try:
        result = render(
            built.config, loaded.marks, config_name=config.name, root=loaded.root, environ=env
        )
    except RenderError as exc:
        return Outcome(True, {}, f"render refused it without a location: {exc}")
    if result.findings:
        unlocated = [f for f in result.findings if f.location.line < 1]
        return Outcome(True, {}, f"unlocated: {unlocated}" if unlocated else "")
    return Outcome(False, {f.path: f.content for f in result.files})


def _words(text: str) -> list[str] | None:
    """The words of a command line in a runbook, as sh (or PowerShell) reads them."""
    first = text.split(" ", 1)[0]
    if re.fullmatch(r"[A-Z][a-z]+-[A-Za-z]+", first):  # Verb-Noun: a PowerShell cmdlet
        return powershell_words(text)
    try:
        return shlex.split(text)
    except ValueError:
        return None


def powershell_words(text: str) -> list[str] | None:
    words: list[str] = []
    rest = text
    while rest:
        rest = rest.lstrip(" ")
        if not rest:
            break
        if rest[0] in PS_QUOTES:
            strings = list(powershell_strings(rest, "runbook"))
            if not strings:
                return None
            value = strings[0][1]
            # the verbatim string ends after len(value) characters plus doubled quotes
            consumed, index, seen = 1, 1, 0
            while seen < len(value) or rest[index] not in PS_QUOTES:
                if rest[index] in PS_QUOTES:
                    index += 2
                else:
                    index += 1
                seen += 1
                consumed = index
            words.append(value)
            rest = rest[consumed + 1 :]
        else:
            word, _, rest = rest.partition(" ")
            words.append(word)
    return words


def _replace_words(words: list[str], old: str, new: str, split: bool) -> list[str]:
    out: list[str] = []
    for word in words:
        if split and word == old:
            out.extend(shlex.split(new))
        else:
            out.append(word.replace(old, new))
    return out


def same_markdown(base: Observation, got: Observation, old: str, new: str, split: bool) -> bool:
    """A runbook paragraph reads the same, the value replaced; a code span holding a command
    holds the same words (however each is quoted)."""
    if len(base) != len(got):
        return False
    if any(
        got == tuple(p.replace(old, e) for p in base) for e in _encoded(new)
    ):  # the value inside a URL of the runbook
        return True
    for want, have in zip(base, got, strict=True):
        if want.startswith("code:") and have.startswith("code:"):
            base_text, got_text = want[5:], have[5:]
            if " " in base_text or (split and base_text == old):  # a command line
                words = _words(base_text)
                if words is None or _words(got_text) != _replace_words(words, old, new, split):
                    return False
                continue
            if got_text != base_text.replace(old, new):
                return False
        elif have != want.replace(old, new):
            return False
    return True


SQL_OMISSION = "The SQL file leaves out"
HIDDEN_NAME = "(name hidden: it may be a secret)"


def _encoded(new: str) -> set[str]:
    """Forms a value legitimately takes in what is built from it: percent-encoded in a URL,
    without the spaces around a client ID or the brackets around a relay host (Postfix's
    ``[host]``: the template adds its own), with the "/" a redirect path starts with."""
    return {
        form(text)
        # a secret's odd-looking name is hidden; a URL path gets its leading "/"
        for text in (new, new.strip(), new.strip("[]"), HIDDEN_NAME, "/" + new)
        for form in (str, lambda t: urllib.parse.quote(t, safe=""), urllib.parse.quote_plus)
    }


def compare(
    base: list[Observation], got: list[Observation], old: str, new: str, payload: str, split: bool
) -> str:
    """'' when ``got`` is ``base`` with ``old`` replaced by ``new``, else what differs."""

    def md(obs: list[Observation], rename: bool) -> dict[tuple[str, str], Observation]:
        return {
            (o[1].replace(old, new) if rename else o[1], o[2]): o[3:] for o in obs if o[0] == "md"
        }

    base_md, got_md = md(base, True), md(got, False)
    if set(base_md) != set(got_md):
        return f"runbook structure: {sorted(set(base_md) ^ set(got_md))[:3]}"
    for key, parts in base_md.items():
        got_parts = got_md[key]
        cut = next((i for i, part in enumerate(got_parts) if SQL_OMISSION in part), None)
        if cut is not None and not any(SQL_OMISSION in part for part in parts):
            # the README names the rows the SQL file leaves out, after the paragraph's text
            head = got_parts[cut][: got_parts[cut].index(SQL_OMISSION)].rstrip()
            got_parts = (*got_parts[:cut], *([head] if head not in ("text:", "") else []))
        if not same_markdown(parts, got_parts, old, new, split):
            return f"runbook {key}: want {parts} (with the value), got {got_md[key]}"
    want = []
    for obs in base:
        if obs[0] == "md":
            continue
        if obs[0] == "passwordeval":
            head = tuple(part.replace(old, new) for part in obs[:3])
            want.append((*head, *_replace_words(list(obs[3:]), old, new, split)))
        elif obs[0] == "systemd" and obs[3] == "ExecStart":
            head = tuple(part.replace(old, new) for part in obs[:4])
            want.append((*head, *_replace_words(list(obs[4:]), old, new, split)))
        else:
            want.append(tuple(part.replace(old, new) for part in obs))
    have = comparable([o for o in got if o[0] != "md"], payload)
    # a value inside a URL's query is percent-encoded there: either form reads back intact
    encoded = _encoded(new) - {new}
    missing = []
    for obs in comparable(want, payload):
        forms = [obs] + [tuple(p.replace(new, e) for p in obs) for e in encoded]
        found = next((f for f in forms if f in have), None)
        if found is None:
            missing.append(obs)
        else:
            have.remove(found)
    if missing or have:
        return f"-{missing[:3]} +{have[:3]}"
    return ""


def comparable(observations: list[Observation], payload: str) -> list[Observation]:
    """The observations a payload can change without a breakout. A SQL file leaves out, by
    design and saying so, the rows a SQL literal cannot carry (a backslash, a control
    character): with such a payload its rows are checked through the PHP script instead. The
    host config (``mailoauth.yaml``) copies the source config's own shape, which a field's
    variant may change (an app's ``credentials`` list instead of its ``client_secret``): it is
    read back whole by mailoauth-cfg's loader (a breakout or a value it cannot load fails
    there), and its values are compared in tests/rendering/test_host_config.py."""
    unsafe_for_sql = any(c == "\\" or (ord(c) < 32 and c not in "\n\t") for c in payload)
    return sorted(
        obs
        for obs in observations
        if obs[0] not in ("sql-omitted", "yaml") and not (obs[0] == "sql" and unsafe_for_sql)
    )


def stored(config_doc: dict[str, Any], field: Field) -> str:
    """The value as the model keeps it (domains and GUIDs are lower-cased)."""
    return field.get(config_doc)


def placements(field: Field, base: str, payload: str) -> list[str]:
    """The payload as the whole value, and inside a valid value of the field's form (a path
    stays absolute, a command keeps its program, a mailbox its domain)."""
    if field.form in ("path", "command"):
        return [base + payload]
    if field.form in ("text", "secret"):
        return [payload]
    at = base.find("@") if field.form == "email" else len(base)
    return [payload, base[:at] + payload + base[at:]]


KIND_PROVIDERS = [
    (kind, provider)
    for kind in sorted(registry.kind_keys())
    for provider in registry.plugin(kind).facts.providers
]


@pytest.mark.parametrize(("kind", "provider"), KIND_PROVIDERS)
def test_no_hostile_value_breaks_out(kind: str, provider: str, tmp_path: Path) -> None:
    model = target_models()[kind]
    doc = base_config(kind, provider)
    fields = fields_of(kind, model, doc)
    env = {SECRET_ENV: "zqsecret value", PASSWORD_ENV: "zqsecret value"}
    baseline = attempt(doc, env, tmp_path / "base")
    assert not baseline.rejected, baseline.problem or "the base config must render"
    assert baseline.files
    base_reads = read_back(baseline.files, tmp_path / "base-read")
    problems: list[str] = []
    counts = {"cases": 0, "rejected": 0, "read back": 0, "unchanged": 0}
    # The consumers are other programs (php, dash, msmtp, postconf...): each case's files are
    # read back on a worker thread while the next case renders here. Each case has its own
    # directory (a PWNED file is always the case's own), and the cases are judged in order.
    readings: list[tuple[str, str, str, str, bool, Future[list[Observation]]]] = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for number, field in enumerate(fields):
            old = field.get(doc)
            for payload in PAYLOADS:
                for value in placements(field, old, payload):
                    counts["cases"] += 1
                    case_doc = copy.deepcopy(doc)
                    case_env = dict(env)
                    field.put(case_doc, case_env, value)
                    where = tmp_path / f"case-{number}-{counts['cases']}"
                    outcome = attempt(case_doc, case_env, where)
                    label = f"{field.label} = {value[:60]!r}"
                    if outcome.problem:
                        problems.append(f"{label}: {outcome.problem}")
                        continue
                    if outcome.rejected:
                        counts["rejected"] += 1
                        continue
                    changed = {
                        path: content
                        for path, content in outcome.files.items()
                        if baseline.files.get(path) != content
                    }
                    if not changed and set(outcome.files) == set(baseline.files):
                        counts["unchanged"] += 1
                        continue
                    counts["read back"] += 1
                    reading = pool.submit(read_back, outcome.files, where / "read")
                    readings.append((label, old, value, payload, field.form == "command", reading))
        for label, old, value, payload, command, reading in readings:
            try:
                reads = reading.result()
            except Breakout as exc:
                problems.append(f"{label}: BREAKOUT {exc}")
                continue
            differs = compare(base_reads, reads, old, value, payload, command)
            if differs:
                problems.append(f"{label}: read back differently: {differs}"[:600])
    print(f"{kind}/{provider}: {len(fields)} fields, {counts}")
    assert counts["read back"] > 0
    assert not problems, "\n".join(problems[:40])

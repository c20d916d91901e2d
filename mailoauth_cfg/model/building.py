"""Build a :class:`MailConfig` from loaded values, turning every problem into a located finding.

Pydantic's errors name a ``loc`` such as ``("targets", "erp", "<type>", "url")``; this module
maps that back to the YAML node (``targets.erp.url`` at ``file:line:col``), rewrites the message
for a human (what was found, what is expected, "did you mean"), and adds a concrete fix.
Cross-references (an app's provider, a target's app and users) are resolved here too.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable, Sequence
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ValidationError

from mailoauth_cfg.findings import Edit, Finding, Location, ObjectKind, ObjectRef, Severity
from mailoauth_cfg.loading import LoadResult
from mailoauth_cfg.locations import PathKey, SourceMap, format_path, is_hidden_key, is_secret_path
from mailoauth_cfg.model.config import MailConfig
from mailoauth_cfg.model.targets import Target, target_model
from mailoauth_cfg.records import record


@record
class BuildResult:
    """The model (``None`` when the schema rejected the document as a whole) and the findings.

    An object the schema rejects (one provider, app, user, target or rule setting) is left out
    of the model and reported; every other object is built and checked. ``marks`` locates the
    model's key paths (``users`` indexes shift when a mailbox is left out); ``dropped`` counts
    the objects left out.
    """

    config: MailConfig | None
    findings: list[Finding]
    marks: SourceMap | None = None
    dropped: int = 0


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice closest to ``word`` (case-insensitive match first), if any is close."""
    pool = list(choices)
    lowered = {c.lower(): c for c in pool}
    if word.lower() in lowered:
        return lowered[word.lower()]
    import difflib  # on use: rarely needed, and not free to import

    match = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    return match[0] if match else None


def suggest(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` when a close match exists, else an empty string."""
    match = closest(word, choices)
    return f" (did you mean {match!r}?)" if match is not None and match != word else ""


def _data_path(data: Any, loc: Sequence[str | int]) -> tuple[PathKey, bool]:
    """Follow ``loc`` through the data; skip union tags. Returns (path, reached_the_end)."""
    path: list[str | int] = []
    current: Any = data
    complete = True
    for element in loc:
        if isinstance(current, dict) and isinstance(element, str) and element in current:
            path.append(element)
            current = current[element]
        elif isinstance(current, list) and isinstance(element, int) and 0 <= element < len(current):
            path.append(element)
            current = current[element]
        elif element == "[key]":
            continue
        else:
            complete = False
    return tuple(path), complete


def _value_at(data: Any, path: PathKey) -> Any:
    """The value at ``path`` (a path :func:`_data_path` returned)."""
    for element in path:
        data = data[element]
    return data


def _unwrap(annotation: Any) -> list[Any]:
    """Flatten Annotated/Optional/Union into their member types."""
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        out: list[Any] = []
        for arg in get_args(annotation):
            out.extend(_unwrap(arg))
        return out
    return [annotation]


def _model_at(loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The model class whose fields apply at ``loc`` (following tags for unions)."""
    candidates: list[Any] = [MailConfig]
    for element in loc:
        next_candidates: list[Any] = []
        for candidate in candidates:
            origin = get_origin(candidate)
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                field = candidate.model_fields.get(str(element))
                if field is not None:
                    next_candidates.extend(_unwrap(field.annotation))
                elif _tag_of(candidate) == element:
                    next_candidates.append(candidate)
            elif origin in (list, tuple, Sequence) and isinstance(element, int):
                next_candidates.extend(_unwrap(get_args(candidate)[0]))
            elif origin is dict and isinstance(element, str):
                next_candidates.extend(_unwrap(get_args(candidate)[1]))
            elif candidate is Target:  # a target entry: its kind's model, by tag
                model = target_model(element)
                if model is not None:
                    next_candidates.append(model)
        tagged = [c for c in next_candidates if _tag_of(c) is not None]
        if len(tagged) > 1 and not any(_tag_of(c) == element for c in tagged):
            pass  # keep all; the next element is the tag that picks one
        candidates = next_candidates
        if not candidates:
            return None
    models = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
    return models[0] if len(models) == 1 else None


def _tag_of(candidate: Any) -> str | None:
    if isinstance(candidate, type) and issubclass(candidate, BaseModel):
        field = candidate.model_fields.get("type")
        if field is not None and get_origin(field.annotation) is Literal:
            value = get_args(field.annotation)[0]
            return str(value)
    return None


HIDDEN = "a value (hidden: it may be a secret)"
"""What a message says instead of a value found where a secret (reference) belongs."""


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "an empty value (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    text = str(value)
    return repr(text if len(text) <= 60 else text[:60] + "…")


def _choices(expected: str) -> str:
    return expected.replace(" or ", ", ")


def _translate(error: Any, data: Any, marks: SourceMap) -> Finding:
    loc: tuple[str | int, ...] = tuple(error["loc"])
    kind: str = error["type"]
    ctx: dict[str, Any] = error.get("ctx") or {}
    value = error.get("input")
    path, complete = _data_path(data, loc)
    describe = _describe
    if is_secret_path(loc):  # `client_secret: <the secret>`: never echo the value

        def describe(value: Any) -> str:
            return _describe(value) if isinstance(value, dict | list | None) else HIDDEN

    at_key = False
    edits: tuple[Edit, ...] = ()
    rule = "schema-invalid-value"
    fix = ""
    where = format_path(path) or "the top level"

    if kind == "extra_forbidden":
        rule = "schema-unknown-key"
        key = str(loc[-1])
        model = _model_at(loc[:-1])
        allowed = sorted(model.model_fields) if model else []
        match = closest(key, allowed)
        if is_hidden_key(loc[:-1], key):  # `client_secret: {<the secret>: ...}`
            message = "unknown key (hidden: it may be a secret)"
            fix = "remove that key; a secret goes in a file or an environment variable"
        else:
            message = f"unknown key {key!r}{suggest(key, allowed)}"
            fix = f"rename it to {match!r}" if match else f"remove {key!r}"
            parent = _value_at(data, path[:-1])
            if match and isinstance(parent, dict) and match not in parent:
                edits = (Edit("rename", path, match),)
        if allowed:
            message += f"; allowed here: {', '.join(allowed)}"
        at_key = True
    elif kind == "missing":
        rule = "schema-missing-key"
        key = str(loc[-1])
        message = f"missing required key {key!r} in {where}"
        fix = f"add `{key}:` to {where}"
        at_key = bool(path)
    elif kind == "union_tag_invalid":
        tag = str(ctx.get("tag", ""))
        expected = [t.strip(" '") for t in str(ctx.get("expected_tags", "")).split(",")]
        message = (
            f"unknown type {tag!r}{suggest(tag, expected)}; expected one of: {', '.join(expected)}"
        )
        fix = "set `type:` to one of the listed values"
        path = (*path, "type") if complete else path
    elif kind == "union_tag_not_found":
        rule = "schema-missing-key"
        message = f"missing key 'type' in {where}"
        fix = "add `type:` (see `mailoauth-cfg schema` for the allowed values)"
        at_key = bool(path)
    elif kind in ("literal_error", "enum"):
        allowed_text = _choices(str(ctx.get("expected", "")))
        shown = describe(value)
        hint = suggest(str(value), [e.strip(" '") for e in allowed_text.split(",")])
        message = f"{shown} is not allowed{hint}; expected one of: {allowed_text}"
        fix = f"use one of: {allowed_text}"
    elif kind == "value_error":
        # the model's validators never repeat the value: it is shown here, or hidden
        message = str(error["msg"]).removeprefix("Value error, ")
        if not isinstance(value, dict | list):
            message = f"{describe(value)} {message}"
        _, _, expected_form = message.partition("(expected ")
        if not expected_form:
            _, _, expected_form = message.partition(": expected ")
        fix = f"write {expected_form.rstrip(')')}" if expected_form else "correct the value"
        at_key = "[key]" in loc
    elif kind in ("dict_type", "model_type", "model_attributes_type"):
        rule = "schema-wrong-type"
        message = f"expected a mapping (key: value pairs) at {where}, got {describe(value)}"
        fix = "write it as indented `key: value` lines"
    elif kind in ("list_type", "tuple_type"):
        rule = "schema-wrong-type"
        message = f"expected a list at {where}, got {describe(value)}"
        fix = "write it as `- item` lines or `[a, b]`"
    elif kind.startswith(("date", "datetime")):
        message = f"{describe(value)} is not a date; expected YYYY-MM-DD (e.g. 2027-05-31)"
        fix = "write the date as YYYY-MM-DD, unquoted"
    elif kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        if "A-Za-z0-9._@-]{1,256}" in pattern:
            message = (
                f"{describe(value)} is not a client ID: letters, digits, '.', '_', '@', '-' only "
                "(a GUID for Microsoft, <number>-<id>.apps.googleusercontent.com for Google)"
            )
        elif "A-Za-z0-9_.-" in pattern:
            message = (
                f"{describe(value)} is not a valid name: use letters, digits, '_', '.', '-' "
                "(starting with a letter or digit, at most 63 characters)"
            )
        else:
            message = f"{describe(value)} does not have the expected form ({pattern})"
        fix = "rename it"
        at_key = "[key]" in loc
    elif kind in (
        "string_type",
        "int_type",
        "int_parsing",
        "bool_type",
        "bool_parsing",
        "float_type",
        "float_parsing",
        "int_from_float",
    ):
        rule = "schema-wrong-type"
        wanted = {
            "string": "text",
            "int": "a whole number",
            "bool": "true or false",
            "float": "a number",
        }[kind.split("_")[0]]
        message = f"expected {wanted} at {where}, got {describe(value)}"
        fix = f"write {wanted}" + (" (quote text values)" if wanted == "text" else "")
    elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        message = f"{describe(value)} is out of range: {error['msg'].lower()}"
        fix = "use a value in the allowed range"
    elif kind == "string_too_short":
        message = f"{describe(value)} is too short: {error['msg'].lower()}"
        fix = "write a longer value"
    else:
        message = f"{error['msg']} (got {describe(value)})"
        fix = "see `mailoauth-cfg schema` for the expected form"

    location = marks.location(path, at_key=at_key)
    return Finding(
        rule=rule,
        severity=Severity.ERROR,
        message=message,
        location=location,
        fix=fix,
        object=_object_of(path),
        edits=edits,
    )


_SECTION_KINDS: dict[str | int, ObjectKind] = {
    "providers": "provider",
    "apps": "app",
    "targets": "target",
}


def _object_of(path: PathKey) -> ObjectRef | None:
    if len(path) >= 2 and path[0] in _SECTION_KINDS:
        return ObjectRef(_SECTION_KINDS[path[0]], str(path[1]))
    if len(path) >= 2 and path[0] == "users" and isinstance(path[1], int):
        return ObjectRef.user_entry(path[1])
    return None


_SECTIONS: dict[str, type] = {
    "providers": dict,
    "apps": dict,
    "targets": dict,
    "rules": dict,
    "users": list,
}
"""The sections whose entries are objects of their own (a schema error stops only the entry)."""


def _object_of_loc(loc: Sequence[str | int]) -> tuple[str, str | int] | None:
    """``(section, name or index)`` of the object an error location lies in."""
    if len(loc) >= 2 and loc[0] in _SECTIONS:
        section = str(loc[0])
        key = loc[1]
        if section == "users" and isinstance(key, int):
            return section, key
        if section != "users" and isinstance(key, str):
            return section, key
    return None


def _translate_all(errors: list[Any], data: Any, marks: SourceMap) -> list[Finding]:
    findings: list[Finding] = []
    seen: set[tuple[str, int, int, str, str]] = set()
    for error in errors:
        finding = _translate(error, data, marks)
        key = (
            finding.location.file,
            finding.location.line,
            finding.location.column,
            finding.rule,
            # several missing keys share the parent's location: keep each of them
            finding.message if finding.rule == "schema-missing-key" else "",
        )
        if key in seen:
            continue
        seen.add(key)
        findings.append(finding)
    return findings


def _without(data: dict[str, Any], bad: set[tuple[str, str | int]]) -> dict[str, Any]:
    """``data`` without the objects in ``bad``."""
    pruned = dict(data)
    for section in _SECTIONS:
        drop = {key for sec, key in bad if sec == section}
        if not drop or section not in pruned:
            continue
        value = pruned[section]
        if isinstance(value, dict):
            pruned[section] = {k: v for k, v in value.items() if k not in drop}
        elif isinstance(value, list):
            pruned[section] = [v for i, v in enumerate(value) if i not in drop]
    return pruned


def _shifted_marks(marks: SourceMap, dropped_users: list[int]) -> SourceMap:
    """``marks`` with the ``users`` indexes renumbered after leaving ``dropped_users`` out."""
    if not dropped_users:
        return marks
    gone = set(dropped_users)

    def move(table: dict[PathKey, Any]) -> dict[PathKey, Any]:
        out: dict[PathKey, Any] = {}
        for path, mark in table.items():
            if len(path) >= 2 and path[0] == "users" and isinstance(path[1], int):
                index = path[1]
                if index in gone:
                    continue
                shift = sum(1 for d in dropped_users if d < index)
                path = ("users", index - shift, *path[2:])
            out[path] = mark
        return out

    return SourceMap(values=move(marks.values), keys=move(marks.keys))


def build_config(loaded: LoadResult) -> BuildResult:
    """Validate the loaded document against the model and resolve references.

    The whole document is validated at once; when the schema rejects some objects, they are
    reported and left out, and the rest is built (one bad object does not hide the others).
    An error outside any object (``version``, an unknown section, a section of the wrong type)
    rejects the document.
    """
    try:
        config = MailConfig.model_validate(loaded.data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        findings = _translate_all(errors, loaded.data, loaded.marks)
        bad: set[tuple[str, str | int]] = set()
        for error in errors:
            found = _object_of_loc(error["loc"])
            if found is None:
                return BuildResult(None, findings)
            bad.add(found)
        pruned = _without(loaded.data, bad)
        try:
            config = MailConfig.model_validate(pruned)
        except ValidationError:
            return BuildResult(None, findings)
        dropped_users = sorted(int(key) for section, key in bad if section == "users")
        marks = _shifted_marks(loaded.marks, dropped_users)
        skip = {(section, str(key)) for section, key in bad if section != "users"}
        users = loaded.data.get("users")
        for index in dropped_users:
            entry = users[index] if isinstance(users, list) and index < len(users) else None
            email = entry.get("email") if isinstance(entry, dict) else None
            if isinstance(email, str):
                skip.add(("users", email.lower()))
        findings.extend(_references(config, marks, skip))
        return BuildResult(config, findings, marks, len(bad))
    return BuildResult(config, _references(config, loaded.marks), loaded.marks, 0)


def _dangling(
    kind: str, name: str, choices: Iterable[str], location: Location, object_: ObjectRef
) -> Finding:
    pool = sorted(choices)
    match = closest(name, pool)
    known = ", ".join(pool) if pool else "none"
    return Finding(
        rule="unknown-reference",
        severity=Severity.ERROR,
        message=f"{kind} {name!r} is not declared{suggest(name, pool)}; declared: {known}",
        location=location,
        fix=(f"use {match!r}" if match else f"declare {kind} {name!r} or correct the name"),
        object=object_,
    )


def _unknown_credential(
    app: str, name: str, choices: Iterable[str], location: Location, object_: ObjectRef
) -> Finding:
    """``credential:`` names no credential of the app. The value is not repeated: a secret
    pasted where its name belongs looks just like this (a typo of a name is suggested)."""
    pool = sorted(choices)
    match = closest(name, pool)
    known = ", ".join(pool) if pool else "none"
    return Finding(
        rule="unknown-reference",
        severity=Severity.ERROR,
        message=(
            f"the credential named here (hidden: it may be a secret) is not one of app {app}'s"
            + (f"; did you mean {match!r}?" if match else "")
            + f"; declared: {known}"
        ),
        location=location,
        fix=(
            f"use {match!r}"
            if match
            else f"name one of app {app}'s credentials (a secret itself goes in a file or an "
            f"environment variable, referenced from apps.{app}.credentials)"
        ),
        object=object_,
    )


def _references(
    config: MailConfig, marks: SourceMap, skip: set[tuple[str, str]] | None = None
) -> list[Finding]:
    """Dangling references, aliases and duplicates. ``skip``: objects left out for a schema
    error (``("apps", name)``...): a reference to one is not reported again."""
    out: list[Finding] = []
    skip = skip or set()
    providers = set(config.providers) | {k for s, k in skip if s == "providers"}
    for name, app in config.apps.items():
        if app.provider not in providers:
            out.append(
                _dangling(
                    "provider",
                    app.provider,
                    providers,
                    marks.location(("apps", name, "provider")),
                    ObjectRef.app(name),
                )
            )
    emails: dict[str, int] = {}
    aliases: dict[str, str] = {}
    for index, user in enumerate(config.users):
        key = user.email.lower()
        if key in emails:
            first = marks.location(("users", emails[key], "email"))
            out.append(
                Finding(
                    rule="duplicate-user",
                    severity=Severity.ERROR,
                    message=f"mailbox {user.email} is declared twice (first at {first})",
                    location=marks.location(("users", index, "email")),
                    fix="keep one entry for the mailbox",
                    object=ObjectRef.user(user.email),
                    related=(first,),
                )
            )
        else:
            emails[key] = index
        for alias in user.aliases or ():
            aliases[alias.lower()] = user.email
        if user.provider not in providers:
            out.append(
                _dangling(
                    "provider",
                    user.provider,
                    providers,
                    marks.location(("users", index, "provider")),
                    ObjectRef.user(user.email),
                )
            )
    declared = [u.email for u in config.users]
    for name, target in config.targets.items():
        obj = ObjectRef.target(name)
        app_left_out = target.app is not None and ("apps", target.app) in skip
        if target.app is not None and target.app not in config.apps and not app_left_out:
            out.append(
                _dangling(
                    "app", target.app, config.apps, marks.location(("targets", name, "app")), obj
                )
            )
        used_app = config.apps.get(target.app or "")
        credential = target.credential
        if credential is not None and used_app is not None and not used_app.credential(credential):
            out.append(
                _unknown_credential(
                    str(target.app),
                    credential,
                    [c.name for c in used_app.all_credentials()],
                    marks.location(("targets", name, "credential")),
                    obj,
                )
            )
        for i, email in enumerate(target.users):
            if email.lower() in emails or ("users", email.lower()) in skip:
                continue
            location = marks.location(("targets", name, "users", i))
            primary = aliases.get(email.lower())
            if primary is not None:
                out.append(
                    Finding(
                        rule="user-alias-not-primary",
                        severity=Severity.ERROR,
                        message=(
                            f"{email} is an alias of {primary}; OAuth logins and XOAUTH2 "
                            "user= must use the primary address"
                        ),
                        location=location,
                        fix=f"replace it with {primary}",
                        object=obj,
                    )
                )
                continue
            out.append(_dangling("user", email, declared, location, obj))
        members = {e.lower() for e in target.users}
        for key in (*target.MAILBOX_KEYED, "accounts"):
            for email in getattr(target, key, None) or {}:
                if email.lower() not in members:
                    out.append(
                        _dangling(
                            "target user",
                            email,
                            target.users,
                            marks.location(("targets", name, key, email), at_key=True),
                            obj,
                        )
                    )
    return out

"""The JSON Schema of the YAML, generated from the models (the models are the truth).

Field descriptions come from the attribute docstrings in the model modules. Pydantic can
read them itself (``use_attribute_docstrings``) but that parses the sources at every import,
which costs every ``validate`` run ~70 ms; so they are read here, only for the schema.
"""

from __future__ import annotations

import ast
import inspect
import json
import textwrap
from pathlib import Path
from typing import Any

from pydantic import BaseModel

SCHEMA_ID = "https://mailoauth-cfg.dev/schemas/mailoauth.schema.json"
SCHEMA_FILE = "mailoauth.schema.json"


def _attribute_docs(cls: type) -> dict[str, str]:
    """``{field: docstring}`` for string literals that follow annotated assignments."""
    try:
        source = textwrap.dedent(inspect.getsource(cls))
    except (OSError, TypeError):  # pragma: no cover - sources always ship with the package
        return {}
    body = ast.parse(source).body[0]
    docs: dict[str, str] = {}
    if not isinstance(body, ast.ClassDef):  # pragma: no cover
        return docs
    previous: str | None = None
    for node in body.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            previous = node.target.id
            continue
        if (
            previous is not None
            and isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            docs[previous] = inspect.cleandoc(node.value.value)
        previous = None
    return docs


def _models(*roots: type[BaseModel]) -> dict[str, type[BaseModel]]:
    """Every model class reachable from ``roots``, by class name (the schema's ``title``)."""
    found: dict[str, type[BaseModel]] = {}
    stack: list[Any] = list(roots)
    while stack:
        item = stack.pop()
        if isinstance(item, type) and issubclass(item, BaseModel):
            if item.__name__ in found:
                continue
            found[item.__name__] = item
            for field in item.model_fields.values():
                stack.append(field.annotation)
            continue
        stack.extend(getattr(item, "__args__", ()) or ())
        origin = getattr(item, "__origin__", None)
        if origin is not None:
            stack.append(origin)
    return found


_COMMON_DOCS = {
    "suppress": "Rules silenced for this object, each with a reason and an optional expiry date; "
    "suppressed findings are still reported as such.",
    "type": "Kind of object; selects which keys are allowed.",
}


def _describe(schema: dict[str, Any], models: dict[str, type[BaseModel]]) -> None:
    definitions = [schema, *schema.get("$defs", {}).values()]
    for definition in definitions:
        model = models.get(str(definition.get("title", "")))
        if model is None:
            continue
        docs: dict[str, str] = {}
        for cls in reversed(model.__mro__):
            if isinstance(cls, type) and issubclass(cls, BaseModel) and cls is not BaseModel:
                docs.update(_attribute_docs(cls))
        for name, prop in definition.get("properties", {}).items():
            text = docs.get(name) or _COMMON_DOCS.get(name)
            if text and "description" not in prop:
                prop["description"] = text


def generate_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a mailoauth-cfg config."""
    from mailoauth_cfg import targets
    from mailoauth_cfg.model import MailConfig

    schema = MailConfig.model_json_schema(mode="validation")
    # the kinds' models are reached through the registry (the union is resolved by tag)
    _describe(schema, _models(MailConfig, *targets.models()))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        # after the model's own, which is its class name
        "title": "mailoauth-cfg config",
        "description": "A top-level mailoauth-cfg config. Files it includes use "
        f"{FRAGMENT_SCHEMA_FILE}.",
    }


def schema_text() -> str:
    """The schema as deterministic JSON text (sorted keys, trailing newline)."""
    return json.dumps(generate_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# --- The schema of included files (fragments) -------------------------------------------------

FRAGMENT_SCHEMA_ID = "https://mailoauth-cfg.dev/schemas/mailoauth-fragment.schema.json"
FRAGMENT_SCHEMA_FILE = "mailoauth-fragment.schema.json"


def generate_fragment_schema() -> dict[str, Any]:
    """The JSON Schema of a file that a config includes: the same sections and definitions,
    none required (``version`` belongs to the top-level config)."""
    schema = generate_schema()
    schema.pop("required", None)
    schema["$id"] = FRAGMENT_SCHEMA_ID
    schema["title"] = "mailoauth-cfg included file"
    schema["description"] = (
        "A file included by a mailoauth-cfg config (`include:`): any of the config's sections, "
        "none required. The top-level config uses " + SCHEMA_FILE + "."
    )
    return schema


def fragment_schema_text() -> str:
    """The fragment schema as deterministic JSON text."""
    return (
        json.dumps(generate_fragment_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    )


def schema_files() -> dict[str, str]:
    """``{file name: text}`` of both schemas, as ``schema --write --dir`` and ``init`` write."""
    return {SCHEMA_FILE: schema_text(), FRAGMENT_SCHEMA_FILE: fragment_schema_text()}


def committed_schema_path() -> Path:
    """``schemas/mailoauth.schema.json`` of the source tree, or the copy in the wheel."""
    package = Path(__file__).resolve().parent
    # A source checkout has pyproject.toml beside the package; an installed wheel does not
    # (and site-packages/schemas, if any, belongs to someone else).
    if (package.parent / "pyproject.toml").is_file():
        return package.parent / "schemas" / SCHEMA_FILE
    return package / "_data" / "schemas" / SCHEMA_FILE

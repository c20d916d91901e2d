"""``targets:``: the applications to configure, one model per kind, from the target registry.

Each kind's model lives in its plugin (``mailoauth_cfg/targets/<kind>/model.py``). A
``targets.<name>`` entry is one of them, chosen by its ``type`` like a tagged union; the union
is resolved by tag when an entry is validated, so that reading a config imports and builds the
models of the kinds it uses only. Errors are those of pydantic's tagged union, tag included in
their location (``targets.erp.<kind>.url``); the JSON Schema is the union of every kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Union

from pydantic import Field, GetCoreSchemaHandler, GetJsonSchemaHandler, ValidationError
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import InitErrorDetails, PydanticKnownError, core_schema

from mailoauth_cfg import targets as registry
from mailoauth_cfg.targets._model import TargetModel

_DISCRIMINATOR = "'type'"


def target_model(tag: object) -> type[TargetModel] | None:
    """The model of the kind whose key is ``tag`` (its plugin is imported), if any."""
    if not isinstance(tag, str) or tag not in registry.kind_keys():
        return None
    return registry.plugin(tag).model


def _validate(value: Any) -> TargetModel:
    """Validate one ``targets.<name>`` entry as the tagged union of every kind would."""
    if isinstance(value, TargetModel):
        return value
    if not isinstance(value, Mapping):
        raise PydanticKnownError("model_attributes_type")
    if "type" not in value:
        raise PydanticKnownError("union_tag_not_found", {"discriminator": _DISCRIMINATOR})
    tag = value["type"]
    model = target_model(tag)
    if model is None:
        raise PydanticKnownError(
            "union_tag_invalid",
            {
                "discriminator": _DISCRIMINATOR,
                "tag": str(tag),
                "expected_tags": ", ".join(f"'{key}'" for key in registry.kind_keys()),
            },
        )
    try:
        return model.model_validate(value)
    except ValidationError as exc:  # located under the tag, as a tagged union locates them
        details: list[InitErrorDetails] = []
        for error in exc.errors(include_url=False):
            detail: InitErrorDetails = {
                "type": error["type"],
                "loc": (tag, *error["loc"]),
                "input": error["input"],
            }
            if "ctx" in error:
                detail["ctx"] = error["ctx"]
            details.append(detail)
        raise ValidationError.from_exception_data(exc.title, details) from None


def union() -> Any:
    """The tagged union of every kind's model (imports every kind: schema and docs only)."""
    return Annotated[Union[registry.models()], Field(discriminator="type")]  # noqa: UP007


class _TargetEntry:
    """The pydantic type of a ``targets.<name>`` entry: validated by tag, described as the
    union of every kind."""

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        del source, handler
        return core_schema.no_info_plain_validator_function(_validate)

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        del schema
        from pydantic import TypeAdapter

        # the generator of the schema being written: the kinds' models join its definitions
        generator = handler.generate_json_schema  # type: ignore[attr-defined]
        found: JsonSchemaValue = generator.generate_inner(TypeAdapter(union()).core_schema)
        return found


if TYPE_CHECKING:
    Target = TargetModel
else:
    Target = _TargetEntry
"""A ``targets.<name>`` entry: one of the registered kinds' models, chosen by ``type``."""

__all__ = ["Target", "TargetModel", "target_model", "union"]

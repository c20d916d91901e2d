"""``targets:``: the applications to configure, one model per kind, from the target registry.

Each kind's model lives in its plugin (``mailoauth_cfg/targets/<kind>/model.py``); the union
below is built from the registry, discriminated by ``type``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Union

from pydantic import Field

from mailoauth_cfg import targets as registry
from mailoauth_cfg.targets._model import TargetModel

if TYPE_CHECKING:
    Target = TargetModel
else:
    Target = Annotated[Union[registry.models()], Field(discriminator="type")]  # noqa: UP007
"""A ``targets.<name>`` entry: one of the registered kinds' models, chosen by ``type``."""

__all__ = ["Target", "TargetModel"]

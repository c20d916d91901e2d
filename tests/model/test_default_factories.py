"""Default factories of the models are plain functions: pydantic reads each factory's
signature while it builds a validator, and a builtin's (``dict``, ``list``) is parsed from its
text signature with ``tokenize`` (start-up time). Each instance still gets its own container."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from pydantic import BaseModel

import mailoauth_cfg
from mailoauth_cfg.model import MailConfig
from mailoauth_cfg.targets import kind_keys, plugin


def _our_models() -> list[type[BaseModel]]:
    for info in pkgutil.walk_packages(mailoauth_cfg.__path__, "mailoauth_cfg."):
        if info.name.endswith("__main__"):
            continue
        try:
            importlib.import_module(info.name)  # every module: rules' options, live snapshots...
        except ImportError:  # an optional SDK this environment lacks
            continue
    for key in kind_keys():
        assert plugin(key).model is not None
    found: list[type[BaseModel]] = []
    pending = list(BaseModel.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("mailoauth_cfg."):
            found.append(cls)
    return found


def test_no_model_field_has_a_builtin_default_factory() -> None:
    models = _our_models()
    assert len(models) > 30
    builtin = [
        f"{cls.__module__}.{cls.__qualname__}.{name}"
        for cls in models
        for name, info in cls.model_fields.items()
        if info.default_factory is not None
        and (isinstance(info.default_factory, type) or inspect.isbuiltin(info.default_factory))
    ]
    assert builtin == []


def test_each_instance_gets_its_own_empty_containers() -> None:
    first, second = MailConfig(version=1), MailConfig(version=1)
    assert first.providers == {}
    assert first.users == []
    assert first.providers is not second.providers
    assert first.users is not second.users

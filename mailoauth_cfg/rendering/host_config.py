"""The config mailoauth-cfg reads on a target's host: ``<target>/mailoauth.yaml``.

Targets whose token lives in a file on their host (msmtp, Postfix with sasl-xoauth2,
email-oauth2-proxy) run mailoauth-cfg there: msmtp's ``passwordeval`` (``token access``), the
token bootstrap and the probe. That host needs a config, but not the whole one: the source
config may span many files (``include:``), name every other application and mailbox, and refer
to secrets the host never sees. This file holds exactly what the target needs (its provider, its
app, its mailboxes and the target itself) in one self-contained document, so deploying it is
one copy (what the Ansible role does).

It is JSON, which YAML reads as is; secret *references* are kept as references (an ``env:``
reference must then be set on the host, a ``file:`` one must exist there), and a secret written
literally in the config makes the file secret (mode 0600).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mailoauth_cfg.derive import TargetPlan
from mailoauth_cfg.model import SecretRef
from mailoauth_cfg.rendering import Output, RenderContext
from mailoauth_cfg.rendering.environment import Secret
from mailoauth_cfg.targets._plugin import HOST_CONFIG

__all__ = ["HOST_CONFIG", "document", "mode", "output"]


def _dump(model: Any) -> Any:
    return model.model_dump(mode="json", exclude_unset=True, by_alias=True)


def _with_literal_secrets(model: Any, dumped: Any, path: tuple[str | int, ...]) -> Any:
    """``dumped`` (``model`` as JSON) with each literal secret (``{value: ...}``, which a dump
    masks) as the :class:`Secret` it is: the file holding it becomes secret (mode 0600, masked
    in diffs)."""
    if isinstance(model, SecretRef):
        if model.value is not None and isinstance(dumped, dict):
            return {
                **dumped,
                "value": Secret(model.value.get_secret_value(), "the config", (*path, "value")),
            }
        return dumped
    if isinstance(dumped, dict) and hasattr(type(model), "model_fields"):
        return {
            key: _with_literal_secrets(getattr(model, key, None), value, (*path, key))
            for key, value in dumped.items()
        }
    if isinstance(dumped, list) and isinstance(model, list | tuple):
        return [
            _with_literal_secrets(item, value, (*path, index))
            for index, (item, value) in enumerate(zip(model, dumped, strict=False))
        ]
    return dumped


def document(ctx: RenderContext, plan: TargetPlan) -> dict[str, Any]:
    """The host config of ``plan``'s target: its provider, app, mailboxes and itself."""
    config = ctx.config
    doc: dict[str, Any] = {"version": 1}
    if plan.provider_name and plan.provider is not None:
        provider = _dump(plan.provider)
        bundle = provider.get("ca_bundle")
        if isinstance(bundle, str) and not Path(bundle).is_absolute():
            # relative to the source config, which the host does not have
            provider["ca_bundle"] = str((ctx.root / bundle).resolve())
        doc["providers"] = {plan.provider_name: provider}
    # the app as the config declares it: a plan's app carries derived values (flow, audience),
    # which the host config must not turn into declarations
    app = config.apps.get(plan.app_name) if plan.app_name else None
    if plan.app_name and app is not None:
        doc["apps"] = {
            plan.app_name: _with_literal_secrets(app, _dump(app), ("apps", plan.app_name))
        }
    users = [u for u in (config.user(e) for e in plan.target.users) if u is not None]
    dumps = ctx.user_dumps  # several targets list the same mailboxes: each is dumped once
    doc["users"] = [
        dumps[u.email] if u.email in dumps else dumps.setdefault(u.email, _dump(u)) for u in users
    ]
    doc["targets"] = {plan.name: _dump(plan.target)}
    return doc


def _holds_literal(value: Any) -> bool:
    if isinstance(value, SecretRef):
        return value.value is not None
    if isinstance(value, list | tuple):
        return any(_holds_literal(v) for v in value)
    fields: dict[str, Any] = getattr(type(value), "model_fields", None) or {}
    return any(_holds_literal(getattr(value, name)) for name in fields)


def mode(plan: TargetPlan) -> str:
    """The mode to install the host config with: ``0600`` when it holds a literal secret."""
    return "0600" if plan.app is not None and _holds_literal(plan.app) else "0644"


def output(ctx: RenderContext, plan: TargetPlan) -> Output:
    """``<target>/mailoauth.yaml``."""
    context = ctx.base_context(plan)
    context["document"] = document(ctx, plan)
    return Output(HOST_CONFIG, "_common/host-config.yaml.j2", context, syntax="yaml")

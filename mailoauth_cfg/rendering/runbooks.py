"""Per-mailbox bootstrap runbooks: ``<target>/bootstrap/<mailbox>.md``.

Who must sign in (the mailbox owner, never an admin), where, which consent and scopes to
expect, where the token lands, how to verify, and the errors likely at each step with their
fixes (from the same knowledge as ``mailoauth-cfg explain``).
"""

from __future__ import annotations

import functools
from typing import Any

from mailoauth_cfg.catalog.errors import explain_code
from mailoauth_cfg.derive import TargetPlan
from mailoauth_cfg.errors import RenderError
from mailoauth_cfg.fileio import path_component
from mailoauth_cfg.rendering import Output, RenderContext

_LIKELY = {
    "microsoft": {
        "in-app-consent": (
            "AADSTS50011",
            "AADSTS65001",
            "AADSTS7000215",
            "AADSTS28000",
            "535 5.7.139",
        ),
        "cli-loopback": ("AADSTS50011", "AADSTS65001", "AADSTS700016", "535 5.7.139"),
        "device-code": ("AADSTS7000218", "AADSTS65001", "AADSTS700016", "535 5.7.139"),
        "client-credentials": ("AADSTS7000215", "AADSTS700016", "535 5.7.139"),
    },
    "google": {
        "in-app-consent": (
            "redirect_uri_mismatch",
            "access_denied",
            "invalid_grant",
            "admin_policy_enforced",
        ),
        "cli-loopback": ("access_denied", "invalid_grant", "admin_policy_enforced"),
        "device-code": ("invalid_scope", "access_denied"),
        "client-credentials": ("unauthorized_client", "invalid_grant"),
    },
}


def _errors(provider_type: str | None, bootstrap: str) -> list[dict[str, str]]:
    codes = _LIKELY.get(provider_type or "", {}).get(bootstrap, ())
    out = []
    for code in codes:
        entry = explain_code(code, provider_type)
        if entry is not None:
            out.append({"code": entry.code, "title": entry.title, "fix": entry.fix})
    return out


def outputs(ctx: RenderContext, plan: TargetPlan) -> list[Output]:
    """One runbook per mailbox of the target.

    The runbooks share one context; each mailbox's own values (``user``, ``sign_in``,
    ``scopes``) are apart, so that the renderer renders the template once and specialises it
    per mailbox.
    """
    profile = plan.profile
    if profile is None:
        return []
    base = ctx.base_context(plan)
    bootstrap = plan.bootstrap or profile.bootstrap
    shared: dict[str, Any] = dict(base)
    shared.update(
        bootstrap=bootstrap,
        errors=_errors(plan.provider_type, bootstrap),
        profile=profile,
        # how the runbook's commands run mailoauth-cfg, and where (a kind whose tool runs on
        # its host says so through runbook_context)
        tool=["mailoauth-cfg"],
        tool_config=ctx.config_name,
        where="On a machine with a browser" if bootstrap == "cli-loopback" else "On the host",
        token_owner=None,
    )
    shared.update(plan.plugin.runbook_context(plan))
    template = f"{plan.key}/bootstrap.md.j2"
    if not _exists(template):
        template = "_common/bootstrap.md.j2"
    result = []
    for user in base["users"]:
        try:
            name = path_component(f"{user.email}.md")
        except ValueError as exc:
            raise RenderError(f"target {plan.name}: runbook of {exc}") from None
        own = {
            "user": user,
            "sign_in": plan.signer_of(user.email)[0],
            "scopes": plan.requested_scopes(user.email)[0],
        }
        result.append(Output(f"bootstrap/{name}", template, shared, mailbox=user.email, own=own))
    return result


@functools.cache
def _exists(template: str) -> bool:
    from mailoauth_cfg.rendering.environment import packaged_templates

    return (packaged_templates() / template).is_file()

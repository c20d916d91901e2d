"""msmtp: an ``msmtprc`` whose ``passwordeval`` asks mailoauth-cfg for a fresh access token."""

from __future__ import annotations

from mailoauth_cfg.derive import TargetPlan
from mailoauth_cfg.rendering import Output, RenderContext, narrow
from mailoauth_cfg.targets.msmtp.facts import GOOGLE_AUTH, MICROSOFT_AUTH, XOAUTH2
from mailoauth_cfg.targets.msmtp.model import MsmtpTarget


def outputs(ctx: RenderContext, plan: TargetPlan) -> list[Output]:
    """``msmtprc`` and the target README."""
    target = narrow(plan.target, MsmtpTarget)
    context = ctx.base_context(plan)
    store = f" --store {target.token_dir}" if target.token_dir else ""
    # Exchange Online speaks XOAUTH2 only; Gmail accepts OAUTHBEARER (RFC 7628) too.
    auth = (MICROSOFT_AUTH if plan.provider_type == "microsoft" else GOOGLE_AUTH).value
    auth = target.sasl_mechanism or auth  # a declared mechanism is rendered as declared
    helper = target.token_helper.command if target.token_helper else None
    context["xoauth2_since"] = XOAUTH2.since
    context["accounts"] = [
        {
            "name": user.email.split("@")[0].replace(".", "-"),
            "email": user.email,
            "login": plan.login_of(user.email)[0],
            "display_name": user.display_name,
            "auth": auth,
            "passwordeval": helper
            or (
                f"{target.command} token access --config {target.config_path}"
                f" --user {user.email}{store}"
            ),
        }
        for user in context["users"]
    ]
    return [
        Output("msmtprc", "msmtp/msmtprc.j2", context),
        Output("README.md", "msmtp/README.md.j2", context),
    ]

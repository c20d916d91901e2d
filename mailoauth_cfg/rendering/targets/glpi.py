"""GLPI: ``glpi-oauth.sh`` (``php bin/console config:set KEY VALUE --context=core`` per setting of
the SMTP + OAuth notification mode) and the README. The refresh token comes from the consent
that follows saving the notification configuration in the UI."""

from __future__ import annotations

import json
from typing import Any

from mailoauth_cfg.derive import TargetPlan, endpoints
from mailoauth_cfg.model import GlpiTarget
from mailoauth_cfg.rendering import Output, RenderContext, narrow
from mailoauth_cfg.rendering.targets.dolibarr import secret_reference

MAIL_SMTPOAUTH = 4
"""``smtp_mode`` value of the SMTP + OAuth mode (``MAIL_SMTPOAUTH``)."""

PROVIDER_CLASSES = {
    "microsoft": "Glpi\\Mail\\SMTP\\OauthProvider\\Azure",
    "google": "Glpi\\Mail\\SMTP\\OauthProvider\\Google",
}


def outputs(ctx: RenderContext, plan: TargetPlan) -> list[Output]:
    """``glpi-oauth.sh`` and the README."""
    target = narrow(plan.target, GlpiTarget)
    if plan.provider is None or plan.app is None or plan.provider_type is None:
        return []
    context = ctx.base_context(plan)
    users = context["users"]
    if not users:
        return []
    mailbox = users[0].email
    sender = target.sender or mailbox
    display_name = users[0].display_name
    ep = endpoints(plan.provider)
    secret = ctx.app_secret(plan)
    settings: list[tuple[str, Any]] = [
        ("smtp_mode", MAIL_SMTPOAUTH),
        ("smtp_host", ep.smtp_host),
        ("smtp_port", ep.smtp_port),
        ("smtp_username", mailbox),
        ("smtp_check_certificate", 1),
        ("smtp_sender", sender),
        ("from_email", sender),
        *([("from_email_name", display_name)] if display_name else []),
        ("smtp_oauth_provider", PROVIDER_CLASSES[plan.provider_type]),
        ("smtp_oauth_client_id", plan.app.client_id),
    ]
    if secret is not None:
        settings.append(("smtp_oauth_client_secret", secret))
    if plan.provider_type == "microsoft":
        settings.append(("smtp_oauth_options", json.dumps({"tenant": ep.tenant})))
    context.update(
        settings=settings,
        shown=[(k, None if k == "smtp_oauth_client_secret" else v) for k, v in settings],
        secret=secret,
        secret_ref=secret_reference(plan),
        mailbox=mailbox,
        sender=sender,
    )
    return [
        Output("glpi-oauth.sh", "glpi/glpi-oauth.sh.j2", context),
        Output("README.md", "glpi/README.md.j2", context),
    ]

"""GLPI: ``glpi-oauth.sh`` (``php bin/console config:set KEY VALUE --context=core`` per setting of
the SMTP + OAuth notification mode) and the README. The refresh token comes from the consent
that follows saving the notification configuration in the UI."""

from __future__ import annotations

import json
from typing import Any

from mailoauth_cfg.derive import TargetPlan, endpoints
from mailoauth_cfg.rendering import Output, RenderContext, narrow
from mailoauth_cfg.rendering.sheets import secret_reference
from mailoauth_cfg.targets.glpi.facts import (
    AZURE,
    GOOGLE,
    MAIL_NOTIFICATIONS,
    NOTIFICATIONS,
    SMTP_MODE,
)
from mailoauth_cfg.targets.glpi.model import GlpiTarget


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
    provider_class = AZURE if plan.provider_type == "microsoft" else GOOGLE
    settings: list[tuple[str, Any]] = [
        (NOTIFICATIONS.name, NOTIFICATIONS.value),
        (MAIL_NOTIFICATIONS.name, MAIL_NOTIFICATIONS.value),
        (SMTP_MODE.name, SMTP_MODE.value),
        ("smtp_host", ep.smtp_host),
        ("smtp_port", ep.smtp_port),
        ("smtp_username", plan.login_of(mailbox)[0]),
        ("smtp_check_certificate", 1),
        ("smtp_sender", sender),
        ("from_email", sender),
        *([("from_email_name", display_name)] if display_name else []),
        (provider_class.name, provider_class.value),
        ("smtp_oauth_client_id", plan.app.client_id),
    ]
    if secret is not None:
        settings.append(("smtp_oauth_client_secret", secret))
    if plan.provider_type == "microsoft":
        settings.append(("smtp_oauth_options", json.dumps({"tenant": plan.tenant})))
    context.update(
        settings=settings,
        shown=[(k, None if k == "smtp_oauth_client_secret" else v) for k, v in settings],
        secret=secret,
        secret_ref=secret_reference(plan),
        mailbox=mailbox,
        sender=sender,
        smtp_mode=SMTP_MODE.value,
    )
    return [
        Output("glpi-oauth.sh", "glpi/glpi-oauth.sh.j2", context),
        Output("README.md", "glpi/README.md.j2", context),
    ]

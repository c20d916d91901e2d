"""Nextcloud Mail: ``nextcloud-mail.sh`` (the admin API call that stores the Microsoft or Google
integration; Nextcloud encrypts the secret itself) and the README with the per-user steps.

Routes and parameters as in nextcloud/mail ``appinfo/routes.php`` and
``MicrosoftIntegrationController::configure(?tenantId, clientId, clientSecret)`` /
``GoogleIntegrationController::configure(clientId, clientSecret)``."""

from __future__ import annotations

from typing import Any

from mailoauth_cfg.derive import TargetPlan, endpoints
from mailoauth_cfg.rendering import Output, RenderContext, narrow
from mailoauth_cfg.rendering.sheets import secret_reference
from mailoauth_cfg.targets.nextcloud_mail.model import NextcloudMailTarget


def outputs(ctx: RenderContext, plan: TargetPlan) -> list[Output]:
    """``nextcloud-mail.sh`` and the README."""
    target = narrow(plan.target, NextcloudMailTarget)
    if plan.provider is None or plan.app is None or plan.provider_type is None:
        return []
    context = ctx.base_context(plan)
    ep = endpoints(plan.provider)
    secret = ctx.app_secret(plan)
    base = target.url.rstrip("/") + ("/index.php" if target.index_php else "")
    microsoft = plan.provider_type == "microsoft"
    body: list[tuple[str, Any]] = []
    if microsoft:
        body.append(("tenantId", plan.tenant))
    body += [("clientId", plan.app.client_id), ("clientSecret", secret)]
    context.update(
        api_url=f"{base}/apps/mail/api/integration/{'microsoft' if microsoft else 'google'}",
        body=body,
        body_object=dict(body),
        secret=secret,
        secret_ref=secret_reference(plan),
        ep=ep,
        mail_url=f"{base}/apps/mail/",
    )
    return [
        Output("nextcloud-mail.sh", "nextcloud-mail/nextcloud-mail.sh.j2", context),
        Output("README.md", "nextcloud-mail/README.md.j2", context),
    ]

"""Open Bee Portal: a settings sheet for Administration › General Configuration › custom SMTP
(``settings.md`` without the secret, ``settings.json`` with it) and the README.

Microsoft 365: method OAuth2 (tenant, client ID, secret Value, secret expiry date, sender).
Google: no OAuth in Open Bee; the sheet is the SMTP login with an app password
(``target.app_password``)."""

from __future__ import annotations

from typing import Any

from mailoauth_cfg.derive import TargetPlan, endpoints
from mailoauth_cfg.rendering import Output, RenderContext, narrow
from mailoauth_cfg.rendering.sheets import field, secret_reference
from mailoauth_cfg.targets.openbee.facts import VERSIONS
from mailoauth_cfg.targets.openbee.model import OpenbeeTarget


def outputs(ctx: RenderContext, plan: TargetPlan) -> list[Output]:
    """``settings.md``, ``settings.json`` and the README."""
    target = narrow(plan.target, OpenbeeTarget)
    if plan.provider is None:
        return []
    context = ctx.base_context(plan)
    ep = endpoints(plan.provider)
    users = context["users"]
    mailbox = users[0].email if users else None
    sender = target.sender or mailbox
    fields: list[dict[str, Any]]
    if plan.provider_type == "google":
        password = ctx.secret(
            target.app_password, ("targets", plan.name, "app_password"), plan.object
        )
        fields = [
            field("SMTP", "custom SMTP"),
            field("Server", ep.smtp_host),
            field("Security", "TLS"),
            field("Port", ep.smtp_port),
            field("Authentication required", "yes"),
            field("Username", mailbox, "the Gmail address"),
            field(
                "Password",
                password,
                "a Google app password (needs 2-Step Verification)",
                secret=True,
            ),
            field("Sender", sender, "the same address"),
        ]
        secret, secret_ref = (
            password,
            (target.app_password.describe() if target.app_password is not None else None),
        )
        title = "Custom SMTP (Google app password)"
        where = "Administration › General Configuration › custom SMTP"
    else:
        if plan.app is None:
            return []
        secret = ctx.app_secret(plan)
        secret_ref = secret_reference(plan)
        credential = plan.credential
        expires = target.secret_expiry or (credential.expires if credential else None)
        fields = [
            field("SMTP", "custom SMTP"),
            field("Method", "OAuth2"),
            field("Tenant ID", plan.tenant, "Directory (tenant) ID of a single-tenant app"),
            field("Client ID", plan.app.client_id, "Application (client) ID"),
            field(
                "Client Secret (identifier)",
                secret,
                "the secret Value, not the Secret ID",
                secret=True,
            ),
            field(
                "Client secret expiration date",
                expires.isoformat() if expires else None,
                "Open Bee warns the administrator one month before",
            ),
            field("Sender", sender, "must be the primary address of the account that consents"),
        ]
        title = "Custom SMTP (Microsoft 365 OAuth2)"
        where = plan.facts.ui_path
    context.update(
        # the first version with the Office 365 / G Suite SMTP settings (the vendor's page)
        since=VERSIONS.requirements[0].since,
        sections=[(title, fields)],
        secret=secret,
        secret_ref=secret_ref,
        mailbox=mailbox,
        sender=sender,
        where=where,
    )
    return [
        Output("settings.md", "openbee/settings.md.j2", context),
        Output("settings.json", "openbee/settings.json.j2", context),
        Output("README.md", "openbee/README.md.j2", context),
    ]

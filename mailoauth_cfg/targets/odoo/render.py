"""Odoo (``microsoft_outlook`` / ``google_gmail`` modules): ``odoo_oauth.py``, a standalone Python 3
script that sets the OAuth system parameters and creates or updates the outgoing mail server
(and the incoming one when IMAP is used) over XML-RPC, and the README.

The script takes the Odoo URL and database from its arguments or environment (defaulting to the
config's values) and the login from ``ODOO_LOGIN`` / ``ODOO_PASSWORD``: no Odoo credential is
ever written into it."""

from __future__ import annotations

from typing import Any

from mailoauth_cfg.derive import TargetPlan, endpoints
from mailoauth_cfg.rendering import Output, RenderContext, narrow
from mailoauth_cfg.rendering.sheets import secret_reference
from mailoauth_cfg.targets.odoo.facts import GMAIL, OUTLOOK, SMTP_ENCRYPTION
from mailoauth_cfg.targets.odoo.model import OdooTarget


def outputs(ctx: RenderContext, plan: TargetPlan) -> list[Output]:
    """``odoo_oauth.py`` and the README."""
    target = narrow(plan.target, OdooTarget)
    if plan.provider is None or plan.app is None:
        return []
    context = ctx.base_context(plan)
    users = context["users"]
    if not users:
        return []
    mailbox = users[0].email
    ep = endpoints(plan.provider)
    secret = ctx.app_secret(plan)
    microsoft = plan.provider_type == "microsoft"
    service = (OUTLOOK if microsoft else GMAIL).value
    prefix = "microsoft_outlook" if microsoft else "google_gmail"
    params: list[tuple[str, Any]] = [(f"{prefix}_client_id", plan.app.client_id)]
    if secret is not None:
        params.append((f"{prefix}_client_secret", secret))
    if microsoft:
        # The module's default is https://login.microsoftonline.com/common/oauth2/v2.0/
        authority = target.authority or ep.token_url.rsplit("/", 1)[0] + "/"
        params.append(("microsoft_outlook.endpoint", authority))
    context.update(
        service=service,
        params=params,
        shown=[(k, None if k.endswith("_client_secret") else v) for k, v in params],
        mailbox=mailbox,
        smtp_host=ep.smtp_host,
        smtp_port=ep.smtp_port,
        imap_host=ep.imap_host,
        imap_port=ep.imap_port,
        incoming="imap" in target.protocols,
        smtp_encryption=SMTP_ENCRYPTION.value,
        outgoing="smtp" in target.protocols,
        secret=secret,
        secret_ref=secret_reference(plan),
    )
    return [
        Output("odoo_oauth.py", "odoo/odoo_oauth.py.j2", context),
        Output("README.md", "odoo/README.md.j2", context),
    ]

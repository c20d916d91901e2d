"""DigDash Enterprise: a settings sheet for the OAuth server parameters (``settings.md`` without the
secret, ``settings.json`` with it) and the README. DigDash has no documented configuration file
or API for these fields, so the operator types them in the web UI."""

from __future__ import annotations

from mailoauth_cfg.derive import TargetPlan, endpoints
from mailoauth_cfg.rendering import Output, RenderContext, narrow
from mailoauth_cfg.rendering.sheets import field, secret_reference
from mailoauth_cfg.targets.digdash.model import DigdashTarget


def outputs(ctx: RenderContext, plan: TargetPlan) -> list[Output]:
    """``settings.md``, ``settings.json`` and the README."""
    target = narrow(plan.target, DigdashTarget)
    if plan.provider is None or plan.app is None:
        return []
    context = ctx.base_context(plan)
    ep = endpoints(plan.provider)
    secret = ctx.app_secret(plan)
    microsoft = plan.provider_type == "microsoft"
    oauth = [field("OAuth Provider", "Microsoft" if microsoft else "Google")]
    if microsoft:
        oauth.append(field("Tenant", plan.tenant, "Directory (tenant) ID"))
    oauth += [
        field("Authorization URL", ep.authorize_url, "filled in by DigDash (greyed out): check it"),
        field("Token URL", ep.token_url, "filled in by DigDash (greyed out): check it"),
        field("Client ID", plan.app.client_id),
        field(
            "Client Secret",
            secret,
            "the secret Value" if microsoft else "the OAuth client's secret",
            secret=True,
        ),
        field(
            "Authorized redirect URI",
            plan.redirect_uri,
            "must equal the URI registered on the app, character for character",
        ),
        field("Refresh token", None, "read-only: filled in after the first consent"),
    ]
    users = context["users"]
    mailbox = users[0].email if users else None
    smtp = [
        field("SMTP server", ep.smtp_host),
        field("Port", ep.smtp_port),
        field("Security", "SSL/TLS" if ep.smtp_port == 465 else "STARTTLS"),
        field("User", mailbox, "the account that consents becomes the SMTP identity"),
        field("Sender", mailbox),
        field("Authentication", "OAuth", "uses the OAuth parameters above"),
    ]
    context.update(
        sections=[("OAuth parameters", oauth), ("Email server (field names unverified)", smtp)],
        secret=secret,
        secret_ref=secret_reference(plan),
        where=plan.facts.ui_path,
        mailbox=mailbox,
        base_url=target.url.rstrip("/"),
    )
    return [
        Output("settings.md", "digdash/settings.md.j2", context),
        Output("settings.json", "digdash/settings.json.j2", context),
        Output("README.md", "digdash/README.md.j2", context),
    ]

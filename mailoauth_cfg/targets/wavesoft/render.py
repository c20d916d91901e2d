"""WaveSoft CRM (Windows desktop client): a settings sheet for the dossier's "Authentifications"
tab and each user's mail account (``settings.md`` without the secret, ``settings.json`` with it),
and the README. The consent runs on each user's PC (loopback redirect ``http://localhost:3017/``)."""

from __future__ import annotations

from mailoauth_cfg.derive import TargetPlan, endpoints
from mailoauth_cfg.rendering import Output, RenderContext, narrow
from mailoauth_cfg.rendering.sheets import field, secret_reference
from mailoauth_cfg.targets.wavesoft.model import WavesoftTarget


def outputs(ctx: RenderContext, plan: TargetPlan) -> list[Output]:
    """``settings.md``, ``settings.json`` and the README."""
    target = narrow(plan.target, WavesoftTarget)
    if plan.provider is None or plan.app is None:
        return []
    context = ctx.base_context(plan)
    ep = endpoints(plan.provider)
    secret = ctx.app_secret(plan)
    microsoft = plan.provider_type == "microsoft"
    folder = [
        field("Dossier", target.folder, "the dossier whose preferences hold the settings"),
        field("Service", "Mail Office 365" if microsoft else "Gmail"),
        field(
            "Identification client",
            plan.app.client_id,
            "Application (client) ID" if microsoft else "OAuth client ID (Desktop app)",
        ),
        field(
            "Code secret",
            secret,
            "the secret Value, not the Secret ID" if microsoft else "the OAuth client's secret",
            secret=True,
        ),
    ]
    if microsoft:
        folder += [
            field(
                "URL Authentification",
                target.authorize_endpoint or ep.authorize_url,
                "OAuth 2.0 authorization endpoint (v2); it carries the tenant",
            ),
            field(
                "URL Jeton", target.token_endpoint or ep.token_url, "OAuth 2.0 token endpoint (v2)"
            ),
        ]
    incoming = [
        field("Serveur entrant", "IMAP"),
        field("Serveur", ep.imap_host),
        field("Port", ep.imap_port),
        field("SSL", "oui" if ep.imap_port == 993 else "non"),
    ]
    # FTC030 offers OAuth2 for sending too; it shows the receiving fields only, so the sending
    # ones are named after the server they hold
    outgoing = [
        field("Serveur sortant (SMTP)", ep.smtp_host),
        field("Port SMTP", ep.smtp_port, "STARTTLS" if ep.smtp_port != 465 else "SSL"),
    ]
    accounts = [
        (
            f"Mail account {user.email}",
            [
                field("Adresse e-mail", user.email),
                *(incoming if "imap" in target.protocols else []),
                *(outgoing if "smtp" in target.protocols else []),
                field("Identifiant", user.email),
                field("Authentification OAuth2", "cochée", "then save and click authenticate"),
            ],
        )
        for user in sorted(context["users"], key=lambda u: u.email)
    ]
    context.update(
        sections=[("Préférences dossier › Authentifications", folder), *accounts],
        secret=secret,
        secret_ref=secret_reference(plan),
        where=plan.facts.ui_path,
        **plan.plugin.runbook_context(plan),
    )
    return [
        Output("settings.md", "wavesoft/settings.md.j2", context),
        Output("settings.json", "wavesoft/settings.json.j2", context),
        Output("README.md", "wavesoft/README.md.j2", context),
    ]

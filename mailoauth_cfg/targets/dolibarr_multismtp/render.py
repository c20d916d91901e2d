"""Dolibarr MultiSMTP module (Open-DSI): ``multismtp.php`` (preferred), ``multismtp.sql`` and the
README.

Module constants plus one ``llx_user2smtp`` row per Dolibarr user, with that user's own OAuth
credentials (``smtp_oauth_provider/id/secret/tenant/scope``, and ``imap_*`` when IMAP is used):
one OAuth service, hence one token, per user. The PHP script stores the secrets encrypted
(``dolEncrypt``) as the module's user tab does; the SQL file writes them in plain text, which the
module reads as is (its ``dolDecrypt`` leaves values without the ``dolcrypt:`` prefix alone).
"""

from __future__ import annotations

from typing import Any

from mailoauth_cfg.derive import TargetPlan, endpoints
from mailoauth_cfg.rendering import Output, RenderContext, narrow
from mailoauth_cfg.rendering.environment import Secret
from mailoauth_cfg.rendering.sheets import secret_reference
from mailoauth_cfg.targets.dolibarr import provider_class_of
from mailoauth_cfg.targets.dolibarr.render import (
    Row,
    dolibarr_scopes,
    smtp_security,
    sql_representable,
)
from mailoauth_cfg.targets.dolibarr_multismtp.facts import (
    CONSTANTS,
    IMAP_AUTH_TYPE,
    IMAP_OAUTH,
    SMTP_AUTH_TYPE,
)
from mailoauth_cfg.targets.dolibarr_multismtp.model import MultismtpTarget


def outputs(ctx: RenderContext, plan: TargetPlan) -> list[Output]:
    """``multismtp.php``, ``multismtp.sql`` and the README."""
    target = narrow(plan.target, MultismtpTarget)
    provider = provider_class_of(plan)
    if plan.provider is None or plan.app is None or provider is None:
        return []
    context = ctx.base_context(plan)
    ep = endpoints(plan.provider)
    secret = ctx.app_secret(plan)
    imap = "imap" in target.protocols
    smtp = "smtp" in target.protocols
    constants = [
        Row(s.name, str(s.value))
        for s in CONSTANTS
        if s.applies(plan.provider_type, target.protocols)
    ]
    constants.append(Row("MULTISMTP_CRON_REFRESH_TOKEN_DAYS", str(target.cron_refresh_days)))
    tenant = ep.tenant if provider.provider == "microsoft" else None
    provider_value = f"OAUTH_{provider.key}"
    tls, starttls = smtp_security(ep)
    rows: list[dict[str, Any]] = []
    missing: list[str] = []
    for user in sorted(context["users"], key=lambda u: u.email):
        user_id = target.user_ids.get(user.email)
        if user_id is None:
            missing.append(user.email)
            continue
        fields: list[tuple[str, Any]] = [("fk_user", user_id)]
        if smtp:
            fields += [
                ("smtp_server", ep.smtp_host),
                ("smtp_port", ep.smtp_port),
                ("smtp_tls", tls),
                ("smtp_starttls", starttls),
                ("smtp_id", user.email),
                (SMTP_AUTH_TYPE.name, SMTP_AUTH_TYPE.value),
                ("smtp_oauth_service", None),
                ("smtp_oauth_provider", provider_value),
                ("smtp_oauth_id", plan.app.client_id),
                ("smtp_oauth_secret", secret),
                ("smtp_oauth_tenant", tenant),
                ("smtp_oauth_scope", ",".join(dolibarr_scopes(plan, provider, ["smtp"]))),
            ]
        if imap:
            fields += [
                ("imap_server", ep.imap_host),
                ("imap_port", ep.imap_port),
                ("imap_tls", 1 if ep.imap_port == 993 else 0),
                ("imap_id", user.email),
                (IMAP_AUTH_TYPE.name, IMAP_AUTH_TYPE.value),
                ("imap_oauth_service", None),
                ("imap_oauth_provider", provider_value),
                ("imap_oauth_id", plan.app.client_id),
                ("imap_oauth_secret", secret),
                ("imap_oauth_tenant", tenant),
                ("imap_oauth_scope", ",".join(dolibarr_scopes(plan, provider, ["imap"]))),
                ("imap_folder", target.imap_folder),
            ]
        rows.append(
            {
                "email": user.email,
                "user_id": user_id,
                "fields": fields,
                "secret_fields": [n for n, v in fields if isinstance(v, Secret)],
                "sql": all(
                    v is None or isinstance(v, int) or sql_representable(v) for _, v in fields
                ),
                "token_services": [
                    f"{provider.service_class}-MultiSmtpUser{user_id}{kind}"
                    for kind, used in (("Smtp", smtp), ("Imap", imap))
                    if used
                ],
            }
        )
    base = target.url.rstrip("/")
    context.update(
        provider_class=provider,
        provider_value=provider_value,
        entity=target.entity,
        constants=constants,
        rows=rows,
        missing=missing,
        secret=secret,
        secret_ref=secret_reference(plan),
        module_redirect=f"{base}/custom/multismtp/core/oauth/{provider.callback_file}",
        imap_oauth_since=IMAP_OAUTH.since,
        imap=imap,
        smtp=smtp,
        ep=ep,
    )
    return [
        Output("multismtp.php", "dolibarr-multismtp/multismtp.php.j2", context),
        Output("multismtp.sql", "dolibarr-multismtp/multismtp.sql.j2", context),
        Output("README.md", "dolibarr-multismtp/README.md.j2", context),
    ]

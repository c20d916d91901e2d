"""Dolibarr MultiSMTP module (Open-DSI): ``multismtp.php`` (preferred), ``multismtp.sql`` and the
README.

As the vendor documents it: one core OAuth service per user (``OAUTH_<PROV>-<label>_*`` rows of
the OAuth2 token management module, the app's credentials and the ticked scopes), selected on
the user's Email tab: one ``llx_user2smtp`` row per Dolibarr user with ``smtp_oauth_service``
(and ``imap_oauth_service``) set to ``<PROV>-<label>``. The module's custom per-user
credentials are left empty: MultiSMTP copies them only when a service is selected, and without
one it uses the global e-mail setting, so on their own they are never applied. The PHP script
stores the secrets encrypted (``dolibarr_set_const``); the SQL file writes them in plain text.

The Dolibarr user id of each mailbox is data only rendering needs (``user_ids``): without it
nothing is written, and rendering stops with a located finding.
"""

from __future__ import annotations

from typing import Any

from mailoauth_cfg.derive import TargetPlan, endpoints
from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rendering import Output, RenderContext, narrow
from mailoauth_cfg.rendering.sheets import secret_reference
from mailoauth_cfg.targets.dolibarr import entry_display, provider_class_of
from mailoauth_cfg.targets.dolibarr.facts import PAGES
from mailoauth_cfg.targets.dolibarr.render import (
    Row,
    dolibarr_scopes,
    smtp_security,
    sql_representable,
)
from mailoauth_cfg.targets.dolibarr_multismtp import user_entries
from mailoauth_cfg.targets.dolibarr_multismtp.facts import (
    CONSTANTS,
    IMAP_AUTH_TYPE,
    IMAP_OAUTH,
    SMTP_AUTH_TYPE,
)
from mailoauth_cfg.targets.dolibarr_multismtp.model import MultismtpTarget

USER_ID_RULE = "multismtp-user-id-missing"
CUSTOM_FIELDS = (
    "oauth_provider",
    "oauth_id",
    "oauth_secret",
    "oauth_tenant",
    "oauth_scope",
    "oauth_url_authorize",
)
"""The module's custom per-user OAuth columns (``smtp_``/``imap_`` prefixed): cleared, as the
selected service holds the credentials."""


def _account_scopes(plan: TargetPlan, mailbox: str, fallback: list[str]) -> list[str]:
    account = plan.target.account(mailbox)
    scopes = getattr(account, "scopes", None) if account is not None else None
    return [str(s) for s in scopes] if scopes is not None else fallback


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
    tenant = plan.tenant if provider.provider == "microsoft" else None
    scopes = dolibarr_scopes(plan, provider, target.protocols)
    tls, starttls = smtp_security(ep)
    labels = {m.lower(): label for m, label, _ in user_entries(plan)}
    entries: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    for user in sorted(context["users"], key=lambda u: u.email):
        label = labels[user.email.lower()]
        prefix = provider.const_prefix(label)
        service = provider.service_ref(label)
        login, _ = plan.login_of(user.email)
        entry_rows = [Row(f"{prefix}_ID", plan.app.client_id)]
        if secret is not None:
            entry_rows.append(Row(f"{prefix}_SECRET", secret, sql_representable(secret)))
        if tenant is not None:
            entry_rows.append(Row(f"{prefix}_TENANT", tenant))
        entry_scopes = _account_scopes(plan, user.email, scopes)
        entry_rows.append(Row(f"{prefix}_SCOPE", ",".join(entry_scopes)))
        entries.append(
            {
                "email": user.email,
                "label": label,
                "service": service,
                "display": entry_display(provider, label),
                "token_service": provider.service_name(label),
                "rows": entry_rows,
                "scopes": ",".join(entry_scopes),
            }
        )
        user_id = target.user_ids.get(user.email)
        if user_id is None:
            ctx.findings.append(
                Finding(
                    rule=USER_ID_RULE,
                    severity=Severity.ERROR,
                    message=f"target {plan.name}: the Dolibarr user id of {user.email} is "
                    "needed to write its llx_user2smtp row (the user whose Email tab selects "
                    f"entry {service})",
                    location=ctx.marks.location((*plan.path, "users"), at_key=True),
                    fix=f"add `{user.email}: <llx_user.rowid>` under "
                    f"targets.{plan.name}.user_ids (Users & Groups › the user's card: the id "
                    "in its URL)",
                    object=plan.object,
                )
            )
            continue
        fields: list[tuple[str, Any]] = [("fk_user", user_id)]
        if smtp:
            fields += [
                ("smtp_server", ep.smtp_host),
                ("smtp_port", ep.smtp_port),
                ("smtp_tls", tls),
                ("smtp_starttls", starttls),
                ("smtp_id", login),
                (SMTP_AUTH_TYPE.name, SMTP_AUTH_TYPE.value),
                ("smtp_oauth_service", service),
                *((f"smtp_{name}", None) for name in CUSTOM_FIELDS),
            ]
        if imap:
            fields += [
                ("imap_server", ep.imap_host),
                ("imap_port", ep.imap_port),
                ("imap_tls", 1 if ep.imap_port == 993 else 0),
                ("imap_id", login),
                (IMAP_AUTH_TYPE.name, IMAP_AUTH_TYPE.value),
                ("imap_oauth_service", service),
                *((f"imap_{name}", None) for name in CUSTOM_FIELDS),
                ("imap_folder", target.imap_folder),
            ]
        rows.append(
            {
                "email": user.email,
                "user_id": user_id,
                "service": service,
                "fields": fields,
                "sql": all(
                    v is None or isinstance(v, int) or sql_representable(v) for _, v in fields
                ),
            }
        )
    const_rows = [
        Row(r.name, r.value, r.sql and sql_representable(r.value) and sql_representable(r.name))
        for r in (*constants, *(row for e in entries for row in e["rows"]))
    ]
    context.update(
        provider_class=provider,
        entity=target.entity,
        constants=constants,
        const_rows=const_rows,
        entries=entries,
        rows=rows,
        secret=secret,
        secret_ref=secret_reference(plan),
        pages=PAGES,
        imap_oauth_since=IMAP_OAUTH.since,
        imap=imap,
        smtp=smtp,
        ep=ep,
        omitted=[r.name for r in const_rows if not r.sql],
    )
    return [
        Output("multismtp.php", "dolibarr-multismtp/multismtp.php.j2", context),
        Output("multismtp.sql", "dolibarr-multismtp/multismtp.sql.j2", context),
        Output("README.md", "dolibarr-multismtp/README.md.j2", context),
    ]

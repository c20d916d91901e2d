"""Dolibarr core OAuth module: ``dolibarr-oauth.php`` (preferred), ``dolibarr-oauth.sql`` and
the README.

The PHP script goes through ``dolibarr_set_const()``, the path the UI uses, so Dolibarr encrypts
the client secret (``_SECRET`` names match its encryption regex). The SQL file is the
alternative for hosts without PHP CLI access: its values land as typed, secrets included, in
plain text. Rows a SQL literal cannot hold unambiguously (a backslash) are left out of the SQL
file with a comment; the PHP script always holds every row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mailoauth_cfg.derive import Endpoints, TargetPlan, endpoints
from mailoauth_cfg.rendering import Output, RenderContext, narrow
from mailoauth_cfg.rendering.environment import Secret
from mailoauth_cfg.rendering.escaping import Unrepresentable, sql_string
from mailoauth_cfg.rendering.sheets import secret_reference
from mailoauth_cfg.targets.dolibarr import entry_display, has_force_prompt, provider_class_of
from mailoauth_cfg.targets.dolibarr.facts import (
    COLLECTOR_ACCESS,
    PAGES,
    PHPIMAP,
    SENDMODE,
    SMTP_AUTH_TYPE,
)
from mailoauth_cfg.targets.dolibarr.model import DolibarrCollector, DolibarrTarget
from mailoauth_cfg.targets.dolibarr.providers import DolibarrProvider, entry_scopes

CONTEXT_SUFFIXES = {
    "main": "",
    "emailing": "_EMAILING",
    "ticket": "_TICKET",
    "passwordreset": "_PASSWORDRESET",
}
"""``target.contexts`` value → suffix of the ``MAIN_MAIL_*`` constants (admin/mails*.php)."""

CONTEXT_PAGES = {
    "main": "admin/mails.php",
    "emailing": "admin/mails_emailing.php",
    "ticket": "admin/mails_ticket.php",
    "passwordreset": "admin/mails_passwordreset.php",
}


@dataclass(frozen=True, slots=True)
class Row:
    """One ``llx_const`` row: name, value (text or :class:`Secret`), and whether SQL holds it."""

    name: str
    value: Any
    sql: bool = True
    """False when the value cannot be written as one unambiguous SQL literal."""


def sql_representable(value: object) -> bool:
    """Whether the SQL file's escaping can carry ``value`` (it refuses backslashes, NUL...).

    A :class:`Secret` is peeked at without being recorded: this runs while the outputs are
    planned, before any file is rendered.
    """
    if value is None or isinstance(value, int):
        return True
    text = value.peek() if isinstance(value, Secret) else str(value)
    try:
        sql_string(text)
    except Unrepresentable:
        return False
    return True


def dolibarr_scopes(
    plan: TargetPlan, provider: DolibarrProvider, protocols: Sequence[str]
) -> list[str]:
    """The ``_SCOPE`` value as Dolibarr stores it: the declared checkboxes (``scopes:``), else
    the ones to tick for the protocols, in Dolibarr's order and notation."""
    declared = plan.declared("scopes")
    if isinstance(declared, list):
        return [str(s) for s in declared]
    profile = plan.microsoft
    needed = profile.required_permissions(list(protocols)) if profile else ()
    google = plan.google.scopes if plan.google is not None else ()
    return entry_scopes(provider, needed, google)


def smtp_security(ep: Endpoints) -> tuple[int, int]:
    """(``MAIN_MAIL_EMAIL_TLS``, ``MAIN_MAIL_EMAIL_STARTTLS``) for the SMTP port."""
    return (1, 0) if ep.smtp_port == 465 else (0, 1)


def _collector(target: DolibarrTarget) -> DolibarrCollector | None:
    if "imap" not in target.protocols:
        return None
    return target.collector or DolibarrCollector()


def outputs(ctx: RenderContext, plan: TargetPlan) -> list[Output]:
    """``dolibarr-oauth.php``, ``dolibarr-oauth.sql`` and the README."""
    target = narrow(plan.target, DolibarrTarget)
    provider = provider_class_of(plan)
    if plan.provider is None or plan.app is None or provider is None:
        return []
    context = ctx.base_context(plan)
    if not context["users"]:
        return []
    user = context["users"][0]
    ep = endpoints(plan.provider)
    secret = ctx.app_secret(plan)
    label = target.label
    prefix = provider.const_prefix(label)
    service = provider.service_ref(label)
    oauth: list[Row] = [Row(f"{prefix}_ID", plan.app.client_id)]
    if secret is not None:
        oauth.append(Row(f"{prefix}_SECRET", secret, sql_representable(secret)))
    if provider.provider == "microsoft" and plan.tenant is not None:
        oauth.append(Row(f"{prefix}_TENANT", plan.tenant))
    scopes = dolibarr_scopes(plan, provider, target.protocols)
    oauth.append(Row(f"{prefix}_SCOPE", ",".join(scopes)))
    empty_prompt = False
    prompt_setting = has_force_prompt(target.declared_version)
    if target.force_prompt is not None and provider.key == "MICROSOFT3" and prompt_setting:
        if target.force_prompt == "none":
            empty_prompt = True
        else:
            oauth.append(Row("OAUTH_MICROSOFT3_FORCE_PROMPT", target.force_prompt))
    tls, starttls = smtp_security(ep)
    login, _ = plan.login_of(user.email)
    sender = target.sender or user.email
    mail: list[Row] = []
    contexts = [c for c in CONTEXT_SUFFIXES if c in target.contexts]
    if "smtp" in target.protocols:
        for name in contexts:
            suffix = CONTEXT_SUFFIXES[name]
            mail.extend(
                [
                    Row(f"{SENDMODE.name}{suffix}", SENDMODE.value),
                    Row(f"MAIN_MAIL_SMTP_SERVER{suffix}", ep.smtp_host),
                    Row(f"MAIN_MAIL_SMTP_PORT{suffix}", str(ep.smtp_port)),
                    Row(f"MAIN_MAIL_EMAIL_TLS{suffix}", str(tls)),
                    Row(f"MAIN_MAIL_EMAIL_STARTTLS{suffix}", str(starttls)),
                    Row(f"MAIN_MAIL_SMTPS_ID{suffix}", login),
                    Row(f"{SMTP_AUTH_TYPE.name}{suffix}", SMTP_AUTH_TYPE.value),
                    Row(f"MAIN_MAIL_SMTPS_OAUTH_SERVICE{suffix}", service),
                ]
            )
            if name == "main":
                mail.append(Row("MAIN_MAIL_EMAIL_FROM", sender))
    collector = _collector(target)
    if collector is not None:
        mail.append(Row(PHPIMAP.name, PHPIMAP.value))
    rows = [
        Row(r.name, r.value, r.sql and sql_representable(r.value) and sql_representable(r.name))
        for r in (*oauth, *mail)
    ]
    collector_row: dict[str, Any] | None = None
    if collector is not None:
        fields: list[tuple[str, Any]] = [
            ("ref", collector.ref),
            ("label", f"OAuth2 {user.email}"),
            ("host", ep.imap_host),
            ("port", str(ep.imap_port)),
            ("imap_encryption", "ssl" if ep.imap_port == 993 else "tls"),
            ("hostcharset", "UTF-8"),
            (COLLECTOR_ACCESS.name, COLLECTOR_ACCESS.value),
            ("login", login),
            ("oauth_service", service),
            ("source_directory", collector.source_directory),
            ("target_directory", collector.target_directory),
        ]
        collector_row = {
            "fields": fields,
            "sql": all(v is None or sql_representable(v) for _, v in fields),
        }
    context.update(
        provider_class=provider,
        entry=entry_display(provider, label),
        pages=PAGES,
        prompt_setting=prompt_setting,
        label=label,
        entity=target.entity,
        user=user,
        sender=sender,
        service=service,
        token_service=provider.service_name(label),
        rows=rows,
        shown=[(r.name, None if isinstance(r.value, Secret) else r.value) for r in rows],
        oauth_rows=[r.name for r in oauth],
        empty_prompt=empty_prompt,
        contexts=contexts,
        context_pages=[CONTEXT_PAGES[c] for c in contexts],
        collector=collector,
        collector_row=collector_row,
        secret=secret,
        secret_ref=secret_reference(plan),
        omitted=[r.name for r in rows if not r.sql]
        + ([] if collector_row is None or collector_row["sql"] else ["email collector"]),
        scopes_value=",".join(scopes),
        ep=ep,
    )
    return [
        Output("dolibarr-oauth.php", "dolibarr/dolibarr-oauth.php.j2", context),
        Output("dolibarr-oauth.sql", "dolibarr/dolibarr-oauth.sql.j2", context),
        Output("README.md", "dolibarr/README.md.j2", context),
    ]

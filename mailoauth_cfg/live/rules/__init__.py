"""The live rule catalogue and its runner: pure functions of (config, snapshot).

Live rules honour the config's ``rules:`` settings (severity, ``off``, options) and
suppressions exactly like offline rules (they reuse the offline engine's suppression logic).
``live-check-incomplete`` is not a rule that can be turned off: a provider that could not be read
at all is always reported, as ``unknown``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from pydantic import ValidationError

from mailoauth_cfg.findings import Finding, ObjectRef, RuleInfo, Severity, Status
from mailoauth_cfg.live.rules import (
    live_google_address_not_primary,
    live_google_app_password_missing,
    live_google_consent_missing,
    live_google_consent_screen_unverifiable,
    live_google_delegation_unverifiable,
    live_google_gmail_api_disabled,
    live_google_imap_pop_disabled,
    live_google_redirect_uris_unverifiable,
    live_google_send_as_missing,
    live_google_two_step_verification,
    live_google_user_missing,
    live_google_user_no_mailbox,
    live_google_user_suspended,
    live_ms_address_not_primary,
    live_ms_app_registration_missing,
    live_ms_certificate_expiry,
    live_ms_exchange_service_principal,
    live_ms_imap_pop_disabled,
    live_ms_mailbox_permission_missing,
    live_ms_mailbox_type,
    live_ms_permission_not_consented,
    live_ms_permission_not_requested,
    live_ms_public_client_flows,
    live_ms_redirect_uri_extra,
    live_ms_redirect_uri_missing,
    live_ms_redirect_uri_wrong_platform,
    live_ms_secret_expiry,
    live_ms_service_principal_disabled,
    live_ms_service_principal_missing,
    live_ms_sign_in_audience,
    live_ms_smtp_auth_disabled,
    live_ms_smtp_auth_drift,
    live_ms_user_disabled,
    live_ms_user_missing,
    live_ms_user_unlicensed,
)
from mailoauth_cfg.live.rules._base import LiveRule
from mailoauth_cfg.live.snapshot import Snapshot
from mailoauth_cfg.loading import SourceMap
from mailoauth_cfg.model import GoogleProvider, MailConfig, MicrosoftProvider
from mailoauth_cfg.rules._base import Context, Rule
from mailoauth_cfg.rules.engine import suppress_findings

LIVE_RULES: tuple[LiveRule[Any], ...] = (
    live_ms_app_registration_missing.RULE,
    live_ms_service_principal_missing.RULE,
    live_ms_service_principal_disabled.RULE,
    live_ms_redirect_uri_missing.RULE,
    live_ms_redirect_uri_wrong_platform.RULE,
    live_ms_redirect_uri_extra.RULE,
    live_ms_sign_in_audience.RULE,
    live_ms_public_client_flows.RULE,
    live_ms_permission_not_requested.RULE,
    live_ms_permission_not_consented.RULE,
    live_ms_secret_expiry.RULE,
    live_ms_certificate_expiry.RULE,
    live_ms_user_missing.RULE,
    live_ms_user_disabled.RULE,
    live_ms_user_unlicensed.RULE,
    live_ms_address_not_primary.RULE,
    live_ms_mailbox_type.RULE,
    live_ms_smtp_auth_disabled.RULE,
    live_ms_smtp_auth_drift.RULE,
    live_ms_imap_pop_disabled.RULE,
    live_ms_exchange_service_principal.RULE,
    live_ms_mailbox_permission_missing.RULE,
    live_google_user_missing.RULE,
    live_google_user_suspended.RULE,
    live_google_user_no_mailbox.RULE,
    live_google_address_not_primary.RULE,
    live_google_two_step_verification.RULE,
    live_google_app_password_missing.RULE,
    live_google_consent_missing.RULE,
    live_google_send_as_missing.RULE,
    live_google_imap_pop_disabled.RULE,
    live_google_gmail_api_disabled.RULE,
    live_google_redirect_uris_unverifiable.RULE,
    live_google_consent_screen_unverifiable.RULE,
    live_google_delegation_unverifiable.RULE,
)

INCOMPLETE = RuleInfo(
    id="live-check-incomplete",
    severity=Severity.ERROR,
    summary="A provider could not be read at all (credentials, tenant, service), so its live "
    "checks did not run.",
    doc="A provider could not be read at all (credentials, tenant, service), so its live "
    "checks did not run.\n\n"
    "**What.** The whole provider is missing from the snapshot: the credential could not be "
    "built or refused a token, the snapshot is of another tenant, or it was taken without "
    "this provider. The finding is always reported (status `unknown`, exit code 3) and "
    "cannot be turned off: a check that did not run is never a pass.\n\n"
    "**Fix.** The message gives the reason; `mailoauth-cfg permissions` lists what the "
    "checker needs and the credential sources it reads.",
)


def rule_infos() -> dict[str, RuleInfo]:
    """Metadata of every live rule (and ``live-check-incomplete``), by ID."""
    infos = {rule.id: rule.info() for rule in LIVE_RULES}
    infos[INCOMPLETE.id] = INCOMPLETE
    return infos


def offline_rules() -> tuple[Rule[Any], ...]:
    """Stand-ins that let the offline engine accept ``rules:`` settings of live rules."""
    return tuple(rule.offline() for rule in LIVE_RULES)


def _named(config: MailConfig, name: str) -> bool:
    return any(a.provider == name for a in config.apps.values()) or any(
        u.provider == name for u in config.users
    )


def incomplete(ctx: Context, snapshot: Snapshot) -> list[Finding]:
    """One ``unknown`` finding per provider that names objects but could not be read."""
    out: list[Finding] = []
    for name, provider in sorted(ctx.config.providers.items()):
        if not _named(ctx.config, name):
            continue
        reason: str | None = None
        if isinstance(provider, MicrosoftProvider):
            section = snapshot.microsoft.get(name)
            if section is None:
                reason = "the snapshot has no section for this provider"
            elif section.tenant != provider.tenant:
                reason = (
                    f"the snapshot is of tenant {section.tenant}, the config names "
                    f"{provider.tenant}"
                )
            else:
                reason = section.failed
        elif isinstance(provider, GoogleProvider):
            domain = snapshot.google.get(name)
            wanted = provider.domain.lower() if provider.domain else None
            if domain is None:
                reason = "the snapshot has no section for this provider"
            elif domain.domain != wanted:
                reason = f"the snapshot is of domain {domain.domain}, the config names {wanted}"
            else:
                reason = domain.failed
        if reason is None:
            continue
        out.append(
            Finding(
                rule=INCOMPLETE.id,
                severity=INCOMPLETE.severity,
                message=f"live checks of provider {name} did not run: {reason}",
                location=ctx.marks.location(("providers", name), at_key=True),
                fix="see `mailoauth-cfg permissions` for the credentials and permissions the "
                "checker needs, then run `validate --online` again",
                object=ObjectRef.provider(name),
                status=Status.UNKNOWN,
                help=INCOMPLETE.summary,
            )
        )
    return out


def run_live_rules(
    config: MailConfig,
    marks: SourceMap,
    snapshot: Snapshot,
    *,
    as_of: dt.date,
    rules: tuple[LiveRule[Any], ...] = LIVE_RULES,
) -> list[Finding]:
    """Run the live rules over ``config`` and ``snapshot`` with the config's rule settings.

    Invalid options are reported by the offline run (the live rules are known to it through
    :func:`offline_rules`); such a rule is skipped here.
    """
    ctx = Context.of(config, marks, as_of)
    findings = incomplete(ctx, snapshot)
    for rule in rules:
        setting = config.rules.get(rule.id)
        severity = rule.severity
        raw: dict[str, Any] = {}
        if setting is not None:
            if setting.severity == "off":
                continue
            if setting.severity is not None:
                severity = Severity.parse(setting.severity)
            raw = setting.options
        try:
            options = rule.options.model_validate(raw)
        except ValidationError:
            continue
        for found in rule.check(ctx, snapshot, options):
            if severity is not found.severity and found.severity is rule.severity:
                found = replace(found, severity=severity)
            findings.append(found)
    return suppress_findings(findings, config, marks, as_of)


__all__ = [
    "INCOMPLETE",
    "LIVE_RULES",
    "LiveRule",
    "offline_rules",
    "rule_infos",
    "run_live_rules",
]

"""The live rule catalogue and its runner.

Live rules are :class:`~mailoauth_cfg.rules._base.Rule` objects like the offline ones and run in
the same engine (:func:`mailoauth_cfg.rules.engine.run_rules`): one loop for the config's
``rules:`` settings (severity, ``off``, options) and suppressions. What sets them apart is
declared on the rule: the snapshot facts it reads (``reads``) and the offline rules its verdict
replaces in an ``--online`` run (``supersedes``). The engine gives them the snapshot through
:class:`~mailoauth_cfg.live.rules._facts.LiveFacts`, which turns a result that depended on a
missing or failed fact into ``unknown``.

``live-check-incomplete`` is not a rule that can be turned off: a provider that could not be read
at all is always reported, as ``unknown``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from mailoauth_cfg.findings import Finding, ObjectRef, RuleInfo, Severity, Status
from mailoauth_cfg.live.microsoft.needs import effective_tenant
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
    live_ms_app_credentials,
    live_ms_app_registration_missing,
    live_ms_certificate_expiry,
    live_ms_delegate_access_missing,
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
from mailoauth_cfg.live.rules._facts import LiveFacts
from mailoauth_cfg.live.snapshot import Snapshot
from mailoauth_cfg.loading import SourceMap
from mailoauth_cfg.model import GoogleProvider, MailConfig, MicrosoftProvider
from mailoauth_cfg.rules._base import Context, Rule
from mailoauth_cfg.rules.engine import run_rules, suppress_findings

LIVE_RULES: tuple[Rule[Any], ...] = (
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
    live_ms_app_credentials.RULE,
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
    live_ms_delegate_access_missing.RULE,
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
            tenant, problem = effective_tenant(ctx.config, name)
            if section is None:
                reason = "the snapshot has no section for this provider"
            elif tenant is None:
                reason = section.failed or problem
            elif section.tenant != tenant:
                reason = f"the snapshot is of tenant {section.tenant}, the config names {tenant}"
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


@dataclass
class LiveResult:
    """The live findings of a config, and what the live rules decided from complete facts."""

    findings: list[Finding]
    decided: set[tuple[str, tuple[str, str]]] = field(default_factory=set)
    """``(live rule ID, ObjectRef.key)`` of every subject a live rule decided from facts read
    live."""


def check_live(
    config: MailConfig,
    marks: SourceMap,
    snapshot: Snapshot,
    *,
    as_of: dt.date,
    rules: tuple[Rule[Any], ...] = LIVE_RULES,
) -> LiveResult:
    """Run the live rules over ``config`` and ``snapshot`` in the one rule engine, with the
    config's rule settings (already validated by the offline pass: not reported again) and
    suppressions, plus one ``live-check-incomplete`` per provider that could not be read."""
    facts = LiveFacts(snapshot)
    ctx = Context.of(config, marks, as_of)
    findings = suppress_findings(incomplete(ctx, snapshot), config, marks, as_of)
    findings += run_rules(
        config, marks, as_of=as_of, rules=rules, facts=facts, report_settings=False
    )
    return LiveResult(findings, facts.decided)


def run_live_rules(
    config: MailConfig,
    marks: SourceMap,
    snapshot: Snapshot,
    *,
    as_of: dt.date,
    rules: tuple[Rule[Any], ...] = LIVE_RULES,
) -> list[Finding]:
    """The findings of :func:`check_live`."""
    return check_live(config, marks, snapshot, as_of=as_of, rules=rules).findings


__all__ = [
    "INCOMPLETE",
    "LIVE_RULES",
    "LiveResult",
    "check_live",
    "rule_infos",
    "run_live_rules",
]

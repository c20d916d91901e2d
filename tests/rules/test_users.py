"""Unit tests of the mailbox rules: decision paths, severities, exact fixes, edge cases."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from mailoauth_cfg import targets as registry
from mailoauth_cfg.findings import Finding, Severity, Status
from mailoauth_cfg.rules import all_rules
from mailoauth_cfg.rules.users import RULES
from mailoauth_cfg.validation import validate_file

AS_OF = dt.date(2026, 11, 22)
BY_ID = {rule.id: rule for rule in RULES}

CONTOSO = """\
version: 1
providers:
  contoso:
    type: microsoft
    tenant: 6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d
{org}
apps:
  erp-mail:
    provider: contoso
    client_id: 1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b
    client_secret: {{env: ERP_MAIL_SECRET, expires: 2027-05-31}}
"""


def contoso(org: str = "") -> str:
    return CONTOSO.format(org=f"    smtp_auth: {org}" if org else "")


def run(tmp_path: Path, text: str, rule_id: str) -> list[Finding]:
    """Findings of one rule on a config written to a temporary file."""
    path = tmp_path / "mailoauth.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    result = validate_file(path, as_of=AS_OF, rules=[BY_ID[rule_id]])
    loading = [f for f in result.findings if f.rule != rule_id]
    assert not loading, [f.message for f in loading]
    return [f for f in result.findings if f.status is Status.FAIL]


def test_users_family_is_registered_and_prefixed() -> None:
    ids = {rule.id for rule in all_rules()}
    assert set(BY_ID) <= ids
    assert all(rule.id.startswith("user-") and rule.family == "users" for rule in RULES)


def test_kinds_whose_sender_must_own_the_token_hold_one_token() -> None:
    strict = {p.key for p in registry.plugins() if p.facts.sender_must_equal_token_owner}
    single = {p.key for p in registry.plugins() if p.facts.single_token is not None}
    assert strict
    assert strict <= single


# --- SMTP AUTH --------------------------------------------------------------------------------

SENDER = """\
users:
  - {email: erp@contoso.com, provider: contoso}
targets:
  erp: {type: dolibarr, url: "https://erp.contoso.com", version: "23", app: erp-mail,
        users: [erp@contoso.com]}
"""


INHERIT = SENDER.replace("provider: contoso}", "provider: contoso, smtp_auth: inherit}")


def test_undeclared_mailbox_in_a_closed_tenant_is_info(tmp_path: Path) -> None:
    (finding,) = run(tmp_path, contoso("disabled") + SENDER, "user-smtp-auth-inherits-disabled")
    assert finding.severity is Severity.INFO, "the mailbox's own value decides (--online)"
    assert run(tmp_path, contoso() + SENDER, "user-smtp-auth-inherits-disabled") == []


def test_inherit_with_org_disabled_prints_the_decision_path(tmp_path: Path) -> None:
    (finding,) = run(tmp_path, contoso("disabled") + INHERIT, "user-smtp-auth-inherits-disabled")
    assert finding.severity is Severity.ERROR
    assert (
        "mailbox: inherit ($null) → org TransportConfig: SmtpClientAuthenticationDisabled=$true"
        in finding.message
    )
    assert "→ SMTP AUTH off" in finding.message
    assert (
        "Set-CASMailbox -Identity erp@contoso.com -SmtpClientAuthenticationDisabled $false"
        in finding.fix
    )
    assert finding.fix.index("Set-CASMailbox") < finding.fix.index("Set-TransportConfig")


def test_inherit_with_org_undeclared_is_info(tmp_path: Path) -> None:
    (finding,) = run(tmp_path, contoso() + INHERIT, "user-smtp-auth-inherits-disabled")
    assert finding.severity is Severity.INFO
    assert "Get-TransportConfig" in finding.fix


def test_inherit_with_org_enabled_or_no_smtp_is_silent(tmp_path: Path) -> None:
    assert run(tmp_path, contoso("enabled") + SENDER, "user-smtp-auth-inherits-disabled") == []
    reading = SENDER.replace(
        "users: [erp@contoso.com]}", "users: [erp@contoso.com],\n        protocols: [imap]}"
    )
    assert run(tmp_path, contoso("disabled") + reading, "user-smtp-auth-inherits-disabled") == []


def test_disabled_mailbox_fix_is_the_exact_cmdlet(tmp_path: Path) -> None:
    text = contoso() + SENDER.replace(
        "provider: contoso}", "provider: contoso, smtp_auth: disabled}"
    )
    (finding,) = run(tmp_path, text, "user-smtp-auth-disabled")
    assert finding.fix == (
        "`Set-CASMailbox -Identity erp@contoso.com -SmtpClientAuthenticationDisabled $false`, "
        "then set `smtp_auth: enabled`"
    )
    assert "535 5.7.139" in finding.message


# --- shared mailboxes -------------------------------------------------------------------------


def test_shared_mailbox_used_only_app_only_needs_no_sign_in(tmp_path: Path) -> None:
    text = (
        contoso("enabled")
        + """\
  daemon:
    provider: contoso
    flow: app-only
    client_id: 6e8f0a12-3b4c-4d5e-8f9a-0b1c2d3e4f5a
    client_secret: {env: DAEMON, expires: 2027-05-31}
users:
  - {email: archive@contoso.com, provider: contoso, mailbox: shared}
targets:
  archive: {type: dolibarr, url: "https://erp.contoso.com", version: "23",
            oauth_provider: MICROSOFTAPP, app: daemon, users: [archive@contoso.com]}
"""
    )
    assert run(tmp_path, text, "user-shared-mailbox-sign-in") == []
    assert run(tmp_path, text, "user-shared-mailbox-unsupported") == []
    delegated = text.replace("app: daemon", "app: erp-mail").replace(
        "oauth_provider: MICROSOFTAPP, ", ""
    )
    assert len(run(tmp_path, delegated, "user-shared-mailbox-sign-in")) == 1
    assert len(run(tmp_path, delegated, "user-shared-mailbox-unsupported")) == 1


def test_sign_in_fix_grants_full_access_and_send_as(tmp_path: Path) -> None:
    text = contoso() + "users:\n  - {email: f@contoso.com, provider: contoso, mailbox: shared}\n"
    (finding,) = run(tmp_path, text, "user-shared-mailbox-sign-in")
    assert (
        "Add-MailboxPermission -Identity f@contoso.com -User <member> -AccessRights FullAccess"
        in (finding.fix)
    )
    assert (
        "Add-RecipientPermission -Identity f@contoso.com -Trustee <member> -AccessRights SendAs"
        in (finding.fix)
    )


# --- sender -----------------------------------------------------------------------------------


def test_sender_other_address_on_exchange_needs_send_as(tmp_path: Path) -> None:
    text = contoso() + SENDER.replace(
        "users: [erp@contoso.com]}", "users: [erp@contoso.com], sender: info@contoso.com}"
    )
    (finding,) = run(tmp_path, text, "user-sender-not-token-owner")
    assert finding.severity is Severity.WARNING
    assert "SendAsDenied" in finding.message
    assert (
        "Add-RecipientPermission -Identity info@contoso.com -Trustee erp@contoso.com "
        "-AccessRights SendAs" in finding.fix
    )


def test_sender_case_differences_are_the_same_address(tmp_path: Path) -> None:
    text = contoso() + SENDER.replace(
        "users: [erp@contoso.com]}", "users: [erp@contoso.com], sender: ERP@Contoso.com}"
    )
    assert run(tmp_path, text, "user-sender-not-token-owner") == []


# --- token sharing ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["msmtp", "dolibarr-multismtp", "email-oauth2-proxy"])
def test_per_user_kinds_accept_several_mailboxes(tmp_path: Path, kind: str) -> None:
    extra = {"dolibarr-multismtp": 'url: "https://erp.contoso.com", version: "23", '}.get(kind, "")
    text = (
        contoso("enabled")
        + f"""\
users:
  - {{email: a@contoso.com, provider: contoso}}
  - {{email: b@contoso.com, provider: contoso}}
targets:
  t: {{type: {kind}, {extra}app: erp-mail, users: [a@contoso.com, b@contoso.com]}}
"""
    )
    assert run(tmp_path, text, "user-token-shared") == []


# --- provider mismatch ------------------------------------------------------------------------


def test_google_external_cross_domain_is_a_warning(tmp_path: Path) -> None:
    text = """\
    version: 1
    providers:
      acme: {type: google, domain: acme.example, consent_screen: {audience: external}}
      beta: {type: google, domain: beta.example}
    apps:
      web:
        provider: acme
        client_id: 412345678901-k3j4h5g6f7d8s9a0p1o2i3u4y5t6r7e8.apps.googleusercontent.com
    users:
      - {email: h@beta.example, provider: beta}
    targets:
      helpdesk: {type: glpi, url: "https://support.beta.example", app: web, users: [h@beta.example]}
    """
    (finding,) = run(tmp_path, text, "user-provider-mismatch")
    assert finding.severity is Severity.WARNING
    assert "App access control" in finding.message


def test_password_targets_are_not_checked_for_provider(tmp_path: Path) -> None:
    text = """\
    version: 1
    providers:
      contoso: {type: microsoft, tenant: 6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d}
      fabrikam: {type: microsoft, tenant: 7e1d5e54-9b4f-4a6c-8d2e-3f8a4b5c6d7e}
    apps:
      erp-mail: {provider: contoso, client_id: 1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b}
    users:
      - {email: x@fabrikam.com, provider: fabrikam}
    targets:
      legacy: {type: msmtp, app: erp-mail, auth: password, users: [x@fabrikam.com]}
      modern: {type: msmtp, app: erp-mail, users: [x@fabrikam.com]}
    """
    (finding,) = run(tmp_path, text, "user-provider-mismatch")
    assert finding.object_name == "target:modern"
    assert "AADSTS50020" in finding.message


# --- protocols, unused, aliases ---------------------------------------------------------------


def test_protocol_fix_for_pop(tmp_path: Path) -> None:
    text = (
        contoso()
        + """\
users:
  - {email: sales@contoso.com, provider: contoso, protocols: [imap]}
targets:
  crm: {type: wavesoft, app: erp-mail, users: [sales@contoso.com], protocols: [imap, pop]}
"""
    )
    (finding,) = run(tmp_path, text, "user-protocol-not-allowed")
    assert "`Set-CASMailbox -Identity sales@contoso.com -PopEnabled $true`" in finding.fix


def test_sign_in_member_counts_as_used(tmp_path: Path) -> None:
    text = (
        contoso()
        + """\
users:
  - {email: m@contoso.com, provider: contoso}
  - {email: s@contoso.com, provider: contoso, mailbox: shared, sign_in_as: M@contoso.com}
"""
    )
    found = run(tmp_path, text, "user-unused")
    assert [f.object_name for f in found] == ["user:s@contoso.com"]


def test_alias_of_another_mailbox_is_a_warning_without_strict_targets(tmp_path: Path) -> None:
    text = (
        contoso()
        + """\
users:
  - {email: a@contoso.com, provider: contoso, aliases: [b@contoso.com]}
  - {email: b@contoso.com, provider: contoso}
"""
    )
    (finding,) = run(tmp_path, text, "user-primary-address-required")
    assert finding.severity is Severity.WARNING
    assert finding.object_name == "user:b@contoso.com"
    assert "Get-Mailbox -Identity b@contoso.com | Format-List PrimarySmtpAddress" in finding.fix


def test_protocol_fix_for_google_imap(tmp_path: Path) -> None:
    text = """\
    version: 1
    providers:
      acme: {type: google, domain: acme.example, consent_screen: {audience: internal}}
    apps:
      web:
        provider: acme
        client_id: 412345678901-k3j4h5g6f7d8s9a0p1o2i3u4y5t6r7e8.apps.googleusercontent.com
    users:
      - {email: crm@acme.example, provider: acme, protocols: [smtp]}
    targets:
      odoo: {type: odoo, url: "https://odoo.acme.example", version: 17, database: acme, app: web,
             users: [crm@acme.example], protocols: [smtp, imap]}
    """
    (finding,) = run(tmp_path, text, "user-protocol-not-allowed")
    assert "End User Access › POP and IMAP access" in finding.fix
    assert "remove imap from the protocols of target odoo" in finding.fix

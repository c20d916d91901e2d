"""Unit tests of the Microsoft rules: decision paths, severities, exact fixes, edge cases."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from mailoauth_cfg.catalog.dates import EXO_SMTP_BASIC_AUTH_DEFAULT_OFF
from mailoauth_cfg.catalog.microsoft import CLOUDS, PERMISSION_NAMES
from mailoauth_cfg.derive import plan
from mailoauth_cfg.findings import Finding, Severity, Status
from mailoauth_cfg.loading import load_config
from mailoauth_cfg.model.building import build_config
from mailoauth_cfg.rules import all_rules
from mailoauth_cfg.rules.microsoft import RULES
from mailoauth_cfg.rules.microsoft._common import (
    APP_ONLY_ROLES,
    effective_bootstrap,
    resolve_permission,
)
from mailoauth_cfg.rules.microsoft.ms_endpoint_override_cloud import hosts, microsoft_domain
from mailoauth_cfg.rules.microsoft.ms_unknown_permission import suggestion
from mailoauth_cfg.validation import validate_file

AS_OF = dt.date(2026, 11, 22)
BY_ID = {rule.id: rule for rule in RULES}
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "contoso" / "mailoauth.yaml"

HEAD = """\
version: 1
providers:
  contoso: {type: microsoft, tenant: 6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mailoauth.yaml"
    path.write_text(HEAD + textwrap.dedent(text), encoding="utf-8")
    return path


def run(tmp_path: Path, text: str, rule_id: str, *, as_of: dt.date = AS_OF) -> list[Finding]:
    """Findings of one rule on a config (HEAD + ``text``) written to a temporary file."""
    result = validate_file(write(tmp_path, text), as_of=as_of, rules=[BY_ID[rule_id]])
    loading = [f for f in result.findings if f.rule != rule_id]
    assert not loading, [f.message for f in loading]
    return [f for f in result.findings if f.status is Status.FAIL]


# --- Registration ---------------------------------------------------------------------------


def test_microsoft_family_is_registered_and_prefixed() -> None:
    ids = {rule.id for rule in all_rules()}
    assert set(BY_ID) <= ids
    assert len(BY_ID) == len(RULES) >= 26
    assert all(r.id.startswith("ms-") and r.family == "microsoft" for r in RULES)


def test_contoso_example_is_clean_for_microsoft_and_general_rules() -> None:
    from mailoauth_cfg.rules.general import RULES as GENERAL

    result = validate_file(EXAMPLE, as_of=AS_OF, rules=[*RULES, *GENERAL])
    assert [f"{f.rule}: {f.message}" for f in result.findings] == []


# --- Helpers --------------------------------------------------------------------------------


def test_permission_names_resolve_by_flow() -> None:
    delegated = resolve_permission("Mail.Send", "delegated")
    application = resolve_permission("mail.send", "app-only")
    assert delegated is not None
    assert delegated.kind == "delegated"
    assert application is not None
    assert application.kind == "application"
    # A name with one kind only resolves to it whatever the flow.
    role = resolve_permission("SMTP.SendAsApp", "delegated")
    assert role is not None
    assert role.kind == "application"
    assert resolve_permission("https://outlook.office.com/SMTP.Send", "delegated") is not None
    assert resolve_permission("SMTP.Sent", "delegated") is None


def test_app_only_roles_are_catalog_application_permissions() -> None:
    for role in APP_ONLY_ROLES.values():
        found = resolve_permission(role, "app-only")
        assert found is not None
        assert found.kind == "application"
        assert found.resource == "exchange"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("{type: email-oauth2-proxy, app: a, users: [u@contoso.com]}", "cli-loopback"),
        ("{type: email-oauth2-proxy, flow: device, app: a, users: [u@contoso.com]}", "device-code"),
        (
            "{type: email-oauth2-proxy, flow: client_credentials, app: a, users: [u@contoso.com]}",
            "client-credentials",
        ),
        ("{type: postfix-sasl-xoauth2, app: a, users: [u@contoso.com]}", "device-code"),
        (
            "{type: postfix-sasl-xoauth2, flow: loopback, app: a, users: [u@contoso.com]}",
            "cli-loopback",
        ),
        ("{type: msmtp, app: a, users: [u@contoso.com]}", "cli-loopback"),
        (
            "{type: dolibarr, url: 'https://e.contoso.com', version: 23, "
            "oauth_provider: MICROSOFTAPP, app: a, users: [u@contoso.com]}",
            "client-credentials",
        ),
        (
            "{type: dolibarr, url: 'https://e.contoso.com', version: 23, app: a, "
            "users: [u@contoso.com]}",
            "in-app-consent",
        ),
    ],
)
def test_effective_bootstrap_follows_the_target_flow(
    tmp_path: Path, target: str, expected: str
) -> None:
    text = f"""\
    apps:
      a: {{provider: contoso, client_id: 1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b}}
    users:
      - {{email: u@contoso.com, provider: contoso}}
    targets:
      t: {target}
    """
    loaded = load_config(write(tmp_path, text))
    config = build_config(loaded).config
    assert config is not None
    assert effective_bootstrap(plan(config).targets["t"]) == expected


def test_unknown_permission_suggestions_are_close_matches_only() -> None:
    assert suggestion("SMTP.Sent") == "SMTP.Send"
    assert suggestion("imap.accessasuser") == "IMAP.AccessAsUser.All"
    assert suggestion("https://outlook.office.com/POP.AccesAsUser.All") == "POP.AccessAsUser.All"
    # A real Graph permission outside the catalog gets no misleading suggestion.
    assert suggestion("Calendars.ReadWrite") is None
    assert suggestion("Calendars.ReadWrite") not in PERMISSION_NAMES


def test_unknown_permission_typo_is_an_error_and_unknown_name_an_info(tmp_path: Path) -> None:
    findings = run(
        tmp_path,
        """\
        apps:
          a:
            provider: contoso
            client_id: 1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b
            permissions: [SMTP.Sent, Calendars.ReadWrite]
        """,
        "ms-unknown-permission",
    )
    assert [(f.severity, f.location.path) for f in findings] == [
        (Severity.ERROR, "apps.a.permissions[0]"),
        (Severity.INFO, "apps.a.permissions[1]"),  # may be real, outside the catalog
    ]
    assert "did you mean 'SMTP.Send'" in findings[0].message
    assert findings[0].fix == "replace 'SMTP.Sent' with 'SMTP.Send'"


# --- Permissions ----------------------------------------------------------------------------


def test_permission_missing_names_target_protocol_and_exact_fix(tmp_path: Path) -> None:
    findings = run(
        tmp_path,
        """\
        apps:
          a:
            provider: contoso
            client_id: 1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b
            client_secret: {env: S, expires: 2027-05-31}
            permissions: [offline_access, Mail.Send]
        users:
          - {email: u@contoso.com, provider: contoso}
        targets:
          helpdesk: {type: glpi, url: 'https://h.contoso.com', app: a, users: [u@contoso.com]}
        """,
        "ms-permission-missing",
    )
    assert len(findings) == 1
    (finding,) = findings
    assert "SMTP.Send, needed by target helpdesk (glpi) for smtp" in finding.message
    assert "Graph's Mail.Send" in finding.message
    # openid/email (requested by GLPI) are sign-in scopes: not reported.
    assert "openid" not in finding.message
    assert (
        "API permissions › Add a permission › Microsoft Graph › Delegated permissions › "
        "SMTP.Send" in finding.fix
    )
    assert (
        "az ad app permission add --id 1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b --api "
        "00000003-0000-0000-c000-000000000000 --api-permissions "
        "258f6531-6087-4cc4-bb90-092c5fb3ed3f=Scope" in finding.fix
    )


def test_graph_scope_mix_fix_depends_on_dolibarr_version(tmp_path: Path) -> None:
    text = """\
    apps:
      a:
        provider: contoso
        client_id: 1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b
        client_secret: {{env: S, expires: 2027-05-31}}
        permissions: [offline_access, User.Read, SMTP.Send]
    users:
      - {{email: u@contoso.com, provider: contoso}}
    targets:
      erp:
        type: dolibarr
        url: https://erp.contoso.com
        version: "{version}"
        app: a
        users: [u@contoso.com]
        label: Mail
    """
    (old,) = run(tmp_path, text.format(version="22.0.4"), "ms-graph-outlook-scope-mix")
    assert "leave User.Read unticked on the MICROSOFT-Mail entry" in old.fix
    assert old.severity is Severity.INFO, "nothing wrong is declared: advice"
    assert "AADSTS28000" in old.message
    assert run(tmp_path, text.format(version="23.0.1"), "ms-graph-outlook-scope-mix") == []
    ticked = (
        text.format(version="22.0.4").rstrip()
        + "\n"
        + (
            "        oauth_provider: MICROSOFT\n"
            "        scopes: [offline_access, User.Read, https://outlook.office365.com/SMTP.Send]\n"
        )
    )
    (mixed,) = run(tmp_path, ticked, "ms-graph-outlook-scope-mix")
    assert mixed.severity is Severity.ERROR, "a declared mix issues no token"
    assert mixed.location.path == "targets.erp.scopes"
    (edit,) = mixed.edits
    assert edit.value == ["offline_access", "https://outlook.office365.com/SMTP.Send"]


def test_over_privileged_respects_the_target_allowance(tmp_path: Path) -> None:
    text = """\
    apps:
      a:
        provider: contoso
        client_id: 1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b
        client_secret: {{env: S, expires: 2027-05-31}}
        permissions: [SMTP.Send, offline_access, User.Read.All, Exchange.Manage]
        admin_consent: true
    users:
      - {{email: u@contoso.com, provider: contoso}}
    targets:
      t: {target}
    """
    openbee = (
        "{type: openbee, url: 'https://c.openbeecloud.com', redirect_path: /cb, app: a, "
        "users: [u@contoso.com]}"
    )
    glpi = "{type: glpi, url: 'https://h.contoso.com', app: a, users: [u@contoso.com]}"
    assert [
        f.location.path
        for f in run(tmp_path, text.format(target=openbee), "ms-over-privileged-permission")
    ] == ["apps.a.permissions[3]"]
    assert [
        f.location.path
        for f in run(tmp_path, text.format(target=glpi), "ms-over-privileged-permission")
    ] == [
        "apps.a.permissions[2]",
        "apps.a.permissions[3]",
    ]


def test_admin_consent_url_uses_the_exchange_scope_for_app_only(tmp_path: Path) -> None:
    (finding,) = run(
        tmp_path,
        """\
        apps:
          d:
            provider: contoso
            client_id: 1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b
            flow: app-only
            client_secret: {env: S, expires: 2027-05-31}
        """,
        "ms-admin-consent-missing",
    )
    assert (
        "https://login.microsoftonline.com/6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d/v2.0/adminconsent"
        "?client_id=1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b"
        "&scope=https%3A%2F%2Foutlook.office365.com%2F.default" in finding.fix
    )
    assert finding.location.path == "apps.d"


# --- App-only / Exchange ----------------------------------------------------------------------

APP_ONLY = """\
apps:
  d:
    provider: contoso
    client_id: 1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b
    flow: app-only
    client_secret: {env: S, expires: 2027-05-31}
    permissions: [SMTP.SendAsApp, POP.AccessAsApp]
    admin_consent: true
users:
  - {email: scan@contoso.com, provider: contoso}
targets:
  scanner:
    type: email-oauth2-proxy
    flow: client_credentials
    app: d
    users: [scan@contoso.com]
    protocols: [smtp, pop]
"""


def test_exchange_service_principal_fix_is_the_exact_command(tmp_path: Path) -> None:
    (finding,) = run(tmp_path, APP_ONLY, "ms-exchange-service-principal-missing")
    assert finding.fix.startswith(
        "Connect-ExchangeOnline; New-ServicePrincipal -AppId "
        "1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b -ObjectId <enterprise app object id>"
    )
    assert "NOT the object ID of the App registration page" in finding.fix
    assert "Enterprise applications" in finding.fix


def test_undeclared_mailbox_grants_are_left_to_the_live_check(tmp_path: Path) -> None:
    (finding,) = run(tmp_path, APP_ONLY, "ms-mailbox-permission-missing")
    assert finding.severity is Severity.INFO
    assert "--online" in finding.message


def test_mailbox_permission_fix_grants_what_the_protocols_need(tmp_path: Path) -> None:
    declared = APP_ONLY.replace("admin_consent: true", "granted_mailboxes: [other@contoso.com]")
    (finding,) = run(tmp_path, declared, "ms-mailbox-permission-missing")
    assert finding.severity is Severity.ERROR
    assert finding.location.path == "targets.scanner.users[0]"
    assert (
        "Add-MailboxPermission -Identity scan@contoso.com -User <enterprise app object id> "
        "-AccessRights FullAccess" in finding.fix
    )
    assert (
        "Add-RecipientPermission -Identity scan@contoso.com -Trustee <enterprise app object id> "
        "-AccessRights SendAs" in finding.fix
    )
    granted = APP_ONLY.replace("admin_consent: true", "granted_mailboxes: [SCAN@contoso.com]")
    assert run(tmp_path, granted, "ms-mailbox-permission-missing") == []


def test_mailbox_permission_suppression_by_app(tmp_path: Path) -> None:
    text = APP_ONLY.replace(
        "    admin_consent: true\n",
        "    admin_consent: true\n"
        "    suppress:\n"
        "      - {rule: ms-mailbox-permission-missing, reason: SMTP RBAC for Applications}\n",
    )
    result = validate_file(
        write(tmp_path, text), as_of=AS_OF, rules=[BY_ID["ms-mailbox-permission-missing"]]
    )
    assert [f.status for f in result.findings] == [Status.SUPPRESSED]


# --- Redirect URIs ----------------------------------------------------------------------------


def test_redirect_missing_ignores_loopback_port_and_pathless_slash(tmp_path: Path) -> None:
    text = """\
    apps:
      a:
        provider: contoso
        client_id: 1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b
        client_secret: {{env: S, expires: 2027-05-31}}
        redirect_uris: [{uri}]
    users:
      - {{email: u@contoso.com, provider: contoso}}
    targets:
      crm: {{type: wavesoft, app: a, users: [u@contoso.com], protocols: [imap]}}
    """
    assert run(tmp_path, text.format(uri="'http://localhost'"), "ms-redirect-uri-missing") == []
    (finding,) = run(
        tmp_path, text.format(uri="'HTTP://LOCALHOST:3017/'"), "ms-redirect-uri-missing"
    )
    assert "differs only by letter case" in finding.message
    assert finding.location.path == "apps.a.redirect_uris[0]"


# --- Credentials ----------------------------------------------------------------------------


def test_certificate_expiry_lead_days_option(tmp_path: Path) -> None:
    text = """\
    apps:
      a:
        provider: contoso
        client_id: 1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b
        certificate: {{thumbprint: 3A1B5C0D9E8F7A6B5C4D3E2F1A0B9C8D7E6F5A4B, expires: 2027-01-31}}
    users:
      - {{email: u@contoso.com, provider: contoso}}
    targets:
      t: {{type: email-oauth2-proxy, app: a, flow: client_credentials, users: [u@contoso.com]}}
    {rules}"""
    assert run(tmp_path, text.format(rules=""), "ms-certificate-expiry") == []
    rules = "rules:\n      ms-certificate-expiry: {options: {lead_days: 90}}\n"
    (finding,) = run(tmp_path, text.format(rules=rules), "ms-certificate-expiry")
    assert finding.severity is Severity.WARNING
    assert "expires on 2027-01-31, in 70 days" in finding.message


def test_secret_expiry_messages_are_unchanged_by_the_shared_helper(tmp_path: Path) -> None:
    (finding,) = run(
        tmp_path,
        """\
        apps:
          a:
            provider: contoso
            client_id: 1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b
            client_secret: {env: S, expires: 2026-10-01}
        users:
          - {email: u@contoso.com, provider: contoso}
        targets:
          t: {type: glpi, url: "https://s.contoso.com", app: a, users: [u@contoso.com]}
        """,
        "ms-secret-expiry",
    )
    assert finding.message == (
        "the client secret of app a (used by t) expired on 2026-10-01 (52 days before "
        "2026-11-22); every token refresh of its targets fails with AADSTS7000222"
    )
    assert finding.severity is Severity.ERROR


# --- Deadlines ------------------------------------------------------------------------------

BASIC = """\
apps:
  a:
    provider: contoso
    client_id: 1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b
    client_secret: {env: S, expires: 2027-05-31}
users:
  - {email: u@contoso.com, provider: contoso}
targets:
  erp:
    type: dolibarr
    url: https://erp.contoso.com
    version: 23
    app: a
    users: [u@contoso.com]
    auth: password
"""


def test_smtp_basic_auth_is_a_warning_before_the_date_and_an_error_after(tmp_path: Path) -> None:
    day = EXO_SMTP_BASIC_AUTH_DEFAULT_OFF.date
    (before,) = run(tmp_path, BASIC, "ms-smtp-basic-auth-retirement")
    assert before.severity is Severity.WARNING
    assert f"{(day - AS_OF).days} days left as of 2026-11-22" in before.message
    assert day.isoformat() in before.message
    assert before.location.path == "targets.erp.auth"
    (after,) = run(
        tmp_path, BASIC, "ms-smtp-basic-auth-retirement", as_of=day + dt.timedelta(days=5)
    )
    assert after.severity is Severity.ERROR
    assert "5 days ago" in after.message
    assert after.fix.startswith("migrate to OAuth: set `auth: oauth2`")


# --- Tenant and cloud ----------------------------------------------------------------------------


def test_cloud_host_tables_are_disjoint_where_they_must_be() -> None:
    assert "login.microsoftonline.com" in hosts(CLOUDS["global"])
    assert "login.microsoftonline.com" not in hosts(CLOUDS["usgov"])
    assert "smtp-mail.outlook.com" in hosts(CLOUDS["global"])
    assert microsoft_domain("smtp.office356.com") == ("office365.com", False)
    assert microsoft_domain("mail-proxy.contoso.com") is None


def test_endpoint_override_of_another_cloud_names_the_default(tmp_path: Path) -> None:
    path = tmp_path / "mailoauth.yaml"
    path.write_text(
        "version: 1\nproviders:\n  gov:\n    type: microsoft\n"
        "    tenant: 6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d\n    cloud: usgov\n"
        "    endpoints: {smtp: 'smtp.office365.com:587'}\n",
        encoding="utf-8",
    )
    result = validate_file(path, as_of=AS_OF, rules=[BY_ID["ms-endpoint-override-cloud"]])
    (finding,) = result.findings
    assert "a host of cloud global, not of cloud usgov" in finding.message
    assert "remove endpoints.smtp to use smtp.office365.us:587" in finding.fix

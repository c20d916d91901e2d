"""Unit tests of the target rules (generic ones and each kind's): fact-driven values,
severities, exact fixes, edge cases."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from mailoauth_cfg import targets as registry
from mailoauth_cfg.findings import Finding, Severity, Status
from mailoauth_cfg.rules import all_rules
from mailoauth_cfg.rules.targets import RULES, _common
from mailoauth_cfg.targets._facts import DOTTED
from mailoauth_cfg.targets.dolibarr.facts import SERVICE_NAME_MAX_LENGTH
from mailoauth_cfg.targets.dolibarr.providers import provider_class
from mailoauth_cfg.targets.dolibarr.rules.dolibarr_microsoft3_version import safe_scopes
from mailoauth_cfg.targets.dolibarr_multismtp.rules.multismtp_cron_refresh_days import (
    inactivity_limit,
)
from mailoauth_cfg.targets.email_oauth2_proxy.rules.email_oauth2_proxy_port_collision import (
    free_port,
)
from mailoauth_cfg.targets.nextcloud_mail.rules.nextcloud_index_php import base_url
from mailoauth_cfg.targets.postfix_sasl_xoauth2 import PLUGIN as POSTFIX
from mailoauth_cfg.targets.postfix_sasl_xoauth2.model import PostfixTarget
from mailoauth_cfg.validation import validate_file

AS_OF = dt.date(2026, 11, 22)
BY_ID = {rule.id: rule for rule in all_rules()}

HEAD = """\
version: 1
providers:
  contoso: {type: microsoft, tenant: 6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d}
  acme: {type: google, domain: acme.example}
apps:
  web:
    provider: contoso
    client_id: 1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b
    client_secret: {env: WEB_SECRET, expires: 2027-05-31}
  public:
    provider: contoso
    client_id: 3a9d5f21-6b7c-4d8e-9f0a-1b2c3d4e5f60
    platform: public
    public_client_flows: true
  public2:
    provider: contoso
    client_id: 5e8f0a12-3b4c-4d5e-8f9a-0b1c2d3e4f5a
    platform: public
    public_client_flows: true
  gweb:
    provider: acme
    client_id: 412345678901-k3j4h5g6f7d8s9a0p1o2i3u4y5t6r7e8.apps.googleusercontent.com
    client_secret: {env: G_SECRET}
  gdesk:
    provider: acme
    client_id: 412345678901-q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6.apps.googleusercontent.com
    client_secret: {env: GD_SECRET}
    platform: desktop
users:
  - {email: a@contoso.com, provider: contoso}
  - {email: b@contoso.com, provider: contoso}
  - {email: a@acme.example, provider: acme}
targets:
"""


def run(tmp_path: Path, targets: str, rule_id: str, head: str = HEAD) -> list[Finding]:
    """Findings of one rule on ``head`` + ``targets`` written to a temporary file."""
    path = tmp_path / "mailoauth.yaml"
    path.write_text(head + textwrap.indent(textwrap.dedent(targets), "  "), encoding="utf-8")
    result = validate_file(path, as_of=AS_OF, rules=[BY_ID[rule_id]])
    loading = [f for f in result.findings if f.rule != rule_id]
    assert not loading, [f.message for f in loading]
    return [f for f in result.findings if f.status is Status.FAIL]


# --- registry -------------------------------------------------------------------------------------


def test_generic_and_kind_rules_are_registered_and_prefixed() -> None:
    ids = [rule.id for rule in all_rules()]
    generic = {rule.id for rule in RULES}
    kind_rules = registry.all_rules()
    assert len(RULES) == 17
    assert generic <= set(ids)
    assert {rule.id for rule in kind_rules} <= set(ids)
    assert all(rule.id.startswith("target-") for rule in RULES)
    for rule in (*RULES, *kind_rules):
        assert rule.family == "targets"
        assert "Source:" in rule.doc
    # A kind's rules live in its own package.
    for plugin in registry.plugins():
        package = f"mailoauth_cfg.targets.{registry.module_name(plugin.key)}.rules."
        assert all(rule.check.__module__.startswith(package) for rule in plugin.rules)


# --- helpers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "minimum", "expected"),
    [
        ("1.8.12", "1.8.13", True),
        ("1.8.13", "1.8.13", False),
        ("23", "23", False),
        ("22.0.9", "23", True),
        ("23.0.1", "23", False),
        ("2025R2", "23", False),
        ("v22", "23", True),
        (None, "23", False),
        ("10", "10.0", False),
        ("9.5.13", "10.0", True),
    ],
)
def test_dotted_versions_compare_numerically(
    version: str | None, minimum: str, expected: bool
) -> None:
    older = version is not None and DOTTED.older(version, minimum)
    assert older is expected


@pytest.mark.parametrize(
    ("endpoint", "host"),
    [
        ("smtp-hve.office365.com", "smtp-hve.office365.com"),
        ("SMTP-HVE.office365.com:587", "smtp-hve.office365.com"),
        ("[smtp-hve.office365.com]:587", "smtp-hve.office365.com"),
        ("https://smtp-hve.office365.com/", "smtp-hve.office365.com"),
        ("[::1]:25", "::1"),
        (None, None),
    ],
)
def test_host_of(endpoint: str | None, host: str | None) -> None:
    assert _common.host_of(endpoint) == host


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("[::1]", True),
        ("app.localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("erp.contoso.com", False),
        (None, False),
    ],
)
def test_is_loopback(host: str | None, loopback: bool) -> None:
    assert _common.is_loopback(host) is loopback


def test_missing_permissions_ignores_case_and_scope_prefixes() -> None:
    declared = ["imap.accessasuser.all", "https://outlook.office.com/SMTP.Send"]
    wanted = ["IMAP.AccessAsUser.All", "SMTP.Send", "User.Read"]
    assert _common.missing_permissions(declared, wanted) == ["User.Read"]


# --- generic --------------------------------------------------------------------------------------


def test_omitted_protocols_are_what_the_kind_supports(tmp_path: Path) -> None:
    omitted = """\
          crm:
            type: wavesoft
            app: web
            users: [a@contoso.com]
        """
    assert run(tmp_path, omitted, "target-protocol-unsupported") == []
    declared = omitted + "    protocols: [imap, pop]\n"
    found = run(tmp_path, declared.replace("        \n", ""), "target-protocol-unsupported")
    assert [f.location.path for f in found] == ["targets.crm.protocols[1]"]


def test_url_not_https_is_a_warning_without_redirect(tmp_path: Path) -> None:
    targets = """\
      erp:
        type: dolibarr
        url: http://erp.contoso.com
        version: 23
        oauth_provider: MICROSOFTAPP
        app: web
        users: [a@contoso.com]
      erp2:
        type: dolibarr
        url: http://127.0.0.1:8080
        version: 23
        app: web
        users: [b@contoso.com]
    """
    found = run(tmp_path, targets, "target-url-not-https")
    assert [(f.object_name, f.severity) for f in found] == [("target:erp", Severity.WARNING)]
    assert found[0].fix == "serve erp.contoso.com over TLS and set `url: https://erp.contoso.com`"


def test_app_missing_suggests_an_app_of_the_mailbox_provider(tmp_path: Path) -> None:
    found = run(
        tmp_path,
        """\
          helpdesk:
            type: glpi
            url: https://support.acme.example
            users: [a@acme.example]
        """,
        "target-app-missing",
    )
    assert [f.fix for f in found] == [
        "add `app: gdesk` to target helpdesk (apps of that provider: gdesk, gweb)"
    ]


def test_token_store_resolves_the_chroot() -> None:
    chrooted = PostfixTarget(type="postfix-sasl-xoauth2", users=["A@contoso.com"])
    plain = PostfixTarget(
        type="postfix-sasl-xoauth2", chroot=False, token_dir="/var/spool/postfix/etc/tokens/"
    )
    inside = POSTFIX.token_store(chrooted)
    outside = POSTFIX.token_store(plain)
    assert inside is not None
    assert outside is not None
    assert str(inside.file("a@contoso.com")) == "/var/spool/postfix/etc/tokens/a@contoso.com"
    assert str(outside.file("a@contoso.com")) == "/var/spool/postfix/etc/tokens/a@contoso.com"
    assert inside.format == "sasl-xoauth2"


def test_output_collision_needs_different_apps_and_names_both(tmp_path: Path) -> None:
    targets = """\
      relay-a:
        type: postfix-sasl-xoauth2
        app: public
        users: [a@contoso.com]
      relay-b:
        type: postfix-sasl-xoauth2
        app: public
        users: [a@contoso.com]
      relay-c:
        type: postfix-sasl-xoauth2
        app: public2
        users: [a@contoso.com]
    """
    found = run(tmp_path, targets, "target-output-collision")
    assert [f.object_name for f in found] == ["target:relay-c"]
    assert "relay-a (app public) and relay-c (app public2)" in found[0].message
    assert found[0].fix == (
        "set `token_dir: /etc/tokens/relay-c` on target relay-c, or use app public for both"
    )
    assert len(found[0].related) == 1
    assert found[0].related[0].line > 0


# --- Dolibarr / MultiSMTP ------------------------------------------------------------------------


def test_service_name_limit_matches_the_catalog(tmp_path: Path) -> None:
    microsoft3 = provider_class("MICROSOFT3")
    assert microsoft3 is not None
    longest = SERVICE_NAME_MAX_LENGTH - len(microsoft3.service_class) - 1
    assert longest == 25
    label = "L" * (longest + 1)
    found = run(
        tmp_path,
        f"""\
          erp:
            type: dolibarr
            url: https://erp.contoso.com
            version: 23
            app: web
            users: [a@contoso.com]
            label: {label}
        """,
        "dolibarr-service-name-too-long",
    )
    assert len(found) == 1
    assert f"at most {longest}" in found[0].message
    assert found[0].fix == f"set `label: {'L' * longest}`"


def test_reserved_label_is_an_error_only_with_google(tmp_path: Path) -> None:
    targets = """\
      erp:
        type: dolibarr
        url: https://erp.contoso.com
        version: 23
        app: web
        users: [a@contoso.com]
        label: LOGIN
      erp-g:
        type: dolibarr
        url: https://erp.acme.example
        version: 23
        app: gweb
        users: [a@acme.example]
        label: Login
    """
    found = run(tmp_path, targets, "dolibarr-label-reserved")
    assert {(f.object_name, f.severity) for f in found} == {
        ("target:erp", Severity.WARNING),
        ("target:erp-g", Severity.ERROR),
    }


def test_safe_scopes_never_include_graph() -> None:
    microsoft = provider_class("MICROSOFT")
    assert microsoft is not None
    assert safe_scopes(microsoft, ("smtp", "imap")) == [
        "offline_access",
        "https://outlook.office365.com/IMAP.AccessAsUser.All",
        "https://outlook.office365.com/SMTP.Send",
    ]
    microsoft2 = provider_class("MICROSOFT2")
    assert microsoft2 is not None
    assert "User.Read" not in safe_scopes(microsoft2, ("smtp",))


def test_microsoft3_on_23_is_silent_and_explicit_old_class_is_info(tmp_path: Path) -> None:
    targets = """\
      erp:
        type: dolibarr
        url: https://erp.contoso.com
        version: "23.0.1"
        app: web
        users: [a@contoso.com]
      erp2:
        type: dolibarr
        url: https://erp2.contoso.com
        version: 24
        oauth_provider: MICROSOFT
        app: web
        users: [b@contoso.com]
    """
    found = run(tmp_path, targets, "dolibarr-microsoft3-version")
    assert [(f.object_name, f.severity, f.fix) for f in found] == [
        ("target:erp2", Severity.INFO, "set `oauth_provider: MICROSOFT3`")
    ]


def test_collector_without_imap_fix_keeps_other_protocols(tmp_path: Path) -> None:
    found = run(
        tmp_path,
        """\
          erp:
            type: dolibarr
            url: https://erp.contoso.com
            version: 23
            app: web
            users: [a@contoso.com]
            collector: {}
        """,
        "dolibarr-collector-needs-imap",
    )
    assert [(f.severity, f.fix) for f in found] == [
        (Severity.ERROR, "set `protocols: [smtp, imap]` on target erp")
    ]


def test_cron_refresh_limits_per_provider() -> None:
    assert inactivity_limit("microsoft") == 90
    assert inactivity_limit("google") == 180
    assert inactivity_limit(None) is None


# --- token-file targets --------------------------------------------------------------------------


def test_refresh_window_follows_the_provider_endpoint(tmp_path: Path) -> None:
    head = HEAD.replace(
        "  contoso: {type: microsoft, tenant: 6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d}",
        "  contoso:\n    type: microsoft\n    tenant: 6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d\n"
        "    endpoints: {smtp: 'smtp-hve.office365.com:587'}",
    )
    targets = """\
      relay:
        type: postfix-sasl-xoauth2
        app: public
        users: [a@contoso.com]
      relay-ok:
        type: postfix-sasl-xoauth2
        app: public
        users: [b@contoso.com]
        refresh_window: 900
      relay-own:
        type: postfix-sasl-xoauth2
        app: public
        users: [b@contoso.com]
        relay: smtp.office365.com:587
        token_dir: /etc/tokens/own
    """
    found = run(tmp_path, targets, "sasl-xoauth2-refresh-window", head=head)
    assert [(f.object_name, f.location.path, f.fix) for f in found] == [
        (
            "target:relay",
            "providers.contoso.endpoints.smtp",
            "set `refresh_window: 600` on target relay",
        )
    ]


def test_chroot_fix_strips_the_chroot_prefix(tmp_path: Path) -> None:
    found = run(
        tmp_path,
        """\
          relay:
            type: postfix-sasl-xoauth2
            app: public
            users: [a@contoso.com]
            chroot_dir: /var/spool/postfix/
            token_dir: /var/spool/postfix/etc/tokens/
        """,
        "sasl-xoauth2-chroot",
    )
    assert [f.fix for f in found] == [
        "set `token_dir: /etc/tokens` (the path as seen inside the chroot)"
    ]


@pytest.mark.parametrize(
    ("version", "app", "severity"),
    [
        ("1.8.12", "public", Severity.ERROR),
        ("1.8.13", "public", None),
        ("1.8.4", "gdesk", Severity.ERROR),
        ("1.8.5", "gdesk", Severity.WARNING),
        ("1.8.13", "gdesk", None),
    ],
)
def test_msmtp_version_by_provider(
    tmp_path: Path, version: str, app: str, severity: Severity | None
) -> None:
    user = "a@acme.example" if app == "gdesk" else "a@contoso.com"
    found = run(
        tmp_path,
        f"""\
          cron:
            type: msmtp
            version: "{version}"
            app: {app}
            users: [{user}]
        """,
        "target-version",
    )
    assert [f.severity for f in found] == ([] if severity is None else [severity])


def test_msmtp_unknown_version_is_info(tmp_path: Path) -> None:
    found = run(
        tmp_path,
        """\
          cron:
            type: msmtp
            app: public
            users: [a@contoso.com]
        """,
        "target-version",
    )
    assert [f.severity for f in found] == [Severity.INFO]
    assert "msmtp --version" in found[0].fix


def test_proxy_ports_across_specific_addresses_do_not_collide(tmp_path: Path) -> None:
    targets = """\
      proxy-a:
        type: email-oauth2-proxy
        app: public
        users: [a@contoso.com]
        local_address: 127.0.0.1
      proxy-b:
        type: email-oauth2-proxy
        app: public
        users: [b@contoso.com]
        local_address: 10.0.0.5
      proxy-c:
        type: email-oauth2-proxy
        app: public
        users: [b@contoso.com]
        local_address: 0.0.0.0
        smtp_port: 1587
    """
    found = run(tmp_path, targets, "email-oauth2-proxy-port-collision")
    # proxy-b binds another address than proxy-a; proxy-c (all interfaces) clashes with proxy-a.
    assert [(f.object_name, f.severity) for f in found] == [("target:proxy-c", Severity.WARNING)]
    assert found[0].fix == "set `smtp_port: 2587` on target proxy-c"


def test_free_port_wraps_around() -> None:
    assert free_port(1587, {2587}) == 2588
    assert free_port(65000, set()) == 1024


def test_proxy_google_service_account(tmp_path: Path) -> None:
    head = HEAD.replace(
        "users:\n",
        "  gsa:\n    provider: acme\n    client_id: '112233445566778899001'\n"
        "    flow: app-only\nusers:\n",
        1,
    )
    found = run(
        tmp_path,
        """\
          proxy:
            type: email-oauth2-proxy
            app: gsa
            users: [a@acme.example]
        """,
        "email-oauth2-proxy-flow",
        head=head,
    )
    assert len(found) == 1
    assert "service account" in found[0].message


# --- others ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "base"),
    [
        ("https://cloud.contoso.com/index.php", "https://cloud.contoso.com"),
        ("https://www.contoso.com/nc/index.php/apps/mail", "https://www.contoso.com/nc"),
        ("https://cloud.contoso.com/", "https://cloud.contoso.com"),
    ],
)
def test_nextcloud_base_url(url: str, base: str) -> None:
    assert base_url(url) == base


def test_nextcloud_double_index_php_is_an_error(tmp_path: Path) -> None:
    found = run(
        tmp_path,
        """\
          cloud:
            type: nextcloud-mail
            url: https://cloud.contoso.com/index.php
            index_php: true
            app: web
            users: [a@contoso.com]
            protocols: [imap, smtp]
        """,
        "nextcloud-index-php",
    )
    assert [f.severity for f in found] == [Severity.ERROR]
    assert "index.php/index.php" in found[0].message


def test_openbee_redirect_path_is_guessed_from_registered_uris(tmp_path: Path) -> None:
    head = HEAD.replace(
        "    client_secret: {env: WEB_SECRET, expires: 2027-05-31}\n",
        "    client_secret: {env: WEB_SECRET, expires: 2027-05-31}\n"
        "    redirect_uris: [https://other.example/cb, https://portal.openbeecloud.com/oauth/cb]\n",
        1,
    )
    found = run(
        tmp_path,
        """\
          portal:
            type: openbee
            url: https://portal.openbeecloud.com
            app: web
            users: [a@contoso.com]
        """,
        "openbee-redirect-path-missing",
        head=head,
    )
    assert len(found) == 1
    assert found[0].fix.startswith("set `redirect_path: /oauth/cb`")


def test_openbee_permissions_leave_the_protocol_minimum_to_the_microsoft_family(
    tmp_path: Path,
) -> None:
    head = HEAD.replace(
        "    client_secret: {env: WEB_SECRET, expires: 2027-05-31}\n",
        "    client_secret: {env: WEB_SECRET, expires: 2027-05-31}\n"
        "    permissions: [Mail.Send, User.Read.All, Mail.ReadWrite, User.Read]\n",
        1,
    )
    found = run(
        tmp_path,
        """\
          portal:
            type: openbee
            url: https://portal.openbeecloud.com
            redirect_path: /oauth2/callback
            app: web
            users: [a@contoso.com]
        """,
        "openbee-permissions",
        head=head,
    )
    assert found == []  # SMTP.Send / offline_access are ms-permission-missing's

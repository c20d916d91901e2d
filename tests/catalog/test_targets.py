"""Target kinds: redirect patterns, permissions, constraints, Dolibarr and sasl-xoauth2 tables."""

from __future__ import annotations

import re
from typing import Any

import pytest

from mailoauth_cfg.catalog import google, microsoft
from mailoauth_cfg.catalog import targets as tg
from mailoauth_cfg.catalog.targets import TARGET_KINDS, redirect_uri

KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

EXPECTED_KEYS = {
    "dolibarr",
    "dolibarr-multismtp",
    "digdash",
    "wavesoft",
    "openbee",
    "postfix-sasl-xoauth2",
    "msmtp",
    "email-oauth2-proxy",
    "glpi",
    "odoo",
    "nextcloud-mail",
}

PROFILES = [(kind, provider) for kind in TARGET_KINDS.values() for provider in kind.providers]


def test_target_kind_keys() -> None:
    assert set(TARGET_KINDS) == EXPECTED_KEYS
    assert tuple(TARGET_KINDS) == tg.TARGET_KIND_KEYS
    for key, kind in TARGET_KINDS.items():
        assert kind.key == key
        assert KEBAB.match(key)


def test_get_target_kind() -> None:
    assert tg.get_target_kind(" GLPI ") is TARGET_KINDS["glpi"]
    with pytest.raises(ValueError, match="unknown target type"):
        tg.get_target_kind("wordpress")


@pytest.mark.parametrize("kind", TARGET_KINDS.values(), ids=lambda k: k.key)
def test_target_kind_well_formed(kind: tg.TargetKind) -> None:
    assert kind.display_name
    assert kind.source.strip()
    assert kind.ui_path.strip()
    assert kind.sign_in_account.strip()
    assert kind.token_sink in tg.TOKEN_SINKS
    assert kind.providers
    assert kind.protocols()
    for c in kind.constraints:
        assert KEBAB.match(c.id), c.id
        assert c.source.strip()
        assert c.message.strip()
    assert len({c.id for c in kind.constraints}) == len(kind.constraints)


@pytest.mark.parametrize(("kind", "provider"), PROFILES, ids=[f"{k.key}-{p}" for k, p in PROFILES])
def test_profile_well_formed(kind: tg.TargetKind, provider: str) -> None:
    profile = kind.profile(provider)
    assert profile is not None
    assert profile.source.strip()
    assert profile.protocols
    assert set(profile.protocols) <= set(tg.MAIL_PROTOCOLS)
    assert profile.bootstrap in tg.BOOTSTRAP_KINDS
    pattern = profile.redirect
    assert pattern.source.strip()
    # Every profile has a redirect template, or an explicit None with its reason.
    assert pattern.template is not None or pattern.reason.strip()
    if pattern.template is not None and pattern.template.startswith("{base}"):
        assert "{base}" in pattern.template
    if isinstance(profile, tg.MicrosoftProfile):
        assert profile.platform in ("web", "public")
        assert set(profile.permissions) == set(profile.protocols)
        assert set(profile.token_scopes) <= set(profile.protocols)
        for alt in profile.alt_bootstraps:
            assert alt in tg.BOOTSTRAP_KINDS
    else:
        assert isinstance(profile, tg.GoogleProfile)
        if profile.auth == "oauth2":
            assert profile.scopes == (google.MAIL_SCOPE,)
            assert profile.client_type in google.CLIENT_TYPES
        else:
            assert profile.bootstrap == "none"
            assert profile.redirect.template is None


@pytest.mark.parametrize(
    ("kind", "provider"),
    [(k, p) for k, p in PROFILES if p == "microsoft"],
    ids=[k.key for k, p in PROFILES if p == "microsoft"],
)
def test_microsoft_permission_names_resolve(kind: tg.TargetKind, provider: str) -> None:
    profile = kind.microsoft
    assert profile is not None
    names = [n for perms in profile.permissions.values() for n in perms]
    names += list(profile.documented_permissions) + list(profile.allowed_over_privileged)
    for name in names:
        perm = microsoft.permission(name, "delegated")
        assert perm is not None, name
        assert perm.name == name, "use canonical names"
    for name in profile.allowed_over_privileged:
        perm = microsoft.permission(name)
        assert perm is not None
        assert perm.over_privileged
        assert name in profile.documented_permissions
    for proto, perms in profile.permissions.items():
        assert "offline_access" in perms
        protocol_scope = {
            "smtp": "SMTP.Send",
            "imap": "IMAP.AccessAsUser.All",
            "pop": "POP.AccessAsUser.All",
        }[proto]
        assert protocol_scope in perms
        # No Graph scope may be requested with the Outlook scopes.
        for name in perms:
            perm = microsoft.permission(name)
            assert perm is not None
            assert not perm.graph_resource, (kind.key, name)
    for scope_string in profile.token_scopes.values():
        audiences = {microsoft.scope_audience(s) for s in scope_string.split()}
        assert audiences <= {"oidc", "outlook"}


@pytest.mark.parametrize(
    ("key", "provider", "base", "params", "expected"),
    [
        (
            "glpi",
            "microsoft",
            "https://glpi.example.com/",
            {},
            "https://glpi.example.com/front/smtp_oauth2_callback.php",
        ),
        (
            "dolibarr",
            "microsoft",
            "https://erp.example.com",
            {},
            "https://erp.example.com/core/modules/oauth/microsoft3_oauthcallback.php",
        ),
        (
            "dolibarr",
            "microsoft",
            "https://erp.example.com/dolibarr/",
            {"provider_class": "MICROSOFT"},
            "https://erp.example.com/dolibarr/core/modules/oauth/microsoft_oauthcallback.php",
        ),
        (
            "dolibarr",
            "microsoft",
            "https://erp.example.com",
            {"callback": "microsoft2"},
            "https://erp.example.com/core/modules/oauth/microsoft2_oauthcallback.php",
        ),
        (
            "dolibarr",
            "google",
            "https://erp.example.com",
            {},
            "https://erp.example.com/core/modules/oauth/google_oauthcallback.php",
        ),
        (
            "dolibarr-multismtp",
            "microsoft",
            "https://erp.example.com",
            {},
            "https://erp.example.com/core/modules/oauth/microsoft3_oauthcallback.php",
        ),
        (
            "odoo",
            "microsoft",
            "https://odoo.example.com",
            {},
            "https://odoo.example.com/microsoft_outlook/confirm",
        ),
        (
            "odoo",
            "google",
            "https://odoo.example.com",
            {},
            "https://odoo.example.com/google_gmail/confirm",
        ),
        (
            "nextcloud-mail",
            "microsoft",
            "https://cloud.example.com",
            {},
            "https://cloud.example.com/apps/mail/integration/microsoft-auth",
        ),
        (
            "nextcloud-mail",
            "google",
            "https://cloud.example.com/",
            {},
            "https://cloud.example.com/apps/mail/integration/google-auth",
        ),
        (
            "digdash",
            "microsoft",
            "http://localhost:8080",
            {},
            "http://localhost:8080/ddenterpriseapi/v2/oauth/redirect",
        ),
        ("wavesoft", "microsoft", None, {}, "http://localhost:3017/"),
        ("email-oauth2-proxy", "microsoft", None, {}, "http://localhost"),
        ("email-oauth2-proxy", "google", None, {}, "http://localhost"),
        ("msmtp", "microsoft", None, {}, "http://localhost"),
        (
            "postfix-sasl-xoauth2",
            "google",
            None,
            {"port": 54332},
            "http://127.0.0.1:54332/oauth2_result",
        ),
    ],
)
def test_redirect_uri(
    key: str, provider: str, base: str | None, params: dict[str, Any], expected: str
) -> None:
    assert redirect_uri(key, provider, base, **params) == expected


@pytest.mark.parametrize(
    ("key", "provider"),
    [
        ("postfix-sasl-xoauth2", "microsoft"),
        ("openbee", "microsoft"),
        ("openbee", "google"),
        ("msmtp", "google"),
        ("wavesoft", "google"),
    ],
)
def test_redirect_uri_none_has_reason(key: str, provider: str) -> None:
    assert redirect_uri(key, provider, "https://x.example.com") is None
    profile = TARGET_KINDS[key].profile(provider)
    assert profile is not None
    assert profile.redirect.template is None
    assert profile.redirect.reason


def test_redirect_uri_variants() -> None:
    assert (
        redirect_uri("email-oauth2-proxy", "microsoft", variant="local-server-auth", port=8080)
        == "http://localhost:8080"
    )
    assert redirect_uri("postfix-sasl-xoauth2", "microsoft", variant="authcode") == (
        microsoft.NATIVE_CLIENT_REDIRECT_URI
    )
    assert redirect_uri(
        "nextcloud-mail", "microsoft", "https://nc.example", variant="index-php"
    ) == ("https://nc.example/index.php/apps/mail/integration/microsoft-auth")
    with pytest.raises(ValueError, match="unknown redirect variant"):
        redirect_uri("glpi", "microsoft", "https://g", variant="nope")


def test_redirect_uri_errors() -> None:
    with pytest.raises(ValueError, match="needs: port"):
        redirect_uri("postfix-sasl-xoauth2", "google")
    with pytest.raises(ValueError, match="needs: base"):
        redirect_uri("glpi", "microsoft", None)
    with pytest.raises(ValueError, match="unknown target type"):
        redirect_uri("nope", "microsoft", "https://x")
    with pytest.raises(ValueError, match="does not support provider"):
        redirect_uri("glpi", "yahoo", "https://x")
    with pytest.raises(ValueError, match="not a google provider"):
        redirect_uri("dolibarr", "google", "https://x", provider_class="MICROSOFT3")
    with pytest.raises(ValueError, match="only to Dolibarr"):
        redirect_uri("glpi", "microsoft", "https://x", provider_class="MICROSOFT3")
    assert redirect_uri("dolibarr", "microsoft", "https://x", provider_class="MICROSOFTAPP") is None


def test_placeholders() -> None:
    profile = TARGET_KINDS["postfix-sasl-xoauth2"].google
    assert profile is not None
    assert profile.redirect.placeholders() == {"port"}
    dolibarr = TARGET_KINDS["dolibarr"].microsoft
    assert dolibarr is not None
    assert dolibarr.redirect.placeholders() == {"base", "callback"}


def test_specific_facts() -> None:
    openbee = TARGET_KINDS["openbee"]
    assert openbee.sender_must_equal_token_owner
    assert openbee.primary_address_required
    assert openbee.google is not None
    assert openbee.google.auth == "app-password"
    assert openbee.microsoft is not None
    assert openbee.microsoft.admin_consent_required
    assert not openbee.microsoft.tenant_common_ok
    assert openbee.microsoft.redirect.user_supplied
    assert set(openbee.microsoft.documented_permissions) == {
        "Mail.Send",
        "User.Read.All",
        "SMTP.Send",
        "Mail.ReadWrite",
        "User.Read",
    }
    assert TARGET_KINDS["odoo"].sender_must_equal_token_owner
    shared = [k.key for k in TARGET_KINDS.values() if k.shared_mailbox_supported]
    assert shared == ["email-oauth2-proxy"]
    assert TARGET_KINDS["postfix-sasl-xoauth2"].token_sink == "file"
    assert TARGET_KINDS["postfix-sasl-xoauth2"].refresh_token_injectable
    assert TARGET_KINDS["email-oauth2-proxy"].token_sink == "file"
    assert not TARGET_KINDS["email-oauth2-proxy"].refresh_token_injectable
    assert TARGET_KINDS["glpi"].token_sink == "app-database"
    sasl = TARGET_KINDS["postfix-sasl-xoauth2"].microsoft
    assert sasl is not None
    assert sasl.bootstrap == "device-code"
    assert sasl.public_client_flows
    assert sasl.platform == "public"
    assert TARGET_KINDS["wavesoft"].microsoft is not None
    assert TARGET_KINDS["wavesoft"].microsoft.platform == "web"


def test_constraints() -> None:
    dolibarr = {c.id: c for c in TARGET_KINDS["dolibarr"].constraints}
    label = dolibarr["dolibarr-label-pattern"]
    assert label.value == r"^[A-Za-z0-9_]+$"
    assert isinstance(label.value, str)
    assert re.match(label.value, "Emails_2")
    assert not re.match(label.value, "E-mails")
    assert dolibarr["dolibarr-label-reserved"].value == ("Login",)
    assert dolibarr["dolibarr-service-name-length"].value == 36
    assert dolibarr["dolibarr-microsoft3-min-version"].value == "23"
    msmtp = {c.id: c for c in TARGET_KINDS["msmtp"].constraints}
    assert msmtp["msmtp-xoauth2-min-version"].value == "1.8.13"
    sasl = {c.id: c for c in TARGET_KINDS["postfix-sasl-xoauth2"].constraints}
    assert sasl["sasl-xoauth2-refresh-window-hve"].value == 600
    # Filtering by provider/protocol keeps generic constraints.
    ms_smtp = TARGET_KINDS["dolibarr"].constraints_for("microsoft", "smtp")
    google_smtp = TARGET_KINDS["dolibarr"].constraints_for("google", "smtp")
    assert any(c.id == "dolibarr-microsoft3-min-version" for c in ms_smtp)
    assert not any(c.id == "dolibarr-microsoft3-min-version" for c in google_smtp)
    assert not any(c.id == "dolibarr-collector-phpimap" for c in ms_smtp)
    assert any(c.id == "dolibarr-label-pattern" for c in google_smtp)


def test_required_permissions() -> None:
    glpi = TARGET_KINDS["glpi"].microsoft
    assert glpi is not None
    assert glpi.required_permissions(["smtp"]) == ("SMTP.Send", "offline_access", "openid", "email")
    proxy = TARGET_KINDS["email-oauth2-proxy"].microsoft
    assert proxy is not None
    assert proxy.required_permissions(("smtp", "imap")) == (
        "SMTP.Send",
        "offline_access",
        "IMAP.AccessAsUser.All",
    )
    assert proxy.required_permissions(["nntp"]) == ()


def test_protocols() -> None:
    proxy = TARGET_KINDS["email-oauth2-proxy"]
    assert proxy.protocols() == ("smtp", "imap", "pop")
    assert TARGET_KINDS["openbee"].protocols("google") == ("smtp",)
    assert TARGET_KINDS["glpi"].protocols("google") == ("smtp",)
    assert TARGET_KINDS["glpi"].protocols("yahoo") == ()
    assert TARGET_KINDS["glpi"].providers == ("microsoft", "google")


# --- Dolibarr provider classes -----------------------------------------------------------------


def test_dolibarr_providers() -> None:
    assert set(tg.DOLIBARR_PROVIDERS) == {
        "GOOGLE",
        "MICROSOFT",
        "MICROSOFT2",
        "MICROSOFT3",
        "MICROSOFTAPP",
    }
    m3 = tg.DOLIBARR_PROVIDERS["MICROSOFT3"]
    assert m3.service_class == "Microsoft3"
    assert m3.callback_file == "microsoft3_oauthcallback.php"
    assert m3.redirect_path == "/core/modules/oauth/microsoft3_oauthcallback.php"
    assert m3.min_version == "23"
    assert m3.service_name("Emails") == "Microsoft3-Emails"
    assert m3.service_ref("Emails") == "MICROSOFT3-Emails"
    assert m3.const_prefix("Emails") == "OAUTH_MICROSOFT3-Emails"
    assert m3.const_prefix("") == "OAUTH_MICROSOFT3"
    assert "https://outlook.office.com/SMTP.Send" in m3.offered_scopes
    app = tg.DOLIBARR_PROVIDERS["MICROSOFTAPP"]
    assert app.flow == "client-credentials"
    assert app.redirect_path is None
    assert app.service_class == "Microsoftapp"
    assert not app.merged
    assert tg.DOLIBARR_PROVIDERS["GOOGLE"].service_name("Emails") == "Google-Emails"
    for d in tg.DOLIBARR_PROVIDERS.values():
        assert d.source.strip()


def test_dolibarr_lookups() -> None:
    assert tg.dolibarr_provider("microsoft3") is tg.DOLIBARR_PROVIDERS["MICROSOFT3"]
    assert tg.dolibarr_provider("OAUTH_GOOGLE_NAME") is tg.DOLIBARR_PROVIDERS["GOOGLE"]
    assert tg.dolibarr_provider("GITHUB") is None
    assert tg.dolibarr_max_label_length("MICROSOFT3") == 25
    assert tg.dolibarr_max_label_length("GOOGLE") == 29
    with pytest.raises(ValueError, match="unknown Dolibarr"):
        tg.dolibarr_max_label_length("GITHUB")


# --- sasl-xoauth2 token endpoints --------------------------------------------------------------


@pytest.mark.parametrize(
    ("cloud", "expected"),
    [
        ("global", "https://login.microsoftonline.com/T/oauth2/v2.0/token"),
        ("usgov", "https://login.microsoftonline.us/T/oauth2/v2.0/token"),
        ("usgov-dod", "https://login.microsoftonline.us/T/oauth2/v2.0/token"),
        ("china", "https://login.partner.microsoftonline.cn/T/oauth2/v2.0/token"),
    ],
)
def test_sasl_token_endpoint(cloud: str, expected: str) -> None:
    assert tg.sasl_xoauth2_token_endpoint("microsoft", cloud, "T") == expected
    assert tg.SASL_XOAUTH2_TOKEN_ENDPOINTS[cloud].format(tenant="T") == expected


def test_sasl_token_endpoint_google_and_errors() -> None:
    assert tg.sasl_xoauth2_token_endpoint("google") == "https://accounts.google.com/o/oauth2/token"
    with pytest.raises(ValueError, match="tenant is required"):
        tg.sasl_xoauth2_token_endpoint("microsoft")
    with pytest.raises(ValueError, match="unknown provider"):
        tg.sasl_xoauth2_token_endpoint("yahoo", tenant="T")
    assert microsoft.CLOUDS["usgov-dod"].sasl_xoauth2_cloud == "usgov-dod"
    assert microsoft.CLOUDS["global"].sasl_xoauth2_cloud == "public"

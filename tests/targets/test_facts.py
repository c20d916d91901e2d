"""Each kind's facts: well-formed, consistent with its model, and the values that matter pinned.

The parametrisation comes from the registry, so a new kind is checked as soon as it is
registered; the expected values below are written out, so changing a fact fails a test.
"""

from __future__ import annotations

import re
import typing
from typing import Any

import pytest
from pydantic import BaseModel

from mailoauth_cfg import targets as registry
from mailoauth_cfg.catalog import google, microsoft
from mailoauth_cfg.derive import plan
from mailoauth_cfg.model import MailConfig
from mailoauth_cfg.model.targets import union
from mailoauth_cfg.targets import TargetPlugin
from mailoauth_cfg.targets._facts import (
    BOOTSTRAP_KINDS,
    MAIL_PROTOCOLS,
    Equals,
    GoogleProfile,
    MicrosoftProfile,
    OneOf,
    Pattern,
)
from mailoauth_cfg.targets.dolibarr.providers import PROVIDER_CLASSES, provider_class

KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
PLUGINS = registry.plugins()
PROFILES = [(p, provider) for p in PLUGINS for provider in p.facts.providers]


def _id(value: Any) -> str:
    return value.key if hasattr(value, "key") else str(value)


def test_registry_keys_follow_the_module_names() -> None:
    assert [p.key for p in PLUGINS] == list(registry.kind_keys())
    for p in PLUGINS:
        assert KEBAB.match(p.key)
        assert registry.module_name(p.key) in registry.PLUGIN_MODULES
        assert registry.plugin(p.key) is p
    with pytest.raises(KeyError):
        registry.plugin("wordpress")


@pytest.mark.parametrize("plugin", PLUGINS, ids=_id)
def test_facts_are_complete(plugin: TargetPlugin) -> None:
    facts = plugin.facts
    for text in (facts.display_name, facts.source, facts.ui_path, facts.sign_in_account):
        assert text.strip()
        assert "TODO" not in text
    # printed in runbooks as Markdown text (escaped): plain words, no code spans
    assert "`" not in facts.sign_in_account
    assert facts.providers
    assert facts.protocols()
    for setting in facts.settings:
        assert setting.source.strip()
        assert setting.message.strip()
        assert setting.field is None or setting.field in plugin.model.model_fields
        if not isinstance(setting.constraint, Pattern):
            assert str(setting.value)
    if facts.single_token is not None:
        assert facts.single_token.split.strip()


@pytest.mark.parametrize("plugin", PLUGINS, ids=_id)
def test_model_matches_the_facts(plugin: TargetPlugin) -> None:
    fields = plugin.model.model_fields
    # web applications are opened at `url`; the others have none
    assert ("url" in fields) is plugin.facts.web_application
    # a `version` key is validated in the vendor's format, whose facts say what changed when
    versions = plugin.facts.versions
    assert ("version" in fields) is (versions is not None)
    if versions is not None:
        assert re.fullmatch(versions.format.pattern, versions.format.example.split(" ")[0])
        for requirement in versions.requirements:
            assert re.fullmatch(versions.format.pattern, requirement.since), requirement
            assert requirement.feature.strip()
            assert requirement.source.strip()


@pytest.mark.parametrize(
    ("plugin", "provider"), PROFILES, ids=[f"{p.key}-{v}" for p, v in PROFILES]
)
def test_profile_well_formed(plugin: TargetPlugin, provider: str) -> None:
    profile = plugin.facts.profile(provider)
    assert profile is not None
    assert profile.source.strip()
    assert profile.protocols
    assert set(profile.protocols) <= set(MAIL_PROTOCOLS)
    assert profile.bootstrap in BOOTSTRAP_KINDS
    assert set(profile.flow_settings) <= set(BOOTSTRAP_KINDS)
    pattern = profile.redirect
    assert pattern.source.strip()
    assert pattern.template is not None or pattern.reason.strip()
    if isinstance(profile, MicrosoftProfile):
        assert set(profile.permissions) == set(profile.protocols)
    else:
        assert isinstance(profile, GoogleProfile)
        if profile.auth == "oauth2":
            # The Gmail scope first; only the OpenID Connect scopes may follow it.
            assert profile.scopes[0] == google.MAIL_SCOPE
            assert set(profile.scopes[1:]) <= {"openid", "email", "profile"}
            assert profile.client_type in google.CLIENT_TYPES
        else:
            assert profile.bootstrap == "none"
            assert profile.redirect.template is None


MS_PROFILES = [(p, v) for p, v in PROFILES if v == "microsoft"]


@pytest.mark.parametrize(("plugin", "provider"), MS_PROFILES, ids=[p.key for p, _ in MS_PROFILES])
def test_microsoft_permissions_are_outlook_and_oidc_only(
    plugin: TargetPlugin, provider: str
) -> None:
    profile = plugin.facts.microsoft
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
    wanted = {"smtp": "SMTP.Send", "imap": "IMAP.AccessAsUser.All", "pop": "POP.AccessAsUser.All"}
    for proto, perms in profile.permissions.items():
        # every kind keeps a refresh token; a kind whose vendor documents a registration without
        # offline_access (Open Bee: five Graph permissions) requests what it documents
        documented = profile.documented_permissions
        assert "offline_access" in perms or (documented and "offline_access" not in documented)
        assert wanted[proto] in perms
        # The scopes a target requests are built from these: never a Graph scope among them.
        for name in perms:
            perm = microsoft.permission(name)
            assert perm is not None
            assert not perm.graph_resource, (plugin.key, name)


# --- values that matter, written out -------------------------------------------------------------


def _facts(key: str) -> Any:
    return registry.plugin(key).facts


TRAITS = {
    "dolibarr": (True, True, False, "app-database", None),
    "dolibarr-multismtp": (True, False, False, "app-database", None),
    "digdash": (True, True, False, "app-database", None),
    "wavesoft": (False, False, True, "app-database", None),
    "openbee": (True, True, False, "app-database", None),
    "postfix-sasl-xoauth2": (False, False, False, "file", "postfix"),
    "msmtp": (False, False, False, "file", "msmtp"),
    "email-oauth2-proxy": (False, False, False, "file", "email_oauth2_proxy"),
    "glpi": (True, True, False, "app-database", None),
    "odoo": (True, True, False, "app-database", None),
    "nextcloud-mail": (True, False, True, "app-database", None),
}
"""(web application, one token, renewed by its users, token sink, Ansible tasks) per kind."""


@pytest.mark.parametrize(("key", "expected"), TRAITS.items())
def test_traits(key: str, expected: tuple[Any, ...]) -> None:
    facts = registry.plugin(key).facts
    traits = (
        facts.web_application,
        facts.single_token is not None,
        facts.interactive_renewal,
        facts.token_sink,
        facts.ansible_tasks,
    )
    assert traits == expected


def test_trait_lists() -> None:
    assert [p.key for p in PLUGINS if p.facts.shared_mailbox_supported] == [
        "postfix-sasl-xoauth2",
        "msmtp",
        "email-oauth2-proxy",
    ]
    certificate = [
        p.key for p in PLUGINS if p.facts.microsoft and p.facts.microsoft.certificate_capable
    ]
    assert certificate == ["email-oauth2-proxy"]


def test_specific_facts() -> None:
    openbee = _facts("openbee")
    assert openbee.sender_must_equal_token_owner
    assert openbee.primary_address_required
    assert openbee.google.auth == "app-password"
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
    assert _facts("odoo").sender_must_equal_token_owner
    sasl = _facts("postfix-sasl-xoauth2")
    assert sasl.refresh_token_injectable
    assert sasl.microsoft.bootstrap == "device-code"
    assert sasl.microsoft.platform == "public"
    assert not _facts("email-oauth2-proxy").refresh_token_injectable
    assert _facts("wavesoft").microsoft.platform == "web"
    assert _facts("glpi").microsoft.required_permissions(["smtp"]) == (
        "SMTP.Send",
        "offline_access",
        "openid",
        "email",
    )
    proxy = _facts("email-oauth2-proxy")
    assert proxy.microsoft.required_permissions(("smtp", "imap")) == (
        "SMTP.Send",
        "offline_access",
        "IMAP.AccessAsUser.All",
    )
    assert proxy.protocols() == ("smtp", "imap", "pop")
    assert _facts("openbee").protocols("google") == ("smtp",)
    assert _facts("glpi").protocols("google") == ("smtp",)
    assert _facts("glpi").protocols("yahoo") == ()
    assert _facts("glpi").providers == ("microsoft", "google")


def test_settings() -> None:
    def settings(key: str) -> dict[tuple[str, str | None], Any]:
        return {(s.name, s.provider): s.constraint for s in _facts(key).settings}

    assert settings("glpi")[("smtp_mode", None)] == Equals(4)
    assert settings("glpi")[("smtp_oauth_provider", "microsoft")] == Equals(
        "Glpi\\Mail\\SMTP\\OauthProvider\\Azure"
    )
    assert settings("dolibarr")[("MAIN_MAIL_SENDMODE", None)] == OneOf(("smtps", "swiftmailer"))
    label = settings("dolibarr")[("label", None)]
    assert isinstance(label, Pattern)
    assert label.accepts("Emails2")
    assert not label.accepts("E-mails")
    assert not label.accepts("A_ID")
    assert label.repaired("Emails_Sales-2") == "EmailsSales2"
    assert settings("odoo")[("ir.mail_server.smtp_encryption", None)] == Equals("starttls")
    assert settings("msmtp")[("auth", "microsoft")] == Equals("xoauth2")
    assert settings("nextcloud-mail")[("imap-host", "microsoft")] == Equals("outlook.office365.com")
    assert settings("postfix-sasl-xoauth2")[("smtp_sasl_mechanism_filter", None)] == Equals(
        "xoauth2"
    )


def test_versions() -> None:
    minimums = {
        p.key: [(r.since, r.provider, r.protocol, r.warning) for r in p.facts.versions.requirements]
        for p in PLUGINS
        if p.facts.versions is not None and p.facts.versions.requirements
    }
    assert minimums == {
        "dolibarr-multismtp": [("22", None, "imap", False)],
        "wavesoft": [("23.02.05", None, None, False)],
        "openbee": [("6.10.3", None, None, False)],
        "msmtp": [
            ("1.8.13", "microsoft", None, False),
            ("1.8.5", "google", None, False),
            ("1.8.13", "google", None, True),
        ],
        "glpi": [("10.0", None, None, False)],
        "odoo": [("15", None, None, False)],
    }
    digdash = _facts("digdash").versions.format
    assert digdash.check("2025R2") == "2025R2"
    assert digdash.older("2024R2", "2025R1")
    assert not digdash.older("2025R2", "2025R1")
    with pytest.raises(ValueError, match=r"expected e\.g\. 2025R2"):
        digdash.check("R2025")
    assert PROVIDER_CLASSES["MICROSOFT3"].min_version == "23"


# --- redirect URIs ------------------------------------------------------------------------------

HEAD = {
    "version": 1,
    "providers": {
        "contoso": {"type": "microsoft", "tenant": "6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d"},
        "acme": {"type": "google", "domain": "acme.example"},
    },
    "apps": {
        "ms": {"provider": "contoso", "client_id": "1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b"},
        "g": {
            "provider": "acme",
            "client_id": "412345678901-k3j4h5g6f7d8s9a0p1o2i3u4y5t6r7e8.apps.googleusercontent.com",
        },
    },
}


def _redirect(target: dict[str, Any], provider: str) -> str | None:
    data = {**HEAD, "targets": {"t": {**target, "app": "ms" if provider == "microsoft" else "g"}}}
    return plan(MailConfig.model_validate(data)).targets["t"].redirect_uri


@pytest.mark.parametrize(
    ("target", "provider", "expected"),
    [
        (
            {"type": "glpi", "url": "https://glpi.example.com/"},
            "microsoft",
            "https://glpi.example.com/front/smtp_oauth2_callback.php",
        ),
        (
            {"type": "dolibarr", "url": "https://erp.example.com", "version": 23},
            "microsoft",
            "https://erp.example.com/core/modules/oauth/microsoft3_oauthcallback.php",
        ),
        (
            {"type": "dolibarr", "url": "https://erp.example.com/dolibarr/", "version": 22},
            "microsoft",
            "https://erp.example.com/dolibarr/core/modules/oauth/microsoft_oauthcallback.php",
        ),
        (
            {
                "type": "dolibarr",
                "url": "https://erp.example.com",
                "version": 23,
                "oauth_provider": "MICROSOFT2",
            },
            "microsoft",
            "https://erp.example.com/core/modules/oauth/microsoft2_oauthcallback.php",
        ),
        (
            {
                "type": "dolibarr",
                "url": "https://erp.example.com",
                "version": 23,
                "oauth_provider": "MICROSOFTAPP",
            },
            "microsoft",
            None,
        ),
        (
            {"type": "dolibarr", "url": "https://erp.example.com", "version": 23},
            "google",
            "https://erp.example.com/core/modules/oauth/google_oauthcallback.php",
        ),
        (
            {"type": "dolibarr-multismtp", "url": "https://erp.example.com", "version": 23},
            "microsoft",
            "https://erp.example.com/core/modules/oauth/microsoft3_oauthcallback.php",
        ),
        (
            {"type": "odoo", "url": "https://odoo.example.com", "version": 17, "database": "d"},
            "microsoft",
            "https://odoo.example.com/microsoft_outlook/confirm",
        ),
        (
            {"type": "odoo", "url": "https://odoo.example.com", "version": 17, "database": "d"},
            "google",
            "https://odoo.example.com/google_gmail/confirm",
        ),
        (
            {"type": "nextcloud-mail", "url": "https://cloud.example.com"},
            "microsoft",
            "https://cloud.example.com/apps/mail/integration/microsoft-auth",
        ),
        (
            {"type": "nextcloud-mail", "url": "https://nc.example", "index_php": True},
            "microsoft",
            "https://nc.example/index.php/apps/mail/integration/microsoft-auth",
        ),
        (
            {"type": "nextcloud-mail", "url": "https://cloud.example.com/"},
            "google",
            "https://cloud.example.com/apps/mail/integration/google-auth",
        ),
        (
            {"type": "digdash", "url": "http://localhost:8080"},
            "microsoft",
            "http://localhost:8080/ddenterpriseapi/v2/oauth/redirect",
        ),
        ({"type": "wavesoft"}, "microsoft", "http://localhost:3017/"),
        ({"type": "wavesoft"}, "google", None),
        ({"type": "email-oauth2-proxy"}, "microsoft", "http://localhost:8080"),
        ({"type": "email-oauth2-proxy"}, "google", "http://localhost:8080"),
        ({"type": "msmtp"}, "microsoft", "http://localhost"),
        ({"type": "msmtp"}, "google", None),
        ({"type": "postfix-sasl-xoauth2"}, "microsoft", None),
        (
            {"type": "postfix-sasl-xoauth2", "flow": "loopback"},
            "microsoft",
            microsoft.NATIVE_CLIENT_REDIRECT_URI,
        ),
        ({"type": "openbee", "url": "https://portal.example"}, "microsoft", None),
        (
            {"type": "openbee", "url": "https://portal.example/", "redirect_path": "cb"},
            "microsoft",
            "https://portal.example/cb",
        ),
    ],
)
def test_redirect_uri(target: dict[str, Any], provider: str, expected: str | None) -> None:
    assert _redirect(target, provider) == expected


def test_redirect_patterns() -> None:
    sasl = _facts("postfix-sasl-xoauth2").google
    assert sasl.redirect.placeholders() == {"port"}
    assert sasl.redirect.render(None, port=54332) == "http://127.0.0.1:54332/oauth2_result"
    with pytest.raises(ValueError, match="needs: port"):
        sasl.redirect.render(None)
    dolibarr = _facts("dolibarr").microsoft
    assert dolibarr.redirect.placeholders() == {"base", "callback"}
    with pytest.raises(ValueError, match="needs: base"):
        _facts("glpi").microsoft.redirect.render(None)
    with pytest.raises(ValueError, match="unknown redirect variant"):
        _facts("glpi").microsoft.redirect.render("https://g", "nope")
    proxy = _facts("email-oauth2-proxy").microsoft.redirect
    assert proxy.render(None, "local-server-auth", port=8080) == "http://localhost:8080"


# --- Dolibarr provider classes -----------------------------------------------------------------


def test_dolibarr_providers() -> None:
    assert set(PROVIDER_CLASSES) == {
        "GOOGLE",
        "MICROSOFT",
        "MICROSOFT2",
        "MICROSOFT3",
        "MICROSOFTAPP",
    }
    m3 = PROVIDER_CLASSES["MICROSOFT3"]
    assert m3.service_class == "Microsoft3"
    assert m3.callback_file == "microsoft3_oauthcallback.php"
    assert m3.redirect_path == "/core/modules/oauth/microsoft3_oauthcallback.php"
    assert m3.service_name("Emails") == "Microsoft3-Emails"
    assert m3.service_ref("Emails") == "MICROSOFT3-Emails"
    assert m3.const_prefix("Emails") == "OAUTH_MICROSOFT3-Emails"
    assert m3.const_prefix("") == "OAUTH_MICROSOFT3"
    assert "https://outlook.office.com/SMTP.Send" in m3.offered_scopes
    app = PROVIDER_CLASSES["MICROSOFTAPP"]
    assert app.flow == "client-credentials"
    assert app.redirect_path is None
    assert app.service_class == "Microsoftapp"
    assert "unmerged" in _facts("dolibarr").microsoft.flow_settings["client-credentials"]
    assert PROVIDER_CLASSES["GOOGLE"].service_name("Emails") == "Google-Emails"
    assert provider_class("microsoft3") is m3
    assert provider_class("OAUTH_GOOGLE_NAME") is PROVIDER_CLASSES["GOOGLE"]
    assert provider_class("GITHUB") is None
    for d in PROVIDER_CLASSES.values():
        assert d.source.strip()


def test_target_union_is_built_from_the_registry() -> None:
    members = typing.get_args(typing.get_args(union())[0])
    assert all(issubclass(m, BaseModel) for m in members)
    assert members == registry.models()

"""Target applications: what each one needs from the provider and from the operator.

One :class:`TargetKind` per ``targets.<name>.type`` value. Each entry cites the application's
public docs or code; inferences those sources do not confirm are marked ``verified=False`` or
explained in ``notes``.

Redirect URI templates use ``{base}`` for the target's URL without trailing slash and other
``{name}`` placeholders for parameters (``{port}``, Dolibarr ``{callback}``); render them with
:func:`redirect_uri`.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from mailoauth_cfg.catalog import sources as src
from mailoauth_cfg.catalog.google import LEGACY_TOKEN_URL, MAIL_SCOPE, ClientType
from mailoauth_cfg.catalog.microsoft import (
    CLOUDS,
    LOOPBACK_REDIRECT_URI,
    NATIVE_CLIENT_REDIRECT_URI,
    Cloud,
    get_cloud,
    token_url,
)

__all__ = [
    "BOOTSTRAP_KINDS",
    "DOLIBARR_LABEL_PATTERN",
    "DOLIBARR_PROVIDERS",
    "DOLIBARR_RESERVED_LABELS",
    "DOLIBARR_SERVICE_MAX_LENGTH",
    "MAIL_PROTOCOLS",
    "PROVIDER_TYPES",
    "SASL_XOAUTH2_DEFAULT_TOKEN_ENDPOINT",
    "SASL_XOAUTH2_TOKEN_ENDPOINTS",
    "TARGET_KINDS",
    "TARGET_KIND_KEYS",
    "TOKEN_SINKS",
    "BootstrapKind",
    "Constraint",
    "ConstraintKind",
    "DolibarrProvider",
    "GoogleAuth",
    "GoogleProfile",
    "MailProtocol",
    "MicrosoftPlatform",
    "MicrosoftProfile",
    "ProviderType",
    "RedirectPattern",
    "TargetKind",
    "TokenSink",
    "dolibarr_max_label_length",
    "dolibarr_provider",
    "get_target_kind",
    "redirect_uri",
    "sasl_xoauth2_token_endpoint",
]

ProviderType = Literal["microsoft", "google"]
MailProtocol = Literal["smtp", "imap", "pop"]
TokenSink = Literal["app-database", "file"]
BootstrapKind = Literal[
    "in-app-consent", "cli-loopback", "device-code", "client-credentials", "none"
]
"""How the first refresh token is obtained:

* ``in-app-consent``: the application runs the consent in its own UI and stores the token;
* ``cli-loopback``: a CLI opens a browser and receives the code on a loopback redirect;
* ``device-code``: a CLI shows a code to enter at the provider (no redirect URI);
* ``client-credentials``: no user sign-in; the app's own credential mints tokens;
* ``none``: no OAuth token at all (e.g. an app password).
"""
MicrosoftPlatform = Literal["web", "public"]
"""Entra platform: ``web`` (confidential, secret) or ``public`` (mobile and desktop)."""
GoogleAuth = Literal["oauth2", "app-password"]
ConstraintKind = Literal[
    "pattern", "reserved", "max-length", "min-version", "min-value", "equals", "one-of", "note"
]

PROVIDER_TYPES: tuple[ProviderType, ...] = ("microsoft", "google")
MAIL_PROTOCOLS: tuple[MailProtocol, ...] = ("smtp", "imap", "pop")
TOKEN_SINKS: tuple[TokenSink, ...] = ("app-database", "file")
BOOTSTRAP_KINDS: tuple[BootstrapKind, ...] = (
    "in-app-consent",
    "cli-loopback",
    "device-code",
    "client-credentials",
    "none",
)


_APP_DATABASE: TokenSink = "app-database"
_FILE: TokenSink = "file"


def _frozen(mapping: Mapping[str, str] | None = None) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping or {}))


def _no_scopes() -> Mapping[MailProtocol, str]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class RedirectPattern:
    """The redirect URI a target uses with one provider.

    ``template`` is ``None`` when there is no redirect URI to register (device flow, app
    password, Google desktop loopback) or when it cannot be computed (Open Bee:
    ``user_supplied``); ``reason`` then says which. ``variants`` are alternative templates
    selected with ``redirect_uri(..., variant=NAME)``.
    """

    template: str | None
    reason: str
    source: str
    must_register: bool = True
    """Whether the URI has to be registered on the app/client (False for Google desktop
    loopback, which accepts any port)."""
    user_supplied: bool = False
    defaults: Mapping[str, str] = field(default_factory=_frozen)
    variants: Mapping[str, str] = field(default_factory=_frozen)
    verified: bool = True

    def placeholders(self, variant: str | None = None) -> frozenset[str]:
        """Placeholder names of the (variant) template, e.g. ``{"base", "port"}``."""
        template = self._template(variant)
        if template is None:
            return frozenset()
        return frozenset(
            name for _, name, _, _ in string.Formatter().parse(template) if name is not None
        )

    def _template(self, variant: str | None) -> str | None:
        if variant is None:
            return self.template
        try:
            return self.variants[variant]
        except KeyError:
            known = ", ".join(sorted(self.variants)) or "none"
            raise ValueError(f"unknown redirect variant {variant!r}; known: {known}") from None

    def render(
        self, base_url: str | None, variant: str | None = None, **params: str | int
    ) -> str | None:
        """Fill the template; ``ValueError`` when a needed parameter is missing."""
        template = self._template(variant)
        if template is None:
            return None
        values: dict[str, str] = dict(self.defaults)
        values.update({k: str(v) for k, v in params.items()})
        if base_url is not None:
            values["base"] = base_url.strip().rstrip("/")
        missing = sorted(n for n in self.placeholders(variant) if not values.get(n))
        if missing:
            raise ValueError(f"redirect URI template {template!r} needs: {', '.join(missing)}")
        return template.format_map(values)


@dataclass(frozen=True, slots=True)
class Constraint:
    """A constraint a target imposes, as data for rules and docs."""

    id: str
    """Stable kebab-case identifier."""
    subject: str
    """What is constrained: a setting, field or value (e.g. ``oauth-label``, ``version``)."""
    kind: ConstraintKind
    value: str | int | tuple[str, ...]
    message: str
    source: str
    provider: ProviderType | None = None
    protocol: MailProtocol | None = None
    verified: bool = True


@dataclass(frozen=True, slots=True)
class MicrosoftProfile:
    """How a target works with Microsoft 365 / Entra ID."""

    protocols: tuple[MailProtocol, ...]
    platform: MicrosoftPlatform
    redirect: RedirectPattern
    bootstrap: BootstrapKind
    permissions: Mapping[MailProtocol, tuple[str, ...]]
    """Delegated permissions (canonical names) required per protocol."""
    source: str
    token_scopes: Mapping[MailProtocol, str] = field(default_factory=_no_scopes)
    """Literal scope string the target requests per protocol, where known."""
    alt_bootstraps: tuple[BootstrapKind, ...] = ()
    documented_permissions: tuple[str, ...] = ()
    """What the target's own documentation tells the admin to grant."""
    allowed_over_privileged: tuple[str, ...] = ()
    """Over-privileged permissions this target legitimately demands (skip in that rule)."""
    admin_consent_required: bool = False
    tenant_common_ok: bool = True
    """False when the target needs a real tenant ID (single-tenant app, client credentials)."""
    default_tenant: str | None = None
    tenant_setting: str = ""
    """Where the tenant goes in the target's configuration."""
    public_client_flows: bool = False
    """Whether "Allow public client flows" must be Yes (device code)."""
    notes: tuple[str, ...] = ()

    def required_permissions(self, protocols: tuple[str, ...] | list[str]) -> tuple[str, ...]:
        """Union of :attr:`permissions` over ``protocols``, in first-seen order."""
        names: dict[str, None] = {}
        for proto in protocols:
            for key, perms in self.permissions.items():
                if key == proto:
                    names.update(dict.fromkeys(perms))
        return tuple(names)


@dataclass(frozen=True, slots=True)
class GoogleProfile:
    """How a target works with Google (Gmail / Workspace)."""

    auth: GoogleAuth
    protocols: tuple[MailProtocol, ...]
    client_type: ClientType | None
    redirect: RedirectPattern
    bootstrap: BootstrapKind
    scopes: tuple[str, ...]
    source: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TargetKind:
    """Knowledge about one kind of target application."""

    key: str
    display_name: str
    microsoft: MicrosoftProfile | None
    google: GoogleProfile | None
    token_sink: TokenSink
    refresh_token_injectable: bool
    """Whether a refresh token obtained by another tool can be put into the target."""
    shared_mailbox_supported: bool
    sender_must_equal_token_owner: bool
    primary_address_required: bool
    sign_in_account: str
    """Who must sign in during the bootstrap."""
    ui_path: str
    """Where the operator clicks (or which files/commands, for file-based targets)."""
    source: str
    constraints: tuple[Constraint, ...] = ()
    min_version: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def providers(self) -> tuple[ProviderType, ...]:
        """Supported provider types."""
        return tuple(p for p in PROVIDER_TYPES if self.profile(p) is not None)

    def profile(self, provider_type: str) -> MicrosoftProfile | GoogleProfile | None:
        """The provider profile, or ``None`` if the provider is not supported."""
        if provider_type == "microsoft":
            return self.microsoft
        if provider_type == "google":
            return self.google
        return None

    def protocols(self, provider_type: str | None = None) -> tuple[MailProtocol, ...]:
        """Protocols supported with ``provider_type`` (or with any provider)."""
        profiles = (
            [self.profile(provider_type)]
            if provider_type is not None
            else [self.microsoft, self.google]
        )
        found = {proto for p in profiles if p is not None for proto in p.protocols}
        return tuple(p for p in MAIL_PROTOCOLS if p in found)

    def constraints_for(
        self, provider_type: str | None = None, protocol: str | None = None
    ) -> tuple[Constraint, ...]:
        """Constraints that apply to a provider/protocol (generic ones always apply)."""
        return tuple(
            c
            for c in self.constraints
            if (c.provider is None or provider_type is None or c.provider == provider_type)
            and (c.protocol is None or protocol is None or c.protocol == protocol)
        )


# --- Shared fragments --------------------------------------------------------------------------

_SMTP_SCOPE = "offline_access https://outlook.office.com/SMTP.Send"
_IMAP_SCOPE = "offline_access https://outlook.office.com/IMAP.AccessAsUser.All"
_POP_SCOPE = "offline_access https://outlook.office.com/POP.AccessAsUser.All"

_MIN_PERMS: Mapping[MailProtocol, tuple[str, ...]] = MappingProxyType(
    {
        "smtp": ("SMTP.Send", "offline_access"),
        "imap": ("IMAP.AccessAsUser.All", "offline_access"),
        "pop": ("POP.AccessAsUser.All", "offline_access"),
    }
)
_MIN_SCOPES: Mapping[MailProtocol, str] = MappingProxyType(
    {"smtp": _SMTP_SCOPE, "imap": _IMAP_SCOPE, "pop": _POP_SCOPE}
)


def _perms(*protocols: MailProtocol) -> Mapping[MailProtocol, tuple[str, ...]]:
    return MappingProxyType({p: _MIN_PERMS[p] for p in protocols})


def _scopes(*protocols: MailProtocol) -> Mapping[MailProtocol, str]:
    return MappingProxyType({p: _MIN_SCOPES[p] for p in protocols})


_MAILBOX_OWNER = "the mailbox owner (the account whose address is the XOAUTH2 user), not an admin"

_GOOGLE_DESKTOP_LOOPBACK = (
    "Desktop app client: Google accepts a loopback redirect on any port; nothing to register."
)


# --- Dolibarr ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DolibarrProvider:
    """One Dolibarr OAuth provider class (``getSupportedOauth2Array()`` entry)."""

    key: str
    """``<PROV>`` part of the constants, e.g. ``MICROSOFT3``."""
    provider: ProviderType
    display_name: str
    callback: str
    """Callback file stem, e.g. ``microsoft3`` → ``microsoft3_oauthcallback.php``."""
    offered_scopes: tuple[str, ...]
    flow: Literal["authorization-code", "client-credentials"]
    tenant_field: bool
    merged: bool
    """False when the code is known only from an open pull request."""
    source: str
    min_version: str | None = None
    note: str = ""

    @property
    def callback_file(self) -> str:
        """``<callback>_oauthcallback.php``."""
        return f"{self.callback}_oauthcallback.php"

    @property
    def service_class(self) -> str:
        """``ucfirst(strtolower(callback))``: prefix of ``llx_oauth_token.service``."""
        return self.callback.capitalize()

    @property
    def redirect_path(self) -> str | None:
        """Path below ``$dolibarr_main_url_root``; ``None`` for server-to-server flows."""
        if self.flow == "client-credentials":
            return None
        return f"/core/modules/oauth/{self.callback_file}"

    def service_name(self, label: str) -> str:
        """``llx_oauth_token.service`` value, e.g. ``Microsoft3-Emails`` (max 36 chars)."""
        return f"{self.service_class}-{label}" if label else self.service_class

    def service_ref(self, label: str) -> str:
        """``MAIN_MAIL_SMTPS_OAUTH_SERVICE`` / collector ``oauth_service`` value."""
        return f"{self.key}-{label}" if label else self.key

    def const_prefix(self, label: str) -> str:
        """Prefix of the ``llx_const`` rows, e.g. ``OAUTH_MICROSOFT3-Emails``."""
        return f"OAUTH_{self.service_ref(label)}"


DOLIBARR_LABEL_PATTERN = r"^[A-Za-z0-9_]+$"
DOLIBARR_RESERVED_LABELS: tuple[str, ...] = ("Login",)
DOLIBARR_SERVICE_MAX_LENGTH = 36

DOLIBARR_PROVIDERS: Mapping[str, DolibarrProvider] = MappingProxyType(
    {
        d.key: d
        for d in (
            DolibarrProvider(
                key="GOOGLE",
                provider="google",
                display_name="Google",
                callback="google",
                offered_scopes=(
                    "userinfo_email",
                    "userinfo_profile",
                    "openid",
                    "email",
                    "profile",
                    "cloud_print",
                    "admin_directory_user",
                    "gmail_full",
                    "contact",
                    "https://www.googleapis.com/auth/contacts",
                    "https://www.googleapis.com/auth/calendar",
                ),
                flow="authorization-code",
                tenant_field=False,
                merged=True,
                source=src.DOLIBARR_OAUTH_LIB,
                note="Use gmail_full (maps to https://mail.google.com/).",
            ),
            DolibarrProvider(
                key="MICROSOFT",
                provider="microsoft",
                display_name="Microsoft [outlook.office365]",
                callback="microsoft",
                offered_scopes=(
                    "openid",
                    "offline_access",
                    "profile",
                    "email",
                    "User.Read",
                    "https://outlook.office365.com/IMAP.AccessAsUser.All",
                    "https://outlook.office365.com/SMTP.Send",
                ),
                flow="authorization-code",
                tenant_field=True,
                merged=True,
                source=src.DOLIBARR_OAUTH_LIB,
                note=(
                    "Offers User.Read (Graph) next to Outlook scopes: ticking both fails "
                    "(AADSTS28000). Older callbacks lost the tenant (URL '//oauth2')."
                ),
            ),
            DolibarrProvider(
                key="MICROSOFT2",
                provider="microsoft",
                display_name="Microsoft [outlook.office]",
                callback="microsoft2",
                offered_scopes=(
                    "openid",
                    "offline_access",
                    "profile",
                    "email",
                    "User.Read",
                    "https://outlook.office.com/.default",
                ),
                flow="authorization-code",
                tenant_field=False,
                merged=True,
                source=src.DOLIBARR_OAUTH_LIB,
                note="Offers User.Read (Graph) next to an Outlook scope: do not tick both.",
            ),
            DolibarrProvider(
                key="MICROSOFT3",
                provider="microsoft",
                display_name="Microsoft Exchange Online [SMTP/IMAP]",
                callback="microsoft3",
                offered_scopes=(
                    "offline_access",
                    "https://outlook.office.com/SMTP.Send",
                    "https://outlook.office.com/IMAP.AccessAsUser.All",
                ),
                flow="authorization-code",
                tenant_field=True,
                merged=True,
                source=f"{src.DOLIBARR_MICROSOFT3}; {src.DOLIBARR_PR_MICROSOFT3}",
                min_version="23",
                note=(
                    "Recommended on v23+. OAUTH_MICROSOFT3_FORCE_PROMPT sets prompt "
                    "(default select_account)."
                ),
            ),
            DolibarrProvider(
                key="MICROSOFTAPP",
                provider="microsoft",
                display_name="Microsoft app-only",
                callback="microsoftapp",
                offered_scopes=("https://outlook.office365.com/.default",),
                flow="client-credentials",
                tenant_field=True,
                merged=False,
                source=f"{src.DOLIBARR_MICROSOFTAPP}; {src.DOLIBARR_PR_MICROSOFTAPP}",
                note=(
                    "Client credentials (no browser redirect); needs a real tenant ID and "
                    "Exchange application permissions. PR #39122 was open when read."
                ),
            ),
        )
    }
)
"""Dolibarr provider classes by ``<PROV>`` key (``OAUTH_<PROV>-<label>_*`` constants)."""


def dolibarr_provider(key: str) -> DolibarrProvider | None:
    """Look up a Dolibarr provider class by key (case-insensitive; ``OAUTH_`` prefix allowed)."""
    k = key.strip().upper().removeprefix("OAUTH_").removesuffix("_NAME")
    return DOLIBARR_PROVIDERS.get(k)


def dolibarr_max_label_length(provider_key: str) -> int:
    """Longest label that keeps ``<Class>-<label>`` within ``llx_oauth_token.service``."""
    d = dolibarr_provider(provider_key)
    if d is None:
        raise ValueError(f"unknown Dolibarr OAuth provider {provider_key!r}")
    return DOLIBARR_SERVICE_MAX_LENGTH - len(d.service_class) - 1


_DOLIBARR_LABEL_CONSTRAINTS: tuple[Constraint, ...] = (
    Constraint(
        id="dolibarr-label-pattern",
        subject="oauth-label",
        kind="pattern",
        value=DOLIBARR_LABEL_PATTERN,
        message=(
            "Dolibarr splits OAUTH_<PROV>-<label> on the first and last '-': use letters, "
            "digits and '_' only."
        ),
        source=src.DOLIBARR_ADMIN_OAUTH,
    ),
    Constraint(
        id="dolibarr-label-reserved",
        subject="oauth-label",
        kind="reserved",
        value=DOLIBARR_RESERVED_LABELS,
        message="'Login' is the Google SSO entry (OAUTH_GOOGLE-Login_*); do not use it for mail.",
        source=src.DOLIBARR_WIKI,
    ),
    Constraint(
        id="dolibarr-service-name-length",
        subject="oauth-service-name",
        kind="max-length",
        value=DOLIBARR_SERVICE_MAX_LENGTH,
        message=(
            "llx_oauth_token.service is varchar(36): len('<Class>-<label>') must be <= 36 "
            "(label <= 25 with Microsoft3)."
        ),
        source=src.DOLIBARR_TOKEN_TABLE,
    ),
    Constraint(
        id="dolibarr-microsoft3-min-version",
        subject="version",
        kind="min-version",
        value="23",
        message=(
            "The MICROSOFT3 provider (Outlook-only scopes, tenant field) needs Dolibarr >= 23; "
            "older MICROSOFT/MICROSOFT2 entries offer Graph scopes that must not be ticked."
        ),
        source=src.DOLIBARR_PR_MICROSOFT3,
        provider="microsoft",
    ),
    Constraint(
        id="dolibarr-public-https-url",
        subject="$dolibarr_main_url_root",
        kind="pattern",
        value=r"^https://",
        message=(
            "The redirect URI is built from $dolibarr_main_url_root (conf.php): it must be the "
            "public https URL."
        ),
        source=src.DOLIBARR_WIKI,
    ),
)


def _dolibarr_redirect(provider: ProviderType) -> RedirectPattern:
    return RedirectPattern(
        template="{base}/core/modules/oauth/{callback}_oauthcallback.php",
        reason=(
            "$dolibarr_main_url_root + /core/modules/oauth/<callback>_oauthcallback.php; the "
            "callback follows the provider class (google, microsoft, microsoft2, microsoft3). "
            "Pass provider_class=... or callback=...; Microsoft defaults to MICROSOFT3."
        ),
        source=src.DOLIBARR_OAUTH_LIB,
        defaults=_frozen({"callback": "microsoft3" if provider == "microsoft" else "google"}),
    )


_DOLIBARR = TargetKind(
    key="dolibarr",
    display_name="Dolibarr ERP/CRM (core OAuth module)",
    microsoft=MicrosoftProfile(
        protocols=("smtp", "imap"),
        platform="web",
        redirect=_dolibarr_redirect("microsoft"),
        bootstrap="in-app-consent",
        alt_bootstraps=("client-credentials",),
        permissions=_perms("smtp", "imap"),
        token_scopes=_scopes("smtp", "imap"),
        documented_permissions=(
            "email",
            "IMAP.AccessAsUser.All",
            "Mail.Read",
            "Mail.Send",
            "offline_access",
            "openid",
            "profile",
            "SMTP.Send",
        ),
        tenant_setting="OAUTH_<PROV>-<label>_TENANT",
        source=f"{src.DOLIBARR_MICROSOFT3}; {src.DOLIBARR_WIKI}",
        notes=(
            "Scopes are the ticked checkboxes (OAUTH_<PROV>-<label>_SCOPE); never tick Graph "
            "scopes next to Outlook scopes.",
            "client-credentials only with the MICROSOFTAPP provider (PR #39122, open when read).",
            "Where user consent is disabled, grant admin consent first and keep "
            "OAUTH_MICROSOFT3_FORCE_PROMPT=select_account (issue #40004).",
        ),
    ),
    google=GoogleProfile(
        auth="oauth2",
        protocols=("smtp", "imap"),
        client_type="web",
        redirect=_dolibarr_redirect("google"),
        bootstrap="in-app-consent",
        scopes=(MAIL_SCOPE,),
        source=src.DOLIBARR_WIKI,
        notes=("Tick gmail_full; publish the consent screen to Production.",),
    ),
    token_sink=_APP_DATABASE,
    refresh_token_injectable=False,
    shared_mailbox_supported=False,
    sender_must_equal_token_owner=False,
    primary_address_required=False,
    sign_in_account=_MAILBOX_OWNER,
    ui_path=(
        "Setup › Modules › OAuth › OAuth services (admin/oauth.php): add the entry and fill "
        "ID/secret/tenant/scopes; Token generation tab (admin/oauthlogintokens.php?mode=setup) "
        "› Get access; Setup › Emails (admin/mails.php): MAIN_MAIL_SENDMODE=smtps, "
        "MAIN_MAIL_SMTPS_AUTH_TYPE=XOAUTH2, MAIN_MAIL_SMTPS_OAUTH_SERVICE=<PROV>-<label>"
    ),
    source=src.DOLIBARR_OAUTH_LIB,
    constraints=(
        *_DOLIBARR_LABEL_CONSTRAINTS,
        Constraint(
            id="dolibarr-sendmode",
            subject="MAIN_MAIL_SENDMODE",
            kind="one-of",
            value=("smtps", "swiftmailer"),
            message="PHP mail() cannot use OAuth: set MAIN_MAIL_SENDMODE to smtps or swiftmailer.",
            source=src.DOLIBARR_MAILS,
            protocol="smtp",
        ),
        Constraint(
            id="dolibarr-collector-phpimap",
            subject="MAIN_IMAP_USE_PHPIMAP",
            kind="equals",
            value="1",
            message="The email collector shows the OAuth fields only with MAIN_IMAP_USE_PHPIMAP=1.",
            source=src.DOLIBARR_COLLECTOR,
            protocol="imap",
        ),
    ),
    notes=(
        "One OAuth service entry per mailbox ('un service OAuth = un utilisateur').",
        "Tokens are dolEncrypt(serialize(...)) in llx_oauth_token: a refresh token obtained "
        "elsewhere cannot practically be injected.",
        "Some versions look collector tokens up by display name; test IMAP collection on the "
        "target version.",
    ),
)

_MULTISMTP = TargetKind(
    key="dolibarr-multismtp",
    display_name="Dolibarr MultiSMTP module (per-user SMTP/IMAP, Open-DSI)",
    microsoft=MicrosoftProfile(
        protocols=("smtp", "imap"),
        platform="web",
        redirect=_dolibarr_redirect("microsoft"),
        bootstrap="in-app-consent",
        permissions=_perms("smtp", "imap"),
        token_scopes=_scopes("smtp", "imap"),
        tenant_setting="OAUTH_<PROV>-<label>_TENANT, or llx_user2smtp.smtp_oauth_tenant",
        source=src.MULTISMTP,
        notes=(
            "Per-user custom credentials (smtp_oauth_id/secret/tenant) are stored as token "
            "service <Provider>-MultiSmtpUser<userId><Smtp|Imap>; their redirect is assumed to "
            "be the core callback (unverified).",
        ),
    ),
    google=GoogleProfile(
        auth="oauth2",
        protocols=("smtp", "imap"),
        client_type="web",
        redirect=_dolibarr_redirect("google"),
        bootstrap="in-app-consent",
        scopes=(MAIL_SCOPE,),
        source=src.MULTISMTP,
    ),
    token_sink=_APP_DATABASE,
    refresh_token_injectable=False,
    shared_mailbox_supported=False,
    sender_must_equal_token_owner=False,
    primary_address_required=False,
    sign_in_account=_MAILBOX_OWNER,
    ui_path=(
        "User card › Email tab (/multismtp/user.php?id=<user>) › Modify › authentication "
        "method UseOAuth; then generate the token from that tab"
    ),
    source=src.MULTISMTP,
    constraints=(
        *_DOLIBARR_LABEL_CONSTRAINTS,
        Constraint(
            id="multismtp-sendmode",
            subject="MAIN_MAIL_SENDMODE",
            kind="equals",
            value="smtps",
            message="MultiSMTP needs MAIN_MAIL_SENDMODE=smtps.",
            source=src.MULTISMTP,
        ),
        Constraint(
            id="multismtp-smtp-enabled",
            subject="MULTISMTP_SMTP_ENABLED",
            kind="equals",
            value="1",
            message="Per-user SMTP needs MULTISMTP_SMTP_ENABLED=1.",
            source=src.MULTISMTP,
            protocol="smtp",
        ),
        Constraint(
            id="multismtp-allow-changeserver",
            subject="MULTISMTP_ALLOW_CHANGESERVER",
            kind="equals",
            value="1",
            message="OAuth on SMTP needs MULTISMTP_ALLOW_CHANGESERVER=1.",
            source=src.MULTISMTP,
            protocol="smtp",
        ),
        Constraint(
            id="multismtp-imap-enabled",
            subject="MULTISMTP_IMAP_ENABLED",
            kind="equals",
            value="1",
            message="IMAP copy of sent mail needs MULTISMTP_IMAP_ENABLED=1 and "
            "MAIN_IMAP_USE_PHPIMAP=1.",
            source=src.MULTISMTP,
            protocol="imap",
        ),
        Constraint(
            id="multismtp-imap-oauth-min-version",
            subject="version",
            kind="min-version",
            value="22",
            message="OAuth for the IMAP copy needs Dolibarr >= 22.",
            source=src.MULTISMTP,
            protocol="imap",
        ),
    ),
    notes=(
        "Daily cron Multismtp::cronRefreshOAuth2Tokens is disabled by default "
        "(MULTISMTP_CRON_REFRESH_TOKEN_DAYS, default 30).",
        "One llx_user2smtp row per Dolibarr user.",
    ),
)

# --- DigDash ----------------------------------------------------------------------------------

_DIGDASH_REDIRECT = RedirectPattern(
    template="{base}/ddenterpriseapi/v2/oauth/redirect",
    reason=(
        "http(s)://<host>:<port>/ddenterpriseapi/v2/oauth/redirect; Entra allows http only for "
        "localhost, so production needs the public https URL."
    ),
    source=src.DIGDASH_OAUTH,
)

_DIGDASH = TargetKind(
    key="digdash",
    display_name="DigDash Enterprise",
    microsoft=MicrosoftProfile(
        protocols=("smtp",),
        platform="web",
        redirect=_DIGDASH_REDIRECT,
        bootstrap="in-app-consent",
        permissions=_perms("smtp"),
        documented_permissions=("User.Read", "Mail.Read"),
        tenant_setting="Tenant field of the OAuth parameters",
        source=src.DIGDASH_OAUTH,
        notes=(
            "The doc only says 'e.g. User.Read, Mail.Read'; SMTP.Send + offline_access is an "
            "inference. The requested scope string is not documented.",
        ),
    ),
    google=GoogleProfile(
        auth="oauth2",
        protocols=("smtp",),
        client_type="web",
        redirect=_DIGDASH_REDIRECT,
        bootstrap="in-app-consent",
        scopes=(MAIL_SCOPE,),
        source=src.DIGDASH_OAUTH,
    ),
    token_sink=_APP_DATABASE,
    refresh_token_injectable=False,
    shared_mailbox_supported=False,
    sender_must_equal_token_owner=False,
    primary_address_required=False,
    sign_in_account="the account that becomes the SMTP identity (inference)",
    ui_path=(
        "Configuration › Server Parameters › Additional Parameters › OAuth; then the Email "
        "server settings use it (the refresh token fills in after the first consent)"
    ),
    source=src.DIGDASH_OAUTH,
    constraints=(
        Constraint(
            id="digdash-redirect-https",
            subject="redirect-uri",
            kind="pattern",
            value=r"^(https://|http://localhost[:/])",
            message="Entra accepts http redirect URIs only for localhost.",
            source=src.MS_REPLY_URL_RULES,
            provider="microsoft",
        ),
    ),
    notes=("The 'Email server' page of the DigDash doc was not found.",),
)

# --- WaveSoft ---------------------------------------------------------------------------------

_WAVESOFT = TargetKind(
    key="wavesoft",
    display_name="WaveSoft CRM (Windows desktop client)",
    microsoft=MicrosoftProfile(
        protocols=("imap",),
        platform="web",
        redirect=RedirectPattern(
            template="http://localhost:3017/",
            reason="Fixed loopback redirect on each user's PC (platform Web, http allowed).",
            source=src.WAVESOFT_FTC030,
        ),
        bootstrap="in-app-consent",
        permissions=_perms("imap"),
        documented_permissions=(
            "IMAP.AccessAsUser.All",
            "offline_access",
            "openid",
            "profile",
            "User.Read",
            "POP.AccessAsUser.All",
            "SMTP.Send",
        ),
        tenant_setting=(
            "URL Authentification / URL Jeton (v2 authorize/token URLs carry the tenant)"
        ),
        source=src.WAVESOFT_FTC030,
    ),
    google=GoogleProfile(
        auth="oauth2",
        protocols=("imap",),
        client_type="desktop",
        redirect=RedirectPattern(
            template=None,
            reason=_GOOGLE_DESKTOP_LOOPBACK,
            source=src.WAVESOFT_FTC030,
            must_register=False,
        ),
        bootstrap="in-app-consent",
        scopes=(MAIL_SCOPE,),
        source=src.WAVESOFT_FTC030,
        notes=("Client type 'Application de bureau'; enable the Gmail API.",),
    ),
    token_sink=_APP_DATABASE,
    refresh_token_injectable=False,
    shared_mailbox_supported=False,
    sender_must_equal_token_owner=False,
    primary_address_required=False,
    sign_in_account=_MAILBOX_OWNER,
    ui_path=(
        "Dossier › Préférences dossier › tab 'Authentifications' (Service 'Mail Office 365' or "
        "'Gmail'); then per user: mail account with incoming server IMAP, tick "
        "'Authentification OAuth2', save, click the authenticate button"
    ),
    source=src.WAVESOFT_FTC030,
    constraints=(
        Constraint(
            id="wavesoft-firewall",
            subject="windows-firewall",
            kind="note",
            value="3017",
            message="The consent runs on each user's PC; the Windows firewall may need an "
            "exception for the CRM's loopback port 3017.",
            source=src.WAVESOFT_FTC030,
        ),
    ),
    min_version="23.02.05",
    notes=(
        "FTC030 covers receiving mail (IMAP); its permission list also names POP and SMTP.Send.",
        "min_version is the version of the technical sheet, assumed to be the product version.",
    ),
)

# --- Open Bee ---------------------------------------------------------------------------------

_OPENBEE = TargetKind(
    key="openbee",
    display_name="Open Bee Portal",
    microsoft=MicrosoftProfile(
        protocols=("smtp",),
        platform="web",
        redirect=RedirectPattern(
            template=None,
            reason=(
                "https://<portal domain>/<path>: the exact path appears only in a screenshot of "
                "the Open Bee doc, so the redirect URI must be declared explicitly."
            ),
            source=src.OPENBEE_SMTP,
            user_supplied=True,
            verified=False,
        ),
        bootstrap="in-app-consent",
        permissions=_perms("smtp"),
        documented_permissions=(
            "Mail.Send",
            "User.Read.All",
            "SMTP.Send",
            "Mail.ReadWrite",
            "User.Read",
        ),
        allowed_over_privileged=("Mail.ReadWrite", "User.Read.All"),
        admin_consent_required=True,
        tenant_common_ok=False,
        tenant_setting="Tenant ID",
        source=src.OPENBEE_SMTP,
        notes=(
            "The doc asks to verify that all 5 Graph delegated permissions show 'Granted' "
            "(the 5th is presumably the default User.Read).",
            "Single-tenant app ('Accounts in an Organization Directory').",
        ),
    ),
    google=GoogleProfile(
        auth="app-password",
        protocols=("smtp",),
        client_type=None,
        redirect=RedirectPattern(
            template=None,
            reason="Google: app password only (no OAuth); needs 2-Step Verification.",
            source=src.OPENBEE_SMTP,
            must_register=False,
        ),
        bootstrap="none",
        scopes=(),
        source=src.OPENBEE_SMTP,
        notes=("smtp.gmail.com:587 TLS, user = Gmail address, password = app password.",),
    ),
    token_sink=_APP_DATABASE,
    refresh_token_injectable=False,
    shared_mailbox_supported=False,
    sender_must_equal_token_owner=True,
    primary_address_required=True,
    sign_in_account=(
        "the mailbox whose primary address is the sender (the doc says 'the user who generated "
        "the client secret'; what counts is who signs in to the popup)"
    ),
    ui_path="Administration › General Configuration › custom SMTP › method OAuth2",
    source=src.OPENBEE_SMTP,
    constraints=(
        Constraint(
            id="openbee-min-version",
            subject="version",
            kind="min-version",
            value="6.10.3",
            message="Microsoft 365 OAuth2 SMTP exists since Open Bee Portal 6.10.3.",
            source=src.OPENBEE_SMTP,
            provider="microsoft",
        ),
        Constraint(
            id="openbee-secret-expiry-field",
            subject="client-secret-expiration-date",
            kind="note",
            value="P1M",
            message="Open Bee notifies the admin 1 month before the declared secret expiry; it "
            "suggests a 2-year secret instead of the 6-month default.",
            source=src.OPENBEE_SMTP,
            provider="microsoft",
        ),
    ),
    min_version="6.10.3",
    notes=(
        "An error during the consent popup is reported to 'crash' the application; test by "
        "sharing a document.",
        "Mailbox needs an Exchange Online licence, its primary address (no alias, no shared "
        "mailbox) and SmtpClientAuthenticationDisabled=false.",
    ),
)

# --- Postfix + sasl-xoauth2 -------------------------------------------------------------------

SASL_XOAUTH2_DEFAULT_TOKEN_ENDPOINT = LEGACY_TOKEN_URL
"""sasl-xoauth2's built-in ``token_endpoint``, for Google
(source: :data:`sources.SASL_XOAUTH2_CONF`)."""

SASL_XOAUTH2_TOKEN_ENDPOINTS: Mapping[str, str] = MappingProxyType(
    {key: token_url(key, "{tenant}") for key in CLOUDS}
)
"""Microsoft ``token_endpoint`` template per cloud key (``{tenant}`` placeholder), as used by
``sasl-xoauth2-tool --cloud=public|usgov|usgov-dod|china`` (see :attr:`Cloud.sasl_xoauth2_cloud`;
source: :data:`sources.SASL_XOAUTH2_CONF`)."""


def sasl_xoauth2_token_endpoint(
    provider_type: str, cloud: Cloud | str = "global", tenant: str | None = None
) -> str:
    """``token_endpoint`` for ``/etc/sasl-xoauth2.conf`` or a token file.

    Microsoft: ``https://<login-host>/<tenant>/oauth2/v2.0/token`` of the cloud
    (``login.microsoftonline.us`` for US Gov, ``login.partner.microsoftonline.cn`` for China);
    ``tenant`` is required. Google: the tool's default.
    """
    if provider_type == "google":
        return SASL_XOAUTH2_DEFAULT_TOKEN_ENDPOINT
    if provider_type != "microsoft":
        raise ValueError(f"unknown provider type {provider_type!r}")
    if not tenant:
        raise ValueError("a tenant is required for the Microsoft token endpoint")
    return token_url(get_cloud(cloud), tenant)


_SASL = TargetKind(
    key="postfix-sasl-xoauth2",
    display_name="Postfix relay with sasl-xoauth2",
    microsoft=MicrosoftProfile(
        protocols=("smtp",),
        platform="public",
        redirect=RedirectPattern(
            template=None,
            reason=(
                "Device flow (sasl-xoauth2-tool get-token outlook --use-device-flow): no "
                "redirect URI; 'Allow public client flows' must be Yes."
            ),
            source=src.SASL_XOAUTH2_README,
            must_register=False,
            variants=_frozen({"authcode": NATIVE_CLIENT_REDIRECT_URI}),
        ),
        bootstrap="device-code",
        permissions=MappingProxyType({"smtp": ("SMTP.Send", "offline_access", "openid")}),
        token_scopes=MappingProxyType(
            {"smtp": "openid offline_access https://outlook.office.com/SMTP.Send"}
        ),
        default_tenant="consumers",
        tenant_setting="sasl-xoauth2-tool --tenant and token_endpoint",
        public_client_flows=True,
        source=src.SASL_XOAUTH2_README,
        notes=(
            "--tenant defaults to consumers: set it for work accounts.",
            "Legacy authcode flow: redirect "
            + NATIVE_CLIENT_REDIRECT_URI
            + ", the user pastes the result (variant 'authcode').",
        ),
    ),
    google=GoogleProfile(
        auth="oauth2",
        protocols=("smtp",),
        client_type="desktop",
        redirect=RedirectPattern(
            template="http://127.0.0.1:{port}/oauth2_result",
            reason=(
                "Loopback listener of sasl-xoauth2-tool (--local-listen-port); the browser must "
                "run on the same host. Desktop client: nothing to register."
            ),
            source=src.SASL_XOAUTH2_README,
            must_register=False,
        ),
        bootstrap="cli-loopback",
        scopes=(MAIL_SCOPE,),
        source=src.SASL_XOAUTH2_README,
        notes=("Publish the consent screen to Production (7-day tokens in Testing).",),
    ),
    token_sink=_FILE,
    refresh_token_injectable=True,
    shared_mailbox_supported=False,
    sender_must_equal_token_owner=False,
    primary_address_required=False,
    sign_in_account=_MAILBOX_OWNER,
    ui_path=(
        "none: /etc/postfix/main.cf, sasl_passwd ([host]:587 user:/path/to/token-file), "
        "/etc/sasl-xoauth2.conf and the token file; bootstrap with sasl-xoauth2-tool get-token"
    ),
    source=src.SASL_XOAUTH2_README,
    constraints=(
        Constraint(
            id="sasl-xoauth2-refresh-window-hve",
            subject="refresh_window",
            kind="min-value",
            value=600,
            message="refresh_window must be >= 600 when relaying through smtp-hve.office365.com.",
            source=src.SASL_XOAUTH2_CONF,
            provider="microsoft",
        ),
        Constraint(
            id="sasl-xoauth2-client-secret-key",
            subject="client_secret",
            kind="note",
            value="",
            message="client_id and client_secret keys are required; client_secret may be '' for "
            "public clients. The conf file is world-readable: keep secrets in the token file.",
            source=src.SASL_XOAUTH2_CONF,
        ),
        Constraint(
            id="sasl-xoauth2-ca-options",
            subject="ca_bundle_file",
            kind="note",
            value="ca_bundle_file|ca_certs_dir",
            message="Set ca_bundle_file or ca_certs_dir, not both.",
            source=src.SASL_XOAUTH2_CONF,
        ),
        Constraint(
            id="sasl-xoauth2-token-dir-writable",
            subject="token-file",
            kind="note",
            value="postfix",
            message="The token file and its directory must be writable by the postfix user "
            "(updates are written then renamed); inside the chroot when smtp is chrooted.",
            source=src.SASL_XOAUTH2_README,
        ),
        Constraint(
            id="postfix-mechanism-filter",
            subject="smtp_sasl_mechanism_filter",
            kind="equals",
            value="xoauth2",
            message="Postfix must offer only xoauth2 to the relay.",
            source=src.SASL_XOAUTH2_README,
        ),
    ),
    notes=(
        "Token file keys: refresh_token (required), access_token, expiry (string), and optional "
        "user/client_id/client_secret/token_endpoint/proxy/ca_*/refresh_window overrides.",
        "The token file's 'user' override might allow a shared mailbox (unverified).",
        "Several senders: smtp_sender_dependent_authentication = yes with sender-keyed "
        "sasl_passwd (standard Postfix).",
    ),
)

# --- msmtp --------------------------------------------------------------------------------------

_MSMTP = TargetKind(
    key="msmtp",
    display_name="msmtp (with mailoauth-cfg as token helper)",
    microsoft=MicrosoftProfile(
        protocols=("smtp",),
        platform="public",
        redirect=RedirectPattern(
            template=LOOPBACK_REDIRECT_URI,
            reason=(
                "Decision: msmtp never obtains tokens; mailoauth-cfg's own 'token bootstrap' "
                "does, as a public client with a loopback redirect (Entra ignores the port for "
                "localhost). Device code is the headless alternative (no redirect URI)."
            ),
            source=src.MS_REPLY_URL_RULES,
        ),
        bootstrap="cli-loopback",
        alt_bootstraps=("device-code",),
        permissions=_perms("smtp"),
        token_scopes=_scopes("smtp"),
        tenant_setting="providers.<name>.tenant (used by mailoauth-cfg)",
        source=src.MSMTP_MAN,
        notes=("Device code additionally needs 'Allow public client flows' = Yes.",),
    ),
    google=GoogleProfile(
        auth="oauth2",
        protocols=("smtp",),
        client_type="desktop",
        redirect=RedirectPattern(
            template=None,
            reason=_GOOGLE_DESKTOP_LOOPBACK,
            source=src.GOOGLE_NATIVE_APPS,
            must_register=False,
        ),
        bootstrap="cli-loopback",
        scopes=(MAIL_SCOPE,),
        source=src.MSMTP_MAN,
        notes=("Google's device flow cannot grant the Gmail scope.",),
    ),
    token_sink=_FILE,
    refresh_token_injectable=True,
    shared_mailbox_supported=False,
    sender_must_equal_token_owner=False,
    primary_address_required=False,
    sign_in_account=_MAILBOX_OWNER,
    ui_path=(
        "none: ~/.msmtprc account with auth xoauth2 (Microsoft; oauthbearer or xoauth2 for "
        "Google), user = mailbox, passwordeval printing a fresh access token "
        "(mailoauth-cfg token access)"
    ),
    source=src.MSMTP_MAN,
    constraints=(
        Constraint(
            id="msmtp-xoauth2-min-version",
            subject="version",
            kind="min-version",
            value="1.8.13",
            message="auth xoauth2 (and long passwordeval output) needs msmtp >= 1.8.13.",
            source=src.MSMTP_NEWS,
        ),
        Constraint(
            id="msmtp-oauthbearer-min-version",
            subject="version",
            kind="min-version",
            value="1.8.5",
            message="auth oauthbearer arrived in 1.8.4 and was fixed in 1.8.5.",
            source=src.MSMTP_NEWS,
            provider="google",
        ),
        Constraint(
            id="msmtp-microsoft-xoauth2-only",
            subject="auth",
            kind="equals",
            value="xoauth2",
            message="Exchange Online accepts only XOAUTH2.",
            source=src.MS_OAUTH_MAIL_PROTOCOLS,
            provider="microsoft",
        ),
        Constraint(
            id="msmtp-auth-library",
            subject="msmtp --version",
            kind="note",
            value="xoauth2",
            message="Available mechanisms depend on the auth library msmtp was built with; "
            "check 'msmtp --version'.",
            source=src.MSMTP_MAN,
        ),
    ),
    min_version="1.8.13",
    notes=("msmtp never refreshes tokens; passwordeval must print a fresh access token.",),
)

# --- email-oauth2-proxy -----------------------------------------------------------------------


def _proxy_redirect(source: str, *, must_register: bool) -> RedirectPattern:
    return RedirectPattern(
        template="http://localhost",
        reason=(
            "redirect_uri = http://localhost; with --local-server-auth use a port unique per "
            "account (variant 'local-server-auth')."
        ),
        source=source,
        must_register=must_register,
        variants=_frozen({"local-server-auth": "http://localhost:{port}"}),
    )


_EMAILPROXY = TargetKind(
    key="email-oauth2-proxy",
    display_name="Email OAuth 2.0 Proxy (simonrob/email-oauth2-proxy)",
    microsoft=MicrosoftProfile(
        protocols=("smtp", "imap", "pop"),
        platform="public",
        redirect=_proxy_redirect(src.EMAILPROXY_CONFIG, must_register=True),
        bootstrap="cli-loopback",
        alt_bootstraps=("device-code", "client-credentials"),
        permissions=_perms("smtp", "imap", "pop"),
        token_scopes=_scopes("smtp", "imap", "pop"),
        default_tenant="common",
        tenant_setting="permission_url and token_url (replace 'common' with the tenant ID)",
        source=src.EMAILPROXY_CONFIG,
        notes=(
            "The sample config requests IMAP, POP and SMTP scopes plus offline_access at once; "
            "client credentials use https://outlook.office365.com/.default.",
        ),
    ),
    google=GoogleProfile(
        auth="oauth2",
        protocols=("smtp", "imap", "pop"),
        client_type="desktop",
        redirect=_proxy_redirect(src.EMAILPROXY_README, must_register=False),
        bootstrap="cli-loopback",
        scopes=(MAIL_SCOPE,),
        source=src.EMAILPROXY_README,
    ),
    token_sink=_FILE,
    refresh_token_injectable=False,
    shared_mailbox_supported=True,
    sender_must_equal_token_owner=False,
    primary_address_required=False,
    sign_in_account=(
        "the mailbox owner; for a shared mailbox the account section is the shared address and "
        "a delegate signs in"
    ),
    ui_path=(
        "none: emailproxy.config (INI, --config-file); the first client login triggers the "
        "consent (GUI, --external-auth or --local-server-auth)"
    ),
    source=src.EMAILPROXY_CONFIG,
    constraints=(
        Constraint(
            id="emailproxy-local-port",
            subject="local-port",
            kind="min-value",
            value=1024,
            message="Local listening ports must be > 1023 unless the proxy runs as root.",
            source=src.EMAILPROXY_CONFIG,
        ),
        Constraint(
            id="emailproxy-same-password",
            subject="client-password",
            kind="note",
            value="",
            message="Every client must use the same password per account: it keys the token "
            "cache encryption.",
            source=src.EMAILPROXY_README,
        ),
        Constraint(
            id="emailproxy-no-cached-keys",
            subject="account-section",
            kind="reserved",
            value=(
                "token_salt",
                "token_iterations",
                "access_token",
                "access_token_expiry",
                "refresh_token",
                "last_activity",
                "client_secret_encrypted",
            ),
            message="Do not write the cached token keys: they are encrypted with the client's "
            "password and cannot be pre-seeded.",
            source=src.EMAILPROXY_CONFIG,
        ),
    ),
    notes=("Local clients connect without TLS unless local_certificate_path is set.",),
)

# --- GLPI ---------------------------------------------------------------------------------------

_GLPI_REDIRECT = RedirectPattern(
    template="{base}/front/smtp_oauth2_callback.php",
    reason="<url_base>/front/smtp_oauth2_callback.php (SMTP notifications).",
    source=src.GLPI_OAUTH_CONFIG,
)

_GLPI = TargetKind(
    key="glpi",
    display_name="GLPI (10.0.x / 11)",
    microsoft=MicrosoftProfile(
        protocols=("smtp", "imap"),
        platform="web",
        redirect=_GLPI_REDIRECT,
        bootstrap="in-app-consent",
        permissions=MappingProxyType(
            {
                "smtp": ("SMTP.Send", "offline_access", "openid", "email"),
                "imap": ("IMAP.AccessAsUser.All", "offline_access", "openid", "email"),
            }
        ),
        token_scopes=MappingProxyType(
            {
                "smtp": "openid email offline_access https://outlook.office.com/SMTP.Send",
                "imap": (
                    "openid email offline_access https://outlook.office.com/IMAP.AccessAsUser.All"
                ),
            }
        ),
        default_tenant="common",
        tenant_setting='smtp_oauth_options = {"tenant": "<tenant id>"}',
        source=src.GLPI_OAUTH_CONFIG,
        notes=(
            "SMTP uses prompt=login.",
            "The callback of IMAP mail collectors is not in the cited source; the SMTP one is "
            "assumed.",
        ),
    ),
    google=GoogleProfile(
        auth="oauth2",
        protocols=("smtp",),
        client_type="web",
        redirect=_GLPI_REDIRECT,
        bootstrap="in-app-consent",
        scopes=(MAIL_SCOPE,),
        source=src.GLPI_OAUTH_CONFIG,
    ),
    token_sink=_APP_DATABASE,
    refresh_token_injectable=False,
    shared_mailbox_supported=False,
    sender_must_equal_token_owner=False,
    primary_address_required=False,
    sign_in_account=_MAILBOX_OWNER,
    ui_path=(
        "Setup › Notifications › Email followups configuration: SMTP+OAuth mode, provider "
        "Azure or Google, client ID/secret, tenant; saving redirects to the consent screen "
        "(menu path inferred)"
    ),
    source=src.GLPI_OAUTH_CONFIG,
    constraints=(
        Constraint(
            id="glpi-smtp-mode",
            subject="smtp_mode",
            kind="equals",
            value="4",
            message="smtp_mode must be 4 (MAIL_SMTPOAUTH).",
            source=src.GLPI_CONSTANTS,
            protocol="smtp",
        ),
        Constraint(
            id="glpi-secret-via-ui",
            subject="smtp_oauth_client_secret",
            kind="note",
            value="",
            message="Secured keys are GLPIKey-encrypted; whether 'bin/console config:set' "
            "encrypts them is unverified, so set the secret through the UI.",
            source=src.GLPI_OAUTH_CONFIG,
            verified=False,
        ),
    ),
    min_version="10.0",
)

# --- Odoo ---------------------------------------------------------------------------------------

_ODOO = TargetKind(
    key="odoo",
    display_name="Odoo (microsoft_outlook / google_gmail modules)",
    microsoft=MicrosoftProfile(
        protocols=("smtp", "imap"),
        platform="web",
        redirect=RedirectPattern(
            template="{base}/microsoft_outlook/confirm",
            reason="<web.base.url>/microsoft_outlook/confirm.",
            source=src.ODOO_OUTLOOK,
        ),
        bootstrap="in-app-consent",
        permissions=_perms("smtp", "imap"),
        token_scopes=_scopes("smtp", "imap"),
        default_tenant="common",
        tenant_setting=(
            "system parameter microsoft_outlook.endpoint = "
            "https://login.microsoftonline.com/<tenant>/oauth2/v2.0/"
        ),
        source=src.ODOO_OUTLOOK,
        notes=("smtp_host is auto-filled with smtp.outlook.com.",),
    ),
    google=GoogleProfile(
        auth="oauth2",
        protocols=("smtp", "imap"),
        client_type="web",
        redirect=RedirectPattern(
            template="{base}/google_gmail/confirm",
            reason="<web.base.url>/google_gmail/confirm.",
            source=src.ODOO_GMAIL,
        ),
        bootstrap="in-app-consent",
        scopes=(MAIL_SCOPE,),
        source=src.ODOO_GMAIL,
    ),
    token_sink=_APP_DATABASE,
    refresh_token_injectable=True,
    shared_mailbox_supported=False,
    sender_must_equal_token_owner=True,
    primary_address_required=False,
    sign_in_account=_MAILBOX_OWNER,
    ui_path=(
        "Settings › General Settings: Outlook / Gmail client ID and secret; Settings › "
        "Technical › Outgoing Mail Servers (and Incoming for fetchmail): authentication "
        "Outlook or Gmail, save, Connect (menu path partly inferred)"
    ),
    source=src.ODOO_OUTLOOK,
    constraints=(
        Constraint(
            id="odoo-smtp-encryption",
            subject="ir.mail_server.smtp_encryption",
            kind="equals",
            value="starttls",
            message="Odoo enforces smtp_encryption=starttls and an empty smtp_pass with OAuth.",
            source=src.ODOO_OUTLOOK,
            protocol="smtp",
        ),
        Constraint(
            id="odoo-from-filter",
            subject="ir.mail_server.from_filter",
            kind="note",
            value="smtp_user",
            message="from_filter is set to smtp_user: mail is sent only as the token owner.",
            source=src.ODOO_OUTLOOK,
            protocol="smtp",
        ),
    ),
    min_version="15",
    notes=(
        "refresh_token is a plain Char field settable through XML-RPC or odoo shell, so "
        "injecting a token obtained elsewhere looks possible (inference).",
    ),
)

# --- Nextcloud Mail -----------------------------------------------------------------------------


def _nextcloud_redirect(name: str, source: str) -> RedirectPattern:
    return RedirectPattern(
        template=f"{{base}}/apps/mail/integration/{name}-auth",
        reason=f"<nc>/apps/mail/integration/{name}-auth (possibly with index.php/).",
        source=source,
        variants=_frozen({"index-php": f"{{base}}/index.php/apps/mail/integration/{name}-auth"}),
    )


_NEXTCLOUD_MS_SCOPE = (
    "offline_access https://outlook.office.com/IMAP.AccessAsUser.All "
    "https://outlook.office.com/SMTP.Send"
)
_NEXTCLOUD_MS_PERMS = ("IMAP.AccessAsUser.All", "SMTP.Send", "offline_access")

_NEXTCLOUD = TargetKind(
    key="nextcloud-mail",
    display_name="Nextcloud Mail",
    microsoft=MicrosoftProfile(
        protocols=("imap", "smtp"),
        platform="web",
        redirect=_nextcloud_redirect("microsoft", src.NEXTCLOUD_MS),
        bootstrap="in-app-consent",
        permissions=MappingProxyType({"imap": _NEXTCLOUD_MS_PERMS, "smtp": _NEXTCLOUD_MS_PERMS}),
        token_scopes=MappingProxyType({"imap": _NEXTCLOUD_MS_SCOPE, "smtp": _NEXTCLOUD_MS_SCOPE}),
        default_tenant="common",
        tenant_setting="app config mail/microsoft_oauth_tenant_id",
        source=src.NEXTCLOUD_MS,
        notes=("Requests IMAP and SMTP scopes together with prompt=consent.",),
    ),
    google=GoogleProfile(
        auth="oauth2",
        protocols=("imap", "smtp"),
        client_type="web",
        redirect=_nextcloud_redirect("google", src.NEXTCLOUD_GOOGLE),
        bootstrap="in-app-consent",
        scopes=(MAIL_SCOPE,),
        source=src.NEXTCLOUD_GOOGLE,
    ),
    token_sink=_APP_DATABASE,
    refresh_token_injectable=False,
    shared_mailbox_supported=False,
    sender_must_equal_token_owner=False,
    primary_address_required=False,
    sign_in_account=_MAILBOX_OWNER,
    ui_path=(
        "Administration settings › Groupware › Mail: Microsoft / Google integration (or POST "
        "/apps/mail/api/integration/microsoft as admin); then each user adds the account in "
        "Mail (IMAP host outlook.office365.com, auth xoauth2) and consents in the popup"
    ),
    source=src.NEXTCLOUD_MS,
    constraints=(
        Constraint(
            id="nextcloud-imap-host",
            subject="imap-host",
            kind="equals",
            value="outlook.office365.com",
            message="The Microsoft integration applies only when the IMAP host is "
            "outlook.office365.com.",
            source=src.NEXTCLOUD_MS,
            provider="microsoft",
        ),
        Constraint(
            id="nextcloud-secret-encrypted",
            subject="microsoft_oauth_client_secret",
            kind="note",
            value="",
            message="Client secrets are stored encrypted (ICrypto): 'occ config:app:set' with a "
            "plain secret does not work; use the admin UI or the integration API.",
            source=src.NEXTCLOUD_MS,
        ),
    ),
)


TARGET_KINDS: Mapping[str, TargetKind] = MappingProxyType(
    {
        t.key: t
        for t in (
            _DOLIBARR,
            _MULTISMTP,
            _DIGDASH,
            _WAVESOFT,
            _OPENBEE,
            _SASL,
            _MSMTP,
            _EMAILPROXY,
            _GLPI,
            _ODOO,
            _NEXTCLOUD,
        )
    }
)
"""Target kinds by ``type`` key."""

TARGET_KIND_KEYS: tuple[str, ...] = tuple(TARGET_KINDS)


def get_target_kind(key: str) -> TargetKind:
    """Return a target kind; ``ValueError`` listing the known keys if unknown."""
    found = TARGET_KINDS.get(key.strip().lower())
    if found is None:
        raise ValueError(f"unknown target type {key!r}; expected one of: {TARGET_KIND_KEYS}")
    return found


def redirect_uri(
    kind_key: str,
    provider_type: str,
    base_url: str | None = None,
    *,
    variant: str | None = None,
    **params: str | int,
) -> str | None:
    """Compute the redirect URI a target uses with a provider.

    ``base_url`` is the target's URL (a trailing ``/`` is removed). Returns ``None`` when the
    target uses no redirect URI with that provider or when it cannot be computed
    (see :attr:`RedirectPattern.reason`). ``ValueError`` for an unknown target type, an
    unsupported provider, an unknown variant or a missing parameter.

    For Dolibarr targets pass ``provider_class="MICROSOFT2"`` (or ``callback="microsoft2"``);
    ``MICROSOFTAPP`` (client credentials) gives ``None``.

    >>> redirect_uri("glpi", "microsoft", "https://glpi.example.com/")
    'https://glpi.example.com/front/smtp_oauth2_callback.php'
    """
    kind = get_target_kind(kind_key)
    profile = kind.profile(provider_type)
    if profile is None:
        raise ValueError(f"target type {kind.key!r} does not support provider {provider_type!r}")
    values = dict(params)
    provider_class = values.pop("provider_class", None)
    if provider_class is not None:
        if kind.key not in ("dolibarr", "dolibarr-multismtp"):
            raise ValueError("provider_class applies only to Dolibarr targets")
        dp = dolibarr_provider(str(provider_class))
        if dp is None:
            raise ValueError(f"unknown Dolibarr OAuth provider {provider_class!r}")
        if dp.provider != provider_type:
            raise ValueError(f"Dolibarr provider {dp.key} is not a {provider_type} provider")
        if dp.redirect_path is None:
            return None
        values["callback"] = dp.callback
    return profile.redirect.render(base_url, variant, **values)

"""The typed facts a target plugin declares: what the application needs and how it behaves.

Each ``targets/<kind>/facts.py`` builds one :class:`TargetFacts`. Rules, rendering, token
flows, the Ansible role and the docs read these attributes; none of them keeps its own list
of kinds. Every field is read by product code (a test fails on an unread one) and every fact
cites its ``source`` (a URL or ``owner/repo:path``); inferences are marked ``verified=False``.

Redirect URI templates use ``{base}`` for the target's URL without trailing slash and other
``{name}`` placeholders for parameters (``{port}``, Dolibarr ``{callback}``).
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import field
from types import MappingProxyType
from typing import Literal

from mailoauth_cfg.catalog.google import ClientType
from mailoauth_cfg.records import record

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

APP_DATABASE: TokenSink = "app-database"
"""The application stores the token (its database or its own encrypted store)."""
TOKEN_FILE: TokenSink = "file"
"""The token is a file on the host."""

PROVIDER_TYPES: tuple[ProviderType, ...] = ("microsoft", "google")
MAIL_PROTOCOLS: tuple[MailProtocol, ...] = ("smtp", "imap", "pop")
BOOTSTRAP_KINDS: tuple[BootstrapKind, ...] = (
    "in-app-consent",
    "cli-loopback",
    "device-code",
    "client-credentials",
    "none",
)


def frozen_map(mapping: Mapping[str, str] | None = None) -> Mapping[str, str]:
    """A read-only copy of ``mapping``."""
    return MappingProxyType(dict(mapping or {}))


def _no_flows() -> Mapping[BootstrapKind, str]:
    return MappingProxyType({})


# --- redirect URIs ------------------------------------------------------------------------------


@record
class RedirectPattern:
    """The redirect URI a target uses with one provider.

    ``template`` is ``None`` when there is no redirect URI to register (device flow, app
    password, Google desktop loopback) or when it cannot be computed (Open Bee:
    ``user_supplied``); ``reason`` then says which. ``variants`` are alternative templates
    (e.g. sasl-xoauth2's legacy ``authcode`` flow, Nextcloud without pretty URLs).
    """

    template: str | None
    reason: str
    source: str
    must_register: bool = True
    """Whether the URI has to be registered on the app/client (False for Google desktop
    loopback, which accepts any port)."""
    user_supplied: bool = False
    """The URI is only known from the operator (``redirect_path`` of Open Bee)."""
    defaults: Mapping[str, str] = field(default_factory=frozen_map)
    variants: Mapping[str, str] = field(default_factory=frozen_map)

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


# --- provider profiles --------------------------------------------------------------------------


@record
class MicrosoftProfile:
    """How a target works with Microsoft 365 / Entra ID."""

    protocols: tuple[MailProtocol, ...]
    platform: MicrosoftPlatform
    redirect: RedirectPattern
    bootstrap: BootstrapKind
    """How the target obtains its token unless its own settings choose another flow."""
    permissions: Mapping[MailProtocol, tuple[str, ...]]
    """Delegated permissions (canonical names) the target requests per protocol; the scope
    strings are built from them per cloud (:meth:`Permission.scope_for`)."""
    source: str
    flow_settings: Mapping[BootstrapKind, str] = field(default_factory=_no_flows)
    """Other flows the target offers, each with the setting that selects it (a YAML change)."""
    documented_permissions: tuple[str, ...] = ()
    """What the target's own documentation tells the admin to grant."""
    allowed_over_privileged: tuple[str, ...] = ()
    """Over-privileged permissions this target legitimately demands (skip in that rule)."""
    admin_consent_required: bool = False
    tenant_common_ok: bool = True
    """False when the target needs a real tenant ID (single-tenant app, client credentials)."""
    tenant_setting: str = ""
    """Where the tenant goes in the target's configuration."""
    certificate_capable: bool = False
    """The target can authenticate its app with a certificate instead of a client secret."""
    confidential_loopback: bool = False
    """Its loopback sign-in also works as a confidential (web) client when the app holds a
    credential (email-oauth2-proxy sends ``client_secret`` with the code)."""

    def required_permissions(self, protocols: tuple[str, ...] | list[str]) -> tuple[str, ...]:
        """Union of :attr:`permissions` over ``protocols``, in first-seen order."""
        names: dict[str, None] = {}
        for proto in protocols:
            for key, perms in self.permissions.items():
                if key == proto:
                    names.update(dict.fromkeys(perms))
        return tuple(names)


@record
class GoogleProfile:
    """How a target works with Google (Gmail / Workspace)."""

    auth: GoogleAuth
    protocols: tuple[MailProtocol, ...]
    client_type: ClientType | None
    redirect: RedirectPattern
    bootstrap: BootstrapKind
    scopes: tuple[str, ...]
    source: str
    flow_settings: Mapping[BootstrapKind, str] = field(default_factory=_no_flows)
    """Other flows the target offers, each with the setting that selects it."""
    service_account_flow: bool = False
    """The target itself can use a Google service account (domain-wide delegation)."""
    authorize_url: str | None = None
    """The authorization endpoint the target sends users to, when it is not the provider's
    default (Dolibarr uses ``https://accounts.google.com/o/oauth2/auth``)."""


# --- settings and their constraints -------------------------------------------------------------


@record
class Equals:
    """The setting must hold exactly ``value``."""

    value: str | int

    def accepts(self, value: object) -> bool:
        """Whether ``value`` satisfies the constraint (compared as text)."""
        return str(value) == str(self.value)

    def expected(self) -> str:
        """``must be X``."""
        return f"must be {self.value}"


@record
class OneOf:
    """The setting must hold one of ``values``; the first is what mailoauth-cfg writes."""

    values: tuple[str, ...]

    def accepts(self, value: object) -> bool:
        """Whether ``value`` is one of the allowed values."""
        return str(value) in self.values

    def expected(self) -> str:
        """``must be one of X, Y``."""
        return "must be one of " + ", ".join(self.values)


@record
class Pattern:
    """The setting must match ``regex``; ``allowed`` is a character class of what may appear."""

    regex: str
    allowed: str
    """E.g. ``A-Za-z0-9``: a fix removes every other character."""
    example: str

    def accepts(self, value: object) -> bool:
        """Whether ``value`` matches the pattern."""
        return re.fullmatch(self.regex, str(value)) is not None

    def expected(self) -> str:
        """``must match R``."""
        return f"must match {self.regex}"

    def repaired(self, value: str) -> str:
        """``value`` with the characters the pattern does not allow removed (else the example)."""
        return re.sub(f"[^{self.allowed}]", "", value) or self.example


Constraint = Equals | OneOf | Pattern


@record
class Setting:
    """A setting of the application with what it must hold for OAuth mail to work.

    Renderers write :attr:`value`; when :attr:`field` names a key of the target's YAML, the
    ``target-setting-invalid`` rule checks a declared value against :attr:`constraint`.
    """

    name: str
    """The name the application gives it (``smtp_mode``, ``MAIN_MAIL_SENDMODE``)."""
    constraint: Constraint
    message: str
    """Why, for the operator."""
    source: str
    field: str | None = None
    """The key of ``targets.<name>`` that declares it, if the YAML can."""
    provider: ProviderType | None = None
    protocol: MailProtocol | None = None

    @property
    def value(self) -> str | int:
        """What mailoauth-cfg writes (``Pattern`` settings are never written: ``ValueError``)."""
        constraint = self.constraint
        if isinstance(constraint, Equals):
            return constraint.value
        if isinstance(constraint, OneOf):
            return constraint.values[0]
        raise ValueError(f"setting {self.name} has no single value to write")

    def applies(self, provider_type: str | None, protocols: Sequence[str]) -> bool:
        """Whether the setting matters with this provider and these protocols."""
        if self.provider is not None and provider_type != self.provider:
            return False
        return self.protocol is None or self.protocol in protocols


# --- versions -----------------------------------------------------------------------------------


def _digits(text: str) -> int | None:
    head = ""
    for char in text:
        if not char.isdigit():
            break
        head += char
    return int(head) if head else None


def dotted_key(version: str) -> tuple[int, ...]:
    """``"1.8.13"`` → ``(1, 8, 13)``; a part that does not start with a digit ends the tuple."""
    parts: list[int] = []
    for piece in version.lstrip("vV").split("."):
        number = _digits(piece)
        if number is None:
            break
        parts.append(number)
    return tuple(parts)


@record
class VersionFormat:
    """How the vendor writes versions, and how to order them."""

    pattern: str
    """A declared version must match this (``re.fullmatch``)."""
    example: str
    key: Callable[[str], tuple[int, ...]]
    """Sort key of a version that matches :attr:`pattern`."""

    def check(self, value: str | int | float) -> str:
        """``value`` as text; ``ValueError`` with an example when it does not match."""
        text = str(value)
        if not re.fullmatch(self.pattern, text):
            # the value is not repeated: the schema layer shows it (see ``model/_base.py``)
            raise ValueError(f"is not a version number (expected e.g. {self.example})")
        return text

    def older(self, version: str, than: str) -> bool:
        """True when ``version`` is known and lower than ``than`` (missing parts count as 0)."""
        have, want = self.key(version), self.key(than)
        if not have:
            return False
        width = max(len(have), len(want))
        return have + (0,) * (width - len(have)) < want + (0,) * (width - len(want))


DOTTED = VersionFormat(
    pattern=r"[vV]?[0-9]+(?:\.[0-9]+){0,3}(?:[-.+][0-9A-Za-z.-]+)?",
    example="23 or 1.8.22",
    key=dotted_key,
)
"""Dotted numbers with an optional suffix: ``23``, ``22.0.4``, ``1.8.22``, ``17.0+e``."""


@record
class VersionRequirement:
    """What a version of the application brought: below :attr:`since` it lacks :attr:`feature`."""

    since: str
    feature: str
    """What older versions lack, e.g. ``the SMTP + OAuth notification mode``."""
    source: str
    provider: ProviderType | None = None
    protocol: MailProtocol | None = None
    """The requirement applies only with this provider / when this protocol is used."""
    warning: bool = False
    """True when older versions still work in a degraded way (a warning, not an error)."""
    verified: bool = True
    """False when the minimum is inferred (e.g. the version of a technical sheet)."""


@record
class VersionFacts:
    """The application's version format and what changed in which version."""

    product: str
    """How messages name the product: ``GLPI``, ``msmtp``."""
    format: VersionFormat
    requirements: tuple[VersionRequirement, ...] = ()
    ask_when_omitted: bool = False
    """An undeclared version is worth one info (the installed one varies widely)."""
    how_to_check: str = ""
    """How the operator reads the installed version (``msmtp --version``)."""


# --- the kind -----------------------------------------------------------------------------------


@record
class SingleToken:
    """The application holds one OAuth token per configuration, whatever the mailboxes."""

    split: str
    """How to serve several mailboxes instead (the fix)."""


@record
class TargetFacts:
    """Knowledge about one kind of target application."""

    display_name: str
    microsoft: MicrosoftProfile | None
    google: GoogleProfile | None
    token_sink: TokenSink
    """``app-database``: the application stores the token; ``file``: a file on the host."""
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
    web_application: bool
    """Users and admins open it at a URL (``url:``), so that URL carries the consent."""
    single_token: SingleToken | None = None
    """Set when one configuration holds one token (several mailboxes overwrite each other)."""
    interactive_renewal: bool = False
    """A person renews the token in the application (each user reconnects); otherwise the
    token is used unattended (servers, relays, scheduled jobs)."""
    ansible_tasks: str | None = None
    """The task file of the ``mailoauth_deploy`` role that installs this kind on a host."""
    settings: tuple[Setting, ...] = ()
    versions: VersionFacts | None = None
    holds: Mapping[str, str] = field(default_factory=frozen_map)
    """The settings the application itself holds that the YAML may declare, each with the
    application's own name for it: ``{"scopes": "OAUTH_<PROV>-<label>_SCOPE"}``. Keys are
    declared settings of the kind's model (``targets._model.DECLARED_SETTINGS``); per-mailbox
    ones are written ``accounts.<key>`` (``accounts.login``). Declared values are checked and
    rendered as declared; omitted ones are derived."""
    notes: tuple[str, ...] = ()

    @property
    def providers(self) -> tuple[ProviderType, ...]:
        """Supported provider types."""
        return tuple(p for p in PROVIDER_TYPES if self.profile(p) is not None)

    def profile(self, provider_type: str | None) -> MicrosoftProfile | GoogleProfile | None:
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

    def holds_setting(self, key: str) -> bool:
        """Whether the application holds declared setting ``key`` (``accounts.login``...;
        ``accounts`` when it holds any per-mailbox setting)."""
        return key in self.holds or any(k.startswith(f"{key}.") for k in self.holds)

    def setting_name(self, key: str) -> str:
        """The application's own name of declared setting ``key``."""
        return self.holds.get(key, key)

    def settings_for(
        self, provider_type: str | None, protocols: Sequence[str]
    ) -> tuple[Setting, ...]:
        """The settings that matter with this provider and these protocols, in order."""
        return tuple(s for s in self.settings if s.applies(provider_type, protocols))


# --- shared fragments ---------------------------------------------------------------------------

MAIL_PERMISSIONS: Mapping[MailProtocol, tuple[str, ...]] = MappingProxyType(
    {
        "smtp": ("SMTP.Send", "offline_access"),
        "imap": ("IMAP.AccessAsUser.All", "offline_access"),
        "pop": ("POP.AccessAsUser.All", "offline_access"),
    }
)
"""The delegated permissions each protocol needs, plus ``offline_access``."""


def mail_permissions(*protocols: MailProtocol) -> Mapping[MailProtocol, tuple[str, ...]]:
    """:data:`MAIL_PERMISSIONS` of ``protocols``."""
    return MappingProxyType({p: MAIL_PERMISSIONS[p] for p in protocols})


def flows(**settings: str) -> Mapping[BootstrapKind, str]:
    """``flows(client_credentials="...")``: the setting that selects each other flow."""
    out: dict[BootstrapKind, str] = {}
    rest = dict(settings)
    for kind in BOOTSTRAP_KINDS:
        setting = rest.pop(kind.replace("-", "_"), None)
        if setting is not None:
            out[kind] = setting
    if rest:
        raise ValueError(f"unknown flows: {', '.join(sorted(rest))}")
    return MappingProxyType(out)


MAILBOX_OWNER = "the mailbox owner (the account whose address is the XOAUTH2 user), not an admin"
GOOGLE_DESKTOP_LOOPBACK = (
    "Desktop app client: Google accepts a loopback redirect on any port; nothing to register."
)

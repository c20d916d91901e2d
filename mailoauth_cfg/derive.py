"""What each target needs from its app and provider, computed once from config + catalog.

Rules and rendering both read these plans, so a redirect URI or a permission list is derived in
one place only. Pure functions of the config; no I/O.
"""

from __future__ import annotations

from dataclasses import field
from functools import cached_property
from typing import Any, Literal

from mailoauth_cfg import targets as registry
from mailoauth_cfg.findings import ObjectRef
from mailoauth_cfg.locations import PathKey
from mailoauth_cfg.model import App, MailConfig, MicrosoftProvider, Provider, Target, User
from mailoauth_cfg.model.apps import AppCredential
from mailoauth_cfg.records import record
from mailoauth_cfg.targets import TargetPlugin
from mailoauth_cfg.targets._facts import (
    BootstrapKind,
    GoogleProfile,
    MicrosoftProfile,
    TargetFacts,
)


@record(slots=False)
class TargetPlan:
    """A target with everything resolved: its plugin, app, provider and expectations."""

    name: str
    target: Target
    plugin: TargetPlugin
    app_name: str | None
    app: App | None
    provider_name: str | None
    provider: Provider | None
    config: MailConfig | None = field(default=None, repr=False, compare=False)

    @property
    def key(self) -> str:
        """The target's kind (its ``type:``)."""
        return self.plugin.key

    @property
    def facts(self) -> TargetFacts:
        """What the plugin knows of the kind."""
        return self.plugin.facts

    @property
    def provider_type(self) -> str | None:
        """``microsoft`` or ``google`` (``None`` when the app or provider is missing)."""
        return None if self.provider is None else self.provider.type

    @property
    def profile(self) -> MicrosoftProfile | GoogleProfile | None:
        """The kind's profile for the target's provider."""
        return self.facts.profile(self.provider_type)

    @property
    def microsoft(self) -> MicrosoftProfile | None:
        """The Microsoft profile when the provider is Microsoft."""
        profile = self.profile
        return profile if isinstance(profile, MicrosoftProfile) else None

    @property
    def google(self) -> GoogleProfile | None:
        """The Google profile when the provider is Google."""
        profile = self.profile
        return profile if isinstance(profile, GoogleProfile) else None

    @cached_property
    def bootstrap(self) -> BootstrapKind | None:
        """How the target obtains its token, its own flow settings applied."""
        return self.plugin.bootstrap(self)

    @cached_property
    def redirect(self) -> tuple[str | None, str]:
        """(the redirect URI the target sends or ``None``, why/how it is known): the declared
        ``redirect_uri`` where the application has that field, else the plugin's derivation."""
        declared = self.declared("redirect_uri")
        if isinstance(declared, str):
            return declared, f"declared ({self.facts.setting_name('redirect_uri')})"
        return self.plugin.redirect(self)

    @property
    def redirect_uri(self) -> str | None:
        """The redirect URI this target sends, when it uses one."""
        return self.redirect[0]

    @property
    def must_register_redirect(self) -> bool:
        """Whether the redirect URI must be registered on the app."""
        profile = self.profile
        return bool(profile is not None and profile.redirect.must_register and self.redirect_uri)

    @property
    def protocols(self) -> tuple[str, ...]:
        """Protocols the target uses: declared, else ``[smtp]`` where the kind sends with the
        provider, else the first protocol it supports (WaveSoft reads)."""
        declared = tuple(self.target.protocols)
        if "protocols" in self.target.model_fields_set or self.profile is None:
            return declared
        supported = self.facts.protocols(self.provider_type)
        if not supported or all(p in supported for p in declared):
            return declared
        return supported[:1]

    @cached_property
    def required_permissions(self) -> tuple[str, ...]:
        """Microsoft delegated permissions the target needs for its protocols."""
        ms = self.microsoft
        if ms is None:
            return ()
        return ms.required_permissions(list(self.protocols))

    @property
    def object(self) -> ObjectRef:
        """The target, as findings refer to it."""
        return ObjectRef.target(self.name)

    @property
    def path(self) -> PathKey:
        """``("targets", <name>)``."""
        return ("targets", self.name)

    # -- declared or derived ---------------------------------------------------------------

    @property
    def client_credentials(self) -> bool:
        """Whether the target obtains tokens with client credentials (no user signs in)."""
        return self.bootstrap == "client-credentials"

    def declared(self, key: str) -> Any:
        """The value of declared setting ``key``, ``None`` when omitted or not held."""
        if not self.facts.holds_setting(key):
            return None
        return self.target.declared(key)

    def user(self, email: str) -> User | None:
        """The declared ``users:`` entry of ``email``."""
        return None if self.config is None else self.config.user(email)

    def login_of(self, email: str) -> tuple[str, PathKey | None]:
        """(the address the application logs in with for ``email``, where it is declared)."""
        account = self.target.account(email)
        if account is not None and account.login is not None:
            return account.login, (*self.path, "accounts", email, "login")
        return email, None

    def signer_of(self, email: str) -> tuple[str, PathKey | None]:
        """(the account that signs in and owns the token for ``email``, where it is declared):
        the target's ``accounts.<mailbox>.sign_in_as``, else the mailbox's ``sign_in_as``,
        else the mailbox itself."""
        account = self.target.account(email)
        if account is not None and account.sign_in_as is not None:
            return account.sign_in_as, (*self.path, "accounts", email, "sign_in_as")
        user = self.user(email)
        if user is not None and user.sign_in_as is not None:
            return user.sign_in_as, None
        return email, None

    def requested_scopes(self, email: str | None = None) -> tuple[tuple[str, ...], PathKey | None]:
        """(the scopes the target requests for ``email``, where they are declared).

        Declared per account (``accounts.<mailbox>.scopes``) or per target (``scopes:``), in
        the application's notation normalised by its plugin; omitted: what mailoauth-cfg
        derives (:func:`token_scopes`), with ``None`` as the location.
        """
        if email is not None:
            account = self.target.account(email)
            scopes = getattr(account, "scopes", None) if account is not None else None
            if scopes is not None:
                path: PathKey = (*self.path, "accounts", email, "scopes")
                return self.plugin.normalise_scopes(self, tuple(scopes)), path
        return self.target_scopes

    @cached_property
    def target_scopes(self) -> tuple[tuple[str, ...], PathKey | None]:
        """(the scopes the target requests for a mailbox without its own, where they are
        declared): worked out once, not once per mailbox (see :meth:`requested_scopes`)."""
        declared = self.declared("scopes")
        if isinstance(declared, list):
            return self.plugin.normalise_scopes(self, tuple(declared)), (*self.path, "scopes")
        return token_scopes(self), None

    @cached_property
    def credential(self) -> AppCredential | None:
        """The app credential the target uses: ``credential:`` when declared; else the app's
        only credential; else the one that lasts longest (undated ones last, the first
        declared on a tie), as a rotation leaves the newest to use."""
        app = self.app
        if app is None:
            return None
        if self.target.credential is not None:
            return app.credential(self.target.credential)
        found = list(app.all_credentials())
        if len(found) <= 1:
            return found[0] if found else None
        best = found[0]
        for cred in found[1:]:
            if cred.expires is not None and (best.expires is None or cred.expires > best.expires):
                best = cred
        return best

    def app_declares(self, key: str) -> bool:
        """Whether the target's app writes ``key`` (its omitted values are derived)."""
        plans = self.config.cached_plans if self.config is not None else None
        found = (
            plans.apps.get(self.app_name) if isinstance(plans, Plans) and self.app_name else None
        )
        return found is not None and found.declares(key)

    @property
    def tenant(self) -> str | None:
        """The tenant the target signs in to: declared (``tenant:``), else the provider's."""
        declared = self.declared("tenant")
        if isinstance(declared, str):
            return declared
        provider = self.provider
        return provider.tenant if isinstance(provider, MicrosoftProvider) else None


AppFlow = Literal["delegated", "app-only"]
Audience = Literal["single-tenant", "multi-tenant", "multi-tenant-and-personal", "personal"]


@record(slots=False)
class AppPlan:
    """An app and what its targets expect of it."""

    name: str
    app: App
    provider: Provider | None
    targets: tuple[TargetPlan, ...] = field(default=())
    declared: frozenset[str] | None = None
    """The keys ``apps.<name>`` writes (``None``: every key that is set)."""

    @property
    def provider_type(self) -> str | None:
        """``microsoft`` or ``google``."""
        return None if self.provider is None else self.provider.type

    def declares(self, key: str) -> bool:
        """Whether ``apps.<name>.<key>`` is written in the config (not derived)."""
        if self.declared is not None:
            return key in self.declared and getattr(self.app, key, None) is not None
        return getattr(self.app, key, None) is not None

    @cached_property
    def flow(self) -> AppFlow:
        """``app.flow`` when declared; else ``app-only`` when every target of the app uses
        client credentials, ``delegated`` otherwise."""
        if self.app.flow is not None:
            return self.app.flow
        if self.provider_type == "google":
            return "delegated"  # a service account is never guessed: it is declared
        if self.targets and all(t.client_credentials for t in self.targets):
            return "app-only"
        return "delegated"

    @cached_property
    def platform(self) -> Literal["web", "public", "desktop"]:
        """``app.platform`` when declared; else what the targets need: ``web`` when one of them
        redeems a code on a server or uses client credentials (Google: a Web client), else
        ``public`` (Google: ``desktop``)."""
        if self.app.platform is not None:
            return self.app.platform
        google = self.provider_type == "google"
        for plan in self.targets:
            profile = plan.profile
            if profile is None:
                continue
            if google:
                client_type = getattr(profile, "client_type", None)
                if client_type == "web":
                    return "web"
                continue
            if plan.client_credentials or plan.bootstrap == "in-app-consent":
                return "web"
            if getattr(profile, "platform", "web") == "web" and plan.bootstrap != "device-code":
                return "web"
        if not self.targets:
            return "web"
        return "desktop" if google else "public"

    @cached_property
    def audience(self) -> Audience:
        """``app.audience`` when declared; else what the provider's tenant implies: a tenant
        keyword needs a multi-tenant app (``consumers``: personal accounts), a tenant ID a
        single-tenant one."""
        if self.app.audience is not None:
            return self.app.audience
        provider = self.provider
        tenant = provider.tenant if isinstance(provider, MicrosoftProvider) else None
        if tenant == "consumers":
            return "personal"
        if tenant in ("common", "organizations"):
            return "multi-tenant"
        return "single-tenant"

    @cached_property
    def expected_redirects(self) -> dict[str, tuple[str, ...]]:
        """Redirect URI → names of the targets that send it (only URIs to register)."""
        out: dict[str, list[str]] = {}
        for plan in self.targets:
            uri = plan.redirect_uri
            if uri is not None and plan.must_register_redirect:
                out.setdefault(uri, []).append(plan.name)
        return {uri: tuple(names) for uri, names in sorted(out.items())}

    @cached_property
    def required_permissions(self) -> dict[str, tuple[str, ...]]:
        """Permission name → names of the targets that need it."""
        out: dict[str, list[str]] = {}
        for plan in self.targets:
            for perm in plan.required_permissions:
                out.setdefault(perm, []).append(plan.name)
        return {perm: tuple(names) for perm, names in out.items()}

    @property
    def object(self) -> ObjectRef:
        """The app, as findings refer to it."""
        return ObjectRef.app(self.name)


@record(slots=False)
class Plans:
    """Plans of every target and app of a config."""

    targets: dict[str, TargetPlan]
    apps: dict[str, AppPlan]


def plan(config: MailConfig) -> Plans:
    """Resolve every target and app of ``config`` (dangling references give ``None`` parts).

    Computed once per config (cached on it). An app's omitted ``flow``, ``platform`` and
    ``audience`` are derived from its targets and provider (:class:`AppPlan`); the plans carry
    the app with those values filled in, and :attr:`AppPlan.declared` tells what the config
    itself says.
    """
    cached = config.cached_plans
    if isinstance(cached, Plans):
        return cached
    first = _target_plans(config, config.apps)
    effective: dict[str, App] = {}
    declared: dict[str, frozenset[str]] = {}
    for name, app in config.apps.items():
        draft = AppPlan(
            name=name,
            app=app,
            provider=config.providers.get(app.provider),
            targets=tuple(p for p in first.values() if p.app_name == name),
        )
        updates: dict[str, object] = {}
        for key in ("flow", "platform", "audience"):
            if getattr(app, key) is None:
                updates[key] = getattr(draft, key)
        effective[name] = app.model_copy(update=updates) if updates else app
        declared[name] = frozenset(app.model_fields_set)
    targets = _target_plans(config, effective)
    apps = {
        name: AppPlan(
            name=name,
            app=effective[name],
            provider=config.providers.get(app.provider),
            targets=tuple(p for p in targets.values() if p.app_name == name),
            declared=declared[name],
        )
        for name, app in sorted(config.apps.items())
    }
    plans = Plans(targets=targets, apps=apps)
    config.remember_plans(plans)
    return plans


def _target_plans(config: MailConfig, apps: dict[str, App]) -> dict[str, TargetPlan]:
    targets: dict[str, TargetPlan] = {}
    for name in sorted(config.targets):
        target = config.targets[name]
        app = apps.get(target.app) if target.app else None
        provider_name = app.provider if app is not None else None
        if app is None and target.users:
            user = config.user(target.users[0])
            provider_name = user.provider if user is not None else None
        provider = config.providers.get(provider_name) if provider_name else None
        targets[name] = TargetPlan(
            name=name,
            target=target,
            plugin=registry.plugin(target.type),
            app_name=target.app,
            app=app,
            provider_name=provider_name,
            provider=provider,
            config=config,
        )
    return targets


def effective_app(config: MailConfig, name: str | None) -> App | None:
    """The app ``name`` with its omitted ``flow``/``platform``/``audience`` derived."""
    if name is None:
        return None
    found = plan(config).apps.get(name)
    return None if found is None else found.app


@record(slots=False, hot=True)
class Endpoints:
    """Where a provider's mailboxes and tokens live (cloud defaults or ``endpoints:``)."""

    smtp_host: str
    smtp_port: int
    imap_host: str
    imap_port: int
    pop_host: str
    pop_port: int
    authorize_url: str
    token_url: str
    devicecode_url: str | None
    tenant: str | None
    """Microsoft tenant as configured (GUID, domain or keyword); ``None`` for Google."""


def _split_host(value: str, default_port: int) -> tuple[str, int]:
    text = value.split("://", 1)[-1].rstrip("/")
    host, _, port = text.rpartition(":")
    if host and port.isdigit():
        return host, int(port)
    return text, default_port


def _base_url(value: str) -> str:
    value = value.rstrip("/")
    return value if "://" in value else f"https://{value}"


def endpoints(provider: Provider) -> Endpoints:
    """Mail servers and OAuth endpoints of a provider, overrides applied."""
    if provider.type == "microsoft":
        from mailoauth_cfg.catalog import microsoft as ms

        cloud = ms.get_cloud(provider.cloud)
        over = provider.endpoints
        smtp = (
            _split_host(over.smtp, cloud.smtp.port)
            if over and over.smtp
            else (cloud.smtp.host, cloud.smtp.port)
        )
        imap = (
            _split_host(over.imap, cloud.imap.port)
            if over and over.imap
            else (cloud.imap.host, cloud.imap.port)
        )
        pop = (
            _split_host(over.pop, cloud.pop.port)
            if over and over.pop
            else (cloud.pop.host, cloud.pop.port)
        )
        login = _base_url(over.login) if over and over.login else cloud.login_root
        base = f"{login}/{provider.tenant}/oauth2/v2.0"
        return Endpoints(
            smtp_host=smtp[0],
            smtp_port=smtp[1],
            imap_host=imap[0],
            imap_port=imap[1],
            pop_host=pop[0],
            pop_port=pop[1],
            authorize_url=f"{base}/authorize",
            token_url=f"{base}/token",
            devicecode_url=f"{base}/devicecode",
            tenant=provider.tenant,
        )
    from mailoauth_cfg.catalog import google as gg

    gover = provider.endpoints
    smtp = (
        _split_host(gover.smtp, gg.SMTP.port)
        if gover and gover.smtp
        else (gg.SMTP.host, gg.SMTP.port)
    )
    imap = (
        _split_host(gover.imap, gg.IMAP.port)
        if gover and gover.imap
        else (gg.IMAP.host, gg.IMAP.port)
    )
    pop = _split_host(gover.pop, gg.POP.port) if gover and gover.pop else (gg.POP.host, gg.POP.port)
    authorize = (
        f"{_base_url(gover.oauth)}/o/oauth2/v2/auth" if gover and gover.oauth else (gg.AUTH_URL)
    )
    token = _base_url(gover.token) + "/token" if gover and gover.token else gg.TOKEN_URL
    return Endpoints(
        smtp_host=smtp[0],
        smtp_port=smtp[1],
        imap_host=imap[0],
        imap_port=imap[1],
        pop_host=pop[0],
        pop_port=pop[1],
        authorize_url=authorize,
        token_url=token,
        devicecode_url=None,
        tenant=None,
    )


def token_scopes(plan: TargetPlan) -> tuple[str, ...]:
    """Scopes the target requests in its token request (Outlook scopes never mixed with Graph).

    Google: the kind's scopes. Microsoft: the OIDC scopes first, then each permission the
    target's protocols need as its scope string in the provider's cloud
    (:meth:`~mailoauth_cfg.catalog.microsoft.Permission.scope_for`, the one home of per-cloud
    scope strings); client credentials use the cloud's Exchange ``.default``.
    """
    from mailoauth_cfg.catalog import microsoft as ms

    provider = plan.provider
    if provider is None:
        return ()
    if plan.google is not None:
        return plan.google.scopes
    if not isinstance(provider, MicrosoftProvider):
        return ()
    cloud = ms.get_cloud(provider.cloud)
    if plan.client_credentials or (plan.app is not None and plan.app.flow == "app-only"):
        return (cloud.exchange_app_only_scope,)
    oidc_order = ("openid", "profile", "email", "offline_access")
    names = set(plan.required_permissions) | {"offline_access"}
    oidc = [n for n in oidc_order if n in names]
    scopes: list[str] = []
    for name in names - set(oidc_order):
        found = ms.permission(name, "delegated")
        scopes.append(found.scope_for(cloud) if found is not None else name)
    return (*oidc, *sorted(scopes))

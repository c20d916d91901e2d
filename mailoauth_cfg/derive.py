"""What each target needs from its app and provider, computed once from config + catalog.

Rules and rendering both read these plans, so a redirect URI or a permission list is derived in
one place only. Pure functions of the config; no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from mailoauth_cfg import targets as registry
from mailoauth_cfg.findings import ObjectRef
from mailoauth_cfg.model import App, MailConfig, MicrosoftProvider, Provider, Target
from mailoauth_cfg.targets import TargetPlugin
from mailoauth_cfg.targets._facts import (
    BootstrapKind,
    GoogleProfile,
    MicrosoftProfile,
    TargetFacts,
)


@dataclass(frozen=True)
class TargetPlan:
    """A target with everything resolved: its plugin, app, provider and expectations."""

    name: str
    target: Target
    plugin: TargetPlugin
    app_name: str | None
    app: App | None
    provider_name: str | None
    provider: Provider | None

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
        """(expected redirect URI or ``None``, why/how it is computed)."""
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
        """Protocols the target uses."""
        return tuple(self.target.protocols)

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


@dataclass(frozen=True)
class AppPlan:
    """An app and what its targets expect of it."""

    name: str
    app: App
    provider: Provider | None
    targets: tuple[TargetPlan, ...] = field(default=())

    @property
    def provider_type(self) -> str | None:
        """``microsoft`` or ``google``."""
        return None if self.provider is None else self.provider.type

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


@dataclass(frozen=True)
class Plans:
    """Plans of every target and app of a config."""

    targets: dict[str, TargetPlan]
    apps: dict[str, AppPlan]


def plan(config: MailConfig) -> Plans:
    """Resolve every target and app of ``config`` (dangling references give ``None`` parts)."""
    targets: dict[str, TargetPlan] = {}
    for name in sorted(config.targets):
        target = config.targets[name]
        app = config.apps.get(target.app) if target.app else None
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
        )
    apps = {
        name: AppPlan(
            name=name,
            app=app,
            provider=config.providers.get(app.provider),
            targets=tuple(p for p in targets.values() if p.app_name == name),
        )
        for name, app in sorted(config.apps.items())
    }
    return Plans(targets=targets, apps=apps)


@dataclass(frozen=True)
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
    if plan.app is not None and plan.app.flow == "app-only":
        return (cloud.exchange_app_only_scope,)
    oidc_order = ("openid", "profile", "email", "offline_access")
    names = set(plan.required_permissions) | {"offline_access"}
    oidc = [n for n in oidc_order if n in names]
    scopes: list[str] = []
    for name in names - set(oidc_order):
        found = ms.permission(name, "delegated")
        scopes.append(found.scope_for(cloud) if found is not None else name)
    return (*oidc, *sorted(scopes))

"""Resolve a mailbox of a config into everything a token flow or a probe needs.

The config is loaded and modelled (schema and references) but the rule catalogue is not run:
``token access`` is called by msmtp for every message and must start fast. A config whose
schema or references are broken is refused with a pointer to ``mailoauth-cfg validate``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from mailoauth_cfg.derive import Endpoints, TargetPlan, endpoints, plan, token_scopes
from mailoauth_cfg.errors import SecretError, TokenError
from mailoauth_cfg.model import App, MailConfig, Provider, SecretRef, User
from mailoauth_cfg.secrets import Unresolved, read_secret
from mailoauth_cfg.targets._plugin import LocalLogin
from mailoauth_cfg.tokens import TokenUsageError, redaction
from mailoauth_cfg.tokens.store import TokenLocation, default_store_dir, native_path, sasl_path

Flow = Literal["loopback", "device-code", "client-credentials"]
FLOWS: tuple[Flow, ...] = ("loopback", "device-code", "client-credentials")
STDOUT_STORE = "-"
"""``--store -``: print the token JSON on stdout (to pipe into a vault) instead of a file."""


@dataclass(frozen=True)
class TokenSetup:
    """A mailbox with its provider, app, scopes, flow and token location resolved."""

    config: MailConfig
    root: Path
    """Directory of the config (relative secret files and CA bundles are resolved from it)."""
    user: User
    target_name: str | None
    plan: TargetPlan | None
    provider_name: str
    provider: Provider
    endpoints: Endpoints
    app_name: str
    app: App
    scopes: tuple[str, ...]
    flow: Flow
    location: TokenLocation | None
    """``None`` when the token goes to stdout (``--store -``)."""
    ca_bundle: str | None
    environ: Mapping[str, str]
    local_login: LocalLogin | None = None
    """Set for a target that keeps its own tokens (a proxy): clients, and the probe, log in to
    it with a password; mailoauth-cfg holds no token for the mailbox."""

    @property
    def email(self) -> str:
        """The mailbox address (XOAUTH2 ``user=``)."""
        return self.user.email

    @property
    def login_hint(self) -> str:
        """The account that signs in: the delegate for a shared mailbox, else the mailbox."""
        return self.user.sign_in_as or self.user.email

    @property
    def provider_type(self) -> str:
        """``microsoft`` or ``google``."""
        return self.provider.type

    @property
    def app_only(self) -> bool:
        """Client credentials: no user, no refresh token."""
        return self.flow == "client-credentials"

    def secret(self, ref: SecretRef | None, what: str) -> str | None:
        """Resolve a secret reference (env, file or literal), registering it for redaction.

        Raises:
            SecretError: the variable is unset or the file unreadable (the message names the
                reference, never the value).
        """
        value = resolve_secret(ref, self.root, self.environ, what)
        redaction.register(value)
        return value

    def client_secret(self) -> str | None:
        """The app's client secret, if it has one."""
        return self.secret(self.app.client_secret, f"apps.{self.app_name}.client_secret")

    def require_own_token(self) -> None:
        """Refuse a ``token`` command for a target that keeps its own tokens.

        Raises:
            TokenUsageError: the target (a proxy) obtains and keeps the token itself.
        """
        if self.local_login is not None:
            raise TokenUsageError(
                f"target {self.target_name} does not use a token of mailoauth-cfg: "
                f"{self.local_login.keeper}"
            )

    def store_location(self) -> TokenLocation:
        """The token file (a usage error with ``--store -``, which has no file)."""
        if self.location is None:
            raise TokenUsageError("--store - prints tokens; it cannot be read back")
        return self.location


def resolve_secret(
    ref: SecretRef | None, root: Path, environ: Mapping[str, str], what: str
) -> str | None:
    """The value of a secret reference (``None`` when there is no reference).

    Raises:
        SecretError: the reference cannot be resolved.
    """
    if ref is None:
        return None
    found = read_secret(ref, root, environ)
    if isinstance(found, Unresolved):
        raise SecretError(f"{what}: {found.reason}")
    return found


def load_config(config_path: Path) -> tuple[MailConfig, Path]:
    """Load and model a config (no rules).

    Raises:
        ConfigError: the file does not exist.
        TokenError: the config has schema or reference errors.
    """
    from mailoauth_cfg.findings import Severity
    from mailoauth_cfg.loading import load_config as load
    from mailoauth_cfg.model.building import build_config

    loaded = load(config_path)
    errors = [f for f in loaded.findings if f.severity is Severity.ERROR]
    config: MailConfig | None = None
    if not errors:
        built = build_config(loaded)
        errors = [f for f in built.findings if f.severity is Severity.ERROR]
        config = built.config
    if errors or config is None:
        first = errors[0] if errors else None
        detail = f" (first: {first.location}: {first.message})" if first is not None else ""
        raise TokenError(
            f"{config_path} has errors{detail}; run `mailoauth-cfg validate {config_path}`"
        )
    return config, loaded.root


def _targets_of(config: MailConfig, email: str) -> list[str]:
    wanted = email.lower()
    return sorted(
        name
        for name, target in config.targets.items()
        if any(u.lower() == wanted for u in target.users)
    )


def _default_flow(tplan: TargetPlan, app: App) -> Flow:
    """The flow the target itself uses (its plugin's effective bootstrap), as a CLI flow."""
    if app.flow == "app-only":
        return "client-credentials"
    if tplan.provider_type == "google":
        return "loopback"
    bootstrap = tplan.bootstrap
    if bootstrap in ("device-code", "client-credentials"):
        return bootstrap
    return "loopback"


def _location_for(
    tplan: TargetPlan, email: str, store: str | None, environ: Mapping[str, str]
) -> TokenLocation | None:
    if store == STDOUT_STORE:
        return None
    if store:
        return TokenLocation(native_path(Path(store).expanduser(), email))
    declared = tplan.plugin.token_store(tplan.target)
    if declared is not None:
        directory = Path(declared.directory).expanduser()
        if declared.format == "sasl-xoauth2":
            return TokenLocation(sasl_path(directory, email), "sasl-xoauth2", declared.owner)
        return TokenLocation(native_path(directory, email), owner=declared.owner)
    env = dict(environ)
    return TokenLocation(native_path(default_store_dir(env), email))


def resolve(
    config_path: Path,
    email: str,
    *,
    target: str | None = None,
    flow: str | None = None,
    store: str | None = None,
    ca_bundle: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> TokenSetup:
    """Resolve ``email`` of the config at ``config_path``.

    The target is ``target``, or the only target that lists the mailbox (targets whose token
    lives in a file are preferred). The token lives in ``store`` (``-`` for stdout), else where
    the target keeps it (sasl-xoauth2 token file, msmtp ``token_dir``), else in the default
    store directory.

    Raises:
        ConfigError: the config file does not exist.
        TokenUsageError: unknown mailbox or target, ambiguous target, impossible flow.
        TokenError: the config has errors.
    """
    env: Mapping[str, str] = os.environ if environ is None else environ
    config, root = load_config(config_path)
    user = config.user(email)
    if user is None:
        known = ", ".join(u.email for u in config.users) or "none"
        raise TokenUsageError(
            f"mailbox {email} is not declared in {config_path} (declared: {known})"
        )
    plans = plan(config)
    names = _targets_of(config, user.email)
    if target is not None:
        if target not in plans.targets:
            raise TokenUsageError(
                f"target {target!r} is not declared (declared: {', '.join(sorted(plans.targets))})"
            )
        if target not in names:
            raise TokenUsageError(f"target {target!r} does not list {user.email} in its users")
        chosen = target
    else:
        if not names:
            raise TokenUsageError(
                f"no target lists {user.email}; add it to a target's `users:` (the target "
                "decides the app, the scopes and where the token lives)"
            )
        file_sinks = [n for n in names if plans.targets[n].facts.token_sink == "file"]
        candidates = file_sinks or names
        if len(candidates) > 1:
            raise TokenUsageError(
                f"{user.email} is used by several targets ({', '.join(candidates)}); "
                "choose one with --target"
            )
        chosen = candidates[0]
    tplan = plans.targets[chosen]
    if tplan.app is None or tplan.app_name is None or tplan.provider is None:
        raise TokenUsageError(f"target {chosen!r} has no app (or its app has no provider)")
    app = tplan.app
    selected: Flow
    if flow is None:
        selected = _default_flow(tplan, app)
    elif flow in FLOWS:
        selected = flow
    else:
        raise TokenUsageError(f"--flow must be one of {', '.join(FLOWS)}, not {flow!r}")
    provider = tplan.provider
    if provider.type == "google" and selected != "loopback":
        raise TokenUsageError(
            "Google mailboxes use the loopback flow: Google's device flow cannot grant "
            "https://mail.google.com/, and client credentials need a service account"
        )
    if selected == "client-credentials" and app.client_secret is None and app.certificate is None:
        raise TokenUsageError(
            f"client credentials need a client secret or a certificate on app {tplan.app_name!r}"
        )
    if selected != "client-credentials" and app.flow == "app-only":
        raise TokenUsageError(f"app {tplan.app_name!r} is app-only: use --flow client-credentials")
    bundle = ca_bundle or provider.ca_bundle
    if bundle and not Path(bundle).is_absolute() and ca_bundle is None:
        bundle = str(root / bundle)
    scopes = token_scopes(tplan)
    return TokenSetup(
        config=config,
        root=root,
        user=user,
        target_name=chosen,
        plan=tplan,
        provider_name=tplan.provider_name or "",
        provider=provider,
        endpoints=endpoints(provider),
        app_name=tplan.app_name,
        app=app,
        scopes=scopes,
        flow=selected,
        location=_location_for(tplan, user.email, store, env),
        ca_bundle=bundle,
        environ=env,
        local_login=tplan.plugin.local_login(tplan),
    )


def resolve_all(
    config_path: Path,
    *,
    store: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> list[TokenSetup | TokenError]:
    """Every mailbox that a target lists, resolved (or the error that prevents it)."""
    config, _ = load_config(config_path)
    out: list[TokenSetup | TokenError] = []
    plans = plan(config)
    for user in config.users:
        names = [
            name
            for name in _targets_of(config, user.email)
            if plans.targets[name].plugin.local_login(plans.targets[name]) is None
        ]
        if not names:
            continue  # no target, or only targets that keep their own tokens (a proxy)
        target = names[0] if len(names) == 1 else None
        try:
            out.append(
                resolve(config_path, user.email, target=target, store=store, environ=environ)
            )
        except TokenError as exc:
            out.append(exc)
    return out

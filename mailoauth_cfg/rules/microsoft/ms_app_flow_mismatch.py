"""A target's OAuth flow (user sign-in or client credentials) differs from its app's ``flow``.

**What.** Either

* the app is ``flow: app-only`` but a target of it signs a user in (in-app consent, loopback or
  device code): reported on the app's ``flow:``; or
* the app is delegated (the default) but the target is configured for client credentials
  (Dolibarr ``oauth_provider: MICROSOFTAPP``, email-oauth2-proxy
  ``flow: client_credentials``): reported on the target's setting.

Only Dolibarr (with MICROSOFTAPP) and email-oauth2-proxy can use client credentials (each
kind's ``bootstrap`` and ``flow_settings``).

**Why.** Delegated and app-only setups need different things: delegated scopes, consent by the
mailbox owner and a refresh token on one side; Exchange application roles, admin consent, an
Exchange service principal and mailbox grants on the other. A target on the wrong kind of app
gets tokens without the rights it needs (``535 5.7.3``), or cannot get one at all.

**Fix.** Align them: for client credentials set ``flow: app-only`` on the app (and follow
``ms-app-only-permissions``, ``ms-exchange-service-principal-missing``,
``ms-mailbox-permission-missing``); otherwise set the target to a delegated flow
(Dolibarr ``oauth_provider: MICROSOFT3``, email-oauth2-proxy ``flow: authorization_code``), or
give it its own delegated app.

Source: Dolibarr/dolibarr:htdocs/includes/OAuth/OAuth2/Service/Microsoftapp.php (app-only,
MICROSOFTAPP); simonrob/email-oauth2-proxy:emailproxy.config (``oauth2_flow``); mailoauth-cfg's
flow × protocol × provider compatibility model (a design decision).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.derive import TargetPlan
from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.microsoft._common import (
    app_node,
    effective_bootstrap,
    flow_node,
    microsoft_apps,
    microsoft_targets,
    names,
)
from mailoauth_cfg.targets._facts import BootstrapKind


def flow_setting(plan: TargetPlan, flow: BootstrapKind) -> str | None:
    """The setting that makes the target use ``flow`` (its kind's ``flow_settings``)."""
    profile = plan.microsoft
    return None if profile is None else profile.flow_settings.get(flow)


def supports_client_credentials(plan: TargetPlan) -> bool:
    """Whether the target kind can use client credentials with Microsoft at all."""
    profile = plan.microsoft
    return profile is not None and (
        profile.bootstrap == "client-credentials" or "client-credentials" in profile.flow_settings
    )


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Compare each app's flow with the flow its targets are configured for."""
    for plan in microsoft_apps(ctx):
        app = plan.app
        if not plan.declares("flow"):
            continue  # omitted: the flow of the app's targets
        interactive = [
            t for t in microsoft_targets(plan) if effective_bootstrap(t) != "client-credentials"
        ]
        if app.flow == "app-only" and interactive:
            switchable = [t for t in interactive if supports_client_credentials(t)]
            stuck = [t for t in interactive if not supports_client_credentials(t)]
            fixes = [
                f"set {flow_setting(t, 'client-credentials') or 'client credentials'} on target "
                f"{t.name}"
                for t in switchable
            ]
            if stuck:
                fixes.append(
                    f"give {names(t.name for t in stuck)} a delegated app (`flow: delegated`), "
                    "as client credentials are not supported there"
                )
            path, at_key = app_node(ctx, plan.name, "flow")
            yield ctx.finding(
                RULE,
                f"app {plan.name} is app-only (client credentials), but "
                f"{names(f'{t.name} ({t.key})' for t in interactive)} sign a user in "
                "and need a delegated app",
                path,
                at_key=at_key,
                fix="; ".join(fixes),
                object=plan.object,
            )
        if app.flow == "delegated":
            for target in microsoft_targets(plan):
                if effective_bootstrap(target) != "client-credentials":
                    continue
                path, at_key = flow_node(ctx, target)
                profile = target.microsoft
                default = None if profile is None else profile.bootstrap
                alternative = (
                    default is not None
                    and default != "client-credentials"
                    and flow_setting(target, default)
                ) or "a delegated flow"
                yield ctx.finding(
                    RULE,
                    f"target {target.name} is configured for client credentials, but its app "
                    f"{plan.name} is delegated: it has no Exchange application roles, service "
                    "principal or mailbox grants",
                    path,
                    at_key=at_key,
                    fix=f"set `flow: app-only` on apps.{plan.name} (or a dedicated app-only app) "
                    f"with SMTP.SendAsApp/IMAP.AccessAsApp/POP.AccessAsApp, or use "
                    f"{alternative} on the target",
                    object=target.object,
                )


RULE = Rule.define(
    __doc__,
    id="ms-app-flow-mismatch",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="microsoft",
    impacts=((Severity.ERROR, "the declared flow cannot issue the token the target asks for"),),
)

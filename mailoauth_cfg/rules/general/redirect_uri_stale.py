"""A redirect URI registered on an app is sent by none of the targets that use the app.

**What.** An entry of ``apps.<name>.redirect_uris`` matches no redirect URI that a target of
the app sends (same comparison as the provider: for Microsoft case-sensitive, path-less URIs
equal to their ``/`` form, loopback ports ignored; for Google exact). Targets that send no
redirect (client credentials, device code) do not count as users. Apps without targets, and
apps with a target whose redirect URI cannot be computed (Open Bee without ``redirect_path``,
a loopback port chosen at run time), are skipped.

**Why.** A leftover redirect URI (an old host name, a decommissioned test instance, a retired
callback path) is an open door: whoever controls that address later can receive authorization
codes for the app. It also hides typos: a near-miss entry looks registered but never matches.

**Fix.** Remove the entry from ``redirect_uris:`` and from the registration (Entra admin center
› App registrations › <app> › Authentication; Google Cloud console › APIs & Services ›
Credentials › <client> › Authorized redirect URIs), or point the target that should use it at
this app.

Source: https://learn.microsoft.com/en-us/entra/identity-platform/reply-url;
https://learn.microsoft.com/en-us/entra/identity-platform/security-best-practices-for-app-registration
(remove unused redirect URIs).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.derive import AppPlan
from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.general._redirects import describe_near_miss, near_miss, same_redirect
from mailoauth_cfg.rules.microsoft._common import sends_redirect


def used_redirects(plan: AppPlan) -> dict[str, list[str]] | None:
    """Redirect URI → targets sending it; ``None`` when some target's URI is unknown."""
    used: dict[str, list[str]] = {}
    for target in plan.targets:
        profile = target.profile
        if profile is None:
            continue
        uri = target.redirect_uri
        if target.microsoft is not None and not sends_redirect(target):
            continue
        if uri is None:
            if profile.redirect.template is not None or profile.redirect.user_supplied:
                return None
            continue
        used.setdefault(uri, []).append(target.name)
    return used


def _where(plan: AppPlan) -> str:
    if plan.provider_type == "google":
        return (
            "Google Cloud console › APIs & Services › Credentials › "
            f"{plan.app.client_id} › Authorized redirect URIs"
        )
    return (
        f"Entra admin center › App registrations › {plan.name} ({plan.app.client_id}) › "
        "Authentication"
    )


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Report declared redirect URIs no target of the app sends."""
    for plan in ctx.app_plans():
        declared = plan.app.redirect_uris
        if not declared or not plan.targets or plan.provider_type is None:
            continue
        used = used_redirects(plan)
        if used is None:
            continue
        for index, registered in enumerate(declared):
            if any(same_redirect(uri, registered, plan.provider_type) for uri in used):
                continue
            hint = ""
            for uri, senders in sorted(used.items()):
                kind = near_miss(uri, registered, plan.provider_type)
                if kind is not None:
                    hint = (
                        f"; compared with {uri} (sent by {', '.join(sorted(senders))}), it "
                        f"{describe_near_miss(kind, plan.provider_type)}"
                    )
                    break
            yield ctx.finding(
                RULE,
                f"redirect URI {registered} of app {plan.name} is sent by none of its targets"
                f"{hint}",
                ("apps", plan.name, "redirect_uris", index),
                fix=f"remove {registered} from apps.{plan.name}.redirect_uris and from "
                f"{_where(plan)}",
                object=plan.object,
            )


RULE = Rule.define(
    __doc__,
    id="redirect-uri-stale",
    severity=Severity.INFO,
    check=check,
    options=RuleOptions,
    family="general",
    impacts=(
        (
            Severity.INFO,
            "a leftover redirect URI: nothing breaks, it widens what can receive codes",
        ),
    ),
)

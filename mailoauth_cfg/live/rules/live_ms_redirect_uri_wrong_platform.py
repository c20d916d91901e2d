"""A redirect URI is registered under the wrong platform (Web, Mobile and desktop, SPA).

**What.** An expected redirect URI is registered, but only under a platform other than the
app's (``platform: web`` → Web; ``public``/``desktop`` → Mobile and desktop applications).

**Why.** Entra ties the redirect URI to the client type: a confidential (web) client redeeming a
code issued for a SPA URI gets ``AADSTS9002327``; a web client's URI under Mobile and desktop
makes the token request ask for no secret (``AADSTS700025``) or refuse the one sent; a public
client's URI under Web asks for a client secret (``AADSTS7000218``).

**Fix.** Remove the URI from the wrong platform and add it under the right one (Authentication).

Source: https://learn.microsoft.com/entra/identity-platform/reply-url;
https://learn.microsoft.com/entra/identity-platform/reference-error-codes.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.live.rules._base import MICROSOFT, finding, microsoft_apps, unknown
from mailoauth_cfg.live.rules._redirect_common import (
    PLATFORM_NAMES,
    add_fix,
    contains,
    expected,
    lookup,
    platform_of,
    registered,
)
from mailoauth_cfg.live.snapshot import Unknown
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Report expected redirect URIs registered only under another platform."""
    for plan, tenant in microsoft_apps(ctx):
        app = lookup(plan, tenant)
        wanted = expected(plan)
        if not wanted:
            continue
        if isinstance(app, Unknown):
            yield unknown(
                ctx,
                RULE,
                f"the redirect URI platforms of app {plan.name}",
                app.reason,
                ("apps", plan.name),
                object=plan.object,
            )
            continue
        if app is None:
            continue
        platforms = registered(app)
        platform = platform_of(plan)
        for item in wanted:
            if contains(platforms[platform], item.uri):
                continue
            others = [
                p for p, uris in platforms.items() if p != platform and contains(uris, item.uri)
            ]
            if not others:
                continue
            where = " and ".join(PLATFORM_NAMES[p] for p in others)
            yield finding(
                ctx,
                RULE,
                f"redirect URI {item.uri} is registered on app {plan.name} under {where}, not "
                f"under {PLATFORM_NAMES[platform]} (the app is a "
                f"{'confidential web' if platform == 'web' else 'public'} client): sign-in or "
                "the code redemption fails (AADSTS9002327, AADSTS7000218 or AADSTS700025)",
                item.path,
                fix=f"remove it from {where}, then {add_fix(plan, platform, [item.uri])}",
                object=plan.object,
            )


RULE = Rule.define(
    __doc__,
    id="live-ms-redirect-uri-wrong-platform",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family=MICROSOFT,
    reads=("applications",),
    impacts=((Severity.ERROR, "the URI is under the wrong platform: the code redemption fails"),),
)

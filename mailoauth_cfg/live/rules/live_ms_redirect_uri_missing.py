"""A redirect URI a target sends is not registered on the app in the tenant.

**What.** The app's ``redirect_uris`` (or, when omitted, the URIs its targets send) are compared
with the registration's Web, Mobile and desktop, and SPA redirect URIs, the way Entra compares
them (case-sensitive; a URI without a path equals the same with ``/``; loopback ports ignored).
A URI registered under no platform at all is reported here, naming any near miss the
registration holds (the same URI but for letter case, a trailing ``/`` or its scheme, on any
platform); the exact URI under another platform is reported by
``live-ms-redirect-uri-wrong-platform``.

**Why.** The sign-in fails with ``AADSTS50011`` (the redirect URI does not match).

**Fix.** App registrations › <app> › Authentication › <platform> › Add URI, with the exact URI.

Source: https://learn.microsoft.com/entra/identity-platform/reply-url.
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
    near_misses,
    platform_of,
    registered,
)
from mailoauth_cfg.live.snapshot import Unknown
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Report expected redirect URIs the registration lacks on every platform."""
    for plan, tenant in microsoft_apps(ctx):
        app = lookup(plan, tenant)
        wanted = expected(plan)
        if not wanted:
            continue
        if isinstance(app, Unknown):
            yield unknown(
                ctx,
                RULE,
                f"the redirect URIs of app {plan.name}",
                app.reason,
                ("apps", plan.name),
                object=plan.object,
            )
            continue
        if app is None:
            continue
        platforms = registered(app)
        everywhere = [u for uris in platforms.values() for u in uris]
        platform = platform_of(plan)
        for item in wanted:
            if contains(everywhere, item.uri):
                continue
            why = "" if item.why == "declared" else f" ({item.why})"
            near = near_misses(item.uri, platforms)
            close = "".join(
                f"; registered under {PLATFORM_NAMES[p]} is {uri}, which differs by {how}"
                + ("" if p == platform else " and is on the wrong platform")
                for p, uri, how in near
            )
            remove = "".join(f"; remove {uri} from {PLATFORM_NAMES[p]}" for p, uri, _ in near)
            yield finding(
                ctx,
                RULE,
                f"redirect URI {item.uri}{why} is not registered on app {plan.name} under any "
                f"platform (expected under {PLATFORM_NAMES[platform]}){close}: sign-in fails "
                "with AADSTS50011 (Entra compares redirect URIs exactly)",
                item.path,
                fix=add_fix(plan, platform, [item.uri]) + remove,
                object=plan.object,
            )


RULE = Rule.define(
    __doc__,
    id="live-ms-redirect-uri-missing",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family=MICROSOFT,
    reads=("applications",),
    impacts=((Severity.ERROR, "the redirect URI is not registered: AADSTS50011"),),
)

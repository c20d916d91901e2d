"""The registration holds a redirect URI the config does not declare.

**What.** ``apps.<name>.redirect_uris`` is written (so the list is managed) and the registration
has a URI, on any platform, that the list does not hold. Omitted ``redirect_uris`` means "not
managed": extra URIs are then not reported.

**Why.** Every registered redirect URI is a place Entra will send authorization codes to; a
stale one (an old host name, a test machine, a retired path) is an attack surface and hides
which URI the targets really use.

**Fix.** Remove it from App registrations › <app> › Authentication, or add it to
``redirect_uris:`` if it is still used.

Source: https://learn.microsoft.com/entra/identity-platform/reply-url (security considerations).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.live.rules._base import MICROSOFT, finding, microsoft_apps, unknown
from mailoauth_cfg.live.rules._redirect_common import PLATFORM_NAMES, contains, lookup, registered
from mailoauth_cfg.live.snapshot import Unknown
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.microsoft._common import portal


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Report registered redirect URIs missing from a written ``redirect_uris`` list."""
    for plan, tenant in microsoft_apps(ctx):
        declared = plan.app.redirect_uris
        if declared is None:
            continue
        app = lookup(plan, tenant)
        if isinstance(app, Unknown):
            yield unknown(
                ctx,
                RULE,
                f"the redirect URIs of app {plan.name}",
                app.reason,
                ("apps", plan.name, "redirect_uris"),
                object=plan.object,
            )
            continue
        if app is None:
            continue
        for platform, uris in registered(app).items():
            for uri in uris:
                if contains(declared, uri):
                    continue
                yield finding(
                    ctx,
                    RULE,
                    f"app {plan.name} has redirect URI {uri} registered under "
                    f"{PLATFORM_NAMES[platform]}, which apps.{plan.name}.redirect_uris does not "
                    "list",
                    ("apps", plan.name, "redirect_uris"),
                    fix=f"remove it in {portal(plan, 'Authentication', PLATFORM_NAMES[platform])}, "
                    "or add it to redirect_uris if a target still uses it",
                    object=plan.object,
                )


RULE = Rule.define(
    __doc__,
    id="live-ms-redirect-uri-extra",
    severity=Severity.INFO,
    check=check,
    options=RuleOptions,
    family=MICROSOFT,
    reads=("applications",),
    impacts=((Severity.INFO, "a registered URI no target sends: nothing breaks"),),
)

"""Device code sign-in is used but the registration does not allow public client flows.

**What.** A target of the app signs in with the device code flow (or the app declares
``public_client_flows: true``) and the registration's ``isFallbackPublicClient`` ("Allow public
client flows") is not ``true``. A written ``public_client_flows`` that differs from the
registration is reported as a warning.

**Why.** Without it the device code token request fails with ``AADSTS7000218`` (the request body
must contain client_assertion or client_secret).

**Fix.** App registrations › <app> › Authentication › Advanced settings › Allow public client
flows: Yes (``az ad app update --id <client-id> --is-fallback-public-client true``).

Source: https://learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code;
https://learn.microsoft.com/entra/identity-platform/msal-client-applications.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.live.rules._base import MICROSOFT, finding, microsoft_apps, unknown
from mailoauth_cfg.live.snapshot import Unknown
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.microsoft._common import effective_bootstrap, microsoft_targets, portal


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Check ``isFallbackPublicClient`` where device code is used or the flag is declared."""
    for plan, tenant in microsoft_apps(ctx):
        device = sorted(
            t.name for t in microsoft_targets(plan) if effective_bootstrap(t) == "device-code"
        )
        declared = plan.app.public_client_flows
        if not device and declared is None:
            continue
        path = ("apps", plan.name, "public_client_flows")
        app = tenant.application(plan.app.client_id)
        if isinstance(app, Unknown):
            yield unknown(
                ctx,
                RULE,
                f"'Allow public client flows' of app {plan.name}",
                app.reason,
                path,
                object=plan.object,
            )
            continue
        if app is None:
            continue
        actual = bool(app.is_fallback_public_client)
        fix = (
            f"{portal(plan, 'Authentication', 'Advanced settings', 'Allow public client flows')}"
            f": {'Yes' if device or declared else 'No'} (`az ad app update --id "
            f"{plan.app.client_id} --is-fallback-public-client "
            f"{'true' if device or declared else 'false'}`)"
        )
        if (device or declared) and not actual:
            who = (
                f"target{'s' if len(device) > 1 else ''} {', '.join(device)} sign in with the "
                "device code flow"
                if device
                else f"apps.{plan.name}.public_client_flows is true"
            )
            yield finding(
                ctx,
                RULE,
                f"{who}, but app {plan.name} does not allow public client flows: the token "
                "request fails with AADSTS7000218",
                path,
                fix=fix,
                object=plan.object,
            )
        elif declared is not None and declared != actual:
            yield finding(
                ctx,
                RULE,
                f"apps.{plan.name}.public_client_flows is {str(declared).lower()} but the "
                f"registration has it {'on' if actual else 'off'}",
                path,
                fix=f"set public_client_flows: {str(actual).lower()}, or change it in {fix}",
                object=plan.object,
                severity=Severity.WARNING,
            )


RULE = Rule.define(
    __doc__,
    id="live-ms-public-client-flows",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family=MICROSOFT,
    reads=("applications",),
    supersedes=("ms-public-client-flows-disabled",),
    impacts=(
        (Severity.ERROR, "public client flows are off: the device flow fails"),
        (Severity.WARNING, "they are on while no target needs them"),
    ),
)

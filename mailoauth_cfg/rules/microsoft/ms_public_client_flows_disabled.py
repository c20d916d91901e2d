"""A target bootstraps with the device code flow but the app does not allow public client flows.

**What.** A delegated Microsoft app is used by a target that obtains its refresh token with the
device code flow (Postfix/sasl-xoauth2 by default, ``flow: device-code``; email-oauth2-proxy
``flow: device``), and ``apps.<name>.public_client_flows`` is not ``true``. The flow a target
is configured with decides (its plugin's effective flow), so a Postfix target with
``flow: loopback`` does not need it.

**Why.** The device code flow is a public-client flow: Entra accepts it only when the app's
"Allow public client flows" setting is Yes. Otherwise the token request fails with
``AADSTS7000218`` ("the request body must contain client_assertion or client_secret") and the
bootstrap never yields a refresh token. The loopback flow does not need this setting (its
redirect URI on the "Mobile and desktop applications" platform makes it public).

**Fix.** Entra admin center › App registrations › <app> › Authentication › Advanced settings ›
Allow public client flows › Yes (or ``az ad app update --id <client-id>
--is-fallback-public-client true``), then set ``public_client_flows: true``.

Source: tarickb/sasl-xoauth2:README.md ("Allow public client flows" = Yes for the device flow);
https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-device-code
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.microsoft._common import (
    app_node,
    effective_bootstrap,
    microsoft_apps,
    microsoft_targets,
    portal,
    targets_do,
)

SETTING = "Allow public client flows"


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Find device-code targets on apps without public client flows."""
    for plan in microsoft_apps(ctx):
        app = plan.app
        if app.flow != "delegated" or app.public_client_flows is True:
            continue
        device = [
            t.name for t in microsoft_targets(plan) if effective_bootstrap(t) == "device-code"
        ]
        if not device:
            continue
        declared = app.public_client_flows is False
        path, at_key = app_node(ctx, plan.name, "public_client_flows")
        yield ctx.finding(
            RULE,
            f"{targets_do(device, 'obtains its', 'obtain their')} token with the device code "
            "flow, but "
            + (
                f"'Allow public client flows' of app {plan.name} is No (false): the token "
                "request fails with AADSTS7000218"
                if declared
                else f"'Allow public client flows' of app {plan.name} is not declared: it must "
                "be Yes (checked by --online, live-ms-public-client-flows)"
            ),
            path,
            at_key=at_key,
            fix=f"{portal(plan, 'Authentication', 'Advanced settings', SETTING)} › Yes (or "
            f"`az ad app update --id {app.client_id} --is-fallback-public-client true`), then "
            "declare `public_client_flows: true`",
            object=plan.object,
            severity=None if declared else Severity.INFO,
        )


RULE = Rule.define(
    __doc__,
    id="ms-public-client-flows-disabled",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="microsoft",
    impacts=(
        (Severity.ERROR, "public client flows declared off: the device code flow fails"),
        (Severity.INFO, "not declared: checked by --online"),
    ),
)

"""A public-client Microsoft app holds a client secret that none of its flows uses.

**What.** ``apps.<name>.platform`` is ``public`` (or ``desktop``), the app is delegated, none of
its targets uses client credentials, and ``client_secret`` is declared.

**Why.** Public clients (device code, loopback or native redirect) run on hosts and desktops
that cannot keep a secret, so their flows never use one: sasl-xoauth2 writes
``client_secret: ""``, email-oauth2-proxy wants the line deleted, and a public client that does
send a secret is refused with ``AADSTS700025``. The unused secret is still a live credential of
the app registration: whoever finds it can use it for confidential flows, and it expires and
gets rotated for nothing.

**Fix.** Delete the secret (Entra admin center › App registrations › <app> › Certificates &
secrets › delete; ``az ad app credential delete --id <client-id> --key-id <key-id>``) and remove
``client_secret:`` from the app; remove it from the targets' configuration too.

Source: https://learn.microsoft.com/entra/identity-platform/reference-error-codes (AADSTS700025);
tarickb/sasl-xoauth2:docs/sasl-xoauth2.conf.5.md (``client_secret`` may be ``""`` for public
clients); simonrob/email-oauth2-proxy:emailproxy.config (delete the secret for public clients).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.microsoft._common import (
    app_platform,
    effective_bootstrap,
    microsoft_apps,
    microsoft_targets,
    portal,
)


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Flag secrets on public Microsoft clients that never need one."""
    for plan in microsoft_apps(ctx):
        app = plan.app
        secret = app.client_secret
        if secret is None or not plan.declares("platform") or app_platform(app) != "public":
            continue
        if app.flow != "delegated":
            continue
        if any(effective_bootstrap(t) == "client-credentials" for t in microsoft_targets(plan)):
            continue
        key = f" --key-id {secret.key_id}" if secret.key_id else " --key-id <secret id>"
        yield ctx.finding(
            RULE,
            f"app {plan.name} is a public client but holds a client secret "
            f"({secret.describe()}): its device code and loopback flows never use it, and it "
            "remains a live credential",
            ("apps", plan.name, "client_secret"),
            at_key=True,
            fix=f"delete the secret ({portal(plan, 'Certificates & secrets')}, or `az ad app "
            f"credential delete --id {app.client_id}{key}`) and remove `client_secret:` from "
            f"apps.{plan.name}",
            object=plan.object,
        )


RULE = Rule.define(
    __doc__,
    id="ms-secret-on-public-client",
    severity=Severity.INFO,
    check=check,
    options=RuleOptions,
    family="microsoft",
    impacts=((Severity.INFO, "an unused live credential: nothing breaks, advice"),),
)

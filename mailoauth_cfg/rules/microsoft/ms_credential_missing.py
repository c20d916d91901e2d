"""A Microsoft app used as a confidential client has no usable credential.

**What.** The app needs a credential and has none it can use:

* it is app-only (``flow: app-only``) or one of its targets uses client credentials (Dolibarr
  ``MICROSOFTAPP``, email-oauth2-proxy ``flow: client_credentials``), or
* one of its targets is a web application that redeems the authorization code on its server
  (Dolibarr, MultiSMTP, DigDash, WaveSoft, Open Bee, GLPI, Odoo, Nextcloud Mail),

and ``apps.<name>`` has neither ``client_secret`` nor ``certificate``; or it has only a
certificate while such a target accepts only a client secret (every target above except
email-oauth2-proxy, which can sign a JWT with ``jwt_certificate_path``).

**Why.** A confidential client proves its identity at the token endpoint; without a secret or
certificate the request fails with ``AADSTS7000218`` ("must contain client_assertion or
client_secret") and no token is ever issued. Targets with only a "client secret" field cannot use
a certificate.

**Fix.** Create a client secret (Entra admin center › App registrations › <app> › Certificates &
secrets › New client secret, or ``az ad app credential reset --id <client-id> --append``), give
its **Value** to the target, and declare it as ``client_secret: {env: NAME, expires:
YYYY-MM-DD}``; for app-only use with a certificate-capable client, upload a certificate and
declare ``certificate:``.

Source: https://learn.microsoft.com/entra/identity-platform/reference-error-codes (AADSTS7000218);
each kind's facts (client secret fields); simonrob/email-oauth2-proxy:
emailproxy.config (``jwt_certificate_path``).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.derive import AppPlan
from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.locations import PathKey
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.microsoft._common import (
    app_node,
    effective_bootstrap,
    microsoft_apps,
    microsoft_targets,
    names,
    portal,
)


def needs(plan: AppPlan) -> tuple[list[str], list[str]]:
    """(why a credential is needed, targets that accept only a client secret)."""
    why: list[str] = []
    secret_only: list[str] = []
    if plan.flow == "app-only":
        why.append("it uses client credentials (flow: app-only)")
    for target in microsoft_targets(plan):
        profile = target.microsoft
        bootstrap = effective_bootstrap(target)
        if bootstrap == "client-credentials":
            why.append(f"target {target.name} uses client credentials")
        elif bootstrap == "in-app-consent" and profile is not None and profile.platform == "web":
            why.append(f"target {target.name} ({target.key}) is a confidential web client")
        else:
            continue
        if profile is not None and not profile.certificate_capable:
            secret_only.append(f"{target.name} ({target.key})")
    return why, secret_only


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Find confidential Microsoft apps without a usable secret or certificate."""
    for plan in microsoft_apps(ctx):
        app = plan.app
        why, secret_only = needs(plan)
        if not why:
            continue
        credentials = list(app.all_credentials())
        create = (
            f"create a client secret ({portal(plan, 'Certificates & secrets', 'New client secret')}"
            f" or `az ad app credential reset --id {app.client_id} --append`), give its Value to "
            "the target and declare `client_secret: {env: NAME, expires: YYYY-MM-DD}`"
        )
        path: PathKey
        if not credentials:
            yield ctx.finding(
                RULE,
                f"app {plan.name} declares no client secret or certificate, but {'; '.join(why)}: "
                "the credential is checked by --online (live-ms-app-credentials), and rendering "
                "needs it",
                ("apps", plan.name),
                at_key=True,
                fix=create,
                object=plan.object,
                severity=Severity.INFO,
            )
            continue
        if any(c.type == "secret" for c in credentials) or not secret_only:
            continue
        path, at_key = ("apps", plan.name), True
        if app.certificate is not None:
            path, at_key = app_node(ctx, plan.name, "certificate")
        yield ctx.finding(
            RULE,
            f"app {plan.name} holds only certificates, but {names(secret_only)} "
            f"accept{'s' if len(secret_only) == 1 else ''} only a client secret: no token can be "
            "requested",
            path,
            at_key=at_key,
            fix=create,
            object=plan.object,
        )


RULE = Rule.define(
    __doc__,
    id="ms-credential-missing",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="microsoft",
    impacts=(
        (Severity.ERROR, "only certificates for a target that takes a secret: no token"),
        (Severity.INFO, "no credential declared: checked by --online, needed to render"),
    ),
)

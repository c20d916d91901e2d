"""A Microsoft app's platform (web or public client) does not fit how its targets sign in.

**What.** The Entra platform a target needs (catalog ``MicrosoftProfile.platform``, adjusted for
the flow the target is configured with) differs from ``apps.<name>.platform``:

* a target that runs the consent in its own web application and redeems the code on its server
  with the client secret (Dolibarr, MultiSMTP, DigDash, WaveSoft, Open Bee, GLPI, Odoo,
  Nextcloud Mail) needs a **web** (confidential) app, but the app is ``public`` → error;
* a target whose token is obtained through a loopback/native redirect without a secret
  (msmtp through ``mailoauth-cfg token bootstrap``, email-oauth2-proxy's authorization code,
  Postfix ``flow: loopback``) needs a **public** client, but the app is ``web`` → error.
  email-oauth2-proxy is exempt when the app holds a secret or certificate: the proxy then sends
  it and acts as a confidential client;
* a device-code target (sasl-xoauth2-tool ``--use-device-flow``, email-oauth2-proxy
  ``flow: device``) belongs on a public client; on a ``web`` app it works only through "Allow
  public client flows" and leaves a secret and web redirects nobody uses → info (it works).

A Microsoft app written ``platform: desktop`` counts as public. App-only apps and
client-credentials targets use no platform and are skipped.

**Why.** A public client must not present a secret (``AADSTS700025``) and its redirect URIs are
registered under "Mobile and desktop applications"; a web platform requires the secret at code
redemption, so a client without one gets ``AADSTS7000218``. The redirect URI is also matched
only against the platform it is registered under.

**Fix.** Register the redirect URI under the platform the target needs (Entra admin center › App
registrations › <app> › Authentication › Add a platform › Web, or › Mobile and desktop
applications) and set ``platform:`` accordingly; when one app serves targets of both kinds,
give each kind its own app registration.

Source: https://learn.microsoft.com/en-us/entra/identity-platform/reply-url;
https://learn.microsoft.com/entra/identity-platform/reference-error-codes (AADSTS700025,
AADSTS7000218); each kind's facts (platform per target).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.derive import AppPlan, TargetPlan
from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.microsoft._common import (
    Platform,
    app_node,
    app_platform,
    effective_bootstrap,
    has_credential,
    microsoft_apps,
    microsoft_targets,
    names,
    portal,
    targets_do,
)

MOBILE = "Mobile and desktop applications"


def required_platform(plan: TargetPlan) -> tuple[Platform, bool] | None:
    """``(platform, strict)`` the target needs; ``strict`` False for device code only."""
    profile = plan.microsoft
    app = plan.app
    if profile is None or app is None:
        return None
    bootstrap = effective_bootstrap(plan)
    if bootstrap == "device-code":
        return "public", False
    if bootstrap == "cli-loopback":
        if profile.confidential_loopback and has_credential(app):
            return None
        return "public", True
    if bootstrap == "in-app-consent":
        return profile.platform, True
    return None


def _redirects(targets: list[TargetPlan]) -> str:
    uris = sorted({t.redirect_uri for t in targets if t.redirect_uri})
    return f" ({names(uris)})" if uris else ""


def _findings(ctx: Context, plan: AppPlan) -> Iterator[Finding]:
    have = app_platform(plan.app)
    web: list[TargetPlan] = []
    loopback: list[TargetPlan] = []
    device: list[TargetPlan] = []
    serves_web = False
    for target in microsoft_targets(plan):
        need = required_platform(target)
        serves_web = serves_web or (need is not None and need[0] == "web")
        if need is None or need[0] == have:
            continue
        if need[0] == "web":
            web.append(target)
        elif need[1]:
            loopback.append(target)
        else:
            device.append(target)
    path, at_key = app_node(ctx, plan.name, "platform")
    if web:
        yield ctx.finding(
            RULE,
            f"app {plan.name} is a public client, but "
            f"{targets_do((t.name for t in web), 'redeems', 'redeem')} the authorization code "
            "server-side with the client secret and a Web redirect URI: Entra refuses a secret "
            "from a public client (AADSTS700025)",
            path,
            at_key=at_key,
            fix=f"{portal(plan, 'Authentication', 'Add a platform', 'Web')}: register the "
            f"redirect URI{_redirects(web)}, create a client secret, and set `platform: web` "
            "(or give these targets their own web app registration)",
            object=plan.object,
        )
    if loopback:
        yield ctx.finding(
            RULE,
            f"app {plan.name} is a web (confidential) app, but "
            f"{targets_do((t.name for t in loopback), 'obtains its', 'obtain their')} token "
            "through a "
            "loopback/native redirect without a client secret: the code redemption fails with "
            "AADSTS7000218",
            path,
            at_key=at_key,
            fix=f"{portal(plan, 'Authentication', 'Add a platform', MOBILE)}: register the "
            f"redirect URI{_redirects(loopback)} there (not under Web) and set `platform: public`",
            object=plan.object,
        )
    if device:
        fix = (
            "give these targets their own public app registration (`platform: public`, "
            "Allow public client flows = Yes, no secret)"
            if serves_web
            else f"set `platform: public`, "
            f"{portal(plan, 'Authentication', 'Allow public client flows')} › Yes, and remove "
            "the unused client secret and web redirect URIs"
        )
        yield ctx.finding(
            RULE,
            f"app {plan.name} is a web (confidential) app, but "
            f"{targets_do((t.name for t in device), 'uses', 'use')} the device code flow, a "
            "public-client "
            "flow: it works only through 'Allow public client flows', and the secret and web "
            "redirects are not used by them",
            path,
            at_key=at_key,
            fix=fix,
            object=plan.object,
            severity=Severity.INFO,
        )


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Compare each delegated Microsoft app's platform with what its targets need."""
    for plan in microsoft_apps(ctx):
        if plan.app.flow != "delegated" or not plan.declares("platform"):
            continue  # omitted: the platform the targets need is rendered
        yield from _findings(ctx, plan)


RULE = Rule.define(
    __doc__,
    id="ms-platform-mismatch",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="microsoft",
    impacts=(
        (
            Severity.ERROR,
            "the declared platform refuses the target's sign-in (AADSTS700025/7000218)",
        ),
        (Severity.INFO, "device code on a web app works through public client flows: advice"),
    ),
)

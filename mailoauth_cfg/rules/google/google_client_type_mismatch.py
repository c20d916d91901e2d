"""A Google OAuth client's type (Web application / Desktop app) does not fit its targets.

**What.** Each target needs a Google client type (catalog ``GoogleProfile.client_type``):
*Web application* for applications that receive the consent on their own URL (Dolibarr, GLPI,
Odoo, Nextcloud, DigDash), *Desktop app* for tools that listen on a loopback port
(sasl-xoauth2, msmtp, email-oauth2-proxy, WaveSoft). The rule reports:

* ``platform: desktop`` on an app a web target uses (error);
* ``platform: web`` on an app a desktop target uses (warning);
* ``platform: public`` on a Google app (error): that is Microsoft's word, Google has ``web``
  and ``desktop``.

When all the app's targets agree, the finding points at ``apps.<name>.platform``; when they
disagree, at each mismatching target's ``app:``.

**Why.** A Desktop app client has no *Authorized redirect URIs*: Google accepts only loopback
redirects for it, so a web application's ``https://...`` callback fails with ``Error 400:
redirect_uri_mismatch``. A Web client accepts a loopback redirect only if that exact URI,
port included, is registered, while desktop tools pick or change the port: it works at best by
accident.

**Fix.** Create a client of the right type (Google Cloud console › APIs & Services ›
Credentials › Create credentials › OAuth client ID › Application type) and set ``platform:``
accordingly; give web and desktop targets separate apps. The type of an existing client cannot
be changed.

Source: https://developers.google.com/identity/protocols/oauth2/native-app (loopback, Desktop
app); https://developers.google.com/identity/protocols/oauth2/web-server (redirect URIs);
each kind's facts (client type per target).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.catalog.google import ClientType
from mailoauth_cfg.derive import TargetPlan
from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.google._common import (
    CREDENTIALS,
    google_app_plans,
    targets_phrase,
    uses_google_oauth,
)

_LABEL: dict[str, str] = {"web": "Web application", "desktop": "Desktop app"}


def _typed(plans: tuple[TargetPlan, ...]) -> list[tuple[TargetPlan, ClientType]]:
    out: list[tuple[TargetPlan, ClientType]] = []
    for plan in plans:
        profile = plan.google
        if profile is not None and profile.client_type is not None and uses_google_oauth(plan):
            out.append((plan, profile.client_type))
    return out


def _severity(wanted: str) -> Severity:
    return Severity.ERROR if wanted == "web" else Severity.WARNING


def _why(wanted: str) -> str:
    if wanted == "web":
        return (
            "a Desktop app client has no redirect URIs, so the https callback fails with "
            "redirect_uri_mismatch"
        )
    return (
        "a Web client accepts a loopback redirect only when that exact URI and port is registered"
    )


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Compare each Google app's platform with the client type its targets need."""
    for app_plan in google_app_plans(ctx):
        typed = _typed(app_plan.targets)
        wanted = sorted({kind for _, kind in typed})
        if not app_plan.declares("platform"):
            continue  # omitted: the client type its targets need is rendered
        platform = app_plan.platform
        platform_path = ("apps", app_plan.name, "platform")
        if platform == "public":
            value = wanted[0] if len(wanted) == 1 else "desktop` or `web"
            yield ctx.finding(
                RULE,
                f"Google app {app_plan.name} has platform 'public', a Microsoft term; Google "
                "client types are web (Web application) and desktop (Desktop app)",
                platform_path,
                fix=f"set `platform: {value}`",
                object=app_plan.object,
            )
            continue
        wrong = [(t, kind) for t, kind in typed if kind != platform]
        if not wrong:
            continue
        if len(wanted) == 1:
            kind = wanted[0]
            yield ctx.finding(
                RULE,
                f"Google app {app_plan.name} is a {_LABEL[platform]} client, but a "
                f"{_LABEL[kind]} client is needed by {targets_phrase(t.name for t, _ in wrong)}: "
                f"{_why(kind)}",
                platform_path,
                fix=f"create a {_LABEL[kind]} client ({CREDENTIALS} › Create credentials › OAuth "
                f"client ID), put its ID in `client_id:` and set `platform: {kind}`",
                object=app_plan.object,
                severity=_severity(kind),
            )
            continue
        for target, kind in wrong:
            yield ctx.finding(
                RULE,
                f"target {target.name} needs a {_LABEL[kind]} client but app {app_plan.name} is "
                f"a {_LABEL[platform]} client (shared with targets of the other type): "
                f"{_why(kind)}",
                ("targets", target.name, "app"),
                fix=f"give {target.name} its own app with a {_LABEL[kind]} client "
                f"(`platform: {kind}`)",
                object=target.object,
                severity=_severity(kind),
            )


RULE = Rule.define(
    __doc__,
    id="google-client-type-mismatch",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="google",
    impacts=(
        (Severity.ERROR, "the client type cannot receive the target's redirect"),
        (Severity.WARNING, "a Web client works only if the exact loopback URI is registered"),
    ),
)

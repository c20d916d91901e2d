"""Open Bee's "Client secret expiration date" cannot be filled from the config.

**What.** An app used by an ``openbee`` target with Microsoft has a ``client_secret`` without
``expires`` (warning), has only a certificate (error: Open Bee takes a client secret; an app
with no credential at all is ``ms-credential-missing``'s), or keeps the 6-month default
lifetime (info: ``expires`` no later than 6 months after ``created``). The missing date is also
``ms-secret-expiry``'s info; here it is a warning because Open Bee's own reminder depends on it.

**Why.** Open Bee's OAuth2 SMTP form has a "Client secret expiration date" field and notifies the
administrator one month before that date; the tool renders it from ``client_secret.expires``.
Without it the field stays empty and the secret silently expires. Open Bee suggests a two-year
secret rather than Microsoft's 6-month default.

**Fix.** Copy the "Expires" date from Entra admin center › App registrations › <app> ›
Certificates & secrets into ``client_secret: {env: NAME, expires: YYYY-MM-DD}``; when renewing,
choose a 24-month lifetime.

Source: https://help.openbee.com/ (Office 365 and G Suite SMTP configuration);
the Open Bee facts' notes.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.catalog.microsoft import SECRET_DEFAULT_LIFETIME_MONTHS, add_months
from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.targets.openbee.model import OpenbeeTarget


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Check the secret of every app used by a Microsoft Open Bee target."""
    for app_plan in ctx.app_plans():
        plans = [t for t in app_plan.targets if isinstance(t.target, OpenbeeTarget) and t.microsoft]
        if not plans or app_plan.provider_type != "microsoft":
            continue
        names = ", ".join(t.name for t in plans)
        secret = app_plan.app.client_secret
        client_id = app_plan.app.client_id
        if secret is None:
            if app_plan.app.certificate is None:
                continue  # ms-credential-missing reports an app without any credential
            yield ctx.finding(
                RULE,
                f"app {app_plan.name} has only a certificate; Open Bee (target {names}) takes a "
                "client secret value and its expiration date",
                ("apps", app_plan.name),
                fix=f"create a 24-month secret (`az ad app credential reset --id {client_id} "
                "--append --years 2`) and declare `client_secret: {env: NAME, expires: "
                "YYYY-MM-DD}`",
                object=app_plan.object,
                at_key=True,
                severity=Severity.ERROR,
            )
        elif secret.expires is None:
            yield ctx.finding(
                RULE,
                f"the client secret of app {app_plan.name} has no expiry date: Open Bee's "
                f"'Client secret expiration date' (target {names}) cannot be filled, so it will "
                "not warn before the secret expires",
                ("apps", app_plan.name, "client_secret"),
                fix="copy the 'Expires' date from App registrations › Certificates & secrets "
                "into `expires: YYYY-MM-DD`",
                object=app_plan.object,
            )
        elif secret.created is not None and secret.expires <= add_months(
            secret.created, SECRET_DEFAULT_LIFETIME_MONTHS
        ):
            yield ctx.finding(
                RULE,
                f"the client secret of app {app_plan.name} lives {SECRET_DEFAULT_LIFETIME_MONTHS}"
                f" months or less ({secret.created.isoformat()} to "
                f"{secret.expires.isoformat()}); Open Bee suggests a 2-year secret",
                ("apps", app_plan.name, "client_secret", "expires"),
                fix=f"at the next renewal create a 24-month secret (`az ad app credential reset "
                f"--id {client_id} --append --years 2`) and update `expires:` and Open Bee",
                object=app_plan.object,
                severity=Severity.INFO,
            )


RULE = Rule.define(
    __doc__,
    id="openbee-secret-expiry-date",
    severity=Severity.WARNING,
    check=check,
    options=RuleOptions,
    family="targets",
)

"""Open Bee's "Client secret expiration date" cannot be filled from the config.

**What.** The credential an ``openbee`` target with Microsoft uses (``targets.<t>.credential``,
else its app's secret) is a certificate (error: Open Bee takes a client secret; an app with no
credential at all is ``ms-credential-missing``'s), has no declared ``expires`` while the target
does not declare ``secret_expiry`` either (info: the rendered settings cannot fill the field),
or keeps the 6-month default lifetime (info). A declared ``secret_expiry`` that differs from the
credential is ``target-secret-expiry-mismatch``'s.

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
    """Check the credential each Microsoft Open Bee target uses."""
    for plan, target in ctx.targets_of(OpenbeeTarget):
        if plan.microsoft is None or plan.app is None or target.auth != "oauth2":
            continue
        credential = plan.credential
        client_id = plan.app.client_id
        if credential is None:
            continue  # ms-credential-missing reports an app without any credential
        if credential.type == "certificate":
            yield ctx.finding(
                RULE,
                f"target {plan.name} uses {credential.name} of app {plan.app_name}, a "
                "certificate; Open Bee takes a client secret value and its expiration date",
                ("apps", plan.app_name or "", *credential.path),
                fix=f"create a 24-month secret (`az ad app credential reset --id {client_id} "
                "--append --years 2`), list it under `credentials:` and give it to the target "
                "(`credential:`)",
                object=plan.object,
                at_key=True,
                severity=Severity.ERROR,
            )
        elif credential.expires is None and target.secret_expiry is None:
            yield ctx.finding(
                RULE,
                f"the expiry of {credential.name} of app {plan.app_name} is not declared: the "
                f"rendered settings cannot fill Open Bee's 'Client secret expiration date' "
                f"(target {plan.name}), which drives its only reminder",
                ("apps", plan.app_name or "", *credential.path),
                fix="copy the 'Expires' date from App registrations › Certificates & secrets "
                "into `expires: YYYY-MM-DD`",
                object=plan.object,
                at_key=True,
            )
        elif (
            credential.created is not None
            and credential.expires is not None
            and credential.expires <= add_months(credential.created, SECRET_DEFAULT_LIFETIME_MONTHS)
        ):
            yield ctx.finding(
                RULE,
                f"{credential.name} of app {plan.app_name} lives {SECRET_DEFAULT_LIFETIME_MONTHS}"
                f" months or less ({credential.created.isoformat()} to "
                f"{credential.expires.isoformat()}); Open Bee suggests a 2-year secret",
                ("apps", plan.app_name or "", *credential.path, "expires"),
                fix=f"at the next renewal create a 24-month secret (`az ad app credential reset "
                f"--id {client_id} --append --years 2`) and update `expires:` and Open Bee",
                object=plan.object,
            )


RULE = Rule.define(
    __doc__,
    id="openbee-secret-expiry-date",
    severity=Severity.INFO,
    check=check,
    options=RuleOptions,
    family="targets",
    impacts=(
        (Severity.ERROR, "Open Bee cannot sign in with a certificate: no token"),
        (Severity.INFO, "the reminder date cannot be rendered, or a 6-month secret"),
    ),
)

"""The Gmail API is not enabled in the Cloud project of a Google OAuth client.

**What.** For every delegated Google app, Service Usage's ``services.get`` of
``gmail.googleapis.com`` in the client's project (the numeric prefix of its client ID) must
report ``state: ENABLED``.

**Why.** Every Gmail API call made with the client fails with ``403 SERVICE_DISABLED`` ("Gmail
API has not been used in project … or it is disabled"), and the setup guides of the targets
(Odoo, Dolibarr, GLPI, sasl-xoauth2…) enable it before adding the Gmail scope to the consent
screen. IMAP/SMTP with XOAUTH2 itself does not call the Gmail API, hence a warning.

**Fix.** ``gcloud services enable gmail.googleapis.com --project <project number>``, or Google
Cloud console › APIs & Services › Library › Gmail API › Enable (in the client's project).

Source: https://cloud.google.com/service-usage/docs/reference/rest/v1/services/get (``state``
ENABLED/DISABLED).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, ObjectRef, Severity
from mailoauth_cfg.live.google.needs import GMAIL_SERVICE, projects
from mailoauth_cfg.live.rules._base import finding, unknown
from mailoauth_cfg.live.rules._google import FAMILY, google_providers, phrase
from mailoauth_cfg.live.snapshot import Unknown
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Check the Gmail API's state in each OAuth client's project."""
    for provider, domain in google_providers(ctx):
        for project, apps in sorted(projects(ctx.config, provider).items()):
            state = domain.service_state(project, GMAIL_SERVICE)
            path = ("apps", apps[0], "client_id")
            obj = ObjectRef.app(apps[0])
            if isinstance(state, Unknown):
                yield unknown(
                    ctx,
                    RULE,
                    f"the Gmail API in project {project} ({phrase('app', apps)})",
                    state.reason,
                    path,
                    object=obj,
                )
                continue
            if state is not None and state.upper() == "ENABLED":
                continue
            shown = "the project was not found" if state is None else f"state {state}"
            yield finding(
                ctx,
                RULE,
                f"the Gmail API is not enabled in project {project}, which owns the OAuth "
                f"client of {phrase('app', apps)} ({shown}): Gmail API calls with this client "
                "fail with 403 SERVICE_DISABLED",
                path,
                fix=f"gcloud services enable {GMAIL_SERVICE} --project {project} (or Google Cloud "
                "console › APIs & Services › Library › Gmail API › Enable)",
                object=obj,
            )


RULE = Rule.define(
    __doc__,
    id="live-google-gmail-api-disabled",
    severity=Severity.WARNING,
    check=check,
    options=RuleOptions,
    family=FAMILY,
    reads=("services",),
    impacts=((Severity.WARNING, "the project's Gmail API is off: consent may fail"),),
)

"""No Google API lists the domain-wide delegation allow-list: check a service account's by hand.

**What.** For every Google app with ``flow: app-only`` (a service account acting for
mailboxes), a finding of status ``unknown`` names the client ID, the scope it must be allowed
(``https://mail.google.com/``) and the Admin console page. It is never a pass: the checker's
own delegation is proven by its token requests, not the app's.

**Why.** Without the entry, the app's token requests for a mailbox fail with
``unauthorized_client`` ("Client is unauthorized to retrieve access tokens using this method").
No method of any Google API lists the allow-list; the only test is to mint a token with the
app's own key, which the checker does not hold.

**Fix.** Admin console › Security › Access and data control › API controls › Domain-wide
delegation: the app's client ID must be listed with ``https://mail.google.com/``. Once checked,
attest it next to the object with a reason and an expiry (``suppress: [{rule:
live-google-delegation-unverifiable, reason: "checked in the console", expires: ...}]``): the
finding is then reported as suppressed, and comes back when the attestation expires.

Source: https://support.google.com/a/answer/162106 (domain-wide delegation)."""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.catalog.google import MAIL_SCOPE
from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.live.google.permissions import DWD_CONSOLE
from mailoauth_cfg.live.rules._google import FAMILY, google_apps, unverifiable
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """One ``unknown`` per Google service-account app."""
    for plan, domain in google_apps(ctx):
        app = plan.app
        if app.flow != "app-only":
            continue
        domain.unexposed("delegation", app.client_id)
        yield unverifiable(
            ctx,
            RULE,
            f"no Google API lists the domain-wide delegation allow-list: check by hand that "
            f"client ID {app.client_id} (app {plan.name}) is allowed {MAIL_SCOPE}",
            ("apps", plan.name, "client_id"),
            fix=f"{DWD_CONSOLE} › client ID {app.client_id}: OAuth scopes must include "
            f"{MAIL_SCOPE}",
            object=plan.object,
        )


RULE = Rule.define(
    __doc__,
    id="live-google-delegation-unverifiable",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family=FAMILY,
    reads=("delegation",),
    impacts=((Severity.ERROR, "a missing delegation stops the service account (checked by hand)"),),
)

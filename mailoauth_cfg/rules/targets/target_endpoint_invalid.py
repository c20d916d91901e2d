"""A target holds an authority or endpoint URL that cannot issue its token.

**What.** ``targets.<name>.authority``, ``authorize_endpoint`` or ``token_endpoint`` (Odoo's
``microsoft_outlook.endpoint``, WaveSoft's *URL Authentification* / *URL Jeton*,
email-oauth2-proxy's ``permission_url`` / ``token_url``, sasl-xoauth2's ``token_endpoint``, a
token helper's endpoints), judged for the provider:

* Microsoft: the login host of another cloud (a US Government or 21Vianet tenant signing in at
  ``login.microsoftonline.com``, or the reverse), Google's host, plain http, the v1 endpoint
  (``/oauth2/token``), the authorize endpoint in the token field (or the reverse), a path that
  is not ``/<tenant>/oauth2/v2.0/...`` (the device code endpoint is accepted as authorization
  URL with the device flow);
* Google: Microsoft's login host, or a Google URL that is not its authorization / token
  endpoint.

Hosts of neither provider (a proxy, an emulator) are not judged; the tenant in the path is
``target-tenant-mismatch``'s. Omitted endpoints are derived from the provider and never
reported.

**Why.** A tenant exists in one cloud: its users, app and consent are unknown to the other
clouds' login hosts (AADSTS90002 / AADSTS50020), so no token is issued. The v1 endpoint ignores
``scope=``; a token request sent to ``/authorize`` gets an HTML page, not a token.

**Fix.** Use the endpoints of the tenant's cloud: ``https://<login host>/<tenant>/oauth2/v2.0/
authorize`` and ``.../token`` (US Government: ``login.microsoftonline.us``; 21Vianet:
``login.partner.microsoftonline.cn``); Google: ``https://accounts.google.com/o/oauth2/auth``
and ``https://oauth2.googleapis.com/token``. The finding carries the value.

Source: https://learn.microsoft.com/entra/identity-platform/authentication-national-cloud;
https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow;
https://developers.google.com/identity/protocols/oauth2/web-server.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Edit, Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._declared import (
    ENDPOINT_KEYS,
    declared_values,
    expected_endpoint,
    google_endpoint_problem,
    microsoft_endpoint_problem,
)


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Judge each declared endpoint of each target."""
    for plan in ctx.target_plans():
        if plan.target.auth != "oauth2":
            continue
        for key in ENDPOINT_KEYS:
            for item in declared_values(plan, key):
                url = str(item.value)
                problem = microsoft_endpoint_problem(plan, url, key) or google_endpoint_problem(
                    plan, url, key
                )
                if problem is None:
                    continue
                expected = expected_endpoint(plan, key)
                edits = (Edit("set", item.path, expected),) if expected else ()
                yield ctx.finding(
                    RULE,
                    f"target {plan.name}: {plan.facts.setting_name(key)} is {url}: {problem}",
                    item.path,
                    fix=f"set it to {expected}" if expected else "use the provider's endpoint",
                    object=plan.object,
                    edits=edits,
                )


RULE = Rule.define(
    __doc__,
    id="target-endpoint-invalid",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="targets",
    impacts=((Severity.ERROR, "the token request goes where no token can be issued"),),
    fixable=True,
)

"""email-oauth2-proxy is set up for a Google flow this tool cannot render.

**What.** An ``email-oauth2-proxy`` target with a Google app uses ``flow: client_credentials``,
or its app is a service account (``flow: app-only``).

**Why.** Google has no client-credentials grant for OAuth clients: tokens without a user come
only from service accounts, which the proxy handles with its own ``oauth2_flow =
service_account`` (``client_id = file`` or ``key``), not with ``client_credentials``. The tool
renders ``authorization_code`` (and ``device``) account sections only, so such a proxy never
obtains a token. (Google's device flow is reported by ``google-device-flow-gmail``; Microsoft
flow/app mismatches by ``ms-app-flow-mismatch`` and ``ms-public-client-flows-disabled``.)

**Fix.** Use a delegated Desktop app OAuth client (``flow: delegated``, ``platform: desktop``)
and ``flow: authorization_code`` on the target; the mailbox owner consents at the first login.

Source: simonrob/email-oauth2-proxy:emailproxy.config (``oauth2_flow``: authorization_code,
device, client_credentials, password, service_account); simonrob/email-oauth2-proxy:README.md.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._common import key_or_parent, target_path
from mailoauth_cfg.targets.email_oauth2_proxy.model import EmailOauth2ProxyTarget


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Check Google proxy targets for flows without a user."""
    for plan, target in ctx.targets_of(EmailOauth2ProxyTarget):
        app = plan.app
        if app is None:
            continue
        if plan.google is None:
            continue
        if target.flow == "client_credentials":
            yield ctx.finding(
                RULE,
                f"target {plan.name}: Google has no client-credentials grant for OAuth clients; "
                "the proxy would never obtain a Gmail token",
                target_path(plan.name, "flow"),
                fix="set `flow: authorization_code` (Desktop app client; the mailbox owner "
                "consents at the first login)",
                object=plan.object,
            )
        elif app.flow == "app-only":
            path, at_key = key_or_parent(ctx, target_path(plan.name, "app"))
            yield ctx.finding(
                RULE,
                f"target {plan.name}: app {plan.app_name} is a Google service account; the "
                "proxy needs its service_account flow for it, which this tool does not render",
                path,
                fix="use a delegated Desktop app OAuth client (`flow: delegated`, "
                "`platform: desktop`) for this target",
                object=plan.object,
                at_key=at_key,
            )


RULE = Rule.define(
    __doc__,
    id="email-oauth2-proxy-flow",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="targets",
    impacts=((Severity.ERROR, "the proxy cannot obtain a Google token with this flow"),),
)

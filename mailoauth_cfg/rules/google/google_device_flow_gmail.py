"""A target would obtain a Gmail token with Google's device flow, which cannot grant it.

**What.** On a Google provider, a ``postfix-sasl-xoauth2`` target sets ``flow: device-code``,
or an ``email-oauth2-proxy`` target sets ``flow: device``.

**Why.** Google's device authorization flow accepts only a short list of scopes (``email``,
``openid``, ``profile``, two Drive and two YouTube scopes;
``catalog.google.DEVICE_FLOW_ALLOWED_SCOPES``). ``https://mail.google.com/`` is not among
them, so the device-code request fails with ``invalid_scope`` and no token is ever issued. The
device flow is the right choice for Microsoft 365, which is why it is tempting to reuse it.

**Fix.** Use the loopback flow with a *Desktop app* client: for sasl-xoauth2 set
``flow: loopback`` and run ``sasl-xoauth2-tool get-token gmail <token file> --client-id=...
--client-secret=... --scope=https://mail.google.com/`` where a browser can reach the host's
loopback port (or on another machine, then copy the token file); for email-oauth2-proxy keep
``flow: authorization_code`` (add ``--external-auth`` on a headless host).

Source: https://developers.google.com/identity/protocols/oauth2/limited-input-device#allowedscopes;
tarickb/sasl-xoauth2:README.md; simonrob/email-oauth2-proxy:emailproxy.config.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.catalog.google import device_flow_allows
from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.google._common import uses_google_oauth


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Find Google targets configured for the device flow."""
    for plan in ctx.target_plans():
        profile = plan.google
        if profile is None or not uses_google_oauth(plan) or device_flow_allows(profile.scopes):
            continue
        if plan.bootstrap != "device-code":
            continue
        loopback = profile.flow_settings.get("cli-loopback")
        fix = f"set {loopback}" if loopback else "use a flow with a browser sign-in"
        yield ctx.finding(
            RULE,
            f"target {plan.name} would use Google's device flow, which cannot grant "
            f"{', '.join(profile.scopes)}: the device-code request fails with invalid_scope",
            ("targets", plan.name, "flow"),
            fix=fix,
            object=plan.object,
        )


RULE = Rule.define(
    __doc__,
    id="google-device-flow-gmail",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="google",
    impacts=((Severity.ERROR, "the device flow cannot grant the Gmail scope: no token"),),
)

"""A target holds a redirect URI its provider refuses, or one it does not serve.

**What.** ``targets.<name>.redirect_uri`` (DigDash's *Authorized redirect URI*,
email-oauth2-proxy's ``redirect_uri``, a token helper's ``redirect_uri``):

* the retired out-of-band URI (``urn:ietf:wg:oauth:2.0:oob``…);
* plain ``http`` on a host that is not the local machine;
* a wildcard ``*`` or a fragment ``#``;
* a path other than the one the application serves its callback on (DigDash answers only on
  ``/ddenterpriseapi/v2/oauth/redirect``).

Whether the URI is registered on the app is ``ms-redirect-uri-missing`` /
``google-redirect-uri-missing``'s (they compare the declared URI). Omitted, the URI is derived
from the target and never reported.

**Why.** Entra and Google accept ``http`` only for loopback hosts and refuse fragments and
wildcards at sign-in; Google retired the out-of-band flow, Entra never allowed it for work
accounts; a callback the application does not serve leaves the consent without a token.

**Fix.** Use the URI the application serves over https (loopback ``http://localhost`` for
desktop tools); the finding carries it when it is known.

Source: https://learn.microsoft.com/entra/identity-platform/reply-url;
https://developers.google.com/identity/protocols/oauth2/resources/oob-migration;
DigDash "Paramètres OAuth" (seed 002).
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from mailoauth_cfg.catalog.google import RETIRED_REDIRECT_URIS as GOOGLE_RETIRED
from mailoauth_cfg.findings import Edit, Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._common import is_loopback


def problem(uri: str) -> str | None:
    """What is wrong with ``uri`` as a redirect URI, or ``None``."""
    lowered = uri.strip().lower()
    if lowered.startswith("urn:ietf:wg:oauth:2.0:oob") or lowered in GOOGLE_RETIRED:
        return "the out-of-band redirect is retired: the provider refuses the sign-in"
    parts = urlsplit(uri)
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        return f"plain http on {parts.hostname} is accepted only for the local machine"
    if parts.scheme not in ("http", "https"):
        return f"{parts.scheme or 'no scheme'} is not an http(s) redirect"
    if "*" in uri:
        return "a wildcard is refused at sign-in"
    if parts.fragment:
        return "a fragment (#...) is refused"
    return None


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Judge each declared redirect URI."""
    for plan in ctx.target_plans():
        declared = plan.declared("redirect_uri")
        if declared is None or plan.target.auth != "oauth2" or plan.profile is None:
            continue
        uri = str(declared)
        path = (*plan.path, "redirect_uri")
        found = problem(uri)
        derived = plan.plugin.derived_redirect(plan)
        if found is None and derived is not None:
            want, have = urlsplit(derived), urlsplit(uri)
            if want.path.rstrip("/") != have.path.rstrip("/"):
                found = (
                    f"{plan.facts.display_name} serves its callback on {want.path}, not "
                    f"{have.path or '/'}: the consent never comes back"
                )
        if found is None:
            continue
        yield ctx.finding(
            RULE,
            f"target {plan.name}: {plan.facts.setting_name('redirect_uri')} is {uri}: {found}",
            path,
            fix=f"set it to {derived}"
            if derived
            else "remove it: the application's own loopback redirect is used",
            object=plan.object,
            edits=(Edit("set", path, derived),) if derived else (Edit("delete", path),),
        )


RULE = Rule.define(
    __doc__,
    id="target-redirect-uri-invalid",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="targets",
    impacts=((Severity.ERROR, "the sign-in is refused or never returns: no token"),),
    fixable=True,
)

"""A Microsoft app declares its redirect URIs but not the one a target sends.

**What.** ``apps.<name>.redirect_uris`` is given and lacks a redirect URI that one of the app's
targets sends (computed from the target's URL and type, e.g.
``https://erp.contoso.com/core/modules/oauth/microsoft3_oauthcallback.php``). The comparison
follows Entra's: case-sensitive; a URI without a path equals the same URI with ``/``; the port
of an ``http`` loopback URI is ignored. When a declared URI differs only by letter case or by a
trailing ``/``, the finding points at it and says so. Targets that use client credentials or
the device code flow send no redirect URI and are skipped.

**Why.** Entra compares the ``redirect_uri`` of the authorization request with the registered
ones; any difference fails the consent with ``AADSTS50011`` (reply URL mismatch), and with no
redirect URI registered at all with ``AADSTS500113``.

**Fix.** Add the exact URI to ``redirect_uris:`` and to App registrations › <app> ›
Authentication › <platform> › Add URI (or correct the near-miss entry the finding points at).

Source: https://learn.microsoft.com/en-us/entra/identity-platform/reply-url (case-sensitive;
trailing ``/`` added to a URI without path); each kind's facts (redirect URI per
target).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.locations import PathKey
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.general._redirects import describe_near_miss, near_miss, same_redirect
from mailoauth_cfg.rules.microsoft._common import (
    expected_redirects,
    microsoft_apps,
    portal,
    redirect_platform,
    target_list,
)


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Check that every redirect URI a target sends is declared on its app."""
    for plan in microsoft_apps(ctx):
        declared = plan.app.redirect_uris
        if declared is None:
            continue
        where = portal(plan, "Authentication", redirect_platform(plan.app))
        for uri, senders in expected_redirects(plan).items():
            if any(same_redirect(uri, registered, "microsoft") for registered in declared):
                continue
            path: PathKey = ("apps", plan.name, "redirect_uris")
            detail = ""
            for index, registered in enumerate(declared):
                kind = near_miss(uri, registered, "microsoft")
                if kind is not None:
                    path = (*path, index)
                    detail = f"; the declared {registered} {describe_near_miss(kind, 'microsoft')}"
                    break
            fix = (
                f"replace {declared[path[-1]]} with {uri} in redirect_uris and under {where}"
                if detail and isinstance(path[-1], int)
                else f"add {uri} to apps.{plan.name}.redirect_uris and register it: {where} › "
                "Add URI"
            )
            yield ctx.finding(
                RULE,
                f"app {plan.name} does not register {uri}, the redirect URI "
                f"{target_list(senders)} send{'s' if len(senders) == 1 else ''}: the consent "
                f"fails with AADSTS50011{detail}",
                path,
                fix=fix,
                object=plan.object,
            )


RULE = Rule.define(
    __doc__,
    id="ms-redirect-uri-missing",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="microsoft",
    impacts=((Severity.ERROR, "the redirect URI the target sends is not registered: AADSTS50011"),),
)

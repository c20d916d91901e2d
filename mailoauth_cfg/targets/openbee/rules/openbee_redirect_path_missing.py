"""An Open Bee target with Microsoft 365 OAuth does not give its redirect path.

**What.** An ``openbee`` target with a Microsoft app and ``auth: oauth2`` has no
``redirect_path``: an info (the path is a fact of the portal, not a mistake; ``--online``
compares the registration with what the portal's host serves).

**Why.** Open Bee's redirect URI is ``https://<portal domain>/<path>``, and the path appears only
in a screenshot of Open Bee's documentation: the tool cannot compute it, so it can neither tell
which URI to register on the app nor check the registration. A wrong URI fails the consent popup
(AADSTS50011), which Open Bee reports as crashing the application.

**Fix.** Copy the redirect URI shown on Open Bee's configuration page (Administration › General
Configuration › custom SMTP › method OAuth2) and set its path: ``redirect_path: /...``. When the
app already declares ``redirect_uris``, the message proposes the path of the one on the portal's
host.

Source: https://help.openbee.com/ (Office 365 and G Suite SMTP configuration);
the Open Bee facts (``RedirectPattern.user_supplied``).
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._common import target_path
from mailoauth_cfg.targets.openbee.model import OpenbeeTarget


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Find Microsoft Open Bee targets without ``redirect_path``."""
    for plan, target in ctx.targets_of(OpenbeeTarget):
        ms = plan.microsoft
        if ms is None:
            continue
        if target.auth != "oauth2" or target.redirect_path is not None:
            continue
        if not ms.redirect.user_supplied:
            continue
        host = (urlsplit(target.url).hostname or "").lower()
        guess = None
        if plan.app is not None and plan.app.redirect_uris:
            for uri in sorted(plan.app.redirect_uris):
                parts = urlsplit(uri)
                if (parts.hostname or "").lower() == host and parts.path not in ("", "/"):
                    guess = parts.path
                    break
        if guess is not None:
            fix = f"set `redirect_path: {guess}` (from the app's registered {host} URI) after "
            fix += "checking it against Open Bee's OAuth2 SMTP page"
        else:
            fix = (
                "copy the redirect URI shown in Open Bee (Administration › General Configuration"
                f" › custom SMTP › OAuth2) and set its path: `redirect_path: /...` on {plan.name}"
            )
        yield ctx.finding(
            RULE,
            f"target {plan.name}: Open Bee's redirect URI is {target.url.rstrip('/')}/<path> "
            "and the path is shown only on the portal; without redirect_path the URI to "
            "register cannot be checked here (it is checked by --online against the "
            "registration)",
            target_path(plan.name),
            fix=fix,
            object=plan.object,
            at_key=True,
        )


RULE = Rule.define(
    __doc__,
    id="openbee-redirect-path-missing",
    severity=Severity.INFO,
    check=check,
    options=RuleOptions,
    family="targets",
    impacts=((Severity.INFO, "the redirect path is only on the portal: checked by --online"),),
)

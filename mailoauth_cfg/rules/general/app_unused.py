"""An app registration is declared but no target uses it.

**What.** ``apps.<name>`` is referenced by no ``targets.<t>.app``.

**Why.** An unused app registration usually means a renamed reference or a forgotten leftover.
Its secret, certificate, consents and redirect URIs stay valid in the tenant, so it is a
credential nobody monitors: exactly what an attacker looks for. Rules that check an app against
its targets (permissions, redirect URIs, platform) have nothing to compare it with.

**Fix.** Reference it from the target that should use it (``app: <name>``), or delete it: remove
``apps.<name>`` and the registration (Entra admin center › App registrations › <app> › Delete;
Google Cloud console › APIs & Services › Credentials › delete the OAuth client).

Source: https://learn.microsoft.com/en-us/entra/identity-platform/security-best-practices-for-app-registration
(remove unused applications and credentials); leftover registrations reported in
ansible-collections/azure#1264, hashicorp/terraform-provider-azuread#200.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Report apps no target references."""
    for plan in ctx.app_plans():
        if plan.targets:
            continue
        credential = plan.app.client_secret is not None or plan.app.certificate is not None
        live = " and still holds a credential" if credential else ""
        yield ctx.finding(
            RULE,
            f"app {plan.name} is used by no target{live}",
            ("apps", plan.name),
            at_key=True,
            fix=f"reference it from a target with `app: {plan.name}`, or delete apps.{plan.name} "
            "and its registration (and its secrets)",
            object=plan.object,
        )


RULE = Rule.define(
    __doc__,
    id="app-unused",
    severity=Severity.INFO,
    check=check,
    options=RuleOptions,
    family="general",
    impacts=((Severity.INFO, "an unused credential to clean up: nothing breaks"),),
)

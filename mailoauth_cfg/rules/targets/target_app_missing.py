"""A target that authenticates with OAuth names no app registration or OAuth client.

**What.** ``targets.<name>`` has ``auth: oauth2`` (the default), its kind obtains a token for the
provider (catalog bootstrap other than ``none``), and it has no ``app:``.

**Why.** Every OAuth token is issued to a client: without the app the tool cannot compute the
redirect URI and permissions to register, and the application has no client ID or secret to
put in its settings.

**Fix.** Add ``app: <name>`` naming an app of the mailbox's provider (declare it under
``apps:`` first if needed), or set ``auth:`` to what the target really uses.

Source: each kind's facts (``bootstrap`` per profile) and the
application sources cited there.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._common import target_path


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Find OAuth targets without ``app:``."""
    for plan in ctx.target_plans():
        target = plan.target
        if target.app is not None or target.auth != "oauth2":
            continue
        profile = plan.profile
        if profile is not None and profile.bootstrap == "none":
            continue
        candidates = sorted(
            name
            for name, app in ctx.config.apps.items()
            if plan.provider_name is None or app.provider == plan.provider_name
        )
        if candidates:
            fix = f"add `app: {candidates[0]}` to target {plan.name}" + (
                f" (apps of that provider: {', '.join(candidates)})" if len(candidates) > 1 else ""
            )
        else:
            owner = f" in provider {plan.provider_name}" if plan.provider_name else ""
            fix = (
                f"declare the app registration / OAuth client{owner} under `apps:` and add "
                f"`app: <name>` to target {plan.name}"
            )
        yield ctx.finding(
            RULE,
            f"target {plan.name} ({plan.facts.display_name}) uses OAuth but names no app",
            target_path(plan.name),
            fix=fix,
            object=plan.object,
            at_key=True,
        )


RULE = Rule.define(
    __doc__,
    id="target-app-missing",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="targets",
    impacts=((Severity.ERROR, "the target names no client: no token can be issued"),),
)

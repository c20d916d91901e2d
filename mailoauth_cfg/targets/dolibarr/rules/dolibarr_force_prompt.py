"""A Dolibarr target forces the Microsoft consent prompt, or sets it where it has no effect.

**What.** ``force_prompt: consent`` on a ``dolibarr`` target whose provider class is
``MICROSOFT3`` (warning), or ``force_prompt`` set while the class is not ``MICROSOFT3`` (info:
``OAUTH_MICROSOFT3_FORCE_PROMPT`` only affects that entry).

**Why.** ``prompt=consent`` shows the consent screen on every token generation. In tenants where
user consent is disabled (a common hardening baseline) the mailbox owner gets "Approval
required" instead, and approving the request does not help: the next attempt asks again, an
endless loop. The only way out is to consent as an administrator, which stores a privileged
account's refresh token in ``llx_oauth_token``. Dolibarr issue #40004 made the prompt
configurable with ``select_account`` as default (merged, backported to 23.0); before that fix
``prompt=consent`` was hard-coded, so also check that the 23.0.x in use includes it.

**Fix.** Grant admin consent once (Entra admin center › App registrations › <app> › API
permissions › Grant admin consent) and use ``force_prompt: select_account`` (or omit it).

Source: https://github.com/Dolibarr/dolibarr/issues/40004;
https://github.com/Dolibarr/dolibarr/pull/40217; https://github.com/Dolibarr/dolibarr/pull/40257.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._common import target_path
from mailoauth_cfg.targets.dolibarr import provider_class_of
from mailoauth_cfg.targets.dolibarr.model import DolibarrTarget


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Inspect ``force_prompt`` of Dolibarr targets."""
    for plan, target in ctx.targets_of(DolibarrTarget):
        provider = provider_class_of(plan)
        if target.force_prompt is None:
            continue
        if provider is None:
            continue
        where = target_path(plan.name, "force_prompt")
        if provider.key != "MICROSOFT3":
            yield ctx.finding(
                RULE,
                f"target {plan.name}: force_prompt sets OAUTH_MICROSOFT3_FORCE_PROMPT, which "
                f"the {provider.key} entry ignores",
                where,
                fix=f"remove `force_prompt` from target {plan.name}",
                object=plan.object,
                severity=Severity.INFO,
            )
        elif target.force_prompt == "consent":
            app = f" on app {plan.app_name}" if plan.app_name else ""
            yield ctx.finding(
                RULE,
                f"target {plan.name}: force_prompt consent makes every token generation show "
                "the consent screen; where user consent is disabled the mailbox owner loops on "
                "'Approval required' (Dolibarr issue #40004)",
                where,
                fix=f"set `force_prompt: select_account` and grant admin consent{app} (Entra "
                "admin center › App registrations › API permissions › Grant admin consent)",
                object=plan.object,
            )


RULE = Rule.define(
    __doc__,
    id="dolibarr-force-prompt",
    severity=Severity.WARNING,
    check=check,
    options=RuleOptions,
    family="targets",
)

"""A Dolibarr MICROSOFT3 entry sends a consent prompt that users of its tenant cannot answer.

**What.** For a ``dolibarr`` target with the ``MICROSOFT3`` provider class, the ``prompt`` its
callback sends depends on the version: before the fix of Dolibarr PR #40257 (facts
``FORCE_PROMPT``: 25, inferred from its merge in September 2026; 23.0 verified) it always sends
``prompt=consent``; from then on ``OAUTH_MICROSOFT3_FORCE_PROMPT`` (``force_prompt``) decides,
``select_account`` by default. Reported:

* ``prompt=consent`` (the version, or ``force_prompt: consent``) in a tenant whose users may not
  consent (``providers.<p>.user_consent: disabled`` or ``low-impact``): error, the token cannot
  be obtained;
* ``force_prompt: consent`` where the tenant's consent setting is not declared: warning (it
  breaks where user consent is off);
* ``force_prompt`` declared on a version that ignores it, or on another class than
  MICROSOFT3: info (the setting has no effect).

**Why.** ``prompt=consent`` shows the consent screen to the mailbox owner at every token
generation. Where users cannot consent, the owner gets "Approval required" instead, and
approving does not help: the next attempt asks again, an endless loop, even after an
administrator granted consent (Dolibarr issue #40004).

**Fix.** On a version with the fix: ``force_prompt: select_account`` with admin consent granted.
Before it: let users consent to the app while the token is generated (Enterprise applications ›
Consent and permissions), or update Dolibarr.

Source: https://github.com/Dolibarr/dolibarr/pull/40257 (issue #40004);
Dolibarr/dolibarr:htdocs/core/modules/oauth/microsoft3_oauthcallback.php (verified on 23.0).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Edit, Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._common import target_path
from mailoauth_cfg.targets.dolibarr import has_force_prompt, provider_class_of
from mailoauth_cfg.targets.dolibarr.facts import FORCE_PROMPT
from mailoauth_cfg.targets.dolibarr.model import DolibarrTarget


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Inspect the prompt each Dolibarr MICROSOFT3 target sends."""
    for plan, target in ctx.targets_of(DolibarrTarget):
        provider = provider_class_of(plan)
        if provider is None or plan.provider_type != "microsoft":
            continue
        where = target_path(plan.name, "force_prompt")
        declared = target.force_prompt
        if provider.key != "MICROSOFT3":
            if declared is not None:
                yield ctx.finding(
                    RULE,
                    f"target {plan.name}: force_prompt sets OAUTH_MICROSOFT3_FORCE_PROMPT, which "
                    f"the {provider.key} entry ignores",
                    where,
                    fix=f"remove `force_prompt` from target {plan.name}",
                    object=plan.object,
                    severity=Severity.INFO,
                    edits=(Edit("delete", where),),
                )
            continue
        supported = has_force_prompt(target.declared_version)
        prompt = (declared or "select_account") if supported else "consent"
        consent = getattr(plan.provider, "user_consent", None)
        if prompt == "consent" and consent in ("disabled", "low-impact"):
            cause = (
                f"Dolibarr {target.declared_version} always sends prompt=consent (the "
                f"OAUTH_MICROSOFT3_FORCE_PROMPT setting needs {FORCE_PROMPT.since} or later)"
                if not supported
                else "force_prompt: consent sends prompt=consent"
            )
            yield ctx.finding(
                RULE,
                f"target {plan.name}: {cause}, and users of tenant {plan.provider_name} may not "
                f"consent (user_consent: {consent}): the mailbox owner loops on 'Approval "
                "required' and no token is obtained (Dolibarr issue #40004)",
                where if ctx.declared(where) else plan.path,
                at_key=not ctx.declared(where),
                fix=(
                    "set `force_prompt: select_account` and grant admin consent"
                    if supported
                    else "let users consent to this app while the token is generated, or move "
                    f"to Dolibarr {FORCE_PROMPT.since} or later with `force_prompt: "
                    "select_account` and admin consent granted"
                ),
                object=plan.object,
                severity=Severity.ERROR,
                edits=(Edit("set", where, "select_account"),) if supported else (),
            )
            continue
        if declared is not None and not supported:
            yield ctx.finding(
                RULE,
                f"target {plan.name}: Dolibarr {target.declared_version} has no "
                f"OAUTH_MICROSOFT3_FORCE_PROMPT setting (it arrived with PR #40257, "
                f"{FORCE_PROMPT.since} or later): it sends prompt=consent, force_prompt is "
                "ignored",
                where,
                fix=f"remove `force_prompt` (or update Dolibarr to {FORCE_PROMPT.since})",
                object=plan.object,
                severity=Severity.INFO,
                edits=(Edit("delete", where),),
            )
        elif declared == "consent":
            yield ctx.finding(
                RULE,
                f"target {plan.name}: force_prompt consent makes every token generation show "
                "the consent screen; where user consent is disabled the mailbox owner loops on "
                "'Approval required' (Dolibarr issue #40004)",
                where,
                fix="set `force_prompt: select_account` and grant admin consent",
                object=plan.object,
                severity=Severity.WARNING,
                edits=(Edit("set", where, "select_account"),),
            )


RULE = Rule.define(
    __doc__,
    id="dolibarr-force-prompt",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="targets",
    impacts=(
        (Severity.ERROR, "prompt=consent where users cannot consent: no token"),
        (Severity.WARNING, "force_prompt: consent breaks where user consent is off"),
        (Severity.INFO, "force_prompt has no effect on this version or class"),
    ),
    fixable=True,
)

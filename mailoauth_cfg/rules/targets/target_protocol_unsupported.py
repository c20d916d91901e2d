"""A target lists a protocol its application does not support with that provider.

**What.** An entry of ``targets.<name>.protocols`` (``smtp``, ``imap``, ``pop``; default
``[smtp]``) is not among the protocols the catalog gives for the target kind and provider type,
e.g. ``pop`` on Dolibarr, ``smtp`` on WaveSoft (its OAuth covers receiving mail only) or ``imap``
on GLPI with Google.

**Why.** The application has no OAuth setting for that protocol, so the permission would be
granted for nothing and the mail flow the config promises never happens.

**Fix.** Remove the protocol from ``protocols:`` (or set the list explicitly when the default
``[smtp]`` does not apply), or use another target type for that mail flow.

Source: each kind's facts (``MicrosoftProfile.protocols``,
``GoogleProfile.protocols``) and the application sources cited there.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._common import declared, human_list, target_path


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Compare each listed protocol with the kind's supported protocols."""
    for plan in ctx.target_plans():
        ptype = plan.provider_type
        if ptype is not None and plan.profile is None:
            continue  # target-provider-unsupported reports it
        supported = plan.facts.protocols(ptype)
        with_what = f" with {ptype}" if ptype else ""
        is_declared = declared(ctx, target_path(plan.name, "protocols"))
        if not is_declared:
            continue  # omitted: the protocol the kind supports is derived
        keep = [p for p in plan.protocols if p in supported]
        keep_text = ", ".join(dict.fromkeys(keep or supported[:1]))
        for index, proto in enumerate(plan.protocols):
            if proto in supported:
                continue
            path = target_path(plan.name, "protocols", index)
            at_key = False
            yield ctx.finding(
                RULE,
                f"target {plan.name}: {plan.facts.display_name} does not support {proto}"
                f"{with_what}; it supports {human_list(supported)}",
                path,
                fix=f"set `protocols: [{keep_text}]` on target {plan.name}",
                object=plan.object,
                at_key=at_key,
            )


RULE = Rule.define(
    __doc__,
    id="target-protocol-unsupported",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="targets",
    impacts=((Severity.ERROR, "the application has no OAuth for that protocol"),),
)

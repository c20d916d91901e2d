"""A Dolibarr OAuth token's service name exceeds the 36 characters of its column.

**What.** ``<Class>-<label>`` (``Microsoft3-<label>``, ``Google-<label>``...) of a ``dolibarr``
target is longer than ``llx_oauth_token.service`` allows (36 characters): the label may be at
most 36 − len(class) − 1 characters (25 with ``Microsoft3``).

**Why.** The token row is stored under that name; a longer name is truncated (or refused in
strict SQL mode), so the token saved after the consent is never found again and sending fails
with "no token".

**Fix.** Shorten the label to the length given in the message.

Source: Dolibarr/dolibarr:htdocs/install/mysql/tables/llx_oauth_token.sql (``service
varchar(36)``); ``SERVICE_NAME_MAX_LENGTH`` of the
Dolibarr facts.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._common import target_path
from mailoauth_cfg.targets.dolibarr import provider_class_of
from mailoauth_cfg.targets.dolibarr.facts import SERVICE_NAME_MAX_LENGTH
from mailoauth_cfg.targets.dolibarr.model import DolibarrTarget


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Compute each Dolibarr token service name and compare its length with the column."""
    for plan, target in ctx.targets_of(DolibarrTarget):
        provider = provider_class_of(plan)
        if provider is None:
            continue
        limit = SERVICE_NAME_MAX_LENGTH
        service = provider.service_name(target.label)
        if len(service) <= limit:
            continue
        longest = limit - len(provider.service_class) - 1
        yield ctx.finding(
            RULE,
            f"target {plan.name}: token service name {service!r} is {len(service)} characters; "
            f"llx_oauth_token.service holds {limit}, so labels of {provider.key} may have at "
            f"most {longest}",
            target_path(plan.name, "label"),
            fix=f"set `label: {target.label[:longest].rstrip('_') or 'Emails'}`",
            object=plan.object,
        )


RULE = Rule.define(
    __doc__,
    id="dolibarr-service-name-too-long",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="targets",
    impacts=((Severity.ERROR, "the token row is truncated and never found: no token"),),
)

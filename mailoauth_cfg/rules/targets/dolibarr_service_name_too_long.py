"""A Dolibarr OAuth token's service name exceeds the 36 characters of its column.

**What.** ``<Class>-<label>`` (``Microsoft3-<label>``, ``Google-<label>``...) of a ``dolibarr``
target is longer than ``llx_oauth_token.service`` allows (36 characters): the label may be at
most 36 − len(class) − 1 characters (25 with ``Microsoft3``).

**Why.** The token row is stored under that name; a longer name is truncated (or refused in
strict SQL mode), so the token saved after the consent is never found again and sending fails
with "no token".

**Fix.** Shorten the label to the length given in the message.

Source: Dolibarr/dolibarr:htdocs/install/mysql/tables/llx_oauth_token.sql (``service
varchar(36)``); mailoauth_cfg/catalog/targets.py constraint ``dolibarr-service-name-length``.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.catalog.targets import dolibarr_max_label_length
from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.model import DolibarrTarget
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._common import constraint, int_value, plans_of, target_path


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Compute each Dolibarr token service name and compare its length with the column."""
    for plan in plans_of(ctx, "dolibarr"):
        target = plan.target
        provider = plan.dolibarr
        if not isinstance(target, DolibarrTarget) or provider is None:
            continue
        limit = int_value(constraint(plan.kind, "dolibarr-service-name-length"))
        service = provider.service_name(target.label)
        if len(service) <= limit:
            continue
        longest = dolibarr_max_label_length(provider.key)
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
)

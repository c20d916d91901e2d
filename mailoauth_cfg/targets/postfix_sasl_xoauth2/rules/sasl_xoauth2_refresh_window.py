"""A sasl-xoauth2 relay through the High Volume Email endpoint refreshes tokens too late.

**What.** A ``postfix-sasl-xoauth2`` target relays through ``smtp-hve.office365.com`` (its
``relay``, or the provider's ``endpoints.smtp``) and ``refresh_window`` is missing or below 600
seconds.

**Why.** sasl-xoauth2 refreshes the access token only ``refresh_window`` seconds before it
expires (10 s by default). Its documentation requires at least 600 s when relaying through the
High Volume Email endpoint: with less, tokens are refreshed too late for HVE and relaying fails
until the next refresh.

**Fix.** Set ``refresh_window: 600`` (rendered into ``/etc/sasl-xoauth2.conf`` or the token
file).

Source: tarickb/sasl-xoauth2:docs/sasl-xoauth2.conf.5.md (``refresh_window``);
``HVE_REFRESH_WINDOW`` of the sasl-xoauth2 facts.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.catalog.microsoft import SMTP_HVE_HOST
from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.locations import PathKey
from mailoauth_cfg.model import MicrosoftProvider
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._common import (
    host_of,
    target_path,
)
from mailoauth_cfg.targets.postfix_sasl_xoauth2.facts import HVE_REFRESH_WINDOW
from mailoauth_cfg.targets.postfix_sasl_xoauth2.model import PostfixTarget


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Check ``refresh_window`` of sasl-xoauth2 targets that relay through HVE."""
    for plan, target in ctx.targets_of(PostfixTarget):
        relay_path: PathKey = target_path(plan.name, "relay")
        relay = target.relay
        provider = plan.provider
        if relay is None and isinstance(provider, MicrosoftProvider) and provider.endpoints:
            relay = provider.endpoints.smtp
            relay_path = ("providers", plan.provider_name or "", "endpoints", "smtp")
        if host_of(relay) != SMTP_HVE_HOST:
            continue
        minimum = HVE_REFRESH_WINDOW
        window = target.refresh_window
        if window is not None and window >= minimum:
            continue
        if window is None:
            message = (
                f"target {plan.name} relays through {SMTP_HVE_HOST} without refresh_window "
                f"(sasl-xoauth2 default 10 s); HVE needs >= {minimum}"
            )
            path = target_path(plan.name, "relay") if target.relay else relay_path
        else:
            message = (
                f"target {plan.name}: refresh_window {window} is below the {minimum} s "
                f"{SMTP_HVE_HOST} needs"
            )
            path = target_path(plan.name, "refresh_window")
        yield ctx.finding(
            RULE,
            message,
            path,
            fix=f"set `refresh_window: {minimum}` on target {plan.name}",
            object=plan.object,
        )


RULE = Rule.define(
    __doc__,
    id="sasl-xoauth2-refresh-window",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="targets",
    impacts=(
        (Severity.ERROR, "tokens are refreshed too late for the HVE endpoint: relaying fails"),
    ),
)

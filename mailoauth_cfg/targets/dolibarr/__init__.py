"""Dolibarr ERP/CRM with its core OAuth module: one OAuth service entry per mailbox."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mailoauth_cfg.catalog.microsoft import scope_audience
from mailoauth_cfg.targets._plugin import Plugin, ScopeCheckboxes
from mailoauth_cfg.targets.dolibarr.facts import FACTS
from mailoauth_cfg.targets.dolibarr.model import DolibarrTarget
from mailoauth_cfg.targets.dolibarr.providers import (
    PROVIDER_CLASSES,
    DolibarrProvider,
    class_of,
    has_microsoft3,
)

if TYPE_CHECKING:
    from mailoauth_cfg.derive import TargetPlan
    from mailoauth_cfg.targets._facts import BootstrapKind


def provider_class_of(plan: TargetPlan) -> DolibarrProvider | None:
    """The OAuth provider class a Dolibarr or MultiSMTP target uses (explicit or default)."""
    explicit = getattr(plan.target, "oauth_provider", None)
    return class_of(explicit, plan.target.declared_version, plan.provider_type)


class DolibarrPlugin(Plugin):
    """Dolibarr: the provider class decides the redirect callback, the flow and the scopes."""

    def redirect(self, plan: TargetPlan) -> tuple[str | None, str]:
        """The core callback of the provider class (none for client credentials)."""
        profile = plan.profile
        provider = provider_class_of(plan)
        if profile is None or provider is None:
            return super().redirect(plan)
        if provider.redirect_path is None:
            return None, f"{provider.key} uses client credentials (no redirect)"
        pattern = profile.redirect
        try:
            uri = pattern.render(plan.target.base_url, callback=provider.callback)
        except ValueError:
            return None, pattern.reason
        return uri, pattern.reason

    def bootstrap(self, plan: TargetPlan) -> BootstrapKind | None:
        """Client credentials with the MICROSOFTAPP class, else the profile's flow."""
        provider = provider_class_of(plan)
        if plan.profile is not None and provider and provider.flow == "client-credentials":
            return "client-credentials"
        return super().bootstrap(plan)

    def runbook_context(self, plan: TargetPlan) -> dict[str, Any]:
        """``provider_class``: the class whose entry the runbook configures."""
        return {"provider_class": provider_class_of(plan)}

    def scope_checkboxes(self, plan: TargetPlan) -> ScopeCheckboxes | None:
        """The scopes the entry's class offers: the admin ticks them in Dolibarr."""
        provider = provider_class_of(plan)
        target = plan.target
        if provider is None or provider.provider != "microsoft":
            return None
        if not any(scope_audience(s) == "outlook" for s in provider.offered_scopes):
            return None
        label = target.label if isinstance(target, DolibarrTarget) else ""
        entry = provider.service_ref(label)
        if has_microsoft3(target.declared_version):
            fix = (
                "set `oauth_provider: MICROSOFT3` (offers only offline_access and the Outlook "
                "scopes) and create the MICROSOFT3 entry in Setup › Modules › OAuth › OAuth "
                "services"
            )
        else:
            fix = (
                f"leave {{graph}} unticked on the {entry} entry (Setup › Modules › OAuth › "
                "OAuth services: only offline_access and the Outlook scopes) and remove it from "
                f"apps.{plan.app_name}.permissions; on Dolibarr 23+ use MICROSOFT3"
            )
        return ScopeCheckboxes(
            entry=entry,
            offered_by=f"Dolibarr's {provider.key} provider class",
            offered=provider.offered_scopes,
            fix=fix,
            keys=("oauth_provider", "version"),
        )

    def reference(self) -> list[str]:
        """The OAuth provider classes a Dolibarr entry can use."""
        lines = [
            "| provider class | shown as | callback | flow | tenant field | since | note "
            "| source |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for p in PROVIDER_CLASSES.values():
            lines.append(
                f"| `{p.key}` | {p.display_name} | `{p.callback_file}` | {p.flow} | "
                f"{'yes' if p.tenant_field else 'no'} | {p.min_version or ''} | {p.note} | "
                f"{p.source} |"
            )
        return lines


PLUGIN = DolibarrPlugin(__name__, model=DolibarrTarget, facts=FACTS)

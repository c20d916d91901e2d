"""Dolibarr ERP/CRM with its core OAuth module: one OAuth service entry per mailbox."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mailoauth_cfg.catalog.microsoft import scope_audience
from mailoauth_cfg.targets._plugin import EntryBinding, Plugin, ScopeCheckboxes
from mailoauth_cfg.targets.dolibarr.facts import FACTS, FORCE_PROMPT, PAGES, VERSIONS
from mailoauth_cfg.targets.dolibarr.model import DolibarrTarget
from mailoauth_cfg.targets.dolibarr.providers import (
    PROVIDER_CLASSES,
    DolibarrProvider,
    class_of,
    entry_label,
    entry_scopes,
    has_microsoft3,
    requested_scopes,
)

if TYPE_CHECKING:
    from mailoauth_cfg.derive import TargetPlan
    from mailoauth_cfg.targets._facts import BootstrapKind


def provider_class_of(plan: TargetPlan) -> DolibarrProvider | None:
    """The OAuth provider class a Dolibarr or MultiSMTP target uses (explicit or default)."""
    explicit = getattr(plan.target, "oauth_provider", None)
    return class_of(explicit, plan.target.declared_version, plan.provider_type)


def has_force_prompt(version: str | None) -> bool:
    """Whether Dolibarr ``version`` honours ``OAUTH_MICROSOFT3_FORCE_PROMPT`` (the fix of PR
    #40257); an unknown version is taken as not having it."""
    return version is not None and not VERSIONS.format.older(version, FORCE_PROMPT.since)


def prompt_sent(plan: TargetPlan) -> str | None:
    """The ``prompt`` a MICROSOFT3 entry sends (``None``: no prompt parameter)."""
    force = getattr(plan.target, "force_prompt", None)
    if not has_force_prompt(plan.target.declared_version):
        return "consent"
    if force == "none":
        return None
    return force or "select_account"


def instance_key(plan: TargetPlan) -> tuple[str, str, str]:
    """What identifies a Dolibarr instance's OAuth entries: its URL and entity."""
    url = (plan.target.base_url or "").strip().rstrip("/").lower()
    return FACTS.display_name, url, str(getattr(plan.target, "entity", 1))


def entry_display(provider: DolibarrProvider, label: str) -> str:
    """An entry as Dolibarr's Token Manager shows it."""
    return PAGES.entry(provider.display_name, label)


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
        """The class whose entry the runbook configures, the page's own labels, the prompt
        Dolibarr sends and the authorize URL of the entry."""
        provider = provider_class_of(plan)
        google = plan.google
        return {
            "provider_class": provider,
            "pages": PAGES,
            "prompt": prompt_sent(plan) if provider and provider.key == "MICROSOFT3" else None,
            "force_prompt_since": FORCE_PROMPT.since,
            "authorize_url": google.authorize_url if google is not None else None,
            "entry_display": entry_display,
        }

    def normalise_scopes(self, plan: TargetPlan, scopes: tuple[str, ...]) -> tuple[str, ...]:
        """Google's short names as the scopes they request (``gmail_full``)."""
        provider = provider_class_of(plan)
        return scopes if provider is None else requested_scopes(provider, scopes)

    def offered_scopes(self, plan: TargetPlan) -> tuple[str, ...] | None:
        """The checkboxes the entry's provider class offers."""
        provider = provider_class_of(plan)
        return None if provider is None else provider.offered_scopes

    def repair_scopes(self, plan: TargetPlan, mailbox: str | None) -> list[str] | None:
        """The checkboxes to tick for the target's protocols."""
        del mailbox
        provider = provider_class_of(plan)
        if provider is None:
            return None
        profile = plan.microsoft
        needed = profile.required_permissions(list(plan.protocols)) if profile else ()
        google = plan.google.scopes if plan.google is not None else ()
        return entry_scopes(provider, needed, google)

    def entry_bindings(self, plan: TargetPlan) -> list[EntryBinding]:
        """A core target binds its mailbox to the entry ``<PROV>-<label>`` of its instance."""
        provider = provider_class_of(plan)
        target = plan.target
        if provider is None or not isinstance(target, DolibarrTarget) or not target.users:
            return []
        ref = provider.service_ref(target.label)
        path = (*plan.path, "label")
        return [
            EntryBinding(
                key=(*instance_key(plan), ref.lower()),
                label=ref,
                mailbox=mailbox,
                target=plan.name,
                path=path,
                own_entry=entry_label(mailbox, plan.provider_type, {(target.label or "").lower()}),
            )
            for mailbox in target.users[:1]
        ]

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

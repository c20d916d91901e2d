"""Dolibarr with the MultiSMTP module: each Dolibarr user sends with their own OAuth token.

As the module's vendor documents it, each user gets a core OAuth service of their own (an entry
``OAUTH_<PROV>-<label>`` of Dolibarr's OAuth2 token management module), selected on the user's
Email tab (``llx_user2smtp.smtp_oauth_service``). The module's per-user custom credentials are
used only when an OAuth service is selected, so they are not the way to configure it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mailoauth_cfg.targets._plugin import EntryBinding
from mailoauth_cfg.targets.dolibarr import DolibarrPlugin, instance_key, provider_class_of
from mailoauth_cfg.targets.dolibarr.providers import entry_label
from mailoauth_cfg.targets.dolibarr_multismtp.facts import FACTS
from mailoauth_cfg.targets.dolibarr_multismtp.model import MultismtpTarget

if TYPE_CHECKING:
    from mailoauth_cfg.derive import TargetPlan


def user_entries(plan: TargetPlan) -> list[tuple[str, str, tuple[str | int, ...] | None]]:
    """``(mailbox, entry label, where it is declared)`` of each mailbox of a MultiSMTP target:
    its ``accounts.<mailbox>.entry``, else a label of its own derived from the mailbox
    (``JeanDupontMicrosoft365``), distinct within the target."""
    target = plan.target
    out: list[tuple[str, str, tuple[str | int, ...] | None]] = []
    declared: dict[str, str] = {}
    for mailbox in target.users:
        account = target.account(mailbox)
        entry = getattr(account, "entry", None) if account is not None else None
        if entry:
            declared[mailbox.lower()] = entry
    used = {entry.lower() for entry in declared.values()}
    for mailbox in target.users:
        entry = declared.get(mailbox.lower())
        if entry is not None:
            out.append((mailbox, entry, (*plan.path, "accounts", mailbox, "entry")))
            continue
        label = entry_label(mailbox, plan.provider_type, used)
        used.add(label.lower())
        out.append((mailbox, label, None))
    return out


class MultismtpPlugin(DolibarrPlugin):
    """MultiSMTP users select core OAuth services, one per mailbox."""

    def entry_bindings(self, plan: TargetPlan) -> list[EntryBinding]:
        """Each mailbox is bound to the entry its user's Email tab selects."""
        provider = provider_class_of(plan)
        if provider is None or not isinstance(plan.target, MultismtpTarget):
            return []
        entries = user_entries(plan)
        used = {label.lower() for _, label, _ in entries}
        instance = instance_key(plan)
        return [
            EntryBinding(
                key=(*instance, provider.service_ref(label).lower()),
                label=provider.service_ref(label),
                mailbox=mailbox,
                target=plan.name,
                path=path,
                own_entry=entry_label(mailbox, plan.provider_type, used),
            )
            for mailbox, label, path in entries
        ]

    def runbook_context(self, plan: TargetPlan) -> dict[str, Any]:
        """The core runbook context and each mailbox's entry."""
        context = super().runbook_context(plan)
        context["user_entries"] = {m.lower(): label for m, label, _ in user_entries(plan)}
        return context

    def reference(self) -> list[str]:
        """The provider classes are listed under ``dolibarr``."""
        return ["Provider classes: those of the core OAuth module (see `dolibarr`)."]


PLUGIN = MultismtpPlugin(__name__, model=MultismtpTarget, facts=FACTS)

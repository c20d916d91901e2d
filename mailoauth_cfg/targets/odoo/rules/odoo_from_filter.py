"""An Odoo mailbox has aliases, but Odoo's OAuth mail server sends only as the mailbox itself.

**What.** A mailbox of an ``odoo`` target declares ``aliases``.

**Why.** With Outlook or Gmail authentication Odoo sets the mail server's ``from_filter`` to its
``smtp_user``: only messages whose From is exactly that mailbox are routed through the server.
Mail from an alias does not match, so Odoo sends it through another server (or not at all), even
though the mailbox could send as its alias.

**Fix.** Send from the mailbox address itself, or declare another Odoo mail server (and target)
for the addresses that must go out; nothing to change if the aliases only receive mail.

Source: odoo/odoo:addons/microsoft_outlook (``from_filter`` set to ``smtp_user``);
the Odoo facts' notes.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._common import target_path
from mailoauth_cfg.targets.odoo.model import OdooTarget


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Report Odoo mailboxes with aliases."""
    for plan, target in ctx.targets_of(OdooTarget):
        if "smtp" not in plan.protocols:
            continue
        for index, email in enumerate(target.users):
            user = ctx.user(email)
            if user is None or not user.aliases:
                continue
            aliases = ", ".join(user.aliases)
            yield ctx.finding(
                RULE,
                f"target {plan.name}: from_filter is set to smtp_user: mail is sent only as the "
                f"token owner. Mail from {aliases} does not match "
                f"from_filter {email}",
                target_path(plan.name, "users", index),
                fix=f"send from {email} in Odoo, or declare another mail server for {aliases}",
                object=plan.object,
            )


RULE = Rule.define(
    __doc__,
    id="odoo-from-filter",
    severity=Severity.INFO,
    check=check,
    options=RuleOptions,
    family="targets",
    impacts=((Severity.INFO, "mail from an alias is routed elsewhere: advice"),),
)

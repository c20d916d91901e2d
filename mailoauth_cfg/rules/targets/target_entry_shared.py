"""Several mailboxes are bound to one OAuth entry of an application, which holds one token.

**What.** Applications that keep named OAuth entries (Dolibarr's OAuth services
``OAUTH_<PROV>-<label>``, which the core e-mail setup and MultiSMTP users select) hold one token
per entry. Reported when, on one application instance (same URL and entity), two different
mailboxes are bound to the same entry: two Dolibarr targets with the same ``label``, or two
MultiSMTP users whose ``accounts.<mailbox>.entry`` is the same. The same mailbox bound to one
entry from several places (the main and ticket contexts, two users sending as one mailbox)
is fine.

**Why.** The entry's token belongs to whoever signed in last on its Token Manager line: every
other mailbox bound to it then sends with that account's token, as that mailbox (or is refused:
``535 5.7.3``). "Un service OAuth = un utilisateur".

**Fix.** Give each mailbox its own entry (a distinct ``label`` / ``entry``, letters and digits
only); the finding carries one derived from the mailbox.

Source: MultiSMTP procedure (seed 000: one OAuth service per user, e.g.
``JeanDupontMicrosoft365``); Dolibarr/dolibarr:htdocs/admin/oauthlogintokens.php (one token per
entry).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Edit, Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.targets._plugin import EntryBinding


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Group every entry binding by entry; report a second mailbox on one entry."""
    first: dict[tuple[str, ...], EntryBinding] = {}
    for plan in ctx.target_plans():
        if plan.target.auth != "oauth2":
            continue
        for binding in plan.plugin.entry_bindings(plan):
            seen = first.setdefault(binding.key, binding)
            if seen is binding or seen.mailbox.lower() == binding.mailbox.lower():
                continue
            where = "" if seen.target == plan.name else f" (target {seen.target})"
            edits = (
                (Edit("set", binding.path, binding.own_entry),)
                if binding.own_entry and binding.path
                else ()
            )
            yield ctx.finding(
                RULE,
                f"target {plan.name}: {binding.mailbox} is bound to the OAuth entry "
                f"{binding.label}, already bound to {seen.mailbox}{where}: one entry holds one "
                "token, so one of them sends with the other's token",
                binding.path or plan.path,
                at_key=not binding.path,
                fix=f"bind {binding.mailbox} to its own entry"
                + (f": {binding.own_entry}" if binding.own_entry else ""),
                object=plan.object,
                edits=edits,
            )


RULE = Rule.define(
    __doc__,
    id="target-entry-shared",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="targets",
    impacts=((Severity.ERROR, "a mailbox sends with another account's token: refused"),),
    fixable=True,
)

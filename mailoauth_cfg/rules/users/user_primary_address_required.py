"""A mailbox is also declared as an alias (of another mailbox or of itself).

**What.** The address of a declared mailbox also appears in ``aliases`` of another mailbox, or
in its own ``aliases``. Error when a target that lists the mailbox requires the primary
address (``TargetFacts.primary_address_required``: Open Bee), warning otherwise.

**Why.** An address is either a mailbox's primary address or a secondary (proxy) address of
exactly one mailbox. If it is an alias of another mailbox, the account that signs in is that
other mailbox and XOAUTH2 with the alias fails (``535 5.7.3 Authentication unsuccessful``) or
the sender does not match; Open Bee states "primary address only: no aliases or proxy
addresses". If it is listed among its own aliases the declaration contradicts itself and the
``user-alias-not-primary`` check cannot be trusted.

**Fix.** Find the mailbox's real primary address (Exchange: ``Get-Mailbox -Identity <address>
| Format-List PrimarySmtpAddress``; Google: Directory ``users.get`` ``primaryEmail``), use it
in ``users:`` and in the targets, and remove the address from the wrong ``aliases`` list.

Source: https://help.openbee.com/ (Office 365 and G Suite SMTP configuration) (mailbox constraints:
primary address only); each kind's facts (primary_address_required).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, ObjectRef, Severity
from mailoauth_cfg.model import User
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.users._common import plans_of_user, provider_type, targets_phrase


def _strict(ctx: Context, user: User) -> list[str]:
    """Targets of ``user`` whose kind requires the primary address."""
    return [p.name for p, _ in plans_of_user(ctx, user.email) if p.facts.primary_address_required]


def _lookup(ctx: Context, user: User, address: str) -> str:
    """How to read the primary address of ``address`` on the user's provider."""
    if provider_type(ctx, user) == "google":
        return f"Admin console › Directory › Users › {address} › User information"
    return f"`Get-Mailbox -Identity {address} | Format-List PrimarySmtpAddress`"


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Find mailboxes whose address is also declared as an alias."""
    index_of = {u.email.lower(): i for i, u in enumerate(ctx.config.users)}
    for owner_index, owner in enumerate(ctx.config.users):
        for alias_index, alias in enumerate(owner.aliases or ()):
            user_index = index_of.get(alias.lower())
            if user_index is None:
                continue
            user = ctx.config.users[user_index]
            strict = _strict(ctx, user)
            severity = Severity.ERROR if strict else Severity.WARNING
            need = (
                f"; the primary address is required by {targets_phrase(strict)}" if strict else ""
            )
            path = ("users", owner_index, "aliases", alias_index)
            if user_index == owner_index:
                yield ctx.finding(
                    RULE,
                    f"{user.email} lists its own address among its aliases{need}",
                    path,
                    fix=f"remove {alias} from the aliases of {user.email}",
                    object=ObjectRef.user(user.email),
                    severity=severity,
                )
                continue
            yield ctx.finding(
                RULE,
                f"mailbox {user.email} is also declared as an alias of {owner.email}: an alias "
                f"signs in as the mailbox that owns it{need}",
                path,
                fix=f"check the primary address ({_lookup(ctx, user, alias)}); if {alias} is "
                f"an alias, use {owner.email} in the targets and remove the users entry "
                f"{alias}, otherwise remove it from the aliases of {owner.email}",
                object=ObjectRef.user(user.email),
                severity=severity,
            )


RULE = Rule.define(
    __doc__,
    id="user-primary-address-required",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="users",
    impacts=(
        (Severity.ERROR, "the target requires the primary address: the alias login fails"),
        (Severity.WARNING, "the address is also an alias: one of the declarations is wrong"),
    ),
)

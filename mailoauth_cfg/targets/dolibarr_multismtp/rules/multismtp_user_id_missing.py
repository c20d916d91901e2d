"""A MultiSMTP mailbox has no Dolibarr user id, or the ids do not match the mailboxes.

**What.** On a ``dolibarr-multismtp`` target: a mailbox of ``users`` has no entry in
``user_ids``, or two mailboxes share one Dolibarr user id. (A ``user_ids`` key that is not in
``users`` is reported by the loader as ``unknown-reference``.)

**Why.** MultiSMTP stores one ``llx_user2smtp`` row per Dolibarr user (``fk_user``) and names
its tokens ``<Provider>-MultiSmtpUser<userId><Smtp|Imap>``. Without the id the tool cannot say on
which user card the mailbox is configured or whose token to generate; two mailboxes on one user
overwrite each other's row.

**Fix.** Map every mailbox to its Dolibarr user: ``user_ids: {name@domain: 12}``, the id being
the ``id=`` of the user card URL (``/user/card.php?id=12``).

Source: SylvainLegrand/InfraStructure:htdocs/custom/multismtp/FEATURES.md and
``sql/llx_user2smtp.sql``.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._common import target_path
from mailoauth_cfg.targets.dolibarr_multismtp.model import MultismtpTarget


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Match ``users`` with ``user_ids`` and look for shared ids."""
    for plan, target in ctx.targets_of(MultismtpTarget):
        ids = {email.lower() for email in target.user_ids}
        base = target.url.rstrip("/")
        for index, email in enumerate(target.users):
            if email.lower() in ids:
                continue
            yield ctx.finding(
                RULE,
                f"target {plan.name}: mailbox {email} has no Dolibarr user id in user_ids",
                target_path(plan.name, "users", index),
                fix=f"add `{email}: <id>` under `user_ids` of target {plan.name}, the id of "
                f"the user's card ({base}/user/card.php?id=<id>)",
                object=plan.object,
            )
        seen: dict[int, str] = {}
        for email, uid in target.user_ids.items():
            if uid in seen:
                yield ctx.finding(
                    RULE,
                    f"target {plan.name}: {email} and {seen[uid]} share Dolibarr user id {uid}; "
                    "MultiSMTP keeps one SMTP/IMAP identity per Dolibarr user",
                    target_path(plan.name, "user_ids", email),
                    fix=f"set the id of {email}'s own Dolibarr user ({base}/user/card.php?id=<id>)",
                    object=plan.object,
                )
            else:
                seen[uid] = email


RULE = Rule.define(
    __doc__,
    id="multismtp-user-id-missing",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="targets",
)

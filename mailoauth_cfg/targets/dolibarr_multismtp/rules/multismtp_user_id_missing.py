"""Two MultiSMTP mailboxes share a Dolibarr user id, or a mailbox's id is missing to render.

**What.** On a ``dolibarr-multismtp`` target: two mailboxes of ``user_ids`` share one Dolibarr
user id (``validate``: error). A mailbox without an id is data only rendering needs (the
``llx_user2smtp`` row to write): ``validate`` says nothing, ``render`` stops with this finding.
(A ``user_ids`` key that is not in ``users`` is reported by the loader as
``unknown-reference``.)

**Why.** MultiSMTP stores one ``llx_user2smtp`` row per Dolibarr user (``fk_user``), which
selects that user's OAuth service. Two mailboxes on one user overwrite each other's row: one of
them never sends. Without the id the tool cannot say which row to write.

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
        base = target.url.rstrip("/")
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
    impacts=((Severity.ERROR, "two mailboxes overwrite one user's row; or render lacks an id"),),
)

"""A target that holds one OAuth token lists several mailboxes, or one mailbox twice.

**What.** ``targets.<name>.users`` lists the same mailbox twice (any kind), or lists more than
one mailbox for a kind that stores a single token per configuration:

* ``dolibarr``: one OAuth service entry (``OAUTH_<PROV>-<label>``) holds one token, "un service
  OAuth = un utilisateur";
* ``openbee``: one custom SMTP configuration, its sender equal to the account that authorised;
* ``digdash``: one OAuth parameter set, whose consent makes the SMTP identity;
* ``glpi``: one ``smtp_username`` and one token in ``glpi_configs``;
* ``odoo``: one ``ir.mail_server`` record (``server_name``) with ``from_filter`` = its user.

Kinds with one token per user (``dolibarr-multismtp``, ``nextcloud-mail``, ``wavesoft``) or
per account section/file (``postfix-sasl-xoauth2``, ``msmtp``, ``email-oauth2-proxy``) accept
several mailboxes.

**Why.** The second consent overwrites the first token: whichever mailbox signed in last is
the one the application sends as, and the others fail with an authentication or sender
mismatch. Nothing warns at setup time.

**Fix.** Declare one target per mailbox (Dolibarr: each with its own ``label``, i.e. its own
OAuth service entry; Odoo: its own ``server_name``), or use a per-user kind such as
``dolibarr-multismtp``. Remove duplicate entries.

Source: Open-DSI's MultiSMTP module documentation ("Un service OAuth = un utilisateur");
SylvainLegrand/InfraStructure:htdocs/custom/multismtp/FEATURES.md;
https://help.openbee.com/ (Office 365 and G Suite SMTP configuration);
each kind's ``single_token`` fact (mailoauth_cfg/targets/<kind>/facts.py).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Find duplicate mailboxes and mailboxes sharing a single-token target."""
    for plan in ctx.target_plans():
        seen: dict[str, int] = {}
        distinct: list[int] = []
        for position, address in enumerate(plan.target.users):
            key = address.lower()
            if key in seen:
                yield ctx.finding(
                    RULE,
                    f"target {plan.name} lists {address} twice (first at position {seen[key] + 1})",
                    ("targets", plan.name, "users", position),
                    fix="remove the duplicate entry",
                    object=plan.object,
                )
                continue
            seen[key] = position
            distinct.append(position)
        single = plan.facts.single_token
        if single is None or len(distinct) < 2:
            continue
        first = plan.target.users[distinct[0]]
        for position in distinct[1:]:
            yield ctx.finding(
                RULE,
                f"target {plan.name} ({plan.facts.display_name}) stores one OAuth token, but "
                f"lists {plan.target.users[position]} besides {first}: the last consent "
                "replaces the other mailbox's token",
                ("targets", plan.name, "users", position),
                fix=single.split,
                object=plan.object,
            )


RULE = Rule.define(
    __doc__,
    id="user-token-shared",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="users",
    impacts=((Severity.ERROR, "one token for several mailboxes: all but one are refused"),),
)

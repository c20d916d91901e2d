"""A Dolibarr e-mail collector is declared without IMAP, or IMAP without a collector.

**What.** A ``dolibarr`` target has ``collector:`` but ``imap`` is not in ``protocols`` (error),
or lists ``imap`` without a ``collector:`` (info).

**Why.** In core Dolibarr the e-mail collector is what reads mail over IMAP with the OAuth token
(``acces_type=1``, ``oauth_service=<PROV>-<label>``). The token's scopes and the app's
permissions are derived from ``protocols``: without ``imap`` the token lacks
``IMAP.AccessAsUser.All`` (or the Gmail scope is not requested for IMAP) and the collector fails
to log in. Conversely ``imap`` without a collector grants a permission nothing uses.

**Fix.** Add ``imap`` to ``protocols`` (``protocols: [smtp, imap]``) when collecting mail;
otherwise remove ``imap`` or declare ``collector: {source_directory: INBOX}``. The collector also
needs ``MAIN_IMAP_USE_PHPIMAP=1``.

Source: Dolibarr/dolibarr:htdocs/emailcollector/class/emailcollector.class.php.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._common import target_path
from mailoauth_cfg.targets.dolibarr.model import DolibarrTarget


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Compare ``collector`` with ``imap`` in ``protocols``."""
    for plan, target in ctx.targets_of(DolibarrTarget):
        protocols = list(dict.fromkeys(target.protocols))
        if target.collector is not None and "imap" not in protocols:
            wanted = ", ".join([*protocols, "imap"])
            yield ctx.finding(
                RULE,
                f"target {plan.name} declares an e-mail collector but `imap` is not in its "
                "protocols: the token will not carry the IMAP permission",
                target_path(plan.name, "collector"),
                fix=f"set `protocols: [{wanted}]` on target {plan.name}",
                object=plan.object,
                at_key=True,
            )
        elif target.collector is None and "imap" in protocols:
            index = target.protocols.index("imap")
            others = ", ".join(p for p in protocols if p != "imap") or "smtp"
            yield ctx.finding(
                RULE,
                f"target {plan.name} lists imap but no e-mail collector reads the mailbox",
                target_path(plan.name, "protocols", index),
                fix=f"add `collector: {{source_directory: INBOX}}` to target {plan.name}, or "
                f"set `protocols: [{others}]`",
                object=plan.object,
                severity=Severity.INFO,
            )


RULE = Rule.define(
    __doc__,
    id="dolibarr-collector-needs-imap",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="targets",
    impacts=(
        (Severity.ERROR, "the collector logs in without the IMAP scope"),
        (Severity.INFO, "imap without a collector grants a permission nothing uses"),
    ),
)

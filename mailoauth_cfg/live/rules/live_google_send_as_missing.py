"""A target sends as an address that is not a verified Gmail send-as address of its mailbox.

**What.** For every Google target with a ``sender`` other than its mailbox, Gmail's
``settings.sendAs.get`` of the mailbox must return that address, with
``verificationStatus: accepted`` (or as the primary address).

**Why.** Gmail's SMTP server replaces a ``From:`` that is not one of the account's send-as
addresses with the account's own address, so mail leaves with the wrong sender (and replies go
to the mailbox, not to the intended address); a pending send-as address is not usable yet.

**Fix.** As the mailbox: Gmail › Settings › Accounts › Send mail as › Add another email
address (``Treat as an alias`` for an address of the domain), then complete its verification;
or set the target's ``sender`` to the mailbox.

Source: https://developers.google.com/gmail/api/reference/rest/v1/users.settings.sendAs
(``sendAsEmail``, ``isPrimary``, ``verificationStatus``).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, ObjectRef, Severity
from mailoauth_cfg.live.google.needs import senders
from mailoauth_cfg.live.rules._base import finding, unknown
from mailoauth_cfg.live.rules._google import FAMILY, google_providers, plans
from mailoauth_cfg.live.snapshot import Unknown
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Look each (mailbox, sender) up among the mailbox's send-as identities."""
    for provider, domain in google_providers(ctx):
        for (mailbox, sender), targets in sorted(senders(plans(ctx), provider).items()):
            if ctx.user(mailbox) is None:
                continue  # an undeclared mailbox: the offline rules report it
            account = domain.user(mailbox)
            if account is None:
                continue  # live-google-user-missing reports it
            found = domain.send_as_of(mailbox, sender)
            for target in targets:
                path = ("targets", target, "sender")
                obj = ObjectRef.target(target)
                if isinstance(found, Unknown):
                    yield unknown(
                        ctx,
                        RULE,
                        f"whether {mailbox} may send as {sender}",
                        found.reason,
                        path,
                        object=obj,
                    )
                elif found is None:
                    yield finding(
                        ctx,
                        RULE,
                        f"target {target} sends as {sender} from {mailbox}, but {sender} is not a "
                        f"send-as address of {mailbox} in Gmail: Gmail rewrites the From: to "
                        f"{mailbox}",
                        path,
                        fix=f"as {mailbox}: Gmail › Settings › Accounts › Send mail as › Add "
                        f"another email address: {sender} (or set sender: {mailbox})",
                        object=obj,
                    )
                elif not found.is_primary and (found.verification_status or "") != "accepted":
                    status = found.verification_status or "unknown"
                    yield finding(
                        ctx,
                        RULE,
                        f"target {target} sends as {sender} from {mailbox}, but that send-as "
                        f"address is not verified (verificationStatus {status}): Gmail rewrites "
                        f"the From: to {mailbox}",
                        path,
                        fix=f"as {mailbox}: Gmail › Settings › Accounts › Send mail as › "
                        f"{sender} › complete the verification",
                        object=obj,
                    )


RULE = Rule.define(
    __doc__,
    id="live-google-send-as-missing",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family=FAMILY,
    reads=("send_as", "users"),
    impacts=((Severity.ERROR, "Gmail refuses the From address"),),
)

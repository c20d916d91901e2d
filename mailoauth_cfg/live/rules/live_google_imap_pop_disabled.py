"""IMAP or POP is disabled in the Gmail settings of a mailbox a target reads.

**What.** For every Google mailbox whose targets (or ``protocols:``) use ``imap`` or ``pop``,
Gmail's ``settings.getImap`` must show ``enabled: true`` and ``settings.getPop`` an
``accessWindow`` other than ``disabled``.

**Why.** With the protocol off for the mailbox the XOAUTH2 login is refused even with a valid
token (Gmail answers that IMAP/POP access is disabled for the account).

**Fix.** As the mailbox: Gmail › Settings › Forwarding and POP/IMAP › IMAP access: Enable IMAP
(POP download: Enable POP). If the option is missing, an administrator turned it off: Admin
console › Apps › Google Workspace › Gmail › End User Access › POP and IMAP access.

Source: https://developers.google.com/gmail/api/reference/rest/v1/users.settings/getImap
and ``getPop`` (``ImapSettings.enabled``, ``PopSettings.accessWindow``).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, ObjectRef, Severity
from mailoauth_cfg.live.google.needs import read_protocols
from mailoauth_cfg.live.rules._base import finding, unknown
from mailoauth_cfg.live.rules._google import FAMILY, google_users
from mailoauth_cfg.live.snapshot import ImapSettings, PopSettings, Unknown
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions

ADMIN = "Admin console › Apps › Google Workspace › Gmail › End User Access › POP and IMAP access"


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Check the read protocols of each mailbox that needs them."""
    for index, user, domain in google_users(ctx):
        protocols = read_protocols(ctx.config, user.email)
        if not protocols:
            continue
        path = ("users", index, "email")
        obj = ObjectRef.user(user.email)
        account = domain.user(user.email)
        if account is None:
            continue  # live-google-user-missing reports it
        for protocol in protocols:
            label = protocol.upper()
            settings: ImapSettings | PopSettings | Unknown | None = (
                domain.imap_of(user.email) if protocol == "imap" else domain.pop_of(user.email)
            )
            if isinstance(settings, Unknown):
                yield unknown(
                    ctx, RULE, f"{label} of {user.email}", settings.reason, path, object=obj
                )
                continue
            if settings is None:
                continue  # no Gmail mailbox: live-google-user-no-mailbox reports it
            if isinstance(settings, ImapSettings):
                on = settings.enabled
                switch = "IMAP access: Enable IMAP"
                state = "enabled false"
            else:
                window = settings.access_window
                on = None if window is None else window.lower() != "disabled"
                switch = "POP download: Enable POP"
                state = "accessWindow disabled"
            if on is None:
                yield unknown(
                    ctx,
                    RULE,
                    f"{label} of {user.email}",
                    f"Gmail did not return the {label} setting",
                    path,
                    object=obj,
                )
            elif not on:
                yield finding(
                    ctx,
                    RULE,
                    f"{label} is disabled in the Gmail settings of {user.email} ({state}), but "
                    f"a target reads it over {label}: the login is refused",
                    path,
                    fix=f"as {user.email}: Gmail › Settings › Forwarding and POP/IMAP › {switch} "
                    f"(if the option is missing: {ADMIN})",
                    object=obj,
                )


RULE = Rule.define(
    __doc__,
    id="live-google-imap-pop-disabled",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family=FAMILY,
    reads=("imap", "pop", "users"),
    impacts=((Severity.ERROR, "the protocol is off in Gmail: login refused"),),
)

"""A Microsoft app certificate expires soon, has expired, or has no known expiry.

**What.** For every certificate of ``apps.<name>`` (``certificate``, and the
``type: certificate`` entries of ``credentials:``): the one a target uses expired before
``--as-of`` (error) or expires within ``lead_days`` with no longer-lived certificate registered
(warning); an expired certificate no target uses (info). Without ``expires``: one info, checked
by ``--online``.

**Why.** Once the certificate's end date passes, Entra rejects the client assertions signed
with it: every token request of the app fails and the targets stop sending and reading mail.
Certificates avoid shared secrets, but they expire on a schedule that is just as easy to
forget.

**Fix.** Upload a new certificate *before* the old one expires (App registrations ›
Certificates & secrets › Certificates › Upload certificate, or ``az ad app credential reset
--id <client-id> --cert @new.pem --append``), deploy its key to the target, then remove the old
certificate; record the new thumbprint and date in ``certificate:``.

Options: ``lead_days`` (default 30): how many days ahead to warn.

Source: https://learn.microsoft.com/en-us/entra/identity-platform/certificate-credentials;
https://learn.microsoft.com/graph/api/resources/keycredential (``endDateTime``).
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.microsoft._common import microsoft_apps
from mailoauth_cfg.rules.microsoft._expiry import expiry_findings


class Options(RuleOptions):
    """Options of ``ms-certificate-expiry``."""

    lead_days: int = Field(default=30, ge=0, le=365)


def check(ctx: Context, options: Options) -> Iterator[Finding]:
    """Compare each Microsoft app certificate's end date with the run date."""
    for plan in microsoft_apps(ctx):
        yield from expiry_findings(
            ctx,
            RULE,
            plan,
            "certificate",
            options.lead_days,
            renew=(
                "upload a new certificate (`az ad app credential reset --id "
                f"{plan.app.client_id} --cert @new.pem --append`), list it under "
                "`credentials:`, deploy its key to the targets (`credential:`), then remove the "
                "old one"
            ),
            failure="token requests signed with it are rejected (AADSTS700027)",
        )


RULE = Rule.define(
    __doc__,
    id="ms-certificate-expiry",
    severity=Severity.WARNING,
    check=check,
    options=Options,
    family="microsoft",
    impacts=(
        (Severity.ERROR, "the certificate a target uses has expired: no token can be issued"),
        (Severity.WARNING, "it expires within lead_days with no successor: mail stops then"),
        (Severity.INFO, "no end date declared (checked by --online), or expired and unused"),
    ),
)

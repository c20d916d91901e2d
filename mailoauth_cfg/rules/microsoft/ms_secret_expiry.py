"""A Microsoft client secret a target uses has expired or expires soon with no successor.

**What.** For every secret of ``apps.<name>`` (``client_secret``, and the ``type: secret``
entries of ``credentials:``): the secret a target uses (``targets.<t>.credential``, or the app's
only one) expired before ``--as-of`` (error) or expires within ``lead_days`` and no longer-lived
secret is registered (warning); an expired secret no target uses (info: remove it). A target
still on an old secret while a successor exists is ``target-credential-stale``'s. A secret
without ``expires`` is not known here: one info, checked by ``--online``.

**Why.** When the secret expires every token refresh fails with ``AADSTS7000222`` and the
application silently stops sending mail. Entra gives secrets 6 months by default and 24 at most,
so they expire on a schedule that is easy to forget.

**Fix.** Add a new secret *before* the old one expires (App registrations › Certificates &
secrets › New client secret, or ``az ad app credential reset --id <client-id> --append``),
deploy it to the target, then delete the old one; record the new date in ``expires:``.
A certificate credential avoids the secret altogether.

Options: ``lead_days`` (default 30): how many days ahead to warn.

Source: https://learn.microsoft.com/entra/identity-platform/howto-create-service-principal-portal;
AADSTS7000222 in https://learn.microsoft.com/entra/identity-platform/reference-error-codes.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.microsoft._common import microsoft_apps
from mailoauth_cfg.rules.microsoft._expiry import expiry_findings


class Options(RuleOptions):
    """Options of ``ms-secret-expiry``."""

    lead_days: int = Field(default=30, ge=0, le=365)


def check(ctx: Context, options: Options) -> Iterator[Finding]:
    """Compare each Microsoft app secret's expiry with the run date."""
    for plan in microsoft_apps(ctx):
        yield from expiry_findings(
            ctx,
            RULE,
            plan,
            "secret",
            options.lead_days,
            renew=(
                f"add a new secret (`az ad app credential reset --id {plan.app.client_id} "
                "--append`), list it under `credentials:` with its dates, give it to the "
                "targets (`credential:`), then delete the old one"
            ),
            failure="every token refresh of its targets fails with AADSTS7000222",
        )


RULE = Rule.define(
    __doc__,
    id="ms-secret-expiry",
    severity=Severity.WARNING,
    check=check,
    options=Options,
    family="microsoft",
    impacts=(
        (Severity.ERROR, "the secret a target uses has expired: no token can be issued"),
        (Severity.WARNING, "it expires within lead_days with no successor: mail stops then"),
        (Severity.INFO, "no expiry declared (checked by --online), or expired and unused"),
    ),
)

"""A Microsoft client secret expires soon, has expired, or has no known expiry.

**What.** ``apps.<name>.client_secret.expires`` is before ``--as-of`` + ``lead_days`` (warning),
before ``--as-of`` (error), or missing (info) on an app that uses a secret.

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
from mailoauth_cfg.rules.microsoft._expiry import Credential, expiry_findings


class Options(RuleOptions):
    """Options of ``ms-secret-expiry``."""

    lead_days: int = Field(default=30, ge=0, le=365)


def check(ctx: Context, options: Options) -> Iterator[Finding]:
    """Compare each Microsoft app secret's expiry with the run date."""
    for plan in ctx.app_plans():
        secret = plan.app.client_secret
        if plan.provider_type != "microsoft" or secret is None:
            continue
        credential = Credential(
            label="client secret",
            expires=secret.expires,
            path=("apps", plan.name, "client_secret"),
            renew=(
                f"add a new secret (`az ad app credential reset --id {plan.app.client_id} "
                "--append`), deploy it, delete the old one and update `expires:`"
            ),
            undated_fix="copy the 'Expires' date from App registrations › Certificates & "
            "secrets into `expires: YYYY-MM-DD`",
            failure="token refreshes fail with AADSTS7000222",
        )
        yield from expiry_findings(ctx, RULE, plan, credential, options.lead_days)


RULE = Rule.define(
    __doc__,
    id="ms-secret-expiry",
    severity=Severity.WARNING,
    check=check,
    options=Options,
    family="microsoft",
)

"""An application was told another expiry date for its client secret than the secret has.

**What.** ``targets.<name>.secret_expiry``, the date typed into an application's secret-expiry
reminder (Open Bee's *Client secret expiration date*, which notifies the administrator a month
before), differs from ``expires`` of the credential the target uses: later (warning: the
reminder comes after the secret has expired) or earlier (info: the reminder comes early). When
the credential's end date is not declared nothing is compared.

**Why.** The reminder is the application's only warning before mail stops: told a later date, it
stays silent until after the secret expired and every token refresh fails (``AADSTS7000222``).

**Fix.** Type the credential's real end date into the application (the finding carries it);
update it at each rotation.

Source: Open Bee "Office 365 and G Suite SMTP configuration" (seed 004: reminder one month before
the typed date).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Edit, Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Compare each declared reminder date with the credential's end date."""
    for plan in ctx.target_plans():
        told = plan.declared("secret_expiry")
        credential = plan.credential
        if told is None or credential is None or credential.expires is None:
            continue
        real = credential.expires
        if told == real:
            continue
        later = told > real
        path = (*plan.path, "secret_expiry")
        yield ctx.finding(
            RULE,
            f"target {plan.name}: {plan.facts.setting_name('secret_expiry')} is "
            f"{told.isoformat()}, but the credential it uses ({credential.name} of app "
            f"{plan.app_name}) expires on {real.isoformat()}: "
            + (
                "its reminder comes only after mail has stopped"
                if later
                else "its reminder comes earlier than needed"
            ),
            path,
            fix=f"type {real.isoformat()} into the application",
            object=plan.object,
            severity=Severity.WARNING if later else Severity.INFO,
            edits=(Edit("set", path, real.isoformat()),),
        )


RULE = Rule.define(
    __doc__,
    id="target-secret-expiry-mismatch",
    severity=Severity.WARNING,
    check=check,
    options=RuleOptions,
    family="targets",
    impacts=(
        (Severity.WARNING, "the reminder fires after the secret expired: mail stops unannounced"),
        (Severity.INFO, "the reminder fires earlier than needed"),
    ),
    fixable=True,
)

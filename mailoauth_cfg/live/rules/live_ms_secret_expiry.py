"""The registration's client secret has expired, expires soon, or is not the declared one.

**What.** The secret ``apps.<name>.client_secret`` refers to is found among the registration's
password credentials (by ``key_id`` when declared, else by the declared ``expires`` date, else
the one that ends last). Reported: no such secret (error), an end date before ``--as-of``
(error) or within ``lead_days`` (warning), and a declared ``expires`` that differs from the
registered end date (warning: the offline ``ms-secret-expiry`` rule trusts the declared date).

**Why.** An expired or deleted secret fails every token request with ``AADSTS7000222`` /
``AADSTS7000215``, and mail stops silently.

**Fix.** ``az ad app credential reset --id <client-id> --append``, deploy the new secret, delete
the old one, and record ``expires:`` and ``key_id:``.

Options: ``lead_days`` (default 30).

Source: https://learn.microsoft.com/graph/api/resources/passwordcredential (keyId, endDateTime; the
value is never returned).
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.live.rules._base import MICROSOFT, microsoft_apps, unknown
from mailoauth_cfg.live.rules._credential_common import (
    checked_credentials,
    declared_of,
    findings,
    label_of,
)
from mailoauth_cfg.live.snapshot import Unknown
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions


class Options(RuleOptions):
    """Options of ``live-ms-secret-expiry``."""

    lead_days: int = Field(default=30, ge=0, le=365)


def check(ctx: Context, options: Options) -> Iterator[Finding]:
    """Compare each secret a target uses with the registration's password credentials."""
    for plan, tenant in microsoft_apps(ctx):
        secrets = checked_credentials(plan, "secret")
        if not secrets:
            continue
        app = tenant.application(plan.app.client_id)
        if isinstance(app, Unknown):
            for secret in secrets:
                yield unknown(
                    ctx,
                    RULE,
                    f"the {label_of(secret)} of app {plan.name}",
                    app.reason,
                    ("apps", plan.name, *secret.path),
                    object=plan.object,
                )
            continue
        if app is None:
            continue
        for secret in secrets:
            declared = declared_of(
                secret,
                plan,
                renew=f"`az ad app credential reset --id {plan.app.client_id} --append`, deploy "
                "the new secret, delete the old one, and record its expires: and key_id:",
                missing="token requests fail with AADSTS7000215/AADSTS7000222",
            )
            yield from findings(
                ctx, RULE, plan, declared, app.password_credentials, "key_id", options.lead_days
            )


RULE = Rule.define(
    __doc__,
    id="live-ms-secret-expiry",
    severity=Severity.WARNING,
    check=check,
    options=Options,
    family=MICROSOFT,
    reads=("applications",),
    supersedes=("ms-secret-expiry",),
    impacts=(
        (Severity.ERROR, "the secret expired: no token"),
        (Severity.WARNING, "it expires soon, or is not the declared one"),
    ),
)

"""The registration's certificate credential has expired, expires soon, or is missing.

**What.** The certificate ``apps.<name>.certificate`` names (by thumbprint) is looked up among
the registration's key credentials (``customKeyIdentifier``). Reported: not registered (error),
an end date before ``--as-of`` (error) or within ``lead_days`` (warning), and a declared
``expires`` that differs from the registered end date (warning).

**Why.** A client assertion signed with an unregistered or expired certificate fails with
``AADSTS700027``/``AADSTS700024``.

**Fix.** Upload the certificate (App registrations › Certificates & secrets › Certificates, or
``az ad app credential reset --id <client-id> --cert @cert.pem --append``) and record its
``expires:``.

Options: ``lead_days`` (default 30).

Source: https://learn.microsoft.com/graph/api/resources/keycredential (customKeyIdentifier =
thumbprint, endDateTime).
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
    """Options of ``live-ms-certificate-expiry``."""

    lead_days: int = Field(default=30, ge=0, le=365)


def check(ctx: Context, options: Options) -> Iterator[Finding]:
    """Compare each certificate a target uses with the registration's key credentials."""
    for plan, tenant in microsoft_apps(ctx):
        certificates = checked_credentials(plan, "certificate")
        if not certificates:
            continue
        app = tenant.application(plan.app.client_id)
        if isinstance(app, Unknown):
            for cert in certificates:
                yield unknown(
                    ctx,
                    RULE,
                    f"the {label_of(cert)} of app {plan.name}",
                    app.reason,
                    ("apps", plan.name, *cert.path),
                    object=plan.object,
                )
            continue
        if app is None:
            continue
        for cert in certificates:
            declared = declared_of(
                cert,
                plan,
                renew=f"`az ad app credential reset --id {plan.app.client_id} --cert @cert.pem "
                "--append`, deploy it, and record its thumbprint and expires:",
                missing="client assertions fail with AADSTS700027",
            )
            yield from findings(
                ctx, RULE, plan, declared, app.key_credentials, "thumbprint", options.lead_days
            )


RULE = Rule.define(
    __doc__,
    id="live-ms-certificate-expiry",
    severity=Severity.WARNING,
    check=check,
    options=Options,
    family=MICROSOFT,
    reads=("applications",),
    supersedes=("ms-certificate-expiry",),
    impacts=(
        (Severity.ERROR, "the certificate expired: no token"),
        (Severity.WARNING, "it expires soon, or is missing"),
    ),
)

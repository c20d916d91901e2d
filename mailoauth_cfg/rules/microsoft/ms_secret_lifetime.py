"""A Microsoft client secret's dates describe a lifetime Entra cannot issue.

**What.** On each secret of ``apps.<name>`` (``client_secret``, secrets in ``credentials:``):

* ``expires`` is more than 24 calendar months after ``created`` (the portal's maximum; catalog
  ``secret_max_expiry``);
* ``expires`` is not after ``created``;
* without ``created``: ``expires`` is more than 24 months after the run date (``--as-of``), which
  no secret created by then can reach.

**Why.** The portal offers at most 24 months, so such dates were mistyped or copied from another
credential (a certificate, another app). The expiry warnings of ``ms-secret-expiry`` would then
fire on the wrong day, or never, and the secret expires unannounced (``AADSTS7000222``).

**Fix.** Copy the exact "Expires" date (and the creation date) of this secret from Entra admin
center › App registrations › <app> › Certificates & secrets; record ``key_id`` to tie the entry
to the right secret.

Source: https://help.openbee.com/ (Office 365 and G Suite SMTP configuration)
(client secret lifetime: 6 months default, 24 months maximum);
https://learn.microsoft.com/en-us/entra/identity-platform/howto-create-service-principal-portal.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.catalog.microsoft import SECRET_MAX_LIFETIME_MONTHS, secret_max_expiry
from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.microsoft._common import microsoft_apps, portal


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Check each secret's created/expires dates against the 24-month maximum."""
    for plan in microsoft_apps(ctx):
        for secret in plan.app.all_credentials():
            if secret.type != "secret" or secret.expires is None:
                continue
            expires = secret.expires
            created = secret.created
            if created is not None and expires <= created:
                problem = (
                    f"expires on {expires.isoformat()}, not after its creation on "
                    f"{created.isoformat()}"
                )
            elif created is not None and expires > secret_max_expiry(created):
                latest = secret_max_expiry(created)
                problem = (
                    f"runs from {created.isoformat()} to {expires.isoformat()}, longer than the "
                    f"{SECRET_MAX_LIFETIME_MONTHS}-month maximum (latest possible end: "
                    f"{latest.isoformat()})"
                )
            elif created is None and expires > secret_max_expiry(ctx.as_of):
                latest = secret_max_expiry(ctx.as_of)
                problem = (
                    f"expires on {expires.isoformat()}, more than {SECRET_MAX_LIFETIME_MONTHS} "
                    f"months after the run date {ctx.as_of.isoformat()} (no secret created by "
                    f"then can last past {latest.isoformat()})"
                )
            else:
                continue
            label = "client secret" if secret.name == "client_secret" else f"secret {secret.name}"
            yield ctx.finding(
                RULE,
                f"the {label} of app {plan.name} {problem}: these dates cannot be right, so it "
                "expires earlier than declared and no warning comes in time",
                ("apps", plan.name, *secret.path, "expires"),
                fix="copy the exact Expires date (and `created:`) of this secret from "
                f"{portal(plan, 'Certificates & secrets')}; add `key_id:` to tie the entry to it",
                object=plan.object,
            )


RULE = Rule.define(
    __doc__,
    id="ms-secret-lifetime",
    severity=Severity.WARNING,
    check=check,
    options=RuleOptions,
    family="microsoft",
    impacts=(
        (Severity.WARNING, "the real expiry is earlier than declared: mail stops unannounced"),
    ),
)

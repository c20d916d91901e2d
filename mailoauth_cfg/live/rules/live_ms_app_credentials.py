"""Another secret or certificate on the app registration has expired or expires soon.

**What.** Every password credential (client secret) and key credential (certificate) of the
registration other than the ones the config declares (``client_secret``, ``certificate`` and
``credentials:``; those its targets use are checked by ``live-ms-secret-expiry`` /
``live-ms-certificate-expiry``), each named
by its key ID, its three-character hint (secrets) or thumbprint (certificates) and its
description, never by a value. Reported: an end date before ``--as-of`` (info: clean it up) and
an end date within ``lead_days`` (warning: whatever still uses it stops then); and a credential
listed under ``credentials:`` that no target uses and the registration does not hold (info).

**Why.** Expired credentials left on a registration hide which one is in use and invite
deploying the wrong one; one that is about to expire may be the one another deployment of the
app (a second server, a test instance) still uses. Rotation works by overlap: add the new
credential, deploy it, then delete the old one.

**Fix.** Delete an expired one: ``az ad app credential delete --id <client-id> --key-id
<key ID>`` (``--cert`` for a certificate) or App registrations › <app> › Certificates &
secrets; for one about to expire, add its successor first (``az ad app credential reset --id
<client-id> --append``) and deploy it wherever the old one is used.

Options: ``lead_days`` (default 30).

Source: https://learn.microsoft.com/graph/api/resources/passwordcredential (keyId, hint,
endDateTime; the value is never returned);
https://learn.microsoft.com/graph/api/resources/keycredential.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from mailoauth_cfg.derive import AppPlan
from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.live.rules._base import MICROSOFT, finding, microsoft_apps
from mailoauth_cfg.live.rules._credential_common import (
    checked_credentials,
    declared_choice,
    declared_of,
    describe,
)
from mailoauth_cfg.live.snapshot import Application, Credential
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.microsoft._common import portal


class Options(RuleOptions):
    """Options of ``live-ms-app-credentials``."""

    lead_days: int = Field(default=30, ge=0, le=365)


def in_use(plan: AppPlan, app: Application) -> set[int]:
    """``id()`` of the registered credentials the config declares (the ones its targets use
    are checked by the expiry rules; the others here, by name)."""
    used: set[int] = set()
    for credential in plan.app.all_credentials():
        registered = (
            app.password_credentials if credential.type == "secret" else app.key_credentials
        )
        key = "key_id" if credential.type == "secret" else "thumbprint"
        declared = declared_of(credential, plan, renew="", missing="")
        chosen = declared_choice(declared, registered, key)
        if chosen is not None:
            used.add(id(chosen))
    return used


def declared_not_registered(ctx: Context, plan: AppPlan, app: Application) -> Iterator[Finding]:
    """A credential listed under ``credentials:`` with a key ID or thumbprint the registration
    does not hold (no target uses it; the expiry rules judge the ones in use)."""
    checked = {c.name for c in checked_credentials(plan, "secret")}
    checked |= {c.name for c in checked_credentials(plan, "certificate")}
    for credential in plan.app.all_credentials():
        if credential.name in checked:
            continue
        key = credential.key_id if credential.type == "secret" else credential.thumbprint
        if not key:
            continue
        registered = (
            app.password_credentials if credential.type == "secret" else app.key_credentials
        )
        field = "key_id" if credential.type == "secret" else "thumbprint"
        if any((getattr(r, field) or "").lower() == key.lower() for r in registered):
            continue
        yield finding(
            ctx,
            RULE,
            f"app {plan.name} lists the {credential.type} {credential.name} ({field} {key}), "
            "which the registration does not hold (deleted, or another app's); no target uses "
            "it",
            ("apps", plan.name, *credential.path),
            fix=f"remove {credential.name} from apps.{plan.name}.credentials",
            object=plan.object,
            severity=Severity.INFO,
        )


def check(ctx: Context, options: Options) -> Iterator[Finding]:
    """Report the other registered credentials that expired or expire within ``lead_days``."""
    for plan, tenant in microsoft_apps(ctx):
        app = tenant.application(plan.app.client_id)
        if not isinstance(app, Application):
            continue  # unknown (the engine reports it) or missing (another rule does)
        used = in_use(plan, app)
        yield from declared_not_registered(ctx, plan, app)
        where = portal(plan, "Certificates & secrets")
        kinds: tuple[tuple[str, list[Credential], str], ...] = (
            ("client secret", app.password_credentials, ""),
            ("certificate", app.key_credentials, " --cert"),
        )
        for label, registered, flag in kinds:
            for credential in registered:
                if id(credential) in used or credential.end is None:
                    continue
                end = credential.end.date()
                days = (end - ctx.as_of).days
                name = f"{label} {describe(credential)}"
                delete = (
                    f"az ad app credential delete --id {plan.app.client_id} --key-id "
                    f"{credential.key_id}{flag}"
                )
                if days < 0:
                    yield finding(
                        ctx,
                        RULE,
                        f"app {plan.name} still holds the {name}, which expired on "
                        f"{end.isoformat()}: remove it so that only credentials in use remain",
                        ("apps", plan.name),
                        fix=f"`{delete}` (or {where}: delete it)",
                        object=plan.object,
                        severity=Severity.INFO,
                    )
                elif days <= options.lead_days:
                    yield finding(
                        ctx,
                        RULE,
                        f"app {plan.name} holds the {name}, which expires on {end.isoformat()}, "
                        f"in {days} days: whatever still uses it stops then",
                        ("apps", plan.name),
                        fix=f"if it is in use, add its successor first (`az ad app credential "
                        f"reset --id {plan.app.client_id} --append{flag}`), deploy it, then "
                        f"`{delete}`; if not, delete it now",
                        object=plan.object,
                    )


RULE = Rule.define(
    __doc__,
    id="live-ms-app-credentials",
    severity=Severity.WARNING,
    check=check,
    options=Options,
    family=MICROSOFT,
    reads=("applications",),
    impacts=(
        (Severity.WARNING, "another credential expires soon: a target may use it"),
        (Severity.INFO, "an expired credential no target uses"),
    ),
)

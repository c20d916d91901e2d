"""A target still uses an app credential that has expired or expires soon while a successor exists.

**What.** The credential a target uses (``targets.<name>.credential``, or the app's only or
``client_secret`` one) expired before ``--as-of`` (error) or expires within ``lead_days``
(warning), and the app holds another credential of the same type that lasts longer: the
rotation is half done. Also reported (error) when that successor starts only after the old one
expires: the credentials do not overlap and mail stops in between. The expiry of a credential
without successor is ``ms-secret-expiry`` / ``ms-certificate-expiry``'s.

**Why.** A rotation is safe only when the new credential is deployed before the old one expires;
a target left on the old one fails every token refresh from that day (``AADSTS7000222`` /
``AADSTS700027``).

**Fix.** Give the target the successor (``credential: <name>``, the finding carries it), render
and deploy, then delete the old credential from the registration.

Source: https://learn.microsoft.com/entra/identity-platform/howto-create-service-principal-portal
(rotate credentials before they expire); hashicorp/terraform-provider-azuread#1549 (rotation
without overlap).
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from mailoauth_cfg.findings import Edit, Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.microsoft._expiry import successor


class Options(RuleOptions):
    """Options of ``target-credential-stale``."""

    lead_days: int = Field(default=30, ge=0, le=365)


def check(ctx: Context, options: Options) -> Iterator[Finding]:
    """Find targets left on an old credential."""
    for plan in ctx.target_plans():
        credential = plan.credential
        app_plan = ctx.plans.apps.get(plan.app_name or "")
        if credential is None or credential.expires is None or app_plan is None:
            continue
        days = (credential.expires - ctx.as_of).days
        if days > options.lead_days:
            continue
        newer = successor(app_plan, credential)
        if newer is None:
            continue
        path = (*plan.path, "credential")
        gap = newer.created is not None and newer.created > credential.expires
        if days < 0:
            state = f"expired on {credential.expires.isoformat()}"
        else:
            state = f"expires on {credential.expires.isoformat()}, in {days} days"
        message = (
            f"target {plan.name} uses {credential.name} of app {plan.app_name}, which {state}, "
            f"while {newer.name} (until {newer.expires.isoformat() if newer.expires else '?'}) "
            "is registered"
        )
        if gap:
            start = newer.created.isoformat() if newer.created else "?"
            message += f"; {newer.name} starts only on {start}: the two do not overlap"
        yield ctx.finding(
            RULE,
            message,
            path if ctx.declared(path) else plan.path,
            at_key=not ctx.declared(path),
            fix=f"set `credential: {newer.name}` on target {plan.name}, render and deploy, then "
            f"delete {credential.name} from the registration",
            object=plan.object,
            severity=Severity.ERROR if days < 0 or gap else Severity.WARNING,
            edits=(Edit("set", path, newer.name),),
        )


RULE = Rule.define(
    __doc__,
    id="target-credential-stale",
    severity=Severity.ERROR,
    check=check,
    options=Options,
    family="targets",
    impacts=(
        (Severity.ERROR, "the target's credential expired (or the successor starts too late)"),
        (Severity.WARNING, "it expires within lead_days and the target is not switched yet"),
    ),
    fixable=True,
)

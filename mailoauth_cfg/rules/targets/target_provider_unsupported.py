"""A target's application cannot use OAuth with the provider of its app or mailbox.

**What.** The target kind has no profile for the provider type (``microsoft``/``google``) of its
app (or, without an app, of its first mailbox), or the profile exists but offers no OAuth (Open
Bee with Google: app password only) while the target declares ``auth: oauth2``.

**Why.** The catalog lists, for each application, which providers it supports and how. A pairing
the application does not implement cannot be configured: there is no field to put the client in,
no consent screen and no token.

**Fix.** Use the authentication the application supports with that provider (for Open Bee with
Google: ``auth: app-password`` and ``app_password: {env: NAME}``), or serve the mailbox from a
supported provider.

Source: each kind's facts (``TargetFacts.microsoft``/``google``,
``GoogleProfile.auth``);
https://help.openbee.com/ (Office 365 and G Suite SMTP configuration).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.locations import PathKey
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._common import human_list, target_path
from mailoauth_cfg.targets._facts import GoogleProfile

AUTH_TEXT = {"app-password": "an app password (SMTP AUTH with 2-Step Verification)"}


def _where(plan_name: str, has_app: bool) -> PathKey:
    return target_path(plan_name, "app") if has_app else target_path(plan_name, "users", 0)


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Compare each target's provider type with the catalog profiles of its kind."""
    for plan in ctx.target_plans():
        ptype = plan.provider_type
        if ptype is None:
            continue
        kind = plan.facts
        profile = plan.profile
        where = _where(plan.name, plan.app is not None)
        origin = (
            f"app {plan.app_name}" if plan.app is not None else f"mailbox {plan.target.users[0]}"
        )
        if profile is None:
            supported = human_list(kind.providers) or "no provider"
            yield ctx.finding(
                RULE,
                f"target {plan.name}: {kind.display_name} does not support {ptype} "
                f"({origin} is in provider {plan.provider_name}); it supports {supported}",
                where,
                fix=f"use an app and mailboxes of a {supported} provider for target {plan.name}",
                object=plan.object,
            )
            continue
        if (
            isinstance(profile, GoogleProfile)
            and profile.auth != "oauth2"
            and plan.target.auth == "oauth2"
        ):
            extra = (
                " and `app_password: {env: NAME}` (created at "
                "https://myaccount.google.com/apppasswords; needs 2-Step Verification)"
                if hasattr(plan.target, "app_password")
                else ""
            )
            drop_app = " and remove `app:`" if plan.target.app is not None else ""
            yield ctx.finding(
                RULE,
                f"target {plan.name}: {kind.display_name} has no OAuth with Google, only "
                f"{AUTH_TEXT.get(profile.auth, profile.auth)}; `auth: oauth2` cannot work",
                where,
                fix=f"set `auth: {profile.auth}`{extra} on target {plan.name}{drop_app}, or "
                "move the mailbox to a Microsoft 365 provider",
                object=plan.object,
            )


RULE = Rule.define(
    __doc__,
    id="target-provider-unsupported",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="targets",
    impacts=((Severity.ERROR, "the application cannot use OAuth with that provider"),),
)

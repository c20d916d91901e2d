"""An Open Bee target's app password settings are incomplete or unused.

**What.** An ``openbee`` target with a Google mailbox and ``auth: app-password`` has no
``app_password`` reference (error), or an ``app_password`` is given while ``auth`` is not
``app-password`` (warning: it is ignored). (2-Step Verification, which app passwords need, is
``google-app-password-requires-2sv``'s.)

**Why.** Open Bee has no OAuth for Google: it signs in to ``smtp.gmail.com:587`` with the Gmail
address and an app password, which Google issues only to accounts with 2-Step Verification (and,
on Workspace, only when the administrator allows it). Without the reference nothing can be
rendered into Open Bee's password field.

**Fix.** Create the app password (https://myaccount.google.com/apppasswords, signed in as the
mailbox), store it in a secret store and reference it: ``app_password: {env: NAME}`` with
``auth: app-password``; enrol the account in 2-Step Verification first.

Source: https://help.openbee.com/ (Office 365 and G Suite SMTP configuration);
the Open Bee facts (``GoogleProfile.auth = app-password``).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._common import key_or_parent, target_path
from mailoauth_cfg.targets.openbee.model import OpenbeeTarget


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Check app password settings of Open Bee targets."""
    for plan, target in ctx.targets_of(OpenbeeTarget):
        google = plan.google
        if target.auth == "app-password" and google is not None:
            if target.app_password is None:
                path, at_key = key_or_parent(ctx, target_path(plan.name, "auth"))
                yield ctx.finding(
                    RULE,
                    f"target {plan.name} uses a Google app password but has no app_password "
                    "reference",
                    path,
                    fix=f"create it at https://myaccount.google.com/apppasswords (as "
                    f"{target.users[0] if target.users else 'the mailbox'}) and set "
                    "`app_password: {env: OPENBEE_APP_PASSWORD}`",
                    object=plan.object,
                    at_key=at_key,
                )
        elif target.app_password is not None and target.auth != "app-password":
            yield ctx.finding(
                RULE,
                f"target {plan.name} has an app_password but `auth: {target.auth}`: the app "
                "password is not used",
                target_path(plan.name, "app_password"),
                fix=f"remove `app_password` from target {plan.name}"
                + (", or set `auth: app-password`" if google is not None else ""),
                object=plan.object,
                at_key=True,
                severity=Severity.WARNING,
            )


RULE = Rule.define(
    __doc__,
    id="openbee-google-app-password",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="targets",
    impacts=(
        (Severity.ERROR, "no app password to log in with"),
        (Severity.WARNING, "an app password is declared but unused"),
    ),
)

"""A Dolibarr target switches a sending context to OAuth without the main e-mail setting.

**What.** A ``dolibarr`` target sends over SMTP (``smtp`` in ``protocols``) and its
``contexts`` (``emailing``, ``ticket``, ``passwordreset``) do not include ``main``.

**Why.** Dolibarr takes host, port, login and OAuth service from each context's own
``MAIN_MAIL_*_<CONTEXT>`` constants, but the SASL mechanism only from the un-suffixed
``MAIN_MAIL_SMTPS_AUTH_TYPE`` (``core/class/smtps.class.php``): unless the main setting says
``XOAUTH2``, the context logs in with ``AUTH LOGIN`` and the token as a password, and every
message fails (``535 5.7.3``). There is no per-context mechanism to set.

**Fix.** Add ``main`` to ``contexts`` (the main e-mail setting then uses the same XOAUTH2 entry;
the finding carries the change).

Source: Dolibarr/dolibarr:htdocs/core/class/smtps.class.php (verified on Dolibarr 23.0);
Dolibarr/dolibarr:htdocs/admin/mails.php.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Edit, Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._common import key_or_parent, target_path
from mailoauth_cfg.targets.dolibarr.facts import SMTP_MECHANISM_CONTEXT
from mailoauth_cfg.targets.dolibarr.model import DolibarrTarget


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Find SMTP contexts switched to OAuth without the main setting."""
    for plan, target in ctx.targets_of(DolibarrTarget):
        if "smtp" not in target.protocols or target.auth != "oauth2":
            continue
        if SMTP_MECHANISM_CONTEXT in target.contexts:
            continue
        path = target_path(plan.name, "contexts")
        where, at_key = key_or_parent(ctx, path)
        yield ctx.finding(
            RULE,
            f"target {plan.name} switches {', '.join(target.contexts)} to XOAUTH2 but not the "
            "main e-mail setting: Dolibarr takes the SASL mechanism from the main "
            "MAIN_MAIL_SMTPS_AUTH_TYPE only, so these contexts log in with AUTH LOGIN and fail",
            where,
            at_key=at_key,
            fix=f"add `{SMTP_MECHANISM_CONTEXT}` to targets.{plan.name}.contexts",
            object=plan.object,
            edits=(Edit("add", path, SMTP_MECHANISM_CONTEXT),),
        )


RULE = Rule.define(
    __doc__,
    id="dolibarr-context-auth-type",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="targets",
    impacts=((Severity.ERROR, "the context logs in with a password mechanism: mail fails"),),
    fixable=True,
)

"""A GLPI target runs a version without OAuth for SMTP.

**What.** ``version`` of a ``glpi`` target is below the catalog minimum (10.0).

**Why.** The "SMTP+OAUTH" mode (``smtp_mode=4``, ``MAIL_SMTPOAUTH``) with the Azure and Google
providers and the ``/front/smtp_oauth2_callback.php`` redirect exists from GLPI 10.0; older
versions can only send with a password, which Microsoft 365 and Google are retiring.

**Fix.** Upgrade GLPI to 10.0 or later and update ``version:``.

Source: glpi-project/glpi:src/Glpi/Mail/SMTP/OauthConfig.php;
glpi-project/glpi:src/autoload/constants.php; mailoauth_cfg/catalog/targets.py (GLPI
``min_version``).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.model import GlpiTarget
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._common import plans_of, target_path, version_lt


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Compare GLPI versions with the catalog minimum."""
    for plan in plans_of(ctx, "glpi"):
        target = plan.target
        minimum = plan.kind.min_version
        if not isinstance(target, GlpiTarget) or minimum is None:
            continue
        if not version_lt(target.version, minimum):
            continue
        yield ctx.finding(
            RULE,
            f"target {plan.name}: GLPI {target.version} has no SMTP+OAuth mode (needs >= "
            f"{minimum})",
            target_path(plan.name, "version"),
            fix=f"upgrade GLPI to {minimum} or later and update `version:`",
            object=plan.object,
        )


RULE = Rule.define(
    __doc__,
    id="glpi-version",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="targets",
)

"""A declared target setting breaks a constraint of its application.

**What.** A key of ``targets.<name>`` that sets one of the application's own settings holds a
value the application rejects or misreads: it must equal a value, be one of a few values, or
match a pattern (each kind's ``settings`` with a ``field``). Today: the label of a Dolibarr OAuth
service entry must be letters and digits (an empty label, the unlabelled entry
``OAUTH_<PROV>_ID``, is allowed); Postfix's ``smtp_sasl_mechanism_filter``
(``sasl_mechanism``) must be ``xoauth2``, the only mechanism sasl-xoauth2 provides.

**Why.** The application stores or parses the value its own way: Dolibarr's form accepts only
letters and digits in a label, splits ``OAUTH_<PROV>-<label>`` on ``-`` and strips ``_ID`` when
saving, so the service that ``MAIN_MAIL_SMTPS_OAUTH_SERVICE`` names is never found.

**Fix.** Set the value the message gives (for a pattern, the value without the characters it
does not allow). Where the application takes exactly one value, the finding carries it.

Source: each kind's ``settings`` in mailoauth_cfg/targets/<kind>/facts.py (Dolibarr:
Dolibarr/dolibarr:htdocs/admin/oauth.php).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Edit, Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._common import key_or_parent, target_path
from mailoauth_cfg.targets._facts import Equals, OneOf, Pattern, Setting


def fix_of(setting: Setting, field: str, value: str) -> str:
    """The YAML change that satisfies ``setting``."""
    constraint = setting.constraint
    if isinstance(constraint, Pattern):
        return f"set `{field}: {constraint.repaired(value)}`"
    if isinstance(constraint, OneOf):
        return f"set `{field}` to one of: {', '.join(constraint.values)}"
    return f"set `{field}: {constraint.value}`"


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Check each declared setting against its constraint."""
    for plan in ctx.target_plans():
        for setting in plan.facts.settings_for(plan.provider_type, plan.protocols):
            field = setting.field
            if field is None:
                continue
            value = getattr(plan.target, field, None)
            if value is None or value == "" or setting.constraint.accepts(value):
                continue
            path, at_key = key_or_parent(ctx, target_path(plan.name, field))
            exact = setting.constraint
            yield ctx.finding(
                RULE,
                f"target {plan.name}: {setting.name} {str(value)!r} "
                f"{setting.constraint.expected()}: {setting.message}",
                path,
                fix=fix_of(setting, field, str(value)),
                object=plan.object,
                at_key=at_key,
                edits=(
                    (Edit("set", target_path(plan.name, field), exact.value),)
                    if isinstance(exact, Equals)
                    else ()
                ),
            )


RULE = Rule.define(
    __doc__,
    id="target-setting-invalid",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="targets",
    replaces=("dolibarr-label-invalid",),
    impacts=((Severity.ERROR, "the application refuses or mangles the declared value"),),
    fixable=True,
)

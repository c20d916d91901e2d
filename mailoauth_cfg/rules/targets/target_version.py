"""A target runs a version of its application that lacks what OAuth mail needs.

**What.** The ``version`` of a target is below a minimum its kind documents for the provider
and protocols the target uses: GLPI 10.0 (SMTP + OAuth mode), Odoo 15 (Outlook / Gmail
modules), Open Bee Portal 6.10.3 (Office 365 and G Suite SMTP settings), WaveSoft 23.02.05
(OAuth2 mail, the version of its technical sheet: a warning, as older versions are not
documented), MultiSMTP's IMAP copy with OAuth (Dolibarr 22), msmtp 1.8.13 with Microsoft
(``auth xoauth2``), msmtp 1.8.5 with Google (``auth oauthbearer``; below 1.8.13 a warning, as
only ``oauthbearer`` and short ``passwordeval`` output are available). Versions are compared in
the vendor's format (DigDash writes ``2025R2``). For kinds whose installed version varies
widely (msmtp) an undeclared version gives one info.

**Why.** An older version has no way to authenticate with a token: the consent page, the
mechanism or the setting does not exist, so mail cannot flow once passwords are refused.

**Fix.** Upgrade the application to the version given (or, where the minimum concerns one
protocol, stop using that protocol) and update ``version:``.

Source: each kind's ``VERSIONS`` in mailoauth_cfg/targets/<kind>/facts.py, which cite
glpi-project/glpi:src/Glpi/Mail/SMTP/OauthConfig.php, odoo/odoo:addons/microsoft_outlook,
https://help.openbee.com/ (Office 365 and G Suite SMTP configuration), WaveSoft FTC030,
SylvainLegrand/InfraStructure:htdocs/custom/multismtp/FEATURES.md and marlam/msmtp:NEWS.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.derive import TargetPlan
from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._common import target_path
from mailoauth_cfg.targets._facts import VersionFacts, VersionRequirement


def applicable(versions: VersionFacts, plan: TargetPlan) -> list[VersionRequirement]:
    """The requirements that hold for the target's provider and protocols."""
    return [
        r
        for r in versions.requirements
        if (r.provider is None or r.provider == plan.provider_type)
        and (r.protocol is None or r.protocol in plan.protocols)
    ]


def _severity(requirement: VersionRequirement) -> Severity:
    if requirement.warning or not requirement.verified:
        return Severity.WARNING
    return Severity.ERROR


def _newest(requirements: list[VersionRequirement], versions: VersionFacts) -> str:
    newest = requirements[0].since
    for requirement in requirements[1:]:
        if versions.format.older(newest, requirement.since):
            newest = requirement.since
    return newest


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Compare each target's version with its kind's version requirements."""
    for plan in ctx.target_plans():
        versions = plan.facts.versions
        if versions is None:
            continue
        wanted = applicable(versions, plan)
        if not wanted:
            continue
        product = versions.product
        version = plan.target.declared_version
        if version is None:
            if not versions.ask_when_omitted:
                continue
            newest = _newest(wanted, versions)
            how = versions.how_to_check or f"check the installed {product} version"
            yield ctx.finding(
                RULE,
                f"target {plan.name}: {product} version unknown; "
                f"{next(r.feature for r in wanted if r.since == newest)} needs {product} "
                f">= {newest}",
                target_path(plan.name),
                fix=f"{how} and set `version:` on target {plan.name}",
                object=plan.object,
                at_key=True,
                severity=Severity.INFO,
            )
            continue
        missing = [r for r in wanted if versions.format.older(version, r.since)]
        if not missing:
            continue
        severity = max(_severity(r) for r in missing)
        worst = next(r for r in missing if _severity(r) is severity)
        inferred = "" if worst.verified else " (the documented minimum; older versions unverified)"
        fix = f"upgrade {product} to {_newest(missing, versions)} or later and update `version:`"
        protocols = {r.protocol for r in missing}
        if None not in protocols:
            others = [p for p in dict.fromkeys(plan.protocols) if p not in protocols]
            fix += f", or set `protocols: [{', '.join(others) or 'smtp'}]`"
        yield ctx.finding(
            RULE,
            f"target {plan.name}: {product} {version} lacks {worst.feature} (needs >= "
            f"{worst.since}){inferred}",
            target_path(plan.name, "version"),
            fix=fix,
            object=plan.object,
            severity=severity,
        )


RULE = Rule.define(
    __doc__,
    id="target-version",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="targets",
    replaces=("glpi-version", "odoo-version", "msmtp-version", "multismtp-imap-version"),
    impacts=(
        (Severity.ERROR, "the version lacks what OAuth mail needs"),
        (Severity.WARNING, "older versions work in a degraded way"),
        (Severity.INFO, "version not declared: check it"),
    ),
)

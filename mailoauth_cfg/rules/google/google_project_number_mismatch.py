"""A Google client ID belongs to another project than the provider's ``project_number``.

**What.** The numeric prefix of ``apps.<name>.client_id`` (``<project number>-...``) differs
from ``providers.<provider>.project_number``.

**Why.** An OAuth client lives in exactly one Cloud project, and the consent screen (audience,
publishing status), the enabled APIs and the verification state are per project. When the
client comes from another project, what the provider declares (``consent_screen``) describes
the wrong project: a client from a project still in *Testing* will see its refresh tokens die
after 7 days even though the provider says ``production``.

**Fix.** Check the project of the client (Google Cloud console › project picker › Dashboard ›
*Project number*) and either correct ``project_number`` or use a client created in that
project (APIs & Services › Credentials › Create credentials › OAuth client ID).

Source: https://developers.google.com/identity/protocols/oauth2 (clients belong to a project);
model documentation of ``providers.<name>.project_number``.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.model import GoogleProvider
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.google._common import google_app_plans
from mailoauth_cfg.rules.google.google_client_id_format import CLIENT_ID_RE


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Compare each Google client ID's project number with the provider's."""
    for plan in google_app_plans(ctx):
        provider = plan.provider
        if not isinstance(provider, GoogleProvider) or provider.project_number is None:
            continue
        if plan.app.flow == "app-only":
            continue
        match = CLIENT_ID_RE.fullmatch(plan.app.client_id)
        if match is None:
            continue  # google-client-id-format reports it
        number = match.group(1)
        if number == provider.project_number:
            continue
        yield ctx.finding(
            RULE,
            f"client_id of app {plan.name} belongs to project {number}, but provider "
            f"{plan.app.provider} declares project_number {provider.project_number}: its "
            "consent screen and enabled APIs are those of project "
            f"{number}, not what the provider declares",
            ("apps", plan.name, "client_id"),
            fix=f'set `providers.{plan.app.provider}.project_number: "{number}"` if that is '
            f"the project, or create the client in project {provider.project_number} "
            "(APIs & Services › Credentials › Create credentials › OAuth client ID)",
            object=plan.object,
        )


RULE = Rule.define(
    __doc__,
    id="google-project-number-mismatch",
    severity=Severity.WARNING,
    check=check,
    options=RuleOptions,
    family="google",
    impacts=(
        (
            Severity.WARNING,
            "the declared consent screen may describe another project: tokens may expire",
        ),
    ),
)

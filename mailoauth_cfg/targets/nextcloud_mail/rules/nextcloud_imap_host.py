"""Nextcloud Mail's Microsoft integration cannot serve this Microsoft cloud or IMAP host.

**What.** A ``nextcloud-mail`` target with Microsoft uses a provider whose ``cloud`` is not
``global`` (error), or whose ``endpoints.imap`` host is not ``outlook.office365.com`` (warning).

**Why.** Nextcloud Mail treats an account as a Microsoft OAuth account only when its inbound host
is exactly ``outlook.office365.com`` with ``xoauth2``, and it requests tokens from the hard-coded
``https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token``. National clouds (US Government,
21Vianet) use other login and IMAP hosts, so the consent and the refresh cannot work; another IMAP
host (a proxy, an emulator) makes Nextcloud skip the OAuth integration.

**Fix.** Use the worldwide cloud with IMAP host ``outlook.office365.com``; for a national cloud
use another target type (e.g. ``email-oauth2-proxy``) in front of Nextcloud.

Source: nextcloud/mail:lib/Integration/MicrosoftIntegration.php (``isMicrosoftOauthAccount``,
``finishConnect``); ``MICROSOFT_IMAP_HOST`` of the Nextcloud
Mail facts.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.catalog.microsoft import get_cloud
from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.model import MicrosoftProvider
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._common import host_of
from mailoauth_cfg.targets.nextcloud_mail.facts import MICROSOFT_IMAP_HOST
from mailoauth_cfg.targets.nextcloud_mail.model import NextcloudMailTarget


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Check the cloud and IMAP host behind Microsoft Nextcloud targets."""
    wanted = str(MICROSOFT_IMAP_HOST.value)
    for plan, _ in ctx.targets_of(NextcloudMailTarget):
        provider = plan.provider
        name = plan.provider_name
        if not isinstance(provider, MicrosoftProvider) or name is None:
            continue
        if provider.cloud != "global":
            cloud = get_cloud(provider.cloud)
            yield ctx.finding(
                RULE,
                f"target {plan.name}: provider {name} is in {cloud.display_name} (login "
                f"{cloud.login_host}, IMAP {cloud.imap.host}); Nextcloud Mail's Microsoft "
                f"integration only talks to login.microsoftonline.com and {wanted}",
                ("providers", name, "cloud"),
                fix=f"serve target {plan.name} from a worldwide-cloud tenant, or put an "
                "email-oauth2-proxy target in front of Nextcloud Mail",
                object=plan.object,
            )
            continue
        imap = provider.endpoints.imap if provider.endpoints else None
        host = host_of(imap)
        if host is None or host == wanted:
            continue
        yield ctx.finding(
            RULE,
            f"target {plan.name}: provider {name} overrides the IMAP host with {host}; Nextcloud "
            f"Mail applies its Microsoft OAuth only to {wanted}",
            ("providers", name, "endpoints", "imap"),
            fix=f"remove `endpoints.imap` from provider {name} (or set it to {wanted}:993)",
            object=plan.object,
            severity=Severity.WARNING,
        )


RULE = Rule.define(
    __doc__,
    id="nextcloud-imap-host",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="targets",
    impacts=(
        (Severity.ERROR, "Nextcloud cannot sign in to this cloud"),
        (Severity.WARNING, "another IMAP host makes Nextcloud skip OAuth"),
    ),
)

"""msmtp, with mailoauth-cfg as its token helper (``passwordeval``)."""

from __future__ import annotations

from mailoauth_cfg.catalog import sources as src
from mailoauth_cfg.catalog.google import MAIL_SCOPE
from mailoauth_cfg.catalog.microsoft import LOOPBACK_REDIRECT_URI
from mailoauth_cfg.targets._facts import (
    DOTTED,
    GOOGLE_DESKTOP_LOOPBACK,
    TOKEN_FILE,
    Equals,
    GoogleProfile,
    MicrosoftProfile,
    OneOf,
    RedirectPattern,
    Setting,
    TargetFacts,
    VersionFacts,
    VersionRequirement,
    flows,
    frozen_map,
    mail_permissions,
)

PROGRAM = "msmtp"
"""The msmtp executable, as the README's commands run it (and as messages name the product)."""

MICROSOFT_AUTH = Setting(
    "auth",
    Equals("xoauth2"),
    message="Exchange Online accepts only XOAUTH2",
    source=src.MS_OAUTH_MAIL_PROTOCOLS,
    provider="microsoft",
)
GOOGLE_AUTH = Setting(
    "auth",
    OneOf(("oauthbearer", "xoauth2")),
    message="Gmail accepts OAUTHBEARER (RFC 7628) and XOAUTH2",
    source=src.MSMTP_MAN,
    provider="google",
)

XOAUTH2 = VersionRequirement(
    since="1.8.13",
    feature="auth xoauth2, the only mechanism Exchange Online accepts",
    source=src.MSMTP_NEWS,
    provider="microsoft",
)
VERSIONS = VersionFacts(
    product=PROGRAM,
    format=DOTTED,
    requirements=(
        XOAUTH2,
        VersionRequirement(
            since="1.8.5",
            feature="auth oauthbearer (added in 1.8.4, fixed in 1.8.5)",
            source=src.MSMTP_NEWS,
            provider="google",
        ),
        VersionRequirement(
            since="1.8.13",
            feature="auth xoauth2 and long passwordeval output (meanwhile use `auth oauthbearer`)",
            source=src.MSMTP_NEWS,
            provider="google",
            warning=True,
        ),
    ),
    ask_when_omitted=True,
    how_to_check="run `msmtp --version` on the host (version and 'Authentication library' line)",
)
"""msmtp's mechanisms arrived in 1.8.5 (oauthbearer) and 1.8.13 (xoauth2); which ones a binary
has also depends on its authentication library (``msmtp --version``)."""

FACTS = TargetFacts(
    display_name="msmtp (with mailoauth-cfg as token helper)",
    microsoft=MicrosoftProfile(
        protocols=("smtp",),
        platform="public",
        redirect=RedirectPattern(
            template=LOOPBACK_REDIRECT_URI,
            reason=(
                "Decision: msmtp never obtains tokens; mailoauth-cfg's own 'token bootstrap' "
                "does, as a public client with a loopback redirect (Entra ignores the port for "
                "localhost). Device code is the headless alternative (no redirect URI)."
            ),
            source=src.MS_REPLY_URL_RULES,
        ),
        bootstrap="cli-loopback",
        flow_settings=flows(device_code="`mailoauth-cfg token bootstrap --flow device-code`"),
        permissions=mail_permissions("smtp"),
        tenant_setting="providers.<name>.tenant (used by mailoauth-cfg)",
        source=src.MSMTP_MAN,
    ),
    google=GoogleProfile(
        auth="oauth2",
        protocols=("smtp",),
        client_type="desktop",
        redirect=RedirectPattern(
            template=None,
            reason=GOOGLE_DESKTOP_LOOPBACK,
            source=src.GOOGLE_NATIVE_APPS,
            must_register=False,
        ),
        bootstrap="cli-loopback",
        scopes=(MAIL_SCOPE,),
        source=src.MSMTP_MAN,
    ),
    token_sink=TOKEN_FILE,
    refresh_token_injectable=True,
    # `user` is written apart from the token passwordeval prints: a shared address there with
    # a member's token is Microsoft's delegated shared-mailbox login (apis.md B.3).
    shared_mailbox_supported=True,
    sender_must_equal_token_owner=False,
    primary_address_required=False,
    sign_in_account=(
        # plain text: the runbook prints it as Markdown text, escaped
        "the mailbox owner; for a shared mailbox the msmtprc user is the shared address and a "
        "member with access signs in"
    ),
    ui_path=(
        "none: ~/.msmtprc account with auth xoauth2 (Microsoft; oauthbearer or xoauth2 for "
        "Google), user = mailbox, passwordeval printing a fresh access token "
        "(mailoauth-cfg token access)"
    ),
    source=src.MSMTP_MAN,
    web_application=False,
    ansible_tasks=PROGRAM,  # the role's tasks file for msmtp hosts bears its name
    settings=(MICROSOFT_AUTH, GOOGLE_AUTH),
    versions=VERSIONS,
    notes=(
        "msmtp never refreshes tokens; passwordeval must print a fresh access token.",
        "Available mechanisms depend on the auth library msmtp was built with; check "
        "'msmtp --version'.",
        "Microsoft: device code additionally needs 'Allow public client flows' = Yes.",
        "Google's device flow cannot grant the Gmail scope.",
    ),
    holds=frozen_map(
        {
            "sasl_mechanism": "auth",
            "token_helper": "passwordeval",
            "scopes": "the token helper's scope",
            "tenant": "the token helper's tenant",
            "authorize_endpoint": "the token helper's authorize endpoint",
            "token_endpoint": "the token helper's token endpoint",
            "redirect_uri": "the token helper's redirect_uri",
            "accounts.login": "user",
            "accounts.sign_in_as": "the account that ran the token bootstrap",
        }
    ),
)

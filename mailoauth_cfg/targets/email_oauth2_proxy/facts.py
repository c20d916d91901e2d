"""email-oauth2-proxy: a local IMAP/POP/SMTP proxy that adds OAuth2 for legacy clients."""

from __future__ import annotations

from mailoauth_cfg.catalog import sources as src
from mailoauth_cfg.catalog.google import MAIL_SCOPE
from mailoauth_cfg.targets._facts import (
    TOKEN_FILE,
    GoogleProfile,
    MicrosoftProfile,
    RedirectPattern,
    TargetFacts,
    flows,
    frozen_map,
    mail_permissions,
)

LOCAL_PORT_MIN = 1024
"""Local listening ports must be > 1023 unless the proxy runs as root (source: its sample
config); ``targets.<name>.*_port`` accept nothing lower."""


def _redirect(source: str, *, must_register: bool) -> RedirectPattern:
    return RedirectPattern(
        template="http://localhost",
        reason=(
            "redirect_uri = http://localhost; with --local-server-auth use a port unique per "
            "account (variant 'local-server-auth')."
        ),
        source=source,
        must_register=must_register,
        variants=frozen_map({"local-server-auth": "http://localhost:{port}"}),
    )


FACTS = TargetFacts(
    display_name="Email OAuth 2.0 Proxy (simonrob/email-oauth2-proxy)",
    microsoft=MicrosoftProfile(
        protocols=("smtp", "imap", "pop"),
        platform="public",
        redirect=_redirect(src.EMAILPROXY_CONFIG, must_register=True),
        bootstrap="cli-loopback",
        flow_settings=flows(
            cli_loopback="`flow: authorization_code`",
            device_code="`flow: device`",
            client_credentials="`flow: client_credentials`",
        ),
        permissions=mail_permissions("smtp", "imap", "pop"),
        tenant_setting="permission_url and token_url (replace 'common' with the tenant ID)",
        certificate_capable=True,
        confidential_loopback=True,
        source=src.EMAILPROXY_CONFIG,
    ),
    google=GoogleProfile(
        auth="oauth2",
        protocols=("smtp", "imap", "pop"),
        client_type="desktop",
        redirect=_redirect(src.EMAILPROXY_README, must_register=False),
        bootstrap="cli-loopback",
        flow_settings=flows(
            cli_loopback=(
                "`flow: authorization_code` (with a Desktop app client; start the proxy with "
                "--external-auth on a headless host)"
            ),
            device_code="`flow: device`",
        ),
        scopes=(MAIL_SCOPE,),
        service_account_flow=True,
        source=src.EMAILPROXY_README,
    ),
    token_sink=TOKEN_FILE,
    refresh_token_injectable=False,
    shared_mailbox_supported=True,
    sender_must_equal_token_owner=False,
    primary_address_required=False,
    sign_in_account=(
        "the mailbox owner; for a shared mailbox the account section is the shared address and "
        "a delegate signs in"
    ),
    ui_path=(
        "none: emailproxy.config (INI, --config-file); the first client login triggers the "
        "consent (GUI, --external-auth or --local-server-auth)"
    ),
    source=src.EMAILPROXY_CONFIG,
    web_application=False,
    notes=(
        "Local clients connect without TLS unless local_certificate_path is set.",
        "Every client must use the same password per account: it keys the token cache encryption.",
        "The cached token keys (token_salt, token_iterations, access_token, "
        "access_token_expiry, refresh_token, last_activity, client_secret_encrypted) are never "
        "written: they are encrypted with the client's password and cannot be pre-seeded.",
        "Microsoft: the sample config requests IMAP, POP and SMTP scopes plus offline_access "
        "at once; client credentials use https://outlook.office365.com/.default.",
    ),
    holds=frozen_map(
        {
            "scopes": "oauth2_scope",
            "authorize_endpoint": "permission_url",
            "token_endpoint": "token_url",
            "redirect_uri": "redirect_uri",
            "accounts.login": "the account section [<mailbox>]",
            "accounts.sign_in_as": "the account that signs in at the first login",
            "accounts.scopes": "oauth2_scope of the account section",
        }
    ),
)

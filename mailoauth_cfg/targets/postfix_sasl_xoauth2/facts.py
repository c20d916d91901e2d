"""Postfix relaying through Microsoft 365 or Gmail with the sasl-xoauth2 plugin."""

from __future__ import annotations

from types import MappingProxyType

from mailoauth_cfg.catalog import sources as src
from mailoauth_cfg.catalog.google import MAIL_SCOPE
from mailoauth_cfg.catalog.microsoft import NATIVE_CLIENT_REDIRECT_URI
from mailoauth_cfg.targets._facts import (
    TOKEN_FILE,
    Equals,
    GoogleProfile,
    MicrosoftProfile,
    RedirectPattern,
    Setting,
    TargetFacts,
    flows,
    frozen_map,
)

MECHANISM_FILTER = Setting(
    "smtp_sasl_mechanism_filter",
    Equals("xoauth2"),
    message=(
        "sasl-xoauth2 implements XOAUTH2 only: with another filter Postfix picks a mechanism "
        "the plugin does not provide (no worthy mechs / the token sent as a password) and "
        "every relay attempt fails"
    ),
    source=src.SASL_XOAUTH2_README,
    field="sasl_mechanism",
)

HVE_REFRESH_WINDOW = 600
"""Smallest ``refresh_window`` (seconds) when relaying through ``smtp-hve.office365.com``
(source: sasl-xoauth2.conf(5))."""

AUTHCODE = "authcode"
"""The redirect variant of sasl-xoauth2-tool's legacy authorization-code flow."""

FACTS = TargetFacts(
    display_name="Postfix relay with sasl-xoauth2",
    microsoft=MicrosoftProfile(
        protocols=("smtp",),
        platform="public",
        redirect=RedirectPattern(
            template=None,
            reason=(
                "Device flow (sasl-xoauth2-tool get-token outlook --use-device-flow): no "
                "redirect URI; 'Allow public client flows' must be Yes."
            ),
            source=src.SASL_XOAUTH2_README,
            must_register=False,
            variants=frozen_map({AUTHCODE: NATIVE_CLIENT_REDIRECT_URI}),
        ),
        bootstrap="device-code",
        flow_settings=flows(device_code="`flow: device-code`", cli_loopback="`flow: loopback`"),
        permissions=MappingProxyType({"smtp": ("SMTP.Send", "offline_access", "openid")}),
        tenant_setting="sasl-xoauth2-tool --tenant and token_endpoint",
        source=src.SASL_XOAUTH2_README,
    ),
    google=GoogleProfile(
        auth="oauth2",
        protocols=("smtp",),
        client_type="desktop",
        redirect=RedirectPattern(
            template="http://127.0.0.1:{port}/oauth2_result",
            reason=(
                "Loopback listener of sasl-xoauth2-tool (--local-listen-port); the browser must "
                "run on the same host. Desktop client: nothing to register."
            ),
            source=src.SASL_XOAUTH2_README,
            must_register=False,
        ),
        bootstrap="cli-loopback",
        flow_settings=flows(
            cli_loopback=(
                "`flow: loopback` and bootstrap with `sasl-xoauth2-tool get-token gmail <token "
                "file> --client-id=... --client-secret=... --scope=https://mail.google.com/` on "
                "a host where a browser reaches the loopback listener"
            ),
            device_code="`flow: device-code`",
        ),
        scopes=(MAIL_SCOPE,),
        source=src.SASL_XOAUTH2_README,
    ),
    token_sink=TOKEN_FILE,
    refresh_token_injectable=True,
    # The sasl_passwd user (the XOAUTH2 user) is written apart from the token file: a shared
    # address there with a member's token is Microsoft's delegated shared-mailbox login
    # (apis.md B.3).
    shared_mailbox_supported=True,
    sender_must_equal_token_owner=False,
    primary_address_required=False,
    sign_in_account=(
        "the mailbox owner; for a shared mailbox the sasl_passwd user is the shared address "
        "and a member with access signs in for the token file"
    ),
    ui_path=(
        "none: /etc/postfix/main.cf, sasl_passwd ([host]:587 user:/path/to/token-file), "
        "/etc/sasl-xoauth2.conf and the token file; bootstrap with sasl-xoauth2-tool get-token"
    ),
    source=src.SASL_XOAUTH2_README,
    web_application=False,
    ansible_tasks="postfix",
    settings=(MECHANISM_FILTER,),
    notes=(
        "Token file keys: refresh_token (required), access_token, expiry (string), and optional "
        "user/client_id/client_secret/token_endpoint/proxy/ca_*/refresh_window overrides.",
        "client_id and client_secret keys are required in sasl-xoauth2.conf; client_secret may "
        "be '' for public clients. The conf file is world-readable: keep secrets in the token "
        "file.",
        "Set ca_bundle_file or ca_certs_dir, not both.",
        "The token file and its directory must be owned by the postfix user (updates are "
        "written then renamed; a root-owned 0600 token defers all mail with 'SASL "
        "authentication failed; generic failure'); inside the chroot when smtp is chrooted.",
        "The plugin needs a CA bundle reachable inside the chroot; no Debian package installs "
        "it there (sasl-xoauth2 is not in Debian 12; experimental's 0.20-1 has no "
        "update-ca-certificates hook).",
        "Microsoft: sasl-xoauth2-tool --tenant defaults to consumers: set it for work accounts.",
        "Several senders: smtp_sender_dependent_authentication = yes with sender-keyed "
        "sasl_passwd (standard Postfix).",
        "Google: publish the consent screen to Production (7-day tokens in Testing).",
    ),
    holds=frozen_map(
        {
            "tenant": "sasl-xoauth2-tool --tenant",
            "token_endpoint": "token_endpoint (sasl-xoauth2.conf)",
            "sasl_mechanism": "smtp_sasl_mechanism_filter (main.cf)",
            "scopes": "sasl-xoauth2-tool --scope",
            "token_helper": "the tool that wrote the token file",
            "accounts.login": "the sasl_passwd user (or the token file user)",
            "accounts.sign_in_as": "the account that signed in for the token file",
        }
    ),
)

"""``type: postfix-sasl-xoauth2``: the YAML of a Postfix relay with sasl-xoauth2."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from mailoauth_cfg.model._base import Email, Endpoint, PathText
from mailoauth_cfg.targets._model import (
    EndpointUrl,
    LoginAccount,
    SaslMechanism,
    Scope,
    TargetModel,
    TenantSetting,
    TokenHelper,
)


class PostfixTarget(TargetModel):
    """Postfix relaying through Microsoft 365 or Gmail with the sasl-xoauth2 plugin."""

    type: Literal["postfix-sasl-xoauth2"]
    postfix_dir: PathText = "/etc/postfix"
    """Postfix configuration directory."""
    config_file: PathText = "/etc/sasl-xoauth2.conf"
    """sasl-xoauth2 configuration file."""
    token_dir: PathText = "/etc/tokens"
    """Directory of the token files (as Postfix sees it)."""
    chroot: bool = True
    """Postfix ``smtp`` runs chrooted (Debian default): token files live under ``chroot_dir``."""
    chroot_dir: PathText = "/var/spool/postfix"
    """Postfix chroot directory."""
    relay: Endpoint | None = None
    """Relay host[:port] override, e.g. smtp-hve.office365.com:587."""
    refresh_window: Annotated[int, Field(ge=0, le=3600)] | None = None
    """Seconds before expiry at which sasl-xoauth2 refreshes (≥ 600 for the HVE endpoint)."""
    flow: Literal["device-code", "loopback"] | None = None
    """How the refresh token is obtained; omitted: device code (Microsoft), loopback (Google)."""
    tenant: TenantSetting | None = None
    """``sasl-xoauth2-tool get-token outlook --tenant`` (its default is ``consumers``). Omitted:
    the provider's tenant."""
    token_endpoint: EndpointUrl | None = None
    """``token_endpoint`` in sasl-xoauth2.conf (its default is Google's). Omitted: the
    provider's."""
    scopes: list[Scope] | None = None
    """The scopes the token was obtained with (``--scope``). Omitted: what mailoauth-cfg
    requests."""
    sasl_mechanism: SaslMechanism | None = None
    """``smtp_sasl_mechanism_filter`` in main.cf. sasl-xoauth2 implements ``xoauth2`` only.
    Omitted: ``xoauth2``."""
    token_helper: TokenHelper | None = None
    """What obtained the refresh token: ``mailoauth-cfg`` (default) or ``sasl-xoauth2-tool``."""
    accounts: dict[Email, LoginAccount] | None = None
    """Per mailbox: the SASL user (``sasl_passwd`` / the token file's ``user``) and who signed
    in for the token."""

"""``type: postfix-sasl-xoauth2``: the YAML of a Postfix relay with sasl-xoauth2."""

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from mailoauth_cfg.model._base import Email, Endpoint, PathText, SystemUser
from mailoauth_cfg.targets._model import (
    EndpointUrl,
    LoginAccount,
    SaslMechanism,
    Scope,
    TargetModel,
    TenantSetting,
    TokenHelper,
)


def _no_path(value: str) -> str:
    """A relay is a host and a port: Postfix has nowhere to put a path."""
    if "/" in value.split("://", 1)[-1].rstrip("/"):
        raise ValueError(
            "takes no path: host, host:port or [host]:port (e.g. smtp-hve.office365.com:587)"
        )
    return value


Relay = Annotated[Endpoint, AfterValidator(_no_path)]
"""``relay``: an endpoint without a path (``relayhost`` holds a host and a port only)."""


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
    mail_owner: SystemUser = "postfix"
    """The user Postfix's ``smtp`` client runs as (Postfix ``mail_owner``): it owns the token
    directory and files, which sasl-xoauth2 rewrites when it refreshes a token."""
    ca_bundle_file: PathText = "/etc/ssl/certs/ca-certificates.crt"
    """The CA bundle sasl-xoauth2 verifies the token endpoint with (``ca_bundle_file``); with
    ``chroot: true`` a copy must exist at the same path inside ``chroot_dir``."""
    relay: Relay | None = None
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

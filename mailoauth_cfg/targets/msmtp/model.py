"""``type: msmtp``: the YAML of an msmtp target."""

from typing import Annotated, Literal

from pydantic import AfterValidator

from mailoauth_cfg.model._base import CommandLine, Email, PathText, Uri
from mailoauth_cfg.targets._model import (
    EndpointUrl,
    LoginAccount,
    SaslMechanism,
    Scope,
    TargetModel,
    TenantSetting,
    TokenHelper,
    Version,
)
from mailoauth_cfg.targets.msmtp.facts import VERSIONS


class MsmtpTarget(TargetModel):
    """msmtp (sendmail replacement) with ``passwordeval`` calling ``mailoauth-cfg token access``."""

    type: Literal["msmtp"]
    version: Annotated[Version, AfterValidator(VERSIONS.format.check)] | None = None
    """Installed msmtp version (XOAUTH2 needs 1.8.13 or later)."""
    config_path: PathText = "/etc/mailoauth-cfg/mailoauth.yaml"
    """Where this config lives on the host, for ``passwordeval``."""
    command: CommandLine = "mailoauth-cfg"
    """Command that runs mailoauth-cfg on the host: words split as a shell splits them, without
    any expansion (``/opt/venv/bin/python -m mailoauth_cfg``); each is quoted again when
    rendered."""
    token_dir: PathText | None = None
    """Token store directory on the host; omitted: the tool's default."""
    logfile: PathText | None = None
    """msmtp ``logfile``."""
    sasl_mechanism: SaslMechanism | None = None
    """msmtp ``auth``: ``xoauth2`` or ``oauthbearer`` with a token. Omitted: ``xoauth2`` for
    Microsoft (the only one Exchange accepts), ``oauthbearer`` for Google."""
    token_helper: TokenHelper | None = None
    """What ``passwordeval`` runs to print a fresh access token. Omitted: mailoauth-cfg."""
    scopes: list[Scope] | None = None
    """The scopes the token helper requests (mutt_oauth2's registration ``scope``, oama's
    ``scope``). Omitted: those mailoauth-cfg requests."""
    tenant: TenantSetting | None = None
    """The tenant the token helper signs in to. Omitted: the provider's."""
    authorize_endpoint: EndpointUrl | None = None
    """The helper's authorization endpoint. Omitted: the provider's."""
    token_endpoint: EndpointUrl | None = None
    """The helper's token endpoint. Omitted: the provider's."""
    redirect_uri: Uri | None = None
    """The helper's redirect URI (mutt_oauth2 ``redirect_uri``). Omitted: a loopback URI."""
    accounts: dict[Email, LoginAccount] | None = None
    """Per mailbox: msmtp ``user`` (``login``) and who signed in for the token."""

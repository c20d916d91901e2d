"""``type: email-oauth2-proxy``: the YAML of an email-oauth2-proxy target."""

from typing import Annotated, Literal

from pydantic import Field

from mailoauth_cfg.model._base import CommandLine, Email, Host, PathText, SystemUser, Uri
from mailoauth_cfg.targets._model import EndpointUrl, Scope, ScopedAccount, TargetModel
from mailoauth_cfg.targets.email_oauth2_proxy.facts import (
    CACHE_DIR,
    CONFIG_DIR,
    LOCAL_PORT_MIN,
    PROGRAM,
)

LocalPort = Annotated[int, Field(ge=LOCAL_PORT_MIN, le=65535)]


class EmailOauth2ProxyTarget(TargetModel):
    """email-oauth2-proxy: a local IMAP/POP/SMTP proxy that adds OAuth2 for legacy clients."""

    type: Literal["email-oauth2-proxy"]
    local_address: Host = "127.0.0.1"
    """Address the proxy listens on."""
    smtp_port: LocalPort = 1587
    """Local SMTP port (``[SMTP-<port>]``)."""
    imap_port: LocalPort = 1993
    """Local IMAP port (``[IMAP-<port>]``)."""
    pop_port: LocalPort = 1995
    """Local POP port (``[POP-<port>]``)."""
    flow: Literal["authorization_code", "device", "client_credentials"] = "authorization_code"
    """``oauth2_flow`` for every account."""
    redirect_uri: Uri | None = None
    """``redirect_uri`` the proxy sends (registered on the app). Omitted:
    ``http://localhost:8080``. Its port is where the proxy's ``--local-server-auth`` listener
    receives the sign-in's answer."""
    scopes: list[Scope] | None = None
    """``oauth2_scope`` of every account. Omitted: what the protocols need."""
    authorize_endpoint: EndpointUrl | None = None
    """``permission_url`` (the device code endpoint with ``flow: device``). Omitted: the
    provider's."""
    token_endpoint: EndpointUrl | None = None
    """``token_url``. Omitted: the provider's."""
    accounts: dict[Email, ScopedAccount] | None = None
    """Per account section ``[<mailbox>]``: the login clients use, who signs in at the first
    login, and that account's own ``oauth2_scope``."""
    command: CommandLine = PROGRAM
    """How the proxy runs on the host: by default the ``emailproxy`` command of PyPI's package
    in the virtual environment the README installs (``python3 /srv/emailproxy.py`` for a copy
    of the script): words split as a shell splits them, without any expansion."""
    config_file: PathText | None = None
    """Where ``emailproxy.config`` goes on the host; omitted:
    ``/etc/email-oauth2-proxy/<name>.config``."""
    cache_store: PathText | None = None
    """The proxy's token cache (``--cache-store``), kept apart from the config so that
    installing the config again never erases a token; omitted:
    ``/var/lib/email-oauth2-proxy/<name>.cache``."""
    service_user: SystemUser = "emailproxy"
    """The user the proxy's service runs as (it reads the config and writes the cache)."""

    def port(self, protocol: str) -> int:
        """The local port of ``protocol`` (``smtp``, ``imap`` or ``pop``)."""
        return {"smtp": self.smtp_port, "imap": self.imap_port, "pop": self.pop_port}[protocol]

    def config_path(self, name: str) -> str:
        """Where the proxy's config lives on the host."""
        return self.config_file or f"{CONFIG_DIR}/{name}.config"

    def cache_path(self, name: str) -> str:
        """Where the proxy caches its tokens on the host."""
        return self.cache_store or f"{CACHE_DIR}/{name}.cache"

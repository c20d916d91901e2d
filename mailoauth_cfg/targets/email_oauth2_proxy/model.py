"""``type: email-oauth2-proxy``: the YAML of an email-oauth2-proxy target."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from mailoauth_cfg.model._base import Email, Host, Uri
from mailoauth_cfg.targets._model import EndpointUrl, Scope, ScopedAccount, TargetModel
from mailoauth_cfg.targets.email_oauth2_proxy.facts import LOCAL_PORT_MIN

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
    """``redirect_uri`` the proxy sends (registered on the app). Omitted: ``http://localhost``."""
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

    def port(self, protocol: str) -> int:
        """The local port of ``protocol`` (``smtp``, ``imap`` or ``pop``)."""
        return {"smtp": self.smtp_port, "imap": self.imap_port, "pop": self.pop_port}[protocol]

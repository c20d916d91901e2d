"""Where the checker connects and as whom: endpoints per cloud (or the provider's ``endpoints:``
override), the CA bundle, and an azure-identity credential from the usual sources.

:func:`connection` is pure and light; :func:`make_credential` imports ``azure.identity.aio``
(only on the ``--online`` path).

Credential sources (``--credential``, default ``auto`` = the first that is configured):

* ``environment``: ``AZURE_CLIENT_ID`` with ``AZURE_CLIENT_SECRET`` (client secret) or with
  ``AZURE_CLIENT_CERTIFICATE_PATH`` [+ ``AZURE_CLIENT_CERTIFICATE_PASSWORD``] (certificate);
* ``workload-identity``: ``AZURE_CLIENT_ID`` + ``AZURE_FEDERATED_TOKEN_FILE`` (federated
  credentials for CI: GitHub Actions OIDC, Kubernetes);
* ``azure-cli``: the account of ``az login``.

The tenant is always the provider's ``tenant:`` (``AZURE_TENANT_ID`` is not consulted), so one
run can check several tenants with a multi-tenant checker app.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from mailoauth_cfg.catalog.microsoft import get_cloud, is_tenant_keyword
from mailoauth_cfg.errors import LiveCredentialError
from mailoauth_cfg.live.options import FetchOptions
from mailoauth_cfg.model import MicrosoftProvider

CredentialSource = Literal["auto", "environment", "workload-identity", "azure-cli"]
CREDENTIAL_SOURCES: tuple[str, ...] = ("auto", "environment", "workload-identity", "azure-cli")

EXCHANGE_SYSTEM_MAILBOX = "SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}"
"""``X-AnchorMailbox`` for app-only Exchange admin API calls
(KelvinTegelaar/CIPP-API:Modules/CIPPCore/Public/GraphHelper/New-ExoRequest.ps1)."""


def _root(value: str) -> str:
    text = value.strip().rstrip("/")
    return text if "://" in text else f"https://{text}"


@dataclass(frozen=True, slots=True)
class Connection:
    """Endpoints, token scopes and TLS settings for one Microsoft provider."""

    tenant: str
    cloud: str
    authority: str
    """Login host or URL given to azure-identity (``login.microsoftonline.com``)."""
    custom_authority: bool
    """True for an ``endpoints.login`` override: instance discovery is then disabled."""
    graph_base: str
    """``https://graph.microsoft.com/v1.0``."""
    graph_scope: str
    exchange_base: str
    """``https://outlook.office365.com/adminapi/beta/<tenant>``."""
    exchange_scope: str
    ca_bundle: str | None

    @property
    def anchor_mailbox(self) -> str:
        """``X-AnchorMailbox`` value for app-only calls."""
        return f"APP:{EXCHANGE_SYSTEM_MAILBOX}@{self.tenant}"


def connection(
    provider: MicrosoftProvider,
    *,
    root: Path | None = None,
    ca_bundle: str | None = None,
    tenant: str | None = None,
) -> Connection:
    """Endpoints of ``provider``: its cloud's, with ``endpoints.login/graph/exchange`` applied.

    Token scopes always name the cloud's real resources (``https://graph.microsoft.com/.default``)
    because an override moves the transport (proxy, emulator), not the audience. ``ca_bundle``
    (``--ca-bundle``) wins over the provider's ``ca_bundle:``, which is relative to ``root``
    (the config's directory). ``tenant`` is the directory to read when it is not the
    provider's ``tenant:`` (a keyword such as ``common``, or an app's home tenant).
    """
    tenant = tenant or provider.tenant
    cloud = get_cloud(provider.cloud)
    over = provider.endpoints
    login = over.login if over is not None and over.login else None
    graph = _root(over.graph) if over is not None and over.graph else cloud.graph_root
    exchange = _root(over.exchange) if over is not None and over.exchange else cloud.exchange_root
    bundle = ca_bundle
    if bundle is None and provider.ca_bundle:
        path = Path(provider.ca_bundle)
        bundle = str(path if path.is_absolute() or root is None else root / path)
    return Connection(
        tenant=tenant,
        cloud=cloud.key,
        authority=_root(login) if login else cloud.login_host,
        custom_authority=login is not None,
        graph_base=f"{graph.removesuffix('/v1.0')}/v1.0",
        graph_scope=cloud.graph_default_scope,
        exchange_base=f"{exchange}/adminapi/beta/{tenant}",
        exchange_scope=cloud.exchange_app_only_scope,
        ca_bundle=bundle,
    )


def pick_source(source: str, environ: Mapping[str, str]) -> CredentialSource:
    """Resolve ``auto`` to the first configured source."""
    if source not in CREDENTIAL_SOURCES:
        raise LiveCredentialError(
            f"unknown credential source {source!r}; expected one of {', '.join(CREDENTIAL_SOURCES)}"
        )
    if source != "auto":
        return source  # type: ignore[return-value]
    if environ.get("AZURE_CLIENT_ID") and (
        environ.get("AZURE_CLIENT_SECRET") or environ.get("AZURE_CLIENT_CERTIFICATE_PATH")
    ):
        return "environment"
    if environ.get("AZURE_CLIENT_ID") and environ.get("AZURE_FEDERATED_TOKEN_FILE"):
        return "workload-identity"
    return "azure-cli"


def make_credential(
    conn: Connection,
    source: str,
    environ: Mapping[str, str],
    options: FetchOptions | None = None,
) -> Any:
    """An ``azure.identity.aio`` credential for ``conn`` (the caller closes it); its token
    requests use the retry budget of ``options``.

    Raises:
        LiveCredentialError: the source is not configured, the tenant is a keyword, or
            azure-identity refuses the material (an unreadable certificate, a wrong key type).
    """
    try:
        return _build(conn, source, environ, options)
    except LiveCredentialError:
        raise
    except (ValueError, TypeError, OSError) as exc:
        raise LiveCredentialError(f"{type(exc).__name__}: {exc}") from None


def _build(
    conn: Connection,
    source: str,
    environ: Mapping[str, str],
    options: FetchOptions | None,
) -> Any:
    if is_tenant_keyword(conn.tenant):
        raise LiveCredentialError(
            f"tenant {conn.tenant!r} is a keyword: live checks need the tenant ID (GUID) or a "
            "verified domain of the tenant to read (for a multi-tenant app signed in through "
            "it, set apps.<name>.home_tenant)"
        )
    chosen = pick_source(source, environ)
    from azure.identity import aio

    common: dict[str, Any] = {"authority": conn.authority}
    if conn.custom_authority:
        common["disable_instance_discovery"] = True
    if conn.ca_bundle:
        common["connection_verify"] = conn.ca_bundle
    if options is not None:
        common["retry_total"] = max(0, options.max_attempts - 1)
        common["retry_backoff_factor"] = options.backoff / 2
        common["retry_backoff_max"] = options.max_backoff
    client_id = environ.get("AZURE_CLIENT_ID", "")
    if chosen == "environment":
        secret = environ.get("AZURE_CLIENT_SECRET")
        cert = environ.get("AZURE_CLIENT_CERTIFICATE_PATH")
        if not client_id or not (secret or cert):
            raise LiveCredentialError(
                "--credential environment needs AZURE_CLIENT_ID and AZURE_CLIENT_SECRET or "
                "AZURE_CLIENT_CERTIFICATE_PATH"
            )
        if secret:
            return aio.ClientSecretCredential(conn.tenant, client_id, secret, **common)
        if cert is None or not Path(cert).is_file():
            raise LiveCredentialError(f"AZURE_CLIENT_CERTIFICATE_PATH {cert!r} is not a file")
        return aio.CertificateCredential(
            conn.tenant,
            client_id,
            cert,
            password=environ.get("AZURE_CLIENT_CERTIFICATE_PASSWORD") or None,
            **common,
        )
    if chosen == "workload-identity":
        token_file = environ.get("AZURE_FEDERATED_TOKEN_FILE")
        if not client_id or not token_file:
            raise LiveCredentialError(
                "--credential workload-identity needs AZURE_CLIENT_ID and "
                "AZURE_FEDERATED_TOKEN_FILE"
            )
        return aio.WorkloadIdentityCredential(
            tenant_id=conn.tenant, client_id=client_id, token_file_path=token_file, **common
        )
    return aio.AzureCliCredential(tenant_id=conn.tenant)

"""Rules about Microsoft Entra app registrations, tenants and Exchange Online."""

from __future__ import annotations

from typing import Any

from mailoauth_cfg.rules._base import Rule
from mailoauth_cfg.rules.microsoft import (
    ms_account_type_mismatch,
    ms_admin_consent_missing,
    ms_app_flow_mismatch,
    ms_app_only_permissions,
    ms_certificate_expiry,
    ms_credential_missing,
    ms_endpoint_override_cloud,
    ms_exchange_service_principal_missing,
    ms_graph_outlook_scope_mix,
    ms_mailbox_permission_missing,
    ms_multi_tenant_audience,
    ms_offline_access_missing,
    ms_over_privileged_permission,
    ms_permission_missing,
    ms_platform_mismatch,
    ms_public_client_flows_disabled,
    ms_redirect_uri_invalid,
    ms_redirect_uri_missing,
    ms_redirect_uri_not_https,
    ms_secret_expiry,
    ms_secret_lifetime,
    ms_secret_on_public_client,
    ms_smtp_basic_auth_retirement,
    ms_tenant_keyword,
    ms_tenant_not_guid,
    ms_unknown_permission,
)

RULES: tuple[Rule[Any], ...] = (
    # Tenant and cloud.
    ms_tenant_keyword.RULE,
    ms_tenant_not_guid.RULE,
    ms_account_type_mismatch.RULE,
    ms_multi_tenant_audience.RULE,
    ms_endpoint_override_cloud.RULE,
    # App registration: flow, platform, credentials.
    ms_app_flow_mismatch.RULE,
    ms_platform_mismatch.RULE,
    ms_public_client_flows_disabled.RULE,
    ms_credential_missing.RULE,
    ms_secret_on_public_client.RULE,
    ms_secret_expiry.RULE,
    ms_secret_lifetime.RULE,
    ms_certificate_expiry.RULE,
    # Redirect URIs.
    ms_redirect_uri_missing.RULE,
    ms_redirect_uri_not_https.RULE,
    ms_redirect_uri_invalid.RULE,
    # Permissions and consent.
    ms_unknown_permission.RULE,
    ms_permission_missing.RULE,
    ms_offline_access_missing.RULE,
    ms_graph_outlook_scope_mix.RULE,
    ms_over_privileged_permission.RULE,
    ms_admin_consent_missing.RULE,
    # App-only (client credentials) in Exchange Online.
    ms_app_only_permissions.RULE,
    ms_exchange_service_principal_missing.RULE,
    ms_mailbox_permission_missing.RULE,
    # Deadlines.
    ms_smtp_basic_auth_retirement.RULE,
)

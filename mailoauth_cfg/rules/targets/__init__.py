"""Generic target rules, driven by each kind's facts and hooks (a kind's own rules live in its
plugin: ``mailoauth_cfg/targets/<kind>/rules``)."""

from __future__ import annotations

from typing import Any

from mailoauth_cfg.rules._base import Rule
from mailoauth_cfg.rules.targets import (
    target_app_missing,
    target_credential_stale,
    target_endpoint_invalid,
    target_entry_shared,
    target_login_mismatch,
    target_no_users,
    target_output_collision,
    target_protocol_unsupported,
    target_provider_unsupported,
    target_redirect_uri_invalid,
    target_sasl_mechanism,
    target_scope_invalid,
    target_secret_expiry_mismatch,
    target_setting_invalid,
    target_tenant_mismatch,
    target_url_not_https,
    target_version,
)

RULES: tuple[Rule[Any], ...] = (
    target_app_missing.RULE,
    target_no_users.RULE,
    target_output_collision.RULE,
    target_protocol_unsupported.RULE,
    target_provider_unsupported.RULE,
    target_setting_invalid.RULE,
    target_url_not_https.RULE,
    target_version.RULE,
    # Declared settings, judged against the provider's truth.
    target_scope_invalid.RULE,
    target_endpoint_invalid.RULE,
    target_tenant_mismatch.RULE,
    target_sasl_mechanism.RULE,
    target_login_mismatch.RULE,
    target_redirect_uri_invalid.RULE,
    target_entry_shared.RULE,
    # Credentials.
    target_credential_stale.RULE,
    target_secret_expiry_mismatch.RULE,
)

"""Rules about Google OAuth clients, consent screens and Workspace."""

from __future__ import annotations

from typing import Any

from mailoauth_cfg.rules._base import Rule
from mailoauth_cfg.rules.google import (
    google_app_only_unsupported,
    google_app_password_requires_2sv,
    google_client_id_format,
    google_client_type_mismatch,
    google_consent_screen_undeclared,
    google_device_flow_gmail,
    google_internal_audience_consumer,
    google_less_secure_apps_retired,
    google_mail_scope_missing,
    google_project_number_mismatch,
    google_redirect_uri_invalid,
    google_redirect_uri_missing,
    google_service_account_consumer,
    google_testing_refresh_token_expiry,
    google_user_domain_mismatch,
)

RULES: tuple[Rule[Any], ...] = (
    google_app_only_unsupported.RULE,
    google_app_password_requires_2sv.RULE,
    google_client_id_format.RULE,
    google_client_type_mismatch.RULE,
    google_consent_screen_undeclared.RULE,
    google_device_flow_gmail.RULE,
    google_internal_audience_consumer.RULE,
    google_less_secure_apps_retired.RULE,
    google_mail_scope_missing.RULE,
    google_project_number_mismatch.RULE,
    google_redirect_uri_invalid.RULE,
    google_redirect_uri_missing.RULE,
    google_service_account_consumer.RULE,
    google_testing_refresh_token_expiry.RULE,
    google_user_domain_mismatch.RULE,
)

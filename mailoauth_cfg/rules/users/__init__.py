"""Rules about mailboxes: addresses, SMTP AUTH, shared mailboxes, token ownership."""

from __future__ import annotations

from typing import Any

from mailoauth_cfg.rules._base import Rule
from mailoauth_cfg.rules.users import (
    user_primary_address_required,
    user_protocol_not_allowed,
    user_provider_mismatch,
    user_sender_not_token_owner,
    user_shared_mailbox_sign_in,
    user_shared_mailbox_unsupported,
    user_smtp_auth_disabled,
    user_smtp_auth_inherits_disabled,
    user_token_shared,
    user_unused,
)

RULES: tuple[Rule[Any], ...] = (
    user_primary_address_required.RULE,
    user_protocol_not_allowed.RULE,
    user_provider_mismatch.RULE,
    user_sender_not_token_owner.RULE,
    user_shared_mailbox_sign_in.RULE,
    user_shared_mailbox_unsupported.RULE,
    user_smtp_auth_disabled.RULE,
    user_smtp_auth_inherits_disabled.RULE,
    user_token_shared.RULE,
    user_unused.RULE,
)

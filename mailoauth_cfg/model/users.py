"""``users:``: the mailboxes that send or read mail through OAuth."""

from __future__ import annotations

from typing import Literal

from mailoauth_cfg.model._base import Email, Name, StrictModel, Suppressions, Text

Protocol = Literal["smtp", "imap", "pop"]


class User(StrictModel):
    """A mailbox (and the account that signs in for it)."""

    email: Email
    """Primary SMTP address of the mailbox (for Microsoft, normally the UPN)."""
    provider: Name
    """Name of the provider that hosts the mailbox."""
    mailbox: Literal["user", "shared"] = "user"
    """``shared`` for an Exchange shared mailbox (no licence, no own sign-in)."""
    sign_in_as: Email | None = None
    """For a shared mailbox: the member account that signs in and holds the token."""
    smtp_auth: Literal["inherit", "enabled", "disabled"] = "inherit"
    """Per-mailbox SMTP AUTH (``Set-CASMailbox -SmtpClientAuthenticationDisabled``):
    ``inherit`` ($null, org setting applies), ``enabled`` ($false), ``disabled`` ($true)."""
    protocols: list[Protocol] | None = None
    """Protocols the mailbox must allow. Omitted: what its targets use."""
    aliases: list[Email] | None = None
    """Known secondary addresses (proxy addresses); never to be used as the login."""
    two_step_verification: bool | None = None
    """Google: 2-Step Verification enrolled (required for app passwords)."""
    display_name: Text | None = None
    """Sender display name used in rendered configs."""
    suppress: Suppressions

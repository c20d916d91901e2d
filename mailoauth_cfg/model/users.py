"""``users:``: the mailboxes that send or read mail through OAuth."""

from typing import Literal

from mailoauth_cfg.model._base import Email, Name, StrictModel, Suppressions, Text

Protocol = Literal["smtp", "imap", "pop"]


class User(StrictModel):
    """A mailbox (and the account that signs in for it)."""

    email: Email
    """Primary SMTP address of the mailbox (for Microsoft, normally the UPN)."""
    provider: Name
    """Name of the provider that hosts the mailbox."""
    mailbox: Literal["user", "shared"] | None = None
    """``user`` (a licensed mailbox that signs in as itself) or ``shared`` (an Exchange shared
    mailbox: no licence, no own sign-in). Omitted: not known (checked live)."""
    sign_in_as: Email | None = None
    """The account that signs in and holds the token for this mailbox: for a shared mailbox, a
    member with FullAccess/SendAs on it (a delegate)."""
    smtp_auth: Literal["inherit", "enabled", "disabled"] | None = None
    """Per-mailbox SMTP AUTH (``Set-CASMailbox -SmtpClientAuthenticationDisabled``):
    ``inherit`` ($null, org setting applies), ``enabled`` ($false), ``disabled`` ($true).
    Omitted: not known (checked live)."""
    protocols: list[Protocol] | None = None
    """Protocols the mailbox must allow. Omitted: what its targets use."""
    aliases: list[Email] | None = None
    """Known secondary addresses (proxy addresses); never to be used as the login."""
    two_step_verification: bool | None = None
    """Google: 2-Step Verification enrolled (required for app passwords)."""
    display_name: Text | None = None
    """Sender display name used in rendered configs."""
    suppress: Suppressions

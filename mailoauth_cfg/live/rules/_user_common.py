"""Helpers of the mailbox live rules."""

from __future__ import annotations

from mailoauth_cfg.live.rules._base import quietly
from mailoauth_cfg.live.snapshot import DirectoryUser, Mailbox, MicrosoftTenant, Unknown
from mailoauth_cfg.model import User
from mailoauth_cfg.rules._base import Context

SHARED_TYPES = {"sharedmailbox"}
USER_TYPES = {"usermailbox"}


def mailbox_kind(tenant: MicrosoftTenant, email: str) -> str | Unknown | None:
    """``shared``, ``user``, another Exchange type (``RoomMailbox``), ``None`` (no mailbox) or
    Unknown: Exchange's ``RecipientTypeDetails`` first, else Graph's ``userPurpose``."""
    mailbox = tenant.mailbox(email)
    if mailbox is not None and not isinstance(mailbox, Unknown):
        kind = (mailbox.recipient_type_details or "").lower()
        if kind in SHARED_TYPES:
            return "shared"
        if kind in USER_TYPES:
            return "user"
        return mailbox.recipient_type_details or "unknown type"
    if mailbox is None:
        return None
    settings = tenant.settings_of(email)
    if isinstance(settings, Unknown):
        return Unknown("; ".join(dict.fromkeys((mailbox.reason, settings.reason))))
    if settings is None:
        return None
    return (settings.user_purpose or "").lower() or "unknown type"


def declared_shared(user: User) -> bool:
    """Whether the config says the mailbox is shared."""
    return user.mailbox == "shared"


def exchange_connect(tenant: MicrosoftTenant) -> str:
    """``Connect-ExchangeOnline`` for the tenant's cloud."""
    from mailoauth_cfg.catalog.microsoft import get_cloud

    cloud = get_cloud(tenant.cloud)
    if cloud.key == "global":
        return "Connect-ExchangeOnline"
    return f"Connect-ExchangeOnline -ExchangeEnvironmentName {cloud.powershell_environment}"


def primary_address(ctx: Context, tenant: MicrosoftTenant, email: str) -> str:
    """The mailbox's primary SMTP address as the tenant knows it (Graph's ``SMTP:`` proxy
    address, else Exchange's ``PrimarySmtpAddress``), for the fixes: a cmdlet names the mailbox
    unambiguously even when the config holds an alias. ``email`` when neither was read. The
    lookups only shape a fix: they never make a result unknown."""
    with quietly(ctx):
        user = tenant.user(email)
        if isinstance(user, DirectoryUser) and user.primary_smtp:
            return user.primary_smtp
        mailbox = tenant.mailbox(email)
        if isinstance(mailbox, Mailbox) and mailbox.primary_smtp_address:
            return mailbox.primary_smtp_address
    return email

"""Exchange Online RBAC for Applications: the role names the checker reads. Plain data."""

from __future__ import annotations

SMTP_ROLE = "Application SMTP.SendAsApp"
"""The role that lets an app-only app send as the mailboxes of its scope, instead of ``SendAs``
and the ``SMTP.SendAsApp`` Entra role; Exchange supports no other for SMTP, and none for IMAP
or POP (MicrosoftDocs/office-developer-exchange-docs:
docs/legacy-protocols/smtp-app-rbac-onboarding.md)."""

"""The commented starter config written by ``mailoauth-cfg init``."""

from __future__ import annotations

STARTER_CONFIG = """\
# yaml-language-server: $schema=schemas/mailoauth.schema.json
# mailoauth-cfg starter config. Validate it with:  mailoauth-cfg validate
# The line above gives editors (yaml-language-server: VS Code and others) the schema that
# `mailoauth-cfg init` wrote to schemas/. A file you include (include: [mailboxes/*.yaml])
# takes the schema of included files instead, by its path from that file, e.g.:
#   # yaml-language-server: $schema=../schemas/mailoauth-fragment.schema.json
version: 1

providers:
  # A Microsoft Entra ID tenant (Microsoft 365 / Exchange Online).
  contoso:
    type: microsoft
    tenant: 00000000-0000-0000-0000-000000000000   # Entra admin center > Overview > Tenant ID
    cloud: global                                    # global | usgov | usgov-dod | china

apps:
  # The app registration your application signs in with (one per application is simplest).
  erp-mail:
    provider: contoso
    client_id: 00000000-0000-0000-0000-000000000001  # App registrations > Application (client) ID
    # Never write the secret here: reference it. Copy the secret *Value*, not the Secret ID.
    client_secret: {env: ERP_MAIL_SECRET, expires: 2027-06-30}
    platform: web
    permissions: [offline_access, SMTP.Send]
    admin_consent: true

users:
  # Each mailbox that sends (or reads) mail. Use the primary address, never an alias.
  - email: erp@contoso.com
    provider: contoso
    smtp_auth: enabled    # Set-CASMailbox -SmtpClientAuthenticationDisabled $false

targets:
  # The application to configure. `mailoauth-cfg rules` lists what is checked.
  erp:
    type: dolibarr
    url: https://erp.contoso.com
    version: "23"
    app: erp-mail
    users: [erp@contoso.com]
"""

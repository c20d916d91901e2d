"""What the Google live checks need: the checker's credentials, scopes, delegation and roles.

Plain data for ``mailoauth-cfg permissions``, the README and the ``unknown`` findings that say
why a read was refused. Scopes are those the bundled discovery documents list for each method
(google-api-python-client's discovery documents), least privileged first.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

DIRECTORY_USER_SCOPE = "https://www.googleapis.com/auth/admin.directory.user.readonly"
DIRECTORY_SECURITY_SCOPE = "https://www.googleapis.com/auth/admin.directory.user.security"
GMAIL_SETTINGS_SCOPE = "https://www.googleapis.com/auth/gmail.settings.basic"
SERVICE_USAGE_SCOPE = "https://www.googleapis.com/auth/cloud-platform.read-only"

CREDENTIALS_VARIABLE = "GOOGLE_APPLICATION_CREDENTIALS"
PROVIDER_VARIABLE_PREFIX = "MAILOAUTH_CFG_GOOGLE_CREDENTIALS_"

DWD_CONSOLE = (
    "Admin console (admin.google.com) › Security › Access and data control › API controls › "
    "Domain-wide delegation"
)


@dataclass(frozen=True, slots=True)
class GoogleScope:
    """One scope the checker's service account must be allowed, and what it reads with it."""

    scope: str
    reads: str
    as_whom: str


GOOGLE_SCOPES: tuple[GoogleScope, ...] = (
    GoogleScope(
        DIRECTORY_USER_SCOPE,
        "Directory users.get: primary address vs alias, suspended/archived, 2-Step "
        "Verification, mailbox set up",
        "impersonating providers.<name>.admin",
    ),
    GoogleScope(
        DIRECTORY_SECURITY_SCOPE,
        "Directory tokens.list (which OAuth clients a mailbox granted, with which scopes) and "
        "asps.list (app passwords); there is no read-only variant of this scope",
        "impersonating providers.<name>.admin",
    ),
    GoogleScope(
        GMAIL_SETTINGS_SCOPE,
        "Gmail settings.getImap/getPop (IMAP/POP enabled) and settings.sendAs.get (sender "
        "allowed). No Gmail scope is read-only for settings alone: this one may also change "
        "basic settings, the alternative (gmail.readonly) reads every message",
        "impersonating each mailbox read",
    ),
)

SERVICE_USAGE = GoogleScope(
    SERVICE_USAGE_SCOPE,
    "Service Usage services.get: is gmail.googleapis.com enabled in each OAuth client's "
    "project; needs the IAM role roles/serviceusage.serviceUsageViewer on that project",
    "the service account itself (no impersonation)",
)

HINTS: dict[str, str] = {
    "users": f"{DIRECTORY_USER_SCOPE} through domain-wide delegation, impersonating an "
    "administrator who may read users (providers.<name>.admin)",
    "tokens": f"{DIRECTORY_SECURITY_SCOPE} through domain-wide delegation, impersonating an "
    "administrator who may manage user security",
    "app_passwords": f"{DIRECTORY_SECURITY_SCOPE} through domain-wide delegation, impersonating "
    "an administrator who may manage user security",
    "gmail": f"{GMAIL_SETTINGS_SCOPE} through domain-wide delegation (a service account "
    "impersonating each mailbox; user credentials read their own mailbox only)",
    "services": "the IAM role roles/serviceusage.serviceUsageViewer on the project",
}
"""Fact collection (or service) -> what the checker needs to read it."""

_COLLECTION_SERVICE = {"imap": "gmail", "pop": "gmail", "send_as": "gmail"}


def google_hint(collection: str) -> str:
    """``the checker needs X (see `mailoauth-cfg permissions`)``."""
    need = HINTS.get(collection) or HINTS[_COLLECTION_SERVICE.get(collection, "users")]
    return f"the checker needs {need} (see `mailoauth-cfg permissions`)"


def provider_variable(provider: str) -> str:
    """``MAILOAUTH_CFG_GOOGLE_CREDENTIALS_<PROVIDER>`` (upper case, other characters ``_``)."""
    return PROVIDER_VARIABLE_PREFIX + "".join(c if c.isalnum() else "_" for c in provider.upper())


def google_permissions_text() -> str:
    """The Google part of ``mailoauth-cfg permissions``."""
    scopes = ",".join(s.scope for s in GOOGLE_SCOPES)
    lines = [
        "validate --online, Google providers (a service account with domain-wide delegation):",
    ]
    for item in (*GOOGLE_SCOPES, SERVICE_USAGE):
        lines.append(f"  {item.scope}")
        lines.extend(
            textwrap.wrap(
                f"{item.as_whom}: {item.reads}",
                width=94,
                break_on_hyphens=False,
                initial_indent="      ",
                subsequent_indent="      ",
            )
        )
    lines += [
        "",
        "How to grant them (a super administrator; SA = the service account):",
        "  1. Google Cloud console › IAM & Admin › Service accounts › Create; Keys › Add key ›",
        "     JSON. Note its Unique ID (OAuth 2 client ID).",
        "  2. Admin console (admin.google.com) › Security › Access and data control ›",
        "     API controls › Domain-wide delegation › Add new: client ID = the Unique ID,",
        "     OAuth scopes (comma-separated) =",
        f"     {scopes}",
        "  3. providers.<name>.admin: an administrator to impersonate for the Directory API",
        "     (Admin console › Account › Admin roles: one that may read users and manage their",
        "     security; a super administrator may).",
        "  4. Per OAuth client project: gcloud projects add-iam-policy-binding PROJECT_NUMBER \\",
        "       --member serviceAccount:SA_EMAIL --role roles/serviceusage.serviceUsageViewer",
        "",
        "Credentials (first found):",
        f"  {PROVIDER_VARIABLE_PREFIX}<PROVIDER>  key file for one provider (name upper case,",
        "                      other characters _), e.g. " + provider_variable("acme"),
        f"  {CREDENTIALS_VARIABLE}  the service account's JSON key file",
        "  gcloud ADC          application_default_credentials.json of `gcloud auth",
        "                      application-default login` (user credentials: a Workspace",
        "                      administrator; reads only that user's own Gmail settings)",
        "  Token requests go to providers.<name>.endpoints.token when set; --credential applies",
        "  to Microsoft providers only.",
        "",
        "  Not readable by any Google API, reported as `unknown` with the console path to check:",
        "  OAuth client redirect URIs, the consent screen's audience and publishing status, the",
        "  domain-wide delegation allow-list of the mail apps' own service accounts.",
    ]
    return "\n".join(lines) + "\n"

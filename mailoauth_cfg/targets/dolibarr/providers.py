"""Dolibarr's OAuth provider classes (``getSupportedOauth2Array()``) and token naming.

Shared by the core OAuth module (``dolibarr``) and the MultiSMTP module
(``dolibarr-multismtp``), which stores its tokens through the same classes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from types import MappingProxyType
from typing import Literal

from mailoauth_cfg.catalog import sources as src
from mailoauth_cfg.records import record
from mailoauth_cfg.targets._facts import DOTTED, ProviderType


@record
class DolibarrProvider:
    """One Dolibarr OAuth provider class (``getSupportedOauth2Array()`` entry)."""

    key: str
    """``<PROV>`` part of the constants, e.g. ``MICROSOFT3``."""
    provider: ProviderType
    display_name: str
    callback: str
    """Callback file stem, e.g. ``microsoft3`` → ``microsoft3_oauthcallback.php``."""
    offered_scopes: tuple[str, ...]
    flow: Literal["authorization-code", "client-credentials"]
    tenant_field: bool
    source: str
    min_version: str | None = None
    note: str = ""

    @property
    def callback_file(self) -> str:
        """``<callback>_oauthcallback.php``."""
        return f"{self.callback}_oauthcallback.php"

    @property
    def service_class(self) -> str:
        """``ucfirst(strtolower(callback))``: prefix of ``llx_oauth_token.service``."""
        return self.callback.capitalize()

    @property
    def redirect_path(self) -> str | None:
        """Path below ``$dolibarr_main_url_root``; ``None`` for server-to-server flows."""
        if self.flow == "client-credentials":
            return None
        return f"/core/modules/oauth/{self.callback_file}"

    def service_name(self, label: str) -> str:
        """``llx_oauth_token.service`` value, e.g. ``Microsoft3-Emails`` (max 36 chars)."""
        return f"{self.service_class}-{label}" if label else self.service_class

    def service_ref(self, label: str) -> str:
        """``MAIN_MAIL_SMTPS_OAUTH_SERVICE`` / collector ``oauth_service`` value."""
        return f"{self.key}-{label}" if label else self.key

    def const_prefix(self, label: str) -> str:
        """Prefix of the ``llx_const`` rows, e.g. ``OAUTH_MICROSOFT3-Emails``."""
        return f"OAUTH_{self.service_ref(label)}"


PROVIDER_CLASSES: Mapping[str, DolibarrProvider] = MappingProxyType(
    {
        d.key: d
        for d in (
            DolibarrProvider(
                key="GOOGLE",
                provider="google",
                display_name="Google",
                callback="google",
                offered_scopes=(
                    "userinfo_email",
                    "userinfo_profile",
                    "openid",
                    "email",
                    "profile",
                    "cloud_print",
                    "admin_directory_user",
                    "gmail_full",
                    "contact",
                    "https://www.googleapis.com/auth/contacts",
                    "https://www.googleapis.com/auth/calendar",
                ),
                flow="authorization-code",
                tenant_field=False,
                source=src.DOLIBARR_OAUTH_LIB,
                note="Use gmail_full (maps to https://mail.google.com/).",
            ),
            DolibarrProvider(
                key="MICROSOFT",
                provider="microsoft",
                display_name="Microsoft [outlook.office365]",
                callback="microsoft",
                offered_scopes=(
                    "openid",
                    "offline_access",
                    "profile",
                    "email",
                    "User.Read",
                    "https://outlook.office365.com/IMAP.AccessAsUser.All",
                    "https://outlook.office365.com/SMTP.Send",
                ),
                flow="authorization-code",
                tenant_field=True,
                source=src.DOLIBARR_OAUTH_LIB,
                note=(
                    "Offers User.Read (Graph) next to Outlook scopes: ticking both fails "
                    "(AADSTS28000). Older callbacks lost the tenant (URL '//oauth2')."
                ),
            ),
            DolibarrProvider(
                key="MICROSOFT2",
                provider="microsoft",
                display_name="Microsoft [outlook.office]",
                callback="microsoft2",
                offered_scopes=(
                    "openid",
                    "offline_access",
                    "profile",
                    "email",
                    "User.Read",
                    "https://outlook.office.com/.default",
                ),
                flow="authorization-code",
                tenant_field=False,
                source=src.DOLIBARR_OAUTH_LIB,
                note="Offers User.Read (Graph) next to an Outlook scope: do not tick both.",
            ),
            DolibarrProvider(
                key="MICROSOFT3",
                provider="microsoft",
                display_name="Microsoft Exchange Online [SMTP/IMAP]",
                callback="microsoft3",
                offered_scopes=(
                    "offline_access",
                    "https://outlook.office.com/SMTP.Send",
                    "https://outlook.office.com/IMAP.AccessAsUser.All",
                ),
                flow="authorization-code",
                tenant_field=True,
                source=f"{src.DOLIBARR_MICROSOFT3}; {src.DOLIBARR_PR_MICROSOFT3}",
                min_version="23",
                note=(
                    "Recommended on v23+. Sends prompt=consent; with the fix of PR #40257, "
                    "OAUTH_MICROSOFT3_FORCE_PROMPT sets prompt (default select_account)."
                ),
            ),
            DolibarrProvider(
                key="MICROSOFTAPP",
                provider="microsoft",
                display_name="Microsoft app-only",
                callback="microsoftapp",
                offered_scopes=("https://outlook.office365.com/.default",),
                flow="client-credentials",
                tenant_field=True,
                source=f"{src.DOLIBARR_MICROSOFTAPP}; {src.DOLIBARR_PR_MICROSOFTAPP}",
                note=(
                    "Client credentials (no browser redirect); needs a real tenant ID and "
                    "Exchange application permissions. Its code comes from Dolibarr PR #39122, "
                    "open when read: check that your version has it."
                ),
            ),
        )
    }
)
"""Dolibarr provider classes by ``<PROV>`` key (``OAUTH_<PROV>-<label>_*`` constants)."""


def provider_class(key: str) -> DolibarrProvider | None:
    """Look up a Dolibarr provider class by key (case-insensitive; ``OAUTH_`` prefix allowed)."""
    k = key.strip().upper().removeprefix("OAUTH_").removesuffix("_NAME")
    return PROVIDER_CLASSES.get(k)


def class_of(
    explicit: str | None, version: str | None, provider_type: str | None
) -> DolibarrProvider | None:
    """The provider class a target uses: ``explicit`` (``oauth_provider``), else the default.

    The default is ``GOOGLE`` for Google and, for Microsoft, ``MICROSOFT3`` from the version
    that has it on (or when the version is unknown), ``MICROSOFT`` before.
    """
    if explicit:
        return provider_class(explicit)
    if provider_type == "google":
        return PROVIDER_CLASSES["GOOGLE"]
    if provider_type == "microsoft":
        return PROVIDER_CLASSES["MICROSOFT3" if has_microsoft3(version) else "MICROSOFT"]
    return None


def has_microsoft3(version: str | None) -> bool:
    """Whether Dolibarr ``version`` has the MICROSOFT3 class (``True`` when unknown)."""
    since = PROVIDER_CLASSES["MICROSOFT3"].min_version
    return since is None or version is None or not DOTTED.older(version, since)


GOOGLE_SHORT_SCOPES: Mapping[str, str] = MappingProxyType(
    {
        "gmail_full": "https://mail.google.com/",
        "userinfo_email": "https://www.googleapis.com/auth/userinfo.email",
        "userinfo_profile": "https://www.googleapis.com/auth/userinfo.profile",
        "admin_directory_user": "https://www.googleapis.com/auth/admin.directory.user",
        "cloud_print": "https://www.googleapis.com/auth/cloudprint",
    }
)
"""The GOOGLE entry's short scope names and the scopes they request (Dolibarr maps each to the
``Google::SCOPE_<NAME>`` constant of its OAuth library; ``openid``, ``email`` and ``profile``
are requested as written). Source: Dolibarr/dolibarr:htdocs/includes/OAuth/OAuth2/Service/
Google.php."""


def requested_scopes(provider: DolibarrProvider, ticked: Iterable[str]) -> tuple[str, ...]:
    """The scopes an entry requests for its ticked values."""
    if provider.provider != "google":
        return tuple(ticked)
    return tuple(GOOGLE_SHORT_SCOPES.get(s, s) for s in ticked)


def entry_scopes(
    provider: DolibarrProvider, needed: Iterable[str], google_scopes: Iterable[str] = ()
) -> list[str]:
    """The checkboxes to tick on an entry of ``provider`` for ``needed`` permissions, in the
    order Dolibarr lists them (Google: the short names of ``google_scopes``).

    Microsoft classes take their literal scopes, and only the ones the class offers (any other
    value raises ``InvalidScopeException`` in Dolibarr).
    """
    if provider.provider == "google":
        short = {v: k for k, v in GOOGLE_SHORT_SCOPES.items()}
        return [short.get(s, s) for s in google_scopes]
    if provider.flow == "client-credentials":
        return list(provider.offered_scopes)
    wanted = set(needed) | {"offline_access"}
    mail = wanted - {"offline_access", "openid", "profile", "email"}
    out: list[str] = []
    for scope in provider.offered_scopes:
        tail = scope.rsplit("/", 1)[-1]
        if tail in wanted or (tail == ".default" and mail):
            out.append(scope)
    return out


def entry_label(email: str, provider_type: str | None, used: AbstractSet[str] = frozenset()) -> str:
    """A label of letters and digits for a mailbox's own entry, as MultiSMTP's procedure names
    them (``jean.dupont@…`` → ``JeanDupontMicrosoft365``), distinct from the labels in ``used``
    (lower-cased) and short enough for ``llx_oauth_token.service``."""
    local = email.split("@", 1)[0]
    words = [w for w in re.split(r"[^A-Za-z0-9]+", local) if w]
    suffix = "Google" if provider_type == "google" else "Microsoft365"
    stem = "".join(w[:1].upper() + w[1:] for w in words) or "Mailbox"
    room = SERVICE_LABEL_ROOM - len(suffix)
    label = stem[:room] + suffix
    number = 2
    while label.lower() in used:
        tail = f"{number}{suffix}"
        label = stem[: SERVICE_LABEL_ROOM - len(tail)] + tail
        number += 1
    return label


SERVICE_LABEL_ROOM = 25
"""Longest label that fits ``llx_oauth_token.service`` (36) with the longest class prefix
(``Microsoft3-``)."""

"""Dolibarr's OAuth provider classes (``getSupportedOauth2Array()``) and token naming.

Shared by the core OAuth module (``dolibarr``) and the MultiSMTP module
(``dolibarr-multismtp``), which stores its tokens through the same classes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from mailoauth_cfg.catalog import sources as src
from mailoauth_cfg.targets._facts import DOTTED, ProviderType


@dataclass(frozen=True, slots=True)
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
                    "Recommended on v23+. OAUTH_MICROSOFT3_FORCE_PROMPT sets prompt "
                    "(default select_account)."
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

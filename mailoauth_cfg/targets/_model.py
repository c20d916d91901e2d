"""The keys every ``targets.<name>`` entry has, and the value types target models share.

Each ``targets/<kind>/model.py`` subclasses :class:`TargetModel` and adds its ``type``
(``Literal["<kind>"]``: the only place a kind's key is written) and its own keys, typed with
the shared identifier types of :mod:`mailoauth_cfg.model._base` (``Url``, ``PathText``, ``Text``,
``Host``, ``Endpoint``...). A ``version`` key is a :data:`~mailoauth_cfg.model._base.Version`
narrowed to the kind's own format: ``Annotated[Version, AfterValidator(VERSIONS.format.check)]``
(numbers are read as text).

**Declared settings.** The settings an application itself holds (the scopes it requests, its
tenant, authority and endpoints, SASL mechanism, token helper, redirect URI field, the expiry
typed into its secret reminder, and per mailbox the login, the account that signs in, the
scopes and the OAuth entry) are optional keys of the kind's model, typed here, and listed with
the application's own name for them in the kind's facts (``TargetFacts.holds``). Declared, a
value is checked against the provider's truth and rendered as declared (escaped for each output
like any other value); omitted, it is derived exactly as mailoauth-cfg renders it.
"""

import functools
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, Field, StringConstraints

from mailoauth_cfg.model._base import (
    CommandLine,
    Email,
    Name,
    SecretRef,
    StrictModel,
    Suppressions,
    Text,
    Url,
    Version,
    new_list,
)
from mailoauth_cfg.model.apps import CredentialName
from mailoauth_cfg.model.providers import _check_tenant
from mailoauth_cfg.model.users import Protocol

__all__ = ["TargetModel", "Url", "Version"]


EndpointUrl = Annotated[
    Url,
    Field(examples=["https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token"]),
]
"""An OAuth endpoint or authority URL as the application holds it: a parsed http(s) URL
(:data:`~mailoauth_cfg.model._base.Url`)."""
Scope = Annotated[str, StringConstraints(pattern=r"^[\x21\x23-\x5B\x5D-\x7E]+$")]
"""One scope as the application writes it (``https://outlook.office.com/SMTP.Send``,
``offline_access``, Dolibarr's ``gmail_full``): a scope token of RFC 6749 (printable ASCII
without space, ``"`` or ``\\``)."""
TenantSetting = Annotated[
    str,
    AfterValidator(_check_tenant),
    Field(examples=["6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d", "common"]),
]
"""A tenant as an application holds it: GUID, verified domain or common/organizations/
consumers."""
SaslMechanism = Literal["xoauth2", "oauthbearer", "plain", "login"]
"""The SASL mechanism a client logs in with."""

DECLARED_SETTINGS: tuple[str, ...] = (
    "scopes",
    "tenant",
    "authority",
    "authorize_endpoint",
    "token_endpoint",
    "sasl_mechanism",
    "token_helper",
    "redirect_uri",
    "secret_expiry",
    "accounts",
)
"""The keys a kind's model may hold as declared settings (each listed in its ``holds``)."""


class TokenHelper(StrictModel):
    """The program that obtains and refreshes the token for a file-based target."""

    type: Literal["mailoauth-cfg", "mutt_oauth2", "oama", "sasl-xoauth2-tool", "command"]
    """``mailoauth-cfg`` (``mailoauth-cfg token access``), ``mutt_oauth2`` (mutt's
    ``mutt_oauth2.py``), ``oama``, ``sasl-xoauth2-tool`` (Postfix) or ``command`` (your own)."""
    command: CommandLine | None = None
    """The command the application runs to get a fresh access token (msmtp ``passwordeval``):
    words split as a shell splits them, without any expansion; each is quoted again when
    rendered. Omitted: mailoauth-cfg's own command."""


class LoginAccount(StrictModel):
    """What an application holds for one mailbox: the login it uses and who signed in."""

    login: Email | None = None
    """The address the application logs in with (XOAUTH2 ``user=``, the SMTP/IMAP user name).
    Omitted: the mailbox itself."""
    sign_in_as: Email | None = None
    """The account that signed in and owns the token. Omitted: the mailbox's ``sign_in_as``,
    else the mailbox itself."""


class ScopedAccount(LoginAccount):
    """An account of an application that keeps scopes per account."""

    scopes: list[Scope] | None = None
    """The scopes requested for this mailbox. Omitted: the target's."""


class EntryAccount(ScopedAccount):
    """An account of an application that binds each mailbox to a named OAuth entry."""

    entry: Annotated[Text, StringConstraints(min_length=1)] | None = None
    """The OAuth entry (label) the mailbox is bound to. Omitted: one derived per mailbox."""


_SMTP_ONLY: list[Protocol] = ["smtp"]


class TargetModel(StrictModel):
    """Keys shared by every target; a kind's model adds ``type`` and its own keys."""

    MAILBOX_KEYED: ClassVar[tuple[str, ...]] = ()
    """Keys whose mapping is keyed by mailbox address: each key must be one of ``users``."""

    if TYPE_CHECKING:  # each kind declares ``type: Literal["<key>"]``
        type: str

    app: Name | None = None
    """Name of the app registration / OAuth client (``apps:``) the target uses."""
    users: list[Email] = Field(default_factory=new_list)
    """Mailboxes (``users:`` e-mails) the target sends or reads as."""
    protocols: list[Protocol] = Field(default_factory=lambda: _SMTP_ONLY.copy())
    """Protocols the target uses: ``smtp`` to send, ``imap``/``pop`` to read."""
    auth: Literal["oauth2", "password", "app-password"] = "oauth2"
    """How the target authenticates today: ``oauth2`` (the goal), ``password`` (legacy basic
    auth still in use, tracked until it is migrated) or ``app-password`` (Google only)."""
    credential: CredentialName | None = None
    """The app credential this target was given (a name in ``apps.<app>.credentials``, or
    ``client_secret`` / ``certificate``). Omitted: the app's only credential, or its
    ``client_secret``."""
    description: Text | None = None
    """Free text shown in rendered runbooks."""
    suppress: Suppressions

    @property
    def base_url(self) -> str | None:
        """The ``url`` users and admins open, for kinds that have one."""
        url = getattr(self, "url", None)
        return url if isinstance(url, str) else None

    def secret_refs(self) -> list[tuple[str, SecretRef]]:
        """``(key, reference)`` of every secret the target itself holds (an app password)."""
        found = ((key, getattr(self, key)) for key in type(self).model_fields)
        return [(key, value) for key, value in found if isinstance(value, SecretRef)]

    def declared(self, key: str) -> Any:
        """The declared value of setting ``key`` (``None`` when omitted or not held)."""
        return getattr(self, key, None)

    def account(self, email: str) -> LoginAccount | None:
        """The declared ``accounts`` entry of mailbox ``email`` (case-insensitive)."""
        return self.accounts_by_address.get(email.lower())

    @functools.cached_property
    def accounts_by_address(self) -> dict[str, LoginAccount]:
        """The declared ``accounts`` entries by lower-cased mailbox (the first of a case
        duplicate), so that a lookup per mailbox stays linear over ten thousand mailboxes."""
        accounts: dict[str, LoginAccount] | None = getattr(self, "accounts", None)
        index: dict[str, LoginAccount] = {}
        for key, value in (accounts or {}).items():
            index.setdefault(key.lower(), value)
        return index

    @property
    def declared_version(self) -> str | None:
        """The ``version`` key as text, for kinds that have one and when it is set."""
        version = getattr(self, "version", None)
        return None if version is None else str(version)

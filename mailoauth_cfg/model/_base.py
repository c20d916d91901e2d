"""Shared pieces of the YAML model: the strict base class, validated identifier and text types,
secrets, suppressions.

Identifiers are strict here, before anything is rendered (each refusal is a located finding
with a fix): mailbox addresses are RFC 5321 dot-atoms at a DNS domain, object names follow
:data:`NAME_PATTERN`, URLs are parsed (scheme, host, only the characters RFC 3986 allows), and
text and paths hold no control or bidirectional-control character. Rendering escapes every value
anyway; these types keep values that no target could use out of the config.

Validators raise messages that do not repeat the value: the schema layer shows it (or hides it
where a secret may have been pasted).
"""

import datetime as dt
import ipaddress
import re
from typing import Annotated, Any, Self
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    StringConstraints,
    model_validator,
)

GUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
LOCAL_PART_RE = re.compile(r"^[A-Za-z0-9_+'-]+(?:\.[A-Za-z0-9_+'-]+)*$")
"""The local part of a mailbox: a dot-atom (RFC 5321) of letters, digits and ``_ + ' -``.

RFC 5321 also allows ``! # $ % & * / = ? ^ ` { | } ~``; real mailboxes do not use them, and
they are shell, path or URL metacharacters. The apostrophe stays (O'Brien addresses exist)."""
EMAIL_RE = re.compile(
    r"^[A-Za-z0-9_+'-]+(?:\.[A-Za-z0-9_+'-]+)*@" + _LABEL + r"(?:\." + _LABEL + r")+$"
)
DOMAIN_RE = re.compile(r"^" + _LABEL + r"(?:\." + _LABEL + r")+$")
HOSTNAME_RE = re.compile(r"^" + _LABEL + r"(?:\." + _LABEL + r")*$")
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$"
URI_CHARS = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%"
)
"""The characters RFC 3986 allows in a URI (anything else must be percent-encoded)."""
_PERCENT_RE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


class StrictModel(BaseModel):
    """Base of every model: unknown keys are errors, objects are immutable."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        str_strip_whitespace=False,
        validate_default=False,
        # Field docstrings become schema descriptions in schema.py, not at import (70 ms).
        use_attribute_docstrings=False,
        # Validators are built on first use: a config builds only the models it holds.
        defer_build=True,
    )


def new_dict() -> dict[Any, Any]:
    """A new empty mapping: the default factory of mapping fields.

    pydantic reads every default factory's signature; a builtin's (``dict``, ``list``) is
    parsed from its text signature with ``tokenize`` (2 ms at start-up for the first one),
    a function's is read directly."""
    return {}


def new_list() -> list[Any]:
    """A new empty list: the default factory of list fields (see :func:`new_dict`)."""
    return []


def _check_text(value: str) -> str:
    if value.isascii() and value.isprintable():
        return value  # printable ASCII holds no control and no bidirectional character
    from mailoauth_cfg.charsets import describe_char, first_unsafe

    bad = first_unsafe(value)
    if bad is not None:
        raise ValueError(
            f"contains {describe_char(bad)}, a control character (expected one line of text "
            "without control characters)"
        )
    return value


def _check_path(value: str) -> str:
    if not value:
        raise ValueError("is empty (expected a path)")
    return _check_text(value)


def _check_email(value: str) -> str:
    if len(value) <= 254 and EMAIL_RE.fullmatch(value) and value.index("@") <= 64:
        return value  # the pattern admits no control character: nothing more to check
    _check_text(value)
    local, _, domain = value.rpartition("@")
    if len(value) > 254 or len(local) > 64 or not EMAIL_RE.fullmatch(value):
        why = ""
        if local and DOMAIN_RE.fullmatch(domain) and not LOCAL_PART_RE.fullmatch(local):
            why = (
                ": the part before @ holds letters, digits and . _ + - ' only, with no dot "
                "first, last or twice in a row"
            )
        raise ValueError(f"is not an e-mail address{why} (expected name@domain.tld)")
    return value


def _check_guid(value: str) -> str:
    if not GUID_RE.fullmatch(value):
        raise ValueError(
            "is not a GUID (expected 8-4-4-4-12 hexadecimal digits, "
            "e.g. 6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d)"
        )
    return value.lower()


def _check_domain(value: str) -> str:
    if not DOMAIN_RE.fullmatch(value):
        raise ValueError("is not a DNS domain (expected e.g. contoso.com)")
    return value.lower()


def _check_host(value: str) -> str:
    """A host name or an IP address, bare or in brackets."""
    _check_text(value)
    bare = value[1:-1] if value.startswith("[") and value.endswith("]") else value
    try:
        ipaddress.ip_address(bare)
    except ValueError:
        if HOSTNAME_RE.fullmatch(bare):  # `[host]` is Postfix's "no MX lookup" notation
            return value
        raise ValueError(
            "is not a host name or an IP address (expected e.g. mail.contoso.com or 127.0.0.1)"
        ) from None
    return value


def _check_uri_chars(value: str, example: str) -> None:
    _check_text(value)
    bad = next((c for c in value if c not in URI_CHARS), None)
    if bad is not None:
        from mailoauth_cfg.charsets import describe_char

        raise ValueError(
            f"contains {describe_char(bad)}, which a URL holds only percent-encoded "
            f"(expected e.g. {example})"
        )
    if _PERCENT_RE.search(value):
        raise ValueError(
            f"has a '%' not followed by two hexadecimal digits (expected e.g. {example})"
        )


def _check_authority(parts: Any, example: str) -> None:
    if parts.username is not None or parts.password is not None:
        raise ValueError(
            f"holds a user name or password; credentials never go in a URL (expected e.g. "
            f"{example})"
        )
    host = parts.hostname or ""
    try:
        _check_host(host)
        port = parts.port
    except ValueError:
        raise ValueError(f"does not name a valid host and port (expected e.g. {example})") from None
    if port == 0:
        raise ValueError(f"has port 0 (expected e.g. {example})")


def _check_url(value: str) -> str:
    example = "https://erp.contoso.com"
    _check_uri_chars(value, example)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"is not an http(s) URL (expected e.g. {example})")
    _check_authority(parts, example)
    if parts.query or parts.fragment:
        raise ValueError(
            f"is a base URL, which takes no query string or fragment (expected e.g. {example})"
        )
    return value


def _check_uri(value: str) -> str:
    """A URI as registered on an app: RFC 3986 characters and a scheme (the rules check the
    rest: wildcards, credentials, fragments and hosts each get their own explanation)."""
    example = "https://erp.contoso.com/callback"
    _check_uri_chars(value, example)
    if not _SCHEME_RE.match(value):
        raise ValueError(f"has no scheme (expected e.g. {example})")
    return value


def _check_url_path(value: str) -> str:
    example = "/oauth2/callback"
    _check_uri_chars(value, example)
    if "?" in value or "#" in value or "//" in value or ".." in value.split("/"):
        raise ValueError(f"is not a plain URL path (expected e.g. {example})")
    return value


def _check_endpoint(value: str) -> str:
    """``host``, ``host:port`` (optionally followed by ``/path``) or an http(s) URL."""
    if "://" in value:
        example = "https://login.microsoftonline.us"
        _check_uri_chars(value, example)
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"is not an http(s) URL (expected e.g. {example})")
        _check_authority(parts, example)
        if parts.query or parts.fragment:
            raise ValueError(f"takes no query string or fragment (expected e.g. {example})")
        return value
    authority, slash, rest = value.partition("/")
    if slash:  # host[:port]/path, as for a base URL without its scheme
        _check_uri_chars(rest, "smtp.office365.com:587")
    host, colon, port = authority.rpartition(":")
    if not colon or (host.count(":") and not host.startswith("[")):
        host, port = authority, ""
    try:
        _check_host(host)
    except ValueError:
        raise ValueError(
            "is not a host, host:port or URL (expected e.g. smtp.office365.com:587)"
        ) from None
    if colon and not port.isdigit():
        raise ValueError("is not a host, host:port or URL (expected e.g. smtp.office365.com:587)")
    if colon and not 0 < int(port) < 65536:
        raise ValueError("has a port outside 1-65535 (expected e.g. smtp.office365.com:587)")
    return value


def _check_command(value: str) -> str:
    _check_text(value)
    import shlex  # on use: rarely needed, and not free to import

    try:
        words = shlex.split(value)
    except ValueError:
        raise ValueError(
            "is not a command line: a quote is not closed (expected e.g. mailoauth-cfg or "
            "/opt/venv/bin/python -m mailoauth_cfg)"
        ) from None
    if not words:
        raise ValueError("is empty (expected e.g. mailoauth-cfg)")
    return value


Email = Annotated[
    str,
    AfterValidator(_check_email),
    Field(
        json_schema_extra={"format": "email", "pattern": EMAIL_RE.pattern},
        examples=["jean.dupont@contoso.com"],
    ),
]
Guid = Annotated[
    str,
    AfterValidator(_check_guid),
    Field(
        json_schema_extra={"pattern": GUID_RE.pattern},
        examples=["6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d"],
    ),
]
Domain = Annotated[str, AfterValidator(_check_domain), Field(examples=["contoso.com"])]
Name = Annotated[str, StringConstraints(pattern=NAME_PATTERN)]
"""Names of providers, apps and targets: letters, digits, ``_ . -``; up to 63 characters."""
EnvName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
Text = Annotated[str, AfterValidator(_check_text)]
"""Free text on one line: no control character (line break, tab, NUL...) nor bidi control."""
PathText = Annotated[str, AfterValidator(_check_path)]
"""A file or folder path: not empty, no control or bidirectional-control character."""
Host = Annotated[str, AfterValidator(_check_host), Field(examples=["127.0.0.1"])]
"""A host name (letters, digits, ``-`` and dots) or an IP address."""
Url = Annotated[str, AfterValidator(_check_url), Field(examples=["https://erp.contoso.com"])]
"""A base http(s) URL: parsed, RFC 3986 characters only, a host, no credentials, no query."""
Uri = Annotated[str, AfterValidator(_check_uri), Field(examples=["https://erp.contoso.com/cb"])]
"""A URI with a scheme (redirect URIs): RFC 3986 characters only."""
UrlPath = Annotated[str, AfterValidator(_check_url_path), Field(examples=["/oauth2/callback"])]
"""The path part of a URL: RFC 3986 characters, no query, fragment or ``..``."""
Endpoint = Annotated[str, AfterValidator(_check_endpoint)]
"""``host``, ``host:port`` or an http(s) URL (endpoint overrides)."""
ClientId = Annotated[
    str,
    StringConstraints(pattern=r"^ *[A-Za-z0-9._@-]{1,256} *$"),
    Field(
        examples=[
            "1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b",
            "123456789012-abc.apps.googleusercontent.com",
        ]
    ),
]
"""An OAuth client ID: letters, digits and ``. _ @ -`` (a GUID, or Google's
``<n>-<id>.apps.googleusercontent.com``). Stray spaces around it and a secret or an e-mail
address pasted here pass, so that the rules can say exactly what is wrong."""
CommandLine = Annotated[str, AfterValidator(_check_command)]
"""A command line of words split as a shell splits them, without any expansion."""
SystemUser = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z_][a-z0-9_-]{0,31}$"),
    Field(examples=["postfix", "www-data"]),
]
"""A user (or group) name of the host, as ``useradd`` accepts it by default."""
_VERSION_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.+-]{0,63}$")


def _check_version(value: str | int | float) -> str:
    text = str(value)
    if not _VERSION_RE.fullmatch(text):
        raise ValueError(
            "is not a version (expected one word of letters, digits, '.', '+' and '-', starting "
            "with a letter or digit)"
        )
    return text


Version = Annotated[str | int | float, AfterValidator(_check_version), Field(examples=["23"])]
"""A version as its vendor writes it: ``23``, ``"22.0.4"``, ``v1.8.22``, ``2025R2`` (numbers are
read as text); one word of letters, digits and ``. + -``. Each target kind narrows it to its
vendor's format: ``Annotated[Version, AfterValidator(VERSIONS.format.check)]``."""


_ENV_SHOWN = re.compile(r"^[A-Z][A-Z0-9_]*$")
_PATH_SHOWN = re.compile(r"^(?:/|~/|\.{1,2}/)[A-Za-z0-9_./@-]*$")


class SecretRef(StrictModel):
    """Where a secret comes from. Exactly one of ``env``, ``file`` or ``value``.

    ``validate`` never reads the secret; ``render`` and ``token`` resolve it. A literal
    ``value`` is accepted by the model so that the ``secret-literal`` rule can locate it,
    but it is an error by default: secrets do not belong in a config under version control.
    """

    env: EnvName | None = Field(default=None, examples=["ERP_MAIL_SECRET"])
    """Name of an environment variable holding the secret."""
    file: PathText | None = Field(default=None, examples=["/run/secrets/erp-mail"])
    """Path of a file holding the secret (trailing newline ignored)."""
    value: SecretStr | None = None
    """The secret itself (discouraged; see rule ``secret-literal``)."""

    @model_validator(mode="after")
    def _exactly_one_source(self) -> Self:
        given = [k for k in ("env", "file", "value") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "a secret reference needs exactly one of `env`, `file` or `value`"
                + (f" (got {', '.join(given)})" if given else "")
            )
        return self

    def describe(self) -> str:
        """A safe description of the reference: ``env:NAME``, ``file:PATH`` or ``literal value``.

        A name or path is shown only when it has the usual form (``UPPER_CASE`` names, paths
        from ``/``, ``~/``, ``./`` or ``../``): anything else may be the secret itself, pasted
        where its reference belongs, and is described without being repeated.
        """
        if self.env is not None:
            return f"env:{self.env}" if self.env_shown else "env:(name hidden: it may be a secret)"
        if self.file is not None:
            return (
                f"file:{self.file}" if self.file_shown else "file:(path hidden: it may be a secret)"
            )
        return "literal value"

    @property
    def env_shown(self) -> bool:
        """Whether ``env`` has the usual form of a variable name, safe to repeat."""
        return self.env is not None and _ENV_SHOWN.fullmatch(self.env) is not None

    @property
    def file_shown(self) -> bool:
        """Whether ``file`` has the usual form of a path, safe to repeat."""
        return self.file is not None and _PATH_SHOWN.fullmatch(self.file) is not None


class ClientSecret(SecretRef):
    """A client secret reference with the facts needed to track its lifetime."""

    expires: dt.date | None = Field(default=None, examples=["2027-05-31"])
    """Expiry date shown in the portal (Microsoft: 6 months by default, 24 at most)."""
    created: dt.date | None = None
    """Creation date, to check the lifetime does not exceed what the provider allows."""
    key_id: Guid | None = None
    """Microsoft secret ID (not the value), to match it in live checks."""


class Certificate(StrictModel):
    """A certificate credential, the recommended alternative to a client secret."""

    thumbprint: Annotated[str, StringConstraints(pattern=r"^[0-9A-Fa-f]{40}$")] = Field(
        examples=["3A1B5C0D9E8F7A6B5C4D3E2F1A0B9C8D7E6F5A4B"]
    )
    """SHA-1 thumbprint as shown in the portal."""
    expires: dt.date | None = None
    """Certificate end date."""
    key: SecretRef | None = None
    """Where the private key (PEM) lives."""
    certificate_file: PathText | None = None
    """Path of the certificate (PEM)."""


class SuppressionSpec(StrictModel):
    """Silence one rule for this object, with a reason; it comes back after ``expires``."""

    rule: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")] = Field(
        examples=["ms-over-privileged-permission"]
    )
    """Rule ID to silence."""
    reason: Annotated[Text, StringConstraints(min_length=3)]
    """Why this is acceptable (shown in every report)."""
    expires: dt.date | None = None
    """After this date the finding is reported again."""


Suppressions = Annotated[list[SuppressionSpec], Field(default_factory=new_list)]


def schema_extra(**extra: Any) -> dict[str, Any]:
    """Small helper for ``json_schema_extra``."""
    return extra

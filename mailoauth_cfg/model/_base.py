"""Shared pieces of the YAML model: the strict base class, names, secrets, suppressions."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

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
EMAIL_RE = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
DOMAIN_RE = re.compile(
    r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}"
    r"[A-Za-z0-9])?)+$"
)
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$"


class StrictModel(BaseModel):
    """Base of every model: unknown keys are errors, objects are immutable."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        str_strip_whitespace=False,
        validate_default=False,
        # Field docstrings become schema descriptions in schema.py, not at import (70 ms).
        use_attribute_docstrings=False,
    )


def _check_email(value: str) -> str:
    if len(value) > 254 or not EMAIL_RE.fullmatch(value):
        raise ValueError(f"{value!r} is not an e-mail address (expected name@domain.tld)")
    return value


def _check_guid(value: str) -> str:
    if not GUID_RE.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a GUID (expected 8-4-4-4-12 hexadecimal digits, "
            "e.g. 6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d)"
        )
    return value.lower()


def _check_domain(value: str) -> str:
    if not DOMAIN_RE.fullmatch(value):
        raise ValueError(f"{value!r} is not a DNS domain (expected e.g. contoso.com)")
    return value.lower()


Email = Annotated[
    str,
    AfterValidator(_check_email),
    Field(json_schema_extra={"format": "email"}, examples=["jean.dupont@contoso.com"]),
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


class SecretRef(StrictModel):
    """Where a secret comes from. Exactly one of ``env``, ``file`` or ``value``.

    ``validate`` never reads the secret; ``render`` and ``token`` resolve it. A literal
    ``value`` is accepted by the model so that the ``secret-literal`` rule can locate it,
    but it is an error by default: secrets do not belong in a config under version control.
    """

    env: EnvName | None = Field(default=None, examples=["ERP_MAIL_SECRET"])
    """Name of an environment variable holding the secret."""
    file: str | None = Field(default=None, examples=["/run/secrets/erp-mail"])
    """Path of a file holding the secret (trailing newline ignored)."""
    value: SecretStr | None = None
    """The secret itself (discouraged; see rule ``secret-literal``)."""

    @model_validator(mode="after")
    def _exactly_one_source(self) -> SecretRef:
        given = [k for k in ("env", "file", "value") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "a secret reference needs exactly one of `env`, `file` or `value`"
                + (f" (got {', '.join(given)})" if given else "")
            )
        return self

    def describe(self) -> str:
        """A safe description of the reference (never the value)."""
        if self.env is not None:
            return f"env:{self.env}"
        if self.file is not None:
            return f"file:{self.file}"
        return "literal value"


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
    certificate_file: str | None = None
    """Path of the certificate (PEM)."""


class SuppressionSpec(StrictModel):
    """Silence one rule for this object, with a reason; it comes back after ``expires``."""

    rule: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")] = Field(
        examples=["ms-over-privileged-permission"]
    )
    """Rule ID to silence."""
    reason: Annotated[str, StringConstraints(min_length=3)]
    """Why this is acceptable (shown in every report)."""
    expires: dt.date | None = None
    """After this date the finding is reported again."""


Suppressions = Annotated[list[SuppressionSpec], Field(default_factory=list)]


def schema_extra(**extra: Any) -> dict[str, Any]:
    """Small helper for ``json_schema_extra``."""
    return extra

"""The YAML model (pydantic, frozen). The models are the truth; the JSON Schema is generated."""

from __future__ import annotations

from mailoauth_cfg.model._base import Certificate, ClientSecret, SecretRef, SuppressionSpec
from mailoauth_cfg.model.apps import App
from mailoauth_cfg.model.config import MailConfig, RuleSetting
from mailoauth_cfg.model.providers import (
    ConsentScreen,
    GoogleEndpoints,
    GoogleProvider,
    MicrosoftEndpoints,
    MicrosoftProvider,
    Provider,
)
from mailoauth_cfg.model.targets import (
    TARGET_TYPES,
    DigdashTarget,
    DolibarrCollector,
    DolibarrTarget,
    EmailOauth2ProxyTarget,
    GlpiTarget,
    MsmtpTarget,
    MultismtpTarget,
    NextcloudMailTarget,
    OdooTarget,
    OpenbeeTarget,
    PostfixTarget,
    Target,
    WavesoftTarget,
)
from mailoauth_cfg.model.users import Protocol, User

__all__ = [
    "TARGET_TYPES",
    "App",
    "Certificate",
    "ClientSecret",
    "ConsentScreen",
    "DigdashTarget",
    "DolibarrCollector",
    "DolibarrTarget",
    "EmailOauth2ProxyTarget",
    "GlpiTarget",
    "GoogleEndpoints",
    "GoogleProvider",
    "MailConfig",
    "MicrosoftEndpoints",
    "MicrosoftProvider",
    "MsmtpTarget",
    "MultismtpTarget",
    "NextcloudMailTarget",
    "OdooTarget",
    "OpenbeeTarget",
    "PostfixTarget",
    "Protocol",
    "Provider",
    "RuleSetting",
    "SecretRef",
    "SuppressionSpec",
    "Target",
    "User",
    "WavesoftTarget",
]

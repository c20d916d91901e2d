"""The YAML model (pydantic, frozen). The models are the truth; the JSON Schema is generated.

Target models live in their plugins (``mailoauth_cfg.targets.<kind>.model``); ``Target`` is
their union.
"""

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
from mailoauth_cfg.model.targets import Target, TargetModel
from mailoauth_cfg.model.users import Protocol, User

__all__ = [
    "App",
    "Certificate",
    "ClientSecret",
    "ConsentScreen",
    "GoogleEndpoints",
    "GoogleProvider",
    "MailConfig",
    "MicrosoftEndpoints",
    "MicrosoftProvider",
    "Protocol",
    "Provider",
    "RuleSetting",
    "SecretRef",
    "SuppressionSpec",
    "Target",
    "TargetModel",
    "User",
]

"""One exception tree for the library.

::

    MailoauthCfgError
    ├── ConfigError          a config could not be read at all (missing file, unreadable)
    ├── SecretError          a secret reference could not be resolved (render, token)
    ├── RenderError          rendering could not complete
    ├── LiveCheckError       a live service could not be queried
    │   ├── LiveCredentialError  the checker's own credential cannot be built or used
    │   └── LiveReadError        one live read could not complete (recorded as ``unknown``)
    │       └── UnknownCmdletParameter  an Exchange cmdlet call names a parameter the cmdlet
    │                                   does not have (refused before it is sent)
    └── TokenError           a token flow or token store failed

Messages never contain secret values. The CLI maps each class to an exit code.
"""

from __future__ import annotations


class MailoauthCfgError(Exception):
    """Base class of every error raised on purpose by mailoauth-cfg."""


class ConfigError(MailoauthCfgError):
    """A config file is missing or cannot be read (exit code 2)."""


class SecretError(MailoauthCfgError):
    """A secret reference (``env:`` or ``file:``) cannot be resolved."""


class RenderError(MailoauthCfgError):
    """Rendering failed: a template, an output path or a stale check."""


class LiveCheckError(MailoauthCfgError):
    """A live check could not complete (credentials, service, throttling)."""


class LiveCredentialError(LiveCheckError):
    """The checker's credential for a provider cannot be built or used: missing variables, a
    keyword tenant (``common``), an unreadable key file. The provider is reported incomplete."""


class LiveReadError(LiveCheckError):
    """One read of a live service could not complete; ``reason`` is what the snapshot records
    (status, error code, retries spent) and what the ``unknown`` finding says."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UnknownCmdletParameter(LiveReadError):
    """An Exchange ``InvokeCommand`` call names a parameter the cmdlet does not have (Exchange
    would answer ``ParameterBindingException``); refused before anything is sent."""


class TokenError(MailoauthCfgError):
    """A token could not be obtained, stored, refreshed or used."""

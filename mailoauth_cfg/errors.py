"""One exception tree for the library.

::

    MailoauthCfgError
    ├── ConfigError          a config could not be read at all (missing file, unreadable)
    ├── SecretError          a secret reference could not be resolved (render, token)
    ├── RenderError          rendering could not complete
    ├── LiveCheckError       a live service could not be queried
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


class TokenError(MailoauthCfgError):
    """A token could not be obtained, stored, refreshed or used."""

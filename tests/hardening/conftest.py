"""The token tests' real parts (trustme CA, OAuth emulator over HTTPS, the rig) for hardening."""

from __future__ import annotations

from tests.tokens.conftest import (  # noqa: F401 - fixtures, registered by import
    certs,
    hmac_key,
    oauth,
    oauth_server,
    rig,
)

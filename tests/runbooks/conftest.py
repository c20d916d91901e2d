"""Fixtures of the runbook tests: the real servers of tests/tokens (OAuth emulator, Dovecot,
the sink), shared by importing them."""

from __future__ import annotations

from tests.tokens.conftest import certs, dovecot, hmac_key, oauth_server, sink

__all__ = ["certs", "dovecot", "hmac_key", "oauth_server", "sink"]

"""Redaction of secrets in messages: see :mod:`mailoauth_cfg.redaction` (kept here for the
token code's imports)."""

from __future__ import annotations

from mailoauth_cfg.redaction import REPLACEMENT, clear, redact, redact_value, register

__all__ = ["REPLACEMENT", "clear", "redact", "redact_value", "register"]

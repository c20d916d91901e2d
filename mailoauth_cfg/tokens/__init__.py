"""Token bootstrap, storage, refresh and XOAUTH2/OAUTHBEARER login probes.

The library never prints: interactive flows report through :class:`~.flows.Interaction`
callbacks, and every other result is returned. Heavy libraries (msal, google-auth-oauthlib)
are imported inside the functions that use them, so importing this package is cheap.

Modules:

* :mod:`.setup`: resolve a mailbox of a config into what a flow needs (endpoints, client,
  scopes, where its token lives).
* :mod:`.store`: one JSON file per mailbox (mode 0600, atomic, locked), in mailoauth-cfg's
  format or in sasl-xoauth2's.
* :mod:`.flows`: authorization code + PKCE on a loopback redirect, device code, client
  credentials (msal for Microsoft, google-auth-oauthlib for Google).
* :mod:`.service`: bootstrap, fresh access token (refreshing when needed), refresh, status.
* :mod:`.probe`: log in to SMTP (STARTTLS) and IMAP (TLS) with the token, log out, and map
  the server's reply to an explanation and rule IDs.
"""

from __future__ import annotations

from mailoauth_cfg.errors import TokenError


class TokenUsageError(TokenError):
    """The request itself is wrong (unknown mailbox, ambiguous target, bad flow): exit 2."""


__all__ = ["TokenError", "TokenUsageError"]

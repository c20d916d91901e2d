"""Local stand-ins for remote services, used by the token tests.

``oauth``: an OAuth2 authorization server shaped like Microsoft's identity platform (HTTPS on
127.0.0.1). ``mailserver``: a real Dovecot (IMAP + submission with XOAUTH2/OAUTHBEARER) on
127.0.0.2 and an aiosmtpd sink it relays to. ``browser``: a command-line "browser" that follows
redirects with urllib, for ``$BROWSER``.
"""

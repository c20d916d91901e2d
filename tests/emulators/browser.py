"""A command-line "browser" for tests: ``python -m tests.emulators.browser URL``.

Follows the authorization URL with urllib (trusting ``$MAILOAUTH_TEST_CA``) and lets the
server redirect it to the loopback listener, as a person's browser would. Used as ``$BROWSER``
so that ``webbrowser.open`` in the CLI drives it.
"""

from __future__ import annotations

import os
import ssl
import sys
import urllib.request


def follow(url: str, ca_file: str) -> int:
    """GET ``url`` following redirects; the final HTTP status."""
    context = ssl.create_default_context(cafile=ca_file)
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context))
    with opener.open(url, timeout=30) as answer:
        answer.read()
        return int(answer.status)


def main() -> int:
    """Entry point."""
    status = follow(sys.argv[1], os.environ["MAILOAUTH_TEST_CA"])
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())

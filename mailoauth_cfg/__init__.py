"""mailoauth-cfg: a compiler and validator for OAuth2 mail setups.

The library never prints and never exits; the CLI in :mod:`mailoauth_cfg.cli` does both.
"""

from __future__ import annotations

__version__ = "0.1.0"

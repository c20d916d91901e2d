"""Canaries: no token or secret in any output, log or error; offline commands stay light."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable

from tests.tokens.conftest import ALICE, Rig


def secrets_of(rig: Rig) -> list[str]:
    """Every token, code and client secret the emulator knows."""
    values = list(rig.oauth.issued)
    values.extend(c.secret for c in rig.oauth.clients.values() if c.secret)
    return [v for v in values if v]


def assert_no_secrets(
    rig: Rig, *, allowed_stdout: Iterable[str] = (), extra: Iterable[str] = ()
) -> None:
    """No captured output (except the allowed ``token access`` stdout) holds a secret."""
    allowed = set(allowed_stdout)
    texts = [t for t in rig.outputs if t not in allowed or not t]
    texts.extend(extra)
    secrets = secrets_of(rig)
    for text in texts:
        for secret in secrets:
            assert secret not in text, f"a secret leaked into output: {text[:200]!r}"


def test_importing_the_cli_loads_no_oauth_library() -> None:
    """Offline commands never import msal, google-auth-oauthlib or requests."""
    code = (
        "import sys, mailoauth_cfg.cli, mailoauth_cfg.cli.tokens, mailoauth_cfg.tokens;"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('msal', 'google', 'google_auth_oauthlib', 'requests', 'oauthlib', 'requests_oauthlib')];"
        "print(','.join(bad))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == ""


def test_errors_and_status_never_show_tokens(rig: Rig) -> None:
    """After a bootstrap, status/refresh/error paths print no token or secret."""
    rig.run("token", "bootstrap", *rig.token_args(ALICE), check=0)
    rig.run("token", "status", "--config", str(rig.config), "--user", ALICE, check=0)
    rig.run("token", "status", "--config", str(rig.config), "--format", "json")
    rig.run("token", "refresh", *rig.token_args(ALICE), check=0)
    rig.oauth.revoke(ALICE)
    rig.run("token", "refresh", *rig.token_args(ALICE), check=1)
    assert_no_secrets(rig)

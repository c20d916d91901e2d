"""On a fresh host, the token bootstrap of a Postfix target leaves a token the ``postfix`` user
reads and rewrites (as sasl-xoauth2 does inside Postfix's ``smtp`` process), inside the chroot.

Postfix comes from Debian (its ``postfix`` user); the directory and file are read and replaced
as that user with ``runuser``, the way sasl-xoauth2 refreshes a token: write a new file beside
it, then rename it over the old one.
"""

from __future__ import annotations

import json
import pwd
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.rendering.support import require
from tests.tokens.conftest import BOB, PUBLIC_CLIENT, TENANT, Rig

CONFIG = """\
version: 1
providers:
  contoso:
    type: microsoft
    tenant: {tenant}
    endpoints: {{login: {login}}}
    ca_bundle: {ca}
apps:
  relay-mail:
    provider: contoso
    client_id: {client}
    platform: public
    public_client_flows: true
users:
  - {{email: {bob}, provider: contoso}}
targets:
  relay:
    type: postfix-sasl-xoauth2
    app: relay-mail
    users: [{bob}]
    chroot_dir: {chroot}
"""


@pytest.fixture
def host_root() -> Iterator[Path]:
    """A directory every user may traverse (the ``postfix`` user must reach the chroot)."""
    root = Path(tempfile.mkdtemp(prefix="mailoauth-host-", dir="/tmp"))
    root.chmod(0o755)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def _as_postfix(*argv: str) -> subprocess.CompletedProcess[str]:
    runuser = require("runuser", "util-linux")
    return subprocess.run(
        [runuser, "-u", "postfix", "--", *argv],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_bootstrap_leaves_a_token_postfix_reads_and_rewrites(rig: Rig, host_root: Path) -> None:
    require("postconf", "postfix")  # the postfix user comes with Debian's package
    pwd.getpwnam("postfix")
    chroot = host_root / "var" / "spool" / "postfix"
    chroot.mkdir(parents=True)
    rig.config.write_text(
        CONFIG.format(
            tenant=TENANT,
            login=rig.oauth.base,
            ca=rig.certs.ca_file,
            client=PUBLIC_CLIENT,
            bob=BOB,
            chroot=chroot,
        )
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "mailoauth_cfg", "token", "bootstrap", *rig.token_args(BOB)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=rig.env,
        cwd=rig.root,
    )
    assert process.stderr is not None
    line = process.stderr.readline()
    match = re.search(r"enter the code ([0-9A-F]+)", line)
    assert match, line
    rig.oauth.approve(match.group(1), BOB)
    _stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    token_dir = chroot / "etc" / "tokens"
    token = token_dir / BOB
    postfix = pwd.getpwnam("postfix")
    for path, mode in ((token_dir, 0o700), (token, 0o600)):
        info = path.stat()
        assert (info.st_uid, info.st_gid) == (postfix.pw_uid, postfix.pw_gid), path
        assert stat.S_IMODE(info.st_mode) == mode, path
    # sasl-xoauth2 in Postfix's smtp process: read the token, write a refreshed one, rename it
    read = _as_postfix("cat", str(token))
    assert read.returncode == 0, read.stderr
    assert json.loads(read.stdout)["refresh_token"].startswith("rt-")
    rewrite = _as_postfix("sh", "-c", 'cp "$1" "$1.new" && mv "$1.new" "$1"', "sh", str(token))
    assert rewrite.returncode == 0, rewrite.stderr
    # a second bootstrap (a new sign-in) keeps the owner
    assert token.stat().st_uid == postfix.pw_uid


def test_bootstrap_refuses_an_owner_the_host_lacks(rig: Rig, host_root: Path) -> None:
    rig.config.write_text(
        CONFIG.format(
            tenant=TENANT,
            login=rig.oauth.base,
            ca=rig.certs.ca_file,
            client=PUBLIC_CLIENT,
            bob=BOB,
            chroot=host_root,
        ).replace("    chroot_dir:", "    mail_owner: nosuchuser42\n    chroot_dir:")
    )
    result = rig.run("token", "bootstrap", *rig.token_args(BOB), "--timeout", "1", check=1)
    assert "nosuchuser42" in result.stderr
    assert not (host_root / "etc").exists()

"""A mailbox that two targets use: msmtp's ``passwordeval`` and the runbooks' commands name their
target, so ``token access`` never stops at "used by several targets".

The config lists alice in an msmtp target and in a Postfix relay (as the shipped example does
with noreply@contoso.com). The rendered msmtprc drives the real msmtp through Dovecot, and every
command of the msmtp README and runbook runs as written.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.emulators.mailserver import LISTEN, Dovecot, Sink
from tests.runbooks.extract import document_commands
from tests.tokens.conftest import ALICE, PUBLIC_CLIENT, TENANT, Rig

SHARED_CONFIG = """\
version: 1
providers:
  contoso:
    type: microsoft
    tenant: {tenant}
    endpoints:
      login: {login}
      smtp: {listen}:{smtp}
    ca_bundle: {ca}
apps:
  mail-cli:
    provider: contoso
    client_id: {client}
    platform: public
    public_client_flows: true
users:
  - {{email: {alice}, provider: contoso, smtp_auth: enabled}}
targets:
  laptop:
    type: msmtp
    version: "1.8.23"
    app: mail-cli
    users: [{alice}]
    config_path: {host_config}
    command: {python} -m mailoauth_cfg
  relay:
    type: postfix-sasl-xoauth2
    app: mail-cli
    users: [{alice}]
    token_dir: {sasl}
    chroot: false
"""


def _render(rig: Rig, dovecot: Dovecot) -> Path:
    host_config = rig.root / "host" / "mailoauth.yaml"
    rig.config.write_text(
        SHARED_CONFIG.format(
            tenant=TENANT,
            login=rig.oauth.base,
            listen=LISTEN,
            smtp=dovecot.submission_port,
            ca=rig.certs.ca_file,
            client=PUBLIC_CLIENT,
            alice=ALICE,
            host_config=host_config,
            python=sys.executable,
            sasl=rig.sasl_dir,
        )
    )
    out = rig.root / "out"
    rig.run("render", str(rig.config), "--out", str(out), "--target", "laptop", check=0)
    return out / "laptop"


def test_passwordeval_names_its_target(
    live_rig: Rig, dovecot: Dovecot, sink: Sink, msmtp_binary: str
) -> None:
    """msmtp sends through Dovecot although the mailbox is listed by two targets."""
    rig = live_rig
    rendered = _render(rig, dovecot)
    msmtprc = (rendered / "msmtprc").read_text()
    assert "--target laptop" in msmtprc, msmtprc
    # the host config the passwordeval reads, installed where the README says
    host_config = rig.root / "host" / "mailoauth.yaml"
    host_config.parent.mkdir()
    host_config.write_bytes((rendered / "mailoauth.yaml").read_bytes())
    rig.run(
        "token", "bootstrap", "--config", str(host_config), "--target", "laptop", "--user", ALICE,
        check=0,
    )  # fmt: skip
    (rendered / "msmtprc").chmod(0o600)
    before = len(sink.messages)
    sent = subprocess.run(
        [msmtp_binary, "-C", str(rendered / "msmtprc"), "bob@example.test"],
        input=f"From: {ALICE}\nTo: bob@example.test\nSubject: shared {time.time_ns()}\n\nhi\n",
        capture_output=True,
        text=True,
        env=rig.env,
        timeout=60,
        check=False,
    )
    assert sent.returncode == 0, (sent.returncode, sent.stderr)
    deadline = time.monotonic() + 10
    while len(sink.messages) == before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sink.messages[-1].mail_from == ALICE


def test_runbook_commands_name_their_target(live_rig: Rig, dovecot: Dovecot) -> None:
    """Every mailoauth-cfg command of the msmtp runbook and README runs (probe included)."""
    rig = live_rig
    rendered = _render(rig, dovecot)
    host_config = rig.root / "host" / "mailoauth.yaml"
    host_config.parent.mkdir()
    host_config.write_bytes((rendered / "mailoauth.yaml").read_bytes())
    documents = ["bootstrap/alice@example.test.md", "README.md"]
    ran = []
    env = dict(rig.env, PATH=os.pathsep.join([str(Path(sys.executable).parent), rig.env["PATH"]]))
    for document in documents:
        for command in document_commands(rendered, document):
            if "mailoauth_cfg" not in command.line:
                continue
            done = subprocess.run(
                ["sh", "-c", command.line],
                capture_output=True,
                text=True,
                env=env,
                cwd=rendered,
                timeout=60,
                check=False,
            )
            assert done.returncode == 0, (str(command), done.stdout, done.stderr)
            ran.append(command.line)
    assert any(" probe " in line and "--target laptop" in line for line in ran), ran
    assert any("token bootstrap" in line for line in ran), ran

"""End to end: the rendered msmtprc drives the real msmtp, whose passwordeval runs
`mailoauth-cfg token access`; Dovecot's submission service accepts the message over STARTTLS
and relays it to the sink."""

from __future__ import annotations

import email
import subprocess
import sys
import time

from tests.emulators.mailserver import LISTEN, Dovecot, Sink
from tests.tokens.conftest import ALICE, PUBLIC_CLIENT, TENANT, Rig
from tests.tokens.test_canary import assert_no_secrets

E2E_CONFIG = """\
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
    config_path: {config}
    command: {python} -m mailoauth_cfg
    token_dir: {store}
    logfile: {log}
"""


def test_rendered_msmtprc_sends_through_dovecot(
    live_rig: Rig, dovecot: Dovecot, sink: Sink, msmtp_binary: str
) -> None:
    """bootstrap → render → msmtp (passwordeval = token access) → Dovecot → sink."""
    rig = live_rig
    log = rig.root / "msmtp.log"
    rig.config.write_text(
        E2E_CONFIG.format(
            tenant=TENANT,
            login=rig.oauth.base,
            listen=LISTEN,
            smtp=dovecot.submission_port,
            ca=rig.certs.ca_file,
            client=PUBLIC_CLIENT,
            alice=ALICE,
            config=rig.config,
            python=sys.executable,
            store=rig.store,
            log=log,
        )
    )
    rig.run("token", "bootstrap", *rig.token_args(ALICE), check=0)
    out = rig.root / "out"
    rig.run("render", str(rig.config), "--out", str(out), "--target", "laptop", check=0)
    msmtprc = out / "laptop" / "msmtprc"
    text = msmtprc.read_text()
    assert f'host "{LISTEN}"' in text
    assert f"port {dovecot.submission_port}" in text
    assert "auth xoauth2" in text
    assert "token access" in text
    msmtprc.chmod(0o600)

    subject = f"mailoauth-cfg e2e {time.time_ns()}"
    message = f"From: {ALICE}\nTo: bob@example.test\nSubject: {subject}\n\nhello from msmtp\n"
    before = len(sink.messages)
    sent = subprocess.run(
        [
            msmtp_binary,
            "-C",
            str(msmtprc),
            f"--tls-trust-file={rig.certs.ca_file}",
            "bob@example.test",
        ],
        input=message,
        capture_output=True,
        text=True,
        env=rig.env,
        timeout=60,
        check=False,
    )
    rig.outputs.extend([sent.stdout, sent.stderr])
    assert sent.returncode == 0, (sent.stdout, sent.stderr, log.read_text() if log.exists() else "")
    deadline = time.monotonic() + 10
    while len(sink.messages) == before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(sink.messages) > before, "the sink received nothing"
    envelope = sink.messages[-1]
    assert envelope.mail_from == ALICE
    assert envelope.rcpt_tos == ["bob@example.test"]
    received = email.message_from_bytes(envelope.content)
    assert received["Subject"] == subject
    logins = [
        line
        for line in dovecot.log_text().splitlines()
        if "submission-login: Info: Login: user=<alice@example.test>, method=XOAUTH2" in line
    ]
    assert logins
    assert "TLS" in logins[-1]
    assert_no_secrets(rig, extra=[log.read_text(), dovecot.log_text(), text])

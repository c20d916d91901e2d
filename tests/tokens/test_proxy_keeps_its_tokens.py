"""email-oauth2-proxy keeps its tokens in its own cache, encrypted with its clients' password:
a token in mailoauth-cfg's store would never be read. The token commands refuse such a target
and say how the proxy gets its token; the probe logs in through the proxy, with that password.
(The whole first login against the real proxy: tests/runbooks/test_example.py.)"""

from __future__ import annotations

import yaml

from tests.tokens.conftest import ALICE, Rig

USAGE = 2


def _with_proxy(rig: Rig) -> None:
    doc = yaml.safe_load(rig.config.read_text(encoding="utf-8"))
    doc["targets"]["scanner"] = {
        "type": "email-oauth2-proxy",
        "app": "mail-cli",
        "flow": "device",
        "users": [ALICE],
        "smtp_port": 41587,
        "imap_port": 41993,
        "protocols": ["smtp", "imap"],
    }
    rig.config.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


def test_token_commands_refuse_a_proxy_and_say_who_keeps_the_token(rig: Rig) -> None:
    _with_proxy(rig)
    for command in (["token", "bootstrap"], ["token", "access"], ["token", "refresh"]):
        done = rig.run(*command, *rig.token_args(ALICE, "--target", "scanner"), check=USAGE)
        assert "email-oauth2-proxy keeps this mailbox's token in its own cache" in done.stderr
        assert "mailoauth-cfg probe --target scanner" in done.stderr
        assert "Traceback" not in done.stderr
    assert not any(rig.store.glob("*.json"))


def test_the_probe_of_a_proxy_needs_its_clients_password(rig: Rig) -> None:
    _with_proxy(rig)
    done = rig.run("probe", *rig.token_args(ALICE, "--target", "scanner"), stdin="", check=USAGE)
    assert "no password" in done.stderr


def test_the_probe_logs_in_to_the_proxys_own_ports(rig: Rig) -> None:
    """Nothing listens on the proxy's ports here: the login fails there, not at the provider."""
    _with_proxy(rig)
    done = rig.run(
        "probe",
        *rig.token_args(ALICE, "--target", "scanner", "--protocol", "smtp"),
        stdin="client-password-1\n",
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "41587" in done.stdout + done.stderr
    assert "client-password-1" not in done.stdout + done.stderr

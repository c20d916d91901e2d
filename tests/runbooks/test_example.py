"""The shipped example's runbooks, followed to the letter on the test machine.

``examples/contoso`` is deployed as :mod:`tests.runbooks.scenario` describes (real endpoints
replaced by the OAuth emulator and a real Dovecot, each host staged in a directory of its own)
and rendered by the real CLI. Then every command of every rendered README and runbook runs, in
document order, each target after the other (see :mod:`tests.runbooks.runner` for the allowed
exceptions and what a person does in between):

* msmtp (Debian's): install, token bootstrap (loopback sign-in), ``--serverinfo``, the probe
  and a message sent through Dovecot, with noreply@contoso.com listed by three targets;
* Postfix (Debian's) with sasl-xoauth2's files: ``postconf -e``, ``postmap``, the token
  directory and the CA bundle inside the chroot, the device-code bootstrap, and the token read
  as the ``postfix`` user; the plugin itself is the manual check (not in Debian 12);
* email-oauth2-proxy (PyPI's ``emailproxy``): its user, config and service, the first login
  through the proxy that makes it sign in (``--local-server-auth``), then SMTP and IMAP
  through it;
* GLPI, whose script runs as ``www-data`` against a GLPI console reduced to ``config:set``;
* each app registration's PowerShell, against the Exchange emulator's ``InvokeCommand``.
"""

from __future__ import annotations

import grp
import hashlib
import imaplib
import json
import os
import pwd
import re
import shutil
import smtplib
import ssl
import stat
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from mailoauth_cfg.targets import plugin
from tests.emulators.mailserver import Dovecot, Sink
from tests.emulators.microsoft import MicrosoftEmulator, Tls, load_scenario
from tests.emulators.oauth import OAuthEmulator, OAuthServer
from tests.rendering.consumers import stub_htdocs
from tests.runbooks import scenario as scene
from tests.runbooks import stubs
from tests.runbooks.extract import Command
from tests.runbooks.runner import ALLOWED, Outcome, Runner
from tests.tokens.conftest import REPO, Certs

AS_OF = "2026-11-22"
SHARED = "noreply@contoso.com"
SCANNER = "scanner@contoso.com"

#: GLPI's console reduced to what the rendered script calls: ``config:set [--context=CTX] [--]
#: KEY VALUE`` stores the value (``glpi_configs`` as a JSON file), as GLPI's SetCommand does.
GLPI_CONSOLE = r"""<?php
$args = array_slice($argv, 1);
if (($args[0] ?? '') !== 'config:set') { fwrite(STDERR, "Command not defined\n"); exit(1); }
$context = 'core'; $rest = array();
for ($i = 1; $i < count($args); $i++) {
    $a = $args[$i];
    if ($a === '--') { $rest = array_merge($rest, array_slice($args, $i + 1)); break; }
    if (strpos($a, '--context=') === 0) { $context = substr($a, 10); continue; }
    $rest[] = $a;
}
if (count($rest) !== 2) { fwrite(STDERR, "Not enough arguments\n"); exit(1); }
$file = __DIR__ . '/../files/_config/glpi_configs.json';
$all = is_file($file) ? json_decode(file_get_contents($file), true) : array();
$all[$context][$rest[0]] = $rest[1];
file_put_contents($file, json_encode($all));
"""


@dataclass
class Deployed:
    """The example after its runbooks ran."""

    scenario: scene.Scenario
    runner: Runner
    sink: Sink
    dovecot: Dovecot
    exchange: MicrosoftEmulator
    rendered: dict[str, bytes]
    """Every rendered file, as rendered (before any command ran)."""
    odoo: stubs.Odoo
    nextcloud: stubs.Nextcloud
    messages_before: int = 0
    failure: str | None = None
    order: list[str] = field(default_factory=list)


def _register_clients(oauth: OAuthEmulator, doc: dict[str, Any]) -> None:
    for app in doc["apps"].values():
        ref = app.get("client_secret")
        secret = scene.SECRETS.get(ref["env"]) if isinstance(ref, dict) and "env" in ref else None
        oauth.add_client(app["client_id"], secret=secret)


def _powershell(exchange: MicrosoftEmulator, tls: Tls) -> Any:
    """Run a PowerShell line of an Exchange cmdlet as Exchange Online PowerShell does: one
    ``InvokeCommand`` request (cmdlet and parameters) to the Exchange emulator."""
    scenario = exchange.scenario
    client = scenario.clients[0]
    token_url = f"{exchange.server.base}/{scenario.tenant}/oauth2/v2.0/token"
    form = urllib.parse.urlencode(
        {
            "grant_type": "client_credentials",
            "client_id": client["client_id"],
            "client_secret": client["secret"],
            "scope": "https://outlook.office365.com/.default",
        }
    ).encode()
    import ssl

    context = ssl.create_default_context(cafile=tls.ca_file)
    request = urllib.request.Request(token_url, data=form)  # noqa: S310 - https, the emulator
    with urllib.request.urlopen(request, context=context, timeout=30) as answer:  # noqa: S310
        token = json.loads(answer.read())["access_token"]

    def run(command: Command) -> str:
        words = re.findall(r"'(?:[^']|'')*'|\S+", command.line)
        cmdlet, params = words[0], {}
        index = 1
        while index < len(words):
            name = words[index]
            assert name.startswith("-"), command
            value: Any = True
            if index + 1 < len(words) and not words[index + 1].startswith("-"):
                raw = words[index + 1]
                value = (
                    raw[1:-1].replace("''", "'")
                    if raw.startswith("'")
                    else {"$false": False, "$true": True}.get(raw.lower(), raw)
                )
                index += 1
            params[name[1:]] = value
            index += 1
        body = json.dumps({"CmdletInput": {"CmdletName": cmdlet, "Parameters": params}})
        request = urllib.request.Request(  # noqa: S310 - https, the emulator
            f"{exchange.server.base}/adminapi/beta/{scenario.tenant}/InvokeCommand",
            data=body.encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, context=context, timeout=30) as answer:  # noqa: S310
                return f"InvokeCommand {cmdlet}: {answer.status}"
        except urllib.error.HTTPError as exc:
            raise AssertionError(f"{command}: {exc.code} {exc.read().decode()}") from None

    return run


def _stage_glpi(host: Path) -> None:
    """A GLPI installation owned by the web server user, with its console."""
    glpi = host / "var" / "www" / "glpi"
    (glpi / "bin").mkdir(parents=True)
    (glpi / "files" / "_config").mkdir(parents=True)
    (glpi / "bin" / "console").write_text(GLPI_CONSOLE, encoding="utf-8")
    web = pwd.getpwnam("www-data")
    for path in [glpi, *glpi.rglob("*")]:
        os.chown(path, web.pw_uid, web.pw_gid)


@pytest.fixture(scope="module")
def deployed(
    certs: Certs, oauth_server: OAuthServer, dovecot: Dovecot, sink: Sink
) -> Iterator[Deployed]:
    for program in ("msmtp", "postconf", "postmap", "php", "sudo", "runuser", "setpriv"):
        if shutil.which(program) is None and not Path("/usr/sbin", program).exists():
            pytest.fail(f"{program} is missing; ./scripts/test-all installs it", pytrace=False)
    root = Path(tempfile.mkdtemp(prefix="mailoauth-runbooks-", dir="/tmp"))
    root.chmod(0o755)
    odoo = stubs.Odoo(certs.server_context).start()
    nextcloud = stubs.Nextcloud(certs.server_context).start()
    scenario = scene.build(
        root,
        oauth_base=oauth_server.base,
        ca_file=certs.ca_file,
        submission=dovecot.submission_port,
        imaps=dovecot.imaps_port,
        urls={
            "odoo": f"https://localhost:{odoo.port}",
            "nextcloud-mail": f"https://localhost:{nextcloud.port}",
        },
    )
    oauth = oauth_server.emulator
    _register_clients(oauth, scenario.doc)
    _stage_glpi(scenario.host("helpdesk"))
    htdocs = stub_htdocs(root / "dolibarr")
    trust = root / "trust.pem"
    trust.write_bytes(Path(ssl.get_default_verify_paths().openssl_cafile).read_bytes()
                      + b"\n" + certs.ca_file.read_bytes())  # fmt: skip
    trust.chmod(0o644)
    env = {
        "PATH": os.pathsep.join([str(scene.python_bin()), os.environ.get("PATH", "/usr/bin:/bin")]),
        "HOME": str(scenario.home),
        "LANG": "C.UTF-8",
        "BROWSER": f"{sys.executable} {REPO / 'tests' / 'emulators' / 'browser.py'} %s",
        "MAILOAUTH_TEST_CA": str(certs.ca_file),
        # the site's trust store knows its own servers (Odoo, Nextcloud: the test CA) besides
        # the public ones (PyPI, from which the proxy's README installs it)
        "SSL_CERT_FILE": str(trust),
        "CURL_CA_BUNDLE": str(trust),
        "STUB_OUT": str(root / "dolibarr-stub.json"),
        **scene.SECRETS,
    }
    render = subprocess.run(
        [
            sys.executable,
            "-m",
            "mailoauth_cfg",
            "render",
            str(scenario.config),
            "--out",
            str(scenario.out),
            "--as-of",
            AS_OF,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert render.returncode == 0, render.stderr
    rendered = {
        str(p.relative_to(scenario.out)): p.read_bytes()
        for p in sorted(scenario.out.rglob("*"))
        if p.is_file()
    }
    tls = Tls(root / "exchange-ca")
    exchange_scenario = load_scenario("baseline")
    known = {m["PrimarySmtpAddress"].lower() for m in exchange_scenario.exchange["casMailboxes"]}
    for user in scenario.doc["users"]:  # the example's Microsoft 365 mailboxes
        email = user["email"]
        if user["provider"] == "contoso" and email.lower() not in known:
            local = email.split("@")[0]
            exchange_scenario.exchange["casMailboxes"].append(
                {"Identity": local, "Name": local, "PrimarySmtpAddress": email,
                 "EmailAddresses": [f"SMTP:{email}"]}
            )  # fmt: skip
    for mailbox in exchange_scenario.exchange["casMailboxes"]:
        mailbox["SmtpClientAuthenticationDisabled"] = True  # the example's org-wide state
    runner = Runner(
        root=root,
        env=env,
        ca_file=certs.ca_file,
        approve=oauth.approve,
        proxy_targets={
            name for name, t in scenario.doc["targets"].items() if t["type"] == "email-oauth2-proxy"
        },
        placeholders={
            # what the reader puts where the documents say so
            "/path/to/dolibarr/htdocs": str(htdocs),
            "<password or API key>": odoo.password,
            "<app password>": nextcloud.password,
        },
    )
    with MicrosoftEmulator(exchange_scenario, tls) as exchange:
        runner.powershell_handler = _powershell(exchange, tls)
        state = Deployed(
            scenario, runner, sink, dovecot, exchange, rendered, odoo, nextcloud, len(sink.messages)
        )
        try:
            for target in _order(scenario.doc):
                directory = scenario.out / target
                for document in _documents(directory):
                    state.order.append(f"{target}/{document}")
                    runner.document(directory / document, f"{target}/{document}", directory)
            for app_dir in sorted((scenario.out / "_apps").iterdir()):
                for document in _documents(app_dir):
                    label = f"_apps/{app_dir.name}/{document}"
                    state.order.append(label)
                    runner.document(app_dir / document, label, app_dir)
        except AssertionError as exc:
            state.failure = str(exc)
        try:
            yield state
        finally:
            runner.stop()
            odoo.stop()
            nextcloud.stop()
            shutil.rmtree(root, ignore_errors=True)


def _order(doc: dict[str, Any]) -> list[str]:
    """Targets in the order a site would deploy them: file-based hosts first, then the
    applications, each in the example's order."""
    targets = doc["targets"]
    hosts = [n for n, t in targets.items() if plugin(t["type"]).facts.token_sink == "file"]
    return hosts + [n for n in targets if n not in hosts]


def _documents(directory: Path) -> list[str]:
    """README.md first, then the runbooks (bootstrap/), then any other Markdown file."""
    found = [str(p.relative_to(directory)) for p in sorted(directory.rglob("*.md"))]
    first = [d for d in found if d == "README.md"]
    runbooks = [d for d in found if d.startswith("bootstrap/")]
    return first + runbooks + [d for d in found if d not in first and d not in runbooks]


def _ok(state: Deployed) -> None:
    if state.failure is not None:
        pytest.fail(f"a runbook command failed:\n{state.failure}", pytrace=False)


def test_every_command_of_every_runbook_runs(deployed: Deployed) -> None:
    """Each command ran (exit 0) or is allowed with its reason; nothing else."""
    _ok(deployed)
    outcomes = deployed.runner.outcomes
    summary = deployed.runner.summary()
    print(json.dumps(summary), *(f"{o.status}: {o.command}" for o in outcomes), sep="\n")
    assert summary["ran"] > 30, summary
    allowed = [o for o in outcomes if o.status == "allowed"]
    assert {o.command.program for o in allowed} <= {
        "systemctl", "journalctl", "postfix", "sasl-xoauth2-tool", "sendmail", "mysql",
    }  # fmt: skip
    # every allow-list entry is used (a stale entry would hide nothing but lie)
    used = {a.pattern for a in ALLOWED for o in allowed if a.matches(o.command)}
    assert used == {a.pattern for a in ALLOWED}


def test_msmtp_sent_through_dovecot_for_a_mailbox_three_targets_share(deployed: Deployed) -> None:
    _ok(deployed)
    targets = [n for n, t in deployed.scenario.doc["targets"].items() if SHARED in t["users"]]
    assert len(targets) >= 2, targets
    sent = [
        m for m in deployed.sink.messages[deployed.messages_before :] if b"msmtp test" in m.content
    ]
    assert sent, "msmtp sent nothing"
    assert sent[-1].mail_from == SHARED
    logins = [
        line
        for line in deployed.dovecot.log_text().splitlines()
        if f"submission-login: Info: Login: user=<{SHARED}>, method=XOAUTH2" in line
    ]
    assert logins
    assert "TLS" in logins[-1]


def test_postfix_reads_its_token_inside_the_chroot(deployed: Deployed) -> None:
    """postmap's table gives the token path as Postfix's smtp sees it; the file at that path
    inside the chroot belongs to postfix, 0600, in a postfix 0700 directory, next to the CA
    bundle the plugin is told to use."""
    _ok(deployed)
    postfix = pwd.getpwnam("postfix")
    for name, target in deployed.scenario.doc["targets"].items():
        if target["type"] != "postfix-sasl-xoauth2":
            continue
        postfix_dir = Path(target["postfix_dir"])
        assert (postfix_dir / "sasl_passwd.db").exists()
        relay = subprocess.run(
            ["postconf", "-c", str(postfix_dir), "-h", "relayhost"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        found = subprocess.run(
            ["postmap", "-q", relay, f"hash:{postfix_dir / 'sasl_passwd'}"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        user, _, inside = found.partition(":")
        assert user in target["users"], found
        chroot = Path(target["chroot_dir"])
        token = chroot / inside.lstrip("/")
        info = token.stat()
        assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (postfix.pw_uid, 0o600), token
        assert token.parent.stat().st_uid == postfix.pw_uid
        assert stat.S_IMODE(token.parent.stat().st_mode) == 0o700
        doc = json.loads(token.read_text())
        assert doc["refresh_token"]
        assert isinstance(doc["expiry"], str)
        conf = json.loads(Path(target["config_file"]).read_text())
        bundle = chroot / conf["ca_bundle_file"].lstrip("/")
        assert bundle.read_bytes() == Path(conf["ca_bundle_file"]).read_bytes()
        settings = subprocess.run(
            ["postconf", "-c", str(postfix_dir), "-n"], capture_output=True, text=True, check=True
        ).stdout
        assert "smtp_sasl_mechanism_filter = xoauth2" in settings, name


def test_the_proxy_serves_smtp_and_imap_with_its_own_token(deployed: Deployed) -> None:
    """After its first login the proxy relays SMTP and IMAP with the token it obtained and
    cached (encrypted) in its cache store; its rendered config was never rewritten."""
    _ok(deployed)
    name, target = next(
        (n, t)
        for n, t in deployed.scenario.doc["targets"].items()
        if t["type"] == "email-oauth2-proxy"
    )
    password = deployed.runner.password
    before = len(deployed.sink.messages)
    with smtplib.SMTP("127.0.0.1", target["smtp_port"], timeout=60) as client:
        client.ehlo()
        client.login(SCANNER, password)
        client.sendmail(SCANNER, ["bob@example.test"], f"Subject: via proxy\n\nfrom {name}\n")
    deadline = time.monotonic() + 10
    while len(deployed.sink.messages) == before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert deployed.sink.messages[-1].mail_from == SCANNER
    imap = imaplib.IMAP4("127.0.0.1", target["imap_port"], timeout=60)
    try:
        assert imap.login(SCANNER, password)[0] == "OK"
        assert imap.select("INBOX", readonly=True)[0] == "OK"
    finally:
        imap.logout()
    cache = Path(target["cache_store"]).read_text()
    assert "refresh_token" in cache
    assert "token_salt" in cache
    config = Path(target["config_file"])
    assert (
        hashlib.sha256(config.read_bytes()).hexdigest()
        == hashlib.sha256(deployed.rendered[f"{name}/emailproxy.config"]).hexdigest()
    )
    owner = pwd.getpwuid(config.stat().st_uid).pw_name
    group = grp.getgrgid(config.stat().st_gid).gr_name
    assert (owner, group, stat.S_IMODE(config.stat().st_mode)) == (
        "root",
        target["service_user"],
        0o640,
    )
    log = "".join(log.read_text() for _p, log in deployed.runner.services.values())
    assert "Please visit the following URL to authenticate account" in log
    assert deployed.runner.browsed, "the proxy's sign-in URL was never followed"


def test_glpi_script_ran_as_the_web_server_user(deployed: Deployed) -> None:
    _ok(deployed)
    target = deployed.scenario.doc["targets"]["helpdesk"]
    stored = Path(target["glpi_dir"], "files", "_config", "glpi_configs.json")
    assert pwd.getpwuid(stored.stat().st_uid).pw_name == "www-data"
    core = json.loads(stored.read_text())["core"]
    assert core["use_notifications"] == "1"
    assert core["notifications_mailing"] == "1"
    assert core["smtp_mode"] == "4"
    assert core["smtp_oauth_client_secret"] == scene.SECRETS["ACME_WEB_SECRET"]
    script = deployed.scenario.out / "helpdesk" / "glpi-oauth.sh"
    assert stat.S_IMODE(script.stat().st_mode) == 0o600
    assert script.stat().st_uid == 0


def test_smtp_auth_enabled_for_every_sender(deployed: Deployed) -> None:
    _ok(deployed)
    ran = [o for o in deployed.runner.outcomes if o.command.shell == "powershell"]
    assert ran
    enabled = {
        m["PrimarySmtpAddress"]
        for m in deployed.exchange.scenario.exchange["casMailboxes"]
        if m["SmtpClientAuthenticationDisabled"] is False
    }
    for outcome in ran:
        identity = re.search(r"-Identity '([^']+)'", outcome.command.line)
        assert identity is not None
        assert identity.group(1) in enabled, outcome.command


__all__ = ["Outcome"]


def test_application_scripts_ran_against_their_applications(deployed: Deployed) -> None:
    """Dolibarr's PHP script (a stub Dolibarr), Odoo's XML-RPC script and Nextcloud's API call
    reached what the applications store."""
    _ok(deployed)
    stub = json.loads((deployed.runner.root / "dolibarr-stub.json").read_text())
    consts = {c[0]: c[1] for c in stub["consts"]}
    assert any(name.startswith("MULTISMTP") for name in consts), consts
    odoo = deployed.odoo
    assert odoo.parameters["google_gmail_client_secret"] == scene.SECRETS["ACME_WEB_SECRET"]
    (server,) = odoo.records["ir.mail_server"]
    assert server["smtp_authentication"] == "gmail"
    assert server["from_filter"] == server["smtp_user"] == "crm@acme.example"
    integration = deployed.nextcloud.integrations["microsoft"]
    assert integration["clientSecret"] == scene.SECRETS["ERP_MAIL_SECRET"]

"""The shipped example (``examples/contoso``), as a site would deploy it, against real servers.

Its providers, apps, mailboxes and targets are kept (noreply@contoso.com stays shared by the
Postfix relay, the msmtp cron host and Nextcloud); what only a deployment knows is set for the
test machine: the providers' endpoints point at the OAuth emulator and the real Dovecot (with
the test CA), each target's host paths live under a staging root of its own ("a host"), and
the proxy runs the email-oauth2-proxy installed from PyPI. Nothing of the example's layout is
otherwise changed, and the config is rendered by the real CLI.
"""

from __future__ import annotations

import copy
import shutil
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.emulators.mailserver import LISTEN, free_port

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "contoso"
PROXY_USER = "mailoauth-proxy"
"""The service user of the example's proxy on the test machine (created by its README)."""

#: Secrets of the example's apps, in the providers' own alphabets (Entra: letters, digits and
#: ``~._-``; Google: ``GOCSPX-`` and URL-safe characters); the emulator knows them.
SECRETS = {
    "ERP_MAIL_SECRET": "Rb18Q~erp.runbook_secret-1",
    "PORTAL_MAIL_SECRET": "Rb28Q~portal.runbook_secret-2",
    "ACME_WEB_SECRET": "GOCSPX-runbook_acmeweb-3",
    "ACME_DESKTOP_SECRET": "GOCSPX-runbook_acmedesk-4",
    "WAVESOFT_MAIL_SECRET": "Rb58Q~wave.runbook_secret-5",
}


def example_document() -> dict[str, Any]:
    """The example's config with its includes merged in (the layout the tests deploy)."""
    top = yaml.safe_load((EXAMPLE / "mailoauth.yaml").read_text(encoding="utf-8"))
    patterns = top.pop("include", [])
    doc = copy.deepcopy(top)
    for pattern in patterns:
        for path in sorted(EXAMPLE.glob(pattern)):
            part = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for key, value in part.items():
                if isinstance(value, list):
                    doc.setdefault(key, []).extend(value)
                else:
                    doc.setdefault(key, {}).update(value)
    return doc


@dataclass
class Scenario:
    """Where everything lives for one run of the example's runbooks."""

    root: Path
    """A directory every user may enter (the postfix and proxy users read below it)."""
    config: Path
    out: Path
    home: Path
    hosts: dict[str, Path]
    """Target name → the staging root of its host."""
    ports: dict[str, int] = field(default_factory=dict)
    doc: dict[str, Any] = field(default_factory=dict)

    def host(self, target: str) -> Path:
        return self.hosts[target]


def build(
    root: Path,
    *,
    oauth_base: str,
    ca_file: Path,
    submission: int,
    imaps: int,
    urls: dict[str, str],
) -> Scenario:
    """Write the deployed example config under ``root`` (the rendering is left to the caller)."""
    doc = example_document()
    hosts = {name: root / "hosts" / name for name in doc["targets"]}
    for path in hosts.values():
        path.mkdir(parents=True)
    home = root / "home"
    home.mkdir()
    scenario = Scenario(
        root=root,
        config=root / "config" / "mailoauth.yaml",
        out=root / "out",
        home=home,
        hosts=hosts,
    )
    mail = {"smtp": f"{LISTEN}:{submission}", "imap": f"{LISTEN}:{imaps}"}
    providers = doc["providers"]
    providers["contoso"]["endpoints"] = {"login": oauth_base, **mail}
    providers["acme"]["endpoints"] = {"oauth": oauth_base, "token": oauth_base, **mail}
    for provider in providers.values():
        provider["ca_bundle"] = str(ca_file)
    # the secrets: read from the environment, one file reference made an environment one
    doc["apps"]["wavesoft-mail"]["client_secret"] = {
        **{k: v for k, v in doc["apps"]["wavesoft-mail"]["client_secret"].items() if k != "file"},
        "env": "WAVESOFT_MAIL_SECRET",
    }
    targets = doc["targets"]
    for name, target in targets.items():
        host = hosts[name]
        kind = target["type"]
        if kind == "msmtp":
            target["config_path"] = str(host / "etc" / "mailoauth-cfg" / "mailoauth.yaml")
        elif kind == "postfix-sasl-xoauth2":
            target["postfix_dir"] = str(host / "etc" / "postfix")
            target["config_file"] = str(host / "etc" / "sasl-xoauth2.conf")
            target["chroot_dir"] = str(host / "var" / "spool" / "postfix")
            # Postfix is installed on this host: its own main.cf and master.cf
            (host / "etc" / "postfix").mkdir(parents=True)
            for name_ in ("main.cf", "master.cf"):
                shutil.copy(Path("/etc/postfix") / name_, host / "etc" / "postfix" / name_)
            (host / "var" / "spool" / "postfix").mkdir(parents=True)
        elif kind == "email-oauth2-proxy":
            scenario.ports["redirect"] = free_port("127.0.0.1")
            target["redirect_uri"] = f"http://localhost:{scenario.ports['redirect']}"
            target["smtp_port"] = free_port("127.0.0.1")
            target["imap_port"] = free_port("127.0.0.1")
            target["config_file"] = str(host / "etc" / "email-oauth2-proxy" / f"{name}.config")
            target["cache_store"] = str(
                host / "var" / "lib" / "email-oauth2-proxy" / f"{name}.cache"
            )
            target["service_user"] = PROXY_USER
        elif kind == "glpi":
            target["glpi_dir"] = str(host / "var" / "www" / "glpi")
        if kind in urls:  # an application the test serves itself (tests/runbooks/stubs.py)
            target["url"] = urls[kind]
    scenario.config.parent.mkdir()
    scenario.config.write_text(
        "# The shipped example as deployed on the test machine (tests/runbooks/scenario.py).\n"
        + yaml.safe_dump(doc, sort_keys=False),
        encoding="utf-8",
    )
    scenario.doc = doc
    return scenario


def python_bin() -> Path:
    """The directory of the running Python, where pip put ``mailoauth-cfg``."""
    return Path(sys.executable).parent


def wait_port(host: str, port: int, timeout: float) -> None:
    """Wait until ``host:port`` accepts connections."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)

"""Scale the baseline Google domain and its config to N mailboxes, deterministically
(benchmarks, request-count tests).

``scaled(n)`` returns ``(scenario, config)``: the baseline domain plus ``n`` mailboxes
``user0000@acme.example``…, a realistic mix in which every Google live rule passes:

* every 20th mailbox is used by an Open Bee scanner with an app password (2SV on, one app
  password: ``asps.list``);
* of the others, every 10th (i % 10 == 5) is a GLPI helpdesk sending as an alias
  (``settings.sendAs.get``);
* of the others, every 4th (i % 4 == 1) is read over IMAP by an email-oauth2-proxy (100
  mailboxes each; ``settings.getImap``);
* the rest send through Postfix relays (100 mailboxes each).

Every OAuth mailbox has granted its client (``tokens.list``); every mailbox is read with
``users.get``. For n = 1000: 1000 ``users.get``, 950 ``tokens.list``, 50 ``asps.list``, 200
``getImap``, 100 ``sendAs.get``, so 300 mailboxes whose Gmail settings need their own token.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.emulators.google.scenario import GoogleScenario, load_scenario

CONFIG = Path(__file__).resolve().parents[2] / "live" / "google_config.yaml"
WEB = "412345678901-k3j4h5g6f7d8s9a0p1o2i3u4y5t6r7e8.apps.googleusercontent.com"
DESKTOP = "412345678901-q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6.apps.googleusercontent.com"


def kind_of(index: int) -> str:
    """``app-password``, ``sender``, ``imap`` or ``relay``."""
    if index % 20 == 0:
        return "app-password"
    if index % 10 == 5:
        return "sender"
    if index % 4 == 1:
        return "imap"
    return "relay"


def scaled(
    mailboxes: int, *, per_target: int = 100, latency: float = 0.0
) -> tuple[GoogleScenario, dict[str, Any]]:
    """The baseline domain and config with ``mailboxes`` more mailboxes."""
    scenario = load_scenario("baseline")
    scenario.latency = latency
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    groups: dict[str, list[str]] = {"imap": [], "relay": []}
    for index in range(mailboxes):
        address = f"user{index:04d}@acme.example"
        kind = kind_of(index)
        user: dict[str, Any] = {
            "id": str(200000000000000000000 + index),
            "primaryEmail": address,
            "isEnrolledIn2Sv": kind == "app-password",
            "isMailboxSetup": True,
            "orgUnitPath": "/Services",
        }
        entry: dict[str, Any] = {"email": address, "provider": "acme"}
        if kind == "app-password":
            user["asps"] = [{"codeId": 1, "name": "scanner", "creationTime": "1735689600000"}]
            entry["two_step_verification"] = True
            config["targets"][f"scanner-{index:04d}"] = {
                "type": "openbee",
                "url": f"https://scan{index:04d}.openbeecloud.com",
                "auth": "app-password",
                "app_password": {"env": f"SCAN_{index:04d}_APP_PASSWORD"},
                "users": [address],
                "sender": address,
            }
        else:
            client = WEB if kind == "sender" else DESKTOP
            user["tokens"] = [{"clientId": client, "scopes": ["https://mail.google.com/"]}]
        if kind == "sender":
            alias = f"desk{index:04d}@acme.example"
            user["aliases"] = [alias]
            user["gmail"] = {
                "sendAs": [
                    {"sendAsEmail": alias, "treatAsAlias": True, "verificationStatus": "accepted"}
                ]
            }
            config["targets"][f"desk-{index:04d}"] = {
                "type": "glpi",
                "url": f"https://desk{index:04d}.acme.example",
                "version": "10.0.16",
                "app": "acme-web",
                "users": [address],
                "sender": alias,
            }
        if kind == "imap":
            user["gmail"] = {"imap": {"enabled": True}}
            entry["protocols"] = ["smtp", "imap"]
        if kind in groups:
            groups[kind].append(address)
        scenario.users.append(user)
        config["users"].append(entry)
    for kind, addresses in groups.items():
        for start in range(0, len(addresses), per_target):
            name = f"{kind}-{start // per_target:03d}"
            target: dict[str, Any] = {
                "type": "email-oauth2-proxy" if kind == "imap" else "postfix-sasl-xoauth2",
                "app": "acme-desktop",
                "users": addresses[start : start + per_target],
            }
            if kind == "imap":
                target["protocols"] = ["smtp", "imap"]
            config["targets"][name] = target
    return scenario, config

"""Strict identifiers at the schema: each hostile or malformed value is refused where it is
written (file:line:col and key path) with a fix, before anything could render it; real-world
values (plus addressing, O'Brien, punycode, IPv6, Postfix's [host]:port) still pass."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mailoauth_cfg.loading import load_config
from mailoauth_cfg.model.building import build_config
from tests.conftest import Writer

BASE = """\
version: 1
providers:
  contoso:
    type: microsoft
    tenant: 6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d
apps:
  erp-mail:
    provider: contoso
    client_id: 1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b
users:
  - email: erp@contoso.com
    provider: contoso
targets:
  relay:
    type: TYPE
    app: erp-mail
    users: [erp@contoso.com]
"""
LINE = {"users[0].email": 11, "targets.relay": 17}


def config(target_type: str, extra: dict[str, object], email: str = "erp@contoso.com") -> str:
    text = BASE.replace("TYPE", target_type).replace("erp@contoso.com", email)
    lines = [f"    {key}: {json.dumps(value)}" for key, value in extra.items()]
    return text + "".join(line + "\n" for line in lines)


def findings(write: Writer, root: Path, text: str) -> list[tuple[str, int, int, str, str]]:
    loaded = load_config(write(root, "c.yaml", text))
    assert loaded.findings == []
    built = build_config(loaded)
    return [
        (f.rule, f.location.line, f.location.column, f.location.path, f.message + " | " + f.fix)
        for f in built.findings
    ]


HOSTILE_EMAILS = [
    "a`touch${IFS}x`@contoso.com",
    "a$(id)@contoso.com",
    "../../x/evil@contoso.com",
    "a/b@contoso.com",
    "a..b@contoso.com",
    ".a@contoso.com",
    'a"b@contoso.com',
    "a;b@contoso.com",
    "a b@contoso.com",
    "a|b@contoso.com",
    "a\\b@contoso.com",
    "a%0ab@contoso.com",
    "a@contoso.com\n",
    "é@contoso.com",
]


@pytest.mark.parametrize("email", HOSTILE_EMAILS)
def test_a_hostile_mailbox_address_is_refused_where_it_is_written(
    write: Writer, workdir: Path, email: str
) -> None:
    found = findings(write, workdir, config("msmtp", {}, email=json.dumps(email)))
    at_user = [f for f in found if f[3] == "users[0].email"]
    assert at_user, found
    rule, line, column, _, text = at_user[0]
    assert rule == "schema-invalid-value"
    assert (line, column) == (11, 12)
    assert ("is not an e-mail address" in text and "write name@domain.tld" in text) or (
        "a control character" in text and "write one line of text" in text
    )
    assert any(f[3] == "targets.relay.users[0]" for f in found), "the target's list too"


@pytest.mark.parametrize(
    "email",
    ["o'brien@contoso.com", "jean.dupont+erp@contoso.com", "a_b-c@xn--bcher-kva.example"],
)
def test_real_mailbox_addresses_pass(write: Writer, workdir: Path, email: str) -> None:
    assert findings(write, workdir, config("msmtp", {}, email=email)) == []


@pytest.mark.parametrize(
    ("target_type", "key", "value", "expect"),
    [
        ("msmtp", "config_path", "/etc/x\nlogfile /tmp/y", "U+000A (line feed)"),
        ("msmtp", "token_dir", "/var/lib/\x00x", "U+0000"),
        ("msmtp", "logfile", "/var/log/\u202emsmtp", "U+202E"),
        ("msmtp", "command", "mailoauth-cfg 'unclosed", "a quote is not closed"),
        ("msmtp", "command", "", "is empty"),
        ("postfix-sasl-xoauth2", "postfix_dir", "/etc/\rpostfix", "U+000D"),
        ("postfix-sasl-xoauth2", "relay", "smtp.office365.com:587; rm -rf /", "host:port or URL"),
        ("postfix-sasl-xoauth2", "relay", "smtp.office365.com:99999", "port outside 1-65535"),
        ("email-oauth2-proxy", "local_address", "127.0.0.1 ; x", "not a host name or an IP"),
        ("email-oauth2-proxy", "redirect_uri", "http://localhost/a b", "U+0020 (space)"),
        ("email-oauth2-proxy", "redirect_uri", "/callback", "has no scheme"),
        ("glpi", "url", "https://glpi.contoso.com/`id`", "U+0060"),
        ("glpi", "url", "https://user:pw@glpi.contoso.com", "credentials never go in a URL"),
        ("glpi", "url", "javascript:alert(1)", "not an http(s) URL"),
        ("glpi", "url", "https://glpi.contoso.com/%zz", "two hexadecimal digits"),
        ("openbee", "redirect_path", "/cb?x=1", "not a plain URL path"),
        ("openbee", "redirect_path", "/../admin", "not a plain URL path"),
        ("odoo", "database", "acme\ndb", "U+000A"),
        ("odoo", "server_name", "OAuth\u2028mail", "U+2028"),
        ("wavesoft", "folder", "Dossier\tA", "U+0009 (tab)"),
        ("dolibarr", "label", "Emails\x1b[2J", "U+001B"),
        ("msmtp", "version", "1.8.22; rm -rf /", "is not a version (expected one word"),
        ("openbee", "version", "6.10\n3", "is not a version (expected one word"),
        ("digdash", "version", "R2025", "is not a version number (expected e.g. 2025R2)"),
        ("glpi", "version", "ten", "is not a version number (expected e.g. 23 or 1.8.22)"),
    ],
)
def test_a_malformed_value_is_refused_at_its_key_with_a_fix(
    write: Writer, workdir: Path, target_type: str, key: str, value: str, expect: str
) -> None:
    required = {
        "glpi": {"url": "https://glpi.contoso.com"},
        "openbee": {"url": "https://portal.contoso.com"},
        "odoo": {"url": "https://odoo.contoso.com", "version": "17", "database": "acme"},
        "dolibarr": {"url": "https://erp.contoso.com", "version": "23"},
        "digdash": {"url": "https://bi.contoso.com"},
    }.get(target_type, {})
    found = findings(write, workdir, config(target_type, {**required, key: value}))
    at_key = [f for f in found if f[3] == f"targets.relay.{key}"]
    assert len(at_key) == 1, found
    rule, line, column, _, text = at_key[0]
    assert rule == "schema-invalid-value"
    assert line >= 18
    assert column == 5 + len(key) + 2
    assert expect in text
    assert " | write " in text or " | rename" in text or " | correct" in text


@pytest.mark.parametrize(
    ("target_type", "key", "value"),
    [
        ("postfix-sasl-xoauth2", "relay", "[smtp-hve.office365.com]:587"),
        ("postfix-sasl-xoauth2", "relay", "[2001:db8::25]:587"),
        ("email-oauth2-proxy", "local_address", "::"),
        ("email-oauth2-proxy", "redirect_uri", "http://localhost:8080"),
        ("msmtp", "command", "/opt/venv/bin/python -m mailoauth_cfg"),
        ("msmtp", "config_path", "/etc/mailoauth cfg/mail'oauth.yaml"),
        ("odoo", "server_name", "Serveur d'envoi (O'Hara & fils) 100 %"),
        # each kind's version in its vendor's own format
        ("digdash", "version", "2025R2"),
        ("msmtp", "version", "v1.8.22"),
        ("openbee", "version", "6.10.3"),
        ("glpi", "version", "10.0.6"),
        ("odoo", "version", 17),
    ],
)
def test_real_values_pass(
    write: Writer, workdir: Path, target_type: str, key: str, value: object
) -> None:
    required = {
        "odoo": {"url": "https://odoo.contoso.com", "version": "17", "database": "a"},
        "digdash": {"url": "https://bi.contoso.com"},
        "openbee": {"url": "https://portal.contoso.com"},
        "glpi": {"url": "https://glpi.contoso.com"},
    }
    text = config(target_type, {**required.get(target_type, {}), key: value})
    assert findings(write, workdir, text) == []


def test_object_names_follow_the_documented_pattern(write: Writer, workdir: Path) -> None:
    text = BASE.replace("TYPE", "msmtp").replace("  relay:\n", "  ../relay:\n")
    found = findings(write, workdir, text)
    assert [(f[0], f[1], f[3]) for f in found] == [
        ("schema-invalid-value", 14, 'targets["../relay"]')
    ], found
    assert "letters, digits, '_', '.', '-'" in found[0][4]

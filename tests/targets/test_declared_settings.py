"""Declared settings: each kind lists what its application holds, the YAML accepts exactly those,
and a declared value is rendered as declared.

A kind's facts name each setting the application holds with the application's own name for it
(``TargetFacts.holds``); its model has one optional key per setting (``accounts.<key>`` for the
per-mailbox ones). Declared, the value is checked by the rules and written as declared; omitted,
it is derived (the golden files hold the derived renders).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from mailoauth_cfg import targets as registry
from mailoauth_cfg.findings import Severity
from mailoauth_cfg.targets._model import DECLARED_SETTINGS
from mailoauth_cfg.validation import validate_file
from tests.rendering.support import render_config

TENANT = "6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d"
AUTHORIZE = f"https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/authorize"
TOKEN = f"https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/token"


@pytest.mark.parametrize("key", registry.kind_keys())
def test_the_model_holds_exactly_what_the_facts_list(key: str) -> None:
    plugin = registry.plugin(key)
    holds = dict(plugin.facts.holds)
    fields = set(plugin.model.model_fields)
    declared = {f for f in fields if f in DECLARED_SETTINGS}
    expected = {k.split(".", 1)[0] for k in holds}
    assert declared == expected, f"{key}: model {sorted(declared)} vs facts {sorted(expected)}"
    if "accounts" in declared:
        annotation = plugin.model.model_fields["accounts"].annotation
        account_model = next(
            a for a in getattr(annotation, "__args__", ()) if hasattr(a, "__args__")
        ).__args__[1]
        per_mailbox = {k.split(".", 1)[1] for k in holds if k.startswith("accounts.")}
        assert set(account_model.model_fields) == per_mailbox, key
    for name in holds.values():
        assert name.strip(), f"{key}: a held setting needs the application's own name"


HEAD = f"""\
version: 1
providers:
  contoso: {{type: microsoft, tenant: {TENANT}}}
apps:
  web:
    provider: contoso
    client_id: 1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b
    client_secret: {{env: KIND_SECRET, created: 2026-05-01, expires: 2028-05-01}}
  pub:
    provider: contoso
    client_id: 5e8f0a12-3b4c-4d5e-8f9a-0b1c2d3e4f5a
users:
  - {{email: mail@contoso.com, provider: contoso}}
  - {{email: shared@contoso.com, provider: contoso, mailbox: shared}}
targets:
"""

#: Per kind: its target with every setting it holds declared, and what the render must show.
DECLARED: dict[str, tuple[str, list[str]]] = {
    "dolibarr": (
        """\
    url: https://erp.contoso.com
    version: 23
    app: web
    users: [mail@contoso.com]
    scopes: [offline_access, "https://outlook.office.com/SMTP.Send"]
    tenant: TENANTID
    accounts: {mail@contoso.com: {login: mail@contoso.com, sign_in_as: mail@contoso.com}}
""",
        ["offline_access,https://outlook.office.com/SMTP.Send", TENANT],
    ),
    "dolibarr-multismtp": (
        """\
    url: https://erp.contoso.com
    version: 23
    app: web
    users: [mail@contoso.com]
    user_ids: {mail@contoso.com: 4}
    tenant: TENANTID
    accounts:
      mail@contoso.com:
        entry: MailBox365
        scopes: [offline_access, "https://outlook.office.com/SMTP.Send"]
        login: mail@contoso.com
        sign_in_as: mail@contoso.com
""",
        ["MICROSOFT3-MailBox365", "offline_access,https://outlook.office.com/SMTP.Send"],
    ),
    "digdash": (
        """\
    url: https://bi.contoso.com
    app: web
    users: [mail@contoso.com]
    tenant: TENANTID
    redirect_uri: https://bi.contoso.com:8443/ddenterpriseapi/v2/oauth/redirect
""",
        ["https://bi.contoso.com:8443/ddenterpriseapi/v2/oauth/redirect", TENANT],
    ),
    "wavesoft": (
        f"""\
    app: web
    users: [mail@contoso.com]
    protocols: [imap]
    authorize_endpoint: {AUTHORIZE}
    token_endpoint: {TOKEN}
""",
        [AUTHORIZE, TOKEN],
    ),
    "openbee": (
        """\
    url: https://contoso.openbeecloud.com
    redirect_path: /oauth2/callback
    app: web
    users: [mail@contoso.com]
    tenant: TENANTID
    secret_expiry: 2028-05-01
""",
        ["2028-05-01", TENANT],
    ),
    "postfix-sasl-xoauth2": (
        f"""\
    app: pub
    users: [mail@contoso.com]
    tenant: TENANTID
    token_endpoint: {TOKEN}
    scopes: [openid, offline_access, "https://outlook.office.com/SMTP.Send"]
    token_helper: {{type: sasl-xoauth2-tool}}
    sasl_mechanism: xoauth2
    accounts: {{mail@contoso.com: {{login: mail@contoso.com, sign_in_as: mail@contoso.com}}}}
""",
        [TOKEN, "smtp_sasl_mechanism_filter = xoauth2"],
    ),
    "msmtp": (
        f"""\
    app: pub
    users: [mail@contoso.com]
    sasl_mechanism: xoauth2
    token_helper: {{type: command, command: "/opt/bin/get-token mail"}}
    scopes: [offline_access, "https://outlook.office.com/SMTP.Send"]
    tenant: TENANTID
    authorize_endpoint: {AUTHORIZE}
    token_endpoint: {TOKEN}
    redirect_uri: http://localhost:8400/
    accounts: {{mail@contoso.com: {{login: mail@contoso.com, sign_in_as: mail@contoso.com}}}}
""",
        ['passwordeval "/opt/bin/get-token mail"', "auth xoauth2"],
    ),
    "email-oauth2-proxy": (
        f"""\
    app: pub
    users: [shared@contoso.com]
    scopes: [offline_access, "https://outlook.office.com/SMTP.Send"]
    authorize_endpoint: {AUTHORIZE}
    token_endpoint: {TOKEN}
    redirect_uri: http://localhost:8400
    accounts:
      shared@contoso.com:
        login: shared@contoso.com
        sign_in_as: mail@contoso.com
        scopes: [offline_access, "https://outlook.office365.com/SMTP.Send"]
""",
        [
            "[shared@contoso.com]",
            f"permission_url = {AUTHORIZE}",
            f"token_url = {TOKEN}",
            "oauth2_scope = offline_access https://outlook.office365.com/SMTP.Send",
            "redirect_uri = http://localhost:8400",
            "Sign in as `mail@contoso.com`",
        ],
    ),
    "glpi": (
        """\
    url: https://support.contoso.com
    app: web
    users: [mail@contoso.com]
    tenant: TENANTID
    accounts: {mail@contoso.com: {login: mail@contoso.com, sign_in_as: mail@contoso.com}}
""",
        [f'{{"tenant": "{TENANT}"}}'],
    ),
    "odoo": (
        f"""\
    url: https://odoo.contoso.com
    version: 17
    database: contoso
    app: web
    users: [mail@contoso.com]
    authority: https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/
""",
        [f"https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/"],
    ),
    "nextcloud-mail": (
        """\
    url: https://cloud.contoso.com
    app: web
    users: [mail@contoso.com]
    tenant: TENANTID
""",
        [TENANT],
    ),
}


def test_every_kind_that_holds_settings_has_a_declared_case() -> None:
    holding = {p.key for p in registry.plugins() if p.facts.holds}
    assert holding == set(DECLARED)


@pytest.mark.parametrize("key", sorted(DECLARED))
def test_declared_settings_validate_and_render_as_declared(key: str, tmp_path: Path) -> None:
    body, shown = DECLARED[key]
    config = tmp_path / "mailoauth.yaml"
    config.write_text(
        HEAD + f"  t:\n    type: {key}\n" + body.replace("TENANTID", TENANT), encoding="utf-8"
    )
    result = validate_file(config, as_of=dt.date(2026, 11, 22))
    loud = [f for f in result.findings if f.severity > Severity.INFO]
    assert not loud, [f"{f.rule}: {f.message}" for f in loud]
    rendered = render_config(config, {"KIND_SECRET": "CANARY-declared-1"})
    assert not rendered.findings, [f.message for f in rendered.findings]
    text = "\n".join(f.content.decode("utf-8") for f in rendered.files)
    for value in shown:
        assert value in text, f"{key}: {value!r} is not rendered"


@pytest.mark.parametrize("key", sorted(DECLARED))
def test_a_setting_the_application_does_not_hold_is_refused(key: str, tmp_path: Path) -> None:
    plugin = registry.plugin(key)
    absent = sorted(set(DECLARED_SETTINGS) - set(plugin.model.model_fields))
    if not absent:
        return
    body, _ = DECLARED[key]
    config = tmp_path / "mailoauth.yaml"
    config.write_text(
        HEAD
        + f"  t:\n    type: {key}\n"
        + body.replace("TENANTID", TENANT)
        + f"    {absent[0]}: x\n",
        encoding="utf-8",
    )
    result = validate_file(config, as_of=dt.date(2026, 11, 22))
    assert "schema-unknown-key" in {f.rule for f in result.findings}

"""``validate --fix``: machine-applicable fixes written into the config, the rest of the text
as it was (comments, alignment, flow mappings), in the file that holds each key."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner, Result

from mailoauth_cfg.cli import app
from mailoauth_cfg.fixing import keep_layout

AS_OF = "2026-11-22"

CONFIG = """\
# mail of the ERP
version: 1
providers:
  contoso: {type: microsoft, tenant: 6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d}
  acme:    {type: google, domain: acme.example,
            consent_screen: {audience: internal, status: production}}

apps:
  erp-mail:
    provider: contoso
    client_id: 1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b   # "Application (client) ID"
    client_secret: {env: ERP_MAIL_SECRET, expires: 2027-05-31}
    platfrom: web
    permissions: [offline_access, SMTP.Send, IMAP.AccessAsUser.All]
    admin_consent: true

users:
  - {email: erp@contoso.com, provider: contoso, smtp_auth: enabled}

targets:
  erp: {type: dolibarr, url: https://erp.contoso.com, version: "23", app: erp-mail,
        users: [erp@contoso.com], protocols: [smtp]}
"""


def validate(*args: str) -> Result:
    result = CliRunner().invoke(app, ["validate", "--as-of", AS_OF, *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def test_a_misspelt_key_is_renamed_in_place_and_nothing_else_moves(tmp_path: Path) -> None:
    config = tmp_path / "mailoauth.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    assert validate(str(config)).exit_code == 1
    result = validate(str(config), "--fix")
    assert result.exit_code == 0, result.output
    assert "1 finding(s) fixed" in result.output
    assert config.read_text(encoding="utf-8") == CONFIG.replace("platfrom:", "platform:")


def test_both_spellings_written_is_left_to_a_person(tmp_path: Path) -> None:
    config = tmp_path / "mailoauth.yaml"
    text = CONFIG.replace("    platfrom: web\n", "    platform: web\n    platfrom: web\n")
    config.write_text(text, encoding="utf-8")
    result = validate(str(config), "--fix")
    assert result.exit_code == 1
    assert "schema-unknown-key" in result.output
    assert config.read_text(encoding="utf-8") == text


def test_a_fix_lands_in_the_included_file_that_holds_the_key(tmp_path: Path) -> None:
    main = CONFIG.replace("    platfrom: web\n", "    platform: web\n")
    main = main.split("targets:\n")[0] + "include: [targets.yaml]\n"
    (tmp_path / "mailoauth.yaml").write_text(main, encoding="utf-8")
    included = (
        "targets:\n"
        "  relay:   # the backup host\n"
        "    type: msmtp\n"
        "    app: erp-mail\n"
        "    users: [erp@contoso.com]\n"
        "    sasl_mechanism: oauthbearer\n"
    )
    (tmp_path / "targets.yaml").write_text(included, encoding="utf-8")
    before = validate(str(tmp_path / "mailoauth.yaml"))
    assert "target-sasl-mechanism" in before.output, before.output
    validate(str(tmp_path / "mailoauth.yaml"), "--fix")
    assert (tmp_path / "mailoauth.yaml").read_text(encoding="utf-8") == main
    assert (tmp_path / "targets.yaml").read_text(encoding="utf-8") == included.replace(
        "oauthbearer", "xoauth2"
    )


def test_layout_is_restored_only_where_the_meaning_is_unchanged() -> None:
    original = "a: {x: 1,\n    y: 2}\nb:   [1, 2]  # two\nc: 3\n"
    rewritten = "a: {x: 1, y: 2}\nb: [1, 2]\nc: 4\n"
    assert keep_layout(original, rewritten) == "a: {x: 1,\n    y: 2}\nb:   [1, 2]  # two\nc: 4\n"

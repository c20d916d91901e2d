"""build_config: schema errors and dangling references become located, explained findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.loading import load_config
from mailoauth_cfg.model.building import BuildResult, build_config
from tests.conftest import MINIMAL_CONFIG, Writer

# MINIMAL_CONFIG, by line:
#  1 version: 1                 8     provider: contoso        15   erp:
#  2 providers:                 9     client_id: 1f0e...       16     type: dolibarr
#  3   contoso:                10 users:                       17     url: https://erp...
#  4     type: microsoft       11   - email: erp@contoso.com   18     version: "23"
#  5     tenant: 6d0c4d43-...  12     provider: contoso        19     app: erp-mail
#  6 apps:                     13     aliases: [factures@...]  20     users: [erp@contoso.com]
#  7   erp-mail:               14 targets:


def edit(old: str, new: str, text: str = MINIMAL_CONFIG) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def build(write: Writer, root: Path, text: str) -> BuildResult:
    loaded = load_config(write(root, "c.yaml", text))
    assert loaded.findings == []
    return build_config(loaded)


def only(result: BuildResult, rule: str) -> Finding:
    """The one finding of ``rule``; a mailbox left out for its schema error may also leave a
    target's reference to it dangling (reported as such), nothing else."""
    mine = [f for f in result.findings if f.rule == rule]
    others = [f for f in result.findings if f.rule != rule]
    assert len(mine) == 1, result.findings
    assert all(f.rule == "unknown-reference" for f in others), result.findings
    return mine[0]


def where(finding: Finding) -> tuple[str, int, int, str]:
    loc = finding.location
    return (loc.file, loc.line, loc.column, loc.path)


def test_minimal_config_builds_without_findings(write: Writer, workdir: Path) -> None:
    result = build(write, workdir, MINIMAL_CONFIG)
    assert result.findings == []
    assert result.config is not None
    assert result.config.object_count() == 4
    assert result.config.providers["contoso"].tenant == "6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d"


# --- schema ----------------------------------------------------------------------------------


def test_unknown_key_suggests_the_close_one_at_the_key(write: Writer, workdir: Path) -> None:
    text = edit("    client_id:", "    platfrom: web\n    client_id:")
    result = build(write, workdir, text)
    finding = only(result, "schema-unknown-key")
    assert where(finding) == ("c.yaml", 9, 5, "apps.erp-mail.platfrom")
    assert "unknown key 'platfrom' (did you mean 'platform'?)" in finding.message
    assert "allowed here: admin_consent, audience," in finding.message
    assert finding.fix == "rename it to 'platform'"
    assert finding.object_name == "app:erp-mail"
    # The app is left out; the rest is built and checked.
    assert result.config is not None
    assert "erp-mail" not in result.config.apps
    assert result.dropped == 1
    assert set(result.config.targets) == {"erp"}


def test_unknown_key_in_a_target_uses_the_fields_of_its_type(write: Writer, workdir: Path) -> None:
    text = edit("    type: dolibarr\n", "    type: dolibarr\n    labell: Emails\n")
    finding = only(build(write, workdir, text), "schema-unknown-key")
    assert where(finding) == ("c.yaml", 17, 5, "targets.erp.labell")
    assert "(did you mean 'label'?)" in finding.message
    assert "oauth_provider" in finding.message  # a dolibarr-only field is listed


def test_unknown_top_level_key_without_a_close_match(write: Writer, workdir: Path) -> None:
    finding = only(build(write, workdir, MINIMAL_CONFIG + "bogus_key: 1\n"), "schema-unknown-key")
    assert where(finding) == ("c.yaml", 21, 1, "bogus_key")
    assert "did you mean" not in finding.message
    assert finding.fix == "remove 'bogus_key'"


def test_wrong_enum_value_lists_the_allowed_ones(write: Writer, workdir: Path) -> None:
    text = edit("    tenant:", "    cloud: gloabl\n    tenant:")
    finding = only(build(write, workdir, text), "schema-invalid-value")
    assert where(finding) == ("c.yaml", 5, 12, "providers.contoso.cloud")
    assert "'gloabl' is not allowed (did you mean 'global'?)" in finding.message
    assert "expected one of: 'global', 'usgov', 'usgov-dod', 'china'" in finding.message
    assert finding.object_name == "provider:contoso"


@pytest.mark.parametrize(
    "tenant",
    ["6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6", "6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6g", "not a tenant"],
)
def test_malformed_tenant_is_reported_at_the_value(
    write: Writer, workdir: Path, tenant: str
) -> None:
    text = edit("6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d", tenant)
    finding = only(build(write, workdir, text), "schema-invalid-value")
    assert where(finding) == ("c.yaml", 5, 13, "providers.contoso.tenant")
    assert f"{tenant!r} is not a tenant" in finding.message
    assert "GUID" in finding.fix


def test_malformed_guid_is_reported_at_the_value(write: Writer, workdir: Path) -> None:
    text = edit(
        "    client_id:", "    client_secret: {env: ERP_SECRET, key_id: not-a-guid}\n    client_id:"
    )
    finding = only(build(write, workdir, text), "schema-invalid-value")
    assert where(finding) == ("c.yaml", 9, 46, "apps.erp-mail.client_secret.key_id")
    assert "is not a GUID" in finding.message


@pytest.mark.parametrize("email", ["erp(at)contoso.com", "erp@contoso", "erp@@contoso.com"])
def test_malformed_user_email_is_reported_at_the_value(
    write: Writer, workdir: Path, email: str
) -> None:
    text = edit("  - email: erp@contoso.com", f"  - email: {email}")
    finding = only(build(write, workdir, text), "schema-invalid-value")
    assert where(finding) == ("c.yaml", 11, 12, "users[0].email")
    assert f"{email!r} is not an e-mail address" in finding.message
    assert finding.fix == "write name@domain.tld"
    assert finding.object_name == "user:#0"


def test_malformed_email_in_a_target_is_reported_at_the_list_item(
    write: Writer, workdir: Path
) -> None:
    text = edit("users: [erp@contoso.com]", "users: [erp@contoso.com, erp.contoso.com]")
    finding = only(build(write, workdir, text), "schema-invalid-value")
    assert where(finding) == ("c.yaml", 20, 30, "targets.erp.users[1]")


def test_date_in_wrong_format_asks_for_iso_dates(write: Writer, workdir: Path) -> None:
    text = edit(
        "    client_id:",
        "    client_secret: {env: ERP_SECRET, expires: 31/12/2026}\n    client_id:",
    )
    finding = only(build(write, workdir, text), "schema-invalid-value")
    assert where(finding) == ("c.yaml", 9, 47, "apps.erp-mail.client_secret.expires")
    assert "'31/12/2026' is not a date; expected YYYY-MM-DD" in finding.message


def test_list_where_a_mapping_is_expected(write: Writer, workdir: Path) -> None:
    text = edit("    client_id:", "    client_secret: [ERP_SECRET]\n    client_id:")
    finding = only(build(write, workdir, text), "schema-wrong-type")
    assert where(finding) == ("c.yaml", 9, 20, "apps.erp-mail.client_secret")
    assert "expected a mapping (key: value pairs)" in finding.message
    assert "got a list" in finding.message


def test_list_of_providers_instead_of_a_mapping(write: Writer, workdir: Path) -> None:
    finding = only(
        build(write, workdir, "version: 1\nproviders:\n  - contoso\n"), "schema-wrong-type"
    )
    assert where(finding) == ("c.yaml", 3, 3, "providers")


def test_mapping_where_a_list_is_expected(write: Writer, workdir: Path) -> None:
    text = "version: 1\nusers:\n  email: a@contoso.com\n"
    finding = only(build(write, workdir, text), "schema-wrong-type")
    assert where(finding) == ("c.yaml", 3, 3, "users")
    assert "expected a list at users, got a mapping" in finding.message


def test_text_where_a_number_is_expected(write: Writer, workdir: Path) -> None:
    text = edit('    version: "23"\n', '    version: "23"\n    entity: first\n')
    finding = only(build(write, workdir, text), "schema-wrong-type")
    assert where(finding) == ("c.yaml", 19, 13, "targets.erp.entity")
    assert "expected a whole number" in finding.message


def test_missing_required_key_is_located_at_the_parent_key(write: Writer, workdir: Path) -> None:
    text = edit("    client_id: 1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b\n", "")
    finding = only(build(write, workdir, text), "schema-missing-key")
    assert where(finding) == ("c.yaml", 7, 3, "apps.erp-mail")
    assert finding.message == "missing required key 'client_id' in apps.erp-mail"
    assert finding.fix == "add `client_id:` to apps.erp-mail"


def test_every_missing_key_of_an_object_is_reported(write: Writer, workdir: Path) -> None:
    text = "version: 1\ntargets:\n  books:\n    type: odoo\n    version: 17\n"
    result = build(write, workdir, text)
    assert sorted(f.message for f in result.findings) == [
        "missing required key 'database' in targets.books",
        "missing required key 'url' in targets.books",
    ]
    assert {where(f) for f in result.findings} == {("c.yaml", 3, 3, "targets.books")}


def test_missing_key_in_a_list_item_is_located_at_the_item(write: Writer, workdir: Path) -> None:
    text = edit("    provider: contoso\n    aliases:", "    aliases:")
    finding = only(build(write, workdir, text), "schema-missing-key")
    assert where(finding) == ("c.yaml", 11, 5, "users[0]")
    assert finding.message == "missing required key 'provider' in users[0]"


def test_missing_version_is_located_at_the_top(write: Writer, workdir: Path) -> None:
    text = edit("version: 1\n", "")
    finding = only(build(write, workdir, text), "schema-missing-key")
    assert where(finding) == ("c.yaml", 1, 1, "")
    assert "'version'" in finding.message


def test_unsupported_version_is_refused(write: Writer, workdir: Path) -> None:
    finding = only(build(write, workdir, edit("version: 1", "version: 2")), "schema-invalid-value")
    assert where(finding) == ("c.yaml", 1, 10, "version")
    assert "expected one of: 1" in finding.message


def test_missing_type_is_located_at_the_object_key(write: Writer, workdir: Path) -> None:
    finding = only(build(write, workdir, edit("    type: microsoft\n", "")), "schema-missing-key")
    assert where(finding) == ("c.yaml", 3, 3, "providers.contoso")
    assert finding.message == "missing key 'type' in providers.contoso"


def test_unknown_target_type_suggests_the_close_one(write: Writer, workdir: Path) -> None:
    finding = only(
        build(write, workdir, edit("type: dolibarr", "type: dolibar")), "schema-invalid-value"
    )
    assert where(finding) == ("c.yaml", 16, 11, "targets.erp.type")
    assert "unknown type 'dolibar' (did you mean 'dolibarr'?)" in finding.message
    assert "dolibarr-multismtp" in finding.message
    assert "nextcloud-mail" in finding.message
    assert finding.object_name == "target:erp"


def test_unknown_provider_type_suggests_the_close_one(write: Writer, workdir: Path) -> None:
    finding = only(
        build(write, workdir, edit("type: microsoft", "type: Microsoft")), "schema-invalid-value"
    )
    assert where(finding) == ("c.yaml", 4, 11, "providers.contoso.type")
    assert "(did you mean 'microsoft'?); expected one of: microsoft, google" in finding.message


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("'erp mail!'", 'apps["erp mail!"]'),
        ("_erp", "apps._erp"),
        ("a" * 64, "apps." + "a" * 64),
    ],
    ids=["space", "leading-underscore", "too-long"],
)
def test_invalid_object_name_is_reported_at_the_name(
    write: Writer, workdir: Path, name: str, path: str
) -> None:
    finding = only(
        build(write, workdir, edit("  erp-mail:\n", f"  {name}:\n")), "schema-invalid-value"
    )
    assert where(finding) == ("c.yaml", 7, 3, path)
    assert "is not a valid name" in finding.message


def test_secret_reference_with_two_sources_is_refused(write: Writer, workdir: Path) -> None:
    text = edit(
        "    client_id:", "    client_secret: {env: ERP_SECRET, file: /run/s}\n    client_id:"
    )
    finding = only(build(write, workdir, text), "schema-invalid-value")
    assert where(finding) == ("c.yaml", 9, 20, "apps.erp-mail.client_secret")
    assert "exactly one of `env`, `file` or `value` (got env, file)" in finding.message


def test_schema_error_in_an_included_file_is_located_there(write: Writer, workdir: Path) -> None:
    write(
        workdir,
        "more/users.yaml",
        "users:\n  - email: b@contoso.com\n    provider: contoso\n"
        "  - email: not-an-address\n    provider: contoso\n",
    )
    text = edit("users:\n", "include: [more/*.yaml]\nusers:\n")
    finding = only(build(write, workdir, text), "schema-invalid-value")
    # the main file holds users[0]; the included file users[1] and users[2]
    assert where(finding) == ("more/users.yaml", 4, 12, "users[2].email")
    assert finding.object_name == "user:#2"


def test_merge_keys_build_into_the_model(write: Writer, workdir: Path) -> None:
    text = edit(
        "users:\n  - email: erp@contoso.com\n    provider: contoso\n",
        "users:\n  - &mailbox\n    email: erp@contoso.com\n    provider: contoso\n"
        "    smtp_auth: enabled\n  - <<: *mailbox\n    email: sales@contoso.com\n",
    )
    result = build(write, workdir, text)
    assert result.findings == []
    assert result.config is not None
    sales = result.config.user("sales@contoso.com")
    assert sales is not None
    assert (sales.provider, sales.smtp_auth, sales.aliases) == (
        "contoso",
        "enabled",
        ["factures@contoso.com"],
    )


# --- references ------------------------------------------------------------------------------


def test_app_with_undeclared_provider_suggests_the_declared_one(
    write: Writer, workdir: Path
) -> None:
    text = edit("    provider: contoso\n    client_id", "    provider: contosoo\n    client_id")
    result = build(write, workdir, text)
    finding = only(result, "unknown-reference")
    assert where(finding) == ("c.yaml", 8, 15, "apps.erp-mail.provider")
    assert finding.message == (
        "provider 'contosoo' is not declared (did you mean 'contoso'?); declared: contoso"
    )
    assert finding.fix == "use 'contoso'"
    assert finding.object_name == "app:erp-mail"
    assert finding.severity is Severity.ERROR
    assert result.config is not None  # the model is valid; only the reference dangles


def test_user_with_undeclared_provider_is_reported(write: Writer, workdir: Path) -> None:
    text = edit("    provider: contoso\n    aliases", "    provider: fabrikam\n    aliases")
    finding = only(build(write, workdir, text), "unknown-reference")
    assert where(finding) == ("c.yaml", 12, 15, "users[0].provider")
    assert "did you mean" not in finding.message
    assert finding.fix == "declare provider 'fabrikam' or correct the name"
    assert finding.object_name == "user:erp@contoso.com"


def test_target_with_undeclared_app_suggests_the_declared_one(write: Writer, workdir: Path) -> None:
    finding = only(
        build(write, workdir, edit("app: erp-mail", "app: erp-mial")), "unknown-reference"
    )
    assert where(finding) == ("c.yaml", 19, 10, "targets.erp.app")
    assert "app 'erp-mial' is not declared (did you mean 'erp-mail'?)" in finding.message
    assert finding.object_name == "target:erp"


def test_target_with_undeclared_user_suggests_the_declared_one(
    write: Writer, workdir: Path
) -> None:
    text = edit("users: [erp@contoso.com]", "users: [erp@contoso.com, erp@contoso.co]")
    finding = only(build(write, workdir, text), "unknown-reference")
    assert where(finding) == ("c.yaml", 20, 30, "targets.erp.users[1]")
    assert "user 'erp@contoso.co' is not declared (did you mean 'erp@contoso.com'?)" in (
        finding.message
    )


def test_target_users_match_declared_users_case_insensitively(write: Writer, workdir: Path) -> None:
    result = build(write, workdir, edit("users: [erp@contoso.com]", "users: [ERP@Contoso.com]"))
    assert result.findings == []


def test_target_using_an_alias_asks_for_the_primary_address(write: Writer, workdir: Path) -> None:
    text = edit("users: [erp@contoso.com]", "users: [factures@contoso.com]")
    finding = only(build(write, workdir, text), "user-alias-not-primary")
    assert where(finding) == ("c.yaml", 20, 13, "targets.erp.users[0]")
    assert finding.message.startswith("factures@contoso.com is an alias of erp@contoso.com")
    assert finding.fix == "replace it with erp@contoso.com"


def test_mailbox_declared_twice_points_at_both(write: Writer, workdir: Path) -> None:
    text = edit("targets:\n", "  - email: ERP@contoso.com\n    provider: contoso\ntargets:\n")
    finding = only(build(write, workdir, text), "duplicate-user")
    assert where(finding) == ("c.yaml", 14, 12, "users[1].email")
    assert [(r.file, r.line, r.column, r.path) for r in finding.related] == [
        ("c.yaml", 11, 12, "users[0].email")
    ]
    assert "(first at c.yaml:11:12)" in finding.message


def test_mailbox_declared_in_two_files_points_at_both(write: Writer, workdir: Path) -> None:
    write(workdir, "more.yaml", "users:\n  - email: erp@contoso.com\n    provider: contoso\n")
    text = edit("users:\n", "include: [more.yaml]\nusers:\n")
    finding = only(build(write, workdir, text), "duplicate-user")
    assert where(finding) == ("more.yaml", 2, 12, "users[1].email")
    assert [(r.file, r.line, r.column) for r in finding.related] == [("c.yaml", 12, 12)]


def test_user_id_for_a_mailbox_the_target_does_not_use(write: Writer, workdir: Path) -> None:
    text = edit(
        "    type: dolibarr\n",
        "    type: dolibarr-multismtp\n    user_ids: {erp@contoso.com: 3, jean@contoso.com: 4}\n",
    )
    finding = only(build(write, workdir, text), "unknown-reference")
    assert where(finding) == ("c.yaml", 17, 36, 'targets.erp.user_ids["jean@contoso.com"]')
    assert "target user 'jean@contoso.com' is not declared" in finding.message


def test_a_schema_error_stops_only_its_object(write: Writer, workdir: Path) -> None:
    text = edit("    client_id:", "    platfrom: web\n    client_id:")
    text = edit(
        "  - email: erp@contoso.com\n",
        "  - email: not-an-address\n    provider: contoso\n  - email: erp@contoso.com\n",
        text,
    )
    result = build(write, workdir, text)
    assert {f.rule for f in result.findings} == {"schema-unknown-key", "schema-invalid-value"}
    assert result.config is not None
    assert result.dropped == 2
    assert [u.email for u in result.config.users] == ["erp@contoso.com"]
    # Marks follow the mailboxes that remain: erp@contoso.com is users[0] now, on its own line.
    assert result.marks is not None
    assert result.marks.location(("users", 0, "email")).line == 14


def test_an_error_outside_any_object_rejects_the_document(write: Writer, workdir: Path) -> None:
    result = build(write, workdir, edit("version: 1", "version: 2"))
    assert result.config is None

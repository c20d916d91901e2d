"""The YAML loader: every bad input becomes one located finding, never an exception."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailoauth_cfg.errors import ConfigError
from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.loading import MAX_DEPTH, LoadResult, Mark, load_config
from tests.conftest import Writer


def only(result: LoadResult, rule: str) -> Finding:
    """The single finding of ``result``, which must have ``rule``."""
    assert [f.rule for f in result.findings] == [rule], result.findings
    return result.findings[0]


def where(finding: Finding) -> tuple[str, int, int, str]:
    loc = finding.location
    return (loc.file, loc.line, loc.column, loc.path)


def load_text(write: Writer, root: Path, text: str | bytes, name: str = "c.yaml") -> LoadResult:
    return load_config(write(root, name, text))


# --- encoding and syntax ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("version: 1\nproviders:\n\tcontoso: {}\n", 3, 1),
        ("version: 1\nproviders:\n  contoso:\n  \ttype: microsoft\n", 4, 3),
        ("version: 1\nusers:\n  - a\n\t- b\n", 4, 1),
    ],
)
def test_tab_indentation_is_reported_at_the_tab(
    write: Writer, workdir: Path, text: str, line: int, column: int
) -> None:
    finding = only(load_text(write, workdir, text), "yaml-syntax")
    assert where(finding) == ("c.yaml", line, column, "")
    assert finding.severity is Severity.ERROR
    assert "tab" in finding.message
    assert "spaces" in finding.fix


def test_tab_between_key_and_value_is_not_an_error(write: Writer, workdir: Path) -> None:
    result = load_text(write, workdir, "version:\t1\n")
    assert result.findings == []
    assert result.data == {"version": 1}


def test_latin1_byte_is_reported_at_its_line_and_column(write: Writer, workdir: Path) -> None:
    result = load_text(write, workdir, b"version: 1\n# owner\nname: caf\xe9\n")
    finding = only(result, "yaml-encoding")
    assert where(finding) == ("c.yaml", 3, 10, "")
    assert "0xe9" in finding.message
    assert "UTF-8" in finding.message
    assert result.data == {}


def test_invalid_byte_column_counts_characters_like_yaml_marks(
    write: Writer, workdir: Path
) -> None:
    # "naïve: caf" is 10 characters but 11 bytes: the bad byte is in column 11.
    text = "version: 1\n# owner\nnaïve: caf".encode() + b"\xe9\n"
    finding = only(load_text(write, workdir, text), "yaml-encoding")
    assert where(finding) == ("c.yaml", 3, 11, "")


def test_utf8_bom_is_accepted_and_does_not_shift_columns(write: Writer, workdir: Path) -> None:
    result = load_text(write, workdir, b"\xef\xbb\xbfversion: 1\nproviders: {}\n")
    assert result.findings == []
    assert result.data == {"version": 1, "providers": {}}
    assert result.marks.keys[("version",)] == Mark("c.yaml", 1, 1)
    assert result.marks.values[("version",)] == Mark("c.yaml", 1, 10)


@pytest.mark.parametrize(
    "text",
    ["", "\n\n   \n", "# only\n# comments\n", "---\n", "---\n# nothing\n...\n", "null\n"],
    ids=["empty", "blank", "comments", "document-start", "empty-document", "null"],
)
def test_empty_file_is_reported_at_line_1(write: Writer, workdir: Path, text: str) -> None:
    result = load_text(write, workdir, text)
    finding = only(result, "config-empty")
    assert where(finding) == ("c.yaml", 1, 1, "")
    assert finding.severity is Severity.ERROR
    assert not result.ok


@pytest.mark.parametrize(
    ("text", "line", "kind"),
    [
        ("- version: 1\n- providers: {}\n", 1, "a list"),
        ("# a comment first\n[a, b]\n", 2, "a list"),
        ("just some text\n", 1, "a single value"),
    ],
)
def test_top_level_that_is_not_a_mapping_is_reported(
    write: Writer, workdir: Path, text: str, line: int, kind: str
) -> None:
    finding = only(load_text(write, workdir, text), "config-not-mapping")
    assert where(finding) == ("c.yaml", line, 1, "")
    assert kind in finding.message


def test_duplicate_key_is_reported_at_the_second_with_the_first_related(
    write: Writer, workdir: Path
) -> None:
    text = "version: 1\nproviders:\n  a: {type: microsoft}\n  b: {}\n  a: {type: google}\n"
    finding = only(load_text(write, workdir, text), "yaml-duplicate-key")
    assert where(finding) == ("c.yaml", 5, 3, "providers.a")
    assert [(r.file, r.line, r.column) for r in finding.related] == [("c.yaml", 3, 3)]
    assert "line 3, column 3" in finding.message


def test_duplicate_top_level_key_is_reported(write: Writer, workdir: Path) -> None:
    finding = only(
        load_text(write, workdir, "version: 1\nusers: []\nversion: 1\n"), "yaml-duplicate-key"
    )
    assert where(finding) == ("c.yaml", 3, 1, "version")
    assert [(r.line, r.column) for r in finding.related] == [(1, 1)]


def test_quoted_and_plain_spellings_of_a_key_are_duplicates(write: Writer, workdir: Path) -> None:
    finding = only(load_text(write, workdir, 'version: 1\n"version": 1\n'), "yaml-duplicate-key")
    assert where(finding) == ("c.yaml", 2, 1, "version")


def test_duplicate_keys_are_found_with_crlf_line_endings(write: Writer, workdir: Path) -> None:
    text = b"version: 1\r\nproviders:\r\n  a: {}\r\n  a: {}\r\n"
    finding = only(load_text(write, workdir, text), "yaml-duplicate-key")
    assert where(finding) == ("c.yaml", 4, 3, "providers.a")


def test_nul_byte_is_reported_where_it_is(write: Writer, workdir: Path) -> None:
    finding = only(load_text(write, workdir, b"version: 1\nab\x00c: 1\n"), "yaml-encoding")
    assert where(finding) == ("c.yaml", 2, 3, "")
    assert "NUL" in finding.message


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ('version: 1\nname: "a\x07"\n', 2, 9),
        ('version: 1\nnaïve: "é\x1b"\n', 2, 10),
    ],
    ids=["ascii-before", "multibyte-before"],
)
def test_control_character_is_reported_at_the_character(
    write: Writer, workdir: Path, text: str, line: int, column: int
) -> None:
    finding = only(load_text(write, workdir, text), "yaml-syntax")
    assert where(finding) == ("c.yaml", line, column, "")
    assert "control characters" in finding.message
    assert "unicode string" not in finding.message


def test_unclosed_flow_sequence_is_a_located_syntax_error(write: Writer, workdir: Path) -> None:
    finding = only(load_text(write, workdir, "version: 1\nusers: [a, b\nother: 1\n"), "yaml-syntax")
    assert finding.location.file == "c.yaml"
    assert finding.location.line == 3
    assert finding.location.column >= 1
    assert finding.message.startswith("YAML syntax error: ")


def test_second_document_is_refused(write: Writer, workdir: Path) -> None:
    finding = only(load_text(write, workdir, "version: 1\n---\nversion: 1\n"), "yaml-syntax")
    assert where(finding) == ("c.yaml", 2, 1, "")
    assert "single document" in finding.message


def test_non_scalar_mapping_key_is_refused(write: Writer, workdir: Path) -> None:
    finding = only(load_text(write, workdir, "version: 1\n? [a, b]\n: 1\n"), "yaml-bad-key")
    assert where(finding) == ("c.yaml", 2, 3, "")


# --- hostile documents -----------------------------------------------------------------------


def _billion_laughs() -> str:
    lines = ["version: 1", 'lol0: &lol0 ["lol"]']
    for level in range(1, 10):
        refs = ", ".join([f"*lol{level - 1}"] * 10)
        lines.append(f"lol{level}: &lol{level} [{refs}]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_alias_bomb_is_refused(write: Writer, workdir: Path) -> None:
    result = load_text(write, workdir, _billion_laughs())  # 10**9 strings if expanded
    finding = only(result, "yaml-alias-bomb")
    assert finding.severity is Severity.ERROR
    assert finding.location.file == "c.yaml"
    assert 2 <= finding.location.line <= 11
    assert finding.location.path.startswith("lol")
    assert result.data == {}


def test_anchors_reused_many_times_are_not_an_alias_bomb(write: Writer, workdir: Path) -> None:
    users = "".join(f"  - {{<<: *d, email: u{i}@contoso.com}}\n" for i in range(500))
    text = "version: 1\ndefaults: &d {provider: contoso, protocols: [smtp, imap]}\nusers:\n"
    result = load_text(write, workdir, text + users)
    assert result.findings == []
    assert len(result.data["users"]) == 500
    assert result.data["users"][499] == {
        "email": "u499@contoso.com",
        "provider": "contoso",
        "protocols": ["smtp", "imap"],
    }


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("version: 1\nx: &a [*a]\n", "x[0]"),
        ("version: 1\nx: &a\n  y: *a\n", "x.y"),
        ("version: 1\nx: &a\n  <<: *a\n", "x"),
    ],
    ids=["sequence", "mapping", "merge"],
)
def test_recursive_alias_is_refused(write: Writer, workdir: Path, text: str, path: str) -> None:
    finding = only(load_text(write, workdir, text), "yaml-recursive-alias")
    # located at the anchored node the alias points back to
    assert where(finding) == ("c.yaml", 2, 4, path)


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        ("!!python/object:os.system {}", "python/object:os.system"),
        ("!!python/object/apply:os.system [echo]", "python/object/apply:os.system"),
        ("!!python/name:os.system ''", "python/name:os.system"),
        ("!foo bar", "'!foo'"),
        ("!foo {a: 1}", "'!foo'"),
        ("!!binary aGVsbG8=", "binary"),
        ("!!set {a, b}", "set"),
        ("!!omap [a: 1]", "omap"),
    ],
)
def test_unknown_tag_is_refused_at_the_tagged_value(
    write: Writer, workdir: Path, value: str, tag: str
) -> None:
    finding = only(load_text(write, workdir, f"version: 1\nx: {value}\n"), "yaml-unsupported-tag")
    assert where(finding) == ("c.yaml", 2, 4, "x")
    assert tag in finding.message


def test_unknown_tag_deep_in_the_document_names_its_key_path(write: Writer, workdir: Path) -> None:
    text = "version: 1\nproviders:\n  contoso:\n    tenant: !env TENANT_ID\n"
    finding = only(load_text(write, workdir, text), "yaml-unsupported-tag")
    assert where(finding) == ("c.yaml", 4, 13, "providers.contoso.tenant")


def test_explicit_str_tag_is_plain_text(write: Writer, workdir: Path) -> None:
    result = load_text(write, workdir, "version: 1\nx: !!str 23\n")
    assert result.findings == []
    assert result.data["x"] == "23"


def test_deeply_nested_lists_are_refused_at_the_limit(write: Writer, workdir: Path) -> None:
    text = "version: 1\nx: " + "[" * 200 + "]" * 200 + "\n"
    finding = only(load_text(write, workdir, text), "yaml-too-deep")
    # x's value is level 1 at column 4; level MAX_DEPTH + 1 is MAX_DEPTH brackets further.
    assert where(finding) == ("c.yaml", 2, 4 + MAX_DEPTH, "x" + "[0]" * MAX_DEPTH)


def test_deeply_nested_mappings_are_refused_at_the_limit(write: Writer, workdir: Path) -> None:
    text = "version: 1\nx: " + "{a: " * 200 + "1" + "}" * 200 + "\n"
    finding = only(load_text(write, workdir, text), "yaml-too-deep")
    assert where(finding) == ("c.yaml", 2, 4 + 4 * MAX_DEPTH, "x" + ".a" * MAX_DEPTH)


def test_very_deep_nesting_does_not_raise_recursion_error(write: Writer, workdir: Path) -> None:
    text = "version: 1\nx: " + "[" * 20_000 + "]" * 20_000 + "\n"
    finding = only(load_text(write, workdir, text), "yaml-too-deep")
    assert finding.location.line == 2


@pytest.mark.parametrize(
    "text",
    ["x: " + "[" * 3000 + "]" * 3000, "x: " + "{a: " * 3000 + "1" + "}" * 3000, "- " * 3000 + "x"],
    ids=["flow-sequences", "flow-mappings", "block-sequences"],
)
def test_nesting_is_too_deep_whichever_limit_fires_first(
    write: Writer, workdir: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    """libyaml (from 0.2.6, wheels of PyYAML 6.0.4) stops at 1000 levels with a scanner error
    of its own; with the composer guard set above that limit the answer is still
    ``yaml-too-deep``, so the outcome never depends on which limit fires first."""
    from mailoauth_cfg import loading

    monkeypatch.setattr(loading, "MAX_COMPOSE_DEPTH", 5000)
    document = text if text.startswith("-") else "version: 1\n" + text + "\n"
    finding = only(load_text(write, workdir, document), "yaml-too-deep")
    assert finding.location.line in (1, 2)
    assert finding.fix


def test_huge_integer_is_refused_without_crashing(write: Writer, workdir: Path) -> None:
    digits = "1" + "0" * 5000  # 10**5000
    text = f"version: 1\napps:\n  a:\n    entity: {digits}\n"
    finding = only(load_text(write, workdir, text), "yaml-bad-scalar")
    assert where(finding) == ("c.yaml", 4, 13, "apps.a.entity")
    assert finding.message.startswith("cannot read value '1000")
    assert len(finding.message) < 300  # the value is clipped


@pytest.mark.parametrize(
    "value",
    ["2026-02-30", "0000-01-01", "!!bool maybe", "!!timestamp soon", '!!int ""', "!!float x"],
)
def test_unreadable_scalar_is_a_finding_not_a_crash(
    write: Writer, workdir: Path, value: str
) -> None:
    finding = only(load_text(write, workdir, f"version: 1\nx: {value}\n"), "yaml-bad-scalar")
    assert where(finding) == ("c.yaml", 2, 4, "x")
    assert "quote the value" in finding.fix


def test_file_over_the_size_limit_is_refused_without_being_read(
    write: Writer, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = workdir / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: 50 MiB without writing them

    def no_read(self: Path) -> bytes:
        raise AssertionError(f"{self} was read")

    monkeypatch.setattr(Path, "read_bytes", no_read)
    finding = only(load_config(big), "config-too-large")
    assert where(finding) == ("big.yaml", 1, 1, "")
    assert "50.0 MiB" in finding.message


def test_size_limit_is_inclusive_and_configurable(write: Writer, workdir: Path) -> None:
    path = write(workdir, "c.yaml", "version: 1\n")  # 11 bytes
    assert load_config(path, max_bytes=11).findings == []
    assert [f.rule for f in load_config(path, max_bytes=10).findings] == ["config-too-large"]


def test_missing_top_level_file_raises_config_error(workdir: Path) -> None:
    with pytest.raises(ConfigError, match=r"config file not found: nope\.yaml"):
        load_config("nope.yaml")


def test_directory_as_top_level_file_raises_config_error(workdir: Path) -> None:
    (workdir / "dir.yaml").mkdir()
    with pytest.raises(ConfigError, match="not a regular file"):
        load_config("dir.yaml")


# --- merge keys ------------------------------------------------------------------------------

MERGE_TEXT = """\
version: 1
defaults: &defaults
  provider: contoso
  smtp_auth: enabled
extra: &extra {protocols: [smtp], smtp_auth: disabled}
one:
  smtp_auth: inherit
  <<: *defaults
two:
  <<: [*extra, *defaults]
  email: b@contoso.com
"""


def test_merge_key_copies_the_anchored_mapping_and_explicit_keys_win(
    write: Writer, workdir: Path
) -> None:
    result = load_text(write, workdir, MERGE_TEXT)
    assert result.findings == []
    assert result.data["one"] == {"smtp_auth": "inherit", "provider": "contoso"}
    # in a list of merged mappings, the first that has a key wins
    assert result.data["two"] == {
        "email": "b@contoso.com",
        "protocols": ["smtp"],
        "smtp_auth": "disabled",
        "provider": "contoso",
    }


def test_merge_key_marks_point_at_what_is_written(write: Writer, workdir: Path) -> None:
    marks = load_text(write, workdir, MERGE_TEXT).marks
    # explicit keys keep their own marks even when `<<` comes after them
    assert marks.values[("one",)] == Mark("c.yaml", 7, 3)
    assert marks.keys[("one", "smtp_auth")] == Mark("c.yaml", 7, 3)
    assert marks.values[("one", "smtp_auth")] == Mark("c.yaml", 7, 14)
    # merged values point into the anchored mapping they come from
    assert marks.values[("one", "provider")] == Mark("c.yaml", 3, 13)
    assert marks.values[("two", "smtp_auth")] == Mark("c.yaml", 5, 46)
    assert marks.values[("two", "provider")] == Mark("c.yaml", 3, 13)
    assert marks.values[("two", "email")] == Mark("c.yaml", 11, 10)


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("version: 1\nx:\n  <<: 5\n", 3, 7),
        ("version: 1\nl: &l [1]\nx:\n  <<: *l\n", 2, 8),
    ],
    ids=["scalar", "list-of-scalars"],
)
def test_merge_key_needs_a_mapping(
    write: Writer, workdir: Path, text: str, line: int, column: int
) -> None:
    finding = only(load_text(write, workdir, text), "yaml-bad-merge")
    assert where(finding) == ("c.yaml", line, column, "x")


# --- include ---------------------------------------------------------------------------------


@pytest.fixture
def split_config(write: Writer, workdir: Path) -> Path:
    """main.yaml including sub/*.yaml; sub/b.yaml is written before sub/a.yaml."""
    write(
        workdir,
        "sub/b.yaml",
        "users:\n"
        "  - email: b1@contoso.com\n"
        "    provider: p\n"
        "  - email: b2@contoso.com\n"
        "    provider: p\n"
        "apps:\n"
        "  bapp:\n"
        "    provider: p\n",
    )
    write(
        workdir,
        "sub/a.yaml",
        "# users of a\n"
        "users:\n"
        "  - email: a@contoso.com\n"
        "    provider: p\n"
        "providers:\n"
        "  p: {type: microsoft, tenant: common}\n",
    )
    return write(
        workdir,
        "main.yaml",
        "version: 1\ninclude:\n  - sub/*.yaml\nusers:\n  - email: m@contoso.com\n    provider: p\n",
    )


def test_include_glob_merges_files_in_sorted_order(split_config: Path) -> None:
    result = load_config(split_config)
    assert result.findings == []
    assert result.files == ["main.yaml", "sub/a.yaml", "sub/b.yaml"]
    assert [u["email"] for u in result.data["users"]] == [
        "m@contoso.com",
        "a@contoso.com",
        "b1@contoso.com",
        "b2@contoso.com",
    ]
    assert set(result.data["apps"]) == {"bapp"}
    assert set(result.data["providers"]) == {"p"}
    assert "include" not in result.data
    again = load_config(split_config)
    assert (again.data, again.files) == (result.data, result.files)


def test_included_users_keep_global_indexes_and_their_own_file_marks(split_config: Path) -> None:
    marks = load_config(split_config).marks
    emails = [marks.values[("users", i, "email")] for i in range(4)]
    assert emails == [
        Mark("main.yaml", 5, 12),
        Mark("sub/a.yaml", 3, 12),
        Mark("sub/b.yaml", 2, 12),
        Mark("sub/b.yaml", 4, 12),
    ]
    assert marks.keys[("users", 3, "provider")] == Mark("sub/b.yaml", 5, 5)
    assert marks.values[("users", 3, "provider")] == Mark("sub/b.yaml", 5, 15)
    assert marks.values[("users",)] == Mark("main.yaml", 5, 3)


def test_included_objects_are_located_in_their_own_file(split_config: Path) -> None:
    marks = load_config(split_config).marks
    assert marks.keys[("apps", "bapp")] == Mark("sub/b.yaml", 7, 3)
    assert marks.values[("apps", "bapp", "provider")] == Mark("sub/b.yaml", 8, 15)
    assert marks.keys[("providers", "p")] == Mark("sub/a.yaml", 6, 3)
    location = marks.location(("providers", "p", "tenant"))
    assert (location.file, location.line, location.column, location.path) == (
        "sub/a.yaml",
        6,
        32,
        "providers.p.tenant",
    )


def test_problem_in_an_included_file_is_located_in_that_file(
    write: Writer, workdir: Path, split_config: Path
) -> None:
    write(workdir, "sub/c.yaml", "apps:\n  capp:\n\tprovider: p\n")
    finding = only(load_config(split_config), "yaml-syntax")
    assert where(finding) == ("sub/c.yaml", 3, 1, "")


def test_empty_included_file_is_reported(write: Writer, workdir: Path, split_config: Path) -> None:
    write(workdir, "sub/c.yaml", "# nothing yet\n")
    finding = only(load_config(split_config), "config-empty")
    assert where(finding) == ("sub/c.yaml", 1, 1, "")


def test_include_cycle_is_reported_with_the_chain(write: Writer, workdir: Path) -> None:
    write(workdir, "a.yaml", "version: 1\ninclude: b.yaml\n")
    write(workdir, "b.yaml", "providers: {}\ninclude:\n  - a.yaml\n")
    result = load_config(workdir / "a.yaml")
    finding = only(result, "include-cycle")
    assert where(finding) == ("b.yaml", 3, 5, "include[0]")
    assert "a.yaml -> b.yaml -> a.yaml" in finding.message
    assert finding.severity is Severity.ERROR
    assert result.files == ["a.yaml", "b.yaml"]


def test_file_including_itself_is_a_cycle(write: Writer, workdir: Path) -> None:
    write(workdir, "main.yaml", "version: 1\ninclude: main.yaml\n")
    finding = only(load_config(workdir / "main.yaml"), "include-cycle")
    assert where(finding) == ("main.yaml", 2, 10, "include")
    assert "main.yaml -> main.yaml" in finding.message


def test_file_included_through_two_patterns_is_loaded_once(write: Writer, workdir: Path) -> None:
    write(workdir, "apps.yaml", "apps:\n  x: {provider: p}\n")
    write(workdir, "main.yaml", "version: 1\ninclude: [apps.yaml, '*s.yaml']\n")
    result = load_config(workdir / "main.yaml")
    assert result.findings == []
    assert result.files == ["main.yaml", "apps.yaml"]


def test_missing_included_file_is_an_error_at_the_entry(write: Writer, workdir: Path) -> None:
    write(workdir, "main.yaml", "version: 1\ninclude: [users.yaml, nope.yaml]\n")
    write(workdir, "users.yaml", "users: []\n")
    finding = only(load_config(workdir / "main.yaml"), "include-missing")
    assert where(finding) == ("main.yaml", 2, 23, "include[1]")
    assert finding.severity is Severity.ERROR
    assert "'nope.yaml'" in finding.message


def test_glob_matching_nothing_is_only_a_warning(write: Writer, workdir: Path) -> None:
    result = load_config(write(workdir, "main.yaml", "version: 1\ninclude:\n  - none/*.yaml\n"))
    finding = only(result, "include-no-match")
    assert where(finding) == ("main.yaml", 3, 5, "include[0]")
    assert finding.severity is Severity.WARNING
    assert result.ok


def test_include_entry_that_is_not_text_is_refused(write: Writer, workdir: Path) -> None:
    write(workdir, "users.yaml", "users: []\n")
    finding = only(
        load_config(write(workdir, "main.yaml", "version: 1\ninclude: [users.yaml, 5]\n")),
        "include-invalid",
    )
    assert where(finding) == ("main.yaml", 2, 23, "include[1]")


@pytest.fixture
def outside_config(write: Writer, workdir: Path) -> Path:
    write(workdir, "shared/apps.yaml", "apps:\n  shared-app:\n    provider: p\n")
    return write(workdir, "cfg/main.yaml", "version: 1\ninclude:\n  - ../shared/apps.yaml\n")


def test_include_outside_the_config_directory_is_refused(outside_config: Path) -> None:
    result = load_config(outside_config)
    finding = only(result, "include-outside")
    assert where(finding) == ("cfg/main.yaml", 3, 5, "include[0]")
    assert finding.severity is Severity.ERROR
    assert "--allow-include-outside" in finding.fix
    assert result.files == ["cfg/main.yaml"]
    assert "apps" not in result.data


def test_include_outside_is_allowed_on_request(outside_config: Path) -> None:
    result = load_config(outside_config, allow_include_outside=True)
    assert result.findings == []
    assert result.files == ["cfg/main.yaml", "shared/apps.yaml"]
    assert result.data["apps"] == {"shared-app": {"provider": "p"}}
    assert result.marks.keys[("apps", "shared-app")] == Mark("shared/apps.yaml", 2, 3)


def test_absolute_include_path_outside_is_refused(write: Writer, workdir: Path) -> None:
    shared = write(workdir, "shared/apps.yaml", "apps: {}\n")
    main = write(workdir, "cfg/main.yaml", f"version: 1\ninclude: ['{shared}']\n")
    finding = only(load_config(main), "include-outside")
    assert where(finding) == ("cfg/main.yaml", 2, 11, "include[0]")


def test_symlink_leading_outside_the_config_directory_is_refused(
    write: Writer, workdir: Path, outside_config: Path
) -> None:
    (workdir / "cfg" / "apps.yaml").symlink_to(workdir / "shared" / "apps.yaml")
    main = write(workdir, "cfg/main.yaml", "version: 1\ninclude: ['app*.yaml']\n")
    finding = only(load_config(main), "include-outside")
    assert where(finding) == ("cfg/main.yaml", 2, 11, "include[0]")


def test_object_defined_in_two_files_names_both(write: Writer, workdir: Path) -> None:
    main = write(
        workdir,
        "main.yaml",
        "version: 1\ninclude: [more.yaml]\napps:\n  erp-mail:\n    provider: p\n",
    )
    write(workdir, "more.yaml", "\napps:\n    erp-mail:\n      provider: q\n")
    result = load_config(main)
    finding = only(result, "include-duplicate-name")
    assert where(finding) == ("more.yaml", 3, 5, "apps.erp-mail")
    assert [(r.file, r.line, r.column) for r in finding.related] == [("main.yaml", 4, 3)]
    assert "main.yaml" in finding.message
    assert "more.yaml" in finding.message
    assert result.data["apps"] == {"erp-mail": {"provider": "p"}}  # the first one is kept


def test_top_level_setting_in_two_files_is_refused(write: Writer, workdir: Path) -> None:
    main = write(workdir, "main.yaml", "version: 1\ninclude: [r.yaml]\nrules: {}\n")
    write(workdir, "r.yaml", "version: 1\n\nrules: {}\n")  # the same version is fine
    finding = only(load_config(main), "include-duplicate-name")
    assert where(finding) == ("r.yaml", 3, 1, "rules")
    assert "main.yaml line 3" in finding.message


# --- include walking: symbolic links, loops, unreadable files ---------------------------------


_LOAD = """
import json, sys
from mailoauth_cfg.loading import load_config
result = load_config(sys.argv[1])
print(json.dumps({"files": result.files, "rules": [f.rule for f in result.findings]}))
"""


def _load_in_subprocess(config: Path, timeout: float = 60) -> dict[str, list[str]]:
    """Load in a child process, so that a walk without end is a failure, not a hung suite."""
    import json
    import subprocess
    import sys

    try:
        done = subprocess.run(
            [sys.executable, "-c", _LOAD, str(config)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd=config.parent,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"loading {config.name} did not end within {timeout} s (a walk without end)")
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, list[str]] = json.loads(done.stdout)
    return result


def test_a_recursive_glob_beside_a_link_to_the_root_does_not_walk_it(
    write: Writer, workdir: Path
) -> None:
    write(workdir, "cfg/users/a.yaml", "users: [{email: a@contoso.com, provider: p}]\n")
    (workdir / "cfg" / "users" / "root").symlink_to("/")
    main = write(workdir, "cfg/main.yaml", "version: 1\ninclude: ['users/**/*.yaml']\n")
    assert _load_in_subprocess(main, timeout=20) == {
        "files": ["main.yaml", "users/a.yaml"],
        "rules": [],
    }


def test_a_link_to_an_ancestor_does_not_loop(write: Writer, workdir: Path) -> None:
    write(workdir, "cfg/conf.d/a.yaml", "apps: {a: {provider: p}}\n")
    (workdir / "cfg" / "conf.d" / "loop").symlink_to("..")
    (workdir / "cfg" / "conf.d" / "self").symlink_to(".")
    main = write(workdir, "cfg/main.yaml", "version: 1\ninclude: ['conf.d/**/*.yaml']\n")
    assert _load_in_subprocess(main, timeout=20) == {
        "files": ["main.yaml", "conf.d/a.yaml"],
        "rules": [],
    }, "each file once"


def test_a_linked_folder_inside_the_tree_is_read_once(write: Writer, workdir: Path) -> None:
    write(workdir, "cfg/real/a.yaml", "apps: {a: {provider: p}}\n")
    (workdir / "cfg" / "linked").symlink_to("real")
    main = write(workdir, "cfg/main.yaml", "version: 1\ninclude: ['*/*.yaml', linked/a.yaml]\n")
    result = load_config(main)
    assert result.findings == []
    assert result.files == ["cfg/main.yaml", "cfg/linked/a.yaml"]
    assert set(result.data["apps"]) == {"a"}


def test_a_linked_folder_leading_outside_is_refused(write: Writer, workdir: Path) -> None:
    write(workdir, "shared/a.yaml", "apps: {a: {provider: p}}\n")
    write(workdir, "cfg/conf/keep.yaml", "apps: {k: {provider: p}}\n")
    (workdir / "cfg" / "conf" / "shared").symlink_to(workdir / "shared")
    text = "version: 1\ninclude: ['conf/*.yaml', conf/shared/a.yaml]\n"
    result = load_config(write(workdir, "cfg/main.yaml", text))
    finding = only(result, "include-outside")
    assert where(finding) == ("cfg/main.yaml", 2, 26, "include[1]")
    assert set(result.data["apps"]) == {"k"}
    text = "version: 1\ninclude: ['conf/**/*.yaml', 'conf/*/*.yaml']\n"
    walked = load_config(write(workdir, "cfg/main.yaml", text))
    assert walked.findings[0].rule == "include-no-match", "conf/*/*.yaml: the link is skipped"
    assert walked.files == ["cfg/main.yaml", "cfg/conf/keep.yaml"], "the walk skips the link"


def test_an_unreadable_included_file_is_located_at_its_include_entry(
    write: Writer, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Located at the `include:` entry that names it (the file itself has no line to show)."""
    import os

    secret = write(workdir, "secret.yaml", "apps: {a: {provider: p}}\n")
    main = write(workdir, "main.yaml", "version: 1\ninclude:\n  - users.yaml\n  - secret.yaml\n")
    write(workdir, "users.yaml", "users: []\n")
    secret.chmod(0o000)
    if os.geteuid() == 0:  # root reads anything: the file system refuses it the same way
        original = Path.read_bytes

        def read_bytes(self: Path) -> bytes:
            if self.name == "secret.yaml":
                raise PermissionError(13, "Permission denied", str(self))
            return original(self)

        monkeypatch.setattr(Path, "read_bytes", read_bytes)
    finding = only(load_config(main), "config-unreadable")
    assert where(finding) == ("main.yaml", 4, 5, "include[1]")
    assert "secret.yaml" in finding.message
    assert "Permission denied" in finding.message

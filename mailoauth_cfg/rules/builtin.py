"""Findings produced while reading a config (before rules run), described for reports.

These are not :class:`~mailoauth_cfg.rules._base.Rule` objects: the loader and the model
builder emit them. They are listed here so that ``rules``, ``explain`` and SARIF know them.
"""

from __future__ import annotations

from mailoauth_cfg.findings import RuleInfo, Severity

_E = Severity.ERROR

BUILTIN_RULES: dict[str, RuleInfo] = {
    info.id: info
    for info in (
        RuleInfo(
            "yaml-syntax",
            _E,
            "The file is not valid YAML.",
            "The YAML parser stopped at the given position. Tabs used for indentation "
            "are the most common cause; YAML allows spaces only.",
        ),
        RuleInfo(
            "yaml-encoding",
            _E,
            "The file is not UTF-8 text.",
            "Configs are read as UTF-8. Convert the file, e.g. `iconv -f latin1 -t utf-8`.",
        ),
        RuleInfo(
            "yaml-duplicate-key",
            _E,
            "A mapping holds the same key twice.",
            "YAML parsers silently keep the last value of a repeated key, which hides "
            "mistakes. Both places are reported.",
        ),
        RuleInfo(
            "yaml-alias-bomb",
            _E,
            "Aliases expand the document far beyond its size.",
            "Nested anchors and aliases (the 'billion laughs' pattern) are refused "
            "before they expand.",
        ),
        RuleInfo(
            "yaml-recursive-alias",
            _E,
            "An alias refers to a node that contains it.",
            "Recursive structures cannot be a config.",
        ),
        RuleInfo(
            "yaml-too-deep",
            _E,
            "The document is nested too deeply.",
            "A config needs only a few levels; very deep nesting is refused.",
        ),
        RuleInfo(
            "yaml-unsupported-tag",
            _E,
            "A YAML tag (!tag) is used.",
            "Only plain YAML values are read; application-specific tags are refused.",
        ),
        RuleInfo(
            "yaml-bad-scalar",
            _E,
            "A value cannot be read (huge number, bad date).",
            "Quote the value when it is meant as text.",
        ),
        RuleInfo(
            "yaml-bad-key", _E, "A mapping key is not plain text.", "Keys must be plain words."
        ),
        RuleInfo(
            "yaml-bad-merge",
            _E,
            "A merge key (<<) does not point at a mapping.",
            "Merge keys take an anchored mapping or a list of them.",
        ),
        RuleInfo("config-empty", _E, "The file is empty.", "Start from `mailoauth-cfg init`."),
        RuleInfo(
            "config-too-large",
            _E,
            "The file is too large to be a config.",
            "Files over 16 MiB are refused without being read.",
        ),
        RuleInfo(
            "config-unreadable",
            _E,
            "An included file cannot be read.",
            "Check permissions and the path.",
        ),
        RuleInfo(
            "config-not-mapping",
            _E,
            "The top level is not a mapping of sections.",
            "A config starts with `version: 1` and sections such as `providers:`.",
        ),
        RuleInfo(
            "include-cycle",
            _E,
            "Files include each other in a cycle.",
            "Remove the include that points back.",
        ),
        RuleInfo(
            "include-missing",
            _E,
            "An included file does not exist.",
            "Paths are relative to the including file.",
        ),
        RuleInfo(
            "include-no-match",
            Severity.WARNING,
            "An include glob matches no file.",
            "Globs are relative to the including file.",
        ),
        RuleInfo(
            "include-outside",
            _E,
            "An include points outside the config directory.",
            "Includes stay under the directory of the main config unless "
            "--allow-include-outside is given, so that a config cannot read "
            "arbitrary files.",
        ),
        RuleInfo(
            "include-invalid",
            _E,
            "An include entry is not a path.",
            "Write `include: [path/or/*.glob]`.",
        ),
        RuleInfo(
            "include-duplicate-name",
            _E,
            "An object is defined in two files.",
            "Each provider, app and target name is defined once across all files.",
        ),
        RuleInfo(
            "schema-unknown-key",
            _E,
            "A key is not part of the config format.",
            "Unknown keys are errors so that typos never pass silently. The message "
            "lists the allowed keys and the closest match.",
        ),
        RuleInfo(
            "schema-missing-key",
            _E,
            "A required key is missing.",
            "See `mailoauth-cfg schema` for the required keys of each object.",
        ),
        RuleInfo(
            "schema-invalid-value",
            _E,
            "A value does not have the expected form.",
            "The message says what was found and what is expected.",
        ),
        RuleInfo(
            "schema-wrong-type",
            _E,
            "A value has the wrong type (list, mapping, text).",
            "The message says which type is expected.",
        ),
        RuleInfo(
            "unknown-reference",
            _E,
            "A name refers to nothing declared.",
            "Apps name a provider, users name a provider, targets name an app and "
            "users; each must be declared.",
        ),
        RuleInfo(
            "duplicate-user", _E, "A mailbox is declared twice.", "Each mailbox is declared once."
        ),
        RuleInfo(
            "user-alias-not-primary",
            _E,
            "A target uses an alias instead of the primary address.",
            "XOAUTH2 `user=` and the OAuth sign-in must use the mailbox's primary "
            "address; an alias fails with 535 5.7.3 or a sender mismatch.",
        ),
        RuleInfo(
            "rule-settings-invalid",
            _E,
            "The `rules:` section names an unknown rule or a bad option.",
            "See `mailoauth-cfg rules` for rule IDs and `explain ID` for options.",
        ),
    )
}

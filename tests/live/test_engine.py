"""The one rule engine running live rules: declared facts, subjects, ``unknown`` derived from
facts that could not be read (never ``fail``, never a silent pass), and decided subjects."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mailoauth_cfg.findings import Finding, ObjectRef, Severity, Status
from mailoauth_cfg.live.rules import LIVE_RULES, check_live
from mailoauth_cfg.live.rules._base import MICROSOFT, finding, microsoft_users, quietly
from mailoauth_cfg.live.rules._facts import UndeclaredFact
from mailoauth_cfg.live.snapshot import DirectoryUser, MicrosoftTenant, Snapshot, Unknown
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.validation import Validated, validate_file
from tests.live.conftest import AS_OF, CONFIG

TENANT = "6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d"


@pytest.fixture(scope="module")
def validated() -> Validated:
    result = validate_file(CONFIG, as_of=AS_OF)
    assert result.config is not None
    return result


def user(address: str, *, enabled: bool = True) -> DirectoryUser:
    return DirectoryUser(
        id=f"id-{address}", user_principal_name=address, mail=address, account_enabled=enabled
    )


def snapshot_with(*read: DirectoryUser, missing: tuple[str, ...] = ()) -> Snapshot:
    """A tenant where only the ``read`` users were read (and ``missing`` found not to exist);
    every other fact is missing."""
    users: dict[str, DirectoryUser | None] = {u.mail or "": u for u in read}
    users.update(dict.fromkeys(missing))
    return Snapshot(microsoft={"contoso": MicrosoftTenant(tenant=TENANT, users=users)})


def disabled_users(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Fail every disabled account; say nothing about the others."""
    for index, u, tenant in microsoft_users(ctx):
        found = tenant.user(u.email)
        if isinstance(found, DirectoryUser) and found.account_enabled is False:
            yield finding(
                ctx,
                RULE,
                f"{u.email} disabled",
                ("users", index),
                fix="-",
                object=ObjectRef.user(u.email),
            )


RULE = Rule.define(
    "Test rule.",
    id="live-test-disabled",
    severity=Severity.ERROR,
    check=disabled_users,
    options=RuleOptions,
    family=MICROSOFT,
    reads=("users",),
)


def run(validated: Validated, snapshot: Snapshot, *rules: Rule[RuleOptions]) -> list[Finding]:
    assert validated.config is not None
    result = check_live(
        validated.config, validated.loaded.marks, snapshot, as_of=AS_OF, rules=rules
    )
    return result.findings


def test_a_subject_whose_fact_is_missing_is_unknown_never_a_silent_pass(
    validated: Validated,
) -> None:
    snapshot = snapshot_with(user("erp@contoso.com"))
    found = run(validated, snapshot, RULE)
    # erp was read (pass); noreply and scanner were not: one unknown each, nothing passes silently
    assert {(f.object, f.status) for f in found} == {
        (ObjectRef.user("noreply@contoso.com"), Status.UNKNOWN),
        (ObjectRef.user("scanner@contoso.com"), Status.UNKNOWN),
    }
    assert all("could not check mailbox" in f.message for f in found)
    assert all("new snapshot" in f.fix for f in found)


def test_a_failure_resting_on_a_missing_fact_is_unknown(validated: Validated) -> None:
    def fails_after_a_missing_read(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
        for index, u, tenant in microsoft_users(ctx):
            tenant.user("someone-never-read@contoso.com")
            yield finding(
                ctx,
                rule,
                f"{u.email} broken",
                ("users", index),
                fix="-",
                object=ObjectRef.user(u.email),
            )

    rule = Rule.define(
        "Test.",
        id="live-test-missing",
        severity=Severity.ERROR,
        check=fails_after_a_missing_read,
        options=RuleOptions,
        family=MICROSOFT,
        reads=("users",),
    )
    snapshot = snapshot_with(user("erp@contoso.com"))
    found = run(validated, snapshot, rule)
    assert len(found) == 3
    assert {f.status for f in found} == {Status.UNKNOWN}
    assert all("from the facts that could be read" in f.message for f in found)


def test_reads_that_only_shape_a_message_do_not_decide(validated: Validated) -> None:
    def quiet(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
        for index, u, tenant in microsoft_users(ctx):
            if not isinstance(tenant.user(u.email), DirectoryUser):
                continue
            with quietly(ctx):
                other = tenant.user("nobody@contoso.com")
            assert isinstance(other, Unknown)
            yield finding(
                ctx,
                rule,
                f"{u.email} checked",
                ("users", index),
                fix="-",
                object=ObjectRef.user(u.email),
            )

    rule = Rule.define(
        "Test.",
        id="live-test-quiet",
        severity=Severity.ERROR,
        check=quiet,
        options=RuleOptions,
        family=MICROSOFT,
        reads=("users",),
    )
    snapshot = snapshot_with(
        user("erp@contoso.com"), user("noreply@contoso.com"), missing=("scanner@contoso.com",)
    )
    found = run(validated, snapshot, rule)
    assert {(f.message, f.status) for f in found} == {
        ("erp@contoso.com checked", Status.FAIL),
        ("noreply@contoso.com checked", Status.FAIL),
    }


def test_reading_an_undeclared_fact_is_refused(validated: Validated) -> None:
    def sneaky(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
        for _, u, tenant in microsoft_users(ctx):
            tenant.cas_mailbox(u.email)
        yield from ()

    rule = Rule.define(
        "Test.",
        id="live-test-sneaky",
        severity=Severity.ERROR,
        check=sneaky,
        options=RuleOptions,
        family=MICROSOFT,
        reads=("users",),
    )
    with pytest.raises(UndeclaredFact, match="cas_mailboxes"):
        run(validated, snapshot_with(), rule)


def test_decided_subjects_are_recorded(validated: Validated) -> None:
    assert validated.config is not None
    snapshot = snapshot_with(user("erp@contoso.com"), user("noreply@contoso.com"))
    result = check_live(
        validated.config, validated.loaded.marks, snapshot, as_of=AS_OF, rules=(RULE,)
    )
    assert result.decided == {
        ("live-test-disabled", ObjectRef.user("erp@contoso.com").key),
        ("live-test-disabled", ObjectRef.user("noreply@contoso.com").key),
    }


def test_every_live_rule_declares_what_it_reads_and_runs_only_live(tmp_path: Path) -> None:
    for rule in LIVE_RULES:
        assert rule.live, rule.id
    # Offline, live rules do not run (their settings are still validated).
    config = tmp_path / "mailoauth.yaml"
    config.write_text(
        CONFIG.read_text(encoding="utf-8")
        + "rules:\n  live-ms-secret-expiry: {options: {lead_days: 90}}\n",
        encoding="utf-8",
    )
    offline = validate_file(config, as_of=AS_OF)
    assert not [f for f in offline.findings if f.rule.startswith("live-")]

"""Error explanations: coverage, normalisation and rule references."""

from __future__ import annotations

import re

import pytest

from mailoauth_cfg.catalog import errors
from mailoauth_cfg.catalog.errors import ERROR_EXPLANATIONS, explain_code, normalise_code

KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

REQUIRED = [
    "AADSTS50011",
    "AADSTS50076",
    "AADSTS53003",
    "AADSTS65001",
    "AADSTS700016",
    "AADSTS7000215",
    "AADSTS7000222",
    "AADSTS700082",
    "AADSTS28000",
    "AADSTS90072",
    "AADSTS50020",
    "AADSTS50126",
    "AADSTS70011",
    "AADSTS9002313",
    "AADSTS50194",
    "invalid_grant",
    "redirect_uri_mismatch",
    "access_denied",
    "unauthorized_client",
    "admin_policy_enforced",
    "invalid_client",
    "535 5.7.139",
    "535 5.7.3",
    "530 5.7.57",
    "550 5.7.60",
    "554 5.2.252",
    "550 5.7.30",
    "AUTHENTICATE failed",
    "535 5.7.8",
    "534 5.7.9",
]


@pytest.mark.parametrize("code", REQUIRED)
def test_required_codes_present(code: str) -> None:
    entry = explain_code(code)
    assert entry is not None
    assert entry.code == code


@pytest.mark.parametrize("entry", ERROR_EXPLANATIONS.values(), ids=lambda e: e.code)
def test_entry_well_formed(entry: errors.ErrorExplanation) -> None:
    assert entry.title.strip()
    assert entry.cause.strip()
    assert entry.fix.strip()
    assert entry.source.strip()
    assert entry.family in ("aadsts", "oauth", "smtp", "imap")
    for rule in entry.rules:
        assert KEBAB.match(rule), rule
    assert len(set(entry.rules)) == len(entry.rules)
    assert ERROR_EXPLANATIONS[entry.code.lower()] is entry


def test_rule_ids_are_kebab_case_and_prefixed() -> None:
    assert errors.RULE_IDS
    for rule in errors.RULE_IDS:
        assert KEBAB.match(rule), rule
        assert rule.split("-")[0] in ("ms", "google", "target", "user"), rule
    assert "user-smtp-auth-disabled" in errors.RULE_IDS
    assert "ms-graph-outlook-scope-mix" in errors.RULE_IDS
    assert "google-testing-refresh-token-expiry" in errors.RULE_IDS


def test_every_related_rule_exists_in_the_catalogue() -> None:
    from mailoauth_cfg.rules import rule_infos

    assert sorted(set(errors.RULE_IDS) - set(rule_infos())) == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("AADSTS700016", "AADSTS700016"),
        ("aadsts700016", "AADSTS700016"),
        ("700016", "AADSTS700016"),
        (" 700016 ", "AADSTS700016"),
        (
            "AADSTS700016: Application with identifier '1f0e' was not found in the directory "
            "'Contoso'.",
            "AADSTS700016",
        ),
        (
            '{"error": "invalid_grant", "error_description": "AADSTS700082: The refresh token '
            'has expired due to inactivity."}',
            "AADSTS700082",
        ),
        (
            "invalid_client: AADSTS7000222: The provided client secret keys are expired.",
            "AADSTS7000222",
        ),
        (
            "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
            "Tenant.",
            "535 5.7.139",
        ),
        (
            "535 5.7.3 Authentication unsuccessful [AM0PR01CA0001.eurprd01.prod.outlook.com]",
            "535 5.7.3",
        ),
        ("535-5.7.8 Username and Password not accepted. For more information, go to", "535 5.7.8"),
        ("534-5.7.9 Application-specific password required.", "534 5.7.9"),
        ("5.7.139", "535 5.7.139"),
        ("550 5.7.30 Basic authentication is not supported for Client Submission.", "550 5.7.30"),
        ("554 5.2.252 SendAsDenied; a@b.c not allowed to send as d@b.c", "554 5.2.252"),
        ("invalid_grant", "invalid_grant"),
        ("INVALID_GRANT", "invalid_grant"),
        (
            '{"error": "invalid_grant", "error_description": "Token has been expired or revoked."}',
            "invalid_grant",
        ),
        ("Error 400: redirect_uri_mismatch", "redirect_uri_mismatch"),
        ("Error 400: admin_policy_enforced", "admin_policy_enforced"),
        ("A01 NO AUTHENTICATE failed.", "AUTHENTICATE failed"),
        ("authenticate failed", "AUTHENTICATE failed"),
        ("invalid_grant: AADSTS99999 something new", "invalid_grant"),
    ],
)
def test_explain_code_normalisation(text: str, code: str) -> None:
    entry = explain_code(text)
    assert entry is not None, text
    assert entry.code == code


@pytest.mark.parametrize("text", ["", "   ", "hello", "535", "AADSTS99999", "535 5.7.999 nope"])
def test_explain_code_unknown(text: str) -> None:
    assert explain_code(text) is None


def test_normalise_code() -> None:
    assert normalise_code("") is None
    assert normalise_code("AADSTS0700016") == "aadsts700016"
    assert normalise_code("535-5.7.8 x") == "535 5.7.8"
    assert normalise_code("foo 5.7.60 bar") == "550 5.7.60"
    assert normalise_code("Something Else") == "something else"


def test_smtp_auth_disabled_fix_is_concrete() -> None:
    entry = explain_code("535 5.7.139")
    assert entry is not None
    assert "Set-CASMailbox" in entry.fix
    assert "-SmtpClientAuthenticationDisabled $false" in entry.fix
    assert entry.rules[0] == "user-smtp-auth-disabled"

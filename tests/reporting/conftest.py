"""Hand-built reports shared by the reporter tests."""

from __future__ import annotations

import pytest

from mailoauth_cfg.findings import (
    Finding,
    Location,
    ObjectRef,
    Report,
    RuleInfo,
    Severity,
    Status,
    Suppression,
)

TENANT = "config/tenant.yaml"
GOOGLE = "config/google.yaml"

SECRET_MESSAGE = 'Secret of "erp-mail" expired <2024-01-01> & must be rotated'
SECRET_FIX = "Entra ID > App registrations > erp-mail > Certificates & secrets"
SMTP_MESSAGE = "SMTP AUTH enabled for users: a@example.com, b@example.com"
TENANT_MESSAGE = "Tenant: Müller GmbH — 3 apps\nsecond line: 'quoted'"
SCOPE_MESSAGE = "Cannot verify scope https://mail.google.com/ for svc@p.iam"
SCOPE_FIX = "gcloud alpha iam ..., then re-run"
DUP_MESSAGE = "Client id reused 100% (also in tenant.yaml)\r\nduplicate"


def findings() -> list[Finding]:
    """Five findings over two files: every severity and every status."""
    return [
        Finding(
            rule="smtp-auth-enabled",
            severity=Severity.WARNING,
            message=SMTP_MESSAGE,
            location=Location(TENANT, 30, 3, "users[0].smtp_auth"),
            fix="Set-CASMailbox -SmtpClientAuthenticationDisabled $true",
            object=ObjectRef.user("a@example.com"),
        ).suppressed(
            Suppression(
                reason="legacy scanner, ticket #42",
                expires="2025-06-30",
                location=Location(TENANT, 29, 5),
            )
        ),
        Finding(
            rule="app-secret-expired",
            severity=Severity.ERROR,
            message=SECRET_MESSAGE,
            location=Location(TENANT, 12, 7, "apps.erp-mail.secret"),
            fix=SECRET_FIX,
            object=ObjectRef.app("erp-mail"),
            help="https://example.com/rules/app-secret-expired",
        ),
        Finding(
            rule="tenant-info",
            severity=Severity.INFO,
            message=TENANT_MESSAGE,
            location=Location(TENANT),
        ),
        Finding(
            rule="scope-missing",
            severity=Severity.ERROR,
            message=SCOPE_MESSAGE,
            location=Location(GOOGLE, 5, 1, "targets.gmail"),
            fix=SCOPE_FIX,
            object=ObjectRef.target("gmail"),
            status=Status.UNKNOWN,
        ),
        Finding(
            rule="dup-client",
            severity=Severity.WARNING,
            message=DUP_MESSAGE,
            location=Location(GOOGLE, 8, 0),
            related=(Location(TENANT, 12, 7, "apps.erp-mail"), Location(TENANT)),
        ),
    ]


RULES = {
    "app-secret-expired": RuleInfo(
        "app-secret-expired", Severity.ERROR, "App secret expired", "Secrets expire.\nRotate."
    ),
    "smtp-auth-enabled": RuleInfo("smtp-auth-enabled", Severity.WARNING, "SMTP AUTH is on"),
    "tenant-info": RuleInfo("tenant-info", Severity.INFO, "Tenant facts"),
    "scope-missing": RuleInfo("scope-missing", Severity.ERROR, "Scope missing", "Needs scope."),
    "zz_unused.rule": RuleInfo("zz_unused.rule", Severity.INFO, "Never fires"),
    # "dup-client" is deliberately missing: reporters must cope.
}


def build(items: list[Finding], *, files: list[str], objects: int = 14) -> Report:
    """Report.build with the shared rules and a fixed version."""
    return Report.build(items, RULES, files=files, objects=objects, tool_version="9.8.7")


@pytest.fixture
def report() -> Report:
    """The five-finding report."""
    return build(findings(), files=[TENANT, GOOGLE])


@pytest.fixture
def empty_report() -> Report:
    """A clean run: one file, one object, nothing found."""
    return build([], files=[TENANT], objects=1)

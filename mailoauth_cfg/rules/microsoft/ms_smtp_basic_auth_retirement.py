"""A Microsoft target still signs in with a password (Basic auth), which Exchange retires.

**What.** A target of a Microsoft provider has ``auth: password`` (or ``app-password``, which is
Basic auth too) and uses

* ``smtp``: warning before the date of the catalog fact ``exo-smtp-basic-auth-default-off``
  (Basic auth for SMTP AUTH disabled by default for existing tenants at the end of December
  2026), error from that date on; the message gives the date, the run date (``--as-of``) and
  the days left;
* ``imap`` or ``pop``: error, since Basic auth for these protocols was switched off from
  1 October 2022 (``exo-basic-auth-other-protocols-off``).

**Why.** Once Basic auth is off, Exchange Online answers ``550 5.7.30 Basic authentication is
not supported for Client Submission`` (SMTP) or rejects the IMAP/POP login, and the application
silently stops sending or collecting mail. The SMTP date is Microsoft's current plan (update of
27 Jan 2026 to MC786329, read from third-party summaries); it already moved twice and the final
removal date is to be announced in H2 2027.

**Fix.** Migrate the target to OAuth: declare its app registration (``app:``), set
``auth: oauth2`` and configure the target's OAuth settings (the finding names where, e.g.
Dolibarr's Setup › Modules › OAuth); then run its token bootstrap.

Source: https://mc.merill.net/message/MC786329;
https://learn.microsoft.com/en-us/exchange/clients-and-mobile-in-exchange-online/deprecation-of-basic-authentication-exchange-online.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.catalog.dates import (
    EXO_BASIC_AUTH_OTHER_PROTOCOLS_OFF,
    EXO_SMTP_BASIC_AUTH_DEFAULT_OFF,
)
from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.microsoft._common import node


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Date the password-authenticated Microsoft targets."""
    smtp_off = EXO_SMTP_BASIC_AUTH_DEFAULT_OFF
    other_off = EXO_BASIC_AUTH_OTHER_PROTOCOLS_OFF
    for plan in ctx.target_plans():
        target = plan.target
        if plan.provider_type != "microsoft" or target.auth == "oauth2":
            continue
        protocols = plan.protocols
        parts: list[str] = []
        severity = Severity.WARNING
        if "smtp" in protocols:
            days = (smtp_off.date - ctx.as_of).days
            when = (
                f"{days} days left as of {ctx.as_of.isoformat()}"
                if days > 0
                else f"{-days} days ago as of {ctx.as_of.isoformat()}"
                if days < 0
                else f"today, {ctx.as_of.isoformat()}"
            )
            notes = ["approximate date"] if smtp_off.approximate else []
            if smtp_off.as_of is not None:
                notes.append(f"Microsoft's plan as of {smtp_off.as_of.isoformat()}")
            if not smtp_off.verified:
                notes.append("read from third-party summaries")
            approx = f" ({'; '.join(notes)})" if notes else ""
            parts.append(
                f"Basic auth for SMTP AUTH is disabled by default on "
                f"{smtp_off.date.isoformat()}{approx}: {when}"
            )
            if days <= 0:
                severity = Severity.ERROR
        readers = [p for p in protocols if p in ("imap", "pop")]
        if readers:
            parts.append(
                f"Basic auth for {'/'.join(p.upper() for p in readers)} has been off since "
                f"{other_off.date.isoformat()}"
            )
            severity = Severity.ERROR
        if not parts:
            continue
        profile = plan.microsoft
        where = plan.facts.ui_path
        app_step = "" if target.app else "declare its app registration (`app:`), "
        settings = f" ({where})" if profile is not None else ""
        path, at_key = node(ctx, ("targets", plan.name, "auth"), ("targets", plan.name))
        yield ctx.finding(
            RULE,
            f"target {plan.name} ({plan.key}) authenticates to Exchange Online with "
            f"auth: {target.auth} (Basic auth): {'; '.join(parts)}",
            path,
            at_key=at_key,
            fix=f"migrate to OAuth: {app_step}set `auth: oauth2` and configure the "
            f"{plan.facts.display_name} OAuth settings{settings}, then run its token bootstrap",
            object=plan.object,
            severity=severity,
        )


RULE = Rule.define(
    __doc__,
    id="ms-smtp-basic-auth-retirement",
    severity=Severity.WARNING,
    check=check,
    options=RuleOptions,
    family="microsoft",
    impacts=(
        (Severity.ERROR, "Basic auth is off from the catalog's date: password logins fail"),
        (Severity.WARNING, "it will stop at the retirement date"),
    ),
)

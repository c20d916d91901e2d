"""A target logs in with a SASL mechanism its mail server refuses for OAuth tokens.

**What.** ``targets.<name>.sasl_mechanism`` (msmtp's ``auth``):

* ``plain`` or ``login`` while the target authenticates with OAuth: the access token is sent as
  a password;
* ``oauthbearer`` with Microsoft 365, which accepts ``XOAUTH2`` only.

Google accepts both ``xoauth2`` and ``oauthbearer``. Omitted, the mechanism is derived
(``xoauth2`` for Microsoft, ``oauthbearer`` for Google) and never reported. A kind whose client
provides one mechanism only states it as a setting of its own (Postfix's
``smtp_sasl_mechanism_filter``), judged by ``target-setting-invalid``.

**Why.** Exchange Online implements SASL XOAUTH2 for SMTP, IMAP and POP; a token in ``AUTH
LOGIN``/``PLAIN`` is checked as a password and fails (``535 5.7.3 Authentication
unsuccessful``, or ``5.7.139`` where basic authentication is off); ``AUTH OAUTHBEARER`` is not
offered.

**Fix.** ``sasl_mechanism: xoauth2`` (msmtp ``auth xoauth2``, msmtp 1.8.13 or later); with
Google ``oauthbearer`` also works. The finding carries the value.

Source: https://learn.microsoft.com/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth;
marlam/msmtp doc/msmtp.1 (``auth``); muttmua/mutt:contrib/mutt_oauth2.py (``sasl_method``).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Edit, Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Compare each declared mechanism with what the provider accepts for tokens."""
    for plan in ctx.target_plans():
        mechanism = plan.declared("sasl_mechanism")
        if mechanism is None or plan.target.auth != "oauth2" or plan.provider_type is None:
            continue
        if any(s.field == "sasl_mechanism" for s in plan.facts.settings):
            continue  # the kind's own setting (target-setting-invalid) judges it
        if mechanism in ("plain", "login"):
            problem = (
                f"{mechanism.upper()} sends the access token as a password: the server checks "
                "it as one and refuses the login (535 5.7.3 / 5.7.139)"
            )
        elif mechanism == "oauthbearer" and plan.provider_type == "microsoft":
            problem = "Exchange Online accepts XOAUTH2 only: OAUTHBEARER is not offered"
        else:
            continue
        path = (*plan.path, "sasl_mechanism")
        yield ctx.finding(
            RULE,
            f"target {plan.name} logs in with {plan.facts.setting_name('sasl_mechanism')} "
            f"{mechanism}: {problem}",
            path,
            fix="set it to xoauth2",
            object=plan.object,
            edits=(Edit("set", path, "xoauth2"),),
        )


RULE = Rule.define(
    __doc__,
    id="target-sasl-mechanism",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="targets",
    impacts=((Severity.ERROR, "every login is refused: mail cannot flow"),),
    fixable=True,
)

"""A target declares scopes with which no usable mail token can be issued.

**What.** ``targets.<name>.scopes`` (or ``accounts.<mailbox>.scopes``), the scopes the
application requests as it holds them (email-oauth2-proxy ``oauth2_scope``, Dolibarr's ticked
``_SCOPE``, a token helper's ``scope``), judged for the target's provider and protocols:

* Microsoft, user sign-in: a mail permission without the Outlook resource (``SMTP.Send``) or on
  Microsoft Graph (``https://graph.microsoft.com/IMAP.AccessAsUser.All``); the Exchange resource
  of another cloud (``outlook.office.com`` for a US Government tenant); no scope for a protocol
  the target uses (``IMAP.AccessAsUser.All`` for ``imap``); no ``offline_access``;
* Microsoft, client credentials: not the Exchange resource's ``.default``;
* Google: no ``https://mail.google.com/`` (Gmail API scopes such as ``gmail.send`` do not work
  over IMAP/SMTP);
* a value the application does not offer (Dolibarr refuses scopes its provider class does not
  list: ``InvalidScopeException``).

Mixing Graph scopes with Outlook scopes is ``ms-graph-outlook-scope-mix``'s. Omitted scopes are
derived (what mailoauth-cfg renders) and never reported.

**Why.** The token's audience is the resource of its scopes: a Graph token is refused by
SMTP/IMAP with ``535 5.7.3 Authentication unsuccessful`` / ``AUTHENTICATE failed``; a scope of
another cloud's resource gets ``AADSTS500011``; without the protocol's scope the login fails;
without ``offline_access`` no refresh token is issued and mail stops within the hour. Gmail
answers XOAUTH2 with an error challenge naming ``https://mail.google.com/``.

**Fix.** Request the Outlook scopes of the cloud (``https://outlook.office.com/SMTP.Send``…)
plus ``offline_access``, or the Exchange ``.default`` with client credentials; for Google
``https://mail.google.com/``. The finding carries the corrected list.

Source: https://learn.microsoft.com/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth;
MicrosoftDocs/office-developer-exchange-docs#87; PHPMailer/PHPMailer#1664;
Dolibarr/dolibarr:htdocs/core/lib/oauth.lib.php (offered scopes).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Edit, Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._declared import declared_values, fixed_scopes, scope_problems


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Judge each declared scope list of each target."""
    for plan in ctx.target_plans():
        if plan.target.auth != "oauth2" or plan.profile is None:
            continue
        offered = plan.plugin.offered_scopes(plan)
        for item in declared_values(plan, "scopes"):
            raw = tuple(str(s) for s in item.value) if isinstance(item.value, list) else ()
            scopes = plan.plugin.normalise_scopes(plan, raw)
            problems = []
            if offered is not None:
                foreign = [s for s in raw if s not in offered]
                if foreign:
                    problems.append(
                        f"{', '.join(foreign)} {'is' if len(foreign) == 1 else 'are'} not among "
                        f"the scopes {plan.facts.display_name} offers here "
                        f"({', '.join(offered)}): it refuses the entry"
                    )
            problems += scope_problems(plan, scopes, plan.protocols)
            if not problems:
                continue
            repaired = plan.plugin.repair_scopes(plan, item.mailbox)
            if repaired is None:
                repaired = fixed_scopes(plan, scopes, plan.protocols)
            whose = f" for {item.mailbox}" if item.mailbox else ""
            yield ctx.finding(
                RULE,
                f"target {plan.name} requests {' '.join(raw) or 'no scope'}{whose}: "
                + "; ".join(problems),
                item.path,
                fix=f"request {' '.join(repaired)} "
                f"({plan.facts.setting_name('scopes')} in the application)",
                object=plan.object,
                edits=(Edit("set", item.path, repaired),),
            )


RULE = Rule.define(
    __doc__,
    id="target-scope-invalid",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="targets",
    impacts=((Severity.ERROR, "no token usable for SMTP/IMAP/POP can be issued or kept"),),
    fixable=True,
)

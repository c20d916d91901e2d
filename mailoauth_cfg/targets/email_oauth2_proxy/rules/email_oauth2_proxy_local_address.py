"""email-oauth2-proxy listens on a network address, not only on the local machine.

**What.** ``local_address`` of an ``email-oauth2-proxy`` target is not a loopback address
(``127.0.0.1``, ``::1``, ``localhost``), e.g. ``0.0.0.0``, ``::`` or a LAN address.

**Why.** Local clients talk to the proxy in clear text (no TLS unless ``local_certificate_path``
is set) with the mailbox address and a password that only keys the token cache: the proxy adds
the OAuth token itself. Reachable from the network, it lets other hosts send (and read) as the
mailbox, exposes that password on the wire, and a wrong password deletes the cached token
(``delete_account_token_on_password_error`` defaults to True). The proxy's own default is ``::``
(all interfaces).

**Fix.** Set ``local_address: 127.0.0.1`` and run the proxy next to its clients; if it must serve
other hosts, restrict them with a firewall and configure ``local_certificate_path`` /
``local_key_path``.

Source: simonrob/email-oauth2-proxy:emailproxy.config; simonrob/email-oauth2-proxy:README.md.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._common import is_loopback, target_path
from mailoauth_cfg.targets.email_oauth2_proxy.model import EmailOauth2ProxyTarget


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Flag proxies that listen beyond loopback."""
    for plan, target in ctx.targets_of(EmailOauth2ProxyTarget):
        if is_loopback(target.local_address):
            continue
        shown = target.local_address or "(all interfaces)"
        yield ctx.finding(
            RULE,
            f"target {plan.name}: the proxy listens on {shown}; any host that reaches it can "
            "send as its mailboxes over a clear-text connection",
            target_path(plan.name, "local_address"),
            fix="set `local_address: 127.0.0.1` (or firewall the ports and set "
            "local_certificate_path/local_key_path)",
            object=plan.object,
        )


RULE = Rule.define(
    __doc__,
    id="email-oauth2-proxy-local-address",
    severity=Severity.WARNING,
    check=check,
    options=RuleOptions,
    family="targets",
    impacts=((Severity.WARNING, "reachable from the network: a wrong password deletes the token"),),
)

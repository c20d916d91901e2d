"""Two email-oauth2-proxy listeners use the same local port.

**What.** Within an ``email-oauth2-proxy`` target, two of the protocols it uses share a port
(``smtp_port``, ``imap_port``, ``pop_port``): error. Across proxy targets whose listen addresses
overlap (equal, or one of them all-interfaces), a port is used twice: warning, reported on the
second target (by name) and naming the first.

**Why.** Each server section (``[SMTP-<port>]``, ``[IMAP-<port>]``, ``[POP-<port>]``) binds its
local port: a second section on the same port fails to start ("address already in use"), or a
client meant for one proxy reaches the other. Two targets are separate proxy configurations; on
one host they must not share ports. The defaults (1587, 1993, 1995) are the same for every
target.

**Fix.** Give each listener its own port, e.g. ``smtp_port: 2587`` on the second target.

Source: simonrob/email-oauth2-proxy:emailproxy.config (server sections, local ports > 1023).
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._common import key_or_parent, target_path
from mailoauth_cfg.targets.email_oauth2_proxy.model import EmailOauth2ProxyTarget

_WILDCARD = frozenset({"", "0.0.0.0", "::", "*"})  # noqa: S104 (addresses compared, not bound)
_LOCAL = frozenset({"localhost", "127.0.0.1", "::1"})


def _address(value: str) -> str:
    text = value.strip().strip("[]").lower()
    return "127.0.0.1" if text in _LOCAL else text


def _overlap(a: str, b: str) -> bool:
    return a == b or a in _WILDCARD or b in _WILDCARD


def free_port(port: int, used: set[int]) -> int:
    """A port not in ``used``: ``port + 1000`` upwards, else from 1024 upwards."""
    for candidate in chain(range(port + 1000, 65536), range(1024, 65536)):
        if candidate not in used:
            return candidate
    return port


def listeners(target: EmailOauth2ProxyTarget) -> list[tuple[str, int]]:
    """``(protocol, port)`` of the protocols the target uses, in protocol order."""
    ports = {"smtp": target.smtp_port, "imap": target.imap_port, "pop": target.pop_port}
    return [(proto, ports[proto]) for proto in dict.fromkeys(target.protocols)]


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Find repeated ports within and across proxy targets."""
    seen: list[tuple[str, str, str, int]] = []  # (target, address, protocol, port)
    for plan, target in ctx.targets_of(EmailOauth2ProxyTarget):
        address = _address(target.local_address)
        own: dict[int, str] = {}
        used = {port for _, port in listeners(target)} | {p for _, _, _, p in seen}
        for proto, port in listeners(target):
            path, at_key = key_or_parent(ctx, target_path(plan.name, f"{proto}_port"))
            free = free_port(port, used)
            if port in own:
                used.add(free)
                yield ctx.finding(
                    RULE,
                    f"target {plan.name}: {proto} and {own[port]} both listen on port {port}",
                    path,
                    fix=f"set `{proto}_port: {free}` on target {plan.name}",
                    object=plan.object,
                    at_key=at_key,
                )
                continue
            own[port] = proto
            clash = next(
                (s for s in seen if s[3] == port and _overlap(s[1], address)),
                None,
            )
            if clash is not None:
                used.add(free)
                yield ctx.finding(
                    RULE,
                    f"target {plan.name}: {proto} port {port} is already used by {clash[2]} of "
                    f"target {clash[0]} on an overlapping address ({clash[1] or '*'} / "
                    f"{address or '*'})",
                    path,
                    fix=f"set `{proto}_port: {free}` on target {plan.name}",
                    object=plan.object,
                    at_key=at_key,
                    # both on defaults: nothing says the two proxies share a host
                    severity=Severity.INFO if at_key else Severity.WARNING,
                )
        seen.extend((plan.name, address, proto, port) for proto, port in listeners(target))


RULE = Rule.define(
    __doc__,
    id="email-oauth2-proxy-port-collision",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="targets",
    impacts=(
        (Severity.ERROR, "two listeners on one port: the proxy does not start"),
        (Severity.WARNING, "a declared port of a second proxy is taken: it fails on a shared host"),
        (Severity.INFO, "two proxies on default ports collide if they share a host"),
    ),
)

"""An endpoint override of a Microsoft provider points at a host of another cloud.

**What.** A host in ``providers.<name>.endpoints`` (``login``, ``graph``, ``exchange``,
``smtp``, ``imap``, ``pop``) is a known host of a *different* Microsoft cloud than
``cloud:`` (e.g. ``login.microsoftonline.com`` with ``cloud: usgov``: error, the tenant's tokens
are not issued there), a host whose domain looks like a misspelt Microsoft domain
(``office356.com``: error, the endpoint cannot work), or a host in a Microsoft domain
(``microsoftonline.com``, ``office365.com``, ``outlook.com``…) that no cloud of the catalog
uses (info). Hosts outside
Microsoft's domains (a proxy, a local emulator) are not reported.

**Why.** Tenants, app registrations and mailboxes live in exactly one cloud: a token from the
US Government login host is useless against the worldwide Exchange hosts, and a typo in an
override silently sends every request to the wrong place. Usually ``cloud:`` is what should
change, and the override can go.

**Fix.** Set ``cloud:`` to the cloud the tenant lives in (``global``, ``usgov``, ``usgov-dod``,
``china``) and remove overrides that only repeat its defaults; keep an override only for a
proxy or an emulator.

Source: MicrosoftDocs/azure-docs:articles/active-directory/develop/authentication-national-cloud.md;
https://learn.microsoft.com/en-us/graph/deployments; MicrosoftDocs/office-docs-powershell:
exchange/exchange-ps/ExchangePowerShell/Connect-ExchangeOnline.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from mailoauth_cfg.catalog.microsoft import CLOUDS, SMTP_HVE_HOST, Cloud
from mailoauth_cfg.findings import Finding, ObjectRef, Severity
from mailoauth_cfg.model import MicrosoftProvider
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions

_MICROSOFT_DOMAINS = (
    "microsoftonline.com",
    "microsoftonline.us",
    "microsoftonline.cn",
    "office365.com",
    "office365.us",
    "office.com",
    "outlook.com",
    "outlook.cn",
    "microsoft.com",
    "microsoft.us",
    "chinacloudapi.cn",
)
TYPO_RATIO = 0.85
"""difflib ratio above which an unknown domain is taken for a misspelt Microsoft domain."""
_GLOBAL_EXTRA = ("smtp-mail.outlook.com", "smtp.outlook.com", "ps.outlook.com", SMTP_HVE_HOST)
"""Worldwide hosts seen besides the catalog's defaults
(simonrob/email-oauth2-proxy:emailproxy.config, the Microsoft how-to for IMAP/POP/SMTP OAuth)."""


def hosts(cloud: Cloud) -> frozenset[str]:
    """Every host the catalog knows for ``cloud``."""
    found = {
        cloud.login_host,
        *cloud.alt_login_hosts,
        urlsplit(cloud.graph_root).hostname or "",
        cloud.exchange_host,
        urlsplit(cloud.outlook_scope_host).hostname or "",
        cloud.smtp.host,
        cloud.imap.host,
        cloud.pop.host,
    }
    if cloud.key == "global":
        found.update(_GLOBAL_EXTRA)
    return frozenset(h.lower() for h in found if h)


def default_endpoint(cloud: Cloud, field: str) -> str:
    """The cloud's own value for an ``endpoints`` field."""
    servers = {"smtp": cloud.smtp, "imap": cloud.imap, "pop": cloud.pop}
    if field in servers:
        server = servers[field]
        return f"{server.host}:{server.port}"
    return {
        "login": cloud.login_root,
        "graph": cloud.graph_root,
        "exchange": cloud.exchange_root,
    }.get(field, "")


def microsoft_domain(host: str) -> tuple[str, bool] | None:
    """``(Microsoft domain, exact)`` when ``host`` is in, or looks like, a Microsoft domain."""
    labels = host.lower().rstrip(".").split(".")
    domain = ".".join(labels[-2:])
    if domain in _MICROSOFT_DOMAINS:
        return domain, True
    import difflib  # on use: rarely needed, and not free to import

    close = difflib.get_close_matches(domain, _MICROSOFT_DOMAINS, n=1, cutoff=TYPO_RATIO)
    return (close[0], False) if close else None


def host_of(endpoint: str) -> str | None:
    """Host name of ``host``, ``host:port`` or a URL."""
    text = endpoint if "://" in endpoint else "//" + endpoint
    try:
        return urlsplit(text).hostname
    except ValueError:
        return None


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Compare endpoint overrides with the hosts of the declared cloud."""
    known = {key: hosts(cloud) for key, cloud in CLOUDS.items()}
    for name, provider in sorted(ctx.config.providers.items()):
        if not isinstance(provider, MicrosoftProvider) or provider.endpoints is None:
            continue
        mine = known.get(provider.cloud, frozenset())
        for field, value in provider.endpoints.model_dump().items():
            if not isinstance(value, str):
                continue
            host = host_of(value)
            if host is None or host.lower() in mine:
                continue
            owners = sorted(k for k, h in known.items() if host.lower() in h)
            default = default_endpoint(CLOUDS[provider.cloud], field)
            lookalike = microsoft_domain(host)
            severity = None
            if owners:
                why = (
                    f"a host of cloud {' / '.join(owners)}, not of cloud {provider.cloud}: "
                    "the tenant's tokens and mailboxes are not served there"
                )
                fix = (
                    f"set providers.{name}.cloud to {owners[0]!r} if the tenant lives there, "
                    f"or remove endpoints.{field} to use {default}"
                )
                severity = Severity.ERROR
            elif lookalike is not None:
                domain, exact = lookalike
                why = (
                    f"not a known host of cloud {provider.cloud}"
                    if exact
                    else f"{host} looks like a misspelling of Microsoft's {domain}"
                )
                fix = f"remove endpoints.{field} to use {default}, or correct the host"
                severity = None if exact else Severity.ERROR
            else:
                continue
            yield ctx.finding(
                RULE,
                f"endpoints.{field} of provider {name} is {value}: {why}",
                ("providers", name, "endpoints", field),
                fix=fix,
                object=ObjectRef.provider(name),
                severity=severity,
            )


RULE = Rule.define(
    __doc__,
    id="ms-endpoint-override-cloud",
    severity=Severity.INFO,
    check=check,
    options=RuleOptions,
    family="microsoft",
    impacts=(
        (Severity.ERROR, "a host of another cloud, or a misspelt one: requests cannot succeed"),
        (Severity.INFO, "a Microsoft host no cloud of the catalog uses: check it"),
    ),
)

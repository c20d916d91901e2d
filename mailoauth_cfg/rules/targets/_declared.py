"""Judging a target's declared settings against the provider's truth (not a rule).

Each function takes a value the application holds (a scope list, an endpoint URL, a tenant) and
says what is wrong with it for the target's provider, or ``None``. The rules decide the
location, the severity and the fix; nothing here reads the config beyond the plan.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal
from urllib.parse import urlsplit

from mailoauth_cfg.catalog import google as gg
from mailoauth_cfg.catalog import microsoft as ms
from mailoauth_cfg.derive import TargetPlan
from mailoauth_cfg.locations import PathKey
from mailoauth_cfg.model import GoogleProvider, MicrosoftProvider
from mailoauth_cfg.model._base import GUID_RE
from mailoauth_cfg.records import record

EndpointKind = Literal["authorize_endpoint", "token_endpoint", "authority"]
ENDPOINT_KEYS: tuple[EndpointKind, ...] = ("authority", "authorize_endpoint", "token_endpoint")

PROTOCOL_SCOPES: dict[str, str] = {
    "smtp": "SMTP.Send",
    "imap": "IMAP.AccessAsUser.All",
    "pop": "POP.AccessAsUser.All",
}
"""The delegated Exchange permission each protocol's XOAUTH2 login needs."""


@record(hot=True)
class Declared:
    """One declared value of a target, where it is written and for which mailbox."""

    value: object
    path: PathKey
    mailbox: str | None = None


def declared_values(plan: TargetPlan, key: str) -> Iterator[Declared]:
    """The target's declared ``key`` and each ``accounts.<mailbox>.<key>`` it holds."""
    value = plan.declared(key)
    if value is not None:
        yield Declared(value, (*plan.path, key))
    if not plan.facts.holds_setting(f"accounts.{key}"):
        return
    accounts = plan.declared("accounts") or {}
    for mailbox, account in accounts.items():
        found = getattr(account, key, None)
        if found is not None:
            yield Declared(found, (*plan.path, "accounts", mailbox, key), mailbox)


def cloud_of(plan: TargetPlan) -> ms.Cloud | None:
    """The Microsoft cloud of the target's provider."""
    provider = plan.provider
    return ms.get_cloud(provider.cloud) if isinstance(provider, MicrosoftProvider) else None


def login_hosts(cloud: ms.Cloud) -> frozenset[str]:
    """Every login host of ``cloud``."""
    return frozenset({cloud.login_host, *cloud.alt_login_hosts})


def exchange_scope_hosts(cloud: ms.Cloud) -> frozenset[str]:
    """Hosts a delegated Exchange scope may be written with in ``cloud``."""
    hosts = {urlsplit(cloud.outlook_scope_host).netloc, cloud.exchange_host}
    if cloud.key == "global":
        hosts.update({"outlook.office.com", "outlook.office365.com"})
    return frozenset(h.lower() for h in hosts)


def cloud_of_login_host(host: str) -> ms.Cloud | None:
    """The cloud whose login host ``host`` is."""
    for cloud in ms.CLOUDS.values():
        if host in login_hosts(cloud):
            return cloud
    return None


def cloud_of_exchange_host(host: str) -> ms.Cloud | None:
    """The cloud whose Exchange scope host ``host`` is."""
    for cloud in ms.CLOUDS.values():
        if host in exchange_scope_hosts(cloud):
            return cloud
    return None


def is_guid(text: str) -> bool:
    """Whether ``text`` is a GUID."""
    return GUID_RE.fullmatch(text) is not None


# --- endpoints ---------------------------------------------------------------------------------


def tenant_segment(url: str) -> str | None:
    """The ``{tenant}`` path segment of a Microsoft identity platform URL."""
    parts = [p for p in urlsplit(url).path.split("/") if p]
    return parts[0].lower() if parts else None


def _microsoft_path(url: str, kind: EndpointKind, device: bool) -> str | None:
    """What is wrong with the path of a Microsoft endpoint, or ``None``."""
    parts = [p for p in urlsplit(url).path.split("/") if p]
    if not parts:
        return "it has no tenant in its path (expected /<tenant>/oauth2/v2.0/...)"
    rest = [p.lower() for p in parts[1:]]
    if rest[:1] == ["oauth2"] and rest[1:2] != ["v2.0"]:
        return (
            "it is the v1 endpoint (/oauth2/ without v2.0), which takes resource= and ignores "
            "the v2 scope parameter"
        )
    if kind == "authority":
        if rest in ([], ["oauth2", "v2.0"], ["v2.0"]):
            return None
        return "an authority is /<tenant>/oauth2/v2.0/ (the application appends authorize/token)"
    if rest[:2] != ["oauth2", "v2.0"] or len(rest) != 3:
        return "it is not /<tenant>/oauth2/v2.0/authorize or /token"
    leaf = rest[2]
    if kind == "token_endpoint" and leaf != "token":
        return f"the token field holds the {leaf} endpoint: tokens are redeemed at .../token"
    if kind == "authorize_endpoint":
        if leaf == "devicecode" and device:
            return None
        if leaf != "authorize":
            return f"the authorization field holds the {leaf} endpoint (expected .../authorize)"
    return None


def microsoft_endpoint_problem(plan: TargetPlan, url: str, kind: EndpointKind) -> str | None:
    """What is wrong with a declared Microsoft endpoint for the target's cloud, or ``None``."""
    cloud = cloud_of(plan)
    provider = plan.provider
    if cloud is None or not isinstance(provider, MicrosoftProvider):
        return None
    host = (urlsplit(url).hostname or "").lower()
    if urlsplit(url).scheme != "https":
        return "the identity platform is served over https only"
    override = provider.endpoints.login if provider.endpoints else None
    allowed = set(login_hosts(cloud))
    if override:
        allowed.add(urlsplit(override if "://" in override else f"//{override}").hostname or "")
    if host not in allowed:
        other = cloud_of_login_host(host)
        if other is not None:
            return (
                f"{host} is the login host of cloud {other.key}, but tenant {provider.tenant} "
                f"lives in cloud {cloud.key} ({cloud.login_host}): no token can be issued there"
            )
        if host.endswith(("google.com", "googleapis.com")):
            return f"{host} is Google's, but the provider is Microsoft"
        return None  # a proxy or an emulator: not judged
    return _microsoft_path(url, kind, device=plan.bootstrap == "device-code")


_GOOGLE_OK: dict[EndpointKind, frozenset[str]] = {
    "authorize_endpoint": frozenset({gg.AUTH_URL, gg.LEGACY_AUTH_URL}),
    "token_endpoint": frozenset(
        {gg.TOKEN_URL, gg.LEGACY_TOKEN_URL, "https://www.googleapis.com/oauth2/v4/token"}
    ),
}


def google_endpoint_problem(plan: TargetPlan, url: str, kind: EndpointKind) -> str | None:
    """What is wrong with a declared Google endpoint, or ``None``."""
    provider = plan.provider
    if not isinstance(provider, GoogleProvider) or kind == "authority":
        return None
    host = (urlsplit(url).hostname or "").lower()
    if cloud_of_login_host(host) is not None:
        return f"{host} is Microsoft's login host, but the provider is Google"
    over = provider.endpoints
    if over is not None and (over.oauth or over.token):
        return None  # overridden (a proxy, an emulator): not judged
    if host not in ("accounts.google.com", "oauth2.googleapis.com", "www.googleapis.com"):
        return None
    if url.rstrip("/") in {u.rstrip("/") for u in _GOOGLE_OK[kind]}:
        return None
    expected = " or ".join(sorted(_GOOGLE_OK[kind]))
    return f"Google's {kind.replace('_', ' ')} is {expected}"


def expected_endpoint(plan: TargetPlan, kind: EndpointKind) -> str | None:
    """The value the target should hold for ``kind``, for a fix."""
    from mailoauth_cfg.derive import endpoints

    provider = plan.provider
    if provider is None:
        return None
    ep = endpoints(provider)
    if kind == "token_endpoint":
        return ep.token_url
    if kind == "authorize_endpoint":
        if plan.bootstrap == "device-code" and ep.devicecode_url:
            return ep.devicecode_url
        return ep.authorize_url
    return ep.authorize_url.rsplit("/", 1)[0] + "/"


# --- scopes ------------------------------------------------------------------------------------


def scope_problems(
    plan: TargetPlan, scopes: tuple[str, ...], protocols: tuple[str, ...]
) -> list[str]:
    """What is wrong with the scopes a target requests (mixing Graph with Outlook scopes is
    ``ms-graph-outlook-scope-mix``'s, not reported here)."""
    if plan.google is not None:
        if gg.MAIL_SCOPE not in scopes:
            others = [s for s in scopes if "googleapis.com/auth/gmail" in s]
            why = f" ({', '.join(others)} serve the Gmail API, not IMAP/SMTP)" if others else ""
            return [f"it lacks {gg.MAIL_SCOPE}, the only scope Gmail's XOAUTH2 accepts{why}"]
        return []
    cloud = cloud_of(plan)
    if cloud is None or plan.microsoft is None:
        return []
    problems: list[str] = []
    exchange = exchange_scope_hosts(cloud)
    if plan.client_credentials:
        if not any(
            (split := ms.split_scope(s))[0] is not None
            and urlsplit(split[0]).netloc in exchange
            and split[1] == ".default"
            for s in scopes
        ):
            problems.append(
                f"client credentials request {cloud.exchange_app_only_scope} (the Exchange "
                "resource's .default)"
            )
        return problems
    covered: set[str] = set()
    for scope in scopes:
        resource, name = ms.split_scope(scope)
        bare = name.lower()
        if resource is None:
            if any(bare == p.lower() for p in PROTOCOL_SCOPES.values()):
                problems.append(
                    f"{scope!r} has no resource: Entra reads it as a Microsoft Graph scope, so "
                    "the token is for Graph and the mail server rejects it (535 5.7.3); write "
                    f"{cloud.outlook_scope(name)}"
                )
            continue
        host = urlsplit(resource).netloc
        if host in exchange:
            if bare == ".default":
                covered.update(PROTOCOL_SCOPES)
            covered.update(p for p, n in PROTOCOL_SCOPES.items() if n.lower() == bare)
            continue
        other = cloud_of_exchange_host(host)
        if other is not None:
            problems.append(
                f"{scope!r} is the Exchange resource of cloud {other.key}, not of cloud "
                f"{cloud.key} ({cloud.outlook_scope_host}): AADSTS500011, no token"
            )
            continue
        audience = ms.scope_audience(scope)
        if audience == "graph" and any(bare == p.lower() for p in PROTOCOL_SCOPES.values()):
            problems.append(
                f"{scope!r} asks Microsoft Graph for the permission: the token is for Graph and "
                f"the mail server rejects it; write {cloud.outlook_scope(name)}"
            )
    missing = [p for p in protocols if p in PROTOCOL_SCOPES and p not in covered]
    if missing:
        wanted = ", ".join(cloud.outlook_scope(PROTOCOL_SCOPES[p]) for p in missing)
        problems.append(
            f"it does not request {wanted}, needed to log in over {', '.join(missing).upper()}"
        )
    if not any(s.strip().lower() == "offline_access" for s in scopes):
        problems.append(
            "it does not request offline_access: no refresh token is issued and mail stops "
            "about an hour after each sign-in"
        )
    return problems


def fixed_scopes(
    plan: TargetPlan, scopes: tuple[str, ...], protocols: tuple[str, ...]
) -> list[str]:
    """``scopes`` repaired for the target's provider: what a fix writes (in order, deduped)."""
    if plan.google is not None:
        keep = [s for s in scopes if "googleapis.com/auth/gmail" not in s]
        return list(dict.fromkeys([gg.MAIL_SCOPE, *keep]))
    cloud = cloud_of(plan)
    if cloud is None:
        return list(scopes)
    if plan.client_credentials:
        return [cloud.exchange_app_only_scope]
    out: list[str] = []
    exchange = exchange_scope_hosts(cloud)
    for scope in scopes:
        resource, name = ms.split_scope(scope)
        audience = ms.scope_audience(scope)
        if resource is None and audience == "oidc":
            out.append(scope)
        elif resource is not None and urlsplit(resource).netloc in exchange:
            out.append(scope)
        elif any(name.lower() == p.lower() for p in PROTOCOL_SCOPES.values()):
            out.append(cloud.outlook_scope(name))
    for protocol in protocols:
        wanted = PROTOCOL_SCOPES.get(protocol)
        if wanted is None:
            continue
        if not any(ms.split_scope(s)[1].lower() in (wanted.lower(), ".default") for s in out):
            out.append(cloud.outlook_scope(wanted))
    if not any(s.lower() == "offline_access" for s in out):
        out.append("offline_access")
    return list(dict.fromkeys(out))

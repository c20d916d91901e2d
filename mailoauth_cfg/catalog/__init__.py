"""Provider knowledge as immutable data (target applications are plugins: ``targets/``).

No I/O and no third-party imports: rules, rendering and the CLI read these tables. Every entry
cites its ``source`` (a URL or ``owner/repo:path``). Submodules:

* :mod:`~mailoauth_cfg.catalog.microsoft`: clouds, endpoints, permissions (GUIDs, scopes);
* :mod:`~mailoauth_cfg.catalog.google`: endpoints, scopes, hosts, token lifetimes;
* :mod:`~mailoauth_cfg.catalog.dates`: dated facts for deadline rules;
* :mod:`~mailoauth_cfg.catalog.errors`: explanations of AADSTS / OAuth / SMTP / IMAP errors;
* :mod:`~mailoauth_cfg.catalog.sources`: the citation strings.

Names that exist for both providers (endpoints, ``RETIRED_REDIRECT_URIS``) are reached through
their module, e.g. ``catalog.microsoft.token_url`` and ``catalog.google.TOKEN_URL``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mailoauth_cfg.catalog import dates, errors, google, microsoft, sources
    from mailoauth_cfg.catalog.dates import DATED_FACTS, DatedFact, dated_fact
    from mailoauth_cfg.catalog.errors import (
        ERROR_EXPLANATIONS,
        ErrorExplanation,
        explain_code,
    )
    from mailoauth_cfg.catalog.microsoft import (
        CLOUDS,
        EXCHANGE_APP_ID,
        EXCHANGE_APP_ONLY_SCOPE,
        GRAPH_APP_ID,
        PERMISSION_NAMES,
        PERMISSIONS,
        Cloud,
        MailServer,
        Permission,
        find_permissions,
        get_cloud,
        permission,
        permission_by_guid,
    )

_FROM: dict[str, str] = {
    **dict.fromkeys(("DATED_FACTS", "DatedFact", "dated_fact"), "dates"),
    **dict.fromkeys(("ERROR_EXPLANATIONS", "ErrorExplanation", "explain_code"), "errors"),
    **dict.fromkeys(
        (
            "CLOUDS",
            "EXCHANGE_APP_ID",
            "EXCHANGE_APP_ONLY_SCOPE",
            "GRAPH_APP_ID",
            "PERMISSION_NAMES",
            "PERMISSIONS",
            "Cloud",
            "MailServer",
            "Permission",
            "find_permissions",
            "get_cloud",
            "permission",
            "permission_by_guid",
        ),
        "microsoft",
    ),
}
"""Which submodule each re-exported name comes from. Submodules and names are imported on
first use: ``validate`` reads the tables of the providers it meets, never the error catalogue."""
_SUBMODULES = frozenset({"dates", "errors", "google", "microsoft", "sources"})


def __getattr__(name: str) -> Any:
    import importlib

    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _FROM:
        value = getattr(importlib.import_module(f"{__name__}.{_FROM[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CLOUDS",
    "DATED_FACTS",
    "ERROR_EXPLANATIONS",
    "EXCHANGE_APP_ID",
    "EXCHANGE_APP_ONLY_SCOPE",
    "GRAPH_APP_ID",
    "PERMISSIONS",
    "PERMISSION_NAMES",
    "Cloud",
    "DatedFact",
    "ErrorExplanation",
    "MailServer",
    "Permission",
    "dated_fact",
    "dates",
    "errors",
    "explain_code",
    "find_permissions",
    "get_cloud",
    "google",
    "microsoft",
    "permission",
    "permission_by_guid",
    "sources",
]

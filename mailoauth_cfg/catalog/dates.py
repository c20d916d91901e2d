"""Dated facts used by deadline rules (basic-auth retirement, API shutdowns).

Each date carries its source and whether a vendor document confirms it.
Dates given only as "end of <month>" or "H2 <year>" are stored as a concrete day with
``approximate=True``. Plans that were later revised keep their entry with ``superseded_by``, so
rules can explain how a deadline moved. Sources: each entry's ``source``.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from types import MappingProxyType

from mailoauth_cfg.catalog import sources as src
from mailoauth_cfg.records import record

__all__ = [
    "DATED_FACTS",
    "EXO_BASIC_AUTH_OTHER_PROTOCOLS_OFF",
    "EXO_SMTP_BASIC_AUTH_DEFAULT_OFF",
    "GOOGLE_IAP_OAUTH_ADMIN_API_SHUTDOWN",
    "GOOGLE_LSA_PERSONAL_REMOVED",
    "GOOGLE_LSA_WORKSPACE_OFF",
    "GOOGLE_LSA_WORKSPACE_OFF_ORIGINAL",
    "DatedFact",
    "dated_fact",
]


@record
class DatedFact:
    """A vendor deadline or change date."""

    id: str
    """Stable kebab-case identifier."""
    date: _dt.date
    summary: str
    source: str
    verified: bool
    """True when it comes from vendor documentation, not a third-party summary."""
    approximate: bool = False
    """The vendor gave a month or half-year, not a day; ``date`` is a representative day:
    the end of the month for "end of"/"in <month>" deadlines, the first day otherwise (see
    ``summary``)."""
    superseded_by: str | None = None
    """Id of the fact that replaced this plan, if it was revised."""
    as_of: _dt.date | None = None
    """Date of the vendor update the fact reflects, when known."""


_FACTS: tuple[DatedFact, ...] = (
    # --- Microsoft Exchange Online -----------------------------------------------------------
    DatedFact(
        id="exo-basic-auth-other-protocols-off",
        date=_dt.date(2022, 10, 1),
        summary=(
            "Exchange Online starts disabling Basic auth for EWS, EAS, POP, IMAP, Remote "
            "PowerShell and Autodiscover (not SMTP AUTH)."
        ),
        source=src.MS_BASIC_AUTH_DEPRECATION,
        verified=True,
    ),
    DatedFact(
        id="exo-basic-auth-reenable-ended",
        date=_dt.date(2023, 1, 1),
        summary=(
            "The temporary one-time re-enable of Basic auth for the other protocols ended "
            "(early January 2023)."
        ),
        source=src.MS_BASIC_AUTH_DEPRECATION,
        verified=True,
        approximate=True,
    ),
    DatedFact(
        id="exo-smtp-basic-auth-announced",
        date=_dt.date(2024, 4, 26),
        summary="MC786329 announces the retirement of Basic auth for SMTP AUTH client submission.",
        source=src.MS_MC786329,
        verified=False,
    ),
    DatedFact(
        id="exo-smtp-basic-auth-original-plan",
        date=_dt.date(2025, 9, 30),
        summary="Original MC786329 plan: Basic auth for SMTP AUTH removed in September 2025.",
        source=src.MS_MC786329,
        verified=False,
        approximate=True,
        superseded_by="exo-smtp-basic-auth-default-off",
        as_of=_dt.date(2024, 4, 26),
    ),
    DatedFact(
        id="exo-smtp-basic-auth-rejections-start",
        date=_dt.date(2026, 3, 1),
        summary="First delay (12 Jun 2025): phased rejection of Basic SMTP AUTH from 1 Mar 2026.",
        source=src.MS_MC786329,
        verified=False,
        superseded_by="exo-smtp-basic-auth-default-off",
        as_of=_dt.date(2025, 6, 12),
    ),
    DatedFact(
        id="exo-smtp-basic-auth-rejections-complete",
        date=_dt.date(2026, 4, 30),
        summary="First delay (12 Jun 2025): 100% of Basic SMTP AUTH rejected by 30 Apr 2026.",
        source=src.MS_MC786329,
        verified=False,
        superseded_by="exo-smtp-basic-auth-default-off",
        as_of=_dt.date(2025, 6, 12),
    ),
    DatedFact(
        id="exo-smtp-basic-auth-default-off",
        date=_dt.date(2026, 12, 31),
        summary=(
            "Current plan (update of 27 Jan 2026): Basic auth for SMTP AUTH is disabled by "
            "default for existing tenants at the end of December 2026 (admins can re-enable); "
            "new tenants created after that have it unavailable by default. Rejected clients "
            "get '550 5.7.30 Basic authentication is not supported for Client Submission'."
        ),
        source=src.MS_MC786329,
        verified=False,
        approximate=True,
        as_of=_dt.date(2026, 1, 27),
    ),
    DatedFact(
        id="exo-smtp-basic-auth-removal-announcement",
        date=_dt.date(2027, 7, 1),
        summary=(
            "Microsoft will announce the final removal date of Basic auth for SMTP AUTH in the "
            "second half of 2027 (date stored is the start of H2 2027)."
        ),
        source=src.MS_MC786329,
        verified=False,
        approximate=True,
        as_of=_dt.date(2026, 1, 27),
    ),
    # --- Google less secure apps -------------------------------------------------------------
    DatedFact(
        id="google-lsa-personal-removed",
        date=_dt.date(2022, 5, 30),
        summary="Less secure app access removed for personal Google accounts.",
        source=src.GOOGLE_LSA_PERSONAL,
        verified=False,
    ),
    DatedFact(
        id="google-lsa-workspace-no-new",
        date=_dt.date(2024, 6, 15),
        summary=(
            "Workspace phase 1: no new less-secure-app connections; the Admin console toggle is "
            "removed."
        ),
        source=src.GOOGLE_LSA_TRANSITION,
        verified=True,
    ),
    DatedFact(
        id="google-lsa-workspace-off-original",
        date=_dt.date(2024, 9, 30),
        summary=(
            "Workspace phase 2 as first announced: less secure apps off for all accounts; "
            "IMAP/SMTP/POP, CalDAV and CardDAV stop accepting passwords (app passwords excepted)."
        ),
        source=src.GOOGLE_LSA_TRANSITION,
        verified=True,
        superseded_by="google-lsa-workspace-off",
    ),
    DatedFact(
        id="google-lsa-workspace-off",
        date=_dt.date(2025, 3, 14),
        summary=(
            "Later revision of Google's transition article: access to less secure apps turned "
            "off for all Google Accounts on 14 Mar 2025 (app passwords still work)."
        ),
        source=src.GOOGLE_LSA_TRANSITION_LATER,
        verified=False,
    ),
    # --- Google IAP OAuth Admin API ----------------------------------------------------------
    DatedFact(
        id="google-iap-oauth-admin-api-deprecated",
        date=_dt.date(2025, 1, 22),
        summary="IAP OAuth Admin API (projects.brands / identityAwareProxyClients) deprecated.",
        source=src.GOOGLE_IAP_DEPRECATIONS,
        verified=True,
    ),
    DatedFact(
        id="google-iap-oauth-admin-api-new-projects-blocked",
        date=_dt.date(2026, 1, 19),
        summary="IAP OAuth Admin API blocked for new projects.",
        source=src.GOOGLE_IAP_DEPRECATIONS,
        verified=True,
    ),
    DatedFact(
        id="google-iap-oauth-admin-api-shutdown",
        date=_dt.date(2026, 3, 19),
        summary=(
            "IAP OAuth Admin API shut down; consent-screen status can no longer be read by any "
            "API and must be declared."
        ),
        source=src.GOOGLE_IAP_DEPRECATIONS,
        verified=True,
    ),
)

DATED_FACTS: Mapping[str, DatedFact] = MappingProxyType({f.id: f for f in _FACTS})
"""All dated facts by id, in chronological order within each provider."""


def dated_fact(fact_id: str) -> DatedFact:
    """Return a fact by id; ``KeyError`` if unknown."""
    return DATED_FACTS[fact_id]


EXO_BASIC_AUTH_OTHER_PROTOCOLS_OFF = DATED_FACTS["exo-basic-auth-other-protocols-off"]
EXO_SMTP_BASIC_AUTH_DEFAULT_OFF = DATED_FACTS["exo-smtp-basic-auth-default-off"]
GOOGLE_LSA_PERSONAL_REMOVED = DATED_FACTS["google-lsa-personal-removed"]
GOOGLE_LSA_WORKSPACE_OFF_ORIGINAL = DATED_FACTS["google-lsa-workspace-off-original"]
GOOGLE_LSA_WORKSPACE_OFF = DATED_FACTS["google-lsa-workspace-off"]
GOOGLE_IAP_OAUTH_ADMIN_API_SHUTDOWN = DATED_FACTS["google-iap-oauth-admin-api-shutdown"]

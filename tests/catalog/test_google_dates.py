"""Google constants and dated facts."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from mailoauth_cfg.catalog import dates, google

KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def test_google_endpoints() -> None:
    assert google.AUTH_URL == "https://accounts.google.com/o/oauth2/v2/auth"
    assert google.TOKEN_URL == "https://oauth2.googleapis.com/token"
    assert google.DEVICE_CODE_URL == "https://oauth2.googleapis.com/device/code"
    assert google.TOKENINFO_URL == "https://oauth2.googleapis.com/tokeninfo"
    assert google.LEGACY_TOKEN_URL == "https://accounts.google.com/o/oauth2/token"
    for key, endpoint in google.ENDPOINTS.items():
        assert endpoint.key == key
        assert endpoint.source
        assert endpoint.url.startswith("https://")


def test_google_scopes_and_lifetimes() -> None:
    assert google.MAIL_SCOPE == "https://mail.google.com/"
    assert google.MAIL_SCOPE not in google.DEVICE_FLOW_ALLOWED_SCOPES
    assert google.device_flow_allows("openid email")
    assert not google.device_flow_allows(["openid", google.MAIL_SCOPE])
    assert google.TESTING_REFRESH_TOKEN_DAYS == 7
    assert google.OFFLINE_AUTH_PARAMS == {"access_type": "offline", "prompt": "consent"}


def test_google_hosts() -> None:
    assert (google.SMTP.host, google.SMTP.port, google.SMTP.security) == (
        "smtp.gmail.com",
        587,
        "starttls",
    )
    assert (google.SMTP_SSL.port, google.SMTP_SSL.security) == (465, "tls")
    assert (google.IMAP.host, google.IMAP.port) == ("imap.gmail.com", 993)
    assert (google.POP.host, google.POP.port) == ("pop.gmail.com", 995)


def test_google_oob_retired() -> None:
    assert "urn:ietf:wg:oauth:2.0:oob" in google.RETIRED_REDIRECT_URIS
    for uri, entry in google.RETIRED_REDIRECT_URIS.items():
        assert entry.uri == uri
        assert entry.source


@pytest.mark.parametrize("fact", dates.DATED_FACTS.values(), ids=lambda f: f.id)
def test_dated_fact_well_formed(fact: dates.DatedFact) -> None:
    assert KEBAB.match(fact.id)
    assert fact.summary.strip()
    assert fact.source.strip()
    assert isinstance(fact.date, dt.date)
    if fact.superseded_by is not None:
        assert fact.superseded_by in dates.DATED_FACTS
        assert fact.superseded_by != fact.id


@pytest.mark.parametrize(
    ("fact_id", "day"),
    [
        ("exo-basic-auth-other-protocols-off", dt.date(2022, 10, 1)),
        ("exo-smtp-basic-auth-default-off", dt.date(2026, 12, 31)),
        ("google-lsa-personal-removed", dt.date(2022, 5, 30)),
        ("google-lsa-workspace-off-original", dt.date(2024, 9, 30)),
        ("google-lsa-workspace-off", dt.date(2025, 3, 14)),
        ("google-iap-oauth-admin-api-shutdown", dt.date(2026, 3, 19)),
    ],
)
def test_key_dates(fact_id: str, day: dt.date) -> None:
    assert dates.dated_fact(fact_id).date == day


def test_current_smtp_plan_is_not_superseded() -> None:
    fact = dates.EXO_SMTP_BASIC_AUTH_DEFAULT_OFF
    assert fact.superseded_by is None
    assert fact.approximate
    assert not fact.verified
    assert fact.as_of == dt.date(2026, 1, 27)
    with pytest.raises(KeyError):
        dates.dated_fact("nope")

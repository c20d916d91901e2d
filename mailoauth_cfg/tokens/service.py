"""Bootstrap, fresh access tokens, refresh and status: what the ``token`` commands call."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, replace

from mailoauth_cfg.errors import TokenError
from mailoauth_cfg.tokens import flows
from mailoauth_cfg.tokens.endpoint import TokenResponse, post_form
from mailoauth_cfg.tokens.setup import TokenSetup
from mailoauth_cfg.tokens.store import TokenLocation, TokenRecord

MIN_VALIDITY = 120.0
"""``token access`` refreshes when the access token has less than this many seconds left."""


def _new_record(setup: TokenSetup, answer: TokenResponse, now: float) -> TokenRecord:
    return TokenRecord(
        user=setup.email,
        refresh_token=answer.refresh_token,
        access_token=answer.access_token,
        expires_at=now + answer.expires_in,
        scopes=answer.scopes or setup.scopes,
        obtained_at=now,
        refreshed_at=now,
        flow=setup.flow,
        client_id=setup.app.client_id,
        token_url=setup.endpoints.token_url,
        provider=setup.provider_name,
        target=setup.target_name,
    )


def obtain(setup: TokenSetup, interaction: flows.Interaction) -> TokenResponse:
    """Run the setup's flow and return the provider's answer (nothing stored)."""
    if setup.flow == "client-credentials":
        return flows.microsoft_client_credentials(setup)
    if setup.provider_type == "google":
        return flows.google_loopback(setup, interaction)
    if setup.flow == "device-code":
        return flows.microsoft_device_code(setup, interaction)
    return flows.microsoft_loopback(setup, interaction)


def bootstrap(setup: TokenSetup, interaction: flows.Interaction) -> TokenRecord:
    """Obtain a refresh token (or an app-only access token) and store it.

    With ``--store -`` (no location) nothing is written; the caller prints
    :func:`export_json` of the returned record.

    Raises:
        TokenError: the flow failed, returned no refresh token, or the store cannot be written.
    """
    if setup.location is not None:
        setup.location.prepare()
    answer = obtain(setup, interaction)
    if not setup.app_only and not answer.refresh_token:
        raise TokenError(
            "the provider returned no refresh token; the request must include offline_access "
            "(Microsoft) or access_type=offline with prompt=consent (Google)"
        )
    record = _new_record(setup, answer, time.time())
    if setup.location is None:
        return record
    location = setup.location
    with location.lock():
        old = location.load(setup.email) if location.format == "sasl-xoauth2" else None
        if old is not None:
            record = replace(record, extra=old.extra)
        location.save(record)
    return record


def export_json(record: TokenRecord) -> str:
    """The record as the native JSON document (for ``--store -``; contains the tokens)."""
    return json.dumps(record.to_native(), indent=2) + "\n"


def _load(setup: TokenSetup, location: TokenLocation) -> TokenRecord:
    record = location.load(setup.email)
    if record is None:
        target = f" --target {setup.target_name}" if setup.target_name else ""
        raise TokenError(
            f"no token for {setup.email} in {location.describe()}; run `mailoauth-cfg token "
            f"bootstrap --user {setup.email}{target}`"
        )
    return record


def _require_token_file(setup: TokenSetup, location: TokenLocation) -> None:
    """Refuse before locking when there is no token file: the lock would leave an empty
    lock file (and maybe a directory) for a mailbox that was never bootstrapped."""
    if not (location.path.exists() or location.path.is_symlink()):
        _load(setup, location)  # raises: no token


def _renew(setup: TokenSetup, record: TokenRecord) -> TokenRecord:
    if setup.app_only:
        answer = flows.microsoft_client_credentials(setup)
        return record.with_tokens(
            access_token=answer.access_token,
            expires_in=answer.expires_in,
            refresh_token=None,
            scopes=answer.scopes,
        )
    if not record.refresh_token:
        raise TokenError(
            f"the token file of {setup.email} holds no refresh token; run `mailoauth-cfg token "
            f"bootstrap --user {setup.email}`"
        )
    token_url = setup.endpoints.token_url
    cert_only = (
        setup.provider_type == "microsoft"
        and flows.confidential(setup)
        and setup.app.client_secret is None
    )
    if cert_only:
        answer = flows.microsoft_refresh_with_certificate(setup, record.refresh_token)
    else:
        form = {
            "grant_type": "refresh_token",
            "refresh_token": record.refresh_token,
            "client_id": setup.app.client_id,
        }
        if setup.provider_type == "microsoft":
            form["scope"] = " ".join(setup.scopes)
        secret = setup.client_secret() if _sends_secret(setup) else None
        if secret:
            form["client_secret"] = secret
        answer = post_form(
            token_url,
            form,
            ca_bundle=setup.ca_bundle,
            what=f"refreshing the token of {setup.email}",
            provider=setup.provider_type,
        )
    return record.with_tokens(
        access_token=answer.access_token,
        expires_in=answer.expires_in,
        refresh_token=answer.refresh_token,
        scopes=answer.scopes,
    )


def _sends_secret(setup: TokenSetup) -> bool:
    """Google clients always send their secret; Microsoft only confidential (web) apps."""
    if setup.app.client_secret is None:
        return False
    return setup.provider_type == "google" or flows.confidential(setup)


def refresh(setup: TokenSetup) -> tuple[TokenRecord, bool]:
    """Renew the access token now, saving a rotated refresh token.

    Returns:
        The new record, and whether the provider rotated the refresh token.

    Raises:
        TokenError: no token stored, or the provider refused the refresh (expired, revoked).
    """
    location = setup.store_location()
    _require_token_file(setup, location)
    with location.lock():
        record = _load(setup, location)
        renewed = _renew(setup, record)
        location.save(renewed)
    rotated = bool(record.refresh_token) and renewed.refresh_token != record.refresh_token
    return renewed, rotated


def access_token(setup: TokenSetup, *, min_validity: float = MIN_VALIDITY) -> str:
    """A valid access token, refreshed (and saved) when it expires within ``min_validity``.

    Raises:
        TokenError: no token stored, or the provider refused the refresh.
    """
    location = setup.store_location()
    if not setup.app_only:
        _require_token_file(setup, location)
    with location.lock():
        record = location.load(setup.email)
        if record is None and setup.app_only:
            # Client credentials need no bootstrap: the app's own credential suffices.
            record = TokenRecord(
                user=setup.email,
                flow=setup.flow,
                client_id=setup.app.client_id,
                token_url=setup.endpoints.token_url,
                provider=setup.provider_name,
                target=setup.target_name,
                obtained_at=time.time(),
            )
        if record is None:
            record = _load(setup, location)
        if record.access_token and record.access_valid_for() > min_validity:
            return record.access_token
        renewed = _renew(setup, record)
        location.save(renewed)
    assert renewed.access_token is not None  # noqa: S101 - set by with_tokens
    return renewed.access_token


@dataclass(frozen=True)
class TokenStatus:
    """What ``token status`` shows: never a token."""

    user: str
    target: str | None
    location: str
    present: bool
    has_refresh_token: bool = False
    access_expires_at: float | None = None
    scopes: tuple[str, ...] = ()
    obtained_at: float | None = None
    refreshed_at: float | None = None
    flow: str | None = None

    def as_dict(self, now: float | None = None) -> dict[str, object]:
        """JSON-ready view with derived ages (seconds)."""
        moment = time.time() if now is None else now
        return {
            "user": self.user,
            "target": self.target,
            "location": self.location,
            "present": self.present,
            "refresh_token": self.has_refresh_token,
            "access_expires_at": _iso(self.access_expires_at),
            "access_expires_in": (
                None if self.access_expires_at is None else int(self.access_expires_at - moment)
            ),
            "scopes": list(self.scopes),
            "obtained_at": _iso(self.obtained_at),
            "age": None if self.obtained_at is None else int(moment - self.obtained_at),
            "refreshed_at": _iso(self.refreshed_at),
            "flow": self.flow,
        }


def _iso(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def status(setup: TokenSetup) -> TokenStatus:
    """The state of the mailbox's token file.

    Raises:
        TokenError: the file exists but cannot be read.
    """
    location = setup.store_location()
    record = location.load(setup.email)
    if record is None:
        return TokenStatus(setup.email, setup.target_name, location.describe(), present=False)
    return TokenStatus(
        user=setup.email,
        target=setup.target_name,
        location=location.describe(),
        present=True,
        has_refresh_token=bool(record.refresh_token),
        access_expires_at=record.expires_at if record.access_token else None,
        scopes=record.scopes,
        obtained_at=record.obtained_at,
        refreshed_at=record.refreshed_at,
        flow=record.flow,
    )

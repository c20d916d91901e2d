"""An app's credentials hand out their secret references constructed from fields already
validated, not validated again: each must equal, field for field and in what it says was set,
the reference a config would have validated."""

from __future__ import annotations

from typing import Any

import pytest

from mailoauth_cfg.model import App
from mailoauth_cfg.model._base import SecretRef

SOURCES = [
    {"env": "ERP_SECRET"},
    {"file": "/run/secrets/erp"},
    {"value": "s3cr3t-literal"},
]

BASE = {"provider": "contoso", "client_id": "35bf992d-c9e9-4616-a12e-7696a6cecc1b"}


def _same(made: SecretRef | None, given: dict[str, Any]) -> None:
    validated = SecretRef.model_validate(given)
    assert made is not None
    assert made == validated
    assert made.model_fields_set == validated.model_fields_set
    assert made.model_dump() == validated.model_dump()
    assert made.describe() == validated.describe()
    if given.get("value") is not None:
        assert made.value is not None
        assert made.value.get_secret_value() == given["value"]


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: next(iter(s)))
def test_a_client_secret_reference_is_the_one_a_config_would_validate(
    source: dict[str, Any],
) -> None:
    app = App.model_validate({**BASE, "client_secret": {**source, "expires": "2027-05-31"}})
    (credential,) = app.all_credentials()
    # the client secret's reference names its three sources, as its model does
    _same(credential.reference, {"env": None, "file": None, "value": None, **source})


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: next(iter(s)))
def test_a_listed_credential_reference_is_the_one_a_config_would_validate(
    source: dict[str, Any],
) -> None:
    app = App.model_validate({**BASE, "credentials": [{"name": "s2026", **source}]})
    (credential,) = app.all_credentials()
    _same(credential.reference, source)

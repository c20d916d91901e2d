"""The catalog package: public names, immutability, light imports, sources."""

from __future__ import annotations

import json
import subprocess
import sys

from mailoauth_cfg import catalog


def test_public_names_exist() -> None:
    for name in catalog.__all__:
        assert hasattr(catalog, name), name


def test_reexports() -> None:
    assert catalog.permission("SMTP.Send") is catalog.microsoft.permission("SMTP.Send")
    assert catalog.explain_code("AADSTS700016") is not None


def test_every_source_string_is_non_empty() -> None:
    values = [v for k, v in vars(catalog.sources).items() if k.isupper()]
    assert values
    for value in values:
        assert isinstance(value, str)
        assert value.strip()


def test_import_is_light() -> None:
    """Importing the catalog pulls in no third-party package beyond what the package root does."""
    code = (
        "import json, sys; import mailoauth_cfg; before = set(sys.modules); "
        "import mailoauth_cfg.catalog; "
        "print(json.dumps(sorted(set(sys.modules) - before)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    added = json.loads(out)
    heavy = ("pydantic", "yaml", "jinja2", "typer", "msgraph", "msal", "httpx", "google.")
    assert not [m for m in added if m.startswith(heavy)], added
    outside = [
        m
        for m in added
        if not m.startswith("mailoauth_cfg.catalog")
        and m.split(".")[0].lstrip("_") not in sys.stdlib_module_names
        and m.split(".")[0] not in sys.stdlib_module_names
    ]
    assert not outside, outside

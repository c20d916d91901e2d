"""Shared helpers of the rendering tests: the golden case, canary secrets, real tools."""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from mailoauth_cfg.loading import load_config
from mailoauth_cfg.model.building import build_config
from mailoauth_cfg.rendering import RenderResult, render

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
EXAMPLE_DIR = REPO / "examples" / "contoso"
GOLDEN_DIR = HERE / "golden" / "contoso"
CASES_DIR = HERE / "cases"
AS_OF = "2026-11-22"
REGEN_COMMAND = "python -m tests.rendering.regen"

#: The example's wavesoft app reads its secret from a file outside the repository; the golden
#: case reads it from this variable instead (every other secret is an ``env:`` already).
WAVESOFT_FILE_LINE = "client_secret: {file: /run/secrets/wavesoft-mail,"
WAVESOFT_ENV_LINE = "client_secret: {env: WAVESOFT_MAIL_SECRET,"

#: Fixed, recognisable fake secrets: each must appear only in files of mode 0600. Each holds
#: characters that URL-encoding and base64 change (``+ / = ~ %``), so that a leak in any of
#: those encodings is a different string to search for.
CANARIES: dict[str, str] = {
    "ERP_MAIL_SECRET": "CANARY-erp+7f/3a=9~%41",
    "PORTAL_MAIL_SECRET": "CANARY-portal+2b/8c=1~%2B",
    "ACME_WEB_SECRET": "CANARY-acmeweb+9d/4e=6~%7E",
    "ACME_DESKTOP_SECRET": "CANARY-acmedesk+5a/0f=3~%20",
    "WAVESOFT_MAIL_SECRET": "CANARY-wave+6c/2d=8~%3D",
}

#: The variants case (tests/rendering/cases/variants): the other provider of each target type.
VARIANTS_CONFIG = HERE / "cases" / "variants" / "mailoauth.yaml"
VARIANTS_GOLDEN_DIR = HERE / "golden" / "variants"
VARIANT_SECRETS: dict[str, str] = {
    "VAR_MS_SECRET": "CANARY-varms+1a/2b=~%41",
    "VAR_G_SECRET": "CANARY-varg+3c/4d=~%2F",
    "VAR_APP_PASSWORD": "CANARY-apppw+5e/6f=~%25",
}

#: A kind's own render case, beside its other tests: tests/targets/<kind>/render/.
KIND_CASES = REPO / "tests" / "targets"
KIND_SECRETS: dict[str, str] = {"KIND_SECRET": "CANARY-kind-7e9a"}


def encodings(secret: str) -> list[str]:
    """``secret`` in every encoding it could leak in: raw, JSON-escaped, base64 (both alphabets,
    padded or not), URL- and form-encoded (upper- and lower-case hex, ``~`` encoded or not)."""
    import base64
    import json
    import urllib.parse

    raw = secret.encode()
    quoted = urllib.parse.quote(secret, safe="")
    forms = [
        secret,
        json.dumps(secret)[1:-1],
        base64.b64encode(raw).decode(),
        base64.b64encode(raw).decode().rstrip("="),
        base64.urlsafe_b64encode(raw).decode().rstrip("="),
        quoted,
        quoted.lower(),
        urllib.parse.quote_plus(secret),
        urllib.parse.quote_plus(secret).replace("~", "%7E"),
    ]
    return list(dict.fromkeys(forms))


def golden_case(directory: Path) -> Path:
    """Copy examples/contoso into ``directory`` with the wavesoft secret read from the env.

    Returns the config path. Fails loudly if the example no longer has the line to replace, so
    the golden case never silently drifts from the example.
    """
    target = directory / "contoso"
    shutil.copytree(EXAMPLE_DIR, target)
    config = target / "mailoauth.yaml"
    text = config.read_text(encoding="utf-8")
    if text.count(WAVESOFT_FILE_LINE) != 1:
        pytest.fail(
            f"examples/contoso/mailoauth.yaml no longer has {WAVESOFT_FILE_LINE!r} exactly "
            "once: update tests/rendering/support.py (golden_case) and run " + REGEN_COMMAND
        )
    config.write_text(text.replace(WAVESOFT_FILE_LINE, WAVESOFT_ENV_LINE), encoding="utf-8")
    return config


def golden_cases(directory: Path) -> dict[str, tuple[Path, dict[str, str], Path]]:
    """Name → (config, secrets, golden directory) of every golden case."""
    cases = {
        "contoso": (golden_case(directory), CANARIES, GOLDEN_DIR),
        "variants": (VARIANTS_CONFIG, VARIANT_SECRETS, VARIANTS_GOLDEN_DIR),
    }
    for config in sorted(KIND_CASES.glob("*/render/mailoauth.yaml")):
        cases[config.parent.parent.name] = (config, KIND_SECRETS, config.parent / "golden")
    return cases


def golden_case_names() -> list[str]:
    """The golden cases, without copying the example (for test parametrisation)."""
    names = ["contoso", "variants"]
    names += [p.parent.parent.name for p in sorted(KIND_CASES.glob("*/render/mailoauth.yaml"))]
    return names


def render_config(
    config: Path, environ: Mapping[str, str], *, only: list[str] | None = None, **options: Any
) -> RenderResult:
    """Load, build and render ``config`` in memory (the rule catalogue is not run);
    ``options`` go to :func:`~mailoauth_cfg.rendering.render`."""
    loaded = load_config(config)
    built = build_config(loaded)
    assert built.config is not None, [str(f) for f in built.findings]
    return render(
        built.config,
        loaded.marks,
        config_name=config.name,
        root=loaded.root,
        only=only,
        environ=environ,
        **options,
    )


def tree(directory: Path) -> dict[str, bytes]:
    """Every regular file under ``directory``: POSIX relative path → bytes."""
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def require(binary: str, package: str) -> str:
    """The path of ``binary``, or a test failure naming the Debian package to install.

    These checks run the real tools; a missing one is a broken test machine, not a skip.
    """
    found = shutil.which(binary) or next(
        (str(p) for p in (Path("/usr/sbin") / binary, Path("/sbin") / binary) if p.exists()),
        None,
    )
    if found is None:
        pytest.fail(
            f"{binary} is not installed: apt-get install -y {package} "
            "(scripts/test-all installs it)",
            pytrace=False,
        )
    return found


def child_env(**extra: str) -> dict[str, str]:
    """A minimal environment for subprocesses (PATH, LANG) plus ``extra``."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    env.update(extra)
    return env

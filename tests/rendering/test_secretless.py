"""``render --check/--diff --no-secrets``: review rendered output in pipelines without secrets.

The golden cases (every target type) are written with their canary secrets, as a deployment
does; the checks then run on renders that read no secret.
"""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest
from typer.testing import CliRunner

from mailoauth_cfg.cli import app
from mailoauth_cfg.loading import load_config
from mailoauth_cfg.model.building import build_config
from mailoauth_cfg.rendering import render, secretless
from mailoauth_cfg.rendering.writer import (
    MANIFEST,
    MASK,
    STAGE_PREFIX,
    RenderedFile,
    write_files,
)
from tests.rendering.support import golden_cases, render_config


def _written(name: str, tmp_path: Path) -> tuple[Path, dict[str, str], Path]:
    config, secrets, _ = golden_cases(tmp_path)[name]
    if not config.is_relative_to(tmp_path):  # tests edit it: work on a copy
        shutil.copytree(config.parent, tmp_path / "case")
        config = tmp_path / "case" / config.name
    out = tmp_path / "out"
    real = render_config(config, secrets)
    assert not real.findings
    write_files(real.files, out)
    return config, secrets, out


@pytest.fixture(params=["contoso", "variants"])
def case(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, dict[str, str], Path]:
    """(config, secrets, DIR written with the secrets) of each golden case."""
    return _written(request.param, tmp_path)


@pytest.fixture
def contoso(tmp_path: Path) -> tuple[Path, dict[str, str], Path]:
    """The example's golden case (its config renders through the CLI: no blocking finding)."""
    return _written("contoso", tmp_path)


def _secretless(config: Path) -> list[RenderedFile]:
    loaded = load_config(config)
    built = build_config(loaded)
    assert built.config is not None
    result = render(
        built.config,
        loaded.marks,
        config_name=config.name,
        root=loaded.root,
        environ={},
        secretless=True,
    )
    assert not result.findings  # no secret is read, so none is missing
    return result.files


def _secret_paths(out: Path) -> list[str]:
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    return [entry["path"] for entry in manifest["files"] if entry["secret"]]


def _encodings(value: str) -> set[str]:
    raw = value.encode("utf-8")
    return {value, base64.b64encode(raw).decode(), quote(value, safe=""), raw.hex()}


def test_render_without_secrets_reads_none(tmp_path: Path) -> None:
    config, secrets, _ = golden_cases(tmp_path)["contoso"]
    files = _secretless(config)
    for f in files:
        for secret in secrets.values():
            assert secret.encode() not in f.content


def test_spans_cover_every_secret(case: tuple[Path, dict[str, str], Path]) -> None:
    config, secrets, _ = case
    real = render_config(config, secrets).files
    holders = [f for f in real if f.secret]
    assert holders
    for f in holders:
        assert f.secret_spans
        masked = f.masked_content.decode("utf-8")
        assert MASK in masked
        for secret in f.secrets:
            for encoded in _encodings(secret):
                assert encoded not in masked, (f.path, encoded)
        assert (
            masked.encode()
            == next(s for s in _secretless(config) if s.path == f.path).masked_content
        )


def test_check_is_clean_with_or_without_the_secret_files(
    case: tuple[Path, dict[str, str], Path],
) -> None:
    config, _, out = case
    files = _secretless(config)
    assert secretless.check(files, out).clean
    for path in _secret_paths(out):
        (out / path).unlink()  # never committed: a pull request's checkout has none
    plan = secretless.check(files, out)
    assert plan.clean, plan
    assert secretless.diff(files, out) == ""


def test_a_rotated_secret_is_not_a_change(case: tuple[Path, dict[str, str], Path]) -> None:
    config, secrets, out = case
    rotated = {name: value + "-rotated" for name, value in secrets.items()}
    write_files(render_config(config, rotated).files, out)
    assert secretless.check(_secretless(config), out).clean


def test_config_change_in_a_secret_bearing_file_is_found(
    case: tuple[Path, dict[str, str], Path],
) -> None:
    config, secrets, out = case
    for path in _secret_paths(out):
        (out / path).unlink()
    text = config.read_text(encoding="utf-8")
    client_ids = [line for line in text.splitlines() if "client_id:" in line]
    assert client_ids
    changed = text
    for line in client_ids:  # every app's client ID: each secret-bearing file names one
        changed = changed.replace(
            line, line.rstrip()[:-1] + ("0" if line.rstrip()[-1] != "0" else "1")
        )
    config.write_text(changed, encoding="utf-8")
    files = _secretless(config)
    plan = secretless.check(files, out)
    stale = set(plan.changed)
    secret_stale = [p for p in stale if p in _secret_paths(out)]
    assert secret_stale, plan
    diff = secretless.diff(files, out)
    assert "its recorded masked digest differs" in diff
    for secret in secrets.values():
        for encoded in _encodings(secret):
            assert encoded not in diff


def test_hand_edit_of_a_secret_bearing_file_is_found_and_masked(
    case: tuple[Path, dict[str, str], Path],
) -> None:
    config, secrets, out = case
    path = out / _secret_paths(out)[0]
    path.write_bytes(path.read_bytes() + b"\n# edited by hand\n")
    files = _secretless(config)
    plan = secretless.check(files, out)
    assert _secret_paths(out)[0] in plan.changed
    diff = secretless.diff(files, out)
    assert "-# edited by hand" in diff
    for secret in secrets.values():
        for encoded in _encodings(secret):
            assert encoded not in diff


def test_edit_that_moves_the_secret_shows_no_secret(
    case: tuple[Path, dict[str, str], Path],
) -> None:
    """Bytes inserted before a secret shift it out of its recorded span: the old file cannot be
    masked reliably, so nothing of it is shown."""
    config, secrets, out = case
    path = out / _secret_paths(out)[0]
    data = path.read_bytes()
    path.write_bytes(b"#" * 7 + data)
    diff = secretless.diff(_secretless(config), out)
    for secret in secrets.values():
        for encoded in _encodings(secret):
            assert encoded not in diff


def test_cli_check_and_diff_without_secrets(
    contoso: tuple[Path, dict[str, str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    config, secrets, out = contoso
    for name in secrets:
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()
    args = ["render", str(config), "--out", str(out), "--as-of", "2026-11-22"]
    result = runner.invoke(app, [*args, "--check", "--no-secrets"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.stdout
    assert "secrets masked" in result.stdout
    without = runner.invoke(app, [*args, "--check"])
    assert without.exit_code == 1  # the plain check needs the secrets
    assert "secret-unresolved" in without.stderr
    readme = next(out.rglob("README.md"))
    readme.write_text(readme.read_text(encoding="utf-8") + "x\n", encoding="utf-8")
    result = runner.invoke(app, [*args, "--check", "--no-secrets"])
    assert result.exit_code == 1
    assert f"stale: {readme}" in result.stdout
    result = runner.invoke(app, [*args, "--diff", "--no-secrets"])
    assert result.exit_code == 1
    assert "-x" in result.stdout


def test_no_secrets_only_compares(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["render", "x.yaml", "--no-secrets"])
    assert result.exit_code == 2
    assert "--no-secrets goes with --check or --diff" in result.stderr


def test_manifest_records_spans_and_masked_digest(case: tuple[Path, dict[str, str], Path]) -> None:
    _, secrets, out = case
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        if not entry["secret"]:
            assert "secret_spans" not in entry
            continue
        data = (out / entry["path"]).read_bytes()
        inside = [data[start:end].decode() for start, end in entry["secret_spans"]]
        assert inside
        assert all(any(secret in text for secret in secrets.values()) for text in inside)
    text = json.dumps(manifest)
    for secret in secrets.values():
        assert secret not in text


def test_checkout_without_manifest_reports_everything_missing(tmp_path: Path) -> None:
    config, _, _ = golden_cases(tmp_path)["contoso"]
    files = _secretless(config)
    plan = secretless.check(files, tmp_path / "empty")
    assert set(plan.created) == {f.path for f in files} | {MANIFEST}


def test_check_without_secrets_reports_what_an_interrupted_render_left(
    contoso: tuple[Path, dict[str, str], Path],
) -> None:
    """Like ``--check`` with the secrets, the secretless check sees a render killed halfway
    (its staging folder still in DIR) and never calls that DIR up to date."""
    config, _, out = contoso
    files = _secretless(config)
    (out / f"{STAGE_PREFIX}4242-deadbeef").mkdir(mode=0o700)
    plan = secretless.check(files, out)
    assert plan.leftovers == (f"{STAGE_PREFIX}4242-deadbeef",)
    assert not plan.clean
    assert (plan.created, plan.changed, plan.stale) == ((), (), ())

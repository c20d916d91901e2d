"""The rendered ``remediation.sh`` scripts run under the real Azure CLI (PyPI ``azure-cli``).

No tenant is reachable here, so az is not signed in: a command az accepts stops at "Please run
'az login'" (exit 1) after parsing its arguments and checking what it checks before signing in,
while a command it rejects fails earlier (an argument error, exit 2) or with its own refusal
("This command is not yet supported on sovereign clouds"). A shim on ``PATH`` runs the real az
for every line and lets the script go on only in the first case, so each script runs whole, in
order, under ``set -eu``, with az set to the app's cloud (``az cloud set``). What this proves:
every az command the scripts hold parses and is allowed on its cloud. What it does not: the
Graph calls themselves (no tenant).
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.rendering.support import CANARIES, child_env, golden_case, render_config
from tests.tools import venv_tool

SOVEREIGN = """\
version: 1
providers:
  gov: {type: microsoft, tenant: 6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d, cloud: usgov}
  cn: {type: microsoft, tenant: 7e1d5e54-9b4f-4a6c-8d2e-3f8a4b5c6d7e, cloud: china}
  dod: {type: microsoft, tenant: 8f2e6f65-0c5a-4b7d-9e3f-4a9b5c6d7e8f, cloud: usgov-dod}
apps:
  gov-relay:
    provider: gov
    client_id: 3a9d5f21-6b7c-4d8e-9f0a-1b2c3d4e5f60
    platform: public
    public_client_flows: true
    permissions: [offline_access, SMTP.Send]
    admin_consent: true
  cn-web:
    provider: cn
    client_id: 1f0e7a6b-2c3d-4e5f-8a9b-0c1d2e3f4a5b
    client_secret: {env: CN_SECRET, expires: 2027-05-31}
    platform: web
    permissions: [offline_access, SMTP.Send]
    admin_consent: true
  dod-relay:
    provider: dod
    client_id: 5e8f0a12-3b4c-4d5e-8f9a-0b1c2d3e4f5a
    platform: public
    public_client_flows: true
    permissions: [offline_access, SMTP.Send]
    admin_consent: true
users:
  - {email: relay@gov.example, provider: gov}
  - {email: erp@cn.example, provider: cn}
  - {email: relay@dod.example, provider: dod}
targets:
  gov-postfix: {type: postfix-sasl-xoauth2, app: gov-relay, users: [relay@gov.example]}
  cn-glpi: {type: glpi, url: https://support.cn.example, app: cn-web, users: [erp@cn.example]}
  dod-postfix: {type: postfix-sasl-xoauth2, app: dod-relay, users: [relay@dod.example]}
"""

DEVICE_CODE_ONLY = """\
version: 1
providers:
  contoso: {type: microsoft, tenant: 6d0c4d43-8a3e-4f5b-9c1d-2e7f3a4b5c6d}
apps:
  relay-mail:
    provider: contoso
    client_id: 3a9d5f21-6b7c-4d8e-9f0a-1b2c3d4e5f60
    platform: public
    public_client_flows: true
    permissions: [offline_access, SMTP.Send, openid]
    admin_consent: true
users:
  - {email: noreply@contoso.com, provider: contoso}
targets:
  relay: {type: postfix-sasl-xoauth2, app: relay-mail, users: [noreply@contoso.com]}
"""

#: az as the operator runs it, not signed in: a command az accepts ends at its sign-in check.
SHIM = """#!/bin/sh
err=$(mktemp)
"$REAL_AZ" "$@" 2>"$err"
rc=$?
if [ "$rc" -eq 1 ] && grep -q "Please run 'az login'" "$err"; then
  printf '%s\\n' "$*" >> "$AZ_LOG"
  rm -f "$err"
  # a `show` finds nothing, so that what the script does when it is missing runs too
  [ "$3" = show ] && exit 3
  exit 0
fi
cat "$err" >&2
rm -f "$err"
exit "$rc"
"""

AZ_CLOUD = re.compile(r"!= (Azure[A-Za-z]+) \]")


@pytest.fixture(scope="module")
def az() -> Path:
    return venv_tool("azure-cli", "az")


def _az_env(tmp: Path, name: str, az: Path) -> dict[str, str]:
    shim = tmp / "shim"
    shim.mkdir(exist_ok=True)
    (shim / "az").write_text(SHIM, encoding="utf-8")
    (shim / "az").chmod(0o755)
    return child_env(
        PATH=f"{shim}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        REAL_AZ=str(az),
        AZURE_CONFIG_DIR=str(tmp / f"az-{name}"),
        AZ_LOG=str(tmp / f"az-{name}.log"),
        AZURE_CORE_COLLECT_TELEMETRY="no",
        AZURE_CORE_NO_COLOR="1",
        HOME=str(tmp),
    )


def _real(az: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(az), *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


def _run_script(tmp: Path, name: str, script: bytes, az: Path) -> tuple[int, str, list[str]]:
    """Run ``script`` with az set to its cloud; (exit code, stderr, az commands accepted)."""
    text = script.decode()
    env = _az_env(tmp, name, az)
    cloud = AZ_CLOUD.search(text)
    if cloud is not None:
        chosen = _real(az, env, "cloud", "set", "--name", cloud.group(1))
        assert chosen.returncode == 0, chosen.stderr
    path = tmp / f"{name}.sh"
    path.write_bytes(script)
    done = subprocess.run(
        ["sh", str(path)], capture_output=True, text=True, env=env, timeout=600, check=False
    )
    log = Path(env["AZ_LOG"])
    accepted = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    return done.returncode, done.stderr, accepted


def _az_lines(script: bytes) -> list[str]:
    """The az commands a script runs (its cloud check aside)."""
    out = []
    for line in script.decode().splitlines():
        if line.strip().startswith(("echo ", "#")):
            continue
        for part in re.split(r"\|\||&&", line.split("  #")[0]):
            part = part.strip().removeprefix("if ").strip()
            if part.startswith("az ") and "cloud show" not in part:
                out.append(part)
    return out


def test_every_command_of_the_example_scripts_is_accepted(tmp_path: Path, az: Path) -> None:
    """The shipped example's scripts (worldwide cloud) run whole under the real az."""
    result = render_config(golden_case(tmp_path), CANARIES)
    scripts = {f.path: f.content for f in result.files if f.path.endswith("remediation.sh")}
    assert len(scripts) >= 4
    for path, script in sorted(scripts.items()):
        name = path.split("/")[1]
        rc, stderr, accepted = _run_script(tmp_path, name, script, az)
        assert rc == 0, (path, stderr)
        assert len(accepted) == len(_az_lines(script)), (path, accepted)
        assert any("admin-consent" in line for line in accepted), path


def test_a_public_app_without_redirect_uri_sets_none(tmp_path: Path, az: Path) -> None:
    """A public app only device-code targets use has no redirect URI: az rejects the option
    without one, so the script must not give it (it would stop before permissions and consent)."""
    config = tmp_path / "mailoauth.yaml"
    config.write_text(DEVICE_CODE_ONLY, encoding="utf-8")
    result = render_config(config, {})
    script = next(f.content for f in result.files if f.path.endswith("remediation.sh"))
    assert b"--public-client-redirect-uris" not in script
    rc, stderr, accepted = _run_script(tmp_path, "relay", script, az)
    assert rc == 0, stderr
    assert [a.split()[:3] for a in accepted][-1] == ["ad", "app", "permission"]
    # what the option alone does to the real az (and so to `set -eu`)
    env = _az_env(tmp_path, "bare", az)
    bare = _real(az, env, "ad", "app", "update", "--id", "x", "--public-client-redirect-uris")
    assert bare.returncode == 2
    assert "expected at least one argument" in bare.stderr


def test_sovereign_clouds_grant_consent_through_graph(tmp_path: Path, az: Path) -> None:
    """az refuses ``admin-consent`` outside the worldwide cloud: the scripts grant the
    delegated permissions (an oauth2PermissionGrant) instead, and run whole there."""
    config = tmp_path / "mailoauth.yaml"
    config.write_text(SOVEREIGN, encoding="utf-8")
    result = render_config(config, {"CN_SECRET": "CANARY-cn-1"})
    scripts = {f.path.split("/")[1]: f.content for f in result.files if f.path.endswith(".sh")}
    for name, cloud in (("gov-relay", "AzureUSGovernment"), ("cn-web", "AzureChinaCloud")):
        script = scripts[name]
        assert b"az ad app permission admin-consent" not in script
        rc, stderr, accepted = _run_script(tmp_path, name, script, az)
        assert rc == 0, (name, stderr)
        assert any(a.startswith("ad app permission grant") for a in accepted), accepted
        assert any(a.startswith("ad sp create") for a in accepted), accepted
        # the refusal the scripts avoid, from the real az on that cloud
        env = _az_env(tmp_path, name, az)
        refused = _real(az, env, "ad", "app", "permission", "admin-consent", "--id", "x")
        assert refused.returncode == 1, (cloud, refused.stderr)
        assert "not yet supported on sovereign clouds" in refused.stderr
    # az has no US Gov DoD cloud: the script says so and stops before any change
    rc, stderr, accepted = _run_script(tmp_path, "dod-relay", scripts["dod-relay"], az)
    assert rc == 1
    assert "no cloud for" in stderr
    assert accepted == []

"""Integration: the ``mailoauth_deploy`` role installs every file-based kind on one host.

The real ``ansible-playbook`` (``connection: local``) applies ``playbooks/hosts.yml`` to a host
whose root is a temporary directory: a Postfix relay, an msmtp account and an
email-oauth2-proxy service. What a host needs besides the rendered files is installed for real:
mailoauth-cfg (a wheel built from this source tree, its dependencies from PyPI) in its virtual
environment with its command linked on PATH, the host config where each target's commands read
it, and email-oauth2-proxy from PyPI (``emailproxy``) with its system user. Three runs: apply,
apply again (nothing changes), then ``--check --diff`` after drift (reported, nothing written).
"""

from __future__ import annotations

import json
import pwd
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

import mailoauth_cfg
from tests.ansible.conftest import (
    AS_OF,
    RELAY_SECRET,
    Certs,
    Smtp,
    ansible_env,
    current_owner,
    make_setup,
    postfix_owner,
    require_postfix_tools,
)
from tests.ansible.test_playbooks import HERE, Scene, State, assert_no_canary

REPO = Path(__file__).resolve().parents[2]
PROXY_USER = "emailproxy"
SCANNER = "scanner@contoso.com"


def _add_proxy(config: Path) -> None:
    """The test config, plus an email-oauth2-proxy target for a scanner's mailbox."""
    doc = yaml.safe_load(config.read_text(encoding="utf-8"))
    doc["users"].append({"email": SCANNER, "provider": "contoso", "smtp_auth": "enabled"})
    doc["targets"]["scanner"] = {
        "type": "email-oauth2-proxy",
        "app": "cli-mail",
        "flow": "device",
        "users": [SCANNER],
        "protocols": ["smtp"],
    }
    config.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel of this source tree: what the role installs as mailoauth-cfg."""
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(REPO)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    (found,) = out.glob("mailoauth_cfg-*.whl")
    return found


@pytest.fixture(scope="module")
def host(
    tmp_path_factory: pytest.TempPathFactory,
    collections_path: Path,
    certs: Certs,
    smtp_server: Smtp,
    wheel: Path,
) -> Scene:
    """Apply, apply again, drift, then --check --diff."""
    require_postfix_tools()
    base = tmp_path_factory.mktemp("hosts")
    setup = make_setup(base / "cfg", certs, smtp_server.port)
    _add_proxy(setup.config)
    root = base / "host"
    owner, group = current_owner()
    variables = base / "vars.json"
    variables.write_text(
        json.dumps(
            {
                "config_file": str(setup.config),
                "as_of": AS_OF,
                "relay_secret": RELAY_SECRET,
                "root_dir": str(root),
                "owner": owner,
                "group": group,
                "tool_version": mailoauth_cfg.__version__,
                "tool_wheels": str(wheel.parent),
                "python": sys.executable,
            }
        ),
        encoding="utf-8",
    )
    inventory = base / "inventory.ini"
    inventory.write_text(
        "[deploy]\nproxy-host\n\n[all:vars]\nansible_connection=local\n"
        f"ansible_python_interpreter={sys.executable}\n",
        encoding="utf-8",
    )
    env = ansible_env(
        collections_path,
        ANSIBLE_CALLBACK_PLUGINS=str(HERE / "callback_plugins"),
        ANSIBLE_CALLBACKS_ENABLED="record",
        ERP_MAIL_SECRET=setup.env["ERP_MAIL_SECRET"],
    )
    env.pop("ACME_RELAY_SECRET", None)
    scene = Scene(
        base=base,
        setup=setup,
        collections=collections_path,
        out_dir=base / "unused-out",
        roots={"proxy-host": root},
        inventory=inventory,
        variables=variables,
        env=env,
    )
    if scene.play("apply", "hosts.yml", "-vvv").rc != 0:
        return scene
    scene.state("apply")
    scene.play("again", "hosts.yml")
    config = root / "etc" / "email-oauth2-proxy" / "scanner.config"
    config.write_text(config.read_text(encoding="utf-8") + "; hand edit\n", encoding="utf-8")
    scene.state("before check")
    scene.play("check", "hosts.yml", "--check", "--diff")
    scene.state("after check")
    return scene


def _who(state: dict[str, State], path: Path) -> tuple[str, str, int]:
    found = state[str(path)]
    return found.owner, found.group, found.mode


def test_every_kind_is_installed_with_its_owners(host: Scene) -> None:
    run = host.run("apply")
    assert run.rc == 0, run.output[-4000:]
    assert_no_canary(run.output)
    state = host.states["apply"]
    root = host.roots["proxy-host"]
    owner, group = current_owner()
    pf_user, pf_group = postfix_owner()
    # Postfix: the token directory inside the chroot belongs to Postfix's smtp client, and the
    # CA bundle the plugin verifies the provider with is there too
    tokens = root / "var" / "spool" / "postfix" / "etc" / "tokens"
    assert _who(state, tokens) == (pf_user, pf_group, 0o700)
    bundle = root / "var" / "spool" / "postfix" / "etc" / "ssl" / "certs" / "ca-certificates.crt"
    assert state[str(bundle)].content == Path("/etc/ssl/certs/ca-certificates.crt").read_bytes()
    relay_config = yaml.safe_load(
        state[str(root / "etc" / "mailoauth-cfg" / "relay.yaml")].content or b""
    )
    assert list(relay_config["targets"]) == ["relay"]
    # msmtp: the host config where passwordeval reads it, naming only its own target
    cron = yaml.safe_load(host.setup.config.read_text())["targets"]["cron-mail"]
    msmtp_config = Path(cron.get("config_path", "/etc/mailoauth-cfg/mailoauth.yaml"))
    installed = yaml.safe_load(state[f"{root}{msmtp_config}"].content or b"")
    assert list(installed["targets"]) == ["cron-mail"]
    assert "passwordeval" in (state[str(root / "etc" / "msmtprc")].content or b"").decode()
    # the proxy: its user, its config (readable by its group only), its cache directory
    user = pwd.getpwnam(PROXY_USER)
    assert user.pw_shell == "/usr/sbin/nologin"
    config = root / "etc" / "email-oauth2-proxy" / "scanner.config"
    assert _who(state, config) == (owner, PROXY_USER, 0o640)
    assert b"[scanner@contoso.com]" in (state[str(config)].content or b"")
    cache_dir = root / "var" / "lib" / "email-oauth2-proxy"
    assert _who(state, cache_dir) == (PROXY_USER, PROXY_USER, 0o700)
    unit = root / "etc" / "systemd" / "system" / "email-oauth2-proxy-scanner.service"
    assert _who(state, unit) == (owner, group, 0o644)
    assert "User=emailproxy" in (state[str(unit)].content or b"").decode()
    proxy_config = yaml.safe_load(
        state[str(root / "etc" / "mailoauth-cfg" / "scanner.yaml")].content or b""
    )
    assert list(proxy_config["targets"]) == ["scanner"]


def test_the_installed_programs_run(host: Scene) -> None:
    """mailoauth-cfg from its virtual environment validates the host config it was given;
    the proxy's command (the one its unit runs) starts."""
    assert host.run("apply").rc == 0
    root = host.roots["proxy-host"]
    link = root / "usr" / "local" / "bin" / "mailoauth-cfg"
    assert str(link.readlink()) == "/opt/mailoauth-cfg/bin/mailoauth-cfg"
    tool = root / "opt" / "mailoauth-cfg" / "bin" / "mailoauth-cfg"
    checked = subprocess.run(
        [str(tool), "validate", str(root / "etc" / "mailoauth-cfg" / "scanner.yaml"),
         "--as-of", AS_OF],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
    proxy = root / "opt" / "email-oauth2-proxy" / "bin" / "emailproxy"
    helped = subprocess.run(
        [str(proxy), "--help"], capture_output=True, text=True, timeout=120, check=False
    )
    assert helped.returncode == 0, helped.stderr
    for option in ("--no-gui", "--local-server-auth", "--config-file", "--cache-store"):
        assert option in helped.stdout


def test_second_run_changes_nothing(host: Scene) -> None:
    run = host.run("again")
    assert run.rc == 0, run.output[-4000:]
    changed = [r["task"] for r in run.records if r["result"].get("changed")]
    assert changed == []


def test_check_diff_reports_the_drifted_proxy_config_and_writes_nothing(host: Scene) -> None:
    run = host.run("check")
    assert run.rc == 0, run.output[-4000:]
    assert host.states["after check"] == host.states["before check"]
    assert run.one("Install the proxy's config")["result"]["changed"] is True
    assert "-; hand edit" in run.output
    assert run.one("Install the proxy's service unit")["result"]["changed"] is False
    changed: list[Any] = [r["task"] for r in run.records if r["result"].get("changed")]
    assert all("proxy" in task for task in changed), changed

"""Integration: the real ``ansible-playbook`` against localhost (``connection: local``).

One scene, four runs (each 5-15 s, so scenarios are batched):

1. ``site.yml`` applied: validate, render every target, probe a login (play 1), then the
   ``mailoauth_deploy`` role on two local "hosts" whose roots are temporary directories
   (``postconf`` and ``lineinfile`` methods).
2. ``site.yml`` again: nothing changes (render task ``changed=false``, recap ``changed=0``).
3. ``site.yml --check --diff`` after drift was introduced: changes and diffs reported, nothing
   written, the render destination (a fresh directory) never created.
4. ``broken.yml``: the validate gate fails with the findings in the message.

Runs 1 and 3 use ``-vvv``; the canary secrets (a client secret from the process environment, one
from a vars file standing in for Ansible Vault, the mailbox's access token, and an old secret
left in a drifted file) must appear nowhere in stdout/stderr, only in the 0600 files meant to
hold them. Structured results come from a test callback (``callback_plugins/record.py``).
"""

from __future__ import annotations

import datetime as dt
import grp
import json
import pwd
import re
import stat
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.ansible.conftest import (
    AS_OF,
    BROKEN_CONFIG,
    CANARIES,
    ERP_SECRET,
    RELAY_SECRET,
    TOKEN,
    Certs,
    Setup,
    Smtp,
    ansible_env,
    current_owner,
    make_setup,
    postfix_owner,
    require_postfix_tools,
)

HERE = Path(__file__).resolve().parent
PLAYBOOKS = HERE / "playbooks"
OLD_SECRET = "old-canary-0d9e8f7a6b"
HOSTS = ("host-postconf", "host-lineinfile")
EXPECTED_MAIN_CF = [
    "relayhost = [smtp.gmail.com]:587",
    "smtp_sasl_auth_enable = yes",
    "smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd",
    "smtp_sasl_security_options =",
    "smtp_sasl_mechanism_filter = xoauth2",
    "smtp_tls_security_level = encrypt",
]


@dataclass
class Run:
    """One ansible-playbook run: exit code, combined output and recorded task results."""

    rc: int
    output: str
    records: list[dict[str, Any]]
    seconds: float

    def tasks(self, name: str, host: str | None = None) -> list[dict[str, Any]]:
        """Records of tasks whose name ends with ``name`` (role tasks are prefixed)."""
        return [
            r
            for r in self.records
            if r["task"].endswith(name) and (host is None or r["host"] == host)
        ]

    def one(self, name: str, host: str | None = None) -> dict[str, Any]:
        """The single record of ``name`` (on ``host``)."""
        found = self.tasks(name, host)
        assert len(found) == 1, (name, host, [r["task"] for r in self.records])
        return found[0]


@dataclass
class Scene:
    """Temporary directories, inventory and variables shared by the runs."""

    base: Path
    setup: Setup
    collections: Path
    out_dir: Path
    roots: dict[str, Path]
    inventory: Path
    variables: Path
    env: dict[str, str]
    runs: dict[str, Run] = field(default_factory=dict)
    states: dict[str, dict[str, State]] = field(default_factory=dict)
    """Snapshots of the render destination and the roots, by moment."""

    def run(self, name: str) -> Run:
        """The run ``name``; fails when it did not happen (an earlier run failed)."""
        if name not in self.runs:
            pytest.fail(f"run {name!r} did not happen: an earlier run failed", pytrace=False)
        return self.runs[name]

    def state(self, moment: str) -> dict[str, State]:
        """Take (and keep) a snapshot of every file the playbooks may write."""
        self.states[moment] = snapshot(self.out_dir, *self.roots.values())
        return self.states[moment]

    def play(self, name: str, playbook: str, *args: str, **extra_env: str) -> Run:
        """Run ``ansible-playbook`` and record the result under ``name``."""
        record = self.base / f"{name}.jsonl"
        env = {**self.env, "MAILOAUTH_RECORD": str(record), **extra_env}
        argv = [
            str(Path(sys.executable).with_name("ansible-playbook")),
            "-i",
            str(self.inventory),
            "-e",
            f"@{self.variables}",
            str(PLAYBOOKS / playbook),
            *args,
        ]
        started = time.monotonic()
        done = subprocess.run(
            argv,
            cwd=self.setup.root,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
        lines = record.read_text(encoding="utf-8").splitlines() if record.exists() else []
        records = [json.loads(x) for x in lines]
        run = Run(done.returncode, done.stdout + done.stderr, records, time.monotonic() - started)
        (self.base / f"{name}.out").write_text(run.output, encoding="utf-8")  # for debugging
        self.runs[name] = run
        return run


@dataclass(frozen=True)
class State:
    """A file or directory at one moment."""

    content: bytes | None
    """``None`` for a directory."""
    mode: int
    owner: str
    group: str


def snapshot(*roots: Path) -> dict[str, State]:
    """Every file and directory under ``roots``, by path."""
    seen: dict[str, State] = {}
    for root in roots:
        if not root.exists():
            continue
        for path in sorted([root, *root.rglob("*")]):
            info = path.lstat()
            seen[str(path)] = State(
                content=path.read_bytes() if path.is_file() else None,
                mode=stat.S_IMODE(info.st_mode),
                owner=pwd.getpwuid(info.st_uid).pw_name,
                group=grp.getgrgid(info.st_gid).gr_name,
            )
    return seen


def holding(secret: str, state: dict[str, State]) -> dict[str, State]:
    """The files of ``state`` whose content contains ``secret``."""
    return {
        p: s for p, s in state.items() if s.content is not None and secret.encode() in s.content
    }


def assert_no_canary(text: str, *extra: str) -> None:
    """No canary secret in ``text``."""
    for canary in (*CANARIES, *extra):
        assert canary not in text, f"canary {canary} leaked into the Ansible output"


@pytest.fixture(scope="module")
def scene(
    tmp_path_factory: pytest.TempPathFactory,
    collections_path: Path,
    certs: Certs,
    smtp_server: Smtp,
) -> Scene:
    """Config, inventory, variables and the secrets file; nothing run yet."""
    require_postfix_tools()
    smtp_server.refuse = None
    base = tmp_path_factory.mktemp("playbooks")
    setup = make_setup(base / "cfg", certs, smtp_server.port)
    roots = {host: base / host for host in HOSTS}
    owner, group = current_owner()
    secrets = base / "secrets.yml"
    secrets.write_text(f"vault_acme_relay_secret: {RELAY_SECRET}\n", encoding="utf-8")
    secrets.chmod(0o600)
    variables = base / "vars.json"
    variables.write_text(
        json.dumps(
            {
                "config_file": str(setup.config),
                "out_dir": str(base / "out"),
                "as_of": AS_OF,
                "secrets_file": str(secrets),
                "owner": owner,
                "group": group,
            }
        ),
        encoding="utf-8",
    )
    inventory = base / "inventory.ini"
    inventory.write_text(
        "[modules]\nmodules-host\n\n[deploy]\n"
        + "".join(
            f"{host} root_dir={roots[host]} main_cf_method={host.split('-')[1]}\n" for host in HOSTS
        )
        + f"\n[all:vars]\nansible_connection=local\nansible_python_interpreter={sys.executable}\n",
        encoding="utf-8",
    )
    env = ansible_env(
        collections_path,
        ANSIBLE_CALLBACK_PLUGINS=str(HERE / "callback_plugins"),
        ANSIBLE_CALLBACKS_ENABLED="record",
        ERP_MAIL_SECRET=ERP_SECRET,
    )
    env.pop("ACME_RELAY_SECRET", None)
    return Scene(
        base=base,
        setup=setup,
        collections=collections_path,
        out_dir=base / "out",
        roots=roots,
        inventory=inventory,
        variables=variables,
        env=env,
    )


@pytest.fixture(scope="module")
def runs(scene: Scene) -> Scene:
    """Apply, apply again, drift, then --check --diff (with snapshots around the last run)."""
    if scene.play("apply", "site.yml", "-vvv").rc != 0:
        return scene
    scene.state("apply")
    scene.play("again", "site.yml")
    drift(scene)
    scene.state("before check")
    fresh = f"out_dir={scene.base / 'fresh-out'}"
    # The drifted host only: the clean one would add time and nothing new.
    limit = "modules,host-postconf"
    scene.play("check", "site.yml", "-vvv", "--check", "--diff", "-e", fresh, "--limit", limit)
    scene.state("after check")
    return scene


def drift(scene: Scene) -> None:
    """Hand edits and a rotated secret left behind on host-postconf."""
    root = scene.roots["host-postconf"]
    conf = root / "etc" / "sasl-xoauth2.conf"
    conf.write_text(conf.read_text().replace(RELAY_SECRET, OLD_SECRET))
    msmtprc = root / "etc" / "msmtprc"
    msmtprc.write_text(msmtprc.read_text() + "# hand edit\n")
    subprocess.run(
        ["postconf", "-c", str(root / "etc" / "postfix"), "-e", "relayhost = [old.example]:25"],
        check=True,
        capture_output=True,
    )


def test_first_run_validates_renders_probes_and_deploys(runs: Scene) -> None:
    """Run 1: every module and the role succeed and change what they should."""
    run = runs.run("apply")
    assert run.rc == 0, run.output[-4000:]
    validated = run.one("Validate the config", "modules-host")
    assert validated["status"] == "ok"
    assert validated["result"]["changed"] is False
    assert validated["result"]["summary"]["errors"] == 0
    rendered = run.one("Render every target")
    assert rendered["result"]["changed"] is True
    assert "relay/sasl-xoauth2.conf" in rendered["result"]["created"]
    probed = run.one("Probe the SMTP login of cron@contoso.com")
    assert probed["result"]["ok"] is True
    assert probed["result"]["replies"]["smtp"].startswith("235")
    for host in HOSTS:
        assert (
            run.one("Validate the mail OAuth config (pre-deployment gate)", host)["status"] == "ok"
        )
        assert run.one("Install sasl_passwd", host)["result"]["changed"] is True
        assert run.one("Install sasl-xoauth2.conf", host)["result"]["changed"] is True
        assert run.one("Install msmtprc", host)["result"]["changed"] is True
        assert run.one("Postmap sasl_passwd", host)["result"]["changed"] is True
        assert run.one("Reload postfix", host)["result"]["changed"] is True


def test_role_installs_files_with_owners_and_modes(runs: Scene) -> None:
    """Postfix + sasl-xoauth2 and msmtp files, with their owners, modes and the postmap db."""
    assert runs.run("apply").rc == 0
    state = runs.states["apply"]
    owner, group = current_owner()
    pf_user, pf_group = postfix_owner()

    def who(path: Path) -> tuple[str, str, int]:
        found = state[str(path)]
        return found.owner, found.group, found.mode

    for host, root in runs.roots.items():
        etc = root / "etc"
        assert who(etc / "postfix" / "sasl_passwd") == (owner, group, 0o644)
        assert str(etc / "postfix" / "sasl_passwd.db") in state, "postmap handler did not run"
        assert who(etc / "sasl-xoauth2.conf") == (pf_user, pf_group, 0o600)
        assert who(etc / "msmtprc") == (owner, group, 0o600)
        tokens = root / "var" / "spool" / "postfix" / "etc" / "tokens"
        assert who(tokens) == (pf_user, pf_group, 0o700)
        assert who(tokens.parent)[2] == 0o755
        assert state[str(root / "reloads")].content == b"reload\n"
        main_cf = (state[str(etc / "postfix" / "main.cf")].content or b"").decode()
        settings = {" ".join(line.split()) for line in main_cf.splitlines()}
        assert set(EXPECTED_MAIN_CF) <= settings, (host, main_cf)
        msmtprc = (state[str(etc / "msmtprc")].content or b"").decode()
        assert "passwordeval" in msmtprc


def test_canary_secrets_only_in_0600_files(runs: Scene) -> None:
    """With -vvv, no canary in the output; each appears only in 0600 files meant to hold it."""
    run = runs.run("apply")
    assert run.rc == 0
    assert "ESTABLISH LOCAL CONNECTION" in run.output  # really -vvv
    assert_no_canary(run.output)
    assert_no_canary(json.dumps(run.records))
    state = runs.states["apply"]
    relay = holding(RELAY_SECRET, state)
    assert sorted(Path(p).name for p in relay) == ["sasl-xoauth2.conf"] * 3
    erp = holding(ERP_SECRET, state)
    assert {Path(p).parent.name for p in erp} == {"erp"}
    assert {s.mode for s in (relay | erp).values()} == {0o600}
    assert holding(TOKEN, state) == {}


def test_second_run_changes_nothing(runs: Scene) -> None:
    """Run 2: the render task and every other task report changed=false; no handler runs."""
    run = runs.run("again")
    assert run.rc == 0, run.output[-4000:]
    assert run.one("Render every target")["result"]["changed"] is False
    changed = [r["task"] for r in run.records if r["result"].get("changed")]
    assert changed == []
    assert run.tasks("Reload postfix") == []
    for host in ("modules-host", *HOSTS):
        assert re.search(rf"^{host}\s*: ok=\d+\s+changed=0\s", run.output, re.M), host
    assert_no_canary(run.output)


def test_check_diff_reports_drift_and_writes_nothing(runs: Scene) -> None:
    """Run 3 (--check --diff): drift reported with diffs, secrets masked, nothing written."""
    run = runs.run("check")
    assert run.rc == 0, run.output[-4000:]
    assert runs.states["after check"] == runs.states["before check"]
    assert not (runs.base / "fresh-out").exists()
    rendered = run.one("Render every target")["result"]
    assert rendered["changed"] is True
    assert "relay/sasl-xoauth2.conf" in rendered["created"]
    prepared = rendered["diff"]["prepared"]
    assert '+  "client_secret": "********",' in prepared
    assert "+++ b/relay/main.cf" in prepared
    assert run.one("Probe the SMTP login of cron@contoso.com")["status"] == "skipped"
    drifted = "host-postconf"
    assert run.one("Install sasl-xoauth2.conf", drifted)["result"]["changed"] is True
    assert run.one("Install msmtprc", drifted)["result"]["changed"] is True
    assert run.one("Install sasl_passwd", drifted)["result"]["changed"] is False
    assert "-# hand edit" in run.output  # msmtprc holds no secret: diffed
    assert run.one("Set the main.cf settings that differ (postconf -e)", drifted)["status"] == (
        "skipped"
    )
    assert_no_canary(run.output, OLD_SECRET)
    assert_no_canary(json.dumps(run.records), OLD_SECRET)


def test_broken_config_fails_with_findings(scene: Scene, write: Any) -> None:
    """Run 4: the gate fails the play; the message lists the located findings."""
    from mailoauth_cfg.validation import validate_file

    broken = write(scene.base, "broken/mailoauth.yaml", BROKEN_CONFIG)
    run = scene.play("broken", "broken.yml", "-e", f"config_file={broken}")
    assert run.rc == 2, run.output[-4000:]
    failed = run.one("Validate the config")
    assert failed["status"] == "failed"
    message = failed["result"]["msg"]
    assert message.splitlines()[0].endswith("finding(s) at or above error")
    findings = validate_file(broken, as_of=dt.date.fromisoformat(AS_OF)).findings
    errors = sorted(
        (f for f in findings if f.severity.label == "error"), key=lambda f: f.sort_key()
    )
    assert errors
    for finding in errors[:10]:
        where = f"{finding.location.line}:{finding.location.column}"
        assert f"mailoauth.yaml:{where} error {finding.rule}: {finding.message}" in message
    assert run.tasks("Never reached") == []
    assert "FAILED!" in run.output
    first = errors[0]
    shown = f"{first.location.line}:{first.location.column} error {first.rule}: {first.message}"
    assert shown in run.output  # what the operator sees

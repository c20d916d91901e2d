"""Run a document's commands in order, as its reader would, against the test machine's real
servers and programs.

Every command of every ``sh`` (and ``powershell``) block runs, except those the allow-list
names, each with the reason it cannot run here and what the test does in its place. What a
person does between two commands is done by the test, from what the commands print: the
browser that follows a sign-in URL (``$BROWSER`` for mailoauth-cfg's loopback sign-in; the URL
email-oauth2-proxy logs), the device code entered at the provider, the password typed to the
proxy's first login.
"""

from __future__ import annotations

import pwd
import re
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.emulators.browser import follow
from tests.runbooks.extract import Command, commands

Substitute = Callable[["Runner", Command, Path], str]


@dataclass(frozen=True)
class Allowed:
    """A command that cannot run on the test machine."""

    pattern: str
    """A regular expression the whole command matches."""
    reason: str
    """Why it cannot run here."""
    instead: Substitute | None = None
    """What the test does in its place (it returns a description), if anything."""

    def matches(self, command: Command) -> bool:
        return re.fullmatch(self.pattern, command.line) is not None


@dataclass
class Outcome:
    """What became of one command."""

    command: Command
    status: str
    """``ran`` or ``allowed``."""
    detail: str = ""


def _start_unit(runner: Runner, command: Command, cwd: Path) -> str:
    """systemd's part: start the service the command enables, as its unit says (its
    ``ExecStart=`` as its ``User=``), with the test CA trusted."""
    del cwd
    name = command.words[-1]
    unit = Path("/etc/systemd/system") / name
    settings = _unit_settings(unit.read_text(encoding="utf-8"))
    words = [w.replace("%%", "%") for w in settings["ExecStart"].split()]
    user = pwd.getpwnam(settings["User"])
    log = runner.root / f"{name}.log"
    env = {
        "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME": "/",
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        # the test's private CA (a copy the service's user can read): the token endpoint and
        # Dovecot present certificates of it
        "SSL_CERT_FILE": runner.env.get("SSL_CERT_FILE") or str(runner.readable_ca()),
    }
    with log.open("ab") as sink:
        process = subprocess.Popen(
            [
                "setpriv",
                f"--reuid={user.pw_uid}",
                f"--regid={user.pw_gid}",
                "--init-groups",
                "--",
                *words,
            ],
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
            cwd="/",
        )
    runner.services[name] = (process, log)
    runner.units.append(unit)
    runner.wait_listening(log, process)
    return f"started {words[0]} as {settings['User']} (pid {process.pid}), log {log.name}"


def _unit_settings(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        if "=" in line and not line.startswith(("#", ";", "[")):
            key, _, value = line.partition("=")
            out.setdefault(key.strip(), value.strip())
    return out


def _nothing(runner: Runner, command: Command, cwd: Path) -> str:
    del runner, command, cwd
    return ""


#: Commands that cannot run on the test machine, each with the reason and what the test does.
ALLOWED: tuple[Allowed, ...] = (
    Allowed(
        r"systemctl daemon-reload",
        "no systemd manager runs on the test machine (a container without systemd as PID 1); "
        "the unit files are checked by systemd-analyze verify instead",
        _nothing,
    ),
    Allowed(
        r"systemctl enable --now \S+\.service",
        "no systemd manager runs on the test machine; the test starts the service as its unit "
        "says, ExecStart= as User=",
        _start_unit,
    ),
    Allowed(
        r"journalctl -u \S+\.service( -f)?",
        "no systemd journal on the test machine; the test reads the service's output, which "
        "the journal holds on a host",
        _nothing,
    ),
    Allowed(
        r"postfix -c \S+ reload",
        "reloading needs a running Postfix master; the test checks the configuration it would "
        "load with postconf and postmap instead",
        _nothing,
    ),
    Allowed(
        r"sasl-xoauth2-tool test-token-refresh \S+",
        "the sasl-xoauth2 plugin is not packaged in Debian 12: refreshing through the plugin is "
        "the manual check of Postfix targets",
        _nothing,
    ),
    Allowed(
        r"mysql -u USER -p DATABASE < \S+\.sql",
        "needs a Dolibarr database (MariaDB or MySQL with Dolibarr's schema) and asks for its "
        "password on a terminal; the same file is parsed as MySQL by tests/rendering and the "
        "PHP script beside it runs against a stub Dolibarr",
        _nothing,
    ),
    Allowed(
        r"printf '[^']*' \| sendmail -f \S+ \S+",
        "relaying needs the sasl-xoauth2 plugin loaded by a running Postfix (not packaged in "
        "Debian 12): the manual check of Postfix targets",
        _nothing,
    ),
)


@dataclass
class Runner:
    """Runs documents' commands for one scenario."""

    root: Path
    env: dict[str, str]
    ca_file: Path
    approve: Callable[[str, str], None]
    """The provider's part of the device flow: approve a user code for a mailbox."""
    proxy_targets: set[str] = field(default_factory=set)
    password: str = "proxy-client-password-1"
    placeholders: dict[str, str] = field(default_factory=dict)
    """A word a document asks its reader to replace (``<app password>``) → the test's value."""
    outcomes: list[Outcome] = field(default_factory=list)
    services: dict[str, tuple[subprocess.Popen[bytes], Path]] = field(default_factory=dict)
    units: list[Path] = field(default_factory=list)
    browsed: list[str] = field(default_factory=list)

    # -- documents ------------------------------------------------------------------------------

    def document(self, path: Path, label: str, cwd: Path) -> list[Outcome]:
        """Run every command of ``path`` in order, in ``cwd``."""
        found = commands(path.read_text(encoding="utf-8"), label)
        return [self.command(c, cwd) for c in found]

    def command(self, command: Command, cwd: Path) -> Outcome:
        """Run one command (or its allowed substitute); a failure fails the test."""
        allowed = next((a for a in ALLOWED if a.matches(command)), None)
        if allowed is not None:
            detail = allowed.instead(self, command, cwd) if allowed.instead else ""
            outcome = Outcome(command, "allowed", detail or allowed.reason)
        elif command.shell == "powershell":
            outcome = Outcome(command, "ran", self.powershell(command))
        else:
            outcome = Outcome(command, "ran", self.shell(command, cwd))
        self.outcomes.append(outcome)
        return outcome

    # -- shells -----------------------------------------------------------------------------------

    def shell(self, command: Command, cwd: Path) -> str:
        line = command.line
        for placeholder, value in self.placeholders.items():
            line = line.replace(placeholder, value)
        words = command.words
        stdin: str | None = None
        helper: threading.Thread | None = None
        if "probe" in words and _option(words, "--target") in self.proxy_targets:
            stdin = self.password + "\n"  # the password the proxy's clients use
            user = _option(words, "--user") or ""
            helper = threading.Thread(target=self._sign_in_at_proxy, args=(user,), daemon=True)
        if "bootstrap" in words and _option(words, "--flow") == "device-code":
            return self._device_code(command, line, cwd)
        if helper is not None:
            helper.start()
        done = subprocess.run(
            ["sh", "-c", line],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=cwd,
            env=self.env,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            raise AssertionError(
                f"{command}: exit {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
                + self._service_logs()
            )
        return (done.stdout + done.stderr).strip()[-500:]

    def _device_code(self, command: Command, line: str, cwd: Path) -> str:
        """The device flow: the person enters the printed code at the provider."""
        process = subprocess.Popen(
            ["sh", "-c", line],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=cwd,
            env=self.env,
        )
        assert process.stderr is not None
        first = process.stderr.readline()
        code = re.search(r"enter the code ([0-9A-Z]+)", first)
        if code is None:
            process.kill()
            raise AssertionError(f"{command}: no device code in {first!r}")
        self.approve(code.group(1), _option(command.words, "--user") or "")
        stdout, stderr = process.communicate(timeout=120)
        if process.returncode != 0:
            raise AssertionError(f"{command}: exit {process.returncode}\n{stdout}\n{stderr}")
        return stdout.strip()

    def _sign_in_at_proxy(self, user: str) -> None:
        """The person reads the sign-in URL the proxy logs and signs in as ``user``."""
        pattern = re.compile(
            rf"authenticate account {re.escape(user)}: (https?://\S+)", re.IGNORECASE
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for _process, log in list(self.services.values()):
                if not log.exists():
                    continue
                found = pattern.search(log.read_text(encoding="utf-8", errors="replace"))
                if found is not None and found.group(1) not in self.browsed:
                    self.browsed.append(found.group(1))
                    follow(found.group(1), str(self.ca_file))
                    return
            time.sleep(0.1)

    # -- PowerShell -------------------------------------------------------------------------------

    powershell_handler: Callable[[Command], str] | None = None

    def powershell(self, command: Command) -> str:
        if self.powershell_handler is None:
            raise AssertionError(f"{command}: no PowerShell endpoint in this scenario")
        return self.powershell_handler(command)

    # -- services ---------------------------------------------------------------------------------

    def readable_ca(self) -> Path:
        """The test CA where every user may read it."""
        copy = self.root / "test-ca.pem"
        if not copy.exists():
            copy.write_bytes(self.ca_file.read_bytes())
            copy.chmod(0o644)
        return copy

    def wait_listening(self, log: Path, process: subprocess.Popen[bytes]) -> None:
        """Wait for a started service to say it listens (or die)."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"the service died: {log.read_text(errors='replace')}")
            if "listening for authentication requests" in log.read_text(errors="replace"):
                return
            time.sleep(0.1)
        raise AssertionError(f"the service never listened: {log.read_text(errors='replace')}")

    def _service_logs(self) -> str:
        return "".join(
            f"\n--- {name}\n{log.read_text(errors='replace')[-3000:]}"
            for name, (_p, log) in self.services.items()
        )

    def stop(self) -> None:
        """Stop the services the runbooks started and remove the unit files they installed."""
        for process, _log in self.services.values():
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        for unit in self.units:
            unit.unlink(missing_ok=True)

    # -- reporting --------------------------------------------------------------------------------

    def summary(self) -> dict[str, Any]:
        return {
            "commands": len(self.outcomes),
            "ran": sum(o.status == "ran" for o in self.outcomes),
            "allowed": sum(o.status == "allowed" for o in self.outcomes),
        }


def _option(words: list[str], name: str) -> str | None:
    if name in words and words.index(name) + 1 < len(words):
        return words[words.index(name) + 1]
    return None


__all__ = ["ALLOWED", "Allowed", "Outcome", "Runner"]

# -*- coding: utf-8 -*-
# Copyright (c) mailoauth-cfg developers
# MIT License (see https://opensource.org/licenses/MIT)

# FOR INTERNAL COLLECTION USE ONLY
# The leading underscore marks this module util as private to the mailoauth.cfg collection:
# its functions may change without notice. Modules call it; playbooks never do.

"""Shared helpers of the mailoauth.cfg modules: the library import guard, argument specs,
and the conversions from mailoauth-cfg objects (findings, rendered files, probe results) to
the plain data Ansible returns.

The modules stay thin (argument spec, one call here, ``exit_json``); everything they share
lives in this file. Nothing here ever puts a secret value into a result: rendered contents are
not returned, diffs are masked by the library, and every resolved secret is added to the
module's ``no_log_values`` so that Ansible masks it as well, should it ever appear.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import importlib.util
import json
import os
import sys
import traceback
from pathlib import Path

from ansible.module_utils.basic import missing_required_lib

try:
    import mailoauth_cfg
    from mailoauth_cfg.errors import ConfigError, MailoauthCfgError
    from mailoauth_cfg.findings import Severity, Status
    from mailoauth_cfg.validation import build_report, validate_file
except ImportError:
    HAS_MAILOAUTH_CFG = False
    MAILOAUTH_CFG_IMPORT_ERROR = traceback.format_exc()
    # Placeholders so that modules import cleanly and fail through ensure_library().
    mailoauth_cfg = ConfigError = MailoauthCfgError = None
    Severity = Status = build_report = validate_file = None
else:
    HAS_MAILOAUTH_CFG = True
    MAILOAUTH_CFG_IMPORT_ERROR = None

LIBRARY = "mailoauth-cfg"
LIBRARY_URL = "https://pypi.org/project/mailoauth-cfg/"
TOP_FINDINGS = 10
"""How many findings a failure message lists (all of them are in ``findings``)."""

SEVERITIES = ("error", "warning", "info")


def ensure_library(module):
    """Fail the Ansible way when the mailoauth-cfg package is missing on the host."""
    if not HAS_MAILOAUTH_CFG:
        module.fail_json(
            msg=missing_required_lib(LIBRARY, url=LIBRARY_URL),
            exception=MAILOAUTH_CFG_IMPORT_ERROR,
        )


def config_argument_spec(**extra):
    """Options every config-reading module takes, plus ``extra``."""
    spec = dict(
        as_of=dict(type="str"),
        allow_include_outside=dict(type="bool", default=False),
    )
    spec.update(extra)
    return spec


def library_version():
    """The installed mailoauth-cfg version (``None`` when absent)."""
    return getattr(mailoauth_cfg, "__version__", None) if HAS_MAILOAUTH_CFG else None


def parse_as_of(module):
    """The ``as_of`` date (today when omitted); a malformed date fails the task."""
    text = module.params.get("as_of")
    if not text:
        return datetime.date.today()
    try:
        return datetime.date.fromisoformat(str(text))
    except ValueError:
        module.fail_json(msg="as_of expects a date as YYYY-MM-DD, got %r" % (text,))


# --- findings -------------------------------------------------------------------------------


def finding_to_dict(finding):
    """A Finding as flat, JSON-ready data (what ``findings`` holds)."""
    location = finding.location
    suppression = finding.suppression
    return dict(
        rule=finding.rule,
        severity=finding.severity.label,
        status=finding.status.value,
        message=finding.message,
        file=location.file,
        line=location.line,
        column=location.column,
        path=location.path,
        object=finding.object_name,
        fix=finding.fix,
        suppressed_because=None if suppression is None else suppression.reason,
    )


def finding_line(data):
    """``file:line:col severity rule: message`` for one finding dict."""
    where = data["file"]
    if data["line"]:
        where += ":%d" % data["line"]
        if data["column"]:
            where += ":%d" % data["column"]
    return "%s %s %s: %s" % (where, data["severity"], data["rule"], data["message"])


def findings_message(headline, findings, limit=TOP_FINDINGS):
    """A failure message: the headline, then the first ``limit`` findings, one per line."""
    lines = [headline]
    lines.extend(finding_line(f) for f in findings[:limit])
    if len(findings) > limit:
        lines.append("... and %d more (see findings)" % (len(findings) - limit))
    return "\n".join(lines)


def sorted_findings(findings):
    """Findings in report order (file, line, column, rule...)."""
    return sorted(findings, key=lambda f: f.sort_key())


def validate_config(module, path):
    """Validate ``path`` offline; a missing file fails the task."""
    try:
        return validate_file(
            path,
            as_of=parse_as_of(module),
            allow_include_outside=module.params["allow_include_outside"],
        )
    except ConfigError as exc:
        module.fail_json(msg=str(exc))


def report_of(validated):
    """The library's Report for one validated config (sorted findings, summary)."""
    return build_report([validated], tool_version=library_version() or "")


def summary_dict(report):
    """The summary counts as a dict."""
    summary = report.summary
    return dict(
        errors=summary.errors,
        warnings=summary.warnings,
        infos=summary.infos,
        unknown=summary.unknown,
        suppressed=summary.suppressed,
        files=summary.files,
        objects=summary.objects,
    )


# --- online validation ----------------------------------------------------------------------


class OnlineUnavailable(Exception):
    """The installed mailoauth-cfg cannot run live checks."""


def live_available():
    """True when the installed mailoauth-cfg ships the live checks (``validate --online``)."""
    try:
        return importlib.util.find_spec("mailoauth_cfg.live.run") is not None
    except (ImportError, ValueError):
        return False


def online_findings(module, path, fail_on):
    """Run ``mailoauth-cfg validate --online --format json --fail-on FAIL_ON``.

    Returns its findings as dicts and its exit code, which is the library's exit-code policy
    (:meth:`mailoauth_cfg.findings.Report.exit_code`) applied to the offline and live findings.
    The live checks are reached through the command line, their stable interface (exit codes
    0, 1, 3 and 4 carry a report; 2 is a usage error), not through library internals.

    Raises:
        OnlineUnavailable: this mailoauth-cfg has no live checks, or cannot run them here.
    """
    hint = (
        "online validation needs mailoauth-cfg with its live checks on the host that runs the "
        "task: pip install 'mailoauth-cfg[live]' (a version whose `validate` accepts --online)"
    )
    if not live_available():
        raise OnlineUnavailable("the live feature is not available (%s)" % hint)
    argv = [sys.executable, "-m", "mailoauth_cfg", "validate", str(path), "--online"]
    argv += ["--format", "json", "--fail-on", fail_on]
    if module.params.get("as_of"):
        argv += ["--as-of", str(module.params["as_of"])]
    if module.params["allow_include_outside"]:
        argv.append("--allow-include-outside")
    rc, out, err = module.run_command(argv)
    if rc not in (0, 1, 3, 4):
        detail = (err or out).strip().splitlines()
        raise OnlineUnavailable(
            "the live checks could not run: %s (%s)"
            % (detail[-1] if detail else "rc=%d" % rc, hint)
        )
    try:
        document = json.loads(out)
    except ValueError:
        raise OnlineUnavailable("the live checks returned no JSON report (%s)" % hint) from None
    return [_json_finding(item) for item in document.get("findings", [])], rc


def _json_finding(item):
    location = item.get("location") or {}
    suppression = item.get("suppression") or {}
    return dict(
        rule=item.get("rule", ""),
        severity=item.get("severity", "error"),
        status=item.get("status", "fail"),
        message=item.get("message", ""),
        file=location.get("file", ""),
        line=location.get("line", 0),
        column=location.get("column", 0),
        path=location.get("path", ""),
        object=item.get("object", ""),
        fix=item.get("fix", ""),
        suppressed_because=suppression.get("reason"),
    )


def summarize_dicts(findings, files, objects):
    """Summary counts computed from finding dicts (online results)."""
    live = [f for f in findings if f["status"] == "fail"]
    return dict(
        errors=sum(1 for f in live if f["severity"] == "error"),
        warnings=sum(1 for f in live if f["severity"] == "warning"),
        infos=sum(1 for f in live if f["severity"] == "info"),
        unknown=sum(1 for f in findings if f["status"] == "unknown"),
        suppressed=sum(1 for f in findings if f["status"] == "suppressed"),
        files=files,
        objects=objects,
    )


def exit_code_of(report, fail_on):
    """The library's exit code for ``report`` at threshold ``fail_on`` (``error``...)."""
    return int(report.exit_code(Severity.parse(fail_on)))


def failing_dicts(findings, threshold):
    """Finding dicts that fail the task at ``threshold``."""
    rank = {name: len(SEVERITIES) - i for i, name in enumerate(SEVERITIES)}
    level = rank[threshold]
    return [f for f in findings if f["status"] == "fail" and rank.get(f["severity"], 3) >= level]


# --- rendering ------------------------------------------------------------------------------


def secret_environment(module):
    """The process environment plus the ``environment`` option (values as strings)."""
    environ = dict(os.environ)
    for key, value in (module.params.get("environment") or {}).items():
        environ[str(key)] = "" if value is None else str(value)
    return environ


def manifest_entry(rendered, dest):
    """One manifest entry: where the file is, what it is for, its digest and mode; never content."""
    return dict(
        path=rendered.path,
        dest=os.path.join(dest, rendered.path),
        target=rendered.target,
        mailbox=rendered.mailbox,
        sha256=rendered.sha256,
        mode="%04o" % rendered.mode,
        secret=rendered.secret,
    )


def target_settings(config, names):
    """Non-secret settings of the rendered targets, by name (what deployment roles need).

    Besides the config's keys, each entry carries facts of its kind: ``install_tasks``, the
    task file of the ``mailoauth_deploy`` role that installs it on a host (``None`` when the
    role cannot), ``token_store``, where its token files live on the host and who owns them
    (``None`` when the application keeps them), and ``deployment``, where its files go on the
    host, defaults applied.
    """
    from mailoauth_cfg import targets as registry
    from mailoauth_cfg.model import SecretRef

    out = {}
    for name in names:
        target = config.targets[name]
        plugin = registry.plugin(target.type)
        store = plugin.token_store(target)
        settings = {
            "install_tasks": plugin.facts.ansible_tasks,
            "token_store": None
            if store is None
            else dict(directory=store.directory, format=store.format, owner=store.owner),
            "deployment": _plain(plugin.deployment(target, name)),
        }
        for field in type(target).model_fields:
            if field == "suppress":
                continue
            value = getattr(target, field)
            if isinstance(value, SecretRef):
                settings[field] = "(secret)"
                continue
            settings[field] = _plain(value)
        out[name] = settings
    return out


def _plain(value):
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    dump = getattr(value, "model_dump", None)
    if dump is not None:
        return _plain(dump(mode="json"))
    return str(value)


def hide_secrets(module, secrets):
    """Add resolved secret values to the module's ``no_log_values``: Ansible masks them in any
    output, as it masks ``no_log`` options (a second line of defence after masked diffs)."""
    for value in secrets:
        if value:
            module.no_log_values.add(value)


def render_failure(module, headline, findings, **extra):
    """Fail with located findings (converted) and a readable message."""
    data = [finding_to_dict(f) for f in sorted_findings(findings)]
    module.fail_json(msg=findings_message(headline, data), findings=data, **extra)


# --- probing --------------------------------------------------------------------------------


def resolve_mailbox(module):
    """Resolve the ``user`` of ``config`` for a probe (config, target, token store, secrets)."""
    from mailoauth_cfg.tokens.redaction import redact
    from mailoauth_cfg.tokens.setup import STDOUT_STORE, resolve

    store = module.params.get("store")
    if store == STDOUT_STORE:
        module.fail_json(msg="store: '-' prints tokens and cannot be probed; give a directory")
    try:
        return resolve(
            Path(module.params["config"]),
            module.params["user"],
            target=module.params.get("target"),
            store=store,
            ca_bundle=module.params.get("ca_bundle"),
            environ=secret_environment(module),
        )
    except MailoauthCfgError as exc:
        module.fail_json(msg=redact(str(exc)))


def refreshed_at(service, setup):
    """When the mailbox's access token was last renewed (to tell whether a probe refreshed it)."""
    try:
        state = service.status(setup)
    except MailoauthCfgError:
        return None
    return (state.present, state.refreshed_at, state.access_expires_at)


def probe_failure_message(results, user):
    """One line per refused login, with the meaning, the fix and the rules of the reply."""
    lines = []
    for r in results:
        if r.ok:
            continue
        line = "%s %s:%d %s as %s: FAILED at %s: %s" % (
            r.protocol,
            r.host,
            r.port,
            r.mechanism,
            user,
            r.stage,
            r.reply,
        )
        explanation = r.explanation
        if explanation is not None:
            line += " - meaning: %s; fix: %s" % (explanation.title, explanation.fix)
            if explanation.rules:
                line += " (rules: %s)" % ", ".join(explanation.rules)
        lines.append(line)
    return "\n".join(lines)


__all__ = [
    "HAS_MAILOAUTH_CFG",
    "MAILOAUTH_CFG_IMPORT_ERROR",
    "ConfigError",
    "MailoauthCfgError",
    "OnlineUnavailable",
    "Severity",
    "Status",
    "config_argument_spec",
    "ensure_library",
    "exit_code_of",
    "failing_dicts",
    "finding_line",
    "finding_to_dict",
    "findings_message",
    "hide_secrets",
    "library_version",
    "live_available",
    "manifest_entry",
    "online_findings",
    "parse_as_of",
    "probe_failure_message",
    "refreshed_at",
    "render_failure",
    "report_of",
    "resolve_mailbox",
    "secret_environment",
    "sorted_findings",
    "summarize_dicts",
    "summary_dict",
    "target_settings",
    "validate_config",
]

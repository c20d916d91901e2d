#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mailoauth-cfg developers
# MIT License (see https://opensource.org/licenses/MIT)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: validate
short_description: Validate a mailoauth-cfg config and return its findings
version_added: 0.1.0
description:
  - Validates a mailoauth-cfg config (and its includes) offline, as C(mailoauth-cfg validate)
    does, against the schema, the references and the rule catalogue.
  - Returns every finding as structured data, with its rule ID, severity, location and fix.
  - "Fails when a finding reaches O(fail_on); the failure message lists the first ten findings
    as C(file:line:col severity rule: message). Use it as a pre-deployment gate."
  - With O(online=true), also compares the config with the live tenant (the C(validate --online)
    checks of mailoauth-cfg).
  - Never reports a change.
author:
  - mailoauth-cfg developers (@mailoauth-cfg)
extends_documentation_fragment:
  - mailoauth.cfg.common
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Validation changes nothing, so it runs the same in check mode.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  path:
    description:
      - Path of the config file on the host that runs the task.
    type: path
    required: true
    aliases: [config]
  fail_on:
    description:
      - Fail the task when a finding of this severity or worse is present (suppressed findings
        never count).
    type: str
    choices: [error, warning, info]
    default: error
  online:
    description:
      - Also run the live checks against the provider (Entra ID, Exchange Online, Google).
      - Needs mailoauth-cfg with its C(live) extra and credentials in the environment of the
        host that runs the task. When the live feature is not available there, the task fails
        with a message saying so; it never silently falls back to offline checks.
      - Checks that could not complete (status C(unknown)) fail the task.
    type: bool
    default: false
seealso:
  - module: mailoauth.cfg.render
  - name: mailoauth-cfg rule catalogue
    description: >-
      C(mailoauth-cfg rules) lists every rule; C(mailoauth-cfg explain RULE) explains one.
    link: https://github.com/mailoauth-cfg/mailoauth-cfg#readme
"""

EXAMPLES = r"""
- name: Validate the mail OAuth config before deploying
  mailoauth.cfg.validate:
    path: /etc/mailoauth-cfg/mailoauth.yaml

- name: Validate on the controller, failing on warnings too, with a pinned date
  mailoauth.cfg.validate:
    path: "{{ playbook_dir }}/mailoauth/mailoauth.yaml"
    fail_on: warning
    as_of: "2026-06-01"
  delegate_to: localhost
  run_once: true

- name: Collect findings without failing, then report the errors
  mailoauth.cfg.validate:
    path: mailoauth.yaml
  register: checked
  ignore_errors: true

- name: Show each error with its fix
  ansible.builtin.debug:
    msg: "{{ item.file }}:{{ item.line }} {{ item.rule }}: {{ item.message }} (fix: {{ item.fix }})"
  loop: "{{ checked.findings | selectattr('severity', 'equalto', 'error') }}"
  loop_control:
    label: "{{ item.rule }}"
"""

RETURN = r"""
findings:
  description:
    - Every finding, in report order (file, line, column, rule). Suppressed findings are
      included with O(fail_on) ignoring them.
  returned: always (also on failure, once the config was read)
  type: list
  elements: dict
  contains:
    rule:
      description: Rule ID (C(mailoauth-cfg explain RULE) documents it).
      type: str
      sample: smtp-auth-disabled
    severity:
      description: C(error), C(warning) or C(info).
      type: str
      sample: error
    status:
      description: C(fail), C(unknown) (a live check could not complete) or C(suppressed).
      type: str
      sample: fail
    message:
      description: What is wrong.
      type: str
      sample: SMTP AUTH is disabled for noreply@contoso.com
    file:
      description: Config file of the finding.
      type: str
      sample: mailboxes/contoso.yaml
    line:
      description: 1-based line; 0 when unknown.
      type: int
      sample: 12
    column:
      description: 1-based column; 0 when unknown.
      type: int
      sample: 5
    path:
      description: Key path inside the document.
      type: str
      sample: users[4].smtp_auth
    object:
      description: Logical object (C(app:NAME), C(user:EMAIL), C(target:NAME)).
      type: str
      sample: user:noreply@contoso.com
    fix:
      description: The concrete fix (value to set, cmdlet, portal path or URL).
      type: str
      sample: >-
        Set-CASMailbox -Identity noreply@contoso.com -SmtpClientAuthenticationDisabled $false
    suppressed_because:
      description: The reason written next to the suppression, for suppressed findings.
      type: str
      sample: null
summary:
  description: Counts of findings by severity and status, and what was checked.
  returned: always (also on failure, once the config was read)
  type: dict
  contains:
    errors:
      description: Error findings (status C(fail)).
      type: int
    warnings:
      description: Warning findings (status C(fail)).
      type: int
    infos:
      description: Info findings (status C(fail)).
      type: int
    unknown:
      description: Checks that could not complete.
      type: int
    suppressed:
      description: Suppressed findings.
      type: int
    files:
      description: Config files read (the file and its includes).
      type: int
    objects:
      description: Objects declared (providers, apps, users, targets).
      type: int
  sample: {errors: 0, warnings: 1, infos: 0, unknown: 0, suppressed: 0, files: 3, objects: 9}
config:
  description: The config that was validated.
  returned: always
  type: str
  sample: /etc/mailoauth-cfg/mailoauth.yaml
fail_on:
  description: The threshold applied.
  returned: always
  type: str
  sample: error
exit_code:
  description:
    - The exit code C(mailoauth-cfg validate) gives for the same config and O(fail_on); the task
      fails exactly when it is not 0.
    - 0 clean, 1 findings at or above O(fail_on), 3 some checks could not complete (status
      C(unknown)), 4 nothing was checked.
  returned: always (also on failure, once the config was read)
  type: int
  sample: 0
online:
  description: Whether the live checks ran.
  returned: always
  type: bool
  sample: false
version:
  description: Version of the mailoauth-cfg package that ran the checks.
  returned: always
  type: str
  sample: 0.1.0
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.mailoauth.cfg.plugins.module_utils._common import (
    OnlineUnavailable,
    config_argument_spec,
    ensure_library,
    exit_code_of,
    failing_dicts,
    finding_to_dict,
    findings_message,
    library_version,
    online_findings,
    report_of,
    summarize_dicts,
    summary_dict,
    validate_config,
)


def run_module():
    module = AnsibleModule(
        argument_spec=config_argument_spec(
            path=dict(type="path", required=True, aliases=["config"]),
            fail_on=dict(type="str", choices=["error", "warning", "info"], default="error"),
            online=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    ensure_library(module)
    path = module.params["path"]
    fail_on = module.params["fail_on"]

    validated = validate_config(module, path)
    report = report_of(validated)
    findings = [finding_to_dict(f) for f in report.findings]
    summary = summary_dict(report)
    result = dict(
        changed=False,
        config=path,
        fail_on=fail_on,
        online=module.params["online"],
        version=library_version(),
        findings=findings,
        summary=summary,
    )
    code = exit_code_of(report, fail_on)
    if module.params["online"]:
        try:
            findings, code = online_findings(module, path, fail_on)
        except OnlineUnavailable as exc:
            module.fail_json(msg="online=true: %s" % exc, **result)
        result["findings"] = findings
        result["summary"] = summarize_dicts(findings, summary["files"], summary["objects"])
    result["exit_code"] = code

    # The outcome follows the library's exit-code policy (the CLI's): 1 findings at or above
    # fail_on, 3 some checks could not complete, 4 nothing was checked.
    if code == 1:
        failing = failing_dicts(findings, fail_on)
        headline = "%s: %d finding(s) at or above %s" % (path, len(failing), fail_on)
        module.fail_json(msg=findings_message(headline, failing), **result)
    if code == 3:
        unknown = [f for f in findings if f["status"] == "unknown"]
        headline = "%s: %d check(s) could not complete (status unknown)" % (path, len(unknown))
        module.fail_json(msg=findings_message(headline, unknown), **result)
    if code == 4:
        module.fail_json(
            msg="%s: nothing was checked: the config declares no object" % path, **result
        )
    below = len([f for f in findings if f["status"] != "suppressed"])
    result["msg"] = "%s is valid (%d finding(s) below %s)" % (path, below, fail_on)
    module.exit_json(**result)


def main():
    run_module()


if __name__ == "__main__":
    main()

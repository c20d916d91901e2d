#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mailoauth-cfg developers
# MIT License (see https://opensource.org/licenses/MIT)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: render
short_description: Render target-application configs from a mailoauth-cfg config into a directory
version_added: 0.1.0
description:
  - Renders the configs of one, several or all targets of a mailoauth-cfg config (Postfix +
    sasl-xoauth2, msmtp, Dolibarr, GLPI...), with their provider-side artefacts and bootstrap
    runbooks, as C(mailoauth-cfg render) does.
  - Renders in memory, compares with O(dest) and writes only the files whose bytes or modes
    differ, atomically; RV(ignore:changed) is true only then. Secret-bearing files are written
    with mode C(0600), the others C(0644); O(dest)/manifest.json lists every file (never a
    secret).
  - Secrets referenced by the config (C(env:) or C(file:)) are resolved on the host that runs
    the task, from its environment merged with O(environment). A secret that cannot be
    resolved fails the task with the located reference, and nothing is written.
  - The config is validated first; a config with error findings is not rendered.
  - No secret value is ever returned; in diff mode the diff has secrets masked.
author:
  - mailoauth-cfg developers (@mailoauth-cfg)
extends_documentation_fragment:
  - mailoauth.cfg.common
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reports what would be created or changed; writes nothing.
  diff_mode:
    support: full
    details: A unified diff of O(dest) against the rendered files, secrets masked.
  platform:
    platforms: posix
options:
  config:
    description:
      - Path of the config file on the host that runs the task.
    type: path
    required: true
  dest:
    description:
      - Output directory (created with mode C(0755) when missing). Files are written under
        C(TARGET/) per target and C(_apps/APP/) per app registration.
    type: path
    required: true
  targets:
    description:
      - Render only these targets (names under C(targets:) in the config). Default, all.
    type: list
    elements: str
    aliases: [target]
  templates:
    description:
      - Extra template directories, searched before the built-in templates.
    type: list
    elements: path
  prune:
    description:
      - Remove files of an earlier render that are no longer produced. Without it they are
        reported in RV(stale) and kept.
    type: bool
    default: false
  environment:
    description:
      - Extra environment values used only to resolve the config's C(env:) secret references,
        for instance client secrets read from a vault. They override the process environment.
      - Never logged.
    type: dict
seealso:
  - module: mailoauth.cfg.validate
  - name: mailoauth_deploy role
    description: Installs the rendered Postfix + sasl-xoauth2 and msmtp files on a host.
    link: https://github.com/mailoauth-cfg/mailoauth-cfg/tree/main/ansible/roles/mailoauth_deploy
"""

EXAMPLES = r"""
- name: Render every target into /srv/mailoauth/out
  mailoauth.cfg.render:
    config: /etc/mailoauth-cfg/mailoauth.yaml
    dest: /srv/mailoauth/out

- name: Render one target on the controller, with the client secret from a vault
  mailoauth.cfg.render:
    config: "{{ playbook_dir }}/mailoauth/mailoauth.yaml"
    dest: "{{ playbook_dir }}/out"
    targets: [erp]
    environment:
      ERP_MAIL_SECRET: "{{ vault_erp_mail_secret }}"
  delegate_to: localhost

- name: Show what would change (secrets masked), writing nothing
  mailoauth.cfg.render:
    config: mailoauth.yaml
    dest: out
    prune: true
  check_mode: true
  diff: true
  register: planned

- name: List the files that hold a secret
  ansible.builtin.debug:
    msg: "{{ planned.manifest | selectattr('secret') | map(attribute='dest') | list }}"
"""

RETURN = r"""
dest:
  description:
    - The output directory. As for other file modules, Ansible adds its file attributes
      (C(mode), C(owner), C(state)...) to the result.
  returned: success
  type: str
  sample: /srv/mailoauth/out
manifest:
  description:
    - The rendered files (what C(DEST/manifest.json) lists), without their content.
  returned: success
  type: list
  elements: dict
  contains:
    path:
      description: Path relative to O(dest).
      type: str
      sample: relay/sasl-xoauth2.conf
    dest:
      description: Absolute path of the file.
      type: str
      sample: /srv/mailoauth/out/relay/sasl-xoauth2.conf
    target:
      description: Target the file belongs to (empty for app registration artefacts).
      type: str
      sample: relay
    mailbox:
      description: Mailbox of a per-mailbox file (runbooks), else null.
      type: str
      sample: null
    sha256:
      description: SHA-256 of the content.
      type: str
      sample: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
    mode:
      description: File mode, C(0600) when the file holds a secret, else C(0644).
      type: str
      sample: "0600"
    secret:
      description: Whether the file holds a secret value.
      type: bool
      sample: true
created:
  description: Files (relative to O(dest)) that did not exist.
  returned: success
  type: list
  elements: str
  sample: [relay/main.cf, manifest.json]
updated:
  description:
    - Files whose content differs. (Named C(updated) because C(changed) is Ansible's boolean.)
  returned: success
  type: list
  elements: str
  sample: [relay/sasl-xoauth2.conf]
mode_changed:
  description: Files with the right content but the wrong mode.
  returned: success
  type: list
  elements: str
  sample: []
unchanged:
  description: Files already up to date.
  returned: success
  type: list
  elements: str
  sample: [relay/README.md]
stale:
  description:
    - Files of an earlier render that are no longer produced; removed when O(prune=true).
  returned: success
  type: list
  elements: str
  sample: []
targets:
  description:
    - The rendered targets by name, with their type and non-secret settings from the config
      (for example C(postfix_dir) and C(config_file) of a Postfix target). Secret references
      appear as C((secret)).
    - Two facts of each target's kind come with them, for deployment roles. C(install_tasks)
      names the task file of the C(mailoauth_deploy) role that installs the target on a host
      (null when the role cannot). C(token_store) is where its token files live on the host,
      with C(directory) and C(format) (null when the application keeps its tokens).
  returned: success
  type: dict
  sample:
    relay:
      type: postfix-sasl-xoauth2
      install_tasks: postfix
      token_store: {directory: /var/spool/postfix/etc/tokens, format: sasl-xoauth2}
      postfix_dir: /etc/postfix
      config_file: /etc/sasl-xoauth2.conf
      users: [noreply@contoso.com]
findings:
  description:
    - On failure, the findings that prevented rendering (config errors or secrets that could
      not be resolved), with the same keys as the M(mailoauth.cfg.validate) module's.
  returned: failure
  type: list
  elements: dict
diff:
  description: In diff mode, C(prepared) holds the unified diff, secrets masked.
  returned: changed and diff mode
  type: dict
"""

import os
from pathlib import Path

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.mailoauth.cfg.plugins.module_utils._common import (
    MailoauthCfgError,
    Severity,
    Status,
    config_argument_spec,
    ensure_library,
    hide_secrets,
    manifest_entry,
    render_failure,
    secret_environment,
    target_settings,
    validate_config,
)


def run_module():
    module = AnsibleModule(
        argument_spec=config_argument_spec(
            config=dict(type="path", required=True),
            dest=dict(type="path", required=True),
            targets=dict(type="list", elements="str", aliases=["target"]),
            templates=dict(type="list", elements="path"),
            prune=dict(type="bool", default=False),
            environment=dict(type="dict", no_log=True),
        ),
        supports_check_mode=True,
    )
    ensure_library(module)
    from mailoauth_cfg.rendering import render
    from mailoauth_cfg.rendering.writer import plan_write, unified_diff, write_files

    config_path = module.params["config"]
    dest = module.params["dest"]
    prune = module.params["prune"]

    validated = validate_config(module, config_path)
    errors = [
        f for f in validated.findings if f.status is Status.FAIL and f.severity is Severity.ERROR
    ]
    if errors or validated.config is None:
        render_failure(module, "%s has errors; fix them before rendering:" % config_path, errors)

    try:
        rendered = render(
            validated.config,
            validated.loaded.marks,
            config_name=os.path.basename(config_path),
            root=validated.loaded.root,
            only=module.params["targets"] or None,
            template_dirs=[Path(t) for t in module.params["templates"] or []] or None,
            environ=secret_environment(module),
        )
    except MailoauthCfgError as exc:
        module.fail_json(msg=str(exc))
    if rendered.findings:
        render_failure(
            module, "some values cannot be rendered; nothing was written:", rendered.findings
        )
    files = rendered.files
    hide_secrets(module, (s for f in files for s in f.secrets))

    out = Path(dest)
    try:
        plan = plan_write(files, out, prune=prune)
        changed = bool(plan.created or plan.changed or plan.mode_changed or (prune and plan.stale))
        diff = dict(prepared=unified_diff(files, out)) if changed and module._diff else None
        if changed and not module.check_mode:
            write_files(files, out, prune=prune)
    except MailoauthCfgError as exc:
        module.fail_json(msg=str(exc))

    names = module.params["targets"] or sorted(validated.config.targets)
    result = dict(
        changed=changed,
        dest=dest,
        manifest=[manifest_entry(f, dest) for f in files],
        created=list(plan.created),
        updated=list(plan.changed),
        mode_changed=list(plan.mode_changed),
        unchanged=list(plan.unchanged),
        stale=list(plan.stale),
        targets=target_settings(validated.config, names),
    )
    if diff is not None:
        result["diff"] = diff
    result["msg"] = "%s: %d created, %d updated, %d unchanged%s%s" % (
        dest,
        len(plan.created),
        len(plan.changed) + len(plan.mode_changed),
        len(plan.unchanged),
        ", %d no longer produced" % len(plan.stale) if plan.stale else "",
        " (check mode: nothing written)" if module.check_mode else "",
    )
    module.exit_json(**result)


def main():
    run_module()


if __name__ == "__main__":
    main()

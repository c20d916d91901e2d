#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mailoauth-cfg developers
# MIT License (see https://opensource.org/licenses/MIT)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: probe
short_description: Log in to SMTP and IMAP with a mailbox's OAuth2 token (XOAUTH2 login probe)
version_added: 0.1.0
description:
  - Logs in to the provider's SMTP submission (STARTTLS) and/or IMAP (TLS) servers as a mailbox
    of a mailoauth-cfg config, with its stored OAuth2 token, then logs out, as
    C(mailoauth-cfg probe) does. Nothing is sent; IMAP opens INBOX read-only.
  - Certificates are verified; authentication is never attempted without TLS.
  - A refused login fails the task; the message and RV(results) explain the reply (for example
    C(535 5.7.139) means SMTP AUTH is disabled for the mailbox) and name the rules that check the
    cause offline.
  - The token comes from the mailbox's token store (the target's token file, O(store), or the
    default store). An access token about to expire is refreshed first and the store is
    rewritten; RV(ignore:changed) reports that. The token itself is never returned.
author:
  - mailoauth-cfg developers (@mailoauth-cfg)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: partial
    details:
      - In check mode the config is read and the mailbox, target and token store are resolved,
        but no login is attempted (a login may refresh the token and rewrite the store). The
        result has C(skipped=true) and RV(token_present).
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  config:
    description:
      - Path of the config file on the host that runs the task.
    type: path
    required: true
  user:
    description:
      - E-mail address of the mailbox (a C(users:) entry of the config).
    type: str
    required: true
  target:
    description:
      - Target whose app and token file to use, when several targets list the mailbox.
    type: str
  protocol:
    description:
      - Protocols to probe. Default, the target's protocols that can be probed (else C(smtp)).
    type: list
    elements: str
    choices: [smtp, imap]
    aliases: [protocols]
  mechanism:
    description:
      - SASL mechanism.
    type: str
    choices: [xoauth2, oauthbearer]
    default: xoauth2
  store:
    description:
      - Token directory (one C(EMAIL.json) per mailbox) instead of the target's token file or
        the default store.
    type: path
  ca_bundle:
    description:
      - CA bundle (PEM) to trust for the token endpoint and the mail servers. Default, the
        provider's C(ca_bundle), else the system store.
    type: path
  timeout:
    description:
      - Network timeout in seconds.
    type: float
    default: 20
  environment:
    description:
      - Extra environment values used only to resolve the config's C(env:) secret references
        (a confidential client needs its secret to refresh the token). Never logged.
    type: dict
requirements:
  - mailoauth-cfg >= 0.1.0 (Python package) on the host that runs the task
notes:
  - The mailbox must have a token first (C(mailoauth-cfg token bootstrap)); app-only clients
    need none.
seealso:
  - module: mailoauth.cfg.validate
"""

EXAMPLES = r"""
- name: Check that noreply@contoso.com can log in to SMTP with its token
  mailoauth.cfg.probe:
    config: /etc/mailoauth-cfg/mailoauth.yaml
    user: noreply@contoso.com

- name: Probe SMTP and IMAP with OAUTHBEARER, keeping the result when it fails
  mailoauth.cfg.probe:
    config: /etc/mailoauth-cfg/mailoauth.yaml
    user: scanner@contoso.com
    protocol: [smtp, imap]
    mechanism: oauthbearer
  register: login
  ignore_errors: true

- name: Explain a refused login
  ansible.builtin.debug:
    msg: "{{ item.protocol }}: {{ item.reply }} - {{ item.explanation.fix | default('') }}"
  loop: "{{ login.results | rejectattr('ok') }}"
  loop_control:
    label: "{{ item.protocol }}"
"""

RETURN = r"""
ok:
  description: Whether every login succeeded (null in check mode).
  returned: always
  type: bool
  sample: true
user:
  description: The mailbox probed.
  returned: always
  type: str
  sample: noreply@contoso.com
target:
  description: The target whose app and token were used (null when none).
  returned: always
  type: str
  sample: relay
token_present:
  description: Whether the token store holds a token for the mailbox.
  returned: check mode
  type: bool
  sample: true
token_refreshed:
  description: Whether the access token was refreshed (and the store rewritten) to probe.
  returned: when a login was attempted
  type: bool
  sample: false
replies:
  description: The server's last reply, by protocol.
  returned: when a login was attempted
  type: dict
  sample: {smtp: "235 2.7.0 Authentication successful"}
results:
  description: One result per protocol. Holds no token.
  returned: when a login was attempted
  type: list
  elements: dict
  contains:
    protocol:
      description: C(smtp) or C(imap).
      type: str
    host:
      description: Server host.
      type: str
    port:
      description: Server port.
      type: int
    mechanism:
      description: C(XOAUTH2) or C(OAUTHBEARER).
      type: str
    ok:
      description: Whether the login succeeded.
      type: bool
    stage:
      description: Where it ended, C(connect), C(tls), C(auth), C(mailbox) or C(done).
      type: str
    reply:
      description: The server's last reply (or the local error).
      type: str
      sample: 535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled
    tls:
      description: The TLS version negotiated.
      type: str
      sample: TLSv1.3
    challenge:
      description: The server's SASL error challenge, if any.
      type: dict
    explanation:
      description:
        - What a refusal means (C(code), C(title), C(cause), C(fix), C(rules)); null on success.
      type: dict
    elapsed:
      description: Seconds the attempt took.
      type: float
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.mailoauth.cfg.plugins.module_utils._common import (
    MailoauthCfgError,
    ensure_library,
    hide_secrets,
    probe_failure_message,
    refreshed_at,
    resolve_mailbox,
)


def run_module():
    module = AnsibleModule(
        argument_spec=dict(
            config=dict(type="path", required=True),
            user=dict(type="str", required=True),
            target=dict(type="str"),
            protocol=dict(
                type="list", elements="str", choices=["smtp", "imap"], aliases=["protocols"]
            ),
            mechanism=dict(type="str", choices=["xoauth2", "oauthbearer"], default="xoauth2"),
            store=dict(type="path"),
            ca_bundle=dict(type="path"),
            timeout=dict(type="float", default=20.0),
            environment=dict(type="dict", no_log=True),
        ),
        supports_check_mode=True,
    )
    ensure_library(module)
    from mailoauth_cfg.tokens import probe as probing
    from mailoauth_cfg.tokens import service
    from mailoauth_cfg.tokens.redaction import redact

    setup = resolve_mailbox(module)
    result = dict(changed=False, ok=None, user=setup.email, target=setup.target_name)
    wanted = list(dict.fromkeys(module.params["protocol"] or []))
    if not wanted:
        declared = setup.plan.protocols if setup.plan is not None else ()
        wanted = [p for p in declared if p in probing.PROTOCOLS] or ["smtp"]

    if module.check_mode:
        try:
            present = service.status(setup).present
        except MailoauthCfgError as exc:
            module.fail_json(msg=redact(str(exc)), **result)
        module.exit_json(
            skipped=True,
            token_present=present,
            msg="check mode: no login attempted (%s of %s; token %s)"
            % ("/".join(wanted), setup.email, "present" if present else "missing"),
            **result,
        )

    try:
        before = refreshed_at(service, setup)
        token = service.access_token(setup)
        hide_secrets(module, [token])
        endpoints = setup.endpoints
        results = []
        for name in wanted:
            run = probing.probe_smtp if name == "smtp" else probing.probe_imap
            host, port = (
                (endpoints.smtp_host, endpoints.smtp_port)
                if name == "smtp"
                else (endpoints.imap_host, endpoints.imap_port)
            )
            results.append(
                run(
                    host,
                    port,
                    setup.email,
                    token,
                    mechanism=module.params["mechanism"].upper(),
                    ca_bundle=setup.ca_bundle,
                    timeout=module.params["timeout"],
                    provider_type=setup.provider_type,
                )
            )
        refreshed = refreshed_at(service, setup) != before
    except MailoauthCfgError as exc:
        module.fail_json(msg=redact(str(exc)), **result)

    result.update(
        changed=refreshed,
        token_refreshed=refreshed,
        ok=all(r.ok for r in results),
        results=[r.as_dict() for r in results],
        replies={r.protocol: r.reply for r in results},
    )
    if not result["ok"]:
        module.fail_json(msg=redact(probe_failure_message(results, setup.email)), **result)
    result["msg"] = "; ".join(
        "%s %s:%d OK (%s)" % (r.protocol, r.host, r.port, r.reply) for r in results
    )
    module.exit_json(**result)


def main():
    run_module()


if __name__ == "__main__":
    main()

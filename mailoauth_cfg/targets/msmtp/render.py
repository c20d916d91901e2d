"""msmtp: an ``msmtprc`` whose ``passwordeval`` asks mailoauth-cfg for a fresh access token.

msmtp runs ``passwordeval`` through ``/bin/sh``: the command is built from words, each one a
quoted shell word, so no value of the config can become a second command. It names the target
(``--target``): a mailbox that several targets use (msmtp on one host, a Postfix relay on
another) is then never ambiguous. Each account is named after its mailbox address, which is
unique (msmtp rejects a file with two equal names). The host reads ``mailoauth.yaml`` (the host
config) at the target's ``config_path``.
"""

from __future__ import annotations

import posixpath
import shlex

from mailoauth_cfg.derive import TargetPlan
from mailoauth_cfg.rendering import Output, RenderContext, host_config, narrow
from mailoauth_cfg.rendering.escaping import shell_command
from mailoauth_cfg.targets.msmtp.facts import GOOGLE_AUTH, MICROSOFT_AUTH, PROGRAM, XOAUTH2
from mailoauth_cfg.targets.msmtp.model import MsmtpTarget


def outputs(ctx: RenderContext, plan: TargetPlan) -> list[Output]:
    """``msmtprc``, the host config and the target README."""
    target = narrow(plan.target, MsmtpTarget)
    context = ctx.base_context(plan)
    # `command` is a command line (e.g. `python3 -m mailoauth_cfg`): split as a shell splits
    # words, without any expansion, then every word is quoted again.
    command = shlex.split(target.command)
    store = ["--store", target.token_dir] if target.token_dir else []
    selection = ["--config", target.config_path, "--target", plan.name]
    # Exchange Online speaks XOAUTH2 only; Gmail accepts OAUTHBEARER (RFC 7628) too.
    auth = (MICROSOFT_AUTH if plan.provider_type == "microsoft" else GOOGLE_AUTH).value
    auth = target.sasl_mechanism or auth  # a declared mechanism is rendered as declared
    helper = target.token_helper.command if target.token_helper else None
    context["xoauth2_since"] = XOAUTH2.since
    accounts = []
    for user in context["users"]:
        # a declared token helper is rendered as declared: its command line split into words
        # (never expanded), each quoted again
        words = (
            shlex.split(helper)
            if helper
            else [
                *command,
                *("token", "access", *selection, "--user", user.email),
                *store,
            ]
        )
        accounts.append(
            {
                "name": user.email,
                "email": user.email,
                "login": plan.login_of(user.email)[0],
                "display_name": user.display_name,
                "auth": auth,
                "words": words,
                "passwordeval": shell_command(words),
                "bootstrap": [*command, "token", "bootstrap", *selection, "--user", user.email],
                "probe": [
                    *command,
                    "probe",
                    *selection,
                    "--user",
                    user.email,
                    "--protocol",
                    "smtp",
                ],
            }
        )
    context["accounts"] = accounts
    # msmtp trusts the system store unless told otherwise; a provider with its own CA bundle
    # (a private relay, a test server) is trusted through it, as mailoauth-cfg itself does.
    bundle = plan.provider.ca_bundle if plan.provider is not None else None
    if bundle and not posixpath.isabs(bundle):
        bundle = posixpath.join(posixpath.dirname(target.config_path), bundle)
    context["trust_file"] = bundle
    context["config_file"] = host_config.HOST_CONFIG
    context["config_mode"] = host_config.mode(plan)
    # msmtp's own dry run: the server's capabilities, without sending
    context["serverinfo"] = [PROGRAM, "--serverinfo", f"--account={accounts[0]['name']}"]
    context["sendmail"] = [PROGRAM, f"--account={accounts[0]['name']}", accounts[0]["email"]]
    return [
        Output("msmtprc", "msmtp/msmtprc.j2", context, syntax="msmtprc"),
        host_config.output(ctx, plan),
        Output("README.md", "msmtp/README.md.j2", context),
    ]

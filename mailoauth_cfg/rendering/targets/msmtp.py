"""msmtp: an ``msmtprc`` whose ``passwordeval`` asks mailoauth-cfg for a fresh access token.

msmtp runs ``passwordeval`` through ``/bin/sh``: the command is built from words, each one a
quoted shell word, so no value of the config can become a second command. Each account is named
after its mailbox address, which is unique (msmtp rejects a file with two equal names).
"""

from __future__ import annotations

import shlex

from mailoauth_cfg.derive import TargetPlan
from mailoauth_cfg.model import MsmtpTarget
from mailoauth_cfg.rendering import Output, RenderContext, narrow
from mailoauth_cfg.rendering.escaping import shell_command


def outputs(ctx: RenderContext, plan: TargetPlan) -> list[Output]:
    """``msmtprc`` and the target README."""
    target = narrow(plan.target, MsmtpTarget)
    context = ctx.base_context(plan)
    # `command` is a command line (e.g. `python3 -m mailoauth_cfg`): split as a shell splits
    # words, without any expansion, then every word is quoted again.
    command = shlex.split(target.command)
    store = ["--store", target.token_dir] if target.token_dir else []
    accounts = []
    for user in context["users"]:
        words = [
            *command,
            *("token", "access", "--config", target.config_path, "--user", user.email),
            *store,
        ]
        accounts.append(
            {
                "name": user.email,
                "email": user.email,
                "display_name": user.display_name,
                # Exchange Online speaks XOAUTH2 only; Gmail accepts OAUTHBEARER (RFC 7628) too.
                "xoauth2": plan.provider_type == "microsoft",
                "words": words,
                "passwordeval": shell_command(words),
            }
        )
    context["accounts"] = accounts
    return [
        Output("msmtprc", "msmtp/msmtprc.j2", context, syntax="msmtp"),
        Output("README.md", "msmtp/README.md.j2", context),
    ]

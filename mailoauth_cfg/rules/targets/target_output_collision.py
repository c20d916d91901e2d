"""Two targets would write the same token file with tokens of different apps.

**What.** Two targets whose tokens live in files on their host (their plugin's ``token_store``:
``postfix-sasl-xoauth2`` always, ``<chroot_dir><token_dir>/<mailbox>`` when chrooted; ``msmtp``
when it declares ``token_dir``) resolve to the same token file for the same mailbox, but use
different apps. Reported on the second target (by name), naming the first.

**Why.** A token file holds one refresh token, issued to one client. Deployed to the same host,
the second bootstrap overwrites the first target's file, whose relay then refreshes a token
issued to another client with its own client ID, and the refresh is refused. Two targets
sharing a mailbox *and* an app are not reported: their token files are interchangeable. The
sasl-xoauth2 config file is not compared: per-token-file ``client_id``/``token_endpoint``
overrides let one install serve several apps.

**Fix.** Give one of the targets its own ``token_dir`` (e.g. ``/etc/tokens/<target>``), or use
the same app for both.

Source: tarickb/sasl-xoauth2:README.md (token file path in ``sasl_passwd``, chroot);
tarickb/sasl-xoauth2:README.md (overrides in the token file: one install serves several
providers or users).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import replace

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._common import target_path


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Group token files by host path and compare their apps."""
    owners: dict[str, list[tuple[str, int, str | None, str]]] = {}
    for plan in ctx.target_plans():
        target = plan.target
        store = plan.plugin.token_store(target)
        if store is None:
            continue
        token_dir = str(getattr(target, "token_dir", store.directory))
        for index, email in enumerate(target.users):
            path = posixpath.normpath(str(store.file(email.lower())))
            owners.setdefault(path, []).append((plan.name, index, plan.app_name, token_dir))
    for path in sorted(owners):
        entries = owners[path]
        for position, (name, index, app, token_dir) in enumerate(entries):
            earlier = next((e for e in entries[:position] if e[0] != name and e[2] != app), None)
            if earlier is None:
                continue
            other, other_index, other_app, _ = earlier
            finding = ctx.finding(
                RULE,
                f"targets {other} (app {other_app}) and {name} (app {app}) both write the token "
                f"file {path}: on one host the second bootstrap overwrites the first",
                target_path(name, "users", index),
                fix=f"set `token_dir: {token_dir.rstrip('/')}/{name}` on target {name}, "
                f"or use app {other_app} for both",
                object=ctx.plans.targets[name].object,
            )
            yield replace(
                finding,
                related=(ctx.marks.location(target_path(other, "users", other_index)),),
            )


RULE = Rule.define(
    __doc__,
    id="target-output-collision",
    severity=Severity.WARNING,
    check=check,
    options=RuleOptions,
    family="targets",
    impacts=((Severity.WARNING, "two targets overwrite one token file on a shared host"),),
)

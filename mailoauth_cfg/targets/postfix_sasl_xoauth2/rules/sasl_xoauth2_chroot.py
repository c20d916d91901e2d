"""A sasl-xoauth2 token directory is given as a host path while Postfix runs chrooted.

**What.** A ``postfix-sasl-xoauth2`` target with ``chroot: true`` has a ``token_dir`` that
already starts with ``chroot_dir`` (e.g. ``/var/spool/postfix/etc/tokens``), or a ``token_dir``
/ ``chroot_dir`` that is not an absolute path.

**Why.** ``token_dir`` is the path *as Postfix sees it*: it goes into ``sasl_passwd``
(``[host]:587 user:/etc/tokens/user``). A chrooted ``smtp`` process resolves it inside
``chroot_dir``, so the files are written to ``<chroot_dir><token_dir>``. Giving the host path
doubles the prefix (``/var/spool/postfix/var/spool/postfix/...``) and the plugin finds no token.
A relative path depends on the process's working directory.

**Fix.** Write ``token_dir`` as seen from inside the chroot (``/etc/tokens``) and keep
``chroot_dir`` absolute; the tool places the files under ``chroot_dir`` itself. The CA bundle
(``ca_bundle_file``) must be copied into the chroot as well: the target's README shows the
command (no Debian package of sasl-xoauth2 does it).

Source: tarickb/sasl-xoauth2:README.md (chroot, ``sasl_passwd``); mailoauth_cfg/catalog/
targets.py constraint ``sasl-xoauth2-token-dir-writable``.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._common import key_or_parent, target_path
from mailoauth_cfg.targets.postfix_sasl_xoauth2.model import PostfixTarget


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Check the token and chroot directories of sasl-xoauth2 targets."""
    for plan, target in ctx.targets_of(PostfixTarget):
        token_dir = target.token_dir
        chroot_dir = posixpath.normpath(target.chroot_dir) if target.chroot_dir else ""
        for key, value in (("token_dir", token_dir), ("chroot_dir", target.chroot_dir)):
            if key == "chroot_dir" and not target.chroot:
                continue
            if not posixpath.isabs(value):
                path, at_key = key_or_parent(ctx, target_path(plan.name, key))
                yield ctx.finding(
                    RULE,
                    f"target {plan.name}: {key} {value!r} is not an absolute path",
                    path,
                    fix=f"set `{key}: {PostfixTarget.model_fields[key].default}` (an absolute "
                    "path)",
                    object=plan.object,
                    at_key=at_key,
                )
        if not (target.chroot and posixpath.isabs(token_dir) and posixpath.isabs(chroot_dir)):
            continue
        normal = posixpath.normpath(token_dir)
        if chroot_dir == "/" or not (normal + "/").startswith(chroot_dir.rstrip("/") + "/"):
            continue
        inside = "/" + posixpath.relpath(normal, chroot_dir).lstrip("./")
        yield ctx.finding(
            RULE,
            f"target {plan.name}: token_dir {token_dir} already includes chroot_dir {chroot_dir};"
            f" chrooted Postfix would look in {chroot_dir.rstrip('/')}{normal}",
            target_path(plan.name, "token_dir"),
            fix=f"set `token_dir: {inside}` (the path as seen inside the chroot)",
            object=plan.object,
        )


RULE = Rule.define(
    __doc__,
    id="sasl-xoauth2-chroot",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="targets",
    impacts=(
        (
            Severity.ERROR,
            "the plugin looks for the token at a doubled path: no token, mail deferred",
        ),
    ),
)

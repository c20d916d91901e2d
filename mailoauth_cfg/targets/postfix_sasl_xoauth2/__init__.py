"""Postfix with the sasl-xoauth2 plugin: a relay whose tokens live in files on the host."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from mailoauth_cfg.targets._plugin import HOST_CONFIG, Plugin, TokenStore
from mailoauth_cfg.targets.postfix_sasl_xoauth2.facts import AUTHCODE, FACTS
from mailoauth_cfg.targets.postfix_sasl_xoauth2.model import PostfixTarget

if TYPE_CHECKING:
    from mailoauth_cfg.derive import TargetPlan
    from mailoauth_cfg.targets._facts import BootstrapKind
    from mailoauth_cfg.targets._model import TargetModel


def host_token_dir(target: PostfixTarget) -> str:
    """``token_dir`` as the host sees it: below ``chroot_dir`` when Postfix runs chrooted."""
    token_dir = PurePosixPath(target.token_dir)
    if target.chroot and token_dir.is_absolute():
        return str(PurePosixPath(target.chroot_dir) / token_dir.relative_to("/"))
    return str(token_dir)


class PostfixPlugin(Plugin):
    """``flow:`` chooses the bootstrap; the token files live in ``token_dir`` (chrooted)."""

    def redirect(self, plan: TargetPlan) -> tuple[str | None, str]:
        """With Microsoft and ``flow: loopback``: the native-client URI of the authcode flow."""
        target = plan.target
        profile = plan.microsoft
        if profile is not None and isinstance(target, PostfixTarget) and target.flow == "loopback":
            uri = profile.redirect.render(None, AUTHCODE)
            return uri, "sasl-xoauth2-tool's authorization-code flow (native-client redirect)"
        return super().redirect(plan)

    def bootstrap(self, plan: TargetPlan) -> BootstrapKind | None:
        """``flow: device-code`` / ``loopback`` when declared, else the profile's flow."""
        target = plan.target
        if plan.profile is not None and isinstance(target, PostfixTarget) and target.flow:
            return "device-code" if target.flow == "device-code" else "cli-loopback"
        return super().bootstrap(plan)

    def runbook_context(self, plan: TargetPlan) -> dict[str, Any]:
        """The bootstrap runs on the Postfix host with the host config, and the token goes to
        ``mail_owner``."""
        target = plan.target
        if not isinstance(target, PostfixTarget):
            return {}
        return {
            "tool_config": HOST_CONFIG,
            "where": "On the Postfix host, as root, in a copy of this target's directory",
            "token_owner": target.mail_owner,
        }

    def deployment(self, target: TargetModel, name: str) -> dict[str, Any]:
        """The token directory and, when chrooted, the CA bundle's copy, as the host sees them."""
        if not isinstance(target, PostfixTarget):
            return {}
        bundle = PurePosixPath(target.ca_bundle_file)
        chrooted = target.chroot and bundle.is_absolute()
        return {
            "token_dir": host_token_dir(target),
            "owner": target.mail_owner,
            "ca_bundle": str(bundle),
            "chroot_ca_bundle": (
                str(PurePosixPath(target.chroot_dir) / bundle.relative_to("/"))
                if chrooted
                else None
            ),
        }

    def token_store(self, target: TargetModel) -> TokenStore | None:
        """sasl-xoauth2 token files in the host's ``token_dir``."""
        if not isinstance(target, PostfixTarget):
            return None
        return TokenStore(host_token_dir(target), "sasl-xoauth2", owner=target.mail_owner)


PLUGIN = PostfixPlugin(__name__, model=PostfixTarget, facts=FACTS)

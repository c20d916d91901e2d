"""``docs/targets.md``: the reference of every target kind, generated from the registry.

``python -m mailoauth_cfg.targets.docs`` prints it, ``--write`` writes it into the source tree;
a test fails when the committed file is stale, so the docs follow the facts.
"""

from __future__ import annotations

from pathlib import Path

from mailoauth_cfg import generated_docs
from mailoauth_cfg import targets as registry
from mailoauth_cfg.generated_docs import cell as _cell
from mailoauth_cfg.targets import TargetPlugin
from mailoauth_cfg.targets._facts import (
    Equals,
    GoogleProfile,
    MicrosoftProfile,
    OneOf,
    RedirectPattern,
    Setting,
    VersionFacts,
)

DOCS_FILE = Path(__file__).resolve().parents[2] / "docs" / "targets.md"


def _code(text: str) -> str:
    return f"`{text}`" if text else ""


def _redirect(pattern: RedirectPattern) -> str:
    shown = _code(pattern.template) if pattern.template else "none"
    if pattern.user_supplied:
        shown += " (declared by the operator)"
    elif pattern.template and not pattern.must_register:
        shown += " (not registered)"
    variants = ", ".join(f"{name}: {_code(t)}" for name, t in sorted(pattern.variants.items()))
    if pattern.defaults:
        shown += f"; defaults {', '.join(f'{k}={v}' for k, v in sorted(pattern.defaults.items()))}"
    if variants:
        shown += f"; variants {variants}"
    return f"{shown}. {pattern.reason} ({pattern.source})"


def _constraint(setting: Setting) -> str:
    constraint = setting.constraint
    if isinstance(constraint, Equals):
        return f"= {_code(str(constraint.value))}"
    if isinstance(constraint, OneOf):
        return "one of " + ", ".join(_code(v) for v in constraint.values)
    return f"matches {_code(constraint.regex)} (e.g. {_code(constraint.example)})"


def _applies(provider: str | None, protocol: str | None) -> str:
    return " ".join(p for p in (provider, protocol) if p) or "always"


def _summary(plugins: tuple[TargetPlugin, ...]) -> list[str]:
    lines = [
        "| type | application | providers | protocols | token | first token | traits |",
        "|---|---|---|---|---|---|---|",
    ]
    for plugin in plugins:
        facts = plugin.facts
        flows = sorted(
            {p.bootstrap for p in (facts.microsoft, facts.google) if p is not None}
            | {f for p in (facts.microsoft, facts.google) if p is not None for f in p.flow_settings}
        )
        traits = [
            name
            for name, on in (
                ("web application", facts.web_application),
                ("one token per configuration", facts.single_token is not None),
                ("renewed by its users", facts.interactive_renewal),
                ("shared mailboxes", facts.shared_mailbox_supported),
                ("sender = token owner", facts.sender_must_equal_token_owner),
                ("primary address only", facts.primary_address_required),
                ("token injectable", facts.refresh_token_injectable),
                (f"Ansible role tasks `{facts.ansible_tasks}`", facts.ansible_tasks is not None),
            )
            if on
        ]
        lines.append(
            f"| `{plugin.key}` | {_cell(facts.display_name)} | {', '.join(facts.providers)} | "
            f"{', '.join(facts.protocols())} | {facts.token_sink} | {', '.join(flows)} | "
            f"{', '.join(traits)} |"
        )
    return lines


def _microsoft(profile: MicrosoftProfile) -> list[str]:
    permissions = "; ".join(
        f"{proto}: {', '.join(perms)}" for proto, perms in profile.permissions.items()
    )
    out = [
        "**Microsoft 365**",
        "",
        f"- platform {profile.platform}, protocols {', '.join(profile.protocols)}, first token "
        f"{profile.bootstrap}",
        f"- permissions requested: {permissions}",
        f"- redirect URI: {_redirect(profile.redirect)}",
    ]
    if profile.flow_settings:
        out.append(
            "- other flows: "
            + "; ".join(f"{flow}: {setting}" for flow, setting in profile.flow_settings.items())
        )
    if profile.documented_permissions:
        out.append(f"- its documentation grants: {', '.join(profile.documented_permissions)}")
    if profile.allowed_over_privileged:
        out.append(f"- demands (over-privileged): {', '.join(profile.allowed_over_privileged)}")
    flags = [
        name
        for name, on in (
            ("admin consent required", profile.admin_consent_required),
            ("needs a real tenant ID", not profile.tenant_common_ok),
            ("certificate instead of a secret", profile.certificate_capable),
            ("loopback as a confidential client", profile.confidential_loopback),
        )
        if on
    ]
    if flags:
        out.append(f"- {', '.join(flags)}")
    if profile.tenant_setting:
        out.append(f"- tenant goes into: {profile.tenant_setting}")
    out.append(f"- source: {profile.source}")
    return out


def _google(profile: GoogleProfile) -> list[str]:
    out = [
        "**Google**",
        "",
        f"- {profile.auth}, client type {profile.client_type or 'none'}, protocols "
        f"{', '.join(profile.protocols)}, first token {profile.bootstrap}",
        f"- scopes: {', '.join(profile.scopes) or 'none'}",
        f"- redirect URI: {_redirect(profile.redirect)}",
    ]
    if profile.flow_settings:
        out.append(
            "- other flows: "
            + "; ".join(f"{flow}: {setting}" for flow, setting in profile.flow_settings.items())
        )
    if profile.service_account_flow:
        out.append("- can use a service account itself")
    out.append(f"- source: {profile.source}")
    return out


def _versions(versions: VersionFacts) -> list[str]:
    out = [f"**Versions** ({versions.product}: versions such as {versions.format.example})", ""]
    for r in versions.requirements:
        kind = "warning" if r.warning or not r.verified else "error"
        note = "" if r.verified else " (inferred)"
        out.append(
            f"- from {r.since} ({_applies(r.provider, r.protocol)}, {kind}){note}: {r.feature} "
            f"({r.source})"
        )
    if not versions.requirements:
        out.append("- no minimum known")
    if versions.ask_when_omitted:
        out.append(f"- an undeclared version is reported: {versions.how_to_check}")
    return out


def _kind(plugin: TargetPlugin) -> list[str]:
    facts = plugin.facts
    out = [
        f"## `{plugin.key}`: {facts.display_name}",
        "",
        f"Sign-in: {facts.sign_in_account}.",
        "",
        f"Where: {facts.ui_path}.",
        "",
    ]
    if facts.single_token is not None:
        out += [f"One token per configuration: {facts.single_token.split}.", ""]
    for profile in (facts.microsoft, facts.google):
        if isinstance(profile, MicrosoftProfile):
            out += [*_microsoft(profile), ""]
        elif isinstance(profile, GoogleProfile):
            out += [*_google(profile), ""]
    if facts.settings:
        out += ["| setting | must | when | why | source |", "|---|---|---|---|---|"]
        out += [
            f"| `{_cell(s.name)}`{' (`' + s.field + '`)' if s.field else ''} | "
            f"{_cell(_constraint(s))} | {_applies(s.provider, s.protocol)} | {_cell(s.message)} | "
            f"{_cell(s.source)} |"
            for s in facts.settings
        ]
        out.append("")
    if facts.holds:
        held = "; ".join(
            f"`{key}` ({_cell(name)})" if name != key else f"`{key}`"
            for key, name in sorted(facts.holds.items())
        )
        out += [
            f"Declared settings (checked, rendered as declared; omitted = derived): {held}.",
            "",
        ]
    if facts.versions is not None:
        out += [*_versions(facts.versions), ""]
    extra = plugin.reference()
    if extra:
        out += [*extra, ""]
    if plugin.rules:
        out += ["Its own rules: " + ", ".join(f"`{r.id}`" for r in plugin.rules) + ".", ""]
    if facts.notes:
        out += ["Notes:", "", *(f"- {n}" for n in facts.notes), ""]
    out += [f"Source: {facts.source}", ""]
    return out


def render() -> str:
    """The text of ``docs/targets.md``."""
    plugins = registry.plugins()
    lines = [
        "# Target applications",
        "",
        "Generated from the target registry (`mailoauth_cfg/targets/`) by "
        "`python -m mailoauth_cfg.targets.docs --write`; do not edit by hand. Each kind's facts "
        "live in `mailoauth_cfg/targets/<kind>/facts.py`; docs/adding-a-target.md explains how "
        "to add one.",
        "",
        *_summary(plugins),
        "",
    ]
    for plugin in plugins:
        lines += _kind(plugin)
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    """Print the page, ``--write`` it to {DOCS_FILE.name}, or ``--check`` it (exit 1 if stale)."""
    return generated_docs.main(DOCS_FILE, render, "mailoauth_cfg.targets.docs", argv)


if __name__ == "__main__":
    raise SystemExit(main())

"""Generate a synthetic but realistic config of N mailboxes (deterministic by seed).

    python bench/generate.py 10000 --out /tmp/bench10k.yaml

Several Microsoft tenants and Google domains, apps of every platform, and targets of every
type; each target serves a slice of the mailboxes. The output validates without errors.
"""

from __future__ import annotations

import argparse
import random
import uuid
from dataclasses import dataclass, field
from pathlib import Path


def _guid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


WEB_TARGETS = ("dolibarr-multismtp", "digdash", "glpi", "odoo", "nextcloud-mail", "openbee")
HOST_TARGETS = ("postfix-sasl-xoauth2", "msmtp", "email-oauth2-proxy")
SINGLE_TOKEN = {"digdash", "glpi", "odoo", "openbee", "dolibarr"}
MICROSOFT_ONLY = {"openbee"}
OPENBEE_PERMISSIONS = (
    "[offline_access, User.Read, User.Read.All, Mail.Send, Mail.ReadWrite, SMTP.Send]"
)


@dataclass
class _Spec:
    index: int
    kind: str
    provider: str
    users: list[str] = field(default_factory=list)


def generate(mailboxes: int, *, targets: int = 50, seed: int = 1) -> str:
    """Return the YAML text of a config with ``mailboxes`` users and ``targets`` targets.

    Targets that hold one token (Dolibarr core, DigDash, GLPI, Odoo, Open Bee) get one mailbox;
    every other mailbox is spread over the multi-mailbox targets of its provider, so each
    mailbox is used and the config validates without findings.
    """
    rng = random.Random(seed)
    out: list[str] = ["version: 1", "providers:"]
    tenants = [f"tenant{i}" for i in range(3)]
    for name in tenants:
        out += [
            f"  {name}:",
            "    type: microsoft",
            f"    tenant: {_guid(rng)}",
            "    smtp_auth: disabled",
        ]
    out += [
        "  gdomain:",
        "    type: google",
        "    domain: acme.example",
        "    consent_screen: {audience: internal, status: production}",
    ]
    out.append("apps:")
    for name in tenants:
        out += [
            f"  {name}-web:",
            f"    provider: {name}",
            f"    client_id: {_guid(rng)}",
            f"    client_secret: {{env: {name.upper()}_SECRET, expires: 2027-05-31}}",
            "    platform: web",
            "    admin_consent: true",
            "    permissions: [offline_access, SMTP.Send, IMAP.AccessAsUser.All]",
            f"  {name}-openbee:",
            f"    provider: {name}",
            f"    client_id: {_guid(rng)}",
            f"    client_secret: {{env: {name.upper()}_OPENBEE, expires: 2027-05-31}}",
            "    platform: web",
            "    admin_consent: true",
            f"    permissions: {OPENBEE_PERMISSIONS}",
            f"  {name}-public:",
            f"    provider: {name}",
            f"    client_id: {_guid(rng)}",
            "    platform: public",
            "    public_client_flows: true",
            "    admin_consent: true",
            "    permissions: [offline_access, SMTP.Send, IMAP.AccessAsUser.All]",
        ]
    out += [
        "  g-web:",
        "    provider: gdomain",
        "    client_id: 412345678901-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com",
        "    client_secret: {env: G_WEB_SECRET}",
        "    platform: web",
        "  g-desktop:",
        "    provider: gdomain",
        "    client_id: 412345678901-zyxwvutsrqponmlkjihgfedcba543210.apps.googleusercontent.com",
        "    client_secret: {env: G_DESKTOP_SECRET}",
        "    platform: desktop",
    ]
    providers = [*tenants, "gdomain"]
    pool: dict[str, list[str]] = {p: [] for p in providers}
    out.append("users:")
    for i in range(mailboxes):
        provider = tenants[i % 3] if i % 4 else "gdomain"
        domain = "acme.example" if provider == "gdomain" else f"{provider}.example.com"
        email = f"user{i:05d}@{domain}"
        pool[provider].append(email)
        out.append(f"  - email: {email}")
        out.append(f"    provider: {provider}")
        if provider != "gdomain":
            out.append("    smtp_auth: enabled")
        out.append(f"    display_name: User {i}")
    kinds = WEB_TARGETS + HOST_TARGETS
    specs: list[_Spec] = []
    for t in range(targets):
        kind = kinds[t % len(kinds)]
        choices = tenants if kind in MICROSOFT_ONLY else providers
        provider = choices[(t // len(kinds) if kind in MICROSOFT_ONLY else t) % len(choices)]
        if not pool[provider]:
            provider = next((p for p in choices if pool[p]), provider)
        users = [pool[provider].pop()] if kind in SINGLE_TOKEN and pool[provider] else []
        specs.append(_Spec(t, kind, provider, users))
    multi = [s for s in specs if s.kind not in SINGLE_TOKEN]
    for provider in providers:
        mine = [s for s in multi if s.provider == provider]
        for n, email in enumerate(pool[provider]):
            if mine:
                mine[n % len(mine)].users.append(email)
    out.append("targets:")
    for spec in specs:
        t, kind, provider, users = spec.index, spec.kind, spec.provider, spec.users
        if not users:
            continue
        web = kind in WEB_TARGETS
        if provider == "gdomain":
            app = "g-web" if web else "g-desktop"
        elif kind == "openbee":
            app = f"{provider}-openbee"
        else:
            app = f"{provider}-web" if web else f"{provider}-public"
        out += [f"  t{t:03d}-{kind}:", f"    type: {kind}", f"    app: {app}"]
        if web:
            out.append(f"    url: https://app{t}.example.com")
        if kind == "dolibarr-multismtp":
            out.append('    version: "23.0.1"')
            out.append("    user_ids:")
            out += [f"      {email}: {n + 2}" for n, email in enumerate(users)]
        if kind == "odoo":
            out += ["    version: 17", "    database: prod"]
        if kind == "glpi":
            out.append('    version: "10.0.16"')
        if kind == "openbee":
            out += ["    redirect_path: /oauth2/callback", f"    sender: {users[0]}"]
        if kind == "msmtp":
            out.append('    version: "1.8.22"')
        if kind == "email-oauth2-proxy":
            out += [
                f"    smtp_port: {20000 + t}",
                f"    imap_port: {30000 + t}",
                f"    pop_port: {40000 + t}",
            ]
        out.append("    users:")
        out += [f"      - {email}" for email in users]
    return "\n".join(out) + "\n"


def generate_render(mailboxes: int) -> str:
    """A config of ``mailboxes`` users served by three file-based targets each.

    The render benchmark: every mailbox gets a runbook per target (3 x N files) plus each
    target's config files.
    """
    rng = random.Random(2)
    lines = [
        "version: 1",
        "providers:",
        f"  contoso: {{type: microsoft, tenant: {_guid(rng)}, smtp_auth: enabled}}",
        "apps:",
        "  relay:",
        "    provider: contoso",
        f"    client_id: {_guid(rng)}",
        "    platform: public",
        "    public_client_flows: true",
        "    admin_consent: true",
        "    redirect_uris: [http://localhost]",
        "    permissions: [offline_access, SMTP.Send, IMAP.AccessAsUser.All]",
        "users:",
    ]
    emails = [f"user{i:05d}@contoso.example.com" for i in range(mailboxes)]
    lines += [f"  - {{email: {e}, provider: contoso}}" for e in emails]
    lines.append("targets:")
    for name, kind, extra in (
        ("relay", "postfix-sasl-xoauth2", []),
        ("cron", "msmtp", ['    version: "1.8.22"']),
        ("proxy", "email-oauth2-proxy", ["    protocols: [smtp, imap]"]),
    ):
        lines += [f"  {name}:", f"    type: {kind}", "    app: relay", *extra, "    users:"]
        lines += [f"      - {e}" for e in emails]
    return "\n".join(lines) + "\n"


def main() -> None:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mailboxes", type=int)
    parser.add_argument("--targets", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.write_text(generate(args.mailboxes, targets=args.targets, seed=args.seed))


if __name__ == "__main__":
    main()

"""A secret is written into the config instead of referenced.

**What.** A client secret, app password or private key is given as ``value:`` in the YAML.

**Why.** Configs live in version control and CI logs; a secret written there leaks to everyone
who can read the repository, forever (it stays in the history after it is removed). The tool
resolves ``{env: NAME}`` and ``{file: PATH}`` references only when rendering.

**Fix.** Replace ``value: ...`` with ``env: NAME`` (set by the pipeline's secret store) or
``file: /run/secrets/...``, then rotate the secret, since it has already leaked.

Source: design principle of mailoauth-cfg; Microsoft identity platform guidance on credentials
(https://learn.microsoft.com/entra/identity-platform/security-best-practices-for-app-registration).
"""

from __future__ import annotations

from collections.abc import Iterator

from mailoauth_cfg.findings import Finding, ObjectRef, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Find ``value:`` secrets in apps and targets."""
    for name, app in sorted(ctx.config.apps.items()):
        if app.client_secret is not None and app.client_secret.value is not None:
            yield ctx.finding(
                RULE,
                f"the client secret of app {name} is written in the config",
                ("apps", name, "client_secret", "value"),
                fix="replace `value:` with `env: NAME` or `file: PATH` and rotate the secret",
                object=ObjectRef.app(name),
                at_key=True,
            )
        key = app.certificate.key if app.certificate is not None else None
        if key is not None and key.value is not None:
            yield ctx.finding(
                RULE,
                f"the certificate private key of app {name} is written in the config",
                ("apps", name, "certificate", "key", "value"),
                fix="reference the key with `file: PATH` and issue a new certificate",
                object=ObjectRef.app(name),
                at_key=True,
            )
    for name, target in sorted(ctx.config.targets.items()):
        for field_name, secret_ref in target.secret_refs():
            if secret_ref.value is None:
                continue
            what = field_name.replace("_", " ")
            yield ctx.finding(
                RULE,
                f"the {what} of target {name} is written in the config",
                ("targets", name, field_name, "value"),
                fix=f"replace `value:` with `env: NAME` and revoke the {what}",
                object=ObjectRef.target(name),
                at_key=True,
            )


RULE = Rule.define(
    __doc__,
    id="secret-literal",
    severity=Severity.ERROR,
    check=check,
    options=RuleOptions,
    family="general",
    impacts=(
        (
            Severity.ERROR,
            "the secret is exposed to every reader of the repository: it must be rotated",
        ),
    ),
)

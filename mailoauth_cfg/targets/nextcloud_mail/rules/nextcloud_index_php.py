"""A Nextcloud URL contains ``index.php`` instead of setting ``index_php``.

**What.** The path of a ``nextcloud-mail`` target's ``url`` contains ``index.php``: with
``index_php: true`` as well (error: the redirect URI gets ``/index.php/index.php/``), or without
it (info: ``url`` is meant to be the base URL).

**Why.** Nextcloud Mail builds its redirect URI with ``linkToRouteAbsolute``:
``<base>/index.php/apps/mail/integration/<provider>-auth`` unless pretty URLs are enabled, then
without ``index.php``. The tool derives the same URI from ``url`` + ``index_php``; the URI
registered on the app must match it character for character.

**Fix.** Set ``url`` to the base URL (without ``/index.php``) and ``index_php: true`` when the
instance has no pretty URLs (links show ``/index.php/apps/...``).

Source: nextcloud/mail:lib/Integration/MicrosoftIntegration.php (``getRedirectUrl``);
the Nextcloud Mail facts (redirect variant ``index-php``).
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

from mailoauth_cfg.findings import Finding, Severity
from mailoauth_cfg.rules._base import Context, Rule, RuleOptions
from mailoauth_cfg.rules.targets._common import target_path
from mailoauth_cfg.targets.nextcloud_mail.model import NextcloudMailTarget


def base_url(url: str) -> str:
    """``url`` with everything from ``/index.php`` on removed."""
    parts = urlsplit(url)
    path = parts.path
    cut = path.find("/index.php")
    if cut >= 0:
        path = path[:cut]
    return urlunsplit((parts.scheme, parts.netloc, path.rstrip("/"), "", ""))


def check(ctx: Context, options: RuleOptions) -> Iterator[Finding]:
    """Find ``index.php`` in Nextcloud URLs."""
    for plan, target in ctx.targets_of(NextcloudMailTarget):
        if "index.php" not in urlsplit(target.url).path:
            continue
        base = base_url(target.url)
        if target.index_php:
            yield ctx.finding(
                RULE,
                f"target {plan.name}: url {target.url} already contains index.php and "
                f"index_php is true, so the redirect URI becomes {plan.redirect_uri}",
                target_path(plan.name, "url"),
                fix=f"set `url: {base}` (keep `index_php: true`)",
                object=plan.object,
                severity=Severity.ERROR,
            )
        else:
            yield ctx.finding(
                RULE,
                f"target {plan.name}: url {target.url} contains index.php; url is the "
                "Nextcloud base URL and index_php says whether routes carry index.php",
                target_path(plan.name, "url"),
                fix=f"set `url: {base}` and `index_php: true`",
                object=plan.object,
            )


RULE = Rule.define(
    __doc__,
    id="nextcloud-index-php",
    severity=Severity.INFO,
    check=check,
    options=RuleOptions,
    family="targets",
    impacts=(
        (Severity.ERROR, "the redirect URI gets index.php twice: AADSTS50011"),
        (Severity.INFO, "url should be the base URL: advice"),
    ),
)

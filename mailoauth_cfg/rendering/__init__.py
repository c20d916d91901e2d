"""Render target-application configs, provider-side artefacts and bootstrap runbooks.

:func:`render` is pure: it returns the files in memory (and findings for secrets that cannot
be resolved); :mod:`mailoauth_cfg.rendering.writer` writes them. Secrets are resolved here
and nowhere else in the offline path.
"""

from __future__ import annotations

import os
import traceback
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from jinja2 import Environment, TemplateError, TemplateNotFound

from mailoauth_cfg.derive import Plans, TargetPlan, endpoints, plan, token_scopes
from mailoauth_cfg.errors import RenderError
from mailoauth_cfg.findings import Finding, Location, Severity
from mailoauth_cfg.loading import PathKey, SourceMap, format_path, is_secret_path
from mailoauth_cfg.model import MailConfig, SecretRef
from mailoauth_cfg.rendering.environment import (
    Secret,
    make_environment,
    output_syntax,
    tracking,
)
from mailoauth_cfg.rendering.escaping import Syntax, Unrepresentable, syntax_for
from mailoauth_cfg.rendering.writer import RenderedFile, safe_relative


@dataclass
class RenderContext:
    """Everything target specs need: config, plans, secrets and the template environment."""

    config: MailConfig
    marks: SourceMap
    plans: Plans
    config_name: str
    root: Path
    environ: Mapping[str, str]
    findings: list[Finding] = field(default_factory=list)

    def secret(self, ref: SecretRef | None, path: PathKey, object_: str) -> Secret | None:
        """Resolve a secret reference, or record a located finding and return ``None``."""
        if ref is None:
            return None
        if ref.value is not None:
            return Secret(ref.value.get_secret_value(), "the config", (*path, "value"))
        if ref.env is not None:
            value = self.environ.get(ref.env)
            variable = (
                f"environment variable {ref.env}"
                if ref.env_shown
                else "the environment variable named here (name hidden: it may be a secret)"
            )
            if value is None or value == "":
                self._unresolved(
                    f"{variable} is not set (or empty)",
                    (*path, "env"),
                    object_,
                    (
                        f"export {ref.env}=... before rendering (from your secret store)"
                        if ref.env_shown
                        else "name an environment variable here and export it before rendering; "
                        "a secret never goes in the config"
                    ),
                )
                return None
            if not _is_text(value):
                self._unresolved(
                    f"{variable} is not valid UTF-8 text",
                    (*path, "env"),
                    object_,
                    "set it to the secret as UTF-8 text (check the secret store's encoding)",
                )
                return None
            return Secret(value, ref.describe(), (*path, "env"))
        file = Path(ref.file or "")
        if not file.is_absolute():
            file = self.root / file
        what = (
            f"secret file {ref.file}"
            if ref.file_shown
            else "the secret file named here (path hidden: it may be a secret)"
        )
        try:
            value = file.read_text(encoding="utf-8").rstrip("\r\n")
        except (OSError, UnicodeDecodeError) as exc:
            reason = (
                exc.strerror
                if isinstance(exc, OSError) and exc.strerror
                else "it is not valid UTF-8 text"
            )
            self._unresolved(
                f"{what} cannot be read: {reason}",
                (*path, "file"),
                object_,
                "create the file (mode 0600, UTF-8 text) or correct the path",
            )
            return None
        if not value:
            self._unresolved(f"{what} is empty", (*path, "file"), object_, "write the secret")
            return None
        return Secret(value, ref.describe(), (*path, "file"))

    def unrepresentable(self, error: Unrepresentable, syntax: Syntax, output: str) -> None:
        """Record a located finding for a value that ``output``'s syntax cannot carry."""
        value = error.value
        location = None
        if isinstance(value, Secret):
            path: PathKey = value.path
            what = f"the secret from {value.reference}"
        else:
            text = value if isinstance(value, str) else str(value)
            path = self._locate(text, syntax)
            if not path and self._config_name_refused(syntax):
                what = "the config file's name"
                root = self.marks.location(())
                location = Location(file=root.file or self.config_name, line=1, column=1)
            elif not path or is_secret_path(path):
                what = f"the value of {format_path(path)}" if path else "a value"
            else:
                shown = text if len(text) <= 60 else text[:60] + "…"
                what = f"{format_path(path)} ({shown!r})"
        self.findings.append(
            Finding(
                rule="render-value-unsafe",
                severity=Severity.ERROR,
                message=f"{what} cannot be written to {output}: {error}",
                location=location or self.marks.location(path),
                fix=(
                    "rename the config file"
                    if location is not None
                    else "change the value (remove the character named)"
                )
                + "; nothing was written",
                object=_object_of(path),
            )
        )

    def _config_name_refused(self, syntax: Syntax) -> bool:
        """Whether ``syntax`` refuses the config file's name (printed in runbook commands)."""
        try:
            syntax.text(self.config_name, self.config_name)
        except Unrepresentable:
            return True
        return False

    def _locate(self, text: str, syntax: Syntax) -> PathKey:
        """Where in the config ``text`` (or the part of it the syntax refuses) is declared."""
        leaves = list(_leaves(self.config.model_dump(mode="python", exclude_unset=True), ()))
        for path, leaf in leaves:
            if leaf == text:
                return path
        for path, leaf in sorted(leaves, key=lambda item: -len(item[1])):
            if leaf and leaf in text:
                try:
                    syntax.text(leaf, leaf)
                except Unrepresentable:
                    return path
        return ()

    def _unresolved(self, message: str, path: PathKey, object_: str, fix: str) -> None:
        self.findings.append(
            Finding(
                rule="secret-unresolved",
                severity=Severity.ERROR,
                message=message,
                location=self.marks.location(path),
                fix=fix,
                object=object_,
            )
        )

    def app_secret(self, tplan: TargetPlan) -> Secret | None:
        """The client secret of the target's app (``None`` for public clients)."""
        if tplan.app is None or tplan.app_name is None:
            return None
        return self.secret(
            tplan.app.client_secret,
            ("apps", tplan.app_name, "client_secret"),
            f"app:{tplan.app_name}",
        )

    def base_context(self, tplan: TargetPlan) -> dict[str, Any]:
        """Variables every target template receives."""
        users = [u for u in (self.config.user(e) for e in tplan.target.users) if u is not None]
        return {
            "name": tplan.name,
            "target": tplan.target,
            "plan": tplan,
            "kind": tplan.kind,
            "app": tplan.app,
            "app_name": tplan.app_name,
            "provider": tplan.provider,
            "provider_type": tplan.provider_type,
            "endpoints": endpoints(tplan.provider) if tplan.provider is not None else None,
            "users": users,
            "scopes": token_scopes(tplan),
            "redirect_uri": tplan.redirect_uri,
            "config_name": self.config_name,
            "header": self.header,
        }

    @property
    def header(self) -> str:
        """The first comment of every file (printed with the ``comment`` filter)."""
        return f"Generated by mailoauth-cfg from {self.config_name}; do not edit by hand."


def _is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # os.environ decodes undecodable bytes to lone surrogates
        return False
    return True


def _leaves(value: Any, path: PathKey) -> Iterator[tuple[PathKey, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, child in value.items():
            if isinstance(key, str):
                yield (*path, key), key
            yield from _leaves(child, (*path, key))
    elif isinstance(value, list | tuple):
        for index, child in enumerate(value):
            yield from _leaves(child, (*path, index))


def _object_of(path: PathKey) -> str:
    if len(path) >= 2 and path[0] in ("providers", "apps", "targets"):
        return f"{str(path[0]).rstrip('s')}:{path[1]}"
    if len(path) >= 2 and path[0] == "users":
        return f"user:#{path[1]}"
    return ""


T = TypeVar("T")


def narrow(value: object, cls: type[T]) -> T:
    """``value`` as ``cls`` (target specs receive the union of target models)."""
    if not isinstance(value, cls):
        raise RenderError(f"expected a {cls.__name__}, got {type(value).__name__}")
    return value


@dataclass(frozen=True, slots=True)
class Output:
    """One file a target spec asks for."""

    path: str
    template: str
    context: dict[str, Any]
    mailbox: str | None = None
    syntax: str | None = None
    """The file's syntax (:data:`~mailoauth_cfg.rendering.escaping.SYNTAXES`) when its name
    does not say it (``.sh``, ``.php``, ``.md``... do)."""


@dataclass(frozen=True, slots=True)
class RenderResult:
    """Rendered files and the findings that prevented some of them."""

    files: list[RenderedFile]
    findings: list[Finding]


def render(
    config: MailConfig,
    marks: SourceMap,
    *,
    config_name: str,
    root: Path,
    only: list[str] | None = None,
    template_dirs: list[Path] | None = None,
    environ: Mapping[str, str] | None = None,
) -> RenderResult:
    """Render every target (or ``only`` those) into memory.

    Raises:
        RenderError: a template is missing or broken, or an output path is unsafe.
    """
    from mailoauth_cfg.rendering import provider_side, runbooks, targets

    env = make_environment(template_dirs)
    ctx = RenderContext(
        config=config,
        marks=marks,
        plans=plan(config),
        config_name=config_name,
        root=root,
        environ=os.environ if environ is None else environ,
    )
    selected = sorted(only) if only else sorted(ctx.plans.targets)
    unknown = [n for n in selected if n not in ctx.plans.targets]
    if unknown:
        raise RenderError(f"unknown target(s): {', '.join(unknown)}")
    files: list[RenderedFile] = []
    apps_used: set[str] = set()
    for name in selected:
        tplan = ctx.plans.targets[name]
        outputs = targets.outputs(ctx, tplan) + runbooks.outputs(ctx, tplan)
        files.extend(_render_outputs(ctx, env, outputs, f"{name}/", name))
        if tplan.app_name:
            apps_used.add(tplan.app_name)
    for app_name in sorted(apps_used):
        aplan = ctx.plans.apps.get(app_name)
        if aplan is not None:
            files.extend(
                _render_outputs(
                    ctx, env, provider_side.outputs(ctx, aplan), f"_apps/{app_name}/", ""
                )
            )
    if ctx.findings:
        return RenderResult(files=[], findings=ctx.findings)
    counts = Counter(f.path for f in files)
    duplicates = sorted(path for path, count in counts.items() if count > 1)
    if duplicates:
        raise RenderError(f"two outputs share a path: {', '.join(duplicates)}")
    return RenderResult(files=sorted(files, key=lambda f: f.path), findings=[])


def _render_outputs(
    ctx: RenderContext, env: Environment, outputs: list[Output], prefix: str, target: str
) -> list[RenderedFile]:
    out: list[RenderedFile] = []
    for item in outputs:
        path = str(safe_relative(prefix + item.path))
        try:
            syntax = syntax_for(path, item.syntax)
        except KeyError as exc:
            raise RenderError(str(exc.args[0])) from None
        try:
            template = env.get_template(item.template)
        except TemplateNotFound as exc:
            raise RenderError(f"template {exc.name} not found") from None
        except TemplateError as exc:
            raise RenderError(f"template {_where(item.template, exc)}: {exc}") from None
        try:
            with tracking() as tracker, output_syntax(syntax):
                text = template.render(**item.context)
        except Unrepresentable as exc:
            ctx.unrepresentable(exc, syntax, path)
            continue
        except RenderError as exc:
            raise RenderError(f"{path}: template {_where(item.template, exc)}: {exc}") from None
        except Exception as exc:
            detail = exc.message if isinstance(exc, TemplateError) else str(exc)
            raise RenderError(
                f"{path}: template {_where(item.template, exc)}: "
                f"{type(exc).__name__}: {detail or 'failed'}"
            ) from None
        out.append(
            RenderedFile(
                path=path,
                content=text.encode("utf-8"),
                target=target,
                mailbox=item.mailbox,
                secret=bool(tracker.secrets),
                secrets=frozenset(tracker.secrets),
            )
        )
    return out


def _where(template: str, exc: BaseException) -> str:
    """``name:line`` of the template frame nearest to where ``exc`` was raised."""
    line = getattr(exc, "lineno", None)
    name = getattr(exc, "name", None) or template
    if not line:
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if frame.filename.endswith(".j2") or frame.filename == "<template>":
                line = frame.lineno
                name = _template_name(frame.filename) or name
                break
    return f"{name}:{line}" if line else str(name)


def _template_name(filename: str) -> str | None:
    for marker in ("/templates/", "/_data/templates/"):
        if marker in filename:
            return filename.rsplit(marker, 1)[1]
    return Path(filename).name if filename.endswith(".j2") else None

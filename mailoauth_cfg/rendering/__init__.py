"""Render target-application configs, provider-side artefacts and bootstrap runbooks.

:func:`render` is pure: it returns the files in memory (and findings for secrets that cannot
be resolved); :mod:`mailoauth_cfg.rendering.writer` writes them. Secrets are resolved here
and nowhere else in the offline path.
"""

from __future__ import annotations

import os
import traceback
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from jinja2 import Environment, Template, TemplateError, TemplateNotFound
from jinja2.sandbox import SandboxedEnvironment

from mailoauth_cfg.derive import Plans, TargetPlan, endpoints, plan
from mailoauth_cfg.errors import RenderError
from mailoauth_cfg.findings import Finding, Location, ObjectRef, Severity
from mailoauth_cfg.gcpause import gc_paused
from mailoauth_cfg.locations import PathKey, SourceMap, format_path, is_secret_path
from mailoauth_cfg.model import MailConfig, SecretRef, User
from mailoauth_cfg.rendering import shapes
from mailoauth_cfg.rendering.environment import (
    SPAN_CLOSE,
    SPAN_OPEN,
    Secret,
    make_environment,
    output_syntax,
    tracking,
)
from mailoauth_cfg.rendering.escaping import Syntax, Unrepresentable, syntax_for
from mailoauth_cfg.rendering.writer import RenderedFile, safe_path
from mailoauth_cfg.secrets import Unresolved, read_secret, source_key

SECRET_NOT_READ = "secret-not-read"
"""What a secret renders as without secrets; it only ever lands inside a masked span."""


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
    secretless: bool = False
    """Read no secret: every reference stands for :data:`SECRET_NOT_READ` (``--no-secrets``)."""
    current_target: str = ""
    """The target being rendered (named in ``secret-unresolved`` findings)."""
    _missing: dict[PathKey, tuple[str, ObjectRef, str, list[str]]] = field(default_factory=dict)
    _users: dict[str, tuple[User, ...]] = field(default_factory=dict)
    """Each target's declared users, looked up once (every output's context lists them)."""
    user_dumps: dict[str, Any] = field(default_factory=dict)
    """Each mailbox as JSON (by e-mail), dumped once for every host config that lists it."""

    def secret(self, ref: SecretRef | None, path: PathKey, object_: ObjectRef) -> Secret | None:
        """Resolve a secret reference, or record a located finding and return ``None``."""
        if ref is None:
            return None
        key = source_key(ref)
        if self.secretless:
            return Secret(SECRET_NOT_READ, "a secret not read (--no-secrets)", (*path, key))
        found = read_secret(ref, self.root, self.environ)
        if isinstance(found, Unresolved):
            self._unresolved(found.reason, (*path, found.key), object_, found.fix)
            return None
        return Secret(found, ref.describe() if ref.value is None else "the config", (*path, key))

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
                object=_object_of(self.config, path),
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

    def _unresolved(self, message: str, path: PathKey, object_: ObjectRef, fix: str) -> None:
        """Record a secret that cannot be resolved: once per reference, with every target
        that needs it (several targets often share one app and so one secret)."""
        entry = self._missing.setdefault(path, (message, object_, fix, []))
        if self.current_target and self.current_target not in entry[3]:
            entry[3].append(self.current_target)

    def unresolved(self) -> list[Finding]:
        """One ``secret-unresolved`` finding per unresolvable reference, naming its users."""
        findings = []
        for path, (message, object_, fix, users) in self._missing.items():
            if users:
                label = "target" if len(users) == 1 else "targets"
                message = f"{message}; needed by {label} {', '.join(sorted(users))}"
            findings.append(
                Finding(
                    rule="secret-unresolved",
                    severity=Severity.ERROR,
                    message=message,
                    location=self.marks.location(path),
                    fix=fix,
                    object=object_,
                )
            )
        return findings

    def app_secret(self, tplan: TargetPlan) -> Secret | None:
        """The client secret the target uses (its ``credential``, else the app's secret;
        ``None`` for public clients and certificate credentials)."""
        credential = tplan.credential
        if tplan.app_name is None or credential is None or credential.type != "secret":
            return None
        return self.secret(
            credential.reference,
            ("apps", tplan.app_name, *credential.path),
            ObjectRef.app(tplan.app_name),
        )

    def base_context(self, tplan: TargetPlan) -> dict[str, Any]:
        """Variables every target template receives."""
        found = self._users.get(tplan.name)
        if found is None:
            found = tuple(
                u for u in (self.config.user(e) for e in tplan.target.users) if u is not None
            )
            self._users[tplan.name] = found
        users = list(found)
        return {
            "name": tplan.name,
            "target": tplan.target,
            "plan": tplan,
            "kind": tplan.facts,
            "app": tplan.app,
            "app_name": tplan.app_name,
            "provider": tplan.provider,
            "provider_type": tplan.provider_type,
            "endpoints": endpoints(tplan.provider) if tplan.provider is not None else None,
            "users": users,
            "scopes": tplan.requested_scopes()[0],
            "redirect_uri": tplan.redirect_uri,
            "config_name": self.config_name,
            "header": self.header,
        }

    @property
    def header(self) -> str:
        """The first comment of every file (printed with the ``comment`` filter)."""
        return f"Generated by mailoauth-cfg from {self.config_name}; do not edit by hand."


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


def _object_of(config: MailConfig, path: PathKey) -> ObjectRef | None:
    if len(path) < 2:
        return None
    section, name = path[0], path[1]
    if section == "providers":
        return ObjectRef.provider(str(name))
    if section == "apps":
        return ObjectRef.app(str(name))
    if section == "targets":
        return ObjectRef.target(str(name))
    if section == "users" and isinstance(name, int) and name < len(config.users):
        return ObjectRef.user(config.users[name].email)
    return None


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
    own: Mapping[str, Any] | None = None
    """A mailbox's own values, added to ``context`` (which outputs of one template then share):
    such outputs are rendered once and specialised per mailbox (:mod:`.shapes`)."""


@dataclass(frozen=True, slots=True)
class RenderResult:
    """Rendered files and the findings that prevented some of them."""

    files: list[RenderedFile]
    findings: list[Finding]
    helped: int = 0
    """Files a forked helper rendered (:mod:`.parallel`; 0: all were rendered here)."""


@gc_paused
def render(
    config: MailConfig,
    marks: SourceMap,
    *,
    config_name: str,
    root: Path,
    only: list[str] | None = None,
    template_dirs: list[Path] | None = None,
    environ: Mapping[str, str] | None = None,
    secretless: bool = False,
    specialise: bool = True,
    on_batch: Callable[[list[RenderedFile]], None] | None = None,
    parallel: bool | None = None,
) -> RenderResult:
    """Render every target (or ``only`` those) into memory.

    ``secretless`` reads no secret: each renders as :data:`SECRET_NOT_READ`, inside the file's
    secret spans, for comparisons with the secrets masked (``render --check --no-secrets``).
    ``specialise=False`` renders every runbook in full instead of once per shape
    (:mod:`.shapes`); the bytes are the same either way. ``on_batch`` receives files as they
    are rendered (a :class:`~.writer.WriteSession` stages them meanwhile); a file handed over
    may still be replaced (see :func:`_render_outputs`), and a render that ends in findings or
    an error returns no file. ``parallel`` renders part of the outputs in a forked helper
    (:mod:`.parallel`; the bytes are the same): ``None`` when the render is large, two cores are
    there and no other thread runs; ``True`` whenever a helper can run (the caller knows that
    no other thread of its process is inside this package); ``False`` never.

    Raises:
        RenderError: a template is missing or broken, or an output path is unsafe.
    """
    from mailoauth_cfg.rendering import parallel as helpers

    env = make_environment(template_dirs)
    plans = plan(config)
    selected = sorted(only) if only else sorted(plans.targets)
    unknown = [n for n in selected if n not in plans.targets]
    if unknown:
        raise RenderError(f"unknown target(s): {', '.join(unknown)}")

    def new_context() -> RenderContext:
        return RenderContext(
            config=config,
            marks=marks,
            plans=plans,
            config_name=config_name,
            root=root,
            environ=os.environ if environ is None else environ,
            secretless=secretless,
        )

    if parallel is None:
        mailboxes = sum(len(plans.targets[name].target.users) for name in selected)
        parallel = mailboxes >= helpers.MIN_COST and helpers.alone()
    if parallel and helpers.available():
        result = _render_split(new_context(), env, selected, specialise, on_batch)
        if result is not None:
            return result
    return _render_whole(new_context(), env, selected, specialise, on_batch)


def _jobs(ctx: RenderContext, selected: list[str]) -> Iterator[tuple[list[Output], str, str]]:
    """Each target's outputs, then those of the apps they use: (outputs, prefix, target).
    Lazily: one target's outputs are rendered before the next target's are made."""
    from mailoauth_cfg.rendering import provider_side, runbooks

    apps_used: set[str] = set()
    for name in selected:
        tplan = ctx.plans.targets[name]
        ctx.current_target = name
        yield tplan.plugin.outputs(ctx, tplan) + runbooks.outputs(ctx, tplan), f"{name}/", name
        if tplan.app_name:
            apps_used.add(tplan.app_name)
    ctx.current_target = ""
    for app_name in sorted(apps_used):
        aplan = ctx.plans.apps.get(app_name)
        if aplan is not None:
            yield provider_side.outputs(ctx, aplan), f"_apps/{app_name}/", ""


def _handing(
    ctx: RenderContext, on_batch: Callable[[list[RenderedFile]], None] | None
) -> Callable[[list[RenderedFile]], None]:
    def hand(batch: list[RenderedFile]) -> None:
        if on_batch is not None and batch and not ctx.findings:  # nothing is written then
            on_batch(batch)

    return hand


def _finished(ctx: RenderContext, files: list[RenderedFile]) -> RenderResult:
    ctx.findings.extend(ctx.unresolved())
    if ctx.findings:
        return RenderResult(files=[], findings=ctx.findings)
    counts = Counter(f.path for f in files)
    duplicates = sorted(path for path, count in counts.items() if count > 1)
    if duplicates:
        raise RenderError(f"two outputs share a path: {', '.join(duplicates)}")
    return RenderResult(files=sorted(files, key=lambda f: f.path), findings=[])


def _render_whole(
    ctx: RenderContext,
    env: Environment,
    selected: list[str],
    specialise: bool,
    on_batch: Callable[[list[RenderedFile]], None] | None,
) -> RenderResult:
    """Render in this process, output after output (what decides findings and errors)."""
    hand = _handing(ctx, on_batch)
    files: list[RenderedFile] = []
    for outputs, prefix, target in _jobs(ctx, selected):
        files.extend(_render_outputs(ctx, env, outputs, prefix, target, specialise, hand))
    return _finished(ctx, files)


def _render_split(
    ctx: RenderContext,
    env: Environment,
    selected: list[str],
    specialise: bool,
    on_batch: Callable[[list[RenderedFile]], None] | None,
) -> RenderResult | None:
    """Render with a helper rendering part of the outputs (:mod:`.parallel`); ``None`` when
    anything but a clean render happens on either side (or no helper can run): the caller
    renders in one process then, which reports findings and errors in their order."""
    from mailoauth_cfg.rendering import parallel as helpers

    try:
        jobs = list(_jobs(ctx, selected))
    except Exception:  # an error making one target's outputs: the first in output order is
        return None  # the one-process render's to raise (another target's may come before)
    if ctx.findings or ctx._missing:
        return None
    theirs = helpers.split([[helpers.cost(item) for item in job[0]] for job in jobs])

    def share(helper: bool) -> list[tuple[list[Output], str, str]]:
        """Each job's outputs on one side, in their order."""
        return [
            ([o for o, h in zip(outputs, flags, strict=True) if h is helper], prefix, target)
            for (outputs, prefix, target), flags in zip(jobs, theirs, strict=True)
        ]

    def helper_work() -> list[RenderedFile] | None:
        done = [
            f
            for outputs, prefix, target in share(True)
            if outputs
            for f in _render_outputs(ctx, env, outputs, prefix, target, specialise)
        ]
        return None if ctx.findings or ctx._missing else done

    helper = helpers.start(helper_work)
    if helper is None:
        return None
    hand = _handing(ctx, on_batch)
    files: list[RenderedFile] = []
    try:
        for outputs, prefix, target in share(False):
            if outputs:
                files.extend(_render_outputs(ctx, env, outputs, prefix, target, specialise, hand))
    except Exception:  # the render in one process raises it (or the error before it)
        helper.stop()
        return None
    except BaseException:
        helper.stop()
        raise
    if ctx.findings or ctx._missing:
        helper.stop()
        return None
    received = helpers.finish(helper)
    if received is None:
        return None
    hand(received)
    result = _finished(ctx, files + received)
    return RenderResult(files=result.files, findings=result.findings, helped=len(received))


def _render_outputs(
    ctx: RenderContext,
    env: Environment,
    outputs: list[Output],
    prefix: str,
    target: str,
    specialise: bool = True,
    on_batch: Callable[[list[RenderedFile]], None] | None = None,
) -> list[RenderedFile]:
    """Render ``outputs``; ``on_batch`` receives the files every :data:`BATCH` outputs and at
    the end. A specialised file may still be replaced by a full render after it was handed
    over (its group's check failed): the replacement is handed over too, and the writer keeps
    only what the final list holds (it compares the very content objects)."""
    out: list[RenderedFile] = []
    handed = 0
    # Shapes only for the shipped templates: a sandbox intercepts calls on str values itself.
    groups: dict[tuple[int, str, str], _ShapeGroup] | None = (
        {} if specialise and not isinstance(env, SandboxedEnvironment) else None
    )
    templates: dict[str, Template] = {}  # loaded (and checked up to date) once per render
    for item in outputs:
        if on_batch is not None and len(out) - handed >= BATCH:
            on_batch(out[handed:])
            handed = len(out)
        path = safe_path(prefix + item.path)
        try:
            syntax = syntax_for(path, item.syntax)
        except KeyError as exc:
            raise RenderError(str(exc.args[0])) from None
        try:
            template = templates.get(item.template) or env.get_template(item.template)
            templates[item.template] = template
        except TemplateNotFound as exc:
            raise RenderError(f"template {exc.name} not found") from None
        except TemplateError as exc:
            raise RenderError(f"template {_where(item.template, exc)}: {exc}") from None
        if item.own is not None and groups is not None:
            key = (id(item.context), item.template, syntax.name)
            group = groups.setdefault(key, _ShapeGroup(template, item.context, syntax))
            text = group.text(item.own)
            if text is not None:
                group.done(item, len(out))
                out.append(_file(text, path, target, item, frozenset()))
                continue
        rendered = _render_full(ctx, template, item, syntax, path, target)
        if rendered is not None:
            out.append(rendered)
    redone_files: list[RenderedFile] = []
    for group in (groups or {}).values():
        if not group.confirmed(out):
            for index, item in group.specialised:  # rendered in full after all
                redone = _render_full(
                    ctx, group.template, item, group.syntax, out[index].path, target
                )
                if redone is None:
                    raise RenderError(f"{out[index].path}: the runbook could not be rendered")
                out[index] = redone
                if index < handed:
                    redone_files.append(redone)
    if on_batch is not None:
        on_batch(out[handed:] + redone_files)
    return out


BATCH = 2000
"""Files a render hands to the writer at a time (see :class:`~.writer.WriteSession`)."""


def _render_full(
    ctx: RenderContext,
    template: Template,
    item: Output,
    syntax: Syntax,
    path: str,
    target: str,
) -> RenderedFile | None:
    """Render one output; ``None`` when a value is unrepresentable (a finding is recorded)."""
    context = item.context if item.own is None else {**item.context, **item.own}
    try:
        with tracking() as tracker, output_syntax(syntax):
            text = template.render(**context)
    except Unrepresentable as exc:
        ctx.unrepresentable(exc, syntax, path)
        return None
    except RenderError as exc:
        raise RenderError(f"{path}: template {_where(item.template, exc)}: {exc}") from None
    except Exception as exc:
        detail = exc.message if isinstance(exc, TemplateError) else str(exc)
        raise RenderError(
            f"{path}: template {_where(item.template, exc)}: "
            f"{type(exc).__name__}: {detail or 'failed'}"
        ) from None
    return _file(text, path, target, item, frozenset(tracker.secrets))


def _file(text: str, path: str, target: str, item: Output, secrets: frozenset[str]) -> RenderedFile:
    content, spans = _secret_spans(text, path)
    return RenderedFile(
        path=path,
        content=content,
        target=target,
        mailbox=item.mailbox,
        secret=bool(secrets),
        secrets=secrets,
        secret_spans=spans,
    )


class _ShapeGroup:
    """The outputs of one template and one shared context: their shapes, and what was made
    from them (see :mod:`.shapes`)."""

    MAX_UNSHARED = 8
    """Traces with no reuse after which a group is rendered in full (each mailbox its own
    shape: the template depends on the mailbox's values themselves)."""

    def __init__(self, template: Template, context: Mapping[str, Any], syntax: Syntax) -> None:
        self.template = template
        self.context = context
        self.syntax = syntax
        self.shapes: dict[tuple[shapes.Path, ...], list[shapes.Shape]] = {}
        self.off = False
        self.traces = 0
        self.specialised: list[tuple[int, Output]] = []

    def text(self, own: Mapping[str, Any]) -> str | None:
        """The output's text from a shape (``None``: render it in full)."""
        if self.off:
            return None
        try:
            shape = self._find(own) or self._trace(own)
        except Exception:  # anything a trace cannot follow: the full render decides
            shape = None
        if shape is None:
            return None
        try:
            with tracking() as tracker, output_syntax(self.syntax):
                text = shape.fill(own)
        except Exception:  # an error for this mailbox: the full render reports it as usual
            return None
        return None if tracker.secrets else text

    def _find(self, own: Mapping[str, Any]) -> shapes.Shape | None:
        for candidates in self.shapes.values():
            key = candidates[0].key(own)
            for shape in candidates:
                if shape.fact_values == key:
                    return shape
        return None

    def _trace(self, own: Mapping[str, Any]) -> shapes.Shape | None:
        if self.traces >= self.MAX_UNSHARED and not self.specialised:
            self.off = True
            return None
        self.traces += 1
        with tracking() as tracker, output_syntax(self.syntax), shapes.tracing(own) as traced:
            trace, values = traced
            text = self.template.render({**self.context, **values})  # own values win
        if tracker.secrets:
            self.off = True  # secrets are tracked by a full render only
            return None
        shape = shapes.Shape(trace, text)
        self.shapes.setdefault(shape.fact_paths, []).append(shape)
        return shape

    def done(self, item: Output, index: int) -> None:
        self.specialised.append((index, item))

    def confirmed(self, files: list[RenderedFile]) -> bool:
        """Render the last specialised output in full: the same bytes, or the group is
        rendered in full (a template doing what a trace cannot see)."""
        if not self.specialised:
            return True
        index, item = self.specialised[-1]
        try:
            with tracking() as tracker, output_syntax(self.syntax):
                text = self.template.render({**item.context, **(item.own or {})})
        except Exception:
            return False
        return not tracker.secrets and text.encode("utf-8") == files[index].content


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


def _secret_spans(text: str, path: str) -> tuple[bytes, tuple[tuple[int, int], ...]]:
    """Remove the span marks from rendered text: its UTF-8 bytes and the marked byte ranges."""
    if SPAN_OPEN[0] not in text:
        return text.encode("utf-8"), ()
    chunks: list[bytes] = []
    spans: list[tuple[int, int]] = []
    size = 0
    rest = text
    while True:
        start = rest.find(SPAN_OPEN)
        if start < 0:
            break
        end = rest.find(SPAN_CLOSE, start)
        if end < 0:
            raise RenderError(f"{path}: unbalanced secret marks")
        before = rest[:start].encode("utf-8")
        inside = rest[start + len(SPAN_OPEN) : end].encode("utf-8")
        chunks += [before, inside]
        size += len(before)
        spans.append((size, size + len(inside)))
        size += len(inside)
        rest = rest[end + len(SPAN_CLOSE) :]
    chunks.append(rest.encode("utf-8"))
    content = b"".join(chunks)
    if b"\x00" in content:
        raise RenderError(f"{path}: a NUL character in the output")
    return content, tuple(spans)

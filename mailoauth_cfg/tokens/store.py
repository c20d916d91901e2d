"""Token files: one JSON file per mailbox, mode 0600, written atomically under a lock.

Two formats:

``native``
    mailoauth-cfg's own file (``<dir>/<email>.json``): the refresh token, the current access
    token and its expiry, plus metadata for ``token status`` (scopes, flow, when it was obtained
    and refreshed, which client and token endpoint issued it).
``sasl-xoauth2``
    the token file of the Postfix plugin sasl-xoauth2 (``<token_dir>/<email>``): ``refresh_token``,
    ``access_token`` and ``expiry`` (epoch seconds *as a string*). Other keys already in the file
    (per-file overrides such as ``client_id`` or ``token_endpoint``) are kept on rewrite, as
    ``sasl-xoauth2-tool --overwrite-existing-token`` does. The plugin refreshes and rotates the
    token itself, so this file is the only copy: mailoauth-cfg reads and writes it in place.

Every write goes through :func:`mailoauth_cfg.fileio.write_atomic` (temporary file in the same
directory, mode set before the first byte, fsync, rename): a crash mid-write leaves the old
token intact. Read-refresh-write cycles hold an exclusive ``flock`` on a lock file beside the
token, so two concurrent ``token access`` calls never lose a rotated refresh token.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from mailoauth_cfg.errors import TokenError
from mailoauth_cfg.fileio import confined, write_atomic
from mailoauth_cfg.tokens import redaction

StoreFormat = Literal["native", "sasl-xoauth2"]
NATIVE_KIND = "mailoauth-cfg-token"
FILE_MODE = 0o600
DIR_MODE = 0o700
_SASL_KEYS = ("refresh_token", "access_token", "expiry")


def default_store_dir(environ: dict[str, str] | os._Environ[str] | None = None) -> Path:
    """``$XDG_STATE_HOME/mailoauth-cfg/tokens``, by default ``~/.local/state/…/tokens``."""
    env = os.environ if environ is None else environ
    state = env.get("XDG_STATE_HOME") or ""
    base = Path(state) if state and Path(state).is_absolute() else Path.home() / ".local" / "state"
    return base / "mailoauth-cfg" / "tokens"


@dataclass(frozen=True)
class TokenRecord:
    """What is known about one mailbox's tokens. ``repr`` never shows a token."""

    user: str
    refresh_token: str | None = field(default=None, repr=False)
    access_token: str | None = field(default=None, repr=False)
    expires_at: float | None = None
    """Epoch seconds at which the access token expires."""
    scopes: tuple[str, ...] = ()
    obtained_at: float | None = None
    """When the refresh token was obtained (bootstrap)."""
    refreshed_at: float | None = None
    """When the access token was last renewed."""
    flow: str | None = None
    client_id: str | None = None
    token_url: str | None = None
    provider: str | None = None
    target: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, repr=False)
    """Keys of a sasl-xoauth2 file that mailoauth-cfg does not manage (kept on rewrite)."""

    def __post_init__(self) -> None:
        redaction.register(self.refresh_token, self.access_token)

    def access_valid_for(self, now: float | None = None) -> float:
        """Seconds the access token remains valid (negative or 0 when expired or absent)."""
        if not self.access_token or self.expires_at is None:
            return 0.0
        return self.expires_at - (time.time() if now is None else now)

    def with_tokens(
        self,
        *,
        access_token: str,
        expires_in: float,
        refresh_token: str | None,
        scopes: tuple[str, ...] | None,
        now: float | None = None,
    ) -> TokenRecord:
        """A copy with a new access token; a rotated refresh token replaces the old one."""
        moment = time.time() if now is None else now
        return replace(
            self,
            access_token=access_token,
            expires_at=moment + expires_in,
            refresh_token=refresh_token or self.refresh_token,
            scopes=scopes if scopes else self.scopes,
            refreshed_at=moment,
        )

    def to_native(self) -> dict[str, Any]:
        """The native JSON document (contains the tokens)."""
        return {
            "kind": NATIVE_KIND,
            "version": 1,
            "user": self.user,
            "provider": self.provider,
            "target": self.target,
            "client_id": self.client_id,
            "token_url": self.token_url,
            "flow": self.flow,
            "scopes": list(self.scopes),
            "obtained_at": _int_or_none(self.obtained_at),
            "refreshed_at": _int_or_none(self.refreshed_at),
            "expires_at": _int_or_none(self.expires_at),
            "refresh_token": self.refresh_token,
            "access_token": self.access_token,
        }

    def to_sasl_xoauth2(self) -> dict[str, Any]:
        """The sasl-xoauth2 JSON document (contains the tokens), extra keys kept."""
        doc: dict[str, Any] = {k: v for k, v in self.extra.items() if k not in _SASL_KEYS}
        doc["refresh_token"] = self.refresh_token or ""
        doc["access_token"] = self.access_token or ""
        doc["expiry"] = str(int(self.expires_at)) if self.expires_at and self.access_token else "0"
        return doc


def _int_or_none(value: float | None) -> int | None:
    return None if value is None else int(value)


def _float_or_none(value: object) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, int | float | str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True)
class TokenLocation:
    """Where one mailbox's token file lives and in which format.

    With an ``owner`` (a user of the host: Postfix's ``postfix``), the directory this creates
    and every file it writes belong to that user and its group, whoever runs mailoauth-cfg: the
    program that reads the token (and rewrites it on refresh) runs as that user.
    """

    path: Path
    format: StoreFormat = "native"
    owner: str | None = None

    def _owner_ids(self) -> tuple[int, int] | None:
        """(uid, gid) of :attr:`owner`; ``TokenError`` when the host has no such user."""
        if self.owner is None:
            return None
        import pwd

        try:
            entry = pwd.getpwnam(self.owner)
        except KeyError:
            raise TokenError(
                f"user {self.owner!r} does not exist on this host; it must own "
                f"{self.path.parent} (install the program that reads the token first, or "
                "correct the target's owner setting)"
            ) from None
        return entry.pw_uid, entry.pw_gid

    def _give(self, path: Path) -> None:
        """Make ``path`` belong to :attr:`owner` (nothing to do without one)."""
        ids = self._owner_ids()
        if ids is None:
            return
        try:
            info = path.lstat()
            if (info.st_uid, info.st_gid) != ids:
                os.chown(path, *ids, follow_symlinks=False)
        except OSError as exc:
            raise TokenError(
                f"cannot give {path} to user {self.owner}: {exc.strerror or exc}; run the "
                f"bootstrap as root or as {self.owner}"
            ) from None

    @property
    def lock_path(self) -> Path:
        """The lock file beside the token file."""
        return self.path.with_name(f".{self.path.name}.lock")

    def describe(self) -> str:
        """``PATH`` plus the format when it is not the native one."""
        return str(self.path) if self.format == "native" else f"{self.path} (sasl-xoauth2 format)"

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold an exclusive lock for a read-modify-write of the token file."""
        self._ensure_dir()
        try:
            # O_NOFOLLOW: a symbolic link planted as the lock never creates or opens a file
            # elsewhere (ELOOP), whatever it points at.
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, FILE_MODE)
        except OSError as exc:
            why = (
                "it is a symbolic link; refusing to follow it"
                if exc.errno == errno.ELOOP
                else exc.strerror or str(exc)
            )
            raise TokenError(f"cannot create the lock file {self.lock_path}: {why}") from None
        try:
            if self.owner is not None:
                self._give(self.lock_path)
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def prepare(self) -> None:
        """Create the directory (for its owner) before a sign-in, so that a store that cannot
        be written fails before anyone signs in."""
        self._ensure_dir()

    def _ensure_dir(self) -> None:
        parent = self.path.parent
        if parent.is_dir():
            # a directory left to root by an earlier bootstrap goes to its owner too
            self._give(parent)
            return
        self._owner_ids()  # refuse before creating anything for a user the host lacks
        try:
            parent.mkdir(parents=True, mode=DIR_MODE, exist_ok=True)
            parent.chmod(DIR_MODE)
        except OSError as exc:
            raise TokenError(f"cannot create {parent}: {exc.strerror or exc}") from None
        self._give(parent)

    def exists(self) -> bool:
        """Whether the token file exists."""
        return self.path.is_file()

    def load(self, user: str) -> TokenRecord | None:
        """The stored record, or ``None`` when there is no file yet.

        Raises:
            TokenError: the file cannot be read or is not a token file of this format.
        """
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise TokenError(f"cannot read {self.path}: {exc.strerror or exc}") from None
        try:
            doc = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise TokenError(
                f"{self.path} is not a JSON token file; run `mailoauth-cfg token bootstrap "
                f"--user {user}` again"
            ) from None
        if not isinstance(doc, dict):
            raise TokenError(f"{self.path} is not a token file (expected a JSON object)")
        if self.format == "sasl-xoauth2":
            return self._from_sasl(doc, user)
        return self._from_native(doc, user)

    def _from_native(self, doc: dict[str, Any], user: str) -> TokenRecord:
        if doc.get("kind") != NATIVE_KIND:
            raise TokenError(f"{self.path} is not a mailoauth-cfg token file")
        scopes = doc.get("scopes") or []
        return TokenRecord(
            user=_str_or_none(doc.get("user")) or user,
            refresh_token=_str_or_none(doc.get("refresh_token")),
            access_token=_str_or_none(doc.get("access_token")),
            expires_at=_float_or_none(doc.get("expires_at")),
            scopes=tuple(str(s) for s in scopes) if isinstance(scopes, list) else (),
            obtained_at=_float_or_none(doc.get("obtained_at")),
            refreshed_at=_float_or_none(doc.get("refreshed_at")),
            flow=_str_or_none(doc.get("flow")),
            client_id=_str_or_none(doc.get("client_id")),
            token_url=_str_or_none(doc.get("token_url")),
            provider=_str_or_none(doc.get("provider")),
            target=_str_or_none(doc.get("target")),
        )

    def _from_sasl(self, doc: dict[str, Any], user: str) -> TokenRecord:
        expiry = _float_or_none(doc.get("expiry"))
        try:
            mtime: float | None = self.path.stat().st_mtime
        except OSError:
            mtime = None
        return TokenRecord(
            user=user,
            refresh_token=_str_or_none(doc.get("refresh_token")),
            access_token=_str_or_none(doc.get("access_token")),
            expires_at=expiry if expiry else None,
            refreshed_at=mtime,
            client_id=_str_or_none(doc.get("client_id")),
            token_url=_str_or_none(doc.get("token_endpoint")),
            extra={k: v for k, v in doc.items() if k not in _SASL_KEYS},
        )

    def save(self, record: TokenRecord) -> None:
        """Write ``record`` atomically with mode 0600 (the old file survives any failure).

        An existing file's owner is kept, and a new sasl-xoauth2 file gets the owner of its
        directory: the plugin (running as postfix) rewrites it when it refreshes.

        Raises:
            TokenError: the file cannot be written.
        """
        doc = record.to_sasl_xoauth2() if self.format == "sasl-xoauth2" else record.to_native()
        data = (json.dumps(doc, indent=2) + "\n").encode("utf-8")
        self._ensure_dir()
        try:
            before = self.path.stat()
        except OSError:
            before = None
        try:
            write_atomic(self.path, data, mode=FILE_MODE)
        except OSError as exc:
            raise TokenError(
                f"cannot write {self.path}: {exc.strerror or exc}; the previous token file "
                "(if any) is unchanged"
            ) from None
        if self.owner is not None:
            # the program that reads the token runs as its owner, and rewrites it on refresh
            self._give(self.path)
            return
        owner = before
        if owner is None and self.format == "sasl-xoauth2":
            # A new sasl-xoauth2 file belongs to whoever owns the token directory (postfix),
            # which must be able to rewrite it when it refreshes.
            with contextlib.suppress(OSError):
                owner = self.path.parent.stat()
        if owner is not None:
            with contextlib.suppress(OSError):
                current = self.path.stat()
                if (current.st_uid, current.st_gid) != (owner.st_uid, owner.st_gid):
                    os.chown(self.path, owner.st_uid, owner.st_gid)


def _token_file(directory: Path, name: str, email: str) -> Path:
    try:
        if name.startswith("."):  # `.<name>.lock` files are the store's own
            raise ValueError(name)
        return confined(directory, name)
    except ValueError:
        raise TokenError(
            f"{email!r} cannot be a token file name: a mailbox address is one file name in "
            f"{directory}, never a path"
        ) from None


def native_path(directory: Path, email: str) -> Path:
    """``<directory>/<email>.json``: the mailbox is one file name, confined to ``directory``.

    Raises:
        TokenError: the address would not be a single file name inside ``directory``.
    """
    return _token_file(directory, f"{email.lower()}.json" if email else "", email)


def sasl_path(directory: Path, email: str) -> Path:
    """``<directory>/<email>``, sasl-xoauth2's token file (confined like :func:`native_path`)."""
    return _token_file(directory, email, email)

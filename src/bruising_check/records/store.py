"""Saving files safely: a hidden partial file in the same folder, flushed, then linked into place.

Every file the tool writes goes through here (records, rationales, `--output` of `diff` and
`show`, `test --junit`): all or nothing (a crash leaves no half-written file under the name),
readable only by the owner (0600), never through a symlink and never over an existing file.

A pair (the printable rationale and its JSON record) is saved by writing both partials first and
only then linking them into place, the JSON record first. A crash between the two links leaves
the record visible and the printable as a hidden partial sharing the pair's token; the next save
into that folder finishes the pair (links the partial into place), so the pair ends up all there.
A crash before the first link leaves nothing visible.

Leftovers: a save that is killed outright (SIGKILL, power loss) cannot clean up, so it may leave
a hidden `.NAME.TOKEN.partial` file beside where NAME would have been. It is owner-only, never
read as a record (records never end in `.partial`), and never deleted while it is the only copy
of what it holds: the next save removes a leftover only once the same bytes are visible under
its name.

When a check cannot be saved where asked (the file appeared, the folder vanished, the disk is
full), `save_check` asks for another name or folder; with no one to ask, it saves an emergency
copy in `emergency_folder()` and says where. A finished check is never lost silently.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import re
import secrets
import stat
import time
from collections.abc import Callable, Sequence
from pathlib import Path

STALE_AFTER_SECONDS = 3600
_PAIR_TOKEN = re.compile(r"^\.(?P<name>.+)\.(?P<token>p[0-9a-f]{16})\.partial$")
MAX_COMPARE_BYTES = 64 * 2**20
EXTENSIONS = {"text": ".txt", "md": ".md", "json": ".json", "html": ".html", "pdf": ".pdf"}


class AlreadyExists(FileExistsError):
    """A name is taken; `names` are every one of the files asked for that is (the printout and
    its JSON record may both be)."""

    def __init__(self, *names: str) -> None:
        super().__init__(names[0] if names else "")
        self.names = names


class NotSaved(Exception):
    """Nothing could be saved anywhere, not even the emergency copy."""


def write_new(path: Path, data: bytes) -> None:
    """Create `path` with `data` atomically; raise `AlreadyExists` if it exists."""
    write_together([(Path(path), data)])


def write_together(files: Sequence[tuple[Path, bytes]]) -> list[Path]:
    """Create every file atomically, linked in the order given (so give the JSON record first).

    Raises `AlreadyExists` (a name is taken, by a file or a symlink) or `OSError`; then nothing
    this call made is left visible."""
    targets = [Path(p) for p, _ in files]
    taken = [str(p) for p in targets if p.exists() or p.is_symlink()]
    if taken:
        raise AlreadyExists(*taken)
    for folder in {_folder(p) for p in targets}:
        recover_partials(folder)
    for path in targets:
        remove_stale_partials(path)
    token = "p" + secrets.token_hex(8)
    partials: list[Path] = []
    linked: list[Path] = []
    try:
        for path, data in files:
            partial = _folder(Path(path)) / f".{Path(path).name}.{token}.partial"
            try:
                _write_partial(partial, data)
            except OSError as exc:  # named by the file asked for, not the hidden partial
                raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc
            partials.append(partial)
        for partial, path in zip(partials, targets, strict=True):
            try:
                # link() fails if the target exists, unlike rename(): no race overwrites a file,
                # and a symlink at the name is never followed.
                os.link(partial, path)
            except FileExistsError:
                if _same_file(partial, path):  # another save finished our pair for us
                    continue
                raise AlreadyExists(str(path)) from None
            except OSError as exc:  # pragma: no cover - file systems without hard links
                if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV):
                    raise
                _copy_new(partial, path)
            linked.append(path)
        for folder in {_folder(p) for p in targets}:
            _sync_folder(folder)
    except BaseException:
        # All or nothing: what this call made visible is taken back (only if it is still ours).
        for path, partial in zip(linked, partials, strict=False):
            if _same_file(partial, path):
                with contextlib.suppress(OSError):
                    path.unlink()
        raise
    finally:
        for partial in partials:
            with contextlib.suppress(OSError):
                partial.unlink()
    for path in targets:
        remove_stale_partials(path)  # old leftovers whose bytes are now saved under the name
    return targets


def _write_partial(partial: Path, data: bytes) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(partial, flags | getattr(os, "O_BINARY", 0), 0o600)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)  # whatever the umask
        with os.fdopen(fd, "wb") as handle:
            fd = -1
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        if fd != -1:
            os.close(fd)
        with contextlib.suppress(OSError):
            partial.unlink()
        raise


def _copy_new(partial: Path, path: Path) -> None:  # pragma: no cover - no hard links
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        raise AlreadyExists(str(path)) from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(partial.read_bytes())
        handle.flush()
        os.fsync(handle.fileno())


def _folder(path: Path) -> Path:
    return path.parent if str(path.parent) else Path()


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


def _same_bytes(a: Path, b: Path) -> bool:
    """True if `b` is a regular file (not a symlink) holding exactly what `a` holds."""
    try:
        sa, sb = os.lstat(a), os.lstat(b)
        if not (stat.S_ISREG(sa.st_mode) and stat.S_ISREG(sb.st_mode)):
            return False
        if (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino):
            return True
        if sa.st_size != sb.st_size or sa.st_size > MAX_COMPARE_BYTES:
            return False
        return a.read_bytes() == b.read_bytes()
    except OSError:
        return False


def recover_partials(folder: Path) -> list[Path]:
    """Finish pairs a crash left half-linked in `folder`; return the files it linked into place.

    A pair's partials share a token; once any of them is visible under its name, every partial
    of the pair was complete (linking starts only after all are written and synced), so the rest
    are linked too. Partials whose bytes are visible under their names are then removed."""
    groups: dict[str, list[tuple[Path, Path]]] = {}
    with contextlib.suppress(OSError):
        for leftover in folder.glob(".*.partial"):
            m = _PAIR_TOKEN.match(leftover.name)
            if m:
                groups.setdefault(m["token"], []).append((leftover, folder / m["name"]))
    finished: list[Path] = []
    for members in groups.values():
        if not any(_same_bytes(partial, final) for partial, final in members):
            continue  # nothing of this pair is visible: a save still running, or never done
        for partial, final in members:
            if not final.exists() and not final.is_symlink():
                with contextlib.suppress(OSError):
                    os.link(partial, final)
                    finished.append(final)
        for partial, final in members:
            if _same_bytes(partial, final):
                with contextlib.suppress(OSError):
                    partial.unlink()
    if finished:
        _sync_folder(folder)
    return finished


def remove_stale_partials(path: Path, *, now: float | None = None) -> list[Path]:
    """Remove leftovers of killed saves of `path` that are older than STALE_AFTER_SECONDS and
    whose bytes are visible under `path`: never the only copy of what a save was writing."""
    folder = _folder(Path(path))
    cutoff = (time.time() if now is None else now) - STALE_AFTER_SECONDS
    removed = []
    for leftover in folder.glob(f".{_glob_escape(Path(path).name)}.*.partial"):
        with contextlib.suppress(OSError):
            if (
                leftover.is_file()
                and leftover.stat().st_mtime < cutoff
                and _same_bytes(leftover, Path(path))
            ):
                leftover.unlink()
                removed.append(leftover)
    return removed


def _glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


def _sync_folder(folder: Path) -> None:
    """Make the new directory entry durable too (POSIX); best effort elsewhere."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --- where a check is saved -------------------------------------------------------------------


def pair_targets(printable: Path, fmt: str) -> list[tuple[Path, str]]:
    """The printable rationale and, beside it, the JSON record (one file when fmt is json)."""
    if fmt == "json":
        return [(printable, "json")]
    beside = printable.with_suffix(".json")
    if beside == printable:
        beside = printable.with_name(printable.name + ".record.json")
    return [(printable, fmt), (beside, "json")]


def dated_targets(folder: Path, created_at: str, fmt: str) -> list[tuple[Path, str]]:
    """Free names in `folder` from the check's date and time: bruising-check-YYYYMMDD-HHMMSS."""
    stamp = dt.datetime.fromisoformat(created_at).strftime("%Y%m%d-%H%M%S")
    for n in range(1, 1000):
        base = folder / (f"bruising-check-{stamp}" + ("" if n == 1 else f"-{n}"))
        targets = pair_targets(base.with_suffix(EXTENSIONS[fmt]), fmt)
        if not any(p.exists() or p.is_symlink() for p, _ in targets):
            return targets
    raise AlreadyExists(str(folder / f"bruising-check-{stamp}"))


def emergency_folder() -> Path:
    """A folder only this user can enter, for checks that could not be saved where asked:
    `$XDG_STATE_HOME/bruising-check/unsaved` (default `~/.local/state/...`)."""
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    folder = Path(state) / "bruising-check" / "unsaved"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = os.lstat(folder)
    if not stat.S_ISDIR(info.st_mode) or (hasattr(os, "getuid") and info.st_uid != os.getuid()):
        raise NotADirectoryError(errno.ENOTDIR, "not a folder of this user's", str(folder))
    with contextlib.suppress(OSError):
        folder.chmod(0o700)
    return folder


def taken_names(names: Sequence[str]) -> str:
    """`a.pdf and a.pdf.record.json`."""
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)


def _why(exc: BaseException, place: Path | None = None) -> str:
    if isinstance(exc, AlreadyExists):
        # The file in the way may be the other of the pair (the JSON record saved beside a
        # printout, or a dated name in a folder): name it, or the user looks for the wrong one.
        # The file asked for first, then the record beside it (written first, so found first).
        names = sorted((n for n in exc.names if n), key=lambda n: Path(n) != place)
        if len(names) > 1:  # both of the pair: name both, or the user removes one and fails
            return f"{taken_names(names)} already exist"
        if names and place is not None and Path(names[0]) != place:
            return f"{names[0]} already exists"
        return "already exists"
    if isinstance(exc, OSError):
        return f"cannot write ({exc.strerror or exc})"
    return str(exc)  # pragma: no cover


def save_check(
    render: Callable[[str], bytes],
    fmt: str,
    created_at: str,
    output: Path | None,
    folder: Path | None,
    *,
    ask: Callable[[str], str] | None,
    say: Callable[[str], None],
) -> list[Path]:
    """Save a finished check (the printable in `fmt` and its JSON record) as `output`, or in
    `folder` by date and time. On any failure, say why, then ask for another file name or folder
    (`ask(prompt)`; Enter alone, end of input or Ctrl-C mean the emergency folder); with no
    `ask`, save straight in the emergency folder. Returns the paths saved, printable first.
    Raises `NotSaved` only if even the emergency copy could not be written."""
    cache: dict[str, bytes] = {}

    def content(kind: str) -> bytes:
        if kind not in cache:
            cache[kind] = render(kind)
        return cache[kind]

    def attempt(targets: list[tuple[Path, str]]) -> list[Path]:
        # The JSON record is linked first: a crash between the two leaves a verifiable record.
        ordered = sorted(targets, key=lambda t: t[1] != "json")
        write_together([(p, content(kind)) for p, kind in ordered])
        return [p for p, _ in targets]

    while True:
        try:
            if output is not None:
                targets = pair_targets(output, fmt)
            else:
                where = folder if folder is not None else Path.cwd()
                if not where.is_dir():
                    raise FileNotFoundError(errno.ENOENT, "no such folder", str(where))
                targets = dated_targets(where, created_at, fmt)
            return attempt(targets)
        except (OSError, ValueError) as exc:
            place = output if output is not None else folder
            say(f"{place}: {_why(exc, place)}; nothing was saved there.")
        if ask is None:
            break
        try:
            reply = ask(
                "Type another file name or folder to save in"
                " (Enter alone saves in the emergency folder): "
            ).strip()
        except (EOFError, KeyboardInterrupt):
            say("")
            break
        if not reply:
            break
        chosen = Path(reply).expanduser()
        if chosen.is_dir():
            output, folder = None, chosen
        else:
            output, folder = chosen, None
    try:
        rescue = emergency_folder()
        saved = attempt(dated_targets(rescue, created_at, fmt))
    except (OSError, ValueError) as exc:
        raise NotSaved(f"the emergency copy could not be saved either: {_why(exc)}") from None
    say(f"Saved an emergency copy in {rescue} (only you can open it); move it where it belongs.")
    return saved


def keep_escaped(text: str) -> str:
    """Text that can always be encoded as UTF-8: bytes that were not UTF-8 (lone surrogates from
    the command line or a terminal) are kept as visible escapes such as `\\xff`."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")

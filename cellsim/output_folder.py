"""Where a run writes: checked before it starts, locked while it runs, never a user's files.

A results folder is replaced only when everything in it was written by cellsim (every
file is listed in its ``manifest.json``, every sub-folder is a hand-off's results folder)
and only when the caller says so (``cellsim run --overwrite``).  We chose to refuse rather
than to write ``NAME-2``: the follow-up commands of the docs (``cellsim animate
results/twitch``) must never read an older run's results without saying so.

:class:`OutputFolder` does the checks *before* a simulation starts (so a bad ``-o`` fails
in a second, not after an hour), holds an exclusive lock on the folder's name for the whole
run (a second run into the same folder is refused at once: :class:`FolderLock`), and
cleans the leftovers of interrupted writes (``.NAME.partial-*``: removed;
``.NAME.old-*``: put back if the run that moved it aside died before finishing).
"""

from __future__ import annotations

import contextlib
import errno
import glob
import json
import os
import shutil
import sys
from pathlib import Path

from cellsim.errors import ResultsError

MANIFEST = "manifest.json"
#: Longest folder name (bytes): file systems allow 255, and the temporary names add ~40.
MAX_FOLDER_NAME_BYTES = 200
#: Files an operating system's file browser puts into folders it shows; not a user's work.
SYSTEM_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})


def folder_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be the last part of an output folder, or ``None``."""
    if name in ("", ".", ".."):
        return "a folder needs a name (not empty, '.' or '..')"
    if "\x00" in name or "/" in name or (os.sep != "/" and os.sep in name):
        return "a folder name cannot contain '/' or a NUL character"
    if len(os.fsencode(name)) > MAX_FOLDER_NAME_BYTES:
        return (
            f"the folder name is {len(os.fsencode(name))} bytes long; "
            f"at most {MAX_FOLDER_NAME_BYTES} are allowed"
        )
    return None


# --------------------------------------------------------------------------- the lock


class FolderLock:
    """An exclusive, non-blocking lock on a folder's name: ``PARENT/.NAME.lock``.

    Held with ``flock`` (POSIX) or ``msvcrt.locking`` (Windows), so the operating system
    releases it when the holder dies: a killed run never leaves a stale lock.  The file
    is removed on release; a lock taken on a file that was removed meanwhile is retried
    (the inode check), so two processes can never both hold it.

    Raises
    ------
    ResultsError
        If another process holds it (naming that process), or the parent folder cannot
        be written.
    """

    def __init__(self, folder: Path, what: str = "run"):
        self.folder = folder
        self.what = what
        self.path = folder.parent / f".{folder.name}.lock"
        self.fd: int | None = None

    def __enter__(self) -> FolderLock:
        for _attempt in range(50):
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as err:
                raise ResultsError(
                    f"{self.folder}: cannot write in {self.folder.parent} "
                    f"({err.strerror or err}); choose another output folder with -o."
                ) from None
            if not _try_lock(fd):
                holder = _read_pid(fd)
                os.close(fd)
                who = f" (process {holder})" if holder else ""
                raise ResultsError(
                    f"{self.folder}: another cellsim {self.what}{who} is writing to this "
                    "folder; wait for it to finish, or choose another output folder with -o."
                )
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                os.ftruncate(fd, 0)
                os.write(fd, str(os.getpid()).encode())
                self.fd = fd
                return self
            os.close(fd)  # the holder before us removed the file: lock the new one
        raise ResultsError(f"{self.path}: could not take the lock; try again.")

    def __exit__(self, *exc) -> None:
        if self.fd is None:
            return
        with contextlib.suppress(OSError):
            os.unlink(self.path)  # while still holding it: see the class docstring
        _unlock(self.fd)
        os.close(self.fd)
        self.fd = None


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as err:
        if err.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
            return False
        raise
    return True


def _unlock(fd: int) -> None:
    if sys.platform == "win32":  # pragma: no cover
        import msvcrt

        with contextlib.suppress(OSError):
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)


def _read_pid(fd: int) -> str:
    with contextlib.suppress(OSError, ValueError):
        os.lseek(fd, 0, os.SEEK_SET)
        text = os.read(fd, 32).decode().strip()
        return str(int(text)) if text else ""
    return ""


# --------------------------------------------------------------------------- checks


def unknown_entries(folder: Path) -> list[str]:
    """Paths in a results folder that its manifests do not list (a user's files).

    Raises
    ------
    ResultsError
        If ``folder`` has no readable manifest (it is not a results folder).
    """
    manifest = _manifest(folder)
    listed = set(manifest.get("files", [])) | SYSTEM_FILES
    children = set(manifest.get("children", []))
    out = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name in children and entry.is_dir() and not entry.is_symlink():
            out += [f"{entry.name}/{p}" for p in unknown_entries(entry)]
        elif entry.name not in listed or entry.is_symlink():
            out.append(entry.name + ("/" if entry.is_dir() else ""))
    return out


def _manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResultsError(
            f"{folder}: exists and is not a cellsim results folder (no {MANIFEST}); "
            "choose another output folder with -o, or move its contents away."
        ) from None
    except (OSError, ValueError) as err:
        raise ResultsError(
            f"{folder}: its {MANIFEST} is unreadable ({err}), so cellsim cannot tell which "
            "files are its own; choose another output folder with -o."
        ) from None
    if not isinstance(manifest, dict) or manifest.get("cellsim_results") != 1:
        raise ResultsError(
            f"{folder}: {MANIFEST} is not a cellsim manifest; choose another output folder."
        )
    return manifest


def check_replaceable(target: Path, overwrite: bool) -> None:
    """Refuse unless ``target`` is absent, an empty folder, or (with ``overwrite``) a
    results folder holding nothing but what cellsim wrote."""
    if target.is_symlink():
        raise ResultsError(
            f"{target}: is a symbolic link; give the real folder it points to with -o."
        )
    if not target.exists():
        return
    if not target.is_dir():
        raise ResultsError(
            f"{target}: exists and is a file, not a folder; choose another output folder with -o."
        )
    if not any(target.iterdir()):
        return
    foreign = unknown_entries(target)
    if foreign:
        more = f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
        shown = ", ".join(foreign[:5]) + more
        raise ResultsError(
            f"{target}: holds files cellsim did not write ({shown}); cellsim never deletes "
            "them. Move them out, or choose another output folder with -o."
        )
    if not overwrite:
        raise ResultsError(
            f"{target}: holds the results of an earlier run; add --overwrite to replace "
            "them, or choose another output folder with -o."
        )


def clean_leftovers(target: Path) -> list[str]:
    """Remove or restore what interrupted writes of ``target`` left (call with the lock).

    ``.NAME.partial-*`` is an unfinished folder: removed.  ``.NAME.old-*`` is a finished
    folder moved aside to be replaced: put back when ``target`` is missing (the replacing
    run died between its two renames), removed otherwise.  Only a process holding the
    folder's lock writes these, so with the lock held every one found is stranded.
    """
    done = []
    stem = glob.escape(f".{target.name}")
    for leftover in sorted(target.parent.glob(f"{stem}.partial-*")):
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
            done.append(f"removed {leftover.name}")
    olds = sorted(target.parent.glob(f"{stem}.old-*"), key=lambda p: p.stat().st_mtime)
    for leftover in olds:
        if not leftover.is_dir() or leftover.is_symlink():
            continue
        if not target.exists() and (leftover / MANIFEST).exists():
            leftover.rename(target)
            done.append(f"restored {target.name} from {leftover.name}")
        else:
            shutil.rmtree(leftover, ignore_errors=True)
            done.append(f"removed {leftover.name}")
    return done


def prepare_parent(target: Path) -> None:
    """Check the folder's name and create its parent, with a clear error for a bad path."""
    problem = folder_name_problem(target.name)
    if problem:
        raise ResultsError(f"{target}: {problem}; choose another output folder with -o.")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ResultsError(
            f"{target}: cannot create {target.parent} ({err.strerror or err}); choose "
            "another output folder with -o."
        ) from None
    if not target.parent.is_dir():
        raise ResultsError(f"{target}: {target.parent} is not a folder; choose another -o.")


class OutputFolder:
    """A results folder reserved for one run: checked, locked, then written atomically.

    ::

        with OutputFolder("results/twitch", overwrite=False) as slot:   # checks + lock
            out = cellsim.run(scenario)                                   # the long part
            slot.write(out, scenario=..., name=..., wall_time_s=...)

    Attributes
    ----------
    path
        The folder (as given).
    cleaned
        What :func:`clean_leftovers` did on entry (for a message).
    note
        Set when the folder changed during the run so that it could no longer be
        replaced: the results were then written beside it (``NAME-2``), and this says so.
    """

    def __init__(self, directory: str | Path, *, overwrite: bool = False):
        try:
            self.path = Path(directory)
            absolute = Path(os.path.abspath(self.path))
        except (TypeError, ValueError) as err:
            raise ResultsError(f"{directory!r}: not a usable folder path ({err}).") from None
        self._absolute = absolute
        self.overwrite = overwrite
        self.cleaned: list[str] = []
        self.note: str | None = None
        self._lock: FolderLock | None = None

    def __enter__(self) -> OutputFolder:
        problem = folder_name_problem(self.path.name)  # as given: "x/.." is not a name
        if problem:
            raise ResultsError(f"{self.path}: {problem}; choose another output folder with -o.")
        prepare_parent(self._absolute)
        self._lock = FolderLock(self._absolute)
        self._lock.__enter__()
        try:
            self.cleaned = clean_leftovers(self._absolute)
            check_replaceable(self._absolute, self.overwrite)
        except BaseException:
            self._lock.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        if self._lock is not None:
            self._lock.__exit__(*exc)
            self._lock = None

    def write(self, out, **kwargs) -> Path:
        """Write ``out`` (keyword arguments as :func:`cellsim.results.write_results`)."""
        from cellsim.results import write_folder

        if self._lock is None:
            raise RuntimeError("OutputFolder.write outside its `with` block")
        target = self._absolute
        try:
            check_replaceable(target, self.overwrite)  # again: files may have been added
        except ResultsError as err:  # keep these results too: beside it, under a new name
            target = _free_sibling(target)
            self.note = f"{err} These results were written to {target} instead."
        tmp = target.parent / f".{target.name}.partial-{os.getpid()}-{os.urandom(3).hex()}"
        tmp.mkdir()
        try:
            write_folder(out, tmp, **kwargs)
            if target.exists():
                old = target.parent / f".{target.name}.old-{os.getpid()}"
                target.rename(old)
                tmp.rename(target)
                shutil.rmtree(old, ignore_errors=True)
            else:
                tmp.rename(target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return self.path if target == self._absolute else target


def _free_sibling(target: Path) -> Path:
    for k in range(2, 10_000):
        candidate = target.with_name(f"{target.name}-{k}")
        if not candidate.exists() and not candidate.is_symlink():
            return candidate
    raise ResultsError(f"{target}: no free folder name beside it.")


def record_file(folder: str | Path, name: str) -> None:
    """List a file written into a finished results folder later (``run --animate``) in its
    manifest, so the folder stays replaceable."""
    path = Path(folder) / MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if name not in manifest["files"]:
        manifest["files"].append(name)
        tmp = path.with_name(f".{MANIFEST}.{os.getpid()}")
        tmp.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, path)

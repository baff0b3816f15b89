"""Where numba keeps cellsim's compiled kernels, keyed by their source code.

numba invalidates a cached function only when *its own* file changes; the
kernels inline the random stream of :mod:`cellsim.random`, so an edit there
alone would leave stale machine code running the old rules (and the reference
engine, which calls the new code, would disagree with the kernel).  Keying the
cache directory by a hash of every file that holds jitted code avoids that.

The directory is ``$XDG_CACHE_HOME/cellsim/numba/<hash>`` (``~/.cache`` by
default); delete ``cellsim/numba`` there to reclaim space from old versions.
Setting ``NUMBA_CACHE_DIR`` overrides all of this.  Imported first by
``cellsim/__init__.py``, before any jitted function is defined.
"""

from __future__ import annotations

import hashlib
import os
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

#: Files whose jitted functions are cached (and inline each other's).
JIT_SOURCES = ("random.py", "fibre/kernel.py", "nerve/kernel.py", "nerve/rules.py")


def source_hash() -> str:
    """Hash of the jitted source files (first 12 hex digits)."""
    root = Path(__file__).parent
    h = hashlib.sha256()
    for name in JIT_SOURCES:
        h.update((root / name).read_bytes())
    return h.hexdigest()[:12]


def configure() -> None:
    """Point numba's cache at the directory for this version of the kernels.

    Through the environment when numba is not imported yet (so importing
    cellsim does not import numba, and worker processes inherit the setting).
    """
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    directory = str(base / "cellsim" / "numba" / source_hash())
    os.environ["NUMBA_CACHE_DIR"] = directory
    if "numba" in sys.modules:  # numba read its configuration already
        sys.modules["numba"].config.CACHE_DIR = directory


configure()


def _warm_key() -> str:
    """What numba's cache entries depend on besides the source hash: where the package
    lives, the Python version, and the jitted files' modification times."""
    root = Path(__file__).parent
    h = hashlib.sha256(str(root).encode())
    h.update(sys.version.encode())
    for name in JIT_SOURCES:
        st = (root / name).stat()
        h.update(f"{name}:{st.st_mtime_ns}:{st.st_size}".encode())
    return h.hexdigest()[:12]


def warm_marker(scale_name: str) -> Path:
    """The file that says a scale's kernels are compiled in numba's cache for this install.

    It lives inside the cache directory, so deleting the cache removes it too.
    """
    return Path(os.environ["NUMBA_CACHE_DIR"]) / f".warm-{scale_name}-{_warm_key()}"


def is_warm(scale_name: str) -> bool:
    """Whether a run of this scale has completed with the current kernels (no compiling)."""
    return warm_marker(scale_name).exists()


def mark_warm(scale_name: str) -> None:
    """Note that a run of this scale completed: its kernels are in numba's cache now."""
    marker = warm_marker(scale_name)
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    except OSError:  # a read-only cache only costs the notice being shown again
        pass


#: How deep this thread is inside :func:`first_compile` (a chain's hand-offs nest runs;
#: another thread of the process waits for the lock like another process would).
_compile_depth = threading.local()


@contextmanager
def first_compile(scale_names):
    """Hold the cache's compile lock while scales whose kernels are not cached yet run.

    numba compiles a kernel on its first call and writes it to the cache directory; two
    processes compiling the same kernels at once can leave an index that points at the
    other's machine code, and a later load then crashes (seen when two test runs started
    on an empty cache).  So a run of a cold scale takes an exclusive lock on the cache
    directory first: a second process waits, then finds the kernels cached and only loads
    them.  Warm scales take no lock.  On success the scales are marked warm
    (:func:`mark_warm`).  Without ``fcntl`` (Windows) the lock is skipped.

    Parameters
    ----------
    scale_names
        Scales of the run that use compiled kernels (not those on the reference engine).
    """
    depth = getattr(_compile_depth, "n", 0)
    cold = [n for n in scale_names if not is_warm(n)]
    if not cold or depth:
        _compile_depth.n = depth + 1
        try:
            yield
        finally:
            _compile_depth.n = depth
        return
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        fcntl = None
    directory = Path(os.environ["NUMBA_CACHE_DIR"])
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle = open(directory / ".compile.lock", "a")  # noqa: SIM115 - held across yield
    except OSError:  # a read-only cache: numba will not write to it either
        handle = None
    if handle is not None and fcntl is not None:
        fcntl.flock(handle, fcntl.LOCK_EX)
        cold = [n for n in cold if not is_warm(n)]  # another process may have compiled them
        if not cold:
            handle.close()
            handle = None
    _compile_depth.n = depth + 1
    try:
        yield
        for name in cold:
            mark_warm(name)
    finally:
        _compile_depth.n = depth
        if handle is not None:
            handle.close()  # releases the lock


def kernel_threads(requested: int, work_items: int, parallel_min_items: int) -> int:
    """numba threads for a kernel run: the one thread policy of every scale.

    ``requested`` 0 means automatic: one thread below ``parallel_min_items`` (a step's
    work is then smaller than the cost of waking and synchronising threads, and on a busy
    machine threads that wait for each other cost far more), all cores above.  Never more
    than numba's configured maximum, read without starting its thread pool.  Results never
    depend on the thread count.
    """
    import numba

    available = numba.config.NUMBA_NUM_THREADS
    if requested == 0:
        requested = available if work_items >= parallel_min_items else 1
    return max(1, min(requested, available))


class ThreadChooser:
    """Picks, call by call, whether a kernel runs on one thread or on several — by timing.

    Two threads are slower than one when another process holds the other core (their
    barriers wait for it): measured 0.33-0.65x of one thread on the development machine.
    So the chooser keeps a running time per step for each mode, uses the faster, and now
    and then tries the other once to notice a change of load; a try that loses waits
    twice as long before the next (up to ``max_every`` calls).  The first call of each
    mode (compilation, the thread pool's start) is not counted.  Results never depend on
    the thread count (tested), so switching mid-run is safe.  The same chooser serves
    every scale whose kernel has serial and threaded twins.

    Parameters
    ----------
    threads
        The most threads allowed (1: always serial).
    every
        Calls between tries of the other mode, at first.
    """

    def __init__(self, threads: int, every: int = 20, max_every: int = 640):
        self.threads = threads
        self.every = every
        self.base_every = every
        self.max_every = max_every
        self.best = 1  # start safe: threads must first show they are faster
        self.calls_since_try = 0
        self.seen: set[int] = set()
        self.per_step: dict[int, float] = {}

    def _other(self) -> int:
        return 1 if self.best > 1 else self.threads

    def next(self) -> int:
        """Threads for the next kernel call."""
        if self.threads <= 1:
            return 1
        if self._other() not in self.per_step or self.calls_since_try >= self.every:
            return self._other()
        return self.best

    def record(self, threads: int, seconds: float, steps: int) -> None:
        """The time a call took; keep the faster mode."""
        if self.threads <= 1 or steps <= 0:
            return
        if threads not in self.seen:  # warm-up: compiling, starting the pool
            self.seen.add(threads)
            return
        per = seconds / steps
        old = self.per_step.get(threads)
        self.per_step[threads] = per if old is None else 0.7 * old + 0.3 * per
        if threads == self.best:
            self.calls_since_try += 1
            return
        self.calls_since_try = 0  # a try of the other mode
        if self.per_step[threads] < self.per_step.get(self.best, float("inf")):
            self.best = threads
            self.every = self.base_every
        else:
            self.every = min(2 * self.every, self.max_every)

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

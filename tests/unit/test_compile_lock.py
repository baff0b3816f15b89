"""The compile lock: a cold first run holds the numba cache's lock; warm runs take none."""

import subprocess
import sys

import pytest

from cellsim import jit

# A second process tries the lock without waiting: exit 0 if it got it, 1 if it is held.
TRY_LOCK = """
import fcntl, sys
with open(sys.argv[1], "a") as fh:
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        sys.exit(1)
"""


def lock_is_free(cache) -> bool:
    probe = subprocess.run([sys.executable, "-c", TRY_LOCK, str(cache / ".compile.lock")])
    return probe.returncode == 0


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    return tmp_path


def test_a_cold_run_holds_the_lock_and_marks_its_scales_warm(cache):
    assert not jit.is_warm("fibre")
    with jit.first_compile(["fibre"]):
        assert not lock_is_free(cache)  # another process would wait here
        with jit.first_compile(["fibre"]):  # a hand-off's nested run: no deadlock
            pass
    assert lock_is_free(cache)
    assert jit.is_warm("fibre")
    with jit.first_compile(["fibre"]):  # warm: no lock taken
        assert lock_is_free(cache)


def test_a_failed_first_run_is_not_marked_warm(cache):
    with pytest.raises(RuntimeError), jit.first_compile(["nerve"]):
        raise RuntimeError("the run failed")
    assert not jit.is_warm("nerve")
    assert lock_is_free(cache)

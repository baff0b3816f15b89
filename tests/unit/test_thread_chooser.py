"""The thread policy: two threads only while they are faster than one (measured)."""

from cellsim.jit import ThreadChooser


def _run(chooser, seconds_per_step, calls):
    used = []
    for _ in range(calls):
        threads = chooser.next()
        used.append(threads)
        chooser.record(threads, seconds_per_step[threads] * 20, 20)
    return used


def test_threads_are_kept_while_they_are_faster():
    used = _run(ThreadChooser(2, every=10), {1: 1.0, 2: 0.55}, 60)
    assert used[-1] == 2 and used.count(1) <= 8  # a few tries of one thread


def test_one_thread_when_the_other_core_is_busy_and_tries_back_off():
    chooser = ThreadChooser(2, every=10)
    _run(chooser, {1: 1.0, 2: 0.55}, 30)  # quiet: two threads win
    assert chooser.best == 2
    used = _run(chooser, {1: 1.0, 2: 2.5}, 200)  # another process takes the other core
    assert chooser.best == 1 and used[-1] == 1
    assert used[100:].count(2) <= 2  # losing tries come ever more rarely
    assert chooser.every > 10


def test_a_single_thread_never_tries_more():
    assert _run(ThreadChooser(1), {1: 1.0}, 5) == [1] * 5

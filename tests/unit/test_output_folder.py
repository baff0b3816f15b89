"""Nothing a user wrote is ever deleted; results are replaced only when asked; one writer."""

import json
import os

import numpy as np
import pytest

from cellsim.errors import ResultsError
from cellsim.output import RunOutput
from cellsim.output_folder import FolderLock, OutputFolder, clean_leftovers, record_file
from cellsim.results import read_results, write_results


def _output(seed=4, children=None):
    return RunOutput(
        scale="fibre",
        seed=seed,
        engine="numba",
        timeseries={"time_ms": np.arange(3.0), "ca_free_uM": np.array([0.1, 2, 1])},
        summary={"peak": 2.0},
        snapshots={"x": np.ones((2, 3), np.float32)},
        children=children or {},
    )


def _write(path, seed=4, **kw):
    return write_results(
        _output(seed, kw.pop("children", None)), path, scenario={}, name="t", wall_time_s=0,
        figure=False, **kw,
    )  # fmt: skip


def _seed(path):
    return json.loads((path / "manifest.json").read_text())["seed"]


def test_an_earlier_run_is_replaced_only_with_overwrite(tmp_path):
    target = _write(tmp_path / "run", seed=1)
    with pytest.raises(ResultsError, match="holds the results of an earlier run; add --overwrite"):
        _write(target, seed=2)
    assert _seed(target) == 1
    _write(target, seed=2, overwrite=True)
    assert _seed(target) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]  # no lock, no leftovers


@pytest.mark.parametrize("extra", ["notes.txt", "analysis/", "scenario.toml.bak"])
def test_a_results_folder_with_a_users_file_is_never_replaced(tmp_path, extra):
    target = _write(tmp_path / "run", seed=1)
    if extra.endswith("/"):
        (target / extra).mkdir()
        (target / extra / "fit.py").write_text("precious")
    else:
        (target / extra).write_text("precious")
    with pytest.raises(ResultsError, match=f"holds files cellsim did not write \\({extra}"):
        _write(target, seed=2, overwrite=True)
    assert _seed(target) == 1
    assert (target / extra).exists()


def test_a_users_file_in_a_hand_off_folder_is_found(tmp_path):
    target = _write(tmp_path / "chain", children={"day1_0800_fibre": _output(7)})
    assert _seed(target / "day1_0800_fibre") == 7
    (target / "day1_0800_fibre" / "mine.csv").write_text("x")
    with pytest.raises(ResultsError, match=r"day1_0800_fibre/mine\.csv"):
        _write(target, overwrite=True)


def test_an_empty_folder_is_used(tmp_path):
    (tmp_path / "new").mkdir()
    assert _seed(_write(tmp_path / "new", seed=3)) == 3


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: p.write_text("a file"), "is a file, not a folder"),
        (lambda p: (p.mkdir(), (p / "x").write_text("")), "not a cellsim results folder"),
        (lambda p: (p.mkdir(), (p / "manifest.json").write_text("{")), "is unreadable"),
        (lambda p: p.symlink_to(p.parent), "is a symbolic link"),
    ],
)
def test_what_is_not_a_results_folder_is_refused(tmp_path, make, message):
    target = tmp_path / "out"
    make(target)
    with pytest.raises(ResultsError, match=message):
        _write(target, overwrite=True)


@pytest.mark.parametrize(
    "name, message",
    [
        ("a" * 300, "the folder name is 300 bytes long; at most 200"),
        ("..", "a folder needs a name"),
    ],
)
def test_bad_folder_names_are_refused_before_anything_is_written(tmp_path, name, message):
    with pytest.raises(ResultsError, match=message):
        OutputFolder(tmp_path / name).__enter__()
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_place_is_refused_before_the_run(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(ResultsError, match="cannot create"):
        OutputFolder(tmp_path / "file" / "run").__enter__()
    if os.path.isdir("/proc/self"):  # Linux: /proc takes no new files
        with pytest.raises(ResultsError, match="cannot write in /proc"):
            OutputFolder("/proc/x").__enter__()


def test_a_second_writer_is_refused_at_once(tmp_path):
    target = tmp_path / "run"
    with OutputFolder(target) as first:
        with pytest.raises(ResultsError, match=f"another cellsim run \\(process {os.getpid()}\\)"):
            OutputFolder(target).__enter__()
        first.write(_output(), scenario={}, name="t", wall_time_s=0, figure=False)
    assert _seed(target) == 4
    assert not (tmp_path / ".run.lock").exists()  # released and removed
    with FolderLock(target):  # and free again
        pass


def test_leftovers_of_interrupted_writes_are_cleaned(tmp_path):
    target = _write(tmp_path / "run", seed=1)
    partial = tmp_path / ".run.partial-123-abc"
    partial.mkdir()
    (partial / "summary.json").write_text("{}")
    old = tmp_path / ".run.old-999"
    old.mkdir()
    assert sorted(clean_leftovers(target)) == [
        "removed .run.old-999",
        "removed .run.partial-123-abc",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_a_folder_moved_aside_by_a_killed_run_is_put_back(tmp_path):
    target = _write(tmp_path / "run", seed=1)
    target.rename(tmp_path / ".run.old-4242")  # killed between its two renames
    with OutputFolder(target, overwrite=True) as slot:
        assert slot.cleaned == ["restored run from .run.old-4242"]
        assert _seed(target) == 1
        slot.write(_output(2), scenario={}, name="t", wall_time_s=0, figure=False)
    assert _seed(target) == 2


def test_files_added_during_the_run_keep_both(tmp_path):
    target = _write(tmp_path / "run", seed=1)
    with OutputFolder(target, overwrite=True) as slot:
        (target / "notes.txt").write_text("written while the run computed")
        written = slot.write(_output(2), scenario={}, name="t", wall_time_s=0, figure=False)
    assert written == tmp_path / "run-2" and _seed(written) == 2
    assert _seed(target) == 1 and (target / "notes.txt").exists()
    assert "written to" in slot.note


def test_a_file_cellsim_adds_later_is_listed(tmp_path):
    target = _write(tmp_path / "run")
    record_file(target, "animation.mp4")
    (target / "animation.mp4").write_bytes(b"\x00")
    _write(target, seed=5, overwrite=True)  # replaceable: every file is cellsim's
    assert _seed(target) == 5


@pytest.mark.parametrize(
    "damage, message",
    [
        (
            lambda p: (p / "manifest.json").write_text("{not json"),
            "manifest.json is not valid JSON",
        ),
        (lambda p: (p / "summary.json").unlink(), "summary.json is missing"),
        (lambda p: (p / "summary.json").write_bytes(b"\xff\xfe"), "summary.json is not valid JSON"),
        (
            lambda p: (p / "timeseries.csv").write_text("a,b\n1,x\n"),
            "timeseries.csv is not a table of numbers",
        ),
    ],
)
def test_a_damaged_folder_is_a_clear_error(tmp_path, damage, message):
    target = _write(tmp_path / "run")
    damage(target)
    with pytest.raises(ResultsError, match=f"is damaged \\({message}"):
        read_results(target)


def test_damaged_arrays_are_a_clear_error(tmp_path):
    target = _write(tmp_path / "run")
    (target / "snapshots.npz").write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(ResultsError, match=r"snapshots\.npz cannot be read"):
        read_results(target).snapshots()

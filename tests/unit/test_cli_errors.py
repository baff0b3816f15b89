"""The command-line classes of the bad-input catalogue: each exits 2 with its message.

Numbered after the files of ``tests/data/bad`` (01-53): the options, output paths and
results folders a user can get wrong.  None of them may start a simulation: every case
fails in well under a second.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from cellsim.cli import main
from cellsim.output import RunOutput
from cellsim.output_folder import FolderLock
from cellsim.results import write_results

ROOT = Path(__file__).resolve().parents[2]
TWITCH = str(ROOT / "scenarios" / "twitch.toml")
SWEEP = str(ROOT / "scenarios" / "sweeps" / "relaxation_vs_mg.toml")


def _results(path: Path) -> Path:
    out = RunOutput("fibre", {"time_ms": np.arange(2.0)}, {"peak": 1.0}, 1, "numba")
    return write_results(out, path, scenario={}, name="t", wall_time_s=0, figure=False)


def _file(path: Path) -> Path:
    path.write_text("mine")
    return path


def _user_folder(path: Path) -> Path:
    path.mkdir()
    (path / "notes.txt").write_text("mine")
    return path


def _results_with_notes(path: Path) -> Path:
    _results(path)
    (path / "notes.txt").write_text("mine")
    return path


def _other_sweep(path: Path) -> Path:
    path.mkdir()
    (path / "sweep.toml").write_text('[sweep]\nname = "another"\n')
    return path


def _damaged(path: Path) -> Path:
    _results(path)
    (path / "summary.json").write_text('{"peak": ')
    return path


CASES = {
    "54_run_output_in_proc": (lambda t: ["run", TWITCH, "-o", "/proc/x"], "cannot write in /proc"),
    "55_run_output_name_300_chars": (
        lambda t: ["run", TWITCH, "-o", str(t / ("a" * 300))],
        "the folder name is 300 bytes long; at most 200",
    ),
    "56_run_over_earlier_results": (
        lambda t: ["run", TWITCH, "-o", str(_results(t / "r"))],
        "holds the results of an earlier run; add --overwrite",
    ),
    "57_run_over_a_users_notes": (
        lambda t: ["run", TWITCH, "--overwrite", "-o", str(_results_with_notes(t / "r"))],
        "holds files cellsim did not write (notes.txt); cellsim never deletes them",
    ),
    "58_run_over_a_users_folder": (
        lambda t: ["run", TWITCH, "--overwrite", "-o", str(_user_folder(t / "r"))],
        "exists and is not a cellsim results folder",
    ),
    "59_run_output_is_a_file": (
        lambda t: ["run", TWITCH, "-o", str(_file(t / "r"))],
        "exists and is a file, not a folder",
    ),
    "60_run_output_dot": (lambda t: ["run", TWITCH, "-o", "."], "a folder needs a name"),
    "61_run_too_large": (
        lambda t: ["run", TWITCH, "-o", str(t / "r"), "--set", "run.duration_ms=1e6"],
        "this run is too large",
    ),
    "62_run_negative_seed": (lambda t: ["run", TWITCH, "--seed", "-1"], "seed: must be >= 0"),
    "63_run_missing_scenario": (lambda t: ["run", "twich"], "no such file"),
    "64_validate_infinite_override": (
        lambda t: ["validate", TWITCH, "--set", "fibre.length_x_um=inf"],
        "length_x_um: expected a finite number, found inf",
    ),
    "65_validate_unfinished_list": (
        lambda t: ["validate", TWITCH, "--set", "protocol.times_ms=[1,"],
        "times_ms: expected a list of numbers, found a string ('[1,')",
    ),
    "66_sweep_negative_limit": (lambda t: ["sweep", SWEEP, "--limit", "-1"], "--limit -1: give 1"),
    "67_sweep_zero_workers": (lambda t: ["sweep", SWEEP, "--workers", "0"], "--workers 0: give 1"),
    "68_sweep_cap_zero": (
        lambda t: ["sweep", SWEEP, "--max-runs", "0"],
        "--max-runs 0: give a number of runs from 1 to 100000",
    ),
    "69_sweep_output_is_a_file": (
        lambda t: ["sweep", SWEEP, "-o", str(_file(t / "s"))],
        "exists and is not a folder",
    ),
    "70_sweep_output_is_a_users_folder": (
        lambda t: ["sweep", SWEEP, "-o", str(_user_folder(t / "s"))],
        "is not a cellsim sweep folder (no sweep.toml)",
    ),
    "71_sweep_output_of_another_sweep": (
        lambda t: ["sweep", SWEEP, "-o", str(_other_sweep(t / "s"))],
        "holds the results of sweep 'another', not 'relaxation_vs_mg'",
    ),
    "72_sweep_tls_without_scheduler": (
        lambda t: ["sweep", SWEEP, "--tls-cert", "c.pem"],
        "--tls-ca-file/--tls-cert/--tls-key are for --scheduler",
    ),
    "73_sweep_run_too_large": (
        lambda t: ["sweep", SWEEP, "-o", str(t / "s"), "--set", "run.duration_ms=1e6"],
        "this run is too large",
    ),
    "74_list_missing_folder": (lambda t: ["list", str(t / "nowhere")], "no such folder"),
    "75_animate_damaged_results": (
        lambda t: ["animate", str(_damaged(t / "r")), "-o", str(t / "a.png")],
        "is damaged (summary.json is not valid JSON",
    ),
    "76_animate_not_results": (
        lambda t: ["animate", str(_user_folder(t / "r")), "-o", str(t / "a.png")],
        "is not a complete cellsim results folder",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_cli_class(case, tmp_path, capsys):
    make_argv, message = CASES[case]
    if case == "54_run_output_in_proc" and not os.path.isdir("/proc/self"):
        pytest.skip("no /proc on this system")
    before = sorted(p.name for p in tmp_path.iterdir())
    argv = make_argv(tmp_path)
    made = sorted(p.name for p in tmp_path.iterdir())
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("cellsim: error: ")
    assert message in err
    assert "Traceback" not in err
    assert before == [] and sorted(p.name for p in tmp_path.iterdir()) == made  # nothing new


def test_cli_classes_continue_the_catalogue():
    files = sorted((ROOT / "tests" / "data" / "bad").glob("*.toml"))
    numbers = [int(name[:2]) for name in sorted(CASES)]
    assert numbers == list(range(len(files) + 1, len(files) + 1 + len(CASES)))


def test_a_run_into_a_folder_being_written_is_refused(tmp_path, capsys):
    target = tmp_path / "r"
    with FolderLock(target):  # as a run in another process holds it
        assert main(["run", TWITCH, "-q", "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert f"another cellsim run (process {os.getpid()}) is writing to this folder" in err


def test_a_sweep_whose_every_run_fails_exits_1(tmp_path, monkeypatch, capsys):
    from cellsim.sweep import runner

    def failing(data, keep=False, allow_large=False):
        return {"status": "error", "error": "ModelError: broken", "summary": {}, "wall_time_s": 0}

    monkeypatch.setattr(runner, "execute", failing)
    monkeypatch.setattr(runner, "_check_metrics", lambda spec, record: None)
    argv = ["sweep", SWEEP, "-q", "--workers", "1", "--limit", "2", "-o", str(tmp_path / "s")]
    assert main(argv) == 1
    assert "every run failed" in capsys.readouterr().out
    records = [json.loads(p.read_text()) for p in (tmp_path / "s" / "runs").glob("*.json")]
    assert len(records) == 2 and all(r["status"] == "error" for r in records)

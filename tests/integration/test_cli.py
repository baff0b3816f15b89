"""The command line end to end, as a user types it."""

import json
import subprocess
import sys
from pathlib import Path

from cellsim.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_list_shows_every_bundled_scenario(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for path in (ROOT / "scenarios").glob("*.toml"):
        assert path.name in out
    assert "Human fibre, one stimulus" in out


def test_validate_good_and_bad(capsys):
    assert main(["validate", str(ROOT / "scenarios/twitch.toml")]) == 0
    assert "ok" in capsys.readouterr().out
    bad = ROOT / "tests/data/bad/03_unknown_parameter.toml"
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "Did you mean 'serca_uM'" in err and "Traceback" not in err


def test_run_writes_a_results_folder(tmp_path, capsys):
    out_dir = tmp_path / "cramp"
    code = main(
        [
            "run",
            str(ROOT / "scenarios/cramp_low_mg.toml"),
            "--seed",
            "7",
            "--set",
            "environment.mg_free_intracellular_mM=0.15",
            "--set",
            "run.duration_ms=12",
            "-o",
            str(out_dir),
            "-q",
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "peak_force_fraction" in printed and str(out_dir) in printed
    for name in (
        "manifest.json",
        "summary.json",
        "timeseries.csv",
        "scenario.toml",
        "snapshots.npz",
        "figure.png",
    ):
        assert (out_dir / name).exists(), name
    manifest = json.loads((out_dir / "manifest.json").read_text())
    assert manifest["seed"] == 7 and manifest["engine"] == "numba"
    summary = json.loads((out_dir / "summary.json").read_text())
    for key in (
        "peak_delta_ca_uM",
        "ca_fdhm_ms",
        "peak_force_fraction",
        "time_to_peak_force_ms",
        "half_relaxation_ms",
        "residual_force_fraction",
        "cramp",
    ):
        assert key in summary
    assert "mg_free_intracellular_mM = 0.15" in (out_dir / "scenario.toml").read_text()
    header = (out_dir / "timeseries.csv").read_text().splitlines()[0].split(",")
    assert header[0] == "time_ms" and "force_fraction" in header


def test_python_dash_m_and_clean_errors(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "cellsim", "run", str(tmp_path / "missing.toml")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 2
    assert "no such file" in result.stderr and "Traceback" not in result.stderr
    result = subprocess.run(
        [sys.executable, "-m", "cellsim", "--help"], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0 and "validate" in result.stdout

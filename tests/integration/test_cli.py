"""The command line end to end, as a user types it."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cellsim.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_list_shows_every_bundled_scenario(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for path in (ROOT / "scenarios").glob("*.toml"):
        assert path.name in out
    assert "Human fibre, one stimulus" in out


def test_list_shows_where_scenarios_and_sweeps_are(capsys):
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    folder = str((ROOT / "scenarios").resolve())
    assert lines[0] == f"Scenarios (cellsim run FILE, or by name: cellsim run twitch) in {folder}:"
    assert (
        f"Sweeps (cellsim sweep FILE, or by name: cellsim sweep tetany_map) in {folder}:" in lines
    )
    sweeps = [ln for ln in lines if ln.strip().startswith("sweeps/")]
    assert len(sweeps) == len(list((ROOT / "scenarios/sweeps").glob("*.toml")))
    # one column of descriptions for scenarios and sweeps alike
    rows = [ln for ln in lines if ln.startswith("  ")]
    starts = {len(ln) - len(ln[2:].split("  ", 1)[1].lstrip()) for ln in rows}
    assert len(starts) == 1


def test_version(capsys):
    import cellsim

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.strip() == f"cellsim {cellsim.__version__} (install: pip install cellsim-camg)"


def test_distribution_name_is_the_one_in_pyproject_and_readme():
    import tomllib

    import cellsim

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["name"] == cellsim.DISTRIBUTION != "cellsim"
    assert project["version"] == cellsim.__version__
    assert f"pip install {cellsim.DISTRIBUTION}" in (ROOT / "README.md").read_text()


def test_compile_notice_only_when_the_cache_is_cold(tmp_path, monkeypatch):
    from cellsim import jit
    from cellsim.cli.run import compile_notice

    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    from cellsim import scales

    seconds = scales.get("nerve").compile_s + scales.get("fibre").compile_s
    text = compile_notice(["nerve", "fibre"])
    assert text.startswith(
        f"compiling kernels for nerve, fibre (first run only, about {seconds:.0f} s"
    )
    assert compile_notice(["body"]) == ""  # nothing to compile
    assert compile_notice(["fibre"], engine="reference") == ""  # plain Python
    jit.mark_warm("fibre")
    assert compile_notice(["nerve", "fibre"]).startswith("compiling kernels for nerve (")
    jit.mark_warm("nerve")
    assert compile_notice(["nerve", "fibre"]) == ""


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
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "peak_force_fraction" in printed and str(out_dir) in printed
    assert "What you are looking at:\n  A 1 µm stretch of a muscle fibre" in printed
    summary = json.loads((out_dir / "summary.json").read_text())
    low_mg = "at free Mg 0.15 mM (normal 0.5) the pumps are slow"
    assert (low_mg in " ".join(printed.split())) == summary["cramp"]
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


def test_quiet_run_prints_one_line(tmp_path, capsys):
    out_dir = tmp_path / "q"
    args = ["run", str(ROOT / "scenarios/twitch.toml"), "--set", "run.duration_ms=6"]
    assert main([*args, "-o", str(out_dir), "-q"]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert len(lines) == 1 and lines[0].startswith("twitch: fibre, seed 1, ")
    assert lines[0].endswith(f" s -> {out_dir}")
    assert captured.err == ""  # no progress bar either
    assert (out_dir / "manifest.json").exists()


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


def test_warmup_compiles_every_kind_of_kernel(capsys):
    """`cellsim warmup` runs each kind of compiled kernel once (with a warm cache it only
    loads them) and leaves each marked compiled, so that no bundled scenario's first run
    waits for numba."""
    from cellsim import jit, load_scenario
    from cellsim.chain import compiled_scales
    from cellsim.cli.warmup import WARMUPS

    assert main(["warmup"]) == 0
    out = capsys.readouterr().out
    for label, _name, _overrides in WARMUPS:
        assert f"  {label} ... " in out
    assert "every kernel is ready" in out
    # every bundled scenario's kernels are among those the warmup compiled
    keys = set()
    for path in (ROOT / "scenarios").glob("*.toml"):
        keys.update(compiled_scales(load_scenario(path).setups))
    assert keys == {"fibre", "fibre-fixed-sites", "fibre-clamp", "nerve"}
    assert all(jit.is_warm(k) for k in keys)

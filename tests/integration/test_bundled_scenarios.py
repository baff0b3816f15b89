"""Every bundled scenario validates and runs on the one run path (shortened, to stay quick)."""

from pathlib import Path

import pytest

import cellsim
from cellsim.scenario import load, run_key

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))

# how to shorten each scale's part of a run: (run key, value) and protocol keys it understands
SHORTEN = {
    "fibre": {
        "run": {"duration_ms": 6},
        "protocol": {
            "clamp_hold_ms": 3,
            "train_duration_ms": 4,
            "times_ms": [1.0],
            "start_ms": 1.0,
        },
    },
    "nerve": {"run": {"duration_ms": 20}, "protocol": {}},
    "body": {"run": {}, "protocol": {}},  # the body model is fast: 30 days take about a second
}


def shortened(path):
    scenario = load(path)
    several = len(scenario.setups) > 1
    overrides = []
    for name in scenario.setups:
        for key, value in SHORTEN[name]["run"].items():
            overrides.append(f"{run_key(scenario, name, key)}={value}")
        for key, value in SHORTEN[name]["protocol"].items():
            table = f"protocol.{name}" if several else "protocol"
            overrides.append(f"{table}.{key}={value}")
    return load(path, overrides)


def test_there_are_bundled_scenarios():
    names = {p.stem for p in SCENARIOS}
    assert {"twitch", "twitch_mouse_fast", "tetanus", "cramp_low_mg", "high_mg"} <= names


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_bundled_scenario_runs(path, tmp_path):
    from cellsim.results import read_results, write_results

    scenario = load(path)
    assert scenario.description, "every bundled scenario needs a one-line description"
    assert path.read_text().startswith("#"), "every bundled scenario starts with comments"
    short = shortened(path)
    out = cellsim.run(short)
    folder = write_results(
        out, tmp_path / "r", scenario=short.data, name=short.name, wall_time_s=0.0, figure=False
    )
    back = read_results(folder)
    assert back.summary and back.timeseries
    assert back.summary["scenario"] == scenario.name
    for label, child in back.children.items():
        assert child.summary, f"hand-off {label} wrote no summary"

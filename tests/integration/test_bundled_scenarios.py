"""Every bundled scenario validates and runs (shortened so the suite stays quick)."""

from pathlib import Path

import pytest

from cellsim.scenario import load

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))

# how to shorten each scale's runs: overrides understood by that scale
SHORTEN = {
    "fibre": [
        "run.duration_ms=6",
        "protocol.clamp_hold_ms=3",
        "protocol.train_duration_ms=4",
        "protocol.stimulus_times_ms=[1.0]",
        "protocol.train_start_ms=1.0",
    ],
    "body": [],  # the body model is fast: 30 days take about a second
    "nerve": ["run.duration_ms=20"],
    "nerve+fibre": ["run.duration_ms=20"],
}


def test_there_are_bundled_scenarios():
    names = {p.stem for p in SCENARIOS}
    assert {"twitch", "twitch_mouse_fast", "tetanus", "cramp_low_mg", "high_mg"} <= names


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_bundled_scenario_runs(path, tmp_path):
    from cellsim.results import read_results, write_results

    scenario = load(path)
    assert scenario.description, "every bundled scenario needs a one-line description"
    assert path.read_text().startswith("#"), "every bundled scenario starts with comments"
    short = load(path, SHORTEN[scenario.scale])
    out = short.runner().run(short.data)
    folder = write_results(
        out, tmp_path / "r", scenario=short.data, name=short.name, wall_time_s=0.0, figure=False
    )
    back = read_results(folder)
    assert back.summary and back.timeseries

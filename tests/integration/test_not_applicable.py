"""A summary figure that does not apply is null with a reason, never a number that looks
measured (nerve: a part not simulated, a mean over no events)."""

from __future__ import annotations

import json
from pathlib import Path

import cellsim

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def test_a_junction_that_never_fired_reports_no_numbers_for_it():
    scenario = cellsim.load_scenario(
        SCENARIOS / "nmj_release_vs_ca.toml",
        ["protocol.kind=none", "run.duration_ms=5", "output.snapshots=false"],
    )
    s = cellsim.run(scenario).summary
    assert s["terminal_ap_count"] == 0
    for key in ("spike_count", "spontaneous_rate_hz", "release_quanta_mean"):
        assert s[key] is None, key
    assert s["not_applicable"] == {
        "spike_count": "no axon simulated",
        "spontaneous_rate_hz": "no axon simulated",
        "release_quanta_mean": "the terminal never fired",
        "transmission_fraction": "the terminal never fired",
    }
    assert json.loads(json.dumps(s))["release_quanta_mean"] is None  # null in summary.json


def test_a_junction_that_fired_reports_its_release():
    scenario = cellsim.load_scenario(
        SCENARIOS / "nmj_release_vs_ca.toml", ["run.duration_ms=60", "output.snapshots=false"]
    )
    s = cellsim.run(scenario).summary
    assert s["terminal_ap_count"] >= 1 and s["release_quanta_mean"] > 0
    assert "release_quanta_mean" not in s.get("not_applicable", {})

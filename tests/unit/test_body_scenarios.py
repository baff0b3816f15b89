"""Every bundled body scenario validates with the body schemas and runs (shortened)."""

import tomllib
from pathlib import Path

import pytest

from cellsim.body import runner
from cellsim.schema import validate

SCENARIOS = sorted((Path(__file__).parents[2] / "scenarios").glob("body_*.toml"))


def load_body_scenario(path: Path, duration_days: float | None = None) -> dict:
    """Loader-free reading: tomllib + the three body schemas + validate."""
    data = tomllib.loads(path.read_text())
    if duration_days is not None:
        data.setdefault("run", {})["duration_days"] = duration_days
    return {
        "scenario": data["scenario"],
        "body": validate(data.get("body", {}), runner.MODEL_SCHEMA, f"{path.name}: [body]"),
        "protocol": validate(
            data.get("protocol", {}), runner.PROTOCOL_SCHEMA, f"{path.name}: [protocol]"
        ),
        "run": validate(data.get("run", {}), runner.RUN_SCHEMA, f"{path.name}: [run]"),
        "output": data.get("output", {}),
    }


def test_the_six_scenarios_are_bundled():
    names = {p.stem for p in SCENARIOS}
    assert names >= {
        "body_supplement_together_vs_apart",
        "body_ratio_2to1_vs_1to1",
        "body_evening_magnesium",
        "body_mg_deficiency_refractory_hypocalcaemia",
        "body_competition_hypothesis",
        "body_baseline_rda",
    }


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_scenario_runs(path):
    scenario = load_body_scenario(path)
    assert path.stem == "body_" + scenario["scenario"]["name"]
    full_days = scenario["run"]["duration_days"]
    checks = [c for c in scenario["protocol"]["checks"] if c["day"] <= 3]
    scenario["protocol"]["checks"] = checks
    scenario["run"]["duration_days"] = min(full_days, 3.0)
    out = runner.run(scenario)
    assert out.summary["mass_balance_error_mg"] < 1e-6
    assert 0.8 < out.summary["plasma_ica_mM"] < 1.4

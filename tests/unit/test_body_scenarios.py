"""Every bundled body scenario validates and runs (shortened) on the one run path."""

from pathlib import Path

import pytest

import cellsim
from cellsim.scenario import load

SCENARIOS = sorted((Path(__file__).parents[2] / "scenarios").glob("body_*.toml"))


def test_the_scenarios_and_a_scenario_per_preset_are_bundled():
    from cellsim.body.params import PRESETS

    names = {p.stem for p in SCENARIOS}
    assert names >= {
        "body_supplement_together_vs_apart",
        "body_ratio_2to1_vs_1to1",
        "body_evening_magnesium",
        "body_mg_deficiency_refractory_hypocalcaemia",
        "body_competition_hypothesis",
        "body_baseline_rda",
        "body_iv_magnesium_sulfate",
        "body_calcium_clamp",
    }
    for preset in PRESETS:
        if preset != "healthy":
            path = next(p for p in SCENARIOS if p.stem == f"body_{preset}")
            assert f'preset = "{preset}"' in path.read_text()


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_scenario_runs(path):
    full = load(path)
    assert path.stem == "body_" + full.name
    days = min(full.setups["body"].settings.duration_days, 3.0)
    handoffs = full.data["protocol"]["handoffs"]
    kept = [h for h in handoffs if h["day"] <= days]
    text = "[" + ", ".join(f'{{day = {h["day"]}, time = "{h["time"]}"}}' for h in kept) + "]"
    scenario = load(path, [f"run.duration_days={days}", f"protocol.handoffs={text}"])
    out = cellsim.run(scenario)
    assert out.summary["mass_balance_error_mg"] < 1e-6
    assert 0.8 < out.summary["plasma_ica_mM"] < 1.5
    assert out.summary["takeaway"]


def test_takeaway_names_a_hand_off_to_two_runs_once():
    """A chain hands the same moment to the fibre and the nerve: one entry in the line."""
    from cellsim.body.metrics import takeaway

    moment = {"label": "day7_2200", "ica_mM": 1.21, "mg_mM": 0.82, "mg_free_mM": 0.49}
    later = {**moment, "label": "day8_2200", "ica_mM": 1.19}
    text = takeaway({"handoff_plasma": [moment, dict(moment), later]})
    assert text == (
        "at the hand-offs (mM): day7 2200 iCa 1.21, Mg 0.82, cell Mg 0.49; "
        "day8 2200 iCa 1.19, Mg 0.82, cell Mg 0.49"
    )

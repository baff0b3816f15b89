"""Bad inputs to the body scale get clear ScenarioErrors (and good ones pass)."""

import pytest

from cellsim.body.params import PRESETS, resolve_params
from cellsim.body.protocol import Intake, days_taken, parse_clock_h
from cellsim.errors import ScenarioError
from cellsim.scenario import resolve


def _resolve(body=None, protocol=None, run=None):
    data = {
        "scenario": {"name": "s"},
        "body": body or {},
        "protocol": protocol or {},
        "run": {"duration_days": 1, **(run or {})},
    }
    return resolve(data, "s.toml")


def _protocol(**dose):
    return _resolve(protocol={"doses": [{"time": "08:00", "ca_mg": 500.0, **dose}]})


def test_unknown_override_key_suggests_the_right_name():
    with pytest.raises(ScenarioError, match=r"Did you mean 'gfr_mL_per_min'"):
        _resolve(body={"gfr_ml_per_min": 90.0})


def test_keys_of_the_old_model_say_where_they_went():
    with pytest.raises(ScenarioError, match=r"\[body\] overrides: renamed: write parameter"):
        _resolve(body={"overrides": {"pth_half_life_min": 2.0}})
    with pytest.raises(ScenarioError, match=r"parathyroid_mass_rel.*hypoparathyroidism"):
        _resolve(body={"parathyroid_mass_fraction": 0.05})


def test_known_override_and_preset_are_applied():
    params = _resolve(body={"gfr_mL_per_min": 90}).setups["body"].params
    assert params.gfr_mL_per_min == 90.0
    assert resolve_params(overrides={"gfr_mL_per_min": 90.0}) == params
    thiazide = _resolve(body={"preset": "thiazide"}).setups["body"].params
    assert thiazide.thiazide_dct_ca_gain == PRESETS["thiazide"].changes["thiazide_dct_ca_gain"]
    # an override wins over the preset
    mine = _resolve(body={"preset": "thiazide", "thiazide_dct_ca_gain": 0.2}).setups["body"]
    assert mine.params.thiazide_dct_ca_gain == 0.2


def test_unknown_preset_lists_the_presets():
    with pytest.raises(ScenarioError, match=r"must be one of.*'thiazide'"):
        _resolve(body={"preset": "thiazid"})


def test_a_diet_preset_sets_the_default_diet_but_the_scenario_wins():
    from cellsim.body.scale import build_inputs

    setup = _resolve(body={"preset": "chronic_mg_deficiency"}).setups["body"]
    assert build_inputs(setup)["diet"]["mg_mg_per_day"] == 10.0
    setup = _resolve(
        body={"preset": "chronic_mg_deficiency"}, protocol={"diet": {"mg_mg_per_day": 50.0}}
    ).setups["body"]
    assert build_inputs(setup)["diet"]["mg_mg_per_day"] == 50.0


def test_negative_override_is_rejected():
    with pytest.raises(ScenarioError, match="gfr_mL_per_min: must be > 0"):
        _resolve(body={"gfr_mL_per_min": -1.0})
    with pytest.raises(ScenarioError, match="loop_tal_block: must be <= 1"):
        _resolve(body={"loop_tal_block": 1.5})


def test_unknown_person_and_competition_get_suggestions():
    with pytest.raises(ScenarioError, match="Did you mean 'adult_female_19_50'"):
        _resolve(body={"person": "adult_female_19_5"})
    with pytest.raises(ScenarioError, match="must be one of"):
        _resolve(body={"competition": "stronk"})


@pytest.mark.parametrize("bad", ["8am", "25:00", "08:60", "8.30", ""])
def test_bad_dose_time_string(bad):
    with pytest.raises(ScenarioError, match="HH:MM"):
        _protocol(time=bad)


def test_bad_meal_time_string():
    with pytest.raises(ScenarioError, match="HH:MM"):
        _resolve(protocol={"diet": {"meal_times": ["08:00", "noon"]}})


def test_negative_dose_is_rejected_by_schema_and_by_intake():
    with pytest.raises(ScenarioError, match=r"ca_mg: must be >= 0"):
        _protocol(ca_mg=-500.0)
    with pytest.raises(ScenarioError, match=">= 0 mg"):
        Intake(0.0, -1.0, 0.0, False)


def test_unknown_salt_is_rejected_with_the_list():
    with pytest.raises(ScenarioError, match=r"must be one of.*'oxide'"):
        _protocol(mg_mg=100.0, salt="oxyde")
    with pytest.raises(ScenarioError, match=r"unknown Mg salt 'oxyde'.*Did you mean 'oxide'"):
        Intake(0.0, 0.0, 100.0, False, mg_salt="oxyde")


def test_empty_dose_is_rejected_when_loading():
    with pytest.raises(ScenarioError, match="needs ca_mg or mg_mg"):
        _protocol(ca_mg=0.0)


def test_infusions_and_clamps_are_checked():
    infusion = {
        "drug": "magnesium_sulfate",
        "rate_g_per_h": 2.0,
        "time": "08:00",
        "duration_h": 2.0,
    }
    assert _resolve(protocol={"infusions": [infusion]}).setups["body"].protocol.infusions
    with pytest.raises(ScenarioError, match=r"must be one of.*'magnesium_sulfate'"):
        _resolve(protocol={"infusions": [{**infusion, "drug": "magnesium"}]})
    with pytest.raises(ScenarioError, match="rate_g_per_h: must be > 0"):
        _resolve(protocol={"infusions": [{**infusion, "rate_g_per_h": 0.0}]})
    with pytest.raises(ScenarioError, match=r"infusions\]\]\[0\]: day 3 08:00 is after the end"):
        _resolve(protocol={"infusions": [{**infusion, "day": 3}]})
    clamp = {"ion": "ca", "ionised_mM": 1.0, "time": "08:00", "duration_h": 2.0}
    with pytest.raises(ScenarioError, match="two clamps of ca overlap"):
        _resolve(protocol={"clamps": [clamp, {**clamp, "time": "09:00"}]})
    with pytest.raises(ScenarioError, match="ionised_mM: must be <= 5"):
        _resolve(protocol={"clamps": [{**clamp, "ionised_mM": 12.0}]})


def test_handoff_after_the_end_is_rejected():
    with pytest.raises(ScenarioError, match="after the end of the run"):
        _resolve(protocol={"handoffs": [{"day": 3, "time": "10:00"}]})


def test_handoff_must_name_scales_of_the_scenario():
    with pytest.raises(ScenarioError, match="not a scale of this scenario"):
        _resolve(protocol={"handoffs": [{"day": 1, "time": "10:00", "runs": ["fibre"]}]})


def test_old_checks_say_they_are_handoffs_now():
    with pytest.raises(ScenarioError, match="renamed: handoffs"):
        _resolve(protocol={"checks": [{"day": 1, "time": "10:00"}]})


def test_clock_parsing_and_day_selection():
    assert parse_clock_h("21:30") == pytest.approx(21.5)
    assert days_taken([], 3, 5, 10) == [3, 4, 5]
    assert days_taken([], 8, 0, 10) == [8, 9, 10]
    assert days_taken([1, 4, 12], 1, 0, 10) == [1, 4]
    with pytest.raises(ScenarioError, match="day numbers start at 1"):
        _protocol(days=[0, 1])


def test_run_settings_defaults():
    settings = _resolve(run={"duration_days": 7}).setups["body"].settings
    assert settings.seed == 1 and settings.duration_days == 7 and settings.dose_marginals
    with pytest.raises(ScenarioError, match="must be >"):
        _resolve(run={"duration_days": 0})

"""Bad inputs to the body scale get clear ScenarioErrors (and good ones pass)."""

import pytest

from cellsim.body import runner
from cellsim.body.params import check_override, resolve_params
from cellsim.body.schedule import Intake, days_taken, parse_clock_h
from cellsim.errors import ScenarioError
from cellsim.schema import validate


def _protocol(**dose):
    entry = {"time": "08:00", "ca_mg": 500.0, **dose}
    return validate({"doses": [entry]}, runner.PROTOCOL_SCHEMA, "s.toml: [protocol]")


def test_unknown_override_key_suggests_the_right_name():
    with pytest.raises(ScenarioError, match=r"Did you mean 'gfr_mL_per_min'"):
        resolve_params(overrides={"gfr_ml_per_min": 90.0})


def test_unknown_override_key_in_the_body_table_suggests_the_right_name():
    with pytest.raises(ScenarioError, match=r"\[body\].*Did you mean 'pth_half_life_min'"):
        validate({"overrides": {"pth_halflife_min": 2.0}}, runner.MODEL_SCHEMA, "s.toml: [body]")


def test_known_override_is_applied():
    body = validate({"overrides": {"gfr_mL_per_min": 90}}, runner.MODEL_SCHEMA, "[body]")
    params = resolve_params(overrides=body["overrides"])
    assert params.gfr_mL_per_min == 90.0


def test_negative_override_is_rejected():
    with pytest.raises(ScenarioError, match=">= 0"):
        check_override("gfr_mL_per_min", -1.0)


def test_unknown_person_and_competition_get_suggestions():
    with pytest.raises(ScenarioError, match="Did you mean 'adult_female_19_50'"):
        resolve_params(person="adult_female_19_5")
    with pytest.raises(ScenarioError, match="must be one of"):
        validate({"competition": "stronk"}, runner.MODEL_SCHEMA, "[body]")


@pytest.mark.parametrize("bad", ["8am", "25:00", "08:60", "8.30", ""])
def test_bad_dose_time_string(bad):
    with pytest.raises(ScenarioError, match="HH:MM"):
        _protocol(time=bad)


def test_bad_meal_time_string():
    with pytest.raises(ScenarioError, match="HH:MM"):
        validate({"diet": {"meal_times": ["08:00", "noon"]}}, runner.PROTOCOL_SCHEMA, "[protocol]")


def test_negative_dose_is_rejected_by_schema_and_by_intake():
    with pytest.raises(ScenarioError, match=r"ca_mg: must be >= 0"):
        _protocol(ca_mg=-500.0)
    with pytest.raises(ScenarioError, match=">= 0 mg"):
        Intake(0.0, -1.0, 0.0, False)


def test_empty_dose_is_rejected_at_run_time():
    protocol = _protocol(ca_mg=0.0)
    body = validate({}, runner.MODEL_SCHEMA, "[body]")
    settings = validate({"duration_days": 1}, runner.RUN_SCHEMA, "[run]")
    with pytest.raises(ScenarioError, match="needs ca_mg or mg_mg"):
        runner.build_intakes(body, protocol, settings)


def test_check_after_the_end_is_rejected():
    scenario = {
        "scenario": {"name": "x"},
        "body": validate({}, runner.MODEL_SCHEMA, "[body]"),
        "protocol": validate(
            {"checks": [{"day": 3, "time": "10:00"}]}, runner.PROTOCOL_SCHEMA, "[protocol]"
        ),
        "run": validate({"duration_days": 1}, runner.RUN_SCHEMA, "[run]"),
    }
    with pytest.raises(ScenarioError, match="after the end of the run"):
        runner.run(scenario)


def test_clock_parsing_and_day_selection():
    assert parse_clock_h("21:30") == pytest.approx(21.5)
    assert days_taken([], 3, 5, 10) == [3, 4, 5]
    assert days_taken([], 8, 0, 10) == [8, 9, 10]
    assert days_taken([1, 4, 12], 1, 0, 10) == [1, 4]
    with pytest.raises(ScenarioError, match="day numbers start at 1"):
        _protocol(days=[0, 1])


def test_run_schema_defaults():
    settings = validate({}, runner.RUN_SCHEMA, "[run]")
    assert settings["seed"] == 1
    assert settings["duration_days"] > 0
    with pytest.raises(ScenarioError, match="must be >"):
        validate({"duration_days": 0}, runner.RUN_SCHEMA, "[run]")

"""Mechanics of the body model: dose handling, attribution, interface, coupling."""

import matplotlib
import numpy as np
import pytest

import cellsim
from cellsim.body import metrics, model
from cellsim.body.params import resolve_params
from cellsim.body.protocol import Intake, meals
from cellsim.body.scale import BODY, environment_at
from cellsim.environment import Environment
from cellsim.errors import ModelError
from cellsim.output import RunOutput

PARAMS = resolve_params()


def test_short_dose_between_record_points_is_not_skipped():
    # Recording only every 6 h: the dose at 01:07 must still enter the lumen.
    result = model.simulate(
        PARAMS, [Intake(1.0 + 7 / 60, 0.0, 100.0, False)], 24.0, record_every_h=6.0
    )
    assert result.mg_absorbed_mg[0] > 20.0
    assert result.final_state[model.MG_ABS] * 24.31 == pytest.approx(result.mg_absorbed_mg[0])


def test_identical_simultaneous_doses_share_absorption_equally():
    doses = [Intake(2.0, 250.0, 100.0, True), Intake(2.0, 250.0, 100.0, True)]
    result = model.simulate(PARAMS, doses, 36.0)
    assert result.ca_absorbed_mg[0] == pytest.approx(result.ca_absorbed_mg[1], rel=1e-9)
    assert result.mg_absorbed_mg[0] == pytest.approx(result.mg_absorbed_mg[1], rel=1e-9)


def test_per_intake_absorption_adds_up_to_total():
    intakes = [*meals(1000.0, 320.0, [8.0, 13.0, 19.0], 2), Intake(10.0, 500.0, 250.0, False)]
    result = model.simulate(PARAMS, intakes, 48.0)
    total_ca = result.final_state[model.CA_ABS] * 40.08
    assert result.ca_absorbed_mg.sum() == pytest.approx(total_ca, rel=1e-9)


def test_no_intake_means_no_absorption_and_ions_slowly_fall():
    result = model.simulate(PARAMS, [], 48.0)
    series = result.series()
    assert result.final_state[model.CA_ABS] == 0.0
    assert series["plasma_mg_mM"][-1] < series["plasma_mg_mM"][0]


def test_summary_has_the_interface_keys():
    intakes = [*meals(1000.0, 320.0, [8.0, 13.0, 19.0], 2), Intake(30.0, 500.0, 0.0, True)]
    summary = metrics.summarise(model.simulate(PARAMS, intakes, 48.0))
    for key in (
        "ca_absorbed_mg",
        "mg_absorbed_mg",
        "ca_absorbed_mg_per_dose",
        "mg_absorbed_mg_per_dose",
        "ca_absorbed_mg_per_day",
        "mg_absorbed_mg_per_day",
        "ca_fractional_absorption",
        "mg_fractional_absorption",
        "urine_ca_mg_per_day",
        "urine_mg_mg_per_day",
        "mass_balance_error_mg",
    ):
        assert key in summary
    for base in ("plasma_ica_mM", "plasma_mg_mM", "pth_pmol_L", "calcitriol_pmol_L"):
        assert summary[f"{base}_min"] <= summary[base] <= summary[f"{base}_max"]
    assert len(summary["ca_absorbed_mg_per_day"]) == 2
    assert len(summary["ca_absorbed_mg_per_dose"]) == 1
    assert summary["doses"][0]["day"] == 2 and summary["doses"][0]["time"] == "06:00"


def _scenario(**run):
    from cellsim.scenario import resolve

    data = {
        "scenario": {"name": "unit"},
        "body": {},
        "protocol": {
            "doses": [{"time": "08:00", "ca_mg": 500, "mg_mg": 250}],
            "handoffs": [{"day": 2, "time": "22:00"}],
        },
        "run": {"duration_days": 2, **run},
    }
    return resolve(data, "unit")


def _run(scenario, progress=False):
    return BODY.simulate(scenario.setups["body"], scenario.environment, progress=progress)


def test_simulate_returns_a_body_run_output_and_its_handoffs():
    out = _run(_scenario())
    assert isinstance(out, RunOutput)
    assert (out.scale, out.engine, out.seed) == ("body", "scipy", 1)
    assert next(iter(out.timeseries)) == "time_h"
    lengths = {len(v) for v in out.timeseries.values()}
    assert lengths == {len(out.timeseries["time_h"])}
    handoff = out.handoffs[0]
    assert handoff.label == "day2_2200" and handoff.time_h == 46.0
    env = environment_at(out, 46.0)
    assert env.ca_ionised_mM == pytest.approx(handoff.environment.ca_ionised_mM, abs=2e-3)
    summary = cellsim.run(_scenario()).summary
    assert summary["handoffs"]["day2_2200"]["time_h"] == 46.0


def test_environment_at_interpolates_and_refuses_outside_the_run():
    out = _run(_scenario())
    env = environment_at(out, 10.0)
    assert isinstance(env, Environment)
    assert 1.0 < env.ca_ionised_mM < 1.4
    assert 0.4 < env.mg_ionised_mM < 0.7
    assert 0.3 < env.mg_free_intracellular_mM < 0.7
    with pytest.raises(ModelError, match="outside the run"):
        environment_at(out, 1000.0)
    with pytest.raises(ModelError, match="not a body run"):
        environment_at({"time_h": np.array([0.0, 1.0])}, 0.5)


def test_figure_is_made_without_a_display():
    out = _run(_scenario())
    fig = out.figure(out)
    assert isinstance(fig, matplotlib.figure.Figure)
    assert len(fig.axes) >= 6
    matplotlib.pyplot.close(fig)


def test_compare_competition_reports_both_variants():
    summary = _run(_scenario(compare_competition=True)).summary
    both = summary["competition_comparison"]
    assert set(both) == {"default", "strong"}
    # Strong competition must cost Mg when 500 mg Ca is taken with it.
    assert (
        both["strong"]["mg_absorbed_mg_per_dose"][0]
        < both["default"]["mg_absorbed_mg_per_dose"][0] - 5.0
    )


def test_progress_bar_runs(capsys):
    _run(_scenario(), progress=True)
    assert "body" in capsys.readouterr().err


def test_nonsense_parameters_are_a_model_error():
    with pytest.raises(ModelError, match="ecf_volume_L must be > 0"):
        resolve_params(overrides={"ecf_volume_L": 0.0})
    with pytest.raises(ModelError, match="fractions"):
        resolve_params(overrides={"ca_ionised_fraction": 1.5})
    with pytest.raises(ModelError, match="pth_min_pmol_L"):
        resolve_params(overrides={"pth_min_pmol_L": 20.0})


def test_continuing_from_a_final_state_matches_one_long_run():
    intakes = meals(1000.0, 320.0, [8.0, 13.0, 19.0], 2)
    whole = model.simulate(PARAMS, intakes, 48.0)
    first = model.simulate(PARAMS, intakes[:3], 24.0)
    later = [Intake(i.time_h - 24.0, i.ca_mg, i.mg_mg, i.with_food, i.kind) for i in intakes[3:]]
    second = model.simulate(PARAMS, later, 24.0, y0=first.final_state)
    np.testing.assert_allclose(second.final_state, whole.final_state, rtol=1e-5, atol=1e-7)


def test_dose_cut_off_by_the_end_of_the_run_is_flagged():
    summary = metrics.summarise(model.simulate(PARAMS, [Intake(22.0, 0.0, 300.0, False)], 24.0))
    dose = summary["doses"][0]
    assert dose["mg_in_gut_at_end_mg"] > 100.0
    assert dose["mg_absorbed_mg"] + dose["mg_in_gut_at_end_mg"] < 300.0

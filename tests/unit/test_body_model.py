"""Mechanics of the body model: reference, inputs, marginals, interface, coupling."""

import warnings

import matplotlib
import numpy as np
import pytest

import cellsim
from cellsim.body import baseline, experiments, metrics, model
from cellsim.body.params import resolve_params
from cellsim.body.protocol import Clamp, Infusion, Intake, meals
from cellsim.body.scale import BODY, environment_at
from cellsim.environment import Environment
from cellsim.errors import ModelError
from cellsim.output import RunOutput

PARAMS = resolve_params()
DIET = (8.0, 13.0, 19.0)


def _diet(days):
    return meals(1000.0, 320.0, DIET, days, 1200.0)


# --- the fixed healthy reference --------------------------------------------------------------
def test_the_reference_is_that_of_the_healthy_set_whatever_the_overrides():
    sick = resolve_params(preset="primary_hyperparathyroidism", overrides={"gfr_mL_per_min": 80})
    assert baseline.reference_for(sick) is baseline.reference_for(PARAMS)
    ref = baseline.reference_for(PARAMS)
    assert ref.pth_pmol_L == PARAMS.pth_ref_pmol_L and ref.ica_mM == pytest.approx(1.2)


def test_the_references_daily_absorption_is_kept_on_disk_and_read_back_exactly(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    calls = []

    def compute():
        calls.append(1)
        return baseline.daily_absorption_mmol(PARAMS)

    first = baseline._kept("absorbed", PARAMS, 3, compute)
    again = baseline._kept("absorbed", PARAMS, 3, compute)
    assert len(calls) == 1 and list(tmp_path.glob("cellsim/body/absorbed_*.npy"))
    np.testing.assert_array_equal(first, again)
    assert tuple(first) == baseline.make_reference(PARAMS).absorbed_mmol_per_day
    (path,) = tmp_path.glob("cellsim/body/absorbed_*.npy")
    path.write_bytes(b"damaged")  # a damaged cache is worked out again, never used
    np.testing.assert_array_equal(baseline._kept("absorbed", PARAMS, 3, compute), first)
    assert len(calls) == 2


def test_the_reference_diet_is_a_steady_state_without_drift():
    result = model.simulate(PARAMS, _diet(20), 20 * 24.0, record_every_h=24.0)
    first, last = result.day_totals[1], result.day_totals[-1]
    dynamic = slice(0, model.N_DYNAMIC)
    np.testing.assert_allclose(last[dynamic], first[dynamic], rtol=1e-4, atol=1e-6)
    # formation and resorption balance: a healthy person neither gains nor loses bone (the
    # daily meal cycle leaves an imbalance of ~0.2 mg/day against ~500 mg/day of turnover)
    assert abs(result.final_state[model.CA_BONE_SLOW]) * 40.08 < 10.0


def test_a_disease_is_not_renormalised_to_its_own_state():
    """PHPT with the fixed reference: PTH stays high and acts (the old model re-derived the
    reference from the overridden parameters and cancelled the disease)."""
    sick = resolve_params(preset="primary_hyperparathyroidism")
    series = model.simulate(sick, _diet(10), 10 * 24.0, record_every_h=1.0).series()
    assert experiments.day_mean(series, "pth_pmol_L", 10) > 4.0
    assert experiments.day_mean(series, "plasma_ica_mM", 10) > 1.3


# --- inputs ------------------------------------------------------------------------------------
def test_short_dose_between_record_points_is_not_skipped():
    dose = Intake(1.0 + 7 / 60, 0.0, 100.0, False)
    added = experiments.marginal_absorbed_mg(PARAMS, dose, 24.0)
    assert added["mg"] > 20.0


def test_an_infusion_delivers_exactly_its_dose_and_a_clamp_holds_its_target():
    infusion = Infusion.of("magnesium_sulfate", 2.0, 2.0, 3.0)  # 6 g = 24.3 mmol
    clamp = Clamp("ca", 1.0, 8.0, 10.0)
    result = model.simulate(
        PARAMS, [], 12.0, infusions=[infusion], clamps=[clamp], record_every_h=0.1
    )
    assert result.total(model.MG_IV) == pytest.approx(6.0 * 1000 / 246.47, rel=1e-6)
    series = result.series()
    held = (series["time_h"] > 8.5) & (series["time_h"] < 10.0)
    assert np.all(np.abs(series["plasma_ica_mM"][held] - 1.0) < 0.01)
    assert result.total(model.CA_CLAMP) < 0  # citrate took Ca out, and it is booked
    assert metrics.mass_balance(result)["mass_balance_error_mg"] < 1e-6


def test_mg_oxide_must_dissolve_first_and_is_absorbed_less():
    oxide = experiments.single_load_fraction(PARAMS, mg_mg=300.0, salt="oxide")[1]
    citrate = experiments.single_load_fraction(PARAMS, mg_mg=300.0, salt="citrate")[1]
    assert 0 < oxide < 0.5 * citrate
    ppi = resolve_params(preset="proton_pump_inhibitor")
    assert experiments.single_load_fraction(ppi, mg_mg=300.0, salt="oxide")[1] < oxide


def test_no_intake_means_no_absorption_and_serum_mg_slowly_falls():
    result = model.simulate(PARAMS, [], 72.0)
    series = result.series()
    # only what the previous dinner had left in the gut at midnight is absorbed
    assert 0 < result.total(model.CA_ABS) < model.lumen_mmol(result.initial_state, "ca")
    assert series["plasma_mg_mM"][-1] < series["plasma_mg_mM"][0]


def test_continuing_from_a_final_state_matches_one_long_run():
    intakes = _diet(2)
    whole = model.simulate(PARAMS, intakes, 48.0)
    first = model.simulate(PARAMS, intakes[:3], 24.0)
    later = [model.shift(i, -24.0) for i in intakes[3:]]
    second = model.simulate(PARAMS, later, 24.0, y0=first.final_state)
    np.testing.assert_allclose(second.final_state, whole.final_state, rtol=1e-4, atol=1e-6)


# --- per-dose absorption as a marginal -------------------------------------------------------
def _scenario(doses=None, handoffs=None, **run):
    from cellsim.scenario import resolve

    data = {
        "scenario": {"name": "unit"},
        "body": {},
        "protocol": {
            "doses": doses or [{"time": "08:00", "ca_mg": 500, "mg_mg": 250, "with_food": True}],
            "handoffs": [{"day": 2, "time": "22:00"}] if handoffs is None else handoffs,
        },
        "run": {"duration_days": 2, **run},
    }
    return resolve(data, "unit")


def _run(scenario, progress=False):
    return BODY.simulate(scenario.setups["body"], scenario.environment, progress=progress)


def test_a_dose_marginal_is_the_run_with_it_minus_the_run_without_it():
    out = _run(_scenario(duration_days=1, handoffs=[]))
    dose = out.summary["doses"][0]
    added = experiments.marginal_absorbed_mg(
        PARAMS, Intake(8.0, 500.0, 250.0, True), 24.0, intakes=_diet(1)
    )
    assert dose["ca_absorbed_mg"] == pytest.approx(added["ca"], rel=1e-3)
    assert dose["mg_absorbed_mg"] == pytest.approx(added["mg"], rel=1e-3)


def test_per_dose_and_daily_absorption_agree_in_sign():
    """The issue's case: Mg with breakfast (week 1) vs at bedtime (week 2).  Per-dose
    marginals and daily totals must say the same thing."""
    doses = [
        {"time": "08:00", "mg_mg": 300, "with_food": True, "until_day": 3},
        {"time": "22:00", "mg_mg": 300, "from_day": 4},
    ]
    scenario = _scenario(doses, handoffs=[], duration_days=6)
    summary = cellsim.run(scenario).summary
    morning, evening = summary["dose_entries"][0], summary["dose_entries"][1]
    per_dose = evening["mean_mg_absorbed_mg"] - morning["mean_mg_absorbed_mg"]
    daily = summary["mg_absorbed_mg_per_day"]
    per_day = daily[5] - daily[1]  # a whole day of each regimen
    assert np.sign(per_dose) == np.sign(per_day) and abs(per_dose) > 5.0
    assert per_day == pytest.approx(per_dose, rel=0.5)


# --- interface ---------------------------------------------------------------------------------
def test_summary_has_the_interface_keys():
    summary = _run(_scenario()).summary
    for key in (
        "ca_absorbed_mg",
        "mg_absorbed_mg",
        "p_absorbed_mg",
        "ca_absorbed_mg_per_dose",
        "mg_absorbed_mg_per_dose",
        "ca_absorbed_mg_per_day",
        "mg_absorbed_mg_per_day",
        "ca_fractional_absorption",
        "mg_fractional_absorption",
        "urine_ca_mg_per_day",
        "urine_mg_mg_per_day",
        "urine_p_mg_per_day",
        "mass_balance_error_mg",
        "takeaway",
        "dose_entries",
        "protocol_events",
        "protocol_spans",
        "preset",
    ):
        assert key in summary, key
    for base in ("plasma_ica_mM", "plasma_mg_mM", "pth_pmol_L", "plasma_phosphate_mM"):
        assert summary[f"{base}_min"] <= summary[base] <= summary[f"{base}_max"]
    assert len(summary["ca_absorbed_mg_per_day"]) == 2
    assert len(summary["ca_absorbed_mg_per_dose"]) == 2
    assert summary["doses"][1]["day"] == 2 and summary["doses"][1]["time"] == "08:00"
    assert summary["dose_entries"][0]["text"].startswith("dose 1: 08:00 days 1-2")
    assert summary["mass_balance_error_mg"] < 1e-6


def test_the_time_series_has_phosphate_pools_pth_store_and_renal_segments():
    series = _run(_scenario()).timeseries
    for key in (
        "plasma_phosphate_mM",
        "pth_store_rel",
        "ca_bone_fast_mmol",
        "mg_icf_mmol",
        "mg_bone_fast_mmol",
        "osteoclast_rel",
        "mg_csf_mM",
        "renal_ca_tal_mg_per_h",
        "renal_mg_dct_mg_per_h",
        "renal_p_urine_mg_per_h",
    ):
        assert key in series, key
    parts = sum(series[f"renal_ca_{s}_mg_per_h"] for s in ("pt", "tal", "dct", "urine"))
    np.testing.assert_allclose(parts, series["renal_ca_filtered_mg_per_h"], rtol=1e-9)


def test_the_derivatives_are_the_named_flows_summed_and_the_gut_is_that_of_gut_flows():
    """The right-hand side and the named records come from one pass over every process;
    the gut's rate laws are functions of their own (the reference's daily absorption calls
    them through gut_flows and gut_derivatives), and both routes must agree."""
    ref = baseline.reference_for(PARAMS)
    ode = model.BodyODE(PARAMS, ref)
    rng = np.random.default_rng(3)
    settled = baseline.settled_state(PARAMS)
    clamp = model.Drive(False, 0.4, 0.8, (("ca", 1.0, 5.0), ("mg", 0.5, 2.0)))
    for drive in (model.Drive(), model.Drive(fed=True), clamp):
        y = settled * np.exp(rng.normal(0.0, 0.3, settled.size))
        y[: model.MGO_I + 1] = rng.uniform(0.0, 10.0, model.MGO_I + 1)
        f, dy = ode.flows(y, drive), ode.rhs(0.0, y, drive)
        g = model.gut_flows(y, PARAMS, drive.fed)
        np.testing.assert_array_equal(np.array(f.gut), np.array(g))
        np.testing.assert_array_equal(dy[:8], model.gut_derivatives(y, g, PARAMS))
        k, i = f.kidney, f.inputs
        assert dy[model.CA_URINE] == k.ca_urine and dy[model.P_FILT] == k.p_filtered
        assert dy[model.MG_CLAMP] == i.mg_clamp and (i.mg_clamp != 0.0) == (drive is clamp)
        assert dy[model.PTH] == f.hormones.secretion - ode.k_pth_clear * y[model.PTH]
        # mass moves, it is never made: what the ECF gains, the other pools lose
        ca_in = g.ca_transcellular + g.ca_paracellular + i.ca_iv + i.ca_clamp
        ca_out = k.ca_urine + i.ca_endogenous + f.bone.ca_fast_uptake
        ca_out += f.bone.ca_formed - f.bone.ca_resorbed
        assert dy[model.CA_ECF] == pytest.approx(ca_in - ca_out, rel=1e-12, abs=1e-15)


def test_simulate_returns_a_body_run_output_and_its_handoffs():
    out = _run(_scenario())
    assert isinstance(out, RunOutput)
    assert (out.scale, out.engine, out.seed) == ("body", "scipy", 1)
    assert next(iter(out.timeseries)) == "time_h"
    assert {len(v) for v in out.timeseries.values()} == {len(out.timeseries["time_h"])}
    handoff = out.handoffs[0]
    assert handoff.label == "day2_2200" and handoff.time_h == 46.0
    env = environment_at(out, 46.0)
    assert env.ca_ionised_mM == pytest.approx(handoff.environment.ca_ionised_mM, abs=2e-3)
    assert 0.7 < handoff.environment.mg_csf_mM < 0.9  # CSF Mg handed on for central neurons
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


def test_figure_is_classroom_sized_with_large_fonts_and_a_sane_cell_mg_axis():
    from cellsim.render import style

    out = _run(_scenario(compare_competition=True))
    fig = out.figure(out)
    assert isinstance(fig, matplotlib.figure.Figure)
    assert tuple(round(v) for v in fig.get_size_inches() * fig.dpi) == (1920, 1080)
    assert style.too_small(fig) == []
    cells = next(ax for ax in fig.axes if "free / ionised Mg" in ax.get_ylabel())
    low, high = cells.get_ylim()
    assert high - low >= 0.5  # not 0.497-0.503 mM magnifying solver noise
    texts = [t for _, t in style.text_sizes(fig)]
    assert any(out.summary["takeaway"][:40] in t.replace("\n", " ") for t in texts)
    labels = [
        h
        for ax in fig.axes
        if ax.get_legend()
        for h in (t.get_text() for t in ax.get_legend().get_texts())
    ]
    assert "normal 1.1-1.3" in labels and "Mg (strong)" in labels  # ranges named; hypothesis drawn
    # made without pyplot, so no figure manager holds it: nothing to close


def test_compare_competition_reports_both_variants():
    summary = _run(_scenario(compare_competition=True)).summary
    both = summary["competition_comparison"]
    assert set(both) == {"default", "strong"}
    # Strong competition must cost Mg when 500 mg Ca is taken with it.
    assert both["strong"]["mg_absorbed_mg"] < both["default"]["mg_absorbed_mg"] - 20.0


def test_progress_bar_runs(capsys):
    _run(_scenario(), progress=True)
    assert "body" in capsys.readouterr().err


def test_nonsense_parameters_are_a_model_error():
    with pytest.raises(ModelError, match="pth_release_min_rel"):
        resolve_params(overrides={"pth_release_min_rel": 10.0})
    with pytest.raises(ModelError, match="p_tmp_gfr_min_mM"):
        resolve_params(overrides={"p_tmp_gfr_min_mM": 2.0})


def test_a_solver_failure_is_a_model_error_that_says_where_and_warns_nothing():
    y0 = baseline.settled_state(PARAMS)
    y0[model.PTH] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the solver's own warning would only repeat it
        with pytest.raises(ModelError, match=r"solver failed between t = 0\.000 h and 24\.000 h"):
            model.simulate(PARAMS, [], 24.0, y0=y0)


def test_dose_cut_off_by_the_end_of_the_run_is_flagged():
    out = _run(_scenario(duration_days=1, handoffs=[]))
    late = _scenario([{"time": "22:00", "mg_mg": 300}], handoffs=[], duration_days=1)
    dose = _run(late).summary["doses"][0]
    assert dose["window_h"] == pytest.approx(2.0)
    assert dose["mg_in_gut_at_end_mg"] > 100.0
    assert out.summary["doses"][0]["window_h"] == pytest.approx(16.0)

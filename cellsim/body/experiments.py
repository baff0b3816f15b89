"""Experiments on the body: the designs of published studies, run on the model.

Each function builds the intakes, infusions or clamps a study used, runs the body model
from the settled healthy person (or from a state a previous experiment left) and measures
what the study measured.  The literature checks (:mod:`cellsim.validation.body`) compare
the results with the published ones; the scenarios let students run the same designs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.linalg import expm

from cellsim.body import baseline
from cellsim.body import model as m
from cellsim.body.params import MG_MG_PER_MMOL, BodyParams, resolve_params
from cellsim.body.protocol import Clamp, Infusion, Intake, meals

MEAL_TIMES_H = baseline.MEAL_TIMES_H


def healthy(**overrides) -> BodyParams:
    """The default parameter set (``human_default``), with overrides."""
    return resolve_params(overrides=overrides or None)


def with_preset(preset: str, **overrides) -> BodyParams:
    """The default set with a disease or drug preset (and overrides)."""
    return resolve_params(preset=preset, overrides=overrides or None)


def diet(
    n_days: int,
    ca: float | None = None,
    mg: float | None = None,
    p: float | None = None,
    params: BodyParams | None = None,
) -> list[Intake]:
    """``n_days`` of three meals of the reference diet (or of the given daily amounts)."""
    params = params or healthy()
    return meals(
        params.ref_diet_ca_mg_per_day if ca is None else ca,
        params.ref_diet_mg_mg_per_day if mg is None else mg,
        MEAL_TIMES_H,
        n_days,
        params.ref_diet_p_mg_per_day if p is None else p,
    )


def run(
    params: BodyParams,
    hours: float,
    intakes: Sequence[Intake] = (),
    *,
    infusions: Sequence[Infusion] = (),
    clamps: Sequence[Clamp] = (),
    record_every_h: float = 0.25,
    y0=None,
    check_times_h=(),
) -> m.SimulationResult:
    """One simulation against the fixed healthy reference (a thin wrapper)."""
    return m.simulate(
        params,
        intakes,
        hours,
        infusions=infusions,
        clamps=clamps,
        record_every_h=record_every_h,
        y0=y0,
        check_times_h=check_times_h,
    )


def day_mean(series: dict, key: str, day: int) -> float:
    """Mean of ``series[key]`` over day ``day`` (day 1 = the first 24 h)."""
    t = np.asarray(series["time_h"])
    mask = (t >= 24.0 * (day - 1)) & (t < 24.0 * day)
    return float(np.mean(np.asarray(series[key])[mask]))


def at(series: dict, key: str, time_h: float) -> float:
    """``series[key]`` at ``time_h`` (linear interpolation)."""
    return float(np.interp(time_h, series["time_h"], series[key]))


def restart(state: np.ndarray) -> np.ndarray:
    """A final state as the start of a new run (bookkeeping from zero)."""
    y = np.array(state, dtype=float)
    y[m.CUMULATIVE] = 0.0
    return y


# ------------------------------------------------------------------------ absorption
def marginal_absorbed_mg(
    params: BodyParams, dose: Intake, hours: float = 48.0, intakes: Sequence[Intake] = (), y0=None
) -> dict[str, float]:
    """What one dose adds to absorption: the run with it minus the run without it (mg)."""
    with_dose = run(params, hours, [*intakes, dose], record_every_h=hours, y0=y0)
    without = run(params, hours, intakes, record_every_h=hours, y0=y0)
    return {
        ion: (with_dose.total(row) - without.total(row)) * m.MG_PER_MMOL[ion]
        for ion, row in (("ca", m.CA_ABS), ("mg", m.MG_ABS))
    }


def single_load_fraction(
    params: BodyParams,
    ca_mg: float = 0.0,
    mg_mg: float = 0.0,
    *,
    salt: str = "acetate",
    with_food: bool = True,
):
    """Fractions absorbed of one load at 08:00 after the overnight fast (as in Heaney 1990
    and Fine 1991), nothing else eaten for 48 h: ``(ca_fraction, mg_fraction)``."""
    dose = Intake(8.0, ca_mg, mg_mg, with_food, mg_salt=salt)
    got = marginal_absorbed_mg(params, dose, 56.0)
    return (got["ca"] / ca_mg if ca_mg else None, got["mg"] / mg_mg if mg_mg else None)


def net_ca_absorption_vs_gut_capacity(calcitriol_pmol_L: Sequence[float], days: int = 3):
    """Net Ca absorption (absorbed - endogenous faecal, % of intake) on the reference diet
    with the gut's transport capacity held at ``calcitriol / reference`` (as the balance
    studies behind Wilz et al. 1979 measured it): ``{calcitriol: (net %, true %)}``."""
    p = healthy(gut_capacity_lag_h=1e9)
    ref = baseline.reference_for(p)
    out = {}
    for calcitriol in calcitriol_pmol_L:
        y0 = baseline.settled_state(p)
        y0[m.GUT_CAP] = calcitriol / ref.calcitriol_pmol_L
        result = run(p, 24.0 * days, diet(days), y0=y0, record_every_h=24.0)
        last = result.day_totals[-1] - result.day_totals[-2]
        intake = p.ref_diet_ca_mg_per_day / 40.08
        out[calcitriol] = (
            100.0 * (last[m.CA_ABS] - last[m.CA_ENDO]) / intake,
            100.0 * last[m.CA_ABS] / intake,
        )
    return out


def urinary_increment_fraction(
    params: BodyParams, salt: str, days: int = 4, dose_mg: float = 255.0
) -> tuple[float, float]:
    """Firoz & Graber 2001: ~21 mEq (255 mg) Mg a day in two doses with meals; fractional
    absorption read as the rise of 24-h urinary Mg on the last day / the daily dose.

    Returns ``(urinary increment fraction, true marginal absorption fraction)``.
    """
    n = days + 1
    doses = [
        Intake(24.0 * d + t, 0.0, dose_mg / 2, True, mg_salt=salt)
        for d in range(1, n)
        for t in (8.0, 19.0)
    ]
    base = run(params, n * 24.0, diet(n), record_every_h=24.0)
    dosed = run(params, n * 24.0, diet(n) + doses, record_every_h=24.0)
    urine = m.per_day_mg(dosed, m.MG_URINE, "mg")[-1] - m.per_day_mg(base, m.MG_URINE, "mg")[-1]
    absorbed = m.per_day_mg(dosed, m.MG_ABS, "mg")[-1] - m.per_day_mg(base, m.MG_ABS, "mg")[-1]
    return urine / dose_mg, absorbed / dose_mg


def habitual_intake_absorption(intakes_mg: Sequence[float], days: int = 60) -> dict:
    """Fraction of daily Ca absorbed after ``days`` on each habitual intake (Heaney 1989)."""
    out = {}
    for ca in intakes_mg:
        result = run(healthy(), 24.0 * days, diet(days, ca=ca), record_every_h=24.0)
        out[ca] = m.per_day_mg(result, m.CA_ABS, "ca")[-1] / ca
    return out


# ------------------------------------------------------------------------ pools
def exchangeable_mg_pool_mmol(params: BodyParams | None = None, hours: float = 90.0) -> float:
    """Isotope-dilution estimate of the exchangeable Mg pool (Avioli & Berman 1966).

    A tracer dose enters the ECF of the settled healthy person; it exchanges with the
    rapid pool and the cells at their steady-state unidirectional fluxes and leaves with
    urine, endogenous faecal loss and bone formation.  The pool is the tracer left in the
    body divided by the plasma specific activity after ``hours``, as the study computed it.
    """
    p = params or healthy()
    ref = baseline.reference_for(p)
    y = baseline.settled_state(p)
    f = m.BodyODE(p, ref).flows(y, m.Drive())
    ecf, rapid, cells = y[m.MG_ECF], y[m.MG_FAST], y[m.MG_ICF]
    uni_rapid = math.log(2.0) / p.mg_bone_surface_half_life_h * rapid
    img_rel = f.plasma.img_mM / ref.img_mM
    uni_cells = (
        math.log(2.0)
        / p.mg_icf_exchange_half_life_h
        * p.mg_icf_exchangeable_mmol
        * img_rel**p.mg_cell_influx_exponent
    )
    out = f.kidney.mg_urine + f.inputs.mg_endogenous + f.bone.mg_formed
    rates = np.array(
        [
            [-(uni_rapid + uni_cells + out) / ecf, uni_rapid / rapid, uni_cells / cells],
            [uni_rapid / ecf, -uni_rapid / rapid, 0.0],
            [uni_cells / ecf, 0.0, -uni_cells / cells],
        ]
    )
    tracer = expm(rates * hours) @ np.array([1.0, 0.0, 0.0])
    return float(tracer.sum() / (tracer[0] / ecf))


# ------------------------------------------------------------------------ hormones
def clamp_series(
    params: BodyParams,
    ion: str,
    ionised_mM: float,
    start_h: float,
    hours: float,
    total_h: float,
    record_every_h: float = 1 / 60,
):
    """A fasting person whose plasma ionised ``ion`` is held at a value from ``start_h``."""
    result = run(
        params,
        total_h,
        clamps=[Clamp(ion, ionised_mM, start_h, start_h + hours)],
        record_every_h=record_every_h,
    )
    return result.series()


def brown_curve(params: BodyParams, levels_mM: Sequence[float], hold_h: float = 1.0):
    """PTH at the end of a 1-h clamp of ionised Ca at each level (Schwarz et al. 1994)."""
    out = []
    for level in levels_mM:
        result = run(
            params, 8.0 + hold_h, clamps=[Clamp("ca", level, 8.0, 8.0 + hold_h)], record_every_h=0.5
        )
        out.append(result.final_state[m.PTH])
    return np.array(out)


def half_life(t, y) -> float:
    """Half-life of a single-exponential fit to ``y(t)`` (in the unit of ``t``)."""
    return float(np.log(2.0) / -np.polyfit(t, np.log(y), 1)[0])


def pth_after_secretion_stops(minutes: float = 30.0):
    """(time_min, PTH) after the glands stop (store emptied, no synthesis)."""
    p = healthy(parathyroid_mass_rel=0.0)
    y0 = baseline.settled_state(p)
    y0[m.PTH_STORE] = 0.0
    series = run(p, minutes / 60.0, y0=y0, record_every_h=1 / 120).series()
    return series["time_h"] * 60.0, series["pth_pmol_L"]


def calcitriol_after_synthesis_stops(hours: float = 24.0):
    """(time_h, calcitriol) after 1a-hydroxylation stops (enzyme activity set to 0)."""
    p = healthy(hydroxylase_half_life_h=1e9)
    y0 = baseline.settled_state(p)
    y0[m.HYDROX] = 0.0
    series = run(p, hours, y0=y0, record_every_h=0.5).series()
    return series["time_h"], series["calcitriol_pmol_L"]


def ferment_boluses(params: BodyParams | None = None) -> dict[str, tuple[float, float]]:
    """IV 7.08 mmol Mg and 4.25 mmol Ca over 3 min (Ferment et al. 1987): relative PTH
    change at 45 min and at 2 h, ``{ion: (at 45 min, at 2 h)}``."""
    p = params or healthy()
    out = {}
    for ion, mmol in (("mg", 7.08), ("ca", 4.25)):
        series = run(
            p, 11.0, infusions=[Infusion.bolus(ion, mmol, 8.0, 3.0)], record_every_h=1 / 30
        ).series()
        basal = at(series, "pth_pmol_L", 8.0)
        out[ion] = (
            at(series, "pth_pmol_L", 8.75) / basal - 1.0,
            at(series, "pth_pmol_L", 10.0) / basal - 1.0,
        )
    return out


def cholst_mgso4(params: BodyParams | None = None) -> dict:
    """MgSO4 4 g over 20 min then 2 g/h for 6 h (the tocolysis regimen of Cholst 1984)."""
    p = params or healthy()
    infusions = [
        Infusion.of("magnesium_sulfate", 12.0, 8.0, 1 / 3),
        Infusion.of("magnesium_sulfate", 2.0, 8.0 + 1 / 3, 6.0),
    ]
    s = run(p, 14.0, infusions=infusions, record_every_h=1 / 12).series()
    return {
        "series": s,
        "mg_30min_mM": at(s, "plasma_mg_mM", 8.5),
        "pth_30min_rel": at(s, "pth_pmol_L", 8.5) / at(s, "pth_pmol_L", 8.0) - 1.0,
        "ica_0_mM": at(s, "plasma_ica_mM", 8.0),
        "ica_3h_mM": at(s, "plasma_ica_mM", 11.0),
        "img_6h_mM": at(s, "plasma_img_mM", 14.0),
        "csf_6h_mM": at(s, "mg_csf_mM", 14.0),
        "csf_0_mM": at(s, "mg_csf_mM", 8.0),
    }


# ------------------------------------------------------------------------ loads
def oral_load_response(
    params: BodyParams, dose: Intake, hours: float, background=(), record_every_h: float = 1 / 12
):
    """Series with and without one oral dose (same background), for relative changes."""
    base = run(params, hours, background, record_every_h=record_every_h)
    dosed = run(params, hours, [*background, dose], record_every_h=record_every_h)
    return base, dosed


def reginster_ca_load(params: BodyParams | None = None) -> dict:
    """1000 mg Ca fasting at 08:00 (Reginster et al. 1993): total Ca and PTH over 6 h."""
    p = params or healthy()
    base, dosed = oral_load_response(p, Intake(8.0, 1000.0, 0.0, False), 16.0)
    b, s = base.series(), dosed.series()
    window = (s["time_h"] >= 8.0) & (s["time_h"] <= 14.0)
    ca_rel = s["plasma_ca_total_mM"][window] / b["plasma_ca_total_mM"][window] - 1.0
    pth_rel = s["pth_pmol_L"][window] / b["pth_pmol_L"][window] - 1.0
    k = int(np.argmin(pth_rel))
    return {
        "time_h": s["time_h"][window] - 8.0,
        "ca_rel": ca_rel,
        "pth_rel": pth_rel,
        "ca_peak_pct": 100.0 * float(ca_rel.max()),
        "pth_nadir_pct": 100.0 * float(pth_rel[k]),
        "pth_nadir_h": float(s["time_h"][window][k] - 8.0),
    }


def zhan_mgcl2(params: BodyParams | None = None) -> dict:
    """300 mg Mg as MgCl2 with a low-Mg breakfast at 08:00 (Zhan et al. 2020)."""
    p = params or healthy()
    breakfast = Intake(8.0, 150.0, 10.0, True, "meal", p_mg=250.0)
    base, dosed = oral_load_response(
        p, Intake(8.0, 0.0, 300.0, True, mg_salt="chloride"), 32.0, [breakfast], record_every_h=0.1
    )
    b, s = base.series(), dosed.series()
    after = s["time_h"] >= 8.0
    rel = s["plasma_mg_mM"][after] / b["plasma_mg_mM"][after] - 1.0
    return {
        "time_h": s["time_h"][after] - 8.0,
        "mg_rel": rel,
        "peak_pct": 100.0 * float(rel.max()),
        "peak_h": float(s["time_h"][after][int(np.argmax(rel))] - 8.0),
        "urine_extra_mg": (dosed.total(m.MG_URINE) - base.total(m.MG_URINE)) * MG_MG_PER_MMOL,
        "absorbed_extra_mg": (dosed.total(m.MG_ABS) - base.total(m.MG_ABS)) * MG_MG_PER_MMOL,
    }


def mg_loading_test(params: BodyParams | None = None, y0=None, mg_diet_mg: float | None = None):
    """30 mmol Mg IV over 8 h (Gullestad et al. 1994): share retained after 24 h."""
    p = params or healthy()
    background = diet(2, mg=mg_diet_mg)
    infusion = Infusion("mg", 30.0 / 8.0, 8.0, 8.0)
    base = run(p, 32.0, background, record_every_h=1.0, y0=y0)
    loaded = run(p, 32.0, background, infusions=[infusion], record_every_h=1.0, y0=y0)
    return 1.0 - (loaded.total(m.MG_URINE) - base.total(m.MG_URINE)) / 30.0


# ------------------------------------------------------------------------ long runs
def last_day(result: m.SimulationResult) -> dict:
    """Daily means and totals of the last day of a long run."""
    s = result.series()
    last = round(float(result.time_h[-1]) / 24.0)
    out = {
        key: day_mean(s, key, last)
        for key in (
            "plasma_ica_mM",
            "plasma_ca_total_mM",
            "plasma_mg_mM",
            "plasma_phosphate_mM",
            "pth_pmol_L",
            "calcitriol_pmol_L",
            "mg_icf_free_mM",
        )
    }
    for ion, row in (("ca", m.CA_URINE), ("mg", m.MG_URINE), ("p", m.P_URINE)):
        out[f"urine_{ion}_mg"] = m.per_day_mg(result, row, ion)[-1]
    out["bone_ca_g"] = (
        (
            result.final_state[m.CA_BONE_SLOW]
            + result.final_state[m.CA_FAST]
            - result.initial_state[m.CA_FAST]
        )
        * 40.08
        / 1000.0
    )
    return out


def long_run(params: BodyParams, days: int, **diet_kw) -> m.SimulationResult:
    """``days`` on the reference diet (or its changes) from the settled healthy person."""
    return run(params, 24.0 * days, diet(days, **diet_kw), record_every_h=6.0)


def depleted_state(days: int = 21, mg_diet_mg: float = 10.0) -> m.SimulationResult:
    """``days`` of an almost Mg-free diet (Fatemi et al. 1991: < 1 mEq a day)."""
    return run(healthy(), 24.0 * days, diet(days, mg=mg_diet_mg), record_every_h=2.0)


def pth_change_after_iv_mg(y0, mmol: float = 10.0) -> float:
    """Relative PTH change 30 min after an IV Mg bolus (10 min), from state ``y0``."""
    series = run(
        healthy(),
        2.0,
        infusions=[Infusion.bolus("mg", mmol, 1.0, 10.0)],
        record_every_h=1 / 60,
        y0=restart(y0),
    ).series()
    return at(series, "pth_pmol_L", 1.5) / at(series, "pth_pmol_L", 1.0) - 1.0


def portale_phosphate(days: int = 10) -> dict[float, tuple[float, float]]:
    """Dietary P 500 mg/d (+ a binder, halving absorption), 1200 and 3000 mg/d for
    ``days`` (Portale et al. 1986): ``{P intake: (calcitriol, fasting-ish P)}``."""
    out = {}
    for intake in (500.0, 1200.0, 3000.0):
        p = healthy(p_absorption_factor=0.5) if intake == 500.0 else healthy()
        s = run(p, 24.0 * days, diet(days, p=intake), record_every_h=1.0).series()
        out[intake] = (
            day_mean(s, "calcitriol_pmol_L", days),
            at(s, "plasma_phosphate_mM", 24.0 * (days - 1) + 7.5),
        )
    return out


def refractory_hypocalcaemia(depletion_days: int = 42, ca_days: int = 14, mg_days: int = 14):
    """The classic sequence (Anast 1972; Rude 1976): weeks on an almost Mg-free diet, then
    1000 mg/d Ca supplement alone, then Mg added (300 mg/d as chloride).  Returns the
    daily means of serum Mg, ionised Ca and PTH, and the days the phases end."""
    days = depletion_days + ca_days + mg_days
    intakes = diet(days, mg=10.0)
    for day in range(depletion_days, days):
        intakes += [
            Intake(24.0 * day + 8.0, 500.0, 0.0, True),
            Intake(24.0 * day + 19.0, 500.0, 0.0, True),
        ]
    for day in range(depletion_days + ca_days, days):
        intakes += [
            Intake(24.0 * day + 11.0, 0.0, 150.0, False, mg_salt="chloride"),
            Intake(24.0 * day + 22.0, 0.0, 150.0, False, mg_salt="chloride"),
        ]
    s = run(healthy(), 24.0 * days, intakes, record_every_h=2.0).series()
    return {
        "mg": [day_mean(s, "plasma_mg_mM", d) for d in range(1, days + 1)],
        "ica": [day_mean(s, "plasma_ica_mM", d) for d in range(1, days + 1)],
        "pth": [day_mean(s, "pth_pmol_L", d) for d in range(1, days + 1)],
        "ends": (depletion_days, depletion_days + ca_days, days),
    }

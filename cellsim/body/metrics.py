"""What a user reads off a body run: the summary dict.

Naming (an interface other code relies on):

* ``*_per_dose``: a list, one entry per supplement dose in time order (diet
  meals excluded).  ``doses`` has the same entries with their day and time,
  and ``*_in_gut_at_end_mg`` (non-zero if the run ended before the dose left
  the gut, so that its absorption is still partial).
* ``*_per_day``: a list, one entry per simulated day (day 1 first); the last
  entry covers a partial day if the duration is not a whole number of days.
* ``ca_absorbed_mg`` / ``mg_absorbed_mg``: total over the run, diet + doses.
* ``*_fractional_absorption``: absorbed / (absorbed + passed to faeces), i.e.
  of the intake whose gut transit is complete (whole run).
* ``*_fractional_excretion``: urine / filtered load over the last day.
* ``plasma_ica_mM``, ``plasma_mg_mM``, ``pth_pmol_L``, ``calcitriol_pmol_L``:
  final value, with ``_min`` and ``_max`` over the run.
* ``mass_balance_error_mg``: the largest of four balances (Ca and Mg; gut:
  intake = absorbed + faecal + still in lumen; body: absorbed - urine -
  endogenous faecal loss = change of stores), in mg.
"""

from __future__ import annotations

import numpy as np

from cellsim.body import model as m
from cellsim.body.params import CA_MG_PER_MMOL, MG_MG_PER_MMOL


def summarise(result: m.SimulationResult) -> dict:
    """The summary dict of one simulation (JSON-serialisable)."""
    series = result.series()
    out: dict = {}
    out.update(_absorption(result))
    out.update(_urine(result))
    for key in (
        "plasma_ica_mM",
        "plasma_mg_mM",
        "pth_pmol_L",
        "calcitriol_pmol_L",
        "mg_icf_free_mM",
    ):
        values = series[key]
        out[key] = float(values[-1])
        out[f"{key}_min"] = float(values.min())
        out[f"{key}_max"] = float(values.max())
    out.update(mass_balance(result))
    out["bone_ca_change_mg"] = float(result.final_state[m.CA_BONE_SLOW] * CA_MG_PER_MMOL)
    out["bone_mg_change_mg"] = float(result.final_state[m.MG_BONE_SLOW] * MG_MG_PER_MMOL)
    out["days_simulated"] = float(result.time_h[-1] / 24.0)
    return out


def _per_day(result: m.SimulationResult, row: int, mg_per_mmol: float) -> list[float]:
    return [float(v) for v in np.diff(result.day_totals[:, row]) * mg_per_mmol]


def _absorption(result: m.SimulationResult) -> dict:
    doses = [k for k, i in enumerate(result.intakes) if i.kind == "dose"]
    entries = []
    for k in doses:
        intake = result.intakes[k]
        day, clock_h = divmod(intake.time_h, 24.0)
        entries.append(
            {
                "day": int(day) + 1,
                "time": f"{int(clock_h):02d}:{round(clock_h % 1 * 60):02d}",
                "time_h": intake.time_h,
                "dose_index": intake.dose_index,
                "ca_mg": intake.ca_mg,
                "mg_mg": intake.mg_mg,
                "with_food": intake.with_food,
                "ca_absorbed_mg": float(result.ca_absorbed_mg[k]),
                "mg_absorbed_mg": float(result.mg_absorbed_mg[k]),
                # > 0 when the run ended before the dose left the gut: absorption is partial
                "ca_in_gut_at_end_mg": float(result.ca_in_gut_at_end_mg[k]),
                "mg_in_gut_at_end_mg": float(result.mg_in_gut_at_end_mg[k]),
            }
        )
    final = result.final_state
    ca_abs, mg_abs = final[m.CA_ABS], final[m.MG_ABS]
    return {
        "doses": entries,
        "ca_absorbed_mg_per_dose": [e["ca_absorbed_mg"] for e in entries],
        "mg_absorbed_mg_per_dose": [e["mg_absorbed_mg"] for e in entries],
        "ca_absorbed_mg_per_day": _per_day(result, m.CA_ABS, CA_MG_PER_MMOL),
        "mg_absorbed_mg_per_day": _per_day(result, m.MG_ABS, MG_MG_PER_MMOL),
        "ca_intake_mg_per_day": _intake_per_day(result, "ca_mg"),
        "mg_intake_mg_per_day": _intake_per_day(result, "mg_mg"),
        "ca_absorbed_mg": float(ca_abs * CA_MG_PER_MMOL),
        "mg_absorbed_mg": float(mg_abs * MG_MG_PER_MMOL),
        "ca_fractional_absorption": _ratio(ca_abs, ca_abs + final[m.CA_UNABS]),
        "mg_fractional_absorption": _ratio(mg_abs, mg_abs + final[m.MG_UNABS]),
    }


def _intake_per_day(result: m.SimulationResult, attr: str) -> list[float]:
    n_days = len(result.day_totals) - 1
    totals = [0.0] * n_days
    for intake in result.intakes:
        day = min(int(intake.time_h // 24.0), n_days - 1)
        totals[day] += getattr(intake, attr)
    return totals


def _urine(result: m.SimulationResult) -> dict:
    days = result.day_totals
    last = days[-1] - days[-2]
    return {
        "urine_ca_mg_per_day": _per_day(result, m.CA_URINE, CA_MG_PER_MMOL),
        "urine_mg_mg_per_day": _per_day(result, m.MG_URINE, MG_MG_PER_MMOL),
        "urine_ca_mg_total": float(result.final_state[m.CA_URINE] * CA_MG_PER_MMOL),
        "urine_mg_mg_total": float(result.final_state[m.MG_URINE] * MG_MG_PER_MMOL),
        "ca_fractional_excretion": _ratio(last[m.CA_URINE], last[m.CA_FILT]),
        "mg_fractional_excretion": _ratio(last[m.MG_URINE], last[m.MG_FILT]),
    }


def _ratio(a: float, b: float) -> float:
    return float(a / b) if b > 0 else float("nan")


def mass_balance(result: m.SimulationResult) -> dict:
    """Gut and body mass balances for Ca and Mg, in mg (should be ~0)."""
    start, end, p = result.initial_state, result.final_state, result.params
    ca0, mg0 = m.body_stores_mmol(start, p)
    ca1, mg1 = m.body_stores_mmol(end, p)
    ca_in = sum(i.ca_mg for i in result.intakes) / CA_MG_PER_MMOL
    mg_in = sum(i.mg_mg for i in result.intakes) / MG_MG_PER_MMOL
    gut_ca = ca_in + start[m.CA_LUMEN] - end[m.CA_LUMEN] - end[m.CA_ABS] - end[m.CA_UNABS]
    gut_mg = mg_in + start[m.MG_LUMEN] - end[m.MG_LUMEN] - end[m.MG_ABS] - end[m.MG_UNABS]
    body_ca = (ca1 - ca0) - (end[m.CA_ABS] - end[m.CA_URINE] - end[m.CA_ENDO])
    body_mg = (mg1 - mg0) - (end[m.MG_ABS] - end[m.MG_URINE] - end[m.MG_ENDO])
    errors = {
        "gut_ca_mg": float(gut_ca * CA_MG_PER_MMOL),
        "gut_mg_mg": float(gut_mg * MG_MG_PER_MMOL),
        "body_ca_mg": float(body_ca * CA_MG_PER_MMOL),
        "body_mg_mg": float(body_mg * MG_MG_PER_MMOL),
    }
    return {"mass_balance": errors, "mass_balance_error_mg": max(abs(v) for v in errors.values())}

"""What a user reads off a body run: the summary dict (arrays in, numbers out).

Naming (an interface other code relies on):

* ``doses``: one entry per supplement dose in time order (diet meals excluded): its day,
  time, amounts, salt and **marginal absorption** -- the run with the dose minus the run
  without it, over the 24 h after it (``ca_absorbed_mg``, ``mg_absorbed_mg``; what of the
  difference was still in the gut when the window or the run ended:
  ``*_in_gut_at_end_mg``).  Because it is a difference of whole-body runs, it includes
  what the dose changed in the absorption of the meals beside it, so per-dose and
  whole-day figures agree.  ``*_absorbed_mg_per_dose`` are the same numbers as lists.
* ``dose_entries``: the same, averaged per ``[[protocol.doses]]`` entry, each with a
  one-line ``text`` (what the command line prints).
* ``*_per_day``: one entry per simulated day (day 1 first); the last covers a partial day
  if the duration is not a whole number of days.
* ``ca_absorbed_mg`` / ``mg_absorbed_mg`` / ``p_absorbed_mg``: total over the run.
* ``*_fractional_absorption``: absorbed / (absorbed + passed to faeces), of the intake
  whose transit is complete.
* ``*_fractional_excretion``: urine / filtered load over the last day.
* ``plasma_ica_mM``, ``plasma_mg_mM``, ``plasma_phosphate_mM``, ``pth_pmol_L``,
  ``calcitriol_pmol_L``, ``mg_icf_free_mM``, ``mg_csf_mM``: final value, with ``_min`` and
  ``_max`` over the run.
* ``mass_balance_error_mg``: the largest of the gut and body balances of Ca, Mg and P
  (intake = absorbed + faecal + still in the gut; absorbed + IV + clamp - urine -
  endogenous faecal = change of stores), in mg.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from cellsim.body import model as m
from cellsim.body.params import CA_MG_PER_MMOL, MG_MG_PER_MMOL, P_MG_PER_MMOL

_FINAL_MIN_MAX = (
    "plasma_ica_mM",
    "plasma_ca_total_mM",
    "plasma_mg_mM",
    "plasma_img_mM",
    "plasma_phosphate_mM",
    "pth_pmol_L",
    "calcitriol_pmol_L",
    "mg_icf_free_mM",
    "mg_csf_mM",
)


def summarise(result: m.SimulationResult, marginals: Sequence[Mapping] | None = None) -> dict:
    """The summary dict of one simulation (JSON-serialisable).

    Parameters
    ----------
    result
        The run.
    marginals
        Per dose (in time order), ``{"ca_mg", "mg_mg", "ca_in_gut_mg", "mg_in_gut_mg",
        "window_h"}`` from :func:`cellsim.body.model.dose_marginals`; ``None`` when they were
        not worked out.
    """
    series = result.series()
    out: dict = {}
    out.update(absorption(result, marginals))
    out.update(urine(result))
    for key in _FINAL_MIN_MAX:
        values = np.asarray(series[key])
        out[key] = float(values[-1])
        out[f"{key}_min"] = float(values.min())
        out[f"{key}_max"] = float(values.max())
    out.update(mass_balance(result))
    final = result.final_state
    out["bone_ca_change_mg"] = float(final[m.CA_BONE_SLOW] * CA_MG_PER_MMOL)
    out["bone_mg_change_mg"] = float(final[m.MG_BONE_SLOW] * MG_MG_PER_MMOL)
    out["ca_bone_fast_change_mg"] = float(
        (final[m.CA_FAST] - result.initial_state[m.CA_FAST]) * CA_MG_PER_MMOL
    )
    out["mg_cells_change_mg"] = float(
        (final[m.MG_ICF] - result.initial_state[m.MG_ICF]) * MG_MG_PER_MMOL
    )
    out["ca_iv_mg"] = float(result.total(m.CA_IV) * CA_MG_PER_MMOL)
    out["mg_iv_mg"] = float(result.total(m.MG_IV) * MG_MG_PER_MMOL)
    out["ca_clamp_mg"] = float(result.total(m.CA_CLAMP) * CA_MG_PER_MMOL)
    out["mg_clamp_mg"] = float(result.total(m.MG_CLAMP) * MG_MG_PER_MMOL)
    out["days_simulated"] = float(result.time_h[-1] / 24.0)
    return out


def _clock(time_h: float) -> tuple[int, str]:
    day, clock_h = divmod(time_h, 24.0)
    minutes = round(clock_h * 60.0)
    return int(day) + 1, f"{minutes // 60:02d}:{minutes % 60:02d}"


def absorption(result: m.SimulationResult, marginals: Sequence[Mapping] | None) -> dict:
    """Per-dose (marginal), per-day and whole-run absorption."""
    doses = [i for i in result.intakes if i.kind == "dose"]
    entries = []
    for k, intake in enumerate(doses):
        day, clock = _clock(intake.time_h)
        entry = {
            "day": day,
            "time": clock,
            "time_h": intake.time_h,
            "dose_index": intake.dose_index,
            "ca_mg": intake.ca_mg,
            "mg_mg": intake.mg_mg,
            "salt": intake.mg_salt,
            "with_food": intake.with_food,
        }
        if marginals is not None:
            mk = marginals[k]
            entry.update(
                ca_absorbed_mg=float(mk["ca_mg"]),
                mg_absorbed_mg=float(mk["mg_mg"]),
                ca_in_gut_at_end_mg=float(mk["ca_in_gut_mg"]),
                mg_in_gut_at_end_mg=float(mk["mg_in_gut_mg"]),
                window_h=float(mk["window_h"]),
            )
        entries.append(entry)
    final, start = result.final_state, result.initial_state
    totals = {
        ion: final[row] - start[row]
        for ion, row in (("ca", m.CA_ABS), ("mg", m.MG_ABS), ("p", m.P_ABS))
    }
    unabsorbed = {
        ion: final[row] - start[row]
        for ion, row in (("ca", m.CA_UNABS), ("mg", m.MG_UNABS), ("p", m.P_UNABS))
    }
    out = {
        "doses": entries,
        "dose_entries": dose_entries(entries),
        "ca_absorbed_mg_per_dose": [e.get("ca_absorbed_mg") for e in entries],
        "mg_absorbed_mg_per_dose": [e.get("mg_absorbed_mg") for e in entries],
        "ca_absorbed_mg_per_day": m.per_day_mg(result, m.CA_ABS, "ca"),
        "mg_absorbed_mg_per_day": m.per_day_mg(result, m.MG_ABS, "mg"),
        "p_absorbed_mg_per_day": m.per_day_mg(result, m.P_ABS, "p"),
        "ca_intake_mg_per_day": _intake_per_day(result, "ca_mg"),
        "mg_intake_mg_per_day": _intake_per_day(result, "mg_mg"),
        "ca_absorbed_mg": float(totals["ca"] * CA_MG_PER_MMOL),
        "mg_absorbed_mg": float(totals["mg"] * MG_MG_PER_MMOL),
        "p_absorbed_mg": float(totals["p"] * P_MG_PER_MMOL),
    }
    for ion in ("ca", "mg", "p"):
        out[f"{ion}_fractional_absorption"] = _ratio(totals[ion], totals[ion] + unabsorbed[ion])
    return out


def dose_entries(doses: Sequence[Mapping]) -> list[dict]:
    """The doses averaged per protocol entry, each with a one-line ``text``."""
    by_entry: dict[int, list[Mapping]] = {}
    for d in doses:
        by_entry.setdefault(d["dose_index"], []).append(d)
    out = []
    for index, group in sorted(by_entry.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)):
        first = group[0]
        days = [d["day"] for d in group]
        span = f"day {days[0]}" if len(days) == 1 else f"days {days[0]}-{days[-1]}"
        what = " + ".join(
            f"{first[k]:g} mg {name}" for k, name in (("ca_mg", "Ca"), ("mg_mg", "Mg")) if first[k]
        )
        if first["mg_mg"]:
            what += f" ({first['salt']})"
        entry = {
            "dose_index": index,
            "time": first["time"],
            "days": days,
            "n": len(group),
            "ca_mg": first["ca_mg"],
            "mg_mg": first["mg_mg"],
            "salt": first["salt"],
        }
        absorbed = []
        # a dose the run's end cut short would pull the mean down: average whole windows
        whole = [d for d in group if d.get("window_h", 0.0) >= m.MARGINAL_WINDOW_H - 1e-6]
        for key, name, amount in (
            ("ca_absorbed_mg", "Ca", "ca_mg"),
            ("mg_absorbed_mg", "Mg", "mg_mg"),
        ):
            values = [d[key] for d in (whole or group) if d.get(key) is not None]
            if first[amount] and values:
                mean = float(np.mean(values))
                entry[f"mean_{key}"] = mean
                absorbed.append(f"{name} {mean:.0f} mg ({100 * mean / first[amount]:.0f} %)")
        food = "with food" if first["with_food"] else "fasting"
        text = f"dose {index + 1 if index is not None else '?'}: {first['time']} {span}, {what}, "
        text += food
        text += "; absorbed per dose: " + ", ".join(absorbed) if absorbed else ""
        entry["text"] = text
        out.append(entry)
    return out


def _intake_per_day(result: m.SimulationResult, attr: str) -> list[float]:
    n_days = len(result.day_totals) - 1
    totals = [0.0] * n_days
    for intake in result.intakes:
        day = min(int(intake.time_h // 24.0), n_days - 1)
        totals[day] += getattr(intake, attr)
    return totals


def urine(result: m.SimulationResult) -> dict:
    """Urinary Ca, Mg and P per day; fractional excretion over the last day."""
    days = result.day_totals
    last = days[-1] - days[-2]
    return {
        "urine_ca_mg_per_day": m.per_day_mg(result, m.CA_URINE, "ca"),
        "urine_mg_mg_per_day": m.per_day_mg(result, m.MG_URINE, "mg"),
        "urine_p_mg_per_day": m.per_day_mg(result, m.P_URINE, "p"),
        "urine_ca_mg_total": float(result.total(m.CA_URINE) * CA_MG_PER_MMOL),
        "urine_mg_mg_total": float(result.total(m.MG_URINE) * MG_MG_PER_MMOL),
        "ca_fractional_excretion": _ratio(last[m.CA_URINE], last[m.CA_FILT]),
        "mg_fractional_excretion": _ratio(last[m.MG_URINE], last[m.MG_FILT]),
        "p_fractional_excretion": _ratio(last[m.P_URINE], last[m.P_FILT]),
    }


def _ratio(a: float, b: float) -> float:
    return float(a / b) if b > 0 else float("nan")


def mass_balance(result: m.SimulationResult) -> dict:
    """Gut and body mass balances of Ca, Mg and P, in mg (zero up to solver precision)."""
    start, end = result.initial_state, result.final_state
    before, after = m.body_stores_mmol(start), m.body_stores_mmol(end)
    rows = {
        "ca": (m.CA_ABS, m.CA_UNABS, m.CA_URINE, m.CA_ENDO, m.CA_IV, m.CA_CLAMP),
        "mg": (m.MG_ABS, m.MG_UNABS, m.MG_URINE, m.MG_ENDO, m.MG_IV, m.MG_CLAMP),
        "p": (m.P_ABS, m.P_UNABS, m.P_URINE, None, None, None),
    }
    errors = {}
    for ion, (absorbed, unabsorbed, urine_row, endo, iv, clamp) in rows.items():
        w = m.MG_PER_MMOL[ion]
        intake = sum(getattr(i, f"{ion}_mg") for i in result.intakes) / w

        def moved(row, ion_start=start, ion_end=end):
            return 0.0 if row is None else ion_end[row] - ion_start[row]

        gut = (
            intake
            + m.lumen_mmol(start, ion)
            - m.lumen_mmol(end, ion)
            - moved(absorbed)
            - moved(unabsorbed)
        )
        body = (after[ion] - before[ion]) - (
            moved(absorbed) + moved(iv) + moved(clamp) - moved(urine_row) - moved(endo)
        )
        errors[f"gut_{ion}_mg"] = float(gut * w)
        errors[f"body_{ion}_mg"] = float(body * w)
    return {"mass_balance": errors, "mass_balance_error_mg": max(abs(v) for v in errors.values())}


def _alternatives(entries: Sequence[Mapping], ion: str) -> list[Mapping]:
    """Dose regimens of ``ion`` taken on different days (a week of one, then the other)."""
    key = f"mean_{ion}_absorbed_mg"
    chosen = [e for e in entries if e.get(key) is not None and e[f"{ion}_mg"] > 0]
    days = [set(e["days"]) for e in chosen]
    disjoint = all(not (a & b) for k, a in enumerate(days) for b in days[k + 1 :])
    return chosen if len(chosen) >= 2 and disjoint else []


def _regimen(entry: Mapping) -> str:
    what = " + ".join(
        f"{entry[k]:g} mg {n}" for k, n in (("ca_mg", "Ca"), ("mg_mg", "Mg")) if entry[k]
    )
    return f"{what} at {entry['time']}"


def takeaway(summary: Mapping) -> str:
    """One line that says what the run shows, computed from its summary.

    In order of what a run is about: dose regimens taken on different days (their marginal
    absorption per dose side by side, and the other competition variant if it was run); a
    disease or drug preset (plasma, PTH, urine first day against last); infusions and
    clamps (the ranges they caused); hand-offs (ionised Ca and Mg at each); otherwise how
    far plasma and cell Mg moved.
    """
    entries = [e for e in summary.get("dose_entries", []) if "text" in e]
    days = summary.get("days_simulated", 0.0)
    for ion, name in (("mg", "Mg"), ("ca", "Ca")):
        measured = _alternatives(entries, ion)
        if measured:
            parts = [f"{_regimen(e)}: {e[f'mean_{ion}_absorbed_mg']:.0f} mg" for e in measured]
            text = f"{name} absorbed per dose -- " + "; ".join(parts[:3])
            compared = summary.get("competition_comparison") or {}
            other = next((v for v in compared if v != summary.get("competition")), None)
            mine = summary.get(f"{ion}_absorbed_mg", 0.0)
            if other and mine > 0:
                change = 100 * (compared[other].get(f"{ion}_absorbed_mg", 0.0) / mine - 1)
                text += f" ('{other}' competition: {change:+.0f} % over the run)"
            return text
    ica0, ica1 = summary.get("plasma_ica_mM_min"), summary.get("plasma_ica_mM")
    mg_lo, mg1 = summary.get("plasma_mg_mM_min"), summary.get("plasma_mg_mM")
    urine_ca = summary.get("urine_ca_mg_per_day") or [float("nan")]
    urine_mg = summary.get("urine_mg_mg_per_day") or [float("nan")]
    preset = summary.get("preset", "healthy")
    if preset != "healthy":
        return (
            f"{preset.replace('_', ' ')}, day {days:.0f}: ionised Ca {ica1:.2f} mM, serum Mg "
            f"{mg1:.2f} mM, PTH {summary.get('pth_pmol_L', float('nan')):.1f} pmol/L; urine "
            f"Ca {urine_ca[0]:.0f} -> {urine_ca[-1]:.0f}, Mg {urine_mg[0]:.0f} -> "
            f"{urine_mg[-1]:.0f} mg/day (day 1 -> last)"
        )
    spans = summary.get("protocol_spans", [])
    if spans:
        names = " and ".join(dict.fromkeys(s["name"] for s in spans))
        text = (
            f"{names}: serum Mg {mg_lo:.2f}-{summary['plasma_mg_mM_max']:.2f} mM, ionised Ca "
            f"{ica0:.2f}-{summary['plasma_ica_mM_max']:.2f} mM, PTH "
            f"{summary['pth_pmol_L_min']:.1f}-{summary['pth_pmol_L_max']:.1f} pmol/L"
        )
        if any(s["ion"] == "mg" for s in spans) and "mg_csf_mM_max" in summary:
            text += f", CSF Mg at most {summary['mg_csf_mM_max']:.2f} mM"
        return text
    at = summary.get("handoff_plasma", [])
    if at:
        parts = [
            f"{h['label'].replace('_', ' ')} iCa {h['ica_mM']:.2f}, Mg {h['mg_mM']:.2f}, cell "
            f"Mg {h['mg_free_mM']:.2f}"
            for h in at
        ]
        parts = list(dict.fromkeys(parts))[:3]  # a hand-off to two runs is one moment
        return "at the hand-offs (mM): " + "; ".join(parts)
    return (
        f"over {days:.0f} days: ionised Ca {ica1:.2f} mM (lowest {ica0:.2f}), serum Mg "
        f"{mg1:.2f} mM (lowest {mg_lo:.2f}), cell free Mg {summary['mg_icf_free_mM']:.3f} mM"
    )

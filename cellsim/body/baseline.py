"""The fixed healthy reference: feedback normalisations, closure constants, start state.

Computed **once per process** from the healthy parameter set and cached here (its daily
absorption, the one part that integrates, also on disk beside the settled state); every run
is evaluated against it, whatever its overrides or preset.  A disease or a drug is then a
change of parameters against a fixed reference (primary hyperparathyroidism raises PTH and
its effects), never a new normal that the feedbacks re-normalise to.

What it holds (:class:`Reference`):

* the reference concentrations (iCa, total Mg, phosphate, PTH, calcitriol) and the value
  of every feedback term there (Brown's release, PTH action, the hydroxylase drive, the
  tissue Mg sensitivity, the Mg-depletion block);
* the parathyroid store, synthesis and rate constants that make the reference PTH a
  steady state;
* three *closure constants* that make the reference diet (``ref_diet_*``: 1000 mg Ca,
  320 mg Mg, 1200 mg P in three meals) a steady state at the reference concentrations:
  the PTH-dependent slope of distal Ca reabsorption, the distal Mg threshold and
  TmP/GFR.  Each is solved from the daily gut absorption of that diet, so the kidney
  excretes what the gut absorbs minus the endogenous faecal losses.

The start state of every run (:func:`settled_state`) is the healthy person at midnight on
the daily cycle of the reference diet: the periodic orbit, solved for so that a healthy
run does not drift.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy.integrate import solve_ivp

from cellsim.body import model as m
from cellsim.body.params import CA_MG_PER_MMOL, MG_MG_PER_MMOL, PARAMETER_SETS, BodyParams
from cellsim.body.protocol import meals
from cellsim.errors import ModelError

#: Days on the reference diet before the periodic state is solved for (the fast pools
#: settle in them; the slow ones are solved for, see :func:`periodic_state`).
PRE_DAYS = 10
MEAL_TIMES_H = (8.0, 13.0, 19.0)


@dataclass(frozen=True)
class Reference:
    """The healthy reference state: values, feedback normalisations, closure constants."""

    ca_total_mM: float
    ica_mM: float
    mg_total_mM: float
    img_mM: float
    p_mM: float
    pth_pmol_L: float
    calcitriol_pmol_L: float
    action: float
    tissue_sensitivity: float
    mg_block_mM: float
    brown_release: float
    hydroxylase_drive: float
    pth_k_release_per_h: float
    pth_k_degrade_per_h: float
    pth_store: float
    pth_synthesis: float
    ca_dct_pth_slope: float
    mg_dct_threshold: float
    p_tmp_gfr_mM: float
    mg_tal_delivered: float
    absorbed_mmol_per_day: tuple[float, float, float]
    urine_mmol_per_day: tuple[float, float, float]


def daily_absorption_mmol(p: BodyParams) -> tuple[float, float, float]:
    """Ca, Mg and P absorbed per day on the reference diet at reference gut capacity.

    The gut alone is integrated over four days of three meals (absorption does not feed
    back on the lumen), and the fourth day is taken.
    """
    diet = meals(
        p.ref_diet_ca_mg_per_day, p.ref_diet_mg_mg_per_day, MEAL_TIMES_H, 4, p.ref_diet_p_mg_per_day
    )
    y = np.zeros(m.N_STATES)
    y[m.GUT_CAP] = y[m.MG_ADAPT] = 1.0
    fed = m.fed_windows(diet, p)
    points = sorted({0.0, 72.0, 96.0, *(i.time_h for i in diet), *(b for _, b in fed)})
    lumen = np.zeros(11)  # eight lumen rows, then Ca, Mg, P absorbed

    def rhs(t, z, fed_now):
        y[:8] = z[:8]
        g = m.gut_flows(y, p, fed_now)
        return [
            *m.gut_derivatives(y, g, p),
            g.ca_transcellular + g.ca_paracellular,
            g.mg_saturable + g.mg_paracellular,
            g.p_absorbed,
        ]

    taken, at_72 = 0, None
    for a, b in itertools.pairwise(points):
        while taken < len(diet) and diet[taken].time_h <= a + 1e-9:
            bolus = np.zeros(m.N_STATES)
            m.give(bolus, diet[taken])
            lumen[:8] += bolus[:8]
            taken += 1
        fed_now = any(s <= 0.5 * (a + b) < e for s, e in fed)
        sol = solve_ivp(rhs, (a, b), lumen, args=(fed_now,), method="LSODA", rtol=1e-9, atol=1e-12)
        lumen = sol.y[:, -1].copy()
        if abs(b - 72.0) < 1e-9:
            at_72 = lumen[8:].copy()
    ca, mg, ph = lumen[8:] - at_72
    return float(ca), float(mg), float(ph)


@lru_cache(maxsize=8)
def make_reference(p: BodyParams) -> Reference:
    """The reference of a healthy parameter set (cached: computed once per process)."""
    ca_total = p.ca_total_ref_mM
    ica = ca_total * p.ca_ionised_fraction
    mg_total = p.mg_total_ref_mM
    img = mg_total * p.mg_ionised_fraction
    action = m.pth_occupancy(1.0, p.pth_effect_ec50_rel)  # tissue sensitivity 1 by definition
    # parathyroid: the store and synthesis that hold the reference PTH
    k_release = p.pth_store_release_per_h
    k_degrade = p.pth_intracellular_degradation_ratio * k_release
    k_clear = math.log(2.0) / (p.pth_half_life_min / 60.0)
    store = k_clear * p.pth_ref_pmol_L / k_release
    drive = p.hydroxylase_basal_fraction + (1.0 - p.hydroxylase_basal_fraction) * m.pth_occupancy(
        1.0, p.hydroxylase_pth_ec50_rel
    )
    # closure: the kidney excretes what the gut absorbs on the reference diet
    # four days of the gut alone (~0.05 s): kept on disk like the settled state
    absorbed = tuple(float(v) for v in _kept("absorbed", p, 3, lambda: daily_absorption_mmol(p)))
    endo_ca = p.ca_endogenous_faecal_mg_per_day / CA_MG_PER_MMOL
    endo_mg = p.mg_endogenous_faecal_mg_per_day / MG_MG_PER_MMOL
    urine = (absorbed[0] - endo_ca, absorbed[1] - endo_mg, absorbed[2])
    if min(urine) <= 0:
        raise ValueError(
            "the reference diet is absorbed less than the endogenous faecal losses: no "
            f"steady state (urine would be {urine} mmol/d)"
        )
    gfr = m.gfr_L_per_h(p)
    signal = ica + p.casr_mg_potency * img
    tal_open = 1.0 / (1.0 + (signal / p.casr_k_mM) ** p.casr_hill)
    # Ca: the distal fraction reabsorbed at reference, and its slope with PTH action
    to_tal = gfr * ca_total * p.ca_ultrafilterable_fraction * (1.0 - p.ca_pt_fraction)
    to_dct = to_tal * (1.0 - p.ca_tal_max_fraction * tal_open)
    dct_fraction = 1.0 - (urine[0] / 24.0) / to_dct
    basal = p.ca_dct_max_fraction * (1.0 - p.ca_dct_pth_span)
    slope = (dct_fraction - basal) / action
    # Mg: the distal threshold that excretes the reference urine
    to_tal_mg = gfr * mg_total * p.mg_ultrafilterable_fraction * (1.0 - p.mg_pt_fraction)
    to_dct_mg = to_tal_mg * (1.0 - p.mg_tal_max_fraction * tal_open)
    share = (urine[1] / 24.0) / to_dct_mg  # = x^h / (1 + x^h)
    threshold = to_dct_mg / (share / (1.0 - share)) ** (1.0 / p.mg_dct_hill)
    # P: TmP/GFR that excretes the reference urine
    s = p.p_threshold_softness_mM
    need = (urine[2] / 24.0) / (gfr * p.p_ultrafilterable_fraction)
    tmp = p.p_ref_mM - s * math.log(math.expm1(need / s))
    return Reference(
        ca_total_mM=ca_total,
        ica_mM=ica,
        mg_total_mM=mg_total,
        img_mM=img,
        p_mM=p.p_ref_mM,
        pth_pmol_L=p.pth_ref_pmol_L,
        calcitriol_pmol_L=p.calcitriol_ref_pmol_L,
        action=action,
        tissue_sensitivity=m.tissue_mg_sensitivity(1.0, p),
        mg_block_mM=m.mg_depletion_block_mM(1.0, p),
        brown_release=m.brown_release(ica, p),
        hydroxylase_drive=drive,
        pth_k_release_per_h=k_release,
        pth_k_degrade_per_h=k_degrade,
        pth_store=store,
        pth_synthesis=(k_release + k_degrade) * store,
        ca_dct_pth_slope=slope,
        mg_dct_threshold=threshold,
        p_tmp_gfr_mM=tmp,
        mg_tal_delivered=to_tal_mg,
        absorbed_mmol_per_day=absorbed,
        urine_mmol_per_day=urine,
    )


def healthy_params(p: BodyParams) -> BodyParams:
    """The healthy parameter set ``p`` was derived from (by name)."""
    return PARAMETER_SETS.get(p.name, PARAMETER_SETS["human_default"])


def reference_for(p: BodyParams) -> Reference:
    """The fixed reference of ``p``'s healthy parameter set (never of ``p`` itself)."""
    return make_reference(healthy_params(p))


def reference_state(p: BodyParams, ref: Reference) -> np.ndarray:
    """A state at the reference values, every pool in equilibrium with them."""
    y = np.zeros(m.N_STATES)
    vd_ca, vd_mg, vd_p = m.distribution_volumes_L(p)
    y[m.CA_ECF] = ref.ca_total_mM * vd_ca
    y[m.MG_ECF] = ref.mg_total_mM * vd_mg
    y[m.P_ECF] = ref.p_mM * vd_p
    y[m.CA_FAST] = p.ca_bone_fast_pool_mmol
    y[m.MG_FAST] = p.mg_bone_surface_pool_mmol
    y[m.OC] = y[m.OB] = 1.0
    y[m.MG_ICF] = p.mg_icf_exchangeable_mmol
    y[m.MG_FREE] = p.mg_free_ref_mM
    y[m.MG_PT] = 1.0
    y[m.PTH_STORE] = ref.pth_store
    y[m.PTH] = ref.pth_pmol_L
    y[m.PTH_SYN] = y[m.HYDROX] = y[m.GUT_CAP] = y[m.MG_ADAPT] = 1.0
    y[m.CALCITRIOL] = ref.calcitriol_pmol_L
    y[m.MG_CSF] = p.mg_csf_ionised_ref_mM
    return y


def _one_day_map(p: BodyParams, ref: Reference):
    """y -> the state 24 h later on the reference diet (cumulative rows zeroed)."""
    day = meals(
        p.ref_diet_ca_mg_per_day, p.ref_diet_mg_mg_per_day, MEAL_TIMES_H, 1, p.ref_diet_p_mg_per_day
    )

    def advance(y: np.ndarray) -> np.ndarray:
        out = m.simulate(p, day, 24.0, y0=y, ref=ref, record_every_h=24.0).final_state
        out[m.CUMULATIVE] = 0.0
        return out

    return advance


def periodic_state(p: BodyParams, ref: Reference) -> np.ndarray:
    """The midnight state of the daily cycle on the reference diet (the periodic orbit).

    :data:`PRE_DAYS` days from :func:`reference_state` let the fast pools settle; Newton's
    method (Krylov, matrix-free) then solves ``advance(y) = y`` for the dynamic states,
    so the slow pools (remodelling, cell Mg, cell phosphate) start exactly where the daily
    cycle leaves them: a healthy run shows no drift at all.  This costs about 40 simulated
    days, against several hundred for settling by brute force to the same precision.
    """
    from scipy.optimize import root

    advance = _one_day_map(p, ref)
    diet = meals(
        p.ref_diet_ca_mg_per_day,
        p.ref_diet_mg_mg_per_day,
        MEAL_TIMES_H,
        PRE_DAYS,
        p.ref_diet_p_mg_per_day,
    )
    y = m.simulate(
        p,
        diet,
        PRE_DAYS * 24.0,
        y0=reference_state(p, ref),
        ref=ref,
        record_every_h=24.0 * PRE_DAYS,
    ).final_state
    y[m.CUMULATIVE] = 0.0
    n = m.N_DYNAMIC
    scale = np.maximum(np.abs(y[:n]), 1e-2)

    def residual(z: np.ndarray) -> np.ndarray:
        trial = y.copy()
        trial[:n] = z * scale
        return (advance(trial)[:n] - trial[:n]) / scale

    solution = root(
        residual,
        y[:n] / scale,
        method="krylov",
        options={"fatol": 1e-7, "maxiter": 40, "jac_options": {"rdiff": 1e-5}},
    )
    if not solution.success:
        raise ModelError(
            "body model: the healthy reference state did not settle on the reference diet "
            f"({solution.message}); check the parameter set."
        )
    y[:n] = solution.x * scale
    return y


def _cache_file(p: BodyParams, kind: str = "settled") -> Path:
    """Where a result of ``p`` is kept between processes (keyed by the model's source)."""
    h = hashlib.sha256(repr(p).encode())
    for name in ("model.py", "baseline.py", "params.py", "protocol.py"):
        h.update((Path(__file__).parent / name).read_bytes())
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "cellsim" / "body" / f"{kind}_{h.hexdigest()[:16]}.npy"


def _kept(kind: str, p: BodyParams, size: int, compute) -> np.ndarray:
    """``compute()`` (an array of ``size`` floats), kept in the user's cache directory so
    that a new process reads it instead of working it out again."""
    path = _cache_file(p, kind)
    try:
        y = np.load(path)
        if y.shape == (size,) and np.all(np.isfinite(y)):
            return y
    except (OSError, ValueError):
        pass
    y = np.asarray(compute(), dtype=float)
    try:  # a cache: failing to keep it costs time, never a result
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
        np.save(tmp, y)
        os.replace(tmp, path)
    except OSError:
        pass
    return y


@lru_cache(maxsize=8)
def _settled(p: BodyParams) -> np.ndarray:
    y = _kept("settled", p, m.N_STATES, lambda: periodic_state(p, make_reference(p)))
    y.flags.writeable = False
    return y


def settled_state(p: BodyParams) -> np.ndarray:
    """The healthy person of ``p``'s parameter set at midnight, settled on the reference
    diet: the start state of every run (a copy).

    Computed once (:func:`periodic_state`, ~2 s), kept in this process and in the user's
    cache directory (``$XDG_CACHE_HOME/cellsim/body``), keyed by the parameter set and the
    model's source, so a changed model can never start from a stale state.
    """
    return _settled(healthy_params(p)).copy()

"""Whole-body Ca/Mg compartment model: the ODE system and its integration.

State vector (amounts in mmol unless named otherwise; time in hours)::

    0  ca_lumen            Ca in the gut lumen
    1  mg_lumen            Mg in the gut lumen
    2  ca_ecf              total Ca in extracellular fluid (plasma + interstitium)
    3  mg_ecf              total Mg in extracellular fluid
    4  ca_bone_fast        exchangeable bone-surface Ca
    5  mg_bone_fast        exchangeable bone-surface Mg
    6  ca_bone_slow_delta  change of mineralised bone Ca since the start
    7  mg_bone_slow_delta  change of mineralised bone Mg since the start
    8  mg_icf_free_mM      intracellular free Mg (mM; exchangeable cell Mg =
                           capacity x this)
    9  pth_pmol_L          plasma intact PTH
    10 calcitriol_pmol_L   plasma 1,25(OH)2D
    11-20                  running integrals within one segment: Ca/Mg absorbed,
                           urine, unabsorbed faecal, endogenous faecal, filtered

Slow bone pools are stored as changes (rows 6-7), and the running integrals are
reset at every segment, so that the solver's relative tolerance acts on small
numbers and the mass balance closes to ~1e-9 of the intake.

Doses and meals are boluses: the run is split at every intake (and at the end
of every fed period, every midnight and every check time), the bolus is added
to the lumen between two ``solve_ivp`` calls, so the adaptive stepper can never
step over a short dose.

Solver: ``LSODA``.  The system is stiff (PTH clears with a 3-min half-life,
bone and cell Mg move over days to weeks) but quiet between meals; LSODA
switches between non-stiff Adams and stiff BDF by itself and needs no Jacobian.
PTH is kept as a true ODE state (no quasi-steady-state), so its 3-min clearance
is part of the model and testable (:func:`pth_clearance`).

Each physiological process is one function below; :func:`rhs` only adds them.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from scipy.integrate import solve_ivp

from cellsim.body.params import CA_MG_PER_MMOL, MG_MG_PER_MMOL, BodyParams, check_physical
from cellsim.body.protocol import Intake
from cellsim.errors import ModelError

STATE_NAMES = (
    "ca_lumen_mmol",
    "mg_lumen_mmol",
    "ca_ecf_mmol",
    "mg_ecf_mmol",
    "ca_bone_fast_mmol",
    "mg_bone_fast_mmol",
    "ca_bone_slow_delta_mmol",
    "mg_bone_slow_delta_mmol",
    "mg_icf_free_mM",
    "pth_pmol_L",
    "calcitriol_pmol_L",
    "ca_absorbed_mmol",
    "mg_absorbed_mmol",
    "ca_urine_mmol",
    "mg_urine_mmol",
    "ca_faecal_unabsorbed_mmol",
    "mg_faecal_unabsorbed_mmol",
    "ca_faecal_endogenous_mmol",
    "mg_faecal_endogenous_mmol",
    "ca_filtered_mmol",
    "mg_filtered_mmol",
)
(
    CA_LUMEN,
    MG_LUMEN,
    CA_ECF,
    MG_ECF,
    CA_BONE_FAST,
    MG_BONE_FAST,
    CA_BONE_SLOW,
    MG_BONE_SLOW,
    MG_ICF,
    PTH,
    CALCITRIOL,
    CA_ABS,
    MG_ABS,
    CA_URINE,
    MG_URINE,
    CA_UNABS,
    MG_UNABS,
    CA_ENDO,
    MG_ENDO,
    CA_FILT,
    MG_FILT,
) = range(len(STATE_NAMES))
N_STATES = len(STATE_NAMES)
# Rows integrated from zero in every segment and summed outside the solver: the
# running integrals and the slow-bone changes.
CUMULATIVE = np.array([CA_BONE_SLOW, MG_BONE_SLOW, *range(CA_ABS, N_STATES)])


@dataclass(frozen=True)
class Reference:
    """Values at the reference state, used to normalise feedback terms."""

    ica_mM: float
    img_mM: float
    mg_total_mM: float
    pth_pmol_L: float
    pth_action: float
    calcitriol_pmol_L: float


# ----------------------------------------------------------------------------- gut
def gut_transit_rate_per_h(fed: bool, p: BodyParams) -> float:
    """First-order rate at which lumen contents leave for the faeces."""
    return p.transit_rate_fed_per_h if fed else p.transit_rate_fasted_per_h


def ca_absorption_mmol_per_h(ca_lumen, mg_lumen, calcitriol, p: BodyParams):
    """Ca absorption: (transcellular, paracellular), mmol/h.

    Transcellular (TRPV6/calbindin) is Michaelis-Menten in the luminal amount,
    Vmax proportional to calcitriol (Wilz 1979), competitively inhibited by
    luminal Mg; paracellular is linear.
    """
    ca = max(ca_lumen, 0.0)
    vmax = p.ca_transcellular_vmax_mmol_per_h * max(calcitriol, 0.0) / p.calcitriol_ref_pmol_L
    km = p.ca_transcellular_km_mmol * (1.0 + max(mg_lumen, 0.0) / p.ki_mg_on_ca_transport_mmol)
    return vmax * ca / (km + ca), p.ca_paracellular_rate_per_h * ca


def mg_absorption_mmol_per_h(mg_lumen, ca_lumen, p: BodyParams):
    """Mg absorption: (saturable TRPM6/7, linear paracellular), mmol/h (Fine 1991)."""
    mg = max(mg_lumen, 0.0)
    km = p.mg_saturable_km_mmol * (1.0 + max(ca_lumen, 0.0) / p.ki_ca_on_mg_transport_mmol)
    return p.mg_saturable_vmax_mmol_per_h * mg / (km + mg), p.mg_paracellular_rate_per_h * mg


# ------------------------------------------------------------------------- plasma
def plasma_concentrations(ca_ecf, mg_ecf, p: BodyParams):
    """(total Ca, ionised Ca, total Mg, ionised Mg), mM; fixed bound fractions."""
    ca_total = ca_ecf / p.ecf_volume_L
    mg_total = mg_ecf / p.ecf_volume_L
    return ca_total, ca_total * p.ca_ionised_fraction, mg_total, mg_total * p.mg_ionised_fraction


# ------------------------------------------------------------------------- kidney
def gfr_L_per_h(p: BodyParams) -> float:
    """Glomerular filtration rate in L/h."""
    return p.gfr_mL_per_min * 60.0 / 1000.0


def casr_tal_permeability(ica, img, p: BodyParams) -> float:
    """Fraction of maximal TAL paracellular reabsorption left by the CaSR.

    Both ions activate the basolateral CaSR (Mg more weakly); activation
    closes the paracellular pathway (claudin-14) for Ca *and* Mg.
    """
    signal = max(ica + p.casr_mg_potency * img, 0.0)
    return 1.0 / (1.0 + (signal / p.casr_k_mM) ** p.casr_hill)


def kidney_ca_urine_mmol_per_h(ca_total, ica, img, action, p: BodyParams):
    """Urinary Ca: filtered load through proximal tubule, TAL, DCT (PTH-regulated)."""
    filtered = gfr_L_per_h(p) * ca_total * p.ca_ultrafilterable_fraction
    to_tal = filtered * (1.0 - p.ca_proximal_fraction)
    to_dct = to_tal * (1.0 - p.ca_tal_max_fraction * casr_tal_permeability(ica, img, p))
    dct = p.ca_dct_basal_fraction + (p.ca_dct_pth_max_fraction - p.ca_dct_basal_fraction) * action
    return to_dct * (1.0 - dct), filtered


def kidney_mg_urine_mmol_per_h(mg_total, ica, img, action, ref: Reference, p: BodyParams):
    """Urinary Mg: PT, TAL (CaSR), then a threshold-like DCT (TRPM6).

    Excretion of the load reaching the DCT rises steeply (Hill) above a
    threshold, which is how the kidney holds plasma Mg and cuts urinary Mg to
    a few mg/day in deficiency.  PTH raises the threshold a little.
    """
    filtered = gfr_L_per_h(p) * mg_total * p.mg_ultrafilterable_fraction
    to_tal = filtered * (1.0 - p.mg_proximal_fraction)
    to_dct = to_tal * (1.0 - p.mg_tal_max_fraction * casr_tal_permeability(ica, img, p))
    threshold = p.mg_excretion_threshold_mmol_per_h * max(
        1.0 + p.mg_dct_pth_gain * (action / ref.pth_action - 1.0), 0.1
    )
    x = (to_dct / threshold) ** p.mg_excretion_hill
    return to_dct * x / (1.0 + x), filtered


def endogenous_faecal_mmol_per_h(ica, img, p: BodyParams):
    """Ca and Mg secreted into the gut and lost in faeces (not reabsorbed here)."""
    return p.ca_endogenous_faecal_L_per_h * ica, p.mg_endogenous_faecal_L_per_h * img


# --------------------------------------------------------------------------- PTH
def pth_target_pmol_L(ica, img, mg_total, ref_img, p: BodyParams) -> float:
    """Steady-state PTH for the current ions: Brown's inverse sigmoid, Mg-modulated.

    Mg adds to the divalent signal seen by the parathyroid CaSR with a lower
    potency than Ca (high Mg suppresses PTH); severe Mg deficiency (serum
    < ~0.5 mM) impairs secretion itself (Anast 1972).
    """
    signal = max(ica + p.pth_mg_potency * (img - ref_img), 1e-6)
    brown = (p.pth_max_pmol_L - p.pth_min_pmol_L) / (
        1.0 + (signal / p.pth_set_point_ica_mM) ** p.pth_hill
    ) + p.pth_min_pmol_L
    return brown * pth_secretion_capacity(mg_total, p) * p.parathyroid_mass_fraction


def pth_secretion_capacity(mg_total, p: BodyParams) -> float:
    """Fraction of normal secretory capacity left by Mg deficiency (1 when replete)."""
    mg = max(mg_total, 1e-6)
    return 1.0 / (1.0 + (p.pth_mg_impairment_k_mM / mg) ** p.pth_mg_impairment_hill)


def pth_rate_pmol_L_per_h(pth, target, p: BodyParams) -> float:
    """Secretion (k x target) minus first-order clearance (k x PTH)."""
    k = math.log(2.0) / (p.pth_half_life_min / 60.0)
    return k * (target - pth)


def pth_action(pth, mg_icf, p: BodyParams) -> float:
    """PTH receptor action in target tissues, 0-1: occupancy x Mg-dependent sensitivity.

    Low intracellular Mg makes kidney and bone resistant to PTH (Rude 1976).
    """
    occupancy = max(pth, 0.0) / (max(pth, 0.0) + p.pth_effect_ec50_pmol_L)
    return occupancy * tissue_mg_sensitivity(mg_icf, p)


def tissue_mg_sensitivity(mg_icf, p: BodyParams) -> float:
    """Hormone responsiveness of cells as a function of their free Mg (1 = normal)."""
    mg = max(mg_icf, 1e-6)
    return 1.0 / (1.0 + (p.pth_resistance_k_mM / mg) ** p.pth_resistance_hill)


# -------------------------------------------------------------------- calcitriol
def calcitriol_rate_pmol_L_per_h(calcitriol, pth, mg_icf, ref: Reference, p: BodyParams):
    """1-alpha-hydroxylation driven by PTH (Mg-dependent) minus first-order clearance."""
    k = math.log(2.0) / p.calcitriol_half_life_h

    def drive(pth_value, mg_value):
        occupancy = pth_value / (pth_value + p.pth_effect_ec50_pmol_L)
        pth_part = p.calcitriol_basal_fraction + (1.0 - p.calcitriol_basal_fraction) * occupancy
        return pth_part * tissue_mg_sensitivity(mg_value, p)

    relative = drive(max(pth, 0.0), mg_icf) / drive(ref.pth_pmol_L, p.mg_icf_free_ref_mM)
    return k * (p.calcitriol_ref_pmol_L * relative - calcitriol)


# -------------------------------------------------------------------------- bone
def bone_fast_ca_uptake_mmol_per_h(ica, fast, action, ref: Reference, p: BodyParams):
    """Net Ca flux ECF -> exchangeable bone surface; PTH shifts it toward the ECF."""
    shift = 1.0 - p.ca_bone_fast_pth_gain * (action / ref.pth_action - 1.0)
    equilibrium = p.ca_bone_fast_capacity_mmol_per_mM * ica * max(shift, 0.0)
    return p.ca_bone_fast_rate_per_h * (equilibrium - fast)


def bone_fast_mg_uptake_mmol_per_h(img, fast, p: BodyParams):
    """Net Mg flux ECF -> exchangeable bone-surface Mg."""
    return p.mg_bone_fast_rate_per_h * (p.mg_bone_fast_capacity_mmol_per_mM * img - fast)


def bone_remodelling_mmol_per_h(ica, img, action, ref: Reference, p: BodyParams):
    """(Ca resorbed, Ca formed, Mg resorbed, Mg formed), mmol/h.

    Resorption follows PTH action; formation follows ionised Ca (mineral
    supply).  They balance at the reference state.  Mg moves with Ca in the
    bone's molar ratio; formation takes up less Mg when plasma Mg is low.
    """
    turnover = p.ca_bone_turnover_mmol_per_day / 24.0
    ca_resorbed = turnover * action / ref.pth_action
    ca_formed = turnover * ica / ref.ica_mM
    ratio = p.mg_to_ca_bone_molar_ratio
    return ca_resorbed, ca_formed, ratio * ca_resorbed, ratio * ca_formed * img / ref.img_mM


# ------------------------------------------------------------- intracellular Mg
def cell_mg_uptake_mmol_per_h(mg_icf, img, p: BodyParams):
    """Net Mg flux ECF -> cells; free cell Mg relaxes toward its plasma-set target."""
    target = p.mg_icf_free_ref_mM * img / (p.mg_total_ref_mM * p.mg_ionised_fraction)
    return p.mg_icf_capacity_mmol_per_mM / p.mg_icf_time_constant_h * (target - mg_icf)


# ------------------------------------------------------------------ assembly
def reference(p: BodyParams) -> Reference:
    """The reference state's concentrations and hormone levels (intact parathyroids)."""
    p = replace(p, parathyroid_mass_fraction=1.0)
    img = p.mg_total_ref_mM * p.mg_ionised_fraction
    pth = pth_target_pmol_L(p.ca_ionised_ref_mM, img, p.mg_total_ref_mM, img, p)
    action = pth_action(pth, p.mg_icf_free_ref_mM, p)
    return Reference(
        p.ca_ionised_ref_mM, img, p.mg_total_ref_mM, pth, action, p.calcitriol_ref_pmol_L
    )


def reference_state(p: BodyParams) -> np.ndarray:
    """Initial state: reference plasma values, pools in equilibrium with them."""
    ref = reference(p)
    y = np.zeros(N_STATES)
    y[CA_ECF] = ref.ica_mM / p.ca_ionised_fraction * p.ecf_volume_L
    y[MG_ECF] = ref.mg_total_mM * p.ecf_volume_L
    y[CA_BONE_FAST] = p.ca_bone_fast_capacity_mmol_per_mM * ref.ica_mM
    y[MG_BONE_FAST] = p.mg_bone_fast_capacity_mmol_per_mM * ref.img_mM
    y[MG_ICF] = p.mg_icf_free_ref_mM
    y[PTH] = ref.pth_pmol_L
    y[CALCITRIOL] = ref.calcitriol_pmol_L
    return y


def fluxes(y, p: BodyParams, ref: Reference, fed: bool) -> dict[str, float]:
    """Every flux (mmol/h) and derived quantity at state ``y``."""
    ca_total, ica, mg_total, img = plasma_concentrations(y[CA_ECF], y[MG_ECF], p)
    action = pth_action(y[PTH], y[MG_ICF], p)
    transit = gut_transit_rate_per_h(fed, p)
    ca_trans, ca_para = ca_absorption_mmol_per_h(y[CA_LUMEN], y[MG_LUMEN], y[CALCITRIOL], p)
    mg_sat, mg_lin = mg_absorption_mmol_per_h(y[MG_LUMEN], y[CA_LUMEN], p)
    ca_urine, ca_filtered = kidney_ca_urine_mmol_per_h(ca_total, ica, img, action, p)
    mg_urine, mg_filtered = kidney_mg_urine_mmol_per_h(mg_total, ica, img, action, ref, p)
    ca_endo, mg_endo = endogenous_faecal_mmol_per_h(ica, img, p)
    ca_res, ca_form, mg_res, mg_form = bone_remodelling_mmol_per_h(ica, img, action, ref, p)
    return {
        "ca_total_mM": ca_total,
        "ica_mM": ica,
        "mg_total_mM": mg_total,
        "img_mM": img,
        "pth_action": action,
        "ca_absorbed": ca_trans + ca_para,
        "ca_transcellular": ca_trans,
        "mg_absorbed": mg_sat + mg_lin,
        "ca_transit": transit * max(y[CA_LUMEN], 0.0),
        "mg_transit": transit * max(y[MG_LUMEN], 0.0),
        "ca_urine": ca_urine,
        "mg_urine": mg_urine,
        "ca_filtered": ca_filtered,
        "mg_filtered": mg_filtered,
        "ca_endo": ca_endo,
        "mg_endo": mg_endo,
        "ca_bone_fast": bone_fast_ca_uptake_mmol_per_h(ica, y[CA_BONE_FAST], action, ref, p),
        "mg_bone_fast": bone_fast_mg_uptake_mmol_per_h(img, y[MG_BONE_FAST], p),
        "ca_bone_slow": ca_form - ca_res,
        "mg_bone_slow": mg_form - mg_res,
        "mg_cells": cell_mg_uptake_mmol_per_h(y[MG_ICF], img, p),
        "pth_target": pth_target_pmol_L(ica, img, mg_total, ref.img_mM, p),
    }


def rhs(t, y, p: BodyParams, ref: Reference, fed: bool) -> np.ndarray:
    """dy/dt: sums of the process fluxes (mass moves, it is never made)."""
    f = fluxes(y, p, ref, fed)
    dy = np.empty(N_STATES)
    dy[CA_LUMEN] = -f["ca_absorbed"] - f["ca_transit"]
    dy[MG_LUMEN] = -f["mg_absorbed"] - f["mg_transit"]
    dy[CA_ECF] = (
        f["ca_absorbed"] - f["ca_urine"] - f["ca_endo"] - f["ca_bone_fast"] - f["ca_bone_slow"]
    )
    dy[MG_ECF] = (
        f["mg_absorbed"]
        - f["mg_urine"]
        - f["mg_endo"]
        - f["mg_bone_fast"]
        - f["mg_bone_slow"]
        - f["mg_cells"]
    )
    dy[CA_BONE_FAST] = f["ca_bone_fast"]
    dy[MG_BONE_FAST] = f["mg_bone_fast"]
    dy[CA_BONE_SLOW] = f["ca_bone_slow"]
    dy[MG_BONE_SLOW] = f["mg_bone_slow"]
    dy[MG_ICF] = f["mg_cells"] / p.mg_icf_capacity_mmol_per_mM
    dy[PTH] = pth_rate_pmol_L_per_h(y[PTH], f["pth_target"], p)
    dy[CALCITRIOL] = calcitriol_rate_pmol_L_per_h(y[CALCITRIOL], y[PTH], y[MG_ICF], ref, p)
    dy[CA_ABS], dy[MG_ABS] = f["ca_absorbed"], f["mg_absorbed"]
    dy[CA_URINE], dy[MG_URINE] = f["ca_urine"], f["mg_urine"]
    dy[CA_UNABS], dy[MG_UNABS] = f["ca_transit"], f["mg_transit"]
    dy[CA_ENDO], dy[MG_ENDO] = f["ca_endo"], f["mg_endo"]
    dy[CA_FILT], dy[MG_FILT] = f["ca_filtered"], f["mg_filtered"]
    return dy


# ------------------------------------------------------------------ integration
_RTOL = 1e-7
# Absolute tolerances by row: lumen/ECF/bone amounts in mmol, concentrations, hormones.
_ATOL = np.array([1e-9, 1e-9, 1e-7, 1e-8, 1e-7, 1e-8, 1e-7, 1e-9, 1e-8, 1e-6, 1e-5] + [1e-9] * 10)


@dataclass
class SimulationResult:
    """Everything :func:`simulate` produced.

    Attributes
    ----------
    time_h
        Record times.
    states
        ``(len(time_h), N_STATES)``; running-integral rows and slow-bone rows
        hold *cumulative* values since the start (re-assembled from segments).
    intakes
        The boluses, in time order.
    ca_absorbed_mg, mg_absorbed_mg
        Absorbed amount attributed to each intake (well-mixed lumen: every
        intake in the lumen loses the same fraction per unit time).
    day_totals
        ``(n_days + 1, N_STATES)``: the state at every midnight (cumulative rows
        as in ``states``), for per-day sums.
    checks
        ``(time_h, state)`` pairs at requested check times, before any intake
        at that same time.
    """

    params: BodyParams
    ref: Reference
    time_h: np.ndarray
    states: np.ndarray
    intakes: list[Intake]
    ca_absorbed_mg: np.ndarray
    mg_absorbed_mg: np.ndarray
    day_totals: np.ndarray
    checks: list[tuple[float, np.ndarray]] = field(default_factory=list)
    initial_state: np.ndarray | None = None
    final_state: np.ndarray | None = None
    ca_in_gut_at_end_mg: np.ndarray | None = None
    mg_in_gut_at_end_mg: np.ndarray | None = None

    def series(self) -> dict[str, np.ndarray]:
        """Named time courses with units (fluxes evaluated at the record times)."""
        return timeseries(self)


def fed_intervals(intakes: Sequence[Intake], p: BodyParams) -> list[tuple[float, float]]:
    """Periods (start_h, end_h) during which a meal slows gut transit."""
    return [(i.time_h, i.time_h + p.fed_state_duration_h) for i in intakes if i.with_food]


def _breakpoints(intakes, fed, duration_h, check_times_h) -> np.ndarray:
    points = {0.0, float(duration_h)}
    points.update(i.time_h for i in intakes)
    points.update(end for _, end in fed)
    points.update(24.0 * d for d in range(1, math.ceil(duration_h / 24.0)))
    points.update(check_times_h)
    return np.array(sorted(t for t in points if 0.0 <= t <= duration_h))


def _is_fed(t_mid: float, fed) -> bool:
    return any(start <= t_mid < end for start, end in fed)


class _Lumen:
    """Per-intake bookkeeping of what is still in the lumen (well-mixed).

    Because absorption and transit act on the pooled lumen, every intake in it
    loses the same fraction over a segment; so shares are exact, not estimated.
    """

    def __init__(self, n: int):
        self.ca_left = np.zeros(n)
        self.mg_left = np.zeros(n)
        self.ca_absorbed = np.zeros(n)
        self.mg_absorbed = np.zeros(n)

    def add(self, index: int, intake: Intake):
        self.ca_left[index] += intake.ca_mg / CA_MG_PER_MMOL
        self.mg_left[index] += intake.mg_mg / MG_MG_PER_MMOL

    def share(self, absorbed_ca, absorbed_mg, lumen_ca_end, lumen_mg_end):
        for left, absorbed, got, end in (
            (self.ca_left, self.ca_absorbed, absorbed_ca, lumen_ca_end),
            (self.mg_left, self.mg_absorbed, absorbed_mg, lumen_mg_end),
        ):
            total = left.sum()
            if total <= 0.0:
                continue
            fraction = left / total
            absorbed += fraction * got
            left[:] = fraction * max(end, 0.0)


def simulate(
    params: BodyParams,
    intakes: Sequence[Intake],
    duration_h: float,
    *,
    record_every_h: float = 0.25,
    check_times_h: Sequence[float] = (),
    y0: np.ndarray | None = None,
    progress: bool = False,
) -> SimulationResult:
    """Integrate the body model over ``duration_h`` with the given boluses.

    Parameters
    ----------
    params
        Physiology (see :mod:`cellsim.body.params`).
    intakes
        Meals and doses; intakes after ``duration_h`` are ignored.
    duration_h
        Length of the run.
    record_every_h
        Spacing of the recorded time courses.
    check_times_h
        Extra times at which the state is captured exactly.
    y0
        Initial state; default :func:`reference_state`.
    progress
        Show a tqdm bar over simulated days.

    Raises
    ------
    ModelError
        If the solver fails (parameters that make no physical sense).
    """
    if not duration_h > 0:
        raise ModelError(f"duration must be > 0 h, got {duration_h!r}.")
    ref = reference(check_physical(params))
    intakes = sorted((i for i in intakes if i.time_h < duration_h), key=lambda i: i.time_h)
    fed = fed_intervals(intakes, params)
    points = _breakpoints(intakes, fed, duration_h, check_times_h)
    grid = np.arange(0.0, duration_h + 1e-9, record_every_h)
    y = reference_state(params) if y0 is None else np.array(y0, dtype=float)
    y_start = y.copy()
    totals = np.zeros(N_STATES)
    totals[CUMULATIVE], y[CUMULATIVE] = y[CUMULATIVE], 0.0
    lumen = _Lumen(len(intakes))
    records, checks, days = [], [], [_with_totals(y, totals)]
    next_intake = 0
    bar = _progress_bar(duration_h, progress)
    for a, b in itertools.pairwise(points):
        if any(abs(a - c) < 1e-9 for c in check_times_h):
            checks.append((a, _with_totals(y, totals)))
        while next_intake < len(intakes) and intakes[next_intake].time_h <= a + 1e-9:
            _give(y, intakes[next_intake])
            lumen.add(next_intake, intakes[next_intake])
            next_intake += 1
        y, seg_states = _segment(y, a, b, grid, params, ref, _is_fed(0.5 * (a + b), fed))
        lumen.share(y[CA_ABS], y[MG_ABS], y[CA_LUMEN], y[MG_LUMEN])
        records.extend(_with_totals(s, totals) for s in seg_states)
        totals[CUMULATIVE] += y[CUMULATIVE]  # fold the segment's integrals in
        y[CUMULATIVE] = 0.0
        if abs(b / 24.0 - round(b / 24.0)) < 1e-9 or b == points[-1]:
            days.append(_with_totals(y, totals))
            _tick(bar, b)
    final = _with_totals(y, totals)
    if len(records) < len(grid):  # the end point itself
        records.append(final)
    if bar is not None:
        bar.close()
    return SimulationResult(
        params,
        ref,
        grid[: len(records)],
        np.array(records),
        intakes,
        lumen.ca_absorbed * CA_MG_PER_MMOL,
        lumen.mg_absorbed * MG_MG_PER_MMOL,
        np.array(days),
        checks,
        y_start,
        final,
        lumen.ca_left * CA_MG_PER_MMOL,
        lumen.mg_left * MG_MG_PER_MMOL,
    )


def _give(y: np.ndarray, intake: Intake) -> None:
    y[CA_LUMEN] += intake.ca_mg / CA_MG_PER_MMOL
    y[MG_LUMEN] += intake.mg_mg / MG_MG_PER_MMOL


def _with_totals(y: np.ndarray, totals: np.ndarray) -> np.ndarray:
    out = y.copy()
    out[CUMULATIVE] += totals[CUMULATIVE]
    return out


def _segment(y, a, b, grid, p, ref, fed):
    """Integrate one input-free stretch [a, b]; returns end state and states at records
    in [a, b)."""
    inside = grid[(grid >= a - 1e-9) & (grid < b - 1e-9)]
    t_eval = np.append(inside, b)
    sol = solve_ivp(
        rhs, (a, b), y, method="LSODA", t_eval=t_eval, args=(p, ref, fed), rtol=_RTOL, atol=_ATOL
    )
    if not sol.success or not np.all(np.isfinite(sol.y[:, -1])):
        raise ModelError(
            f"body model: the ODE solver failed between t = {a:.3f} h and "
            f"{b:.3f} h ({sol.message}); check the parameter overrides."
        )
    return sol.y[:, -1].copy(), list(sol.y[:, :-1].T)


def _progress_bar(duration_h, progress):
    if not progress:
        return None
    from tqdm import tqdm

    return tqdm(total=math.ceil(duration_h / 24.0), unit="day", desc="body")


def _tick(bar, b):
    if bar is not None:
        bar.update(math.ceil(b / 24.0 - 1e-9) - bar.n)


# ---------------------------------------------------------------- post-processing
def timeseries(result: SimulationResult) -> dict[str, np.ndarray]:
    """Time courses with units in their names, from a :class:`SimulationResult`."""
    p, ref = result.params, result.ref
    fed = fed_intervals(result.intakes, p)
    rows = [
        fluxes(s, p, ref, _is_fed(t, fed))
        for t, s in zip(result.time_h, result.states, strict=True)
    ]

    def col(key, scale=1.0):
        return np.array([r[key] for r in rows]) * scale

    s = result.states
    return {
        "time_h": result.time_h,
        "plasma_ica_mM": col("ica_mM"),
        "plasma_ca_total_mM": col("ca_total_mM"),
        "plasma_mg_mM": col("mg_total_mM"),
        "plasma_img_mM": col("img_mM"),
        "mg_icf_free_mM": s[:, MG_ICF],
        "pth_pmol_L": s[:, PTH],
        "calcitriol_pmol_L": s[:, CALCITRIOL],
        "ca_lumen_mg": s[:, CA_LUMEN] * CA_MG_PER_MMOL,
        "mg_lumen_mg": s[:, MG_LUMEN] * MG_MG_PER_MMOL,
        "ca_absorption_mg_per_h": col("ca_absorbed", CA_MG_PER_MMOL),
        "mg_absorption_mg_per_h": col("mg_absorbed", MG_MG_PER_MMOL),
        "urine_ca_mg_per_h": col("ca_urine", CA_MG_PER_MMOL),
        "urine_mg_mg_per_h": col("mg_urine", MG_MG_PER_MMOL),
        "ca_absorbed_cumulative_mg": s[:, CA_ABS] * CA_MG_PER_MMOL,
        "mg_absorbed_cumulative_mg": s[:, MG_ABS] * MG_MG_PER_MMOL,
        "urine_ca_cumulative_mg": s[:, CA_URINE] * CA_MG_PER_MMOL,
        "urine_mg_cumulative_mg": s[:, MG_URINE] * MG_MG_PER_MMOL,
        "ca_bone_fast_mmol": s[:, CA_BONE_FAST],
        "mg_bone_fast_mmol": s[:, MG_BONE_FAST],
        "ca_bone_slow_change_mmol": s[:, CA_BONE_SLOW],
        "mg_bone_slow_change_mmol": s[:, MG_BONE_SLOW],
    }


def body_stores_mmol(state: np.ndarray, p: BodyParams) -> tuple[float, float]:
    """(Ca, Mg) held in the body outside the gut lumen, relative to slow bone at start."""
    ca = state[CA_ECF] + state[CA_BONE_FAST] + state[CA_BONE_SLOW]
    mg = (
        state[MG_ECF]
        + state[MG_BONE_FAST]
        + state[MG_BONE_SLOW]
        + p.mg_icf_capacity_mmol_per_mM * state[MG_ICF]
    )
    return ca, mg


def pth_clearance(params: BodyParams, duration_min: float = 20.0, pth0_pmol_L: float = 5.0):
    """PTH after secretion stops (parathyroidectomy): the model's own PTH equation
    with target 0.  Returns ``(time_min, pth_pmol_L)``."""
    sol = solve_ivp(
        lambda t, y: [pth_rate_pmol_L_per_h(y[0], 0.0, params)],
        (0.0, duration_min / 60.0),
        [pth0_pmol_L],
        method="LSODA",
        t_eval=np.linspace(0.0, duration_min / 60.0, 201),
        rtol=1e-9,
        atol=1e-12,
    )
    return sol.t * 60.0, sol.y[0]


def calcitriol_clearance(
    params: BodyParams, duration_h: float = 24.0, calcitriol0_pmol_L: float = 100.0
):
    """Calcitriol after synthesis stops; model's clearance term.  ``(time_h, pmol/L)``."""
    ref = reference(params)
    zero_drive = replace(params, calcitriol_ref_pmol_L=0.0)
    sol = solve_ivp(
        lambda t, y: [
            calcitriol_rate_pmol_L_per_h(
                y[0], ref.pth_pmol_L, params.mg_icf_free_ref_mM, ref, zero_drive
            )
        ],
        (0.0, duration_h),
        [calcitriol0_pmol_L],
        method="LSODA",
        t_eval=np.linspace(0.0, duration_h, 241),
        rtol=1e-9,
        atol=1e-12,
    )
    return sol.t, sol.y[0]

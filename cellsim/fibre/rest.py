"""The fibre at rest, in mean field: equilibria, the balancing leak, resting stability.

The agents' rules averaged: ATP, troponin and parvalbumin in equilibrium with free Ca
and Mg; the two-site SERCA pump at steady state; calsequestrin in rapid equilibrium;
the Ca/Mg-gated RyRs open with their mean probability.  These set the initial state of a
run (so a fibre starts at rest), the passive SR leak that balances the pumps at the
set's healthy Mg, and the **spontaneous-release test** behind the cramp flag: a fibre is
stable at rest at a free Mg if the uniform Ca balance (uptake − leak − resting release,
SR at its resting load) has a stable low-Ca fixed point.  That test is deterministic: it
depends neither on run length nor on a seed.

Units: µM of myoplasm (SR values in µM of SR volume where named), ms.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cellsim.fibre.params import FibreParams

#: Free Ca scanned for resting fixed points (µM): 3 nM to 30 µM.
SCAN_CA_UM = np.geomspace(0.003, 30.0, 2000)
#: A resting state above this free Ca is no resting state (contracture).
RESTING_CA_LIMIT_UM = 1.0


def atp_equilibrium(p: FibreParams, ca_uM: float, mg_uM: float) -> tuple[float, float, float]:
    """(free ATP, Ca-ATP, Mg-ATP) in µM at equilibrium with free Ca and Mg."""
    kc = p.atp_kon_ca / p.atp_koff_ca if p.atp_koff_ca > 0 else 0.0
    km = p.atp_kon_mg / p.atp_koff_mg if p.atp_koff_mg > 0 else 0.0
    free = p.atp_total_uM / (1.0 + ca_uM * kc + mg_uM * km)
    return free, free * ca_uM * kc, free * mg_uM * km


def competitive(kon_ca, koff_ca, kon_mg, koff_mg, ca_uM, mg_uM) -> tuple[float, float]:
    """Occupancies (θ_Ca, θ_Mg) of a site that binds Ca and Mg competitively."""
    a = ca_uM * kon_ca / koff_ca if koff_ca > 0 else 0.0
    b = mg_uM * kon_mg / koff_mg if koff_mg > 0 else 0.0
    return a / (1 + a + b), b / (1 + a + b)


def serca_factor(p: FibreParams, mgatp_uM: float, atp_free_uM: float) -> float:
    """Mg-ATP activation of the pump (kernel.serca_factor)."""
    if p.serca_km_mgatp_uM <= 0:
        return 1.0
    return mgatp_uM / (mgatp_uM + p.serca_km_mgatp_uM * (1 + atp_free_uM / p.serca_ki_atp_uM))


def serca_steady(p: FibreParams, ca_uM, mg_uM) -> tuple:
    """Steady pump states at fixed free Ca and Mg: fractions (one Ca, two Ca) and the
    uptake (µM of Ca per ms).  Works on scalars or numpy arrays of Ca.

    E0 + Ca ⇌ E1 (k1, k−1), E1 + Ca ⇌ E2 (k2, k−2), E2 → E0 + 2 Ca in the SR (k_t).
    """
    ca = np.asarray(ca_uM, dtype=float)
    atp_free, _, mgatp = atp_equilibrium(p, ca, mg_uM)
    if p.serca_km_mgatp_uM <= 0:
        phi = np.ones_like(ca)
    else:
        phi = mgatp / (mgatp + p.serca_km_mgatp_uM * (1 + atp_free / p.serca_ki_atp_uM))
    kt = p.serca_kcat_per_ms * phi
    k1, km1, k2, km2 = p.serca_kon1_ca, p.serca_koff1_ca, p.serca_kon2_ca, p.serca_koff2_ca
    if k1 <= 0:
        zero = np.zeros_like(ca)
        return zero, zero, zero
    with np.errstate(divide="ignore", invalid="ignore"):
        s2_per_s1 = np.where(km2 + kt > 0, k2 * ca / (km2 + kt), 0.0)
        e0_per_s1 = (km1 + kt * s2_per_s1) / (k1 * ca)
        s1 = np.where(ca > 0, 1.0 / (1.0 + s2_per_s1 + e0_per_s1), 0.0)
    s2 = s1 * s2_per_s1
    uptake = 2.0 * kt * s2 * p.serca_uM
    if np.ndim(ca_uM) == 0:
        return float(s1), float(s2), float(uptake)
    return s1, s2, uptake


def sr_total_uM(p: FibreParams, ca_sr_free_uM: float) -> float:
    """SR content (µM of myoplasm) for a free SR Ca, calsequestrin in equilibrium."""
    bound = p.csq_sites_sr_uM * ca_sr_free_uM / (ca_sr_free_uM + p.csq_kd_uM)
    return p.sr_volume_ratio * (ca_sr_free_uM + bound)


def ryr_counts(p: FibreParams) -> tuple[int, int]:
    """(voltage-coupled, Ca/Mg-gated) channels: coupled and uncoupled alternate."""
    coupled = int(np.count_nonzero(ryr_coupling(p)))
    return coupled, p.ryr_count - coupled


def ryr_coupling(p: FibreParams) -> np.ndarray:
    """1 for a channel facing a voltage sensor, 0 for a Ca/Mg-gated one, spread evenly."""
    r = np.arange(p.ryr_count)
    f = 1.0 - p.ryr_uncoupled_fraction
    return (np.floor((r + 1) * f) > np.floor(r * f)).astype(np.int8)


def unitary_flux_per_ms(p: FibreParams) -> float:
    """Release of one open channel, µM of myoplasm per ms per µM of SR-myoplasm gradient."""
    coupled, _ = ryr_counts(p)
    return p.ryr_g_per_ms / max(coupled, 1)


def ryr_rest_open(p: FibreParams, ca_uM, mg_uM):
    """Open probability of a Ca/Mg-gated channel (kernel.ryr_rest_open)."""
    a = np.asarray(ca_uM, dtype=float) / p.ryr_rest_ka_uM
    act = a / (1.0 + a + mg_uM / p.ryr_rest_ka_mg_uM)
    return p.ryr_cicr_po_max * act / (1.0 + (mg_uM / p.ryr_rest_ki_mg_uM) ** 2)


def cdi_rate(p: FibreParams, ca_uM):
    ca = np.asarray(ca_uM, dtype=float)
    return p.cdi_k_per_ms * ca**2 / (ca**2 + p.cdi_kd_uM**2)


def resting_release(p: FibreParams, ca_uM, mg_uM):
    """Mean release through the Ca/Mg-gated channels at rest (µM/ms), SR at rest,
    with their inactivation at steady state.  Scalars or arrays of Ca."""
    _, uncoupled = ryr_counts(p)
    ca = np.asarray(ca_uM, dtype=float)
    if uncoupled == 0:
        return np.zeros_like(ca) if ca.ndim else 0.0
    c_sr = p.ca_sr_free_rest_uM
    gradient = np.maximum(c_sr - ca, 0.0)
    po = ryr_rest_open(p, ca, mg_uM)
    domain = ca + p.cdi_domain_uM * gradient / p.ca_sr_free_rest_uM
    inactivation = po * cdi_rate(p, domain) + (1 - po) * cdi_rate(p, ca)
    available = p.cdi_krec_per_ms / (p.cdi_krec_per_ms + inactivation)
    out = uncoupled * po * available * unitary_flux_per_ms(p) * gradient
    return float(out) if ca.ndim == 0 else out


def balancing_leak_per_ms(p: FibreParams) -> float:
    """Passive SR leak (µM of myoplasm per ms per µM of free SR Ca) that balances the
    pumps at rest at the set's healthy free Mg (``leak_balance_mg_mM``).

    Computed once for the set, so lowering Mg in a scenario unbalances the fibre
    through the Mg mechanisms only (RyR block, Mg-ATP), as it should.
    """
    if p.sr_leak_per_ms >= 0:
        return p.sr_leak_per_ms
    mg = p.leak_balance_mg_mM * 1000.0
    _, _, uptake = serca_steady(p, p.ca_rest_uM, mg)
    rest = resting_release(p, p.ca_rest_uM, mg)
    return max(0.0, uptake - rest) / p.ca_sr_free_rest_uM


def balance(p: FibreParams, mg_mM: float, ca_uM: np.ndarray, leak_per_ms: float) -> np.ndarray:
    """Net uptake (µM/ms) at uniform free Ca, SR at its resting load: > 0 lowers Ca."""
    mg = mg_mM * 1000.0
    ca = np.asarray(ca_uM, dtype=float)
    uptake = serca_steady(p, ca, mg)[2]
    return uptake - leak_per_ms * p.ca_sr_free_rest_uM - resting_release(p, ca, mg)


@dataclass(frozen=True)
class RestingState:
    """Whether a fibre has a stable low-Ca resting state at a free Mg, and where."""

    mg_free_mM: float
    stable: bool
    ca_uM: float  # NaN when there is none
    #: what the verdict rests on, in words (for summaries)
    basis: str


def resting_state(p: FibreParams, mg_mM: float, leak_per_ms: float | None = None) -> RestingState:
    """The stable low-Ca fixed point of the resting balance at free Mg ``mg_mM``, if any.

    A stable fixed point is a free Ca where net uptake crosses zero from below (a little
    more Ca is pumped away, a little less leaks out): it must lie below
    ``RESTING_CA_LIMIT_UM``.  Without one, the SR empties by itself (spontaneous
    release) and the fibre goes into contracture.
    """
    leak = balancing_leak_per_ms(p) if leak_per_ms is None else leak_per_ms
    net = balance(p, mg_mM, SCAN_CA_UM, leak)
    crossing = np.flatnonzero((net[:-1] < 0) & (net[1:] >= 0))
    basis = (
        "mean-field resting balance (SERCA uptake vs passive leak and Ca/Mg-gated RyRs, "
        "SR at resting load): a stable fixed point below 1 µM free Ca"
    )
    if crossing.size:
        k = int(crossing[0])
        c0, c1 = SCAN_CA_UM[k], SCAN_CA_UM[k + 1]
        ca = c0 - net[k] * (c1 - c0) / (net[k + 1] - net[k])
        if ca < RESTING_CA_LIMIT_UM:
            return RestingState(mg_mM, True, float(ca), basis)
    return RestingState(mg_mM, False, math.nan, basis)


def spontaneous_release_threshold_mM(
    p: FibreParams, low: float = 0.001, high: float = 3.0
) -> float:
    """Lowest free Mg (mM) with a stable resting state (bisection on log Mg)."""
    leak = balancing_leak_per_ms(p)
    if not resting_state(p, high, leak).stable:
        return math.inf
    if resting_state(p, low, leak).stable:
        return low
    lo, hi = math.log(low), math.log(high)
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        if resting_state(p, math.exp(mid), leak).stable:
            hi = mid
        else:
            lo = mid
    return math.exp(hi)

"""Validation: published laws that must *emerge* from the nerve's agents.

Each test states its literature source and tolerance.  Nothing tested here is
written into the model as a formula: release comes from Ca channels and
five-site sensors, the NMDA block from receptor agents blocking at random,
the screening shift from channel agents counted under voltage clamp.
"""

from __future__ import annotations

import numpy as np
import pytest

from cellsim.nerve import metrics
from cellsim.nerve.model import NerveModel
from cellsim.nerve.params import PARAMETER_SETS
from cellsim.nerve.stimulus import square_pulses

PR = PARAMETER_SETS["hh_dodge_rahamimoff_jahr_stevens"]


# ---- Dodge & Rahamimoff 1967 ------------------------------------------------------------
@pytest.fixture(scope="module")
def release_curve():
    ca = [0.2, 0.3, 0.5, 1.0, 2.0]
    rel = metrics.release_vs_ca(PR, ca, 1.0, n_sites=4000, n_aps=25)
    print("\nrelease per site and AP at 1 mM Mg:", dict(zip(ca, np.round(rel, 5), strict=False)))
    return ca, rel


def test_release_loglog_slope_at_low_ca(release_curve):
    """Dodge & Rahamimoff 1967: slope 3.78 ± 0.2 for 0.2-0.5 mM Ca; accept 3.4-4.2."""
    ca, rel = release_curve
    slope = metrics.loglog_slope(ca[:3], rel[:3])
    print(f"emergent log-log slope 0.2-0.5 mM: {slope:.2f}")
    assert 3.4 <= slope <= 4.2


def test_release_slope_falls_towards_2_mM(release_curve):
    """Dodge & Rahamimoff 1967: the slope falls as [Ca]o approaches 2 mM."""
    ca, rel = release_curve
    low = metrics.loglog_slope(ca[:3], rel[:3])
    high = metrics.loglog_slope(ca[3:], rel[3:])
    print(f"slope 1-2 mM: {high:.2f} (low-Ca slope {low:.2f})")
    assert high < low - 1.0


def test_mg_competes_with_ca_in_release():
    """Dodge & Rahamimoff 1967: raising Mg lowers release; more Ca overcomes it."""
    rel = [
        metrics.release_vs_ca(PR, [ca], mg, n_sites=1000, n_aps=10)[0]
        for ca, mg in ((1.0, 0.5), (1.0, 4.0), (4.0, 4.0))
    ]
    assert rel[1] < 0.5 * rel[0]
    assert rel[2] > 2.0 * rel[1]


# ---- Jahr & Stevens 1990 -----------------------------------------------------------------
def test_nmda_unblocked_fraction_at_minus_60():
    """Jahr & Stevens 1990: B(-60 mV, 1 mM Mg) = 0.080; accept 0.08 ± 0.02."""
    b = metrics.nmda_block_curve(PR, 1.0, [-60.0], step_ms=40.0)[0]
    print(f"emergent unblocked fraction at -60 mV: {b:.4f}")
    assert abs(b - 0.08) <= 0.02


def test_nmda_half_block_voltage():
    """Jahr & Stevens 1990: half block at -20.5 mV (1 mM Mg); accept ± 4 mV."""
    v = list(range(-50, 11, 5))
    b = metrics.nmda_block_curve(PR, 1.0, v, step_ms=20.0)
    v_half = metrics.crossing(v, b, 0.5)
    print(f"emergent half-block voltage: {v_half:.1f} mV")
    assert abs(v_half - (-20.5)) <= 4.0


def test_nmda_block_scales_with_mg():
    """Jahr & Stevens 1990: more Mg, more block at the same voltage; none without Mg."""
    b = [metrics.nmda_block_curve(PR, mg, [-60.0], step_ms=20.0)[0] for mg in (0.0, 0.3, 3.0)]
    assert b[0] == pytest.approx(1.0)
    assert b[1] > b[2]


# ---- Hille, Woodhull & Shapiro 1975 -------------------------------------------------------
def test_na_activation_shift_for_tenfold_ca():
    """Hille et al. 1975: +20 to +25 mV per tenfold Ca; accept +15 to +28 mV."""
    v_low = metrics.activation_midpoint_mV(PR, 1.2, 0.5)
    v_high = metrics.activation_midpoint_mV(PR, 12.0, 0.5)
    print(f"Na activation midpoint: {v_low:.1f} mV (1.2 mM Ca) -> {v_high:.1f} mV (12 mM)")
    assert 15.0 <= v_high - v_low <= 28.0


def test_mg_screens_less_than_equimolar_ca():
    """Hille et al. 1975: Mg is a weaker screener than Ca (Ba = Sr < Mg < Ca)."""
    base = metrics.activation_midpoint_mV(PR, 1.2, 0.5)
    more_ca = metrics.activation_midpoint_mV(PR, 6.2, 0.5)
    more_mg = metrics.activation_midpoint_mV(PR, 1.2, 5.5)
    print(f"+5 mM Ca shifts {more_ca - base:.1f} mV, +5 mM Mg {more_mg - base:.1f} mV")
    assert 0.0 < more_mg - base < more_ca - base


# ---- hypocalcaemic tetany (clinical: iCa < 0.9 mM) -----------------------------------------
def test_no_spontaneous_firing_at_normal_ca_and_mg():
    """Normal iCa 1.2 mM with Mg 0.5 (two seeds) or 1 mM: no spontaneous spikes in 2 s."""
    for mg, seed in ((0.5, 1), (0.5, 2), (1.0, 1)):
        rate = metrics.spontaneous_rates(PR, [1.2], mg, duration_ms=2000.0, seed=seed)[0]
        assert rate == 0.0, (mg, seed)


def test_spontaneous_firing_threshold_in_clinical_range():
    """Tetany: clinical iCa < 0.9 mM.  Accept a threshold (>= 2 Hz) between 0.6 and 1.0 mM."""
    ca = [1.1, 0.9, 0.8, 0.7, 0.6]
    rates = metrics.spontaneous_rates(PR, ca, 0.5, duration_ms=2000.0)
    print("\nspontaneous rate (Hz) vs iCa:", dict(zip(ca, rates, strict=False)))
    firing = [c for c, r in zip(ca, rates, strict=False) if r >= 2.0]
    threshold = max(firing)
    print(f"spontaneous firing (>= 2 Hz) starts at iCa <= {threshold} mM")
    assert 0.6 <= threshold <= 1.0
    assert rates[-1] >= 5.0  # well below threshold it fires clearly


def test_lowering_mg_raises_spontaneous_firing():
    """Hypomagnesaemia also excites: removing Mg (less screening) raises the rate at 0.9 mM Ca."""
    with_mg = metrics.spontaneous_rates(PR, [0.9], 1.0, duration_ms=2000.0)[0]
    no_mg = metrics.spontaneous_rates(PR, [0.9], 0.0, duration_ms=2000.0)[0]
    print(f"Ca 0.9 mM: {with_mg} Hz at Mg 1 mM, {no_mg} Hz at Mg 0")
    assert no_mg >= with_mg + 2.0


# ---- hypermagnesaemia: rat diaphragm, ~6 mM Mg blocks single-shock transmission ----------
def _single_shock(ca, mg, seed):
    n = round(30.0 / 0.01)
    stim = square_pulses(np.array([5.0]), 0.5, 100.0, n, 0.01)
    m = NerveModel(
        PR,
        ca_o_mM=ca,
        mg_o_mM=mg,
        duration_ms=30.0,
        seed=seed,
        parts=("axon", "junction"),
        stim_uA_per_cm2=stim,
        agents=False,
    )
    m.run()
    return m


def test_high_mg_blocks_neuromuscular_transmission():
    """~6 mM Mg: the nerve fires but no muscle AP follows a single shock (5 seeds)."""
    for seed in range(1, 6):
        m = _single_shock(1.2, 6.0, seed)
        assert m.spike_times_ms.size == 1
        assert m.muscle_ap_times_ms.size == 0, seed
        normal = _single_shock(1.2, 0.5, seed)
        assert normal.muscle_ap_times_ms.size == 1, seed

"""Fibre metrics on synthetic traces: what applies, what does not, and the cramp flag.

No simulation: the summary functions take plain arrays, so each case is a trace built by
hand with a known answer.
"""

import math

import numpy as np
import pytest

from cellsim.fibre import metrics


def _twitch(t, start=5.0, peak_ca=20.0, peak_force=0.5, tau=10.0):
    """Ca: a fast rise and decay; force: a slower one (both zero before ``start``)."""
    s = np.clip(t - start, 0, None)
    ca = 0.05 + peak_ca * (s / 1.0) * np.exp(1 - s / 1.0)
    force = peak_force * (s / tau) * np.exp(1 - s / tau)
    return ca, force


def test_a_run_with_no_stimulus_has_no_transient_or_relaxation_figures():
    t = np.arange(0, 50, 0.1)
    s = metrics.twitch_summary(t, np.full_like(t, 0.05), np.zeros_like(t), [])
    for key in ("peak_delta_ca_uM", "ca_fdhm_ms", "time_to_peak_force_ms", "half_relaxation_ms",
                "relaxation_time_ms", "fusion_index", "force_after_window_fraction"):  # fmt: skip
        assert math.isnan(s[key]), key
        assert s["not_applicable"][key], key
    assert s["stimulus_count"] == 0 and s["resting_ca_uM"] == pytest.approx(0.05)


def test_twitch_figures_are_measured_from_the_stimulus_and_never_negative():
    t = np.arange(0, 200, 0.05)
    ca, force = _twitch(t)
    s = metrics.twitch_summary(t, ca, force, [5.0])
    assert s["peak_delta_ca_uM"] == pytest.approx(20.0, rel=0.02)
    assert 0 < s["ca_fdhm_ms"] < 5.0
    assert s["time_to_peak_force_ms"] == pytest.approx(10.0, abs=0.3)  # tau after the stimulus
    assert s["half_relaxation_ms"] > 0 and s["relaxation_time_ms"] > s["half_relaxation_ms"]
    assert math.isnan(s["fusion_index"]) and "train" in s["not_applicable"]["fusion_index"]
    # the run ends 195 ms after the stimulus: the 300 ms window is not judged
    assert math.isnan(s["force_after_window_fraction"])
    assert "300 ms" in s["not_applicable"]["force_after_window_fraction"]


def test_a_force_peak_before_the_stimulus_gives_no_negative_time_to_peak():
    t = np.arange(0, 100, 0.1)
    ca, force = _twitch(t, start=50.0)
    force[:50] = 0.9  # noise or a previous contraction before the stimulus at 50 ms
    s = metrics.twitch_summary(t, ca, force, [50.0])
    assert s["time_to_peak_force_ms"] >= 0


def test_train_figures_per_spike_fusion_and_window():
    t = np.arange(0, 700, 0.1)
    stims = [5.0 + 10.0 * k for k in range(30)]  # 100 Hz for 300 ms
    ca = np.full_like(t, 0.05)
    force = np.zeros_like(t)
    for k, s0 in enumerate(stims):
        ca += 10.0 / (k + 1) * np.where(t >= s0, np.exp(-(t - s0) / 2.0), 0.0)
    force[(t >= 5) & (t < 305)] = 0.8 + 0.05 * np.sin(t[(t >= 5) & (t < 305)])
    after = t >= 305
    force[after] = 0.8 * np.exp(-(t[after] - 305) / 20.0)
    s = metrics.twitch_summary(t, ca, force, stims, np.linspace(1500, 900, len(t)))
    assert len(s["spike_peak_ca_uM"]) == 30 and len(s["spike_trough_ca_uM"]) == 29
    assert s["max_peak_over_first"] < 1.0
    assert 0.85 < s["fusion_index"] <= 1.0
    assert s["tetanic_force_fraction"] == pytest.approx(0.85, abs=0.01)
    assert s["force_after_window_fraction"] < 0.01 and s["ca_after_window_uM"] < 0.3
    assert s["sr_free_min_fraction"] == pytest.approx(0.6, abs=0.01)
    assert metrics.relaxation_failed(s) is False


def test_the_cramp_flag_rests_on_the_resting_state_and_the_window_only():
    t = np.arange(0, 20, 0.1)  # a two-row series, or a short run, is not a cramp
    short = metrics.twitch_summary(t[:2], np.full(2, 5.0), np.full(2, 0.9), [0.0])
    assert metrics.cramp_flag(short, resting_stable=True)[0] is False
    assert metrics.cramp_flag(short, resting_stable=False)[0] is True
    t = np.arange(0, 400, 0.1)
    ca, force = _twitch(t)
    stuck = np.maximum(force, 0.3 * np.where(t > 5, 1.0, 0.0))  # never relaxes
    s = metrics.twitch_summary(t, ca, stuck, [5.0])
    cramp, why = metrics.cramp_flag(s, resting_stable=True)
    assert cramp is True and "300 ms" in why
    relaxed = metrics.twitch_summary(t, ca, force, [5.0])
    assert metrics.cramp_flag(relaxed, resting_stable=True)[0] is False


def test_fdhm_is_nan_when_the_signal_never_comes_down():
    t = np.arange(0, 10, 0.1)
    assert math.isnan(metrics.fdhm(t, np.minimum(t, 5.0), 0))

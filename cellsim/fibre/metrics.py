"""What a user reads off a fibre run: twitch times, relaxation, cramp, force–pCa.

Every function takes plain arrays (from a live model or a results folder), so
the same code serves runs, sweeps and checks.
"""

from __future__ import annotations

import math

import numpy as np

#: Relaxation fails (a cramp) when force at the end of the run stays above this
#: fraction of the peak, or never falls to half of it.
CRAMP_RESIDUAL_FRACTION = 0.2


def smooth(values: np.ndarray, window: int = 3) -> np.ndarray:
    """Centred moving average (edges kept): damps particle-count noise."""
    if window <= 1 or len(values) < window:
        return np.asarray(values, dtype=float)
    kernel = np.ones(window) / window
    out = np.convolve(values, kernel, mode="same")
    half = window // 2
    out[:half] = values[:half]
    out[-half:] = values[-half:]
    return out


def fdhm(t_ms: np.ndarray, signal: np.ndarray, start: int) -> float:
    """Full duration at half maximum of the first peak at or after index ``start``."""
    seg = signal[start:]
    if seg.size == 0 or np.max(seg) <= 0:
        return math.nan
    k_peak = int(np.argmax(seg))
    half = seg[k_peak] / 2.0
    k_up = k_peak
    while k_up > 0 and seg[k_up - 1] >= half:
        k_up -= 1
    k_down = k_peak
    while k_down < seg.size - 1 and seg[k_down + 1] >= half:
        k_down += 1
    if k_down == seg.size - 1:
        return math.nan  # never came back down within the run
    tt = t_ms[start:]

    def cross(k0, k1):  # linear interpolation between samples k0 and k1
        y0, y1 = seg[k0], seg[k1]
        if y1 == y0:
            return tt[k1]
        return tt[k0] + (half - y0) * (tt[k1] - tt[k0]) / (y1 - y0)

    t_up = cross(k_up - 1, k_up) if k_up > 0 else tt[0]
    t_down = cross(k_down, k_down + 1)
    return float(t_down - t_up)


def twitch_summary(t_ms, ca_free_uM, force_fraction, stimulus_times_ms) -> dict:
    """The interface keys of summary.json for an intact-fibre run.

    ``peak_delta_ca_uM`` and ``ca_fdhm_ms`` refer to the first stimulus (the
    transient before any second stimulus); force keys to the whole run, with
    relaxation measured from the force peak after the last stimulus.
    """
    t = np.asarray(t_ms, dtype=float)
    ca = smooth(np.asarray(ca_free_uM, dtype=float))
    force = smooth(np.asarray(force_fraction, dtype=float))
    stims = sorted(stimulus_times_ms)
    first = stims[0] if stims else 0.0
    k0 = int(np.searchsorted(t, first))
    rest_ca = float(np.mean(ca[: max(k0, 1)]))
    end = len(t)
    if len(stims) > 1:
        end = max(int(np.searchsorted(t, stims[1])), k0 + 1)
    delta = ca - rest_ca
    peak_dca = float(np.max(delta[k0:end])) if end > k0 else 0.0
    fd = fdhm(t[:end], delta[:end], k0) if peak_dca > 0 else math.nan

    k_last = int(np.searchsorted(t, stims[-1])) if stims else 0
    peak_force = float(np.max(force)) if force.size else 0.0
    k_peak_all = int(np.argmax(force)) if force.size else 0
    k_peak_last = k_last + int(np.argmax(force[k_last:])) if force[k_last:].size else 0
    tail = force[-max(1, len(force) // 20) :]
    residual = float(np.mean(tail) / peak_force) if peak_force > 0 else 0.0
    half_relax = math.nan
    if peak_force > 0:
        below = np.flatnonzero(force[k_peak_last:] < 0.5 * force[k_peak_last])
        if below.size:
            half_relax = float(t[k_peak_last + below[0]] - t[k_peak_last])
    cramp = bool(
        peak_force > 0.05 and (residual > CRAMP_RESIDUAL_FRACTION or math.isnan(half_relax))
    )
    return {
        "resting_ca_uM": rest_ca,
        "peak_delta_ca_uM": peak_dca,
        "ca_fdhm_ms": fd,
        "peak_force_fraction": peak_force,
        "time_to_peak_force_ms": float(t[k_peak_all] - first) if force.size else math.nan,
        "half_relaxation_ms": half_relax,
        "residual_force_fraction": residual,
        "cramp": cramp,
        "cramp_criterion": f"residual_force_fraction > {CRAMP_RESIDUAL_FRACTION} or force "
        "never falls to half its last peak",
    }


def hill_force(pca, fmax, pca50, n):
    """Hill curve of force against pCa."""
    return fmax / (1.0 + 10.0 ** (n * (np.asarray(pca) - pca50)))


def fit_force_pca(pca, force) -> dict:
    """Least-squares Hill fit: ``fmax``, ``pca50``, ``hill_n`` (NaN if it fails)."""
    from scipy.optimize import curve_fit

    pca = np.asarray(pca, dtype=float)
    force = np.asarray(force, dtype=float)
    if len(set(pca[np.isfinite(force)].tolist())) < 3:  # three parameters need three levels
        return {
            "fmax": math.nan,
            "pca50": math.nan,
            "hill_n": math.nan,
            "hill_fit": "not fitted: fewer than 3 different pCa levels with a steady force",
        }
    try:
        guess = (max(force.max(), 1e-3), float(np.median(pca)), 3.0)
        (fmax, pca50, n), _ = curve_fit(hill_force, pca, force, p0=guess, maxfev=20000)
        return {"fmax": float(fmax), "pca50": float(pca50), "hill_n": float(n)}
    except (RuntimeError, ValueError):
        return {"fmax": math.nan, "pca50": math.nan, "hill_n": math.nan}


def clamp_summary(t_ms, force_fraction, pca_levels, hold_ms) -> dict:
    """Steady force per clamp level (mean over the last half of each hold) and Hill fit."""
    t = np.asarray(t_ms, dtype=float)
    force = np.asarray(force_fraction, dtype=float)
    steady = []
    for k, _ in enumerate(pca_levels):
        sel = (t > k * hold_ms + 0.5 * hold_ms) & (t <= (k + 1) * hold_ms)
        steady.append(float(np.mean(force[sel])) if sel.any() else math.nan)
    fit = fit_force_pca(pca_levels, steady)
    return {"pca": list(pca_levels), "steady_force_fraction": steady, **fit}

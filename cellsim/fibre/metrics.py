"""What a user reads off a fibre run: twitch and train figures, relaxation, cramp, force–pCa.

Every function takes plain arrays (from a live model or a results folder), so the same
code serves runs, sweeps and checks.  A figure that does not apply to a run (no FDHM
without a stimulus, no fusion index for one twitch, no relaxation 300 ms after the last
stimulus when the run ends sooner) is NaN, and ``not_applicable`` says why: never a
number that means nothing.
"""

from __future__ import annotations

import math

import numpy as np

#: Relaxation is judged this long after the last stimulus (the train targets' window).
RELAXATION_WINDOW_MS = 300.0
#: ... and fails (a cramp) when force is then still above this fraction of its peak.
CRAMP_RESIDUAL_FRACTION = 0.2
#: Force below this fraction of its peak counts as relaxed (relaxation time).
RELAXED_FRACTION = 0.1
#: Free Ca back below this counts as returned to rest after a train (µM).
CA_REST_LIMIT_UM = 0.3
#: What force_fraction means.
FORCE_NORMALISATION = (
    "attached crossbridges / (regulatory units x the crossbridges' maximal duty ratio "
    "f/(f+g)): 1 is full activation (every unit on), on average; a sample can exceed 1 "
    "by noise"
)


def smooth(values: np.ndarray, window: int = 3) -> np.ndarray:
    """Centred moving average (edges kept): damps particle-count noise."""
    values = np.asarray(values, dtype=float)
    if window <= 1 or len(values) < window:
        return values
    kernel = np.ones(window) / window
    out = np.convolve(values, kernel, mode="same")
    half = window // 2
    out[:half] = values[:half]
    out[-half:] = values[-half:]
    return out


def fdhm(t_ms: np.ndarray, signal: np.ndarray, start: int) -> float:
    """Full duration at half maximum of the first peak at or after index ``start``
    (NaN if the signal never comes back below half within the data)."""
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


#: Furaptra in mouse myoplasm at 16 °C: apparent Kd (µM) with which Baylor & Hollingworth
#: (2003, J Physiol 551:125) convert the indicator's Ca-bound fraction into Δ[Ca].
FURAPTRA_KD_UM = 96.0
#: Furaptra's Ca dissociation rate (ms⁻¹).  A low-affinity, rapidly responding indicator:
#: its reaction relaxes in ~15 µs (with k_on = k_off / Kd ≈ 0.75 µM⁻¹ms⁻¹); recalled
#: order of magnitude, and the measured FDHM changes by < 0.05 ms between 10 and 100 ms⁻¹.
FURAPTRA_KOFF_PER_MS = 72.0


def furaptra_delta_ca(t_ms, ca_free_uM, kd_uM=FURAPTRA_KD_UM, koff_per_ms=FURAPTRA_KOFF_PER_MS):
    """Free Ca as a furaptra measurement reports it (µM): the measurement model.

    Baylor & Hollingworth measure the indicator's Ca-bound fraction f (spatially
    averaged) and report ``Kd·f/(1 − f)``, which assumes the dye is in equilibrium
    with Ca.  This passes the model's spatially averaged free Ca through the dye's
    binding kinetics (df/dt = k_on·Ca·(1 − f) − k_off·f, solved exactly over each sample
    interval with Ca held at the interval's mean) and converts f back the same way.
    The dye's buffering of Ca inside the fibre is not included (the model fibre holds no
    dye), nor the non-linearity of averaging f over a non-uniform profile.
    """
    t = np.asarray(t_ms, dtype=float)
    ca = np.clip(np.asarray(ca_free_uM, dtype=float), 0.0, None)
    kon = koff_per_ms / kd_uM
    f = np.empty_like(ca)
    f[0] = ca[0] / (ca[0] + kd_uM)
    for k in range(1, len(ca)):
        c = 0.5 * (ca[k] + ca[k - 1])
        rate = kon * c + koff_per_ms
        f_eq = kon * c / rate
        f[k] = f_eq + (f[k - 1] - f_eq) * math.exp(-rate * (t[k] - t[k - 1]))
    return kd_uM * f / (1.0 - f)


def _value_at(t: np.ndarray, y: np.ndarray, time_ms: float) -> float:
    return float(np.interp(time_ms, t, y)) if t[0] <= time_ms <= t[-1] else math.nan


def spikes(t_ms, ca_free_uM, stimulus_times_ms) -> tuple[list[float], list[float]]:
    """Per stimulus of a train: the peak of free Ca before the next stimulus, and the
    trough (the value just before the next stimulus; none after the last)."""
    t = np.asarray(t_ms, dtype=float)
    ca = np.asarray(ca_free_uM, dtype=float)
    stims = sorted(stimulus_times_ms)
    peaks, troughs = [], []
    for k, start in enumerate(stims):
        end = stims[k + 1] if k + 1 < len(stims) else min(t[-1], start + _interval(stims))
        sel = (t >= start) & (t < end)
        if not sel.any():
            break
        peaks.append(float(np.max(ca[sel])))
        if k + 1 < len(stims):
            troughs.append(float(ca[sel][-1]))
    return peaks, troughs


def _interval(stims) -> float:
    return float(np.min(np.diff(stims))) if len(stims) > 1 else 50.0


def twitch_summary(t_ms, ca_free_uM, force_fraction, stimulus_times_ms, sr_ca_free_uM=None) -> dict:
    """The interface keys of summary.json for an intact-fibre run.

    ``peak_delta_ca_uM`` and ``ca_fdhm_ms`` refer to the first stimulus (the transient
    before any second stimulus); force keys to the whole run, with relaxation measured
    from the force peak after the last stimulus.  A train adds per-spike peaks and
    troughs, tetanic force, the fusion index and the relaxation after the train.
    """
    t = np.asarray(t_ms, dtype=float)
    ca = smooth(np.asarray(ca_free_uM, dtype=float))
    force = smooth(np.asarray(force_fraction, dtype=float))
    stims = sorted(float(s) for s in stimulus_times_ms if t[0] <= s <= t[-1])
    na: dict[str, str] = {}
    out: dict = {"stimulus_count": len(stims)}
    first = stims[0] if stims else None
    k0 = int(np.searchsorted(t, first)) if stims else len(t)
    out["resting_ca_uM"] = float(np.mean(ca[: max(k0, 1)]))
    out["final_ca_uM"] = float(np.mean(ca[-max(1, len(ca) // 20) :]))

    # --- the first transient
    out["peak_delta_ca_uM"] = out["ca_fdhm_ms"] = math.nan
    if stims:
        end = max(int(np.searchsorted(t, stims[1])), k0 + 1) if len(stims) > 1 else len(t)
        delta = ca - out["resting_ca_uM"]
        out["peak_delta_ca_uM"] = float(np.max(delta[k0:end])) if end > k0 else math.nan
        if out["peak_delta_ca_uM"] > 0:
            out["ca_fdhm_ms"] = fdhm(t[:end], delta[:end], k0)
        if math.isnan(out["ca_fdhm_ms"]):
            na["ca_fdhm_ms"] = (
                "free Ca does not fall below half its peak before the next stimulus or the "
                "end of the run"
            )
    else:
        na["peak_delta_ca_uM"] = na["ca_fdhm_ms"] = "no stimulus"

    # --- force
    peak = float(np.max(force)) if force.size else 0.0
    out["peak_force_fraction"] = peak
    out["time_to_peak_force_ms"] = out["half_relaxation_ms"] = math.nan
    out["relaxation_time_ms"] = math.nan
    if stims and peak > 0:
        k_peak = k0 + int(np.argmax(force[k0:]))
        out["time_to_peak_force_ms"] = float(t[k_peak] - first)
        k_last = int(np.searchsorted(t, stims[-1]))
        k_pl = k_last + int(np.argmax(force[k_last:]))
        below = np.flatnonzero(force[k_pl:] < 0.5 * force[k_pl])
        if below.size:
            out["half_relaxation_ms"] = float(t[k_pl + below[0]] - t[k_pl])
        else:
            na["half_relaxation_ms"] = "force does not fall to half its last peak within the run"
        relaxed = np.flatnonzero(force[k_pl:] < RELAXED_FRACTION * peak)
        if relaxed.size:
            out["relaxation_time_ms"] = float(t[k_pl + relaxed[0]] - stims[-1])
        else:
            na["relaxation_time_ms"] = (
                f"force does not fall below {RELAXED_FRACTION:g} of its peak within the run"
            )
    elif not stims:
        for key in ("time_to_peak_force_ms", "half_relaxation_ms", "relaxation_time_ms"):
            na[key] = "no stimulus"
    else:
        for key in ("time_to_peak_force_ms", "half_relaxation_ms", "relaxation_time_ms"):
            na[key] = "no force developed"
    tail = force[-max(1, len(force) // 20) :]
    out["residual_force_fraction"] = float(np.mean(tail) / peak) if peak > 0 else 0.0

    # --- after the last stimulus: the relaxation window
    after = stims[-1] + RELAXATION_WINDOW_MS if stims else math.nan
    out["ca_after_window_uM"] = _value_at(t, ca, after) if stims else math.nan
    out["force_after_window_fraction"] = (
        _value_at(t, force, after) / peak if stims and peak > 0 else math.nan
    )
    if stims and t[-1] < after:
        reason = (
            f"the run ends {t[-1] - stims[-1]:.0f} ms after the last stimulus; relaxation is "
            f"judged {RELAXATION_WINDOW_MS:g} ms after it"
        )
        na["ca_after_window_uM"] = na["force_after_window_fraction"] = reason
    elif not stims:
        na["ca_after_window_uM"] = na["force_after_window_fraction"] = "no stimulus"

    # --- trains
    train_keys = (
        "max_peak_over_first", "max_trough_ca_uM", "tetanic_force_fraction", "fusion_index",
        "sr_free_min_fraction",
    )  # fmt: skip
    for key in train_keys:
        out[key] = math.nan
    if len(stims) > 1:
        peaks, troughs = spikes(t, ca, stims)
        out["spike_peak_ca_uM"] = peaks
        out["spike_trough_ca_uM"] = troughs
        out["max_peak_over_first"] = (
            float(max(peaks[1:]) / peaks[0]) if len(peaks) > 1 else math.nan
        )
        out["max_trough_ca_uM"] = float(max(troughs)) if troughs else math.nan
        k_end = int(np.searchsorted(t, stims[-1] + _interval(stims)))
        out["tetanic_force_fraction"] = float(np.max(force[k0:k_end])) if k_end > k0 else math.nan
        sel = (t >= stims[-2]) & (t < stims[-1])
        if sel.any() and np.max(force[sel]) > 0:
            out["fusion_index"] = float(np.min(force[sel]) / np.max(force[sel]))
        else:
            na["fusion_index"] = "no force in the last interval of the train"
    else:
        for key in train_keys:
            na[key] = "needs a train (two stimuli or more)"
    if sr_ca_free_uM is not None and len(stims) > 1:
        sr = np.asarray(sr_ca_free_uM, dtype=float)
        out["sr_free_min_fraction"] = float(np.min(sr) / sr[0]) if sr[0] > 0 else math.nan
    na.setdefault("twitch_tetanus_ratio", "needs a single twitch and a tetanus: see "
                  "cellsim.fibre.experiments.force_frequency")  # fmt: skip
    out["not_applicable"] = na
    return out


def relaxation_failed(summary: dict) -> bool | None:
    """Whether force stays above ``CRAMP_RESIDUAL_FRACTION`` of its peak
    ``RELAXATION_WINDOW_MS`` after the last stimulus (None: not judged, the run is
    shorter, or there was no stimulus or no force)."""
    value = summary.get("force_after_window_fraction", math.nan)
    if value is None or math.isnan(value):
        return None
    return bool(value > CRAMP_RESIDUAL_FRACTION)


def cramp_flag(summary: dict, resting_stable: bool) -> tuple[bool, str]:
    """The cramp flag and what it rests on.

    A cramp is a fibre that cannot stay relaxed: either it has no stable resting state at
    its free Mg (spontaneous SR release: a mean-field property of the parameters, not of
    one run or one seed), or its force stays above a fifth of its peak
    ``RELAXATION_WINDOW_MS`` after the last stimulus (judged only when the run lasts that
    long).  Neither depends on run length beyond the window, nor on a single seed.
    """
    if not resting_stable:
        return True, "no stable resting state at this free Mg: the SR releases Ca by itself"
    failed = relaxation_failed(summary)
    if failed is None:
        return False, (
            f"resting state stable; relaxation not judged (needs a stimulus and "
            f"{RELAXATION_WINDOW_MS:g} ms of run after the last one)"
        )
    if failed:
        return True, (
            f"force still above {CRAMP_RESIDUAL_FRACTION:g} of its peak "
            f"{RELAXATION_WINDOW_MS:g} ms after the last stimulus"
        )
    return False, (
        f"resting state stable and force below {CRAMP_RESIDUAL_FRACTION:g} of its peak "
        f"{RELAXATION_WINDOW_MS:g} ms after the last stimulus"
    )


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
    return {
        "pca": list(pca_levels),
        "steady_force_fraction": steady,
        **fit,
    }

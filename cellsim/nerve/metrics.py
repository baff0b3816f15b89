"""What a user reads off nerve runs: measurements on arrays, never a model run.

Spike counts, spontaneous rate, mean quanta, log–log slopes, interpolated midpoints
and the NMDA block curve of a clamp run.  The experiments that build models to measure
a curve live in :mod:`cellsim.nerve.experiments`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


# ---- measurements ------------------------------------------------------------------------
def spike_count(spike_times_ms: np.ndarray) -> int:
    """Number of spikes."""
    return int(np.asarray(spike_times_ms).size)


def spontaneous_spikes(
    spike_times_ms: np.ndarray, stim_onsets_ms: np.ndarray, window_ms: float = 10.0
) -> np.ndarray:
    """Spikes not within ``window_ms`` after a stimulus onset (i.e. not evoked)."""
    spikes = np.asarray(spike_times_ms, dtype=float)
    onsets = np.asarray(stim_onsets_ms, dtype=float)
    if onsets.size == 0 or spikes.size == 0:
        return spikes
    idx = np.searchsorted(onsets, spikes, side="right") - 1
    evoked = (idx >= 0) & (spikes - onsets[np.maximum(idx, 0)] <= window_ms)
    return spikes[~evoked]


def spontaneous_rate_hz(
    spike_times_ms: np.ndarray,
    stim_onsets_ms: np.ndarray,
    duration_ms: float,
    window_ms: float = 10.0,
) -> float:
    """Rate of spikes not evoked by the stimulus, per second of run."""
    n = spontaneous_spikes(spike_times_ms, stim_onsets_ms, window_ms).size
    return 1000.0 * n / duration_ms if duration_ms > 0 else 0.0


def release_quanta_mean(quanta_per_ap: np.ndarray) -> float:
    """Mean quanta per terminal action potential (0 if the terminal never fired)."""
    q = np.asarray(quanta_per_ap)
    return float(q.mean()) if q.size else 0.0


def loglog_slope(x: Sequence[float], y: Sequence[float]) -> float:
    """Least-squares slope of log y against log x."""
    return float(np.polyfit(np.log(np.asarray(x, float)), np.log(np.asarray(y, float)), 1)[0])


def crossing(x: Sequence[float], y: Sequence[float], level: float = 0.5) -> float:
    """x where y (monotonic increasing in x) crosses ``level``, by linear interpolation."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    above = np.nonzero(y >= level)[0]
    if above.size == 0 or above[0] == 0:
        return float("nan")
    i = above[0]
    return float(x[i - 1] + (level - y[i - 1]) * (x[i] - x[i - 1]) / (y[i] - y[i - 1]))


def block_curve(timeseries: dict, voltages_mV: Sequence[float], step_ms: float) -> np.ndarray:
    """Unblocked NMDA fraction at each clamp step (mean over each step's second half)."""
    t = np.asarray(timeseries["time_ms"])
    u = np.asarray(timeseries["nmda_unblocked_fraction"])
    out = []
    for i, _ in enumerate(voltages_mV):
        sel = (t > (i + 0.5) * step_ms) & (t <= (i + 1) * step_ms)
        out.append(float(u[sel].mean()) if sel.any() else float("nan"))
    return np.asarray(out)

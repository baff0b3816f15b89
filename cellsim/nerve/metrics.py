"""What a user reads off nerve runs: measurements on arrays, never a model run.

Spike counts and spontaneous rate, multiplets (the doublets and bursts of tetany),
strength–duration fits, release statistics, log–log slopes and Dodge & Rahamimoff's
reciprocal analysis, interpolated midpoints and the NMDA block curve of a clamp run.  The
experiments that build models to measure a curve live in :mod:`cellsim.nerve.experiments`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence

import numpy as np

#: Spikes closer than this belong to one multiplet (illustrative: clinical doublets and
#: multiplets of tetany have intervals of a few to ~20 ms; isolated spikes are further
#: apart).
MULTIPLET_ISI_MS = 20.0


# ---- spikes --------------------------------------------------------------------------------
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


def multiplets(spike_times_ms: Sequence[float], max_isi_ms: float = MULTIPLET_ISI_MS) -> list:
    """Spikes grouped into runs whose intervals are all <= ``max_isi_ms``.

    A group of one is an isolated spike, of two a doublet, of three or more a multiplet.
    """
    spikes = np.asarray(spike_times_ms, dtype=float)
    if spikes.size == 0:
        return []
    breaks = np.nonzero(np.diff(spikes) > max_isi_ms)[0] + 1
    return [g.tolist() for g in np.split(spikes, breaks)]


def multiplet_summary(
    spike_times_ms: Sequence[float], max_isi_ms: float = MULTIPLET_ISI_MS
) -> dict[str, float | int | None]:
    """Doublets and multiplets of a spike train, for summaries and checks.

    ``multiplet_fraction`` is the share of spikes that belong to a group of two or more;
    ``intra_multiplet_isi_ms`` the median interval inside groups (None without groups).
    """
    groups = multiplets(spike_times_ms, max_isi_ms)
    sizes = np.array([len(g) for g in groups], dtype=int)
    n = int(sizes.sum())
    inside = [b - a for g in groups if len(g) > 1 for a, b in itertools.pairwise(g)]
    return {
        "multiplet_fraction": float(sizes[sizes > 1].sum() / n) if n else 0.0,
        "doublet_count": int((sizes == 2).sum()),
        "multiplet_count": int((sizes >= 3).sum()),
        "mean_multiplet_size": float(sizes.mean()) if sizes.size else 0.0,
        "max_multiplet_size": int(sizes.max()) if sizes.size else 0,
        "intra_multiplet_isi_ms": float(np.median(inside)) if inside else None,
    }


def onset_ca(ca_mM: Sequence[float], rate_hz: Sequence[float], level_hz: float = 2.0) -> float:
    """The highest Ca at which the rate reaches ``level_hz``, interpolated on the grid.

    The grid is sorted by Ca; between the highest firing point and the next Ca up (which
    does not fire), the crossing of ``level_hz`` is interpolated linearly.  NaN when the
    axon never fires; the highest Ca of the grid when it always does.
    """
    order = np.argsort(ca_mM)
    ca = np.asarray(ca_mM, float)[order]
    rate = np.asarray(rate_hz, float)[order]
    firing = np.nonzero(rate >= level_hz)[0]
    if firing.size == 0:
        return float("nan")
    i = firing.max()
    if i == ca.size - 1:
        return float(ca[i])
    r0, r1 = rate[i], rate[i + 1]
    return float(ca[i] + (r0 - level_hz) / (r0 - r1) * (ca[i + 1] - ca[i]))


# ---- excitability --------------------------------------------------------------------------
def weiss_fit(durations_ms: Sequence[float], thresholds: Sequence[float]) -> tuple[float, float]:
    """Rheobase and strength-duration time constant from Weiss' law, Q = I_rh (t + τ_SD).

    Least squares of the threshold charge against pulse width, as in Mogyoros, Kiernan &
    Burke (1996).  Returns (rheobase in the thresholds' unit, τ_SD in ms).
    """
    t = np.asarray(durations_ms, float)
    q = np.asarray(thresholds, float) * t
    slope, intercept = np.polyfit(t, q, 1)
    return float(slope), float(intercept / slope)


def ap_shape(time_ms: np.ndarray, v_mV: np.ndarray) -> dict[str, float]:
    """Rest (first sample), peak, amplitude and half-width of the largest AP of a trace."""
    t, v = np.asarray(time_ms, float), np.asarray(v_mV, float)
    i = int(np.argmax(v))
    rest = float(v[0])
    half = (v[i] + rest) / 2.0
    above = np.nonzero(v >= half)[0]
    # the contiguous run of samples above half amplitude around the peak
    start = i
    while start > 0 and v[start - 1] >= half:
        start -= 1
    end = i
    while end < v.size - 1 and v[end + 1] >= half:
        end += 1
    width = float(t[end] - t[start]) if above.size else float("nan")
    return {
        "rest_mV": rest,
        "peak_mV": float(v[i]),
        "amplitude_mV": float(v[i] - rest),
        "half_width_ms": width,
    }


# ---- release -------------------------------------------------------------------------------
def release_quanta_mean(quanta_per_ap: np.ndarray) -> float:
    """Mean quanta per terminal action potential (0 if the terminal never fired)."""
    q = np.asarray(quanta_per_ap)
    return float(q.mean()) if q.size else 0.0


def loglog_slope(x: Sequence[float], y: Sequence[float]) -> float:
    """Least-squares slope of log y against log x."""
    return float(np.polyfit(np.log(np.asarray(x, float)), np.log(np.asarray(y, float)), 1)[0])


def reciprocal_analysis(
    ca_mM: Sequence[float], release: Mapping[float, Sequence[float]], ca_max_mM: float = 1.0
) -> dict:
    """Dodge & Rahamimoff's analysis: release^(-1/4) against 1/[Ca] at each Mg.

    If release ∝ ([Ca]/(1 + [Ca]/K_Ca + [Mg]/K_Mg))⁴, then release^(-1/4) is linear in
    1/[Ca] with slope ∝ (1 + [Mg]/K_Mg) and an intercept ∝ 1/K_Ca independent of Mg.  For
    each Mg (points with Ca <= ``ca_max_mM``) this gives the line and its correlation;
    then the apparent K_Ca (slope / intercept at the lowest Mg, which must be 0) and K_Mg
    from how the slope grows with Mg, and how far apart the intercepts are.
    """
    ca = np.asarray(ca_mM, float)
    sel = ca <= ca_max_mM
    lines = {}
    for mg, rel in release.items():
        x = 1.0 / ca[sel]
        y = np.asarray(rel, float)[sel] ** -0.25
        slope, intercept = np.polyfit(x, y, 1)
        lines[float(mg)] = {
            "slope": float(slope),
            "intercept": float(intercept),
            "r": float(np.corrcoef(x, y)[0, 1]),
        }
    base = lines[min(lines)]
    k_mg = {
        mg: mg / (line["slope"] / base["slope"] - 1.0)
        for mg, line in lines.items()
        if mg > min(lines) and line["slope"] > base["slope"]
    }
    spread = max(abs(line["intercept"] / base["intercept"] - 1.0) for line in lines.values())
    return {
        "lines": lines,
        "k_ca_mM": base["slope"] / base["intercept"],
        "k_mg_mM": k_mg,
        "intercept_spread": float(spread),
    }


def release_law_fit(ca_mM: Sequence[float], release: Mapping[float, Sequence[float]]) -> dict:
    """Fit release = k ([Ca] / (1 + [Ca]/K_Ca + [Mg]/K_Mg))ⁿ to every point (log space).

    Returns K_Ca, K_Mg (mM), the power n and their standard errors.
    """
    from scipy.optimize import curve_fit

    xs, ys = [], []
    for mg, rel in release.items():
        for c, r in zip(ca_mM, rel, strict=True):
            xs.append((c, mg))
            ys.append(math.log(r))
    x = np.asarray(xs)

    def law(xm, log_k, k_ca, k_mg, n):
        c, m = xm[:, 0], xm[:, 1]
        return log_k + n * np.log(c / (1.0 + c / k_ca + m / k_mg))

    popt, pcov = curve_fit(
        law,
        x,
        np.asarray(ys),
        p0=[0.0, 1.0, 3.0, 4.0],
        bounds=([-50, 0.05, 0.05, 1.0], [50, 100, 100, 8.0]),
    )
    se = np.sqrt(np.diag(pcov))
    return {
        "k_ca_mM": float(popt[1]),
        "k_mg_mM": float(popt[2]),
        "n": float(popt[3]),
        "se": [float(s) for s in se],
    }


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

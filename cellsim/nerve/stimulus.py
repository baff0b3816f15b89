"""Protocol → per-step input arrays (the "how" of a run, kept out of the model).

A validated ``[protocol]`` table becomes four things the model consumes: the
axon stimulus current per step, the pulse onset times (which also drive the
terminal when the axon is not simulated), glutamate presence per step, and the
command voltage per step for voltage-clamp protocols.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Inputs:
    """Per-step arrays and event times derived from a protocol."""

    stim_uA_per_cm2: np.ndarray
    pulse_onsets_ms: np.ndarray
    glutamate: np.ndarray
    clamp_mV: np.ndarray | None
    voltage_steps_mV: tuple[float, ...]


def pulse_onsets_ms(protocol: dict, duration_ms: float) -> np.ndarray:
    """Onset times of the stimulus pulses: explicit ``times_ms`` or a regular train."""
    kind = protocol["stimulus"]
    if kind == "none":
        return np.zeros(0)
    if kind == "pulse":
        times = np.asarray(protocol["times_ms"], dtype=float)
    else:  # train
        period = 1000.0 / protocol["rate_hz"]
        times = np.arange(protocol["start_ms"], duration_ms, period)
        if protocol["count"] > 0:
            times = times[: protocol["count"]]
    return np.sort(times[(times >= 0) & (times < duration_ms)])


def square_pulses(
    onsets_ms: np.ndarray, width_ms: float, value: float, n_steps: int, dt_ms: float
) -> np.ndarray:
    """A per-step array equal to ``value`` for ``width_ms`` after each onset, else 0."""
    out = np.zeros(n_steps)
    width = max(1, round(width_ms / dt_ms))
    for t in onsets_ms:
        i = round(t / dt_ms)
        out[i : i + width] = value
    return out


def build_inputs(protocol: dict, duration_ms: float, dt_ms: float, nmda_clamped: bool) -> Inputs:
    """All per-step inputs for one run."""
    n = round(duration_ms / dt_ms)
    onsets = pulse_onsets_ms(protocol, duration_ms)
    stim = square_pulses(
        onsets, protocol["pulse_duration_ms"], protocol["amplitude_uA_per_cm2"], n, dt_ms
    )
    if nmda_clamped:
        glutamate = np.ones(n)  # saturating agonist while the voltage is stepped
        steps = tuple(protocol["voltage_steps_mV"])
        per = max(1, round(protocol["step_duration_ms"] / dt_ms))
        clamp = np.repeat(np.asarray(steps, dtype=float), per)[:n]
        if clamp.size < n:
            clamp = np.concatenate([clamp, np.full(n - clamp.size, steps[-1])])
        return Inputs(stim, onsets, glutamate, clamp, steps)
    glu_times = np.asarray(protocol["glutamate_times_ms"], dtype=float)
    if glu_times.size == 0 and protocol["glutamate_rate_hz"] > 0:
        glu_times = np.arange(
            protocol["start_ms"], duration_ms, 1000.0 / protocol["glutamate_rate_hz"]
        )
    glu_times = glu_times[(glu_times >= 0) & (glu_times < duration_ms)]
    glutamate = square_pulses(glu_times, protocol["glutamate_pulse_ms"], 1.0, n, dt_ms)
    return Inputs(stim, onsets, glutamate, None, ())

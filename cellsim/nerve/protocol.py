"""Protocols (what is done to the nerve) and run settings, and the per-step inputs they make.

The scenario tables ``[protocol]`` and ``[run]`` are generated from :class:`Protocol` and
:class:`RunSettings`.  A protocol becomes four things the model consumes
(:func:`build_inputs`): the current injected into the node per step, the pulse onset times
(which also drive the terminal when the axon is not simulated), glutamate presence per
step, and the command voltage per step for voltage-clamp protocols.  A per-step input is
made only for a part that reads it (a junction alone needs only the shock times), so a
long, mostly quiet junction run stays small.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from cellsim.schema import option
from cellsim.stimuli import train_times_ms

ENGINES = ("numba", "reference")


def _voltages_problem(values) -> str | None:
    if values and all(-150 <= v <= 100 for v in values):
        return None
    return "need 1+ voltages within -150..100 mV"


@dataclass(frozen=True)
class Protocol:
    """Stimuli: axon current pulses or trains; NMDA glutamate pulses or voltage steps."""

    RENAMED: ClassVar[dict[str, str]] = {
        "stimulus": "kind",
        "rate_hz": "frequency_hz",
        "glutamate_rate_hz": "glutamate_frequency_hz",
        "amplitude_uA_per_cm2": "amplitude_nA (a current into the node, not a density: "
        "threshold ~0.2 nA for a 0.1 ms pulse)",
    }

    kind: str = option(
        "none",
        "axon stimulus: none, pulses at times_ms, or a regular train",
        choices=("none", "pulses", "train"),
        renamed_values={"pulse": "pulses"},
    )
    times_ms: tuple[float, ...] = option((), "pulse onset times (kind = pulses)")
    start_ms: float = option(10.0, "first pulse of a train / glutamate train", low=0.0)
    frequency_hz: float = option(20.0, "train frequency", low=0.0, low_open=True, high=500.0)
    train_duration_ms: float = option(0.0, "train length (0: to the end of the run)", low=0.0)
    count: int = option(0, "pulses in the train at most (0: no limit)", low=0)
    amplitude_nA: float = option(
        1.0,
        "current injected into the node (threshold ~0.22 nA at 0.1 ms: 1 nA is ~5x)",
        low=0.0,
        high=100.0,
    )
    pulse_duration_ms: float = option(0.1, "pulse width", low=0.0, low_open=True, high=50.0)
    nmda_mode: str = option(
        "current",
        "NMDA neuron: 'current' clamp (free V) or 'clamp' (voltage steps)",
        choices=("current", "clamp"),
    )
    voltage_steps_mV: tuple[float, ...] = option(
        (-100.0, -80.0, -60.0, -40.0, -20.0, 0.0, 20.0, 40.0),
        "NMDA clamp voltages, in order",
        check=_voltages_problem,
    )
    step_duration_ms: float = option(20.0, "duration of each voltage step", low=0.0, low_open=True)
    glutamate_times_ms: tuple[float, ...] = option((), "glutamate pulse onsets (current mode)")
    glutamate_frequency_hz: float = option(
        10.0, "glutamate pulse rate if no times are given", low=0.0, high=1000.0
    )
    glutamate_pulse_ms: float = option(
        1.0, "glutamate pulse width", low=0.0, low_open=True, high=1000.0
    )


@dataclass(frozen=True)
class RunSettings:
    """Run settings: how long, how fine, which seed and engine."""

    RENAMED: ClassVar[dict[str, str]] = {
        "record_every_steps": "record_every_ms (an interval in ms, not a stride)",
        "snapshot_every_steps": "snapshot_every_ms (an interval in ms, not a stride)",
    }

    duration_ms: float = option(
        1000.0,
        "simulated time (at most 10 min; per-step inputs of the node and NMDA parts are "
        "held in memory)",
        low=0.0,
        low_open=True,
        high=600_000.0,
    )
    dt_us: float = option(
        5.0,
        "time step of the junction and the NMDA synapse, and of the inputs (a whole "
        "multiple of axon_dt_us)",
        low=0.0,
        low_open=True,
        high=10.0,
    )
    axon_dt_us: float = option(
        2.5,
        "time step of the node of Ranvier (the calibration was made at 2.5 us; 1 us is "
        "~2x slower and fires ~8 % less near threshold, docs/nerve.md)",
        low=0.0,
        low_open=True,
        high=5.0,
    )
    channel_agents: int = option(
        8,
        "node channels per family stepped one by one as agents; the others are exact "
        "state counts (-1: every channel an agent, slow)",
        low=-1,
    )
    seed: int = option(1, "seed of the counter-based random stream", low=0, high=2**63 - 1)
    record_every_ms: float = option(0.1, "interval of the time series", low=0.0, low_open=True)
    snapshot_every_ms: float = option(10.0, "interval of agent-state snapshots (0 = none)", low=0.0)
    expected_release: bool = option(
        False,
        "also follow every release site's sensor as a probability along its nanodomain Ca: "
        "the expected quanta of docked vesicles per AP (depletion cannot enter; slower)",
    )
    engine: str = option(
        "numba", "numba (fast) or reference (plain Python agents)", choices=ENGINES
    )
    threads: int = option(
        0, "numba threads (0 = automatic); results do not depend on it", low=0, high=256
    )

    @property
    def dt_ms(self) -> float:
        return self.dt_us / 1000.0

    @property
    def axon_substeps(self) -> int:
        """Node substeps per time step."""
        return max(1, round(self.dt_us / self.axon_dt_us))

    def problem(self) -> str | None:
        """A cross-setting mistake, in words (None if there is none)."""
        ratio = self.dt_us / self.axon_dt_us
        if abs(ratio - round(ratio)) > 1e-9 or ratio < 1:
            return (
                f"dt_us ({self.dt_us:g}) must be a whole multiple of axon_dt_us "
                f"({self.axon_dt_us:g}), e.g. dt_us = 5 with axon_dt_us = 1."
            )
        return None

    def steps(self, interval_ms: float) -> int:
        """An interval in whole steps (at least one)."""
        return max(1, round(interval_ms / self.dt_ms))


@dataclass(frozen=True)
class Inputs:
    """Per-step arrays and event times derived from a protocol (``None``: not needed)."""

    stim_nA: np.ndarray | None
    pulse_onsets_ms: np.ndarray
    glutamate: np.ndarray
    clamp_mV: np.ndarray | None
    voltage_steps_mV: tuple[float, ...]


def pulse_onsets_ms(protocol: Protocol, duration_ms: float) -> np.ndarray:
    """Onset times of the stimulus pulses: explicit ``times_ms`` or a regular train."""
    if protocol.kind == "none":
        return np.zeros(0)
    if protocol.kind == "pulses":
        times = np.asarray(protocol.times_ms, dtype=float)
    else:
        times = np.asarray(
            train_times_ms(
                protocol.start_ms,
                protocol.frequency_hz,
                protocol.train_duration_ms,
                protocol.count,
                duration_ms,
            )
        )
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


def build_inputs(
    protocol: Protocol,
    duration_ms: float,
    dt_ms: float,
    parts=("axon", "junction", "nmda"),
    nmda_clamped: bool = False,
) -> Inputs:
    """The per-step inputs of one run, for the parts that read them."""
    n = round(duration_ms / dt_ms)
    onsets = pulse_onsets_ms(protocol, duration_ms)
    stim = None  # no per-step array for a node without pulses (a long quiet run stays small)
    if "axon" in parts and onsets.size:
        stim = square_pulses(onsets, protocol.pulse_duration_ms, protocol.amplitude_nA, n, dt_ms)
    if "nmda" not in parts:
        return Inputs(stim, onsets, None, None, ())
    if nmda_clamped:
        glutamate = np.ones(n)  # saturating agonist while the voltage is stepped
        steps = tuple(protocol.voltage_steps_mV)
        per = max(1, round(protocol.step_duration_ms / dt_ms))
        clamp = np.repeat(np.asarray(steps, dtype=float), per)[:n]
        if clamp.size < n:
            clamp = np.concatenate([clamp, np.full(n - clamp.size, steps[-1])])
        return Inputs(stim, onsets, glutamate, clamp, steps)
    glu_times = np.asarray(protocol.glutamate_times_ms, dtype=float)
    if glu_times.size == 0 and protocol.glutamate_frequency_hz > 0:
        glu_times = np.arange(
            protocol.start_ms, duration_ms, 1000.0 / protocol.glutamate_frequency_hz
        )
    glu_times = glu_times[(glu_times >= 0) & (glu_times < duration_ms)]
    glutamate = square_pulses(glu_times, protocol.glutamate_pulse_ms, 1.0, n, dt_ms)
    return Inputs(stim, onsets, glutamate, None, ())

"""Protocols (what is done to the fibre) and run settings (for how long, how finely).

Kept apart from the parameter sets (what the fibre is), as the design asks; the
scenario tables ``[protocol]`` and ``[run]`` are generated from these two classes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from cellsim.schema import option
from cellsim.stimuli import train_times_ms

KINDS = ("none", "pulses", "train", "clamp")
ENGINES = ("numba", "reference")


def _pca_levels(values) -> str | None:
    return None if values else "give at least one pCa level"


@dataclass(frozen=True)
class Protocol:
    """Stimuli for an intact fibre, or bath levels for a skinned-fibre clamp.

    Attributes
    ----------
    kind
        ``"none"`` (rest), ``"pulses"`` (action potentials at ``times_ms``), ``"train"``
        (a regular train) or ``"clamp"`` (SR removed; sites exchange with a buffered bath
        of fixed free Ca, and the environment's free Mg).
    times_ms
        Action-potential times for ``kind = "pulses"``.
    start_ms, frequency_hz, train_duration_ms, count
        A train: from ``start_ms`` at ``frequency_hz`` for ``train_duration_ms`` (0: to the
        end of the run), at most ``count`` pulses (0: no limit).
    clamp_pca, clamp_hold_ms
        pCa levels of a skinned-fibre clamp, each held ``clamp_hold_ms`` in turn.
    """

    RENAMED: ClassVar[dict[str, str]] = {
        "stimulus_times_ms": "times_ms",
        "train_start_ms": "start_ms",
        "train_frequency_hz": "frequency_hz",
    }

    kind: str = option(
        "pulses",
        "rest, action potentials at times_ms, a regular train, or a skinned-fibre clamp",
        choices=KINDS,
        renamed_values={"single": "pulses"},
    )
    times_ms: tuple[float, ...] = option((5.0,), "action-potential times (kind = pulses)", low=0.0)
    start_ms: float = option(5.0, "first pulse of a train", low=0.0)
    frequency_hz: float = option(50.0, "train frequency", low=0.0, low_open=True, high=500.0)
    train_duration_ms: float = option(300.0, "train length (0: to the end of the run)", low=0.0)
    count: int = option(0, "pulses in the train at most (0: no limit)", low=0)
    clamp_pca: tuple[float, ...] = option(
        (7.0, 6.5, 6.2, 6.0, 5.8, 5.6, 5.4, 5.0, 4.5),
        "pCa levels of a skinned-fibre clamp, held in turn",
        low=3.0,
        high=9.0,
        check=_pca_levels,
    )
    clamp_hold_ms: float = option(300.0, "time each clamp level is held", low=1.0, high=1e6)

    @classmethod
    def single(cls, time_ms: float) -> Protocol:
        """One action potential at ``time_ms``."""
        return cls("pulses", (float(time_ms),))

    @classmethod
    def pulses(cls, times_ms) -> Protocol:
        """Action potentials at ``times_ms``."""
        return cls("pulses", tuple(sorted(float(t) for t in times_ms)))

    @classmethod
    def train(cls, start_ms: float, frequency_hz: float, duration_ms: float) -> Protocol:
        """Stimuli at ``frequency_hz`` from ``start_ms`` for ``duration_ms``."""
        return cls("train", start_ms=start_ms, frequency_hz=frequency_hz,
                   train_duration_ms=duration_ms)  # fmt: skip

    @classmethod
    def clamp(cls, pca_levels, hold_ms: float) -> Protocol:
        """Skinned fibre: each pCa level held for ``hold_ms`` in order."""
        return cls("clamp", clamp_pca=tuple(float(p) for p in pca_levels),
                   clamp_hold_ms=float(hold_ms))  # fmt: skip

    def stimulus_times_ms(self, end_ms: float = math.inf) -> tuple[float, ...]:
        """Sorted action-potential times (none for rest and clamps)."""
        if self.kind == "pulses":
            return tuple(sorted(self.times_ms))
        if self.kind == "train":
            return train_times_ms(
                self.start_ms, self.frequency_hz, self.train_duration_ms, self.count, end_ms
            )
        return ()

    @property
    def clamp_duration_ms(self) -> float:
        return self.clamp_hold_ms * len(self.clamp_pca)

    def clamp_levels_uM(self, mg_free_mM: float) -> tuple[tuple[float, float], ...]:
        """``(ca_uM, mg_uM)`` of each clamp level (the bath's Mg is the environment's)."""
        return tuple((10.0 ** (6.0 - pca), mg_free_mM * 1000.0) for pca in self.clamp_pca)

    def clamp_change_steps(self, dt_ms: float, mg_free_mM: float):
        """(step, level) at which the clamp bath switches to the next level."""
        if self.kind != "clamp":
            return []
        per = round(self.clamp_hold_ms / dt_ms)
        levels = self.clamp_levels_uM(mg_free_mM)
        return [(k * per, level) for k, level in enumerate(levels) if k > 0]


@dataclass(frozen=True)
class RunSettings:
    """How long and how finely to run, and how to record.

    Attributes
    ----------
    duration_ms
        Simulated time (a clamp runs for its levels × hold instead).
    dt_us
        Time step in microseconds; 0 (the default) lets the fibre choose the longest step
        its rates allow (5 µs for the mouse sets at 16 °C, 1 µs for the human set at
        37 °C, whose every rate is ~6 times faster).
    seed
        Seed of the counter-based random stream.
    record_every_ms
        Interval of the time series (rounded to whole steps).
    snapshot_every_ms
        Interval of particle snapshots for animations (0 = none).
    engine
        ``"numba"`` (default) or ``"reference"`` (plain-Python agents; slow).
    threads
        numba threads (0 = automatic, see :func:`cellsim.jit.kernel_threads`); results do
        not depend on it.
    """

    RENAMED: ClassVar[dict[str, str]] = {
        "record_every_steps": "record_every_ms (an interval in ms, not a stride)"
    }

    duration_ms: float = option(100.0, "simulated time", low=0.0, low_open=True, high=1e6)
    dt_us: float = option(
        0.0, "time step in microseconds (0 = the longest the fibre's rates allow)", low=0.0,
        high=100.0,
    )  # fmt: skip
    seed: int = option(1, "seed of the counter-based random stream", low=0, high=2**63 - 1)
    record_every_ms: float = option(0.1, "interval of the time series", low=0.0, low_open=True)
    snapshot_every_ms: float = option(1.0, "interval of particle snapshots (0 = none)", low=0.0)
    engine: str = option("numba", "numba (fast) or reference (plain-Python agents)",
                         choices=ENGINES)  # fmt: skip
    threads: int = option(0, "numba threads (0 = automatic); results do not depend on it",
                          low=0, high=256)  # fmt: skip

    @property
    def dt_ms(self) -> float:
        return self.dt_us / 1000.0

    @property
    def n_steps(self) -> int:
        return round(self.duration_ms / self.dt_ms)

    @property
    def record_every_steps(self) -> int:
        return max(1, round(self.record_every_ms / self.dt_ms))

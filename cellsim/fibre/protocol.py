"""Protocols (what is done to the fibre) and run settings (for how long, how finely).

Kept apart from the parameter sets (what the fibre is), as in DESIGN.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Protocol:
    """Stimulus times for an intact fibre, or bath levels for a skinned-fibre clamp.

    Attributes
    ----------
    kind
        ``"none"`` (rest), ``"stimuli"`` (action potentials at given times, from
        single shocks or trains) or ``"clamp"`` (SR removed; sites exchange with
        a buffered bath of fixed free Ca and Mg).
    stimulus_times_ms
        Action-potential times (sorted).
    clamp_levels_uM
        ``(ca_uM, mg_uM)`` for each clamp level, held ``clamp_hold_ms`` each.
    clamp_pca
        The pCa of each level (for summaries).
    clamp_hold_ms
        How long each clamp level is held.
    """

    kind: str = "none"
    stimulus_times_ms: tuple[float, ...] = ()
    clamp_levels_uM: tuple[tuple[float, float], ...] = field(default=())
    clamp_pca: tuple[float, ...] = ()
    clamp_hold_ms: float = 0.0

    @classmethod
    def single(cls, time_ms: float) -> Protocol:
        return cls("stimuli", (float(time_ms),))

    @classmethod
    def train(
        cls, start_ms: float, frequency_hz: float, duration_ms: float, extra_times_ms=()
    ) -> Protocol:
        """Stimuli at ``frequency_hz`` from ``start_ms`` for ``duration_ms``."""
        period = 1000.0 / frequency_hz
        n = math.floor(duration_ms / period + 1e-9)
        times = sorted({*(start_ms + k * period for k in range(max(n, 1))), *extra_times_ms})
        return cls("stimuli", tuple(times))

    @classmethod
    def clamp(cls, pca_levels, mg_free_mM: float, hold_ms: float) -> Protocol:
        """Skinned fibre: each pCa level held for ``hold_ms`` in order."""
        levels = tuple((10.0 ** (6.0 - pca), mg_free_mM * 1000.0) for pca in pca_levels)
        return cls("clamp", (), levels, tuple(float(p) for p in pca_levels), float(hold_ms))

    def clamp_change_steps(self, dt_ms: float) -> list[tuple[int, tuple[float, float]]]:
        """(step, level) at which the clamp bath switches to the next level."""
        if self.kind != "clamp":
            return []
        per = round(self.clamp_hold_ms / dt_ms)
        return [(k * per, level) for k, level in enumerate(self.clamp_levels_uM) if k > 0]


@dataclass(frozen=True)
class RunSettings:
    """How long and how finely to run, and how to record.

    Attributes
    ----------
    duration_ms
        Simulated time.
    dt_us
        Time step in microseconds.
    seed
        Seed of the counter-based random stream.
    record_every_steps
        Stride of the time series.
    engine
        ``"numba"`` (default) or ``"reference"`` (plain-Python agents; slow).
    snapshot_every_ms
        Interval of particle snapshots for animations (0 = none).
    """

    duration_ms: float = 100.0
    dt_us: float = 10.0
    seed: int = 1
    record_every_steps: int = 10
    engine: str = "numba"
    snapshot_every_ms: float = 1.0

    @property
    def dt_ms(self) -> float:
        return self.dt_us / 1000.0

    @property
    def n_steps(self) -> int:
        return round(self.duration_ms / self.dt_ms)

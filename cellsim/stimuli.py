"""Stimulus patterns shared by the scales (one vocabulary: times_ms, frequency_hz, count)."""

from __future__ import annotations

import math

import numpy as np


def train_times_ms(
    start_ms: float, frequency_hz: float, train_duration_ms: float, count: int, end_ms: float
) -> tuple[float, ...]:
    """Pulse times of a regular train, from ``start_ms`` at ``frequency_hz``.

    A train of ``train_duration_ms`` > 0 holds floor(duration / period) pulses (at least
    one); with 0 it runs until ``end_ms`` (pulses before it).  ``count`` > 0 caps the
    number of pulses.  Shared by every scale that takes trains.
    """
    period = 1000.0 / frequency_hz
    if train_duration_ms > 0:
        n = max(1, math.floor(train_duration_ms / period + 1e-9))
    else:
        n = len(np.arange(start_ms, end_ms, period)) if end_ms > start_ms else 0
    if count > 0:
        n = min(n, count)
    return tuple(start_ms + k * period for k in range(n))

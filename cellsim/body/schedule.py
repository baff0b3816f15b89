"""Intakes: diet meals and supplement doses as a list of timed boluses.

The model sees only :class:`Intake` objects (time in hours from the start of
the run, elemental mg of each ion, with or without food).  This module turns
the protocol's clock times and day lists into that list, so the ODE code never
parses strings.  Days are numbered from 1: day 1 is ``0 <= time_h < 24``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from cellsim.errors import ScenarioError

_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class Intake:
    """One bolus entering the gut lumen.

    Attributes
    ----------
    time_h
        Hours from the start of the run.
    ca_mg, mg_mg
        Elemental calcium and magnesium, mg.
    with_food
        A meal, or a dose taken with one: slows gut transit for a while.
    kind
        ``"meal"`` (background diet) or ``"dose"`` (a supplement).
    dose_index
        For doses: which ``[[protocol.doses]]`` entry it came from.
    """

    time_h: float
    ca_mg: float
    mg_mg: float
    with_food: bool
    kind: str = "dose"
    dose_index: int | None = None

    def __post_init__(self):
        for name in ("ca_mg", "mg_mg"):
            value = getattr(self, name)
            if not value >= 0:
                raise ScenarioError(f"dose {name} must be >= 0 mg, found {value!r}.")
        if not self.time_h >= 0:
            raise ScenarioError(f"intake time must be >= 0 h, found {self.time_h!r}.")


def clock_problem(text: str) -> str | None:
    """Why ``text`` is not a valid "HH:MM" clock time, or None if it is."""
    if not isinstance(text, str) or not _CLOCK.match(text.strip()):
        return 'expected a 24-hour clock time "HH:MM" such as "08:00" or "21:30"'
    return None


def parse_clock_h(text: str, where: str = "time") -> float:
    """Hours after midnight of a "HH:MM" string.

    Raises
    ------
    ScenarioError
        If the text is not a 24-hour clock time.
    """
    problem = clock_problem(text)
    if problem:
        raise ScenarioError(f"{where}: {problem}; found {text!r}.")
    hours, minutes = _CLOCK.match(text.strip()).groups()
    return int(hours) + int(minutes) / 60.0


def days_taken(days: list[int], from_day: int, until_day: int, n_days: int) -> list[int]:
    """Day numbers (1-based) on which a dose is taken.

    An empty ``days`` list means every day from ``from_day`` to ``until_day``
    (``until_day`` 0 means the last day of the run).
    """
    last = n_days if until_day == 0 else min(until_day, n_days)
    chosen = days if days else range(from_day, last + 1)
    return sorted({d for d in chosen if 1 <= d <= n_days and from_day <= d <= last})


def meals(
    ca_mg_per_day: float, mg_mg_per_day: float, meal_times_h: Iterable[float], n_days: int
) -> list[Intake]:
    """The background diet split equally over the meals of each day."""
    times = list(meal_times_h)
    if not times:
        return []
    share = 1.0 / len(times)
    return [
        Intake(24.0 * day + t, ca_mg_per_day * share, mg_mg_per_day * share, True, "meal")
        for day in range(n_days)
        for t in times
    ]


def doses(entries: list[dict], n_days: int) -> list[Intake]:
    """Supplement intakes from validated ``[[protocol.doses]]`` tables."""
    out = []
    for index, entry in enumerate(entries):
        clock_h = parse_clock_h(entry["time"], f"[[protocol.doses]][{index}].time")
        for day in days_taken(entry["days"], entry["from_day"], entry["until_day"], n_days):
            out.append(
                Intake(
                    24.0 * (day - 1) + clock_h,
                    entry["ca_mg"],
                    entry["mg_mg"],
                    entry["with_food"],
                    "dose",
                    index,
                )
            )
    return out

"""Protocols (what is taken, and when) and run settings of the body; the intakes they make.

The scenario tables ``[protocol]`` and ``[run]`` are generated from :class:`Protocol` and
:class:`RunSettings`.  The model sees only :class:`Intake` objects (time in hours from the
start of the run, elemental mg of each ion, with or without food): this module turns the
protocol's clock times and day lists into that list, so the ODE code never parses strings.
Days are numbered from 1: day 1 is ``0 <= time_h < 24``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from cellsim.errors import ScenarioError
from cellsim.schema import option

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


def doses(entries: tuple[Dose, ...], n_days: int) -> list[Intake]:
    """Supplement intakes from the protocol's doses."""
    out = []
    for index, entry in enumerate(entries):
        clock_h = parse_clock_h(entry.time, f"[[protocol.doses]][{index}].time")
        for day in days_taken(list(entry.days), entry.from_day, entry.until_day, n_days):
            out.append(
                Intake(
                    24.0 * (day - 1) + clock_h,
                    entry.ca_mg,
                    entry.mg_mg,
                    entry.with_food,
                    "dose",
                    index,
                )
            )
    return out


def _clock_list_problem(values) -> str | None:
    for value in values:
        problem = clock_problem(value)
        if problem:
            return f"{problem}; {value!r} is not"
    return None


def _positive_days(values) -> str | None:
    bad = [v for v in values if v < 1]
    return f"day numbers start at 1; found {bad}" if bad else None


@dataclass(frozen=True)
class Diet:
    """The background diet, split equally over the meals of each day."""

    ca_mg_per_day: float | None = option(
        None, "background dietary Ca; default the person's RDA", low=0.0, high=1e5
    )
    mg_mg_per_day: float | None = option(
        None, "background dietary Mg; default the person's RDA", low=0.0, high=1e5
    )
    meal_times: tuple[str, ...] = option(
        ("08:00", "13:00", "19:00"), "diet split equally over these", check=_clock_list_problem
    )


@dataclass(frozen=True, kw_only=True)
class Dose:
    """A supplement dose: elemental Ca and/or Mg at a clock time, on some days."""

    time: str = option(dataclasses.MISSING, 'clock time "HH:MM"', check=clock_problem)
    ca_mg: float = option(0.0, "elemental calcium", low=0.0, high=1e5)
    mg_mg: float = option(0.0, "elemental magnesium", low=0.0, high=1e5)
    with_food: bool = option(False, "taken with a meal (slows transit)")
    days: tuple[int, ...] = option((), "day numbers (1 = first); empty = every day",
                                   check=_positive_days)  # fmt: skip
    from_day: int = option(1, "first day taken (when days is empty)", low=1)
    until_day: int = option(0, "last day taken; 0 = to the end", low=0)


@dataclass(frozen=True, kw_only=True)
class Handoff:
    """A moment at which the body's environment drives nerve and fibre runs."""

    RENAMED: ClassVar[dict[str, str]] = {
        "kind": "removed: name the scales to run then with runs = [...]"
    }

    day: int = option(1, "day number (1 = first)", low=1)
    time: str = option(dataclasses.MISSING, 'clock time "HH:MM"', check=clock_problem)
    runs: tuple[str, ...] = option(
        (), "scales to run then, in order (a nerve drives a fibre); empty = all the others"
    )

    @property
    def label(self) -> str:
        return f"day{self.day}_{self.time.strip().replace(':', '')}"

    def time_h(self) -> float:
        return 24.0 * (self.day - 1) + parse_clock_h(self.time, "handoff time")


@dataclass(frozen=True)
class Protocol:
    """What is taken, and when: diet, supplement doses, hand-offs to nerve and fibre."""

    RENAMED: ClassVar[dict[str, str]] = {
        "checks": "handoffs (and their kind to runs = [...], the scales to run)"
    }

    diet: Diet = option(Diet(), "background diet")
    doses: tuple[Dose, ...] = option((), "supplement doses")
    handoffs: tuple[Handoff, ...] = option((), "times at which nerve and fibre runs start")


@dataclass(frozen=True)
class RunSettings:
    """How long, how finely."""

    duration_days: float = option(7.0, "simulated time", low=0.0, low_open=True, high=3650.0)
    record_every_min: float = option(15.0, "spacing of recorded time courses", low=0.5, high=1440.0)
    seed: int = option(1, "recorded only: the body model is deterministic", low=0)
    compare_competition: bool = option(
        False,
        "also run the other competition variant(s) and report them under 'competition_comparison'",
    )

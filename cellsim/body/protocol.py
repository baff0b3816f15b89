"""What is done to the body, and for how long: protocol and run settings, and their records.

The scenario tables ``[protocol]`` and ``[run]`` are generated from :class:`Protocol` and
:class:`RunSettings` (and the entry classes they hold: :class:`Diet`, :class:`Dose`,
:class:`InfusionEntry`, :class:`ClampEntry`, :class:`Handoff`).  The model sees only plain
records with times in hours from the start of the run: :class:`Intake` (a meal or a dose
entering the stomach), :class:`Infusion` (an IV rate into the extracellular fluid) and
:class:`Clamp` (a plasma ionised concentration held at a target).  This module turns the
protocol's clock times, day lists, salt forms and IV preparations into those records, so
the ODE code never parses strings.  Days are numbered from 1: day 1 is ``0 <= time_h < 24``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from cellsim.body.params import CA_MG_PER_MMOL, MG_MG_PER_MMOL
from cellsim.errors import ScenarioError
from cellsim.schema import option

_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")

#: Oral Mg salt forms and how they enter the gut.  A *soluble* salt is dissolved when it
#: reaches the intestine; an *oxide* (MgO, Mg(OH)2) is practically insoluble at intestinal
#: pH and must first dissolve in gastric acid, so what it offers for absorption is set by
#: its dissolution rate against gastric emptying (``mgo_dissolution_per_h``, fitted to the
#: 4 % of Firoz & Graber 2001).  Firoz & Graber 2001 found chloride, lactate and aspartate
#: "significantly higher and equivalent"; Lindberg et al. 1990 and Kappeler et al. 2017
#: found citrate better than oxide.  Ca salts are all treated as dissolved: with food,
#: carbonate and citrate are absorbed alike (Heaney et al. 2001).
MG_SALTS: dict[str, str] = {
    "citrate": "soluble",
    "chloride": "soluble",
    "lactate": "soluble",
    "aspartate": "soluble",
    "gluconate": "soluble",
    "glycinate": "soluble",
    "sulfate": "soluble",
    "acetate": "soluble",  # Fine et al. 1991 used Mg acetate
    "oxide": "oxide",
    "hydroxide": "oxide",
}


@dataclass(frozen=True)
class IVPreparation:
    """An IV salt: which ion it carries and how many mmol of it per gram of salt."""

    ion: str
    mmol_per_g: float
    source: str


#: IV preparations, dosed in grams of salt per hour (as written on drug charts).
IV_PREPARATIONS: dict[str, IVPreparation] = {
    # MgSO4.7H2O, 246.5 g/mol: 1 g = 4.06 mmol = 98.6 mg Mg
    "magnesium_sulfate": IVPreparation("mg", 1000.0 / 246.47, "MgSO4.7H2O, 246.5 g/mol"),
    # Ca gluconate monohydrate, 448.4 g/mol: 10 mL of a 10 % solution (1 g) = 2.23 mmol
    "calcium_gluconate": IVPreparation("ca", 1000.0 / 448.4, "Ca gluconate.H2O, 448.4 g/mol"),
    # CaCl2.2H2O, 147.0 g/mol: 1 g = 6.8 mmol = 273 mg Ca
    "calcium_chloride": IVPreparation("ca", 1000.0 / 147.0, "CaCl2.2H2O, 147.0 g/mol"),
}


# ------------------------------------------------------------------------------ records
@dataclass(frozen=True)
class Intake:
    """One oral bolus entering the stomach.

    Attributes
    ----------
    time_h
        Hours from the start of the run.
    ca_mg, mg_mg, p_mg
        Elemental calcium, magnesium and phosphorus, mg.
    with_food
        A meal, or a dose taken with one: gastric emptying slows for a while.
    kind
        ``"meal"`` (background diet) or ``"dose"`` (a supplement).
    dose_index
        For doses: which ``[[protocol.doses]]`` entry it came from.
    mg_salt
        Salt form of the Mg (a key of :data:`MG_SALTS`); food Mg counts as soluble.
    """

    time_h: float
    ca_mg: float
    mg_mg: float
    with_food: bool
    kind: str = "dose"
    dose_index: int | None = None
    p_mg: float = 0.0
    mg_salt: str = "citrate"

    def __post_init__(self):
        for name in ("ca_mg", "mg_mg", "p_mg"):
            value = getattr(self, name)
            if not value >= 0:
                raise ScenarioError(f"dose {name} must be >= 0 mg, found {value!r}.")
        if not self.time_h >= 0:
            raise ScenarioError(f"intake time must be >= 0 h, found {self.time_h!r}.")
        if self.mg_salt not in MG_SALTS:
            raise ScenarioError(_choice_message("Mg salt", self.mg_salt, MG_SALTS))

    @property
    def mg_is_oxide(self) -> bool:
        """Whether the Mg must dissolve in gastric acid before it can be absorbed."""
        return MG_SALTS[self.mg_salt] == "oxide"


@dataclass(frozen=True)
class Infusion:
    """A constant-rate IV infusion of Ca or Mg into the extracellular fluid."""

    ion: str
    rate_mmol_per_h: float
    start_h: float
    duration_h: float
    label: str = ""

    @property
    def end_h(self) -> float:
        return self.start_h + self.duration_h

    @property
    def total_mmol(self) -> float:
        return self.rate_mmol_per_h * self.duration_h

    @classmethod
    def of(cls, drug: str, rate_g_per_h: float, start_h: float, duration_h: float) -> Infusion:
        """An infusion of ``rate_g_per_h`` grams of an :data:`IV_PREPARATIONS` salt per hour."""
        prep = IV_PREPARATIONS[drug]
        return cls(prep.ion, rate_g_per_h * prep.mmol_per_g, start_h, duration_h, drug)

    @classmethod
    def bolus(cls, ion: str, mmol: float, start_h: float, over_min: float = 10.0) -> Infusion:
        """``mmol`` of ``ion`` given evenly over ``over_min`` minutes."""
        return cls(ion, mmol / (over_min / 60.0), start_h, over_min / 60.0, f"{ion} bolus")


@dataclass(frozen=True)
class Clamp:
    """Plasma ionised Ca or Mg held at a target, as in the classic clamp experiments.

    A controller adds the ion (as a Ca or Mg infusion would) or removes it (as citrate or
    EDTA does, by binding it) so that the ionised concentration stays at the target; the
    amount it moves is booked in the mass balance (``*_clamp_mmol``).
    """

    ion: str
    ionised_mM: float
    start_h: float
    end_h: float
    #: Relaxation rate of the controller: 40 per hour holds the target within ~2 min.
    gain_per_h: float = 40.0


# ------------------------------------------------------------------------------ helpers
def _choice_message(kind: str, word: str, options) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(options), n=3, cutoff=0.6)
    hint = (" Did you mean " + " or ".join(repr(c) for c in close) + "?") if close else ""
    return f"unknown {kind} {word!r}.{hint} Valid: {', '.join(sorted(options))}."


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


def day_time_h(day: int, clock: str, where: str = "time") -> float:
    """Hours from the start of the run of ``clock`` on ``day`` (day 1 = the first day)."""
    return 24.0 * (day - 1) + parse_clock_h(clock, where)


def days_taken(days: list[int], from_day: int, until_day: int, n_days: int) -> list[int]:
    """Day numbers (1-based) on which a dose is taken.

    An empty ``days`` list means every day from ``from_day`` to ``until_day``
    (``until_day`` 0 means the last day of the run).
    """
    last = n_days if until_day == 0 else min(until_day, n_days)
    chosen = days if days else range(from_day, last + 1)
    return sorted({d for d in chosen if 1 <= d <= n_days and from_day <= d <= last})


def meals(
    ca_mg_per_day: float,
    mg_mg_per_day: float,
    meal_times_h: Iterable[float],
    n_days: int,
    p_mg_per_day: float = 0.0,
) -> list[Intake]:
    """The background diet split equally over the meals of each day."""
    times = list(meal_times_h)
    if not times:
        return []
    share = 1.0 / len(times)
    return [
        Intake(
            24.0 * day + t,
            ca_mg_per_day * share,
            mg_mg_per_day * share,
            True,
            "meal",
            p_mg=p_mg_per_day * share,
        )
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
                    mg_salt=entry.salt,
                )
            )
    return out


def infusions(entries: tuple[InfusionEntry, ...]) -> list[Infusion]:
    """IV infusions from the protocol's entries."""
    return [
        Infusion.of(e.drug, e.rate_g_per_h, e.start_h(i), e.duration_h)
        for i, e in enumerate(entries)
    ]


def clamps(entries: tuple[ClampEntry, ...]) -> list[Clamp]:
    """Plasma clamps from the protocol's entries."""
    return [
        Clamp(e.ion, e.ionised_mM, e.start_h(i), e.start_h(i) + e.duration_h)
        for i, e in enumerate(entries)
    ]


def _clock_list_problem(values) -> str | None:
    for value in values:
        problem = clock_problem(value)
        if problem:
            return f"{problem}; {value!r} is not"
    return None


def _positive_days(values) -> str | None:
    bad = [v for v in values if v < 1]
    return f"day numbers start at 1; found {bad}" if bad else None


# ------------------------------------------------------------------------- the tables
@dataclass(frozen=True)
class Diet:
    """The background diet, split equally over the meals of each day."""

    ca_mg_per_day: float | None = option(
        None, "background dietary Ca; default the person's RDA", low=0.0, high=1e5
    )
    mg_mg_per_day: float | None = option(
        None, "background dietary Mg; default the person's RDA (or the preset's diet)",
        low=0.0, high=1e5,
    )  # fmt: skip
    p_mg_per_day: float | None = option(
        None, "background dietary phosphorus; default 1200 mg (usual intake)", low=0.0, high=1e5
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
    salt: str = option(
        "citrate", "salt form of the Mg: soluble salts, or oxide/hydroxide (must dissolve in "
        "gastric acid first)", choices=tuple(MG_SALTS),
    )  # fmt: skip
    with_food: bool = option(False, "taken with a meal (slows gastric emptying)")
    days: tuple[int, ...] = option((), "day numbers (1 = first); empty = every day",
                                   check=_positive_days)  # fmt: skip
    from_day: int = option(1, "first day taken (when days is empty)", low=1)
    until_day: int = option(0, "last day taken; 0 = to the end", low=0)


@dataclass(frozen=True, kw_only=True)
class InfusionEntry:
    """An IV infusion: a preparation, its rate in grams of salt per hour, start, duration."""

    drug: str = option(
        dataclasses.MISSING, "IV preparation: magnesium_sulfate (MgSO4.7H2O), "
        "calcium_gluconate or calcium_chloride", choices=tuple(IV_PREPARATIONS),
    )  # fmt: skip
    rate_g_per_h: float = option(
        dataclasses.MISSING, "grams of salt per hour (MgSO4: 4 g over 20 min = 12 g/h)",
        low=0.0, low_open=True, high=1000.0,
    )  # fmt: skip
    day: int = option(1, "day the infusion starts (1 = first)", low=1)
    time: str = option(dataclasses.MISSING, 'clock time it starts, "HH:MM"', check=clock_problem)
    duration_h: float = option(
        dataclasses.MISSING, "how long it runs (hours)", low=0.0, low_open=True, high=24.0 * 365
    )

    def start_h(self, index: int = 0) -> float:
        return day_time_h(self.day, self.time, f"[[protocol.infusions]][{index}].time")


@dataclass(frozen=True, kw_only=True)
class ClampEntry:
    """Plasma ionised Ca or Mg held at a value for a while (a clamp experiment)."""

    ion: str = option(dataclasses.MISSING, "the ion held: ca or mg", choices=("ca", "mg"))
    ionised_mM: float = option(
        dataclasses.MISSING, "the ionised concentration held (normal: Ca 1.2, Mg 0.5)",
        low=0.05, high=5.0,
    )  # fmt: skip
    day: int = option(1, "day the clamp starts (1 = first)", low=1)
    time: str = option(dataclasses.MISSING, 'clock time it starts, "HH:MM"', check=clock_problem)
    duration_h: float = option(
        dataclasses.MISSING, "how long it holds (hours)", low=0.0, low_open=True, high=24.0 * 60
    )

    def start_h(self, index: int = 0) -> float:
        return day_time_h(self.day, self.time, f"[[protocol.clamps]][{index}].time")


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
        return day_time_h(self.day, self.time, "handoff time")


@dataclass(frozen=True)
class Protocol:
    """What is done: diet, oral doses, IV infusions, plasma clamps, hand-offs."""

    RENAMED: ClassVar[dict[str, str]] = {
        "checks": "handoffs (and their kind to runs = [...], the scales to run)"
    }

    diet: Diet = option(Diet(), "background diet")
    doses: tuple[Dose, ...] = option((), "oral supplement doses")
    infusions: tuple[InfusionEntry, ...] = option((), "IV infusions (Ca gluconate, MgSO4 ...)")
    clamps: tuple[ClampEntry, ...] = option((), "plasma ionised Ca or Mg held at a value")
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
    dose_marginals: bool = option(
        True,
        "absorption of each dose as the difference between the run with and without it "
        "(24 extra simulated hours per dose)",
    )


def mmol(ion: str, mg: float) -> float:
    """Elemental mg of ``ion`` ("ca" or "mg") in mmol."""
    return mg / (CA_MG_PER_MMOL if ion == "ca" else MG_MG_PER_MMOL)

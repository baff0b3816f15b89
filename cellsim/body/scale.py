"""The body scale: its scenario tables, checks, one run, and the environment it hands on.

Scenario shape (a body alone; see :mod:`cellsim.scenario` for chains)::

    [body]                      # the model: who, which physiology
    person = "adult_female_19_50"
    parameter_set = "human_default"
    competition = "default"     # or "strong" (hypothesis)
    gfr_mL_per_min = 90         # any parameter of the set, by name

    [protocol]                  # what is taken, and when
    [protocol.diet]             # default: the person's RDAs in 3 meals
    ca_mg_per_day = 1000
    [[protocol.doses]]
    time = "08:00"; ca_mg = 500; mg_mg = 0; with_food = true
    [[protocol.handoffs]]       # the environment at 22:00 on day 7 drives nerve/fibre runs
    day = 7; time = "22:00"

    [run]                       # how long, how finely
    duration_days = 7; record_every_min = 15; seed = 1
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import ClassVar

import numpy as np

from cellsim.body import metrics, model, plots
from cellsim.body.params import (
    COMPETITION,
    DEFAULT_PERSON,
    PARAMETER_SETS,
    PERSONS,
    BodyParams,
    check_physical,
    get_person,
)
from cellsim.body.protocol import Protocol, RunSettings, doses, meals, parse_clock_h
from cellsim.environment import Environment
from cellsim.errors import ModelError, ScenarioError
from cellsim.output import Handoff, RunOutput
from cellsim.scales import Cost, ScaleBase, Setup
from cellsim.schema import Field, with_overrides

#: Rough single-core cost per simulated day on the development machine.
S_PER_DAY = 0.04

_COMPARED_KEYS = (
    "ca_absorbed_mg",
    "mg_absorbed_mg",
    "ca_absorbed_mg_per_dose",
    "mg_absorbed_mg_per_dose",
    "ca_absorbed_mg_per_day",
    "mg_absorbed_mg_per_day",
    "ca_fractional_absorption",
    "mg_fractional_absorption",
    "plasma_ica_mM",
    "plasma_mg_mM",
)


class BodyScale(ScaleBase):
    """Gut, kidney, hormones and bone as compartment ODEs (scipy)."""

    name = "body"
    level = 0
    description = "the body model: a person, a parameter set, a competition variant, overrides"
    params_type = BodyParams
    protocol_type = Protocol
    settings_type = RunSettings
    parameter_sets = PARAMETER_SETS
    default_parameter_set = "human_default"
    produces_environment = True
    model_options: ClassVar[dict[str, Field]] = {
        "person": Field(
            str,
            DEFAULT_PERSON,
            "sex/age preset choosing the default diet (RDAs)",
            choices=tuple(PERSONS),
        ),
        "competition": Field(
            str,
            "default",
            "Ca-Mg gut competition: 'default' (weak, human data) or 'strong' (hypothesis)",
            choices=tuple(COMPETITION),
        ),
    }
    renamed_model_keys: ClassVar[dict[str, str]] = {
        "overrides": "write parameter overrides directly in [body] "
        "(e.g. [body] gfr_mL_per_min = 90)"
    }

    def params_from(self, table: dict, where: str) -> BodyParams:
        """The set, then the competition variant, then the table's overrides (which win)."""
        base = with_overrides(
            self.parameter_sets[table["parameter_set"]], COMPETITION[table["competition"]]
        )
        skip = {"parameter_set", *self.model_options}
        params = with_overrides(base, {k: v for k, v in table.items() if k not in skip})
        try:
            return check_physical(params)
        except ModelError as err:
            raise ScenarioError(f"{where}: {err}") from None

    def check(self, setup: Setup, env: Environment, where: str) -> None:
        protocol, settings = setup.protocol, setup.settings
        for index, entry in enumerate(protocol.doses):
            if entry.ca_mg <= 0 and entry.mg_mg <= 0:
                raise ScenarioError(
                    f"{where}: [[protocol.doses]][{index}]: a dose needs ca_mg or mg_mg > 0 "
                    "(both are 0)."
                )
        duration_h = settings.duration_days * 24.0
        for index, handoff in enumerate(protocol.handoffs):
            if handoff.time_h() > duration_h:
                raise ScenarioError(
                    f"{where}: [[protocol.handoffs]][{index}]: day {handoff.day} "
                    f"{handoff.time} is after the end of the run "
                    f"({settings.duration_days:g} days)."
                )

    def handoff_runs(self, setup: Setup) -> list[tuple[str, ...]]:
        return [h.runs for h in setup.protocol.handoffs]

    def what_you_see(self, summary: dict) -> str:
        text = (
            "Days of diet and supplements in one person: the gut absorbs Ca and Mg (less of "
            "a large dose), the kidney excretes them, PTH and calcitriol hold plasma "
            "ionised Ca in range, and bone and cells exchange with plasma. figure.png: "
            "plasma ionised Ca and Mg against their normal ranges, intracellular free Mg "
            "(which changes over weeks, not days), PTH and calcitriol, what each dose "
            "gave, and daily urine."
        )
        handoffs = summary.get("handoffs") or {}
        if any(isinstance(r, dict) and r.get("runs") for r in handoffs.values()):
            text += (
                " At each hand-off the body's plasma of that moment is handed to a nerve or "
                "fibre run: its results are in the sub-folders."
            )
        return text

    def simulate(self, setup: Setup, env: Environment, *, progress: bool = False) -> RunOutput:
        params, protocol, settings = setup.params, setup.protocol, setup.settings
        intakes, duration_h = build_intakes(setup)
        times = [h.time_h() for h in protocol.handoffs]
        result = model.simulate(
            params,
            intakes,
            duration_h,
            record_every_h=settings.record_every_min / 60.0,
            check_times_h=times,
            progress=progress,
        )
        summary = metrics.summarise(result)
        summary.update(_header(setup, intakes))
        if settings.compare_competition:
            summary["competition_comparison"] = _compare(setup, intakes, duration_h, summary)
        states = {round(t, 9): s for t, s in result.checks}
        handoffs = [
            Handoff(h.label, t, environment_from_state(states[round(t, 9)], params), h.runs)
            for h, t in zip(protocol.handoffs, times, strict=True)
        ]
        return RunOutput(
            scale="body",
            timeseries=result.series(),
            summary=summary,
            seed=settings.seed,
            engine="scipy",
            figure=plots.figure,
            handoffs=handoffs,
        )

    def estimate(self, setup: Setup) -> Cost:
        days = setup.settings.duration_days
        segments = int(days * (6 + len(setup.protocol.doses)))
        records = days * 1440.0 / setup.settings.record_every_min
        return Cost(segments, memory_bytes=records * 8 * 30, seconds=0.2 + S_PER_DAY * days)


def build_intakes(setup: Setup):
    """(intakes, duration_h) for the diet and doses of a setup."""
    protocol, settings = setup.protocol, setup.settings
    duration_h = settings.duration_days * 24.0
    n_days = math.ceil(settings.duration_days - 1e-9)
    person = get_person(setup.option("person"))
    diet = protocol.diet
    meal_times = [parse_clock_h(t, "[protocol.diet] meal_times") for t in diet.meal_times]
    ca_diet = person.diet_ca_mg_per_day if diet.ca_mg_per_day is None else diet.ca_mg_per_day
    mg_diet = person.diet_mg_mg_per_day if diet.mg_mg_per_day is None else diet.mg_mg_per_day
    intakes = meals(ca_diet, mg_diet, meal_times, n_days)
    intakes += doses(protocol.doses, n_days)
    return intakes, duration_h


def _header(setup: Setup, intakes) -> dict:
    return {
        "person": setup.option("person"),
        "parameter_set": setup.params.name,
        "competition": setup.option("competition"),
        "diet_ca_mg_per_day": _diet(intakes, "ca_mg"),
        "diet_mg_mg_per_day": _diet(intakes, "mg_mg"),
    }


def _diet(intakes, attr: str) -> float:
    meals_day1 = [i for i in intakes if i.kind == "meal" and i.time_h < 24.0]
    return float(sum(getattr(i, attr) for i in meals_day1))


def _compare(setup: Setup, intakes, duration_h: float, summary: dict) -> dict:
    """The main run's absorption metrics beside those of every other competition variant."""
    mine = setup.option("competition")
    out = {mine: {k: summary[k] for k in _COMPARED_KEYS}}
    for variant in COMPETITION:
        if variant == mine:
            continue
        params = with_overrides(setup.params, COMPETITION[variant])
        other = model.simulate(params, intakes, duration_h, record_every_h=1.0)
        other_summary = metrics.summarise(other)
        out[variant] = {k: other_summary[k] for k in _COMPARED_KEYS}
    return out


def environment_from_state(state: np.ndarray, params: BodyParams) -> Environment:
    """The Environment nerve and fibre see, for one body state vector."""
    _, ica, _, img = model.plasma_concentrations(state[model.CA_ECF], state[model.MG_ECF], params)
    return Environment.from_plasma(ica, img, state[model.MG_ICF])


def environment_at(run_output_or_series, time_h: float) -> Environment:
    """The ionic Environment at ``time_h`` of a body run (linear interpolation).

    Parameters
    ----------
    run_output_or_series
        A body :class:`RunOutput`, a :class:`cellsim.body.model.SimulationResult`,
        or a mapping of time courses with ``time_h``, ``plasma_ica_mM``,
        ``plasma_img_mM`` and ``mg_icf_free_mM`` (e.g. a results folder's table).
    time_h
        Hours from the start of the run.

    Raises
    ------
    ModelError
        If ``time_h`` is outside the run or the input is not a body run.
    """
    if isinstance(run_output_or_series, RunOutput):
        series = run_output_or_series.timeseries
    elif isinstance(run_output_or_series, model.SimulationResult):
        series = run_output_or_series.series()
    elif isinstance(run_output_or_series, Mapping):
        series = run_output_or_series
    else:
        raise ModelError(
            "environment_at needs a body RunOutput, a SimulationResult or a "
            f"mapping of time courses, got {type(run_output_or_series).__name__}."
        )
    needed = ("time_h", "plasma_ica_mM", "plasma_img_mM", "mg_icf_free_mM")
    missing = [k for k in needed if k not in series]
    if missing:
        raise ModelError(f"environment_at: not a body run (missing {', '.join(missing)}).")
    t = np.asarray(series["time_h"], dtype=float)
    if not t[0] - 1e-9 <= time_h <= t[-1] + 1e-9:
        raise ModelError(
            f"environment_at: time_h = {time_h:g} is outside the run ({t[0]:g}-{t[-1]:g} h)."
        )

    def at(key):
        return float(np.interp(time_h, t, np.asarray(series[key], dtype=float)))

    return Environment.from_plasma(at("plasma_ica_mM"), at("plasma_img_mM"), at("mg_icf_free_mM"))


BODY = BodyScale()

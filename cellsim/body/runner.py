"""The body scale's entry point for scenario files.

The loader validates the ``[body]``, ``[protocol]`` and ``[run]`` tables with
the three schemas below and calls :func:`run`.  Scenario shape::

    [body]                      # the model: who, which physiology
    person = "adult_female_19_50"
    parameter_set = "human_default"
    competition = "default"     # or "strong" (hypothesis)
    [body.overrides]            # any BodyParams field, by name
    gfr_mL_per_min = 90

    [protocol]                  # what is taken, and when
    [protocol.diet]             # default: the person's RDAs in 3 meals
    ca_mg_per_day = 1000
    mg_mg_per_day = 320
    meal_times = ["08:00", "13:00", "19:00"]
    [[protocol.doses]]
    time = "08:00"; ca_mg = 500; mg_mg = 0; with_food = true
    days = []                   # or from_day / until_day; empty = every day
    [[protocol.checks]]         # optional: record the Environment for nerve/fibre
    day = 3; time = "22:00"; kind = "twitch"

    [run]                       # how long, how finely
    duration_days = 7; record_every_min = 15; seed = 1
    compare_competition = false # also run the other competition variant(s)
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from cellsim.body import metrics, model, plots
from cellsim.body.params import (
    COMPETITION,
    DEFAULT_PERSON,
    PARAMETER_SETS,
    PERSONS,
    check_override,
    get_person,
    resolve_params,
)
from cellsim.body.schedule import clock_problem, doses, meals, parse_clock_h
from cellsim.environment import Environment
from cellsim.errors import ModelError, ScenarioError
from cellsim.output import RunOutput
from cellsim.schema import Field, ListOf, Table

MODEL_TABLE = "body"


def _clock_list_problem(values: list[str]) -> str | None:
    for value in values:
        problem = clock_problem(value)
        if problem:
            return f"{problem}; {value!r} is not"
    return None


def _positive_days(values: list[int]) -> str | None:
    bad = [v for v in values if v < 1]
    return f"day numbers start at 1; found {bad}" if bad else None


MODEL_SCHEMA = Table(
    {
        "person": Field(
            str,
            DEFAULT_PERSON,
            "sex/age preset choosing the default diet (RDAs)",
            choices=tuple(PERSONS),
        ),
        "parameter_set": Field(
            str, "human_default", "named, cited physiology", choices=tuple(PARAMETER_SETS)
        ),
        "competition": Field(
            str,
            "default",
            "Ca-Mg gut competition: 'default' (weak, human data) or 'strong' (hypothesis)",
            choices=tuple(COMPETITION),
        ),
        "overrides": Table(
            {},
            "replace single parameters by name",
            optional=True,
            extra=lambda key, value, where: check_override(key, value, where),
        ),
    },
    doc="the body model",
)

DIET_SCHEMA = Table(
    {
        "ca_mg_per_day": Field(
            float, None, "background dietary Ca; default the person's RDA", minimum=0.0
        ),
        "mg_mg_per_day": Field(
            float, None, "background dietary Mg; default the person's RDA", minimum=0.0
        ),
        "meal_times": Field(
            str,
            ["08:00", "13:00", "19:00"],
            "diet split equally over these",
            is_list=True,
            check=_clock_list_problem,
        ),
    },
    optional=True,
)

DOSE_SCHEMA = Table(
    {
        "time": Field(str, doc='clock time "HH:MM"', check=clock_problem),
        "ca_mg": Field(float, 0.0, "elemental calcium", minimum=0.0),
        "mg_mg": Field(float, 0.0, "elemental magnesium", minimum=0.0),
        "with_food": Field(bool, False, "taken with a meal (slows transit)"),
        "days": Field(
            int,
            [],
            "day numbers (1 = first); empty = every day",
            is_list=True,
            check=_positive_days,
        ),
        "from_day": Field(int, 1, "first day taken (when days is empty)", minimum=1),
        "until_day": Field(int, 0, "last day taken; 0 = to the end", minimum=0),
    }
)

CHECK_SCHEMA = Table(
    {
        "time": Field(str, doc='clock time "HH:MM"', check=clock_problem),
        "day": Field(int, 1, "day number (1 = first)", minimum=1),
        "kind": Field(
            str,
            "twitch",
            "what the fibre/nerve should test then",
            choices=("twitch", "spontaneous_firing"),
        ),
    }
)

PROTOCOL_SCHEMA = Table(
    {
        "diet": DIET_SCHEMA,
        "doses": ListOf(DOSE_SCHEMA, "supplement doses"),
        "checks": ListOf(CHECK_SCHEMA, "times at which to hand the Environment on"),
    },
    doc="diet, supplement doses, checks",
)

RUN_SCHEMA = Table(
    {
        "duration_days": Field(
            float, 7.0, "simulated time", minimum=0.0, exclusive_minimum=True, maximum=3650.0
        ),
        "record_every_min": Field(
            float, 15.0, "spacing of recorded time courses", minimum=0.5, maximum=1440.0
        ),
        "seed": Field(int, 1, "recorded only: the body model is deterministic"),
        "compare_competition": Field(
            bool,
            False,
            "also run the other competition variant(s) "
            "and report them under 'competition_comparison'",
        ),
    },
    doc="run settings",
)

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


def run(scenario: dict, *, progress: bool = False) -> RunOutput:
    """Run a validated body scenario.

    Parameters
    ----------
    scenario
        Dict with ``"scenario"``, ``"body"``, ``"protocol"``, ``"run"`` (and
        ``"output"``, unused here), already validated with this module's schemas.
    progress
        Show a progress bar over simulated days.

    Returns
    -------
    RunOutput
        ``scale="body"``, ``engine="scipy"``; time courses keyed from ``time_h``;
        the summary of :mod:`cellsim.body.metrics` plus ``checks`` and, if asked,
        ``competition_comparison``.
    """
    body, protocol, settings = scenario["body"], scenario["protocol"], scenario["run"]
    params = _params(body, body["competition"])
    intakes, duration_h = build_intakes(body, protocol, settings)
    checks = _check_times(protocol.get("checks", []), duration_h)
    result = model.simulate(
        params,
        intakes,
        duration_h,
        record_every_h=settings["record_every_min"] / 60.0,
        check_times_h=[c["time_h"] for c in checks],
        progress=progress,
    )
    summary = metrics.summarise(result)
    summary.update(_header(scenario, body, intakes))
    summary["checks"] = _check_records(checks, result)
    if settings.get("compare_competition"):
        summary["competition_comparison"] = _compare(body, intakes, duration_h, summary)
    return RunOutput(
        scale="body",
        timeseries=result.series(),
        summary=summary,
        seed=settings["seed"],
        engine="scipy",
        figure=plots.figure,
    )


def _params(body: dict, competition: str):
    return resolve_params(
        body["parameter_set"], body["person"], competition, body.get("overrides") or {}
    )


def build_intakes(body: dict, protocol: dict, settings: dict):
    """(intakes, duration_h) for the diet and doses of a validated scenario."""
    duration_h = settings["duration_days"] * 24.0
    n_days = math.ceil(settings["duration_days"] - 1e-9)
    person = get_person(body["person"])
    diet = protocol.get("diet") or {}
    ca_diet = diet.get("ca_mg_per_day")
    mg_diet = diet.get("mg_mg_per_day")
    meal_times = [
        parse_clock_h(t, "[protocol.diet] meal_times")
        for t in diet.get("meal_times", ["08:00", "13:00", "19:00"])
    ]
    entries = protocol.get("doses", [])
    for index, entry in enumerate(entries):
        if entry["ca_mg"] <= 0 and entry["mg_mg"] <= 0:
            raise ScenarioError(
                f"[[protocol.doses]][{index}]: a dose needs ca_mg or mg_mg > 0 (both are 0)."
            )
    intakes = meals(
        person.diet_ca_mg_per_day if ca_diet is None else ca_diet,
        person.diet_mg_mg_per_day if mg_diet is None else mg_diet,
        meal_times,
        n_days,
    )
    intakes += doses(entries, n_days)
    return intakes, duration_h


def _check_times(entries: list[dict], duration_h: float) -> list[dict]:
    out = []
    for index, entry in enumerate(entries):
        clock = parse_clock_h(entry["time"], f"[[protocol.checks]][{index}].time")
        time_h = 24.0 * (entry["day"] - 1) + clock
        if time_h > duration_h:
            raise ScenarioError(
                f"[[protocol.checks]][{index}]: day {entry['day']} "
                f"{entry['time']} is after the end of the run "
                f"({duration_h / 24.0:g} days)."
            )
        out.append({**entry, "time_h": time_h})
    return out


def _check_records(checks: list[dict], result: model.SimulationResult) -> list[dict]:
    states = {round(t, 9): s for t, s in result.checks}
    records = []
    for check in checks:
        state = states[round(check["time_h"], 9)]
        env = environment_from_state(state, result.params)
        records.append(
            {
                "day": check["day"],
                "time": check["time"],
                "kind": check["kind"],
                "time_h": check["time_h"],
                **env.__dict__,
            }
        )
    return records


def _header(scenario: dict, body: dict, intakes) -> dict:
    return {
        "scenario": (scenario.get("scenario") or {}).get("name", ""),
        "person": body["person"],
        "parameter_set": body["parameter_set"],
        "competition": body["competition"],
        "diet_ca_mg_per_day": _diet(intakes, "ca_mg"),
        "diet_mg_mg_per_day": _diet(intakes, "mg_mg"),
    }


def _diet(intakes, attr: str) -> float:
    meals_day1 = [i for i in intakes if i.kind == "meal" and i.time_h < 24.0]
    return float(sum(getattr(i, attr) for i in meals_day1))


def _compare(body: dict, intakes, duration_h: float, summary: dict) -> dict:
    """The main run's absorption metrics beside those of every other competition variant."""
    out = {body["competition"]: {k: summary[k] for k in _COMPARED_KEYS}}
    for variant in COMPETITION:
        if variant == body["competition"]:
            continue
        other = model.simulate(_params(body, variant), intakes, duration_h, record_every_h=1.0)
        other_summary = metrics.summarise(other)
        out[variant] = {k: other_summary[k] for k in _COMPARED_KEYS}
    return out


def environment_from_state(state: np.ndarray, params) -> Environment:
    """The Environment seen by nerve and fibre for one body state vector."""
    _, ica, _, img = model.plasma_concentrations(state[model.CA_ECF], state[model.MG_ECF], params)
    return Environment(
        ca_ionised_mM=float(ica),
        mg_ionised_mM=float(img),
        mg_free_intracellular_mM=float(state[model.MG_ICF]),
    )


def environment_at(run_output_or_state, time_h: float) -> Environment:
    """The ionic Environment at ``time_h``, for chaining body -> nerve/fibre.

    Parameters
    ----------
    run_output_or_state
        A body :class:`RunOutput`, a :class:`cellsim.body.model.SimulationResult`,
        or a mapping of time courses with ``time_h``, ``plasma_ica_mM``,
        ``plasma_img_mM`` and ``mg_icf_free_mM`` (e.g. a results folder's table).
    time_h
        Hours from the start of the run; linear interpolation between records.

    Raises
    ------
    ModelError
        If ``time_h`` is outside the run or the input is not a body run.
    """
    if isinstance(run_output_or_state, RunOutput):
        series = run_output_or_state.timeseries
    elif isinstance(run_output_or_state, model.SimulationResult):
        series = run_output_or_state.series()
    elif isinstance(run_output_or_state, Mapping):
        series = run_output_or_state
    else:
        raise ModelError(
            "environment_at needs a body RunOutput, a SimulationResult or a "
            f"mapping of time courses, got {type(run_output_or_state).__name__}."
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

    return Environment(
        ca_ionised_mM=at("plasma_ica_mM"),
        mg_ionised_mM=at("plasma_img_mM"),
        mg_free_intracellular_mM=at("mg_icf_free_mM"),
    )

"""The body scale: its scenario tables, checks, one run, and the environment it hands on.

Scenario shape (a body alone; see :mod:`cellsim.scenario` for chains)::

    [body]                      # the model: who, which physiology
    person = "adult_female_19_50"
    parameter_set = "human_default"
    competition = "default"     # or "strong" (hypothesis)
    preset = "healthy"          # or a disease / drug: "thiazide", "hypoparathyroidism" ...
    gfr_mL_per_min = 90         # any parameter of the set, by name

    [protocol]                  # what is done, and when
    [protocol.diet]             # default: the person's RDAs in 3 meals
    ca_mg_per_day = 1000
    [[protocol.doses]]
    time = "08:00"; ca_mg = 500; mg_mg = 250; salt = "citrate"; with_food = true
    [[protocol.infusions]]      # IV: grams of salt per hour
    drug = "magnesium_sulfate"; rate_g_per_h = 2; day = 1; time = "08:00"; duration_h = 6
    [[protocol.clamps]]         # hold plasma ionised Ca (or Mg) at a value
    ion = "ca"; ionised_mM = 1.0; day = 1; time = "08:00"; duration_h = 2
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
    PRESETS,
    RENAMED_KEYS,
    BodyParams,
    check_physical,
    get_person,
    get_preset,
)
from cellsim.body.protocol import (
    IV_PREPARATIONS,
    Protocol,
    RunSettings,
    clamps,
    doses,
    infusions,
    meals,
    parse_clock_h,
)
from cellsim.environment import Environment
from cellsim.errors import ModelError, ScenarioError
from cellsim.output import Handoff, RunOutput
from cellsim.scales import Cost, ScaleBase, Setup
from cellsim.schema import Field, with_overrides

#: Rough single-core cost per simulated day (main run) on the development machine, and
#: per dose (its marginal: a day more): 30 days of the baseline integrate in ~0.36 s.
S_PER_DAY = 0.015
S_FIRST_RUN = 3.0  # the healthy reference state, once per machine and model version

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
    """Gut, kidney, hormones, bone and cells as compartment ODEs (scipy)."""

    name = "body"
    level = 0
    description = (
        "the body model: a person, a parameter set, a competition variant, a disease or drug "
        "preset, parameter overrides"
    )
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
        "preset": Field(
            str,
            "healthy",
            "a disease or drug as named parameter changes: " + ", ".join(PRESETS),
            choices=tuple(PRESETS),
        ),
    }
    renamed_model_keys: ClassVar[dict[str, str]] = RENAMED_KEYS

    def params_from(self, table: dict, where: str) -> BodyParams:
        """The set, its competition variant, the preset, then the table's overrides."""
        params = with_overrides(
            self.parameter_sets[table["parameter_set"]], COMPETITION[table["competition"]]
        )
        params = with_overrides(params, get_preset(table["preset"]).changes)
        skip = {"parameter_set", *self.model_options}
        params = with_overrides(params, {k: v for k, v in table.items() if k not in skip})
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
        for table, entries, when in (
            ("handoffs", protocol.handoffs, lambda e, i: e.time_h()),
            ("infusions", protocol.infusions, lambda e, i: e.start_h(i)),
            ("clamps", protocol.clamps, lambda e, i: e.start_h(i)),
        ):
            for index, entry in enumerate(entries):
                if when(entry, index) > duration_h + 1e-9:
                    raise ScenarioError(
                        f"{where}: [[protocol.{table}]][{index}]: day {entry.day} "
                        f"{entry.time} is after the end of the run "
                        f"({settings.duration_days:g} days)."
                    )
        held = clamps(protocol.clamps)
        for a, b in ((a, b) for i, a in enumerate(held) for b in held[i + 1 :]):
            if a.ion == b.ion and a.start_h < b.end_h and b.start_h < a.end_h:
                raise ScenarioError(
                    f"{where}: [[protocol.clamps]]: two clamps of {a.ion} overlap in time "
                    f"({a.start_h:g}-{a.end_h:g} h and {b.start_h:g}-{b.end_h:g} h); a plasma "
                    "concentration can be held at one value at a time."
                )

    def handoff_runs(self, setup: Setup) -> list[tuple[str, ...]]:
        return [h.runs for h in setup.protocol.handoffs]

    def what_you_see(self, summary: dict) -> str:
        text = (
            "Days to months of diet, supplements, IV infusions or clamps in one person: the "
            "gut absorbs Ca, Mg and phosphate (less of a large dose), the kidney excretes "
            "them segment by segment, PTH (released from a gland store) and calcitriol (made "
            "with a lag of hours) hold ionised Ca in range, bone and cells exchange with "
            "plasma. figure.png: the protocol as a timeline; plasma Ca, Mg and phosphate "
            "against their normal ranges; cell and CSF Mg (regulated: they move little); PTH "
            "and calcitriol; what each dose added (the run with it minus the run without "
            "it); daily urine; bone and cell stores. The takeaway line at the bottom is "
            "computed from the run."
        )
        if summary.get("preset", "healthy") != "healthy":
            text += (
                f" The preset '{summary['preset']}' changes parameters against the fixed "
                "healthy reference: see docs/body.md for what it changes and why."
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
        inputs = build_inputs(setup)
        times = [h.time_h() for h in protocol.handoffs]
        result, marginals = run_inputs(params, inputs, settings, times, progress=progress)
        summary = metrics.summarise(result, marginals)
        summary.update(_header(setup, inputs))
        summary.update(_protocol_events(setup, inputs))
        if settings.compare_competition:
            summary["competition_comparison"] = _compare(setup, inputs, summary)
        handoffs = [
            Handoff(h.label, t, environment_from_state(result.state_at(t), params), h.runs)
            for h, t in zip(protocol.handoffs, times, strict=True)
        ]
        summary["handoff_plasma"] = [
            _plasma_at(h, result.state_at(h.time_h), params) for h in handoffs
        ]
        summary["takeaway"] = metrics.takeaway(summary)
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
        segments = int(days * (7 + len(setup.protocol.doses)))
        n_doses = len(build_inputs(setup)["intakes"]) - int(
            math.ceil(days) * len(setup.protocol.diet.meal_times)
        )
        marginal_days = n_doses if setup.settings.dose_marginals else 0
        variants = len(COMPETITION) if setup.settings.compare_competition else 1
        records = days * 1440.0 / setup.settings.record_every_min
        seconds = S_PER_DAY * (days + marginal_days) * variants
        return Cost(segments, memory_bytes=records * 8 * 80, seconds=seconds + S_FIRST_RUN)


def build_inputs(setup: Setup) -> dict:
    """The run's oral intakes, infusions and clamps, and its duration in hours."""
    protocol, settings = setup.protocol, setup.settings
    n_days = math.ceil(settings.duration_days - 1e-9)
    person = get_person(setup.option("person"))
    preset = get_preset(setup.option("preset"))
    diet = protocol.diet
    defaults = {
        "ca_mg_per_day": person.diet_ca_mg_per_day,
        "mg_mg_per_day": person.diet_mg_mg_per_day,
        "p_mg_per_day": setup.params.ref_diet_p_mg_per_day,
        **preset.diet,
    }
    daily = {k: defaults[k] if getattr(diet, k) is None else getattr(diet, k) for k in defaults}
    meal_times = [parse_clock_h(t, "[protocol.diet] meal_times") for t in diet.meal_times]
    intakes = meals(
        daily["ca_mg_per_day"], daily["mg_mg_per_day"], meal_times, n_days, daily["p_mg_per_day"]
    )
    intakes += doses(protocol.doses, n_days)
    return {
        "intakes": intakes,
        "infusions": infusions(protocol.infusions),
        "clamps": clamps(protocol.clamps),
        "duration_h": settings.duration_days * 24.0,
        "diet": daily,
    }


def run_inputs(params: BodyParams, inputs: Mapping, settings, check_times_h=(), progress=False):
    """One simulation of built inputs, and each dose's marginal absorption (or None)."""
    duration_h = inputs["duration_h"]
    keep = list(check_times_h)
    if settings.dose_marginals:
        keep += model.marginal_times_h(inputs["intakes"], duration_h)
    result = model.simulate(
        params,
        inputs["intakes"],
        duration_h,
        infusions=inputs["infusions"],
        clamps=inputs["clamps"],
        record_every_h=settings.record_every_min / 60.0,
        check_times_h=keep,
        progress=progress,
    )
    marginals = model.dose_marginals(result) if settings.dose_marginals else None
    return result, marginals


def _header(setup: Setup, inputs: Mapping) -> dict:
    return {
        "person": setup.option("person"),
        "parameter_set": setup.params.name,
        "competition": setup.option("competition"),
        "preset": setup.option("preset"),
        "diet_ca_mg_per_day": inputs["diet"]["ca_mg_per_day"],
        "diet_mg_mg_per_day": inputs["diet"]["mg_mg_per_day"],
        "diet_p_mg_per_day": inputs["diet"]["p_mg_per_day"],
    }


def _protocol_events(setup: Setup, inputs: Mapping) -> dict:
    """Where the protocol changes: what the figure marks (read back from summary.json)."""
    protocol = setup.protocol
    duration_h = inputs["duration_h"]
    events = []
    for index, entry in enumerate(protocol.doses):
        if entry.days:
            continue
        if entry.from_day > 1:
            events.append(
                {
                    "time_h": 24.0 * (entry.from_day - 1),
                    "kind": "dose",
                    "label": f"dose {index + 1} starts",
                }
            )
        if entry.until_day and 24.0 * entry.until_day < duration_h:
            events.append(
                {
                    "time_h": 24.0 * entry.until_day,
                    "kind": "dose",
                    "label": f"dose {index + 1} ends",
                }
            )
    spans = []
    for index, (entry, inf) in enumerate(zip(protocol.infusions, inputs["infusions"], strict=True)):
        ion = IV_PREPARATIONS[entry.drug].ion
        spans.append(
            {
                "start_h": inf.start_h,
                "end_h": inf.end_h,
                "kind": "infusion",
                "ion": ion,
                "label": f"IV {entry.drug.replace('_', ' ')} {entry.rate_g_per_h:g} g/h",
                "name": f"IV {entry.drug.replace('_', ' ')}",
                "mmol": inf.total_mmol,
                "index": index,
            }
        )
    for index, c in enumerate(inputs["clamps"]):
        spans.append(
            {
                "start_h": c.start_h,
                "end_h": c.end_h,
                "kind": "clamp",
                "ion": c.ion,
                "label": f"{'Ca' if c.ion == 'ca' else 'Mg'} clamp {c.ionised_mM:g} mM",
                "name": f"{'ionised Ca' if c.ion == 'ca' else 'ionised Mg'} clamped at "
                f"{c.ionised_mM:g} mM",
                "index": index,
            }
        )
    for h in protocol.handoffs:
        events.append({"time_h": h.time_h(), "kind": "handoff", "label": f"hand-off {h.label}"})
    return {"protocol_events": sorted(events, key=lambda e: e["time_h"]), "protocol_spans": spans}


def _compare(setup: Setup, inputs: Mapping, summary: dict) -> dict:
    """The main run's absorption beside that of every other competition variant."""
    mine = setup.option("competition")
    out = {mine: {k: summary[k] for k in _COMPARED_KEYS}}
    for variant in COMPETITION:
        if variant == mine:
            continue
        params = with_overrides(setup.params, COMPETITION[variant])
        result, marginals = run_inputs(params, inputs, setup.settings)
        other = metrics.summarise(result, marginals)
        out[variant] = {k: other[k] for k in _COMPARED_KEYS}
    return out


def _plasma_at(handoff: Handoff, state: np.ndarray, params: BodyParams) -> dict:
    env = handoff.environment
    vd_mg = model.distribution_volumes_L(params)[1]
    return {
        "label": handoff.label,
        "time_h": handoff.time_h,
        "ica_mM": env.ca_ionised_mM,
        "mg_mM": float(state[model.MG_ECF] / vd_mg),
        "mg_free_mM": env.mg_free_intracellular_mM,
    }


def environment_from_state(state: np.ndarray, params: BodyParams) -> Environment:
    """The Environment nerve and fibre see, for one body state (see ``from_plasma``)."""
    vd_ca, vd_mg, _ = model.distribution_volumes_L(params)
    ica = state[model.CA_ECF] / vd_ca * params.ca_ionised_fraction
    img = state[model.MG_ECF] / vd_mg * params.mg_ionised_fraction
    return Environment.from_plasma(
        ica, img, state[model.MG_FREE], mg_csf_mM=float(state[model.MG_CSF])
    )


def environment_at(run_output_or_series, time_h: float) -> Environment:
    """The ionic Environment at ``time_h`` of a body run (linear interpolation).

    Parameters
    ----------
    run_output_or_series
        A body :class:`RunOutput`, a :class:`cellsim.body.model.SimulationResult`,
        or a mapping of time courses with ``time_h``, ``plasma_ica_mM``,
        ``plasma_img_mM``, ``mg_icf_free_mM`` (and ``mg_csf_mM``), e.g. a results
        folder's table.
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

    csf = at("mg_csf_mM") if "mg_csf_mM" in series else None
    return Environment.from_plasma(
        at("plasma_ica_mM"), at("plasma_img_mM"), at("mg_icf_free_mM"), mg_csf_mM=csf
    )


BODY = BodyScale()

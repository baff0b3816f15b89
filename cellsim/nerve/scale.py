"""The nerve scale: its scenario tables, checks, one run, and what a run costs.

``[nerve]`` chooses a parameter set, the parts to run (axon, junction, NMDA synapse)
and overrides any parameter by name; ``[protocol]`` stimulates the axon or the NMDA
neuron; ``[run]`` sets duration, step, seed and engine.  The nerve reads extracellular
ionised Ca and Mg and the temperature from the environment, and hands the muscle action
potentials its end plate produces on to a fibre.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from cellsim.environment import Environment
from cellsim.errors import ScenarioError
from cellsim.jit import kernel_threads
from cellsim.nerve import metrics
from cellsim.nerve.model import PARALLEL_MIN_AGENTS, PARTS, NerveModel
from cellsim.nerve.params import DEFAULT_PARAMETER_SET, PARAMETER_SETS, NerveParams
from cellsim.nerve.protocol import Protocol, RunSettings, build_inputs
from cellsim.output import RunOutput
from cellsim.scales import Cost, ScaleBase, Setup
from cellsim.schema import Field

#: Rough single-core cost on the development machine, per simulated ms at dt 10 µs.
S_PER_MS_AT_10US = 0.007
NEVER = 2**62  # a stride or threshold that is never reached


def _parts_problem(value: list) -> str | None:
    bad = [v for v in value if v not in PARTS]
    if bad:
        return f"unknown part(s) {bad}; choose from {list(PARTS)}"
    if not value:
        return "choose at least one part"
    return None


class NerveScale(ScaleBase):
    """Motor axon, neuromuscular junction and NMDA synapse as stochastic agents."""

    name = "nerve"
    level = 1
    description = (
        "Nerve model: parameter set and parts; other keys override parameters of the set "
        "by name (e.g. area_um2 = 10)."
    )
    params_type = NerveParams
    protocol_type = Protocol
    settings_type = RunSettings
    parameter_sets = PARAMETER_SETS
    default_parameter_set = DEFAULT_PARAMETER_SET
    starts_thread_pool = True  # the nerve kernel holds parallel loops
    model_options: ClassVar[dict[str, Field]] = {
        "parts": Field(
            str,
            ["axon", "junction"],
            "which parts to run: axon, junction, nmda",
            is_list=True,
            check=_parts_problem,
        )
    }
    renamed_model_keys: ClassVar[dict[str, str]] = {
        "ca_o_mM": "to [environment] ca_ionised_mM",
        "mg_o_mM": "to [environment] mg_ionised_mM",
        "sweep": "removed: `cellsim sweep` varies any key, e.g. environment.ca_ionised_mM "
        "(see scenarios/sweeps/release_vs_ca.toml)",
    }
    compile_s = 10.0  # numba compiles the kernel on a first run (2-core machine)
    key_figures = ("spontaneous_rate_hz", "spike_count", "muscle_ap_count", "release_quanta_mean")

    def what_you_see(self, summary: dict) -> str:
        from cellsim.nerve import plots

        return plots.what_you_see(summary)

    def check(self, setup: Setup, env: Environment, where: str) -> None:
        seen = env.over(setup.params.conditions)
        if not seen.ca_ionised_mM > 0:
            raise ScenarioError(
                f"{where}: [environment] ca_ionised_mM must be > 0 mM for the nerve "
                f"(its screening law is logarithmic), found {seen.ca_ionised_mM!r}."
            )
        settings = setup.settings
        for key in ("record_every_ms", "snapshot_every_ms"):
            value = getattr(settings, key)
            if value and value < settings.dt_ms:
                raise ScenarioError(
                    f"{where}: [run] {key} must be >= the time step ({settings.dt_ms:g} ms)."
                )

    def build(
        self, setup: Setup, env: Environment, *, agents: bool = True, into: NerveModel = None
    ) -> NerveModel:
        """The NerveModel a setup describes, in an environment (built ``into`` a new object)."""
        params, protocol, settings = setup.params, setup.protocol, setup.settings
        seen = env.over(params.conditions)
        params = at_temperature(params, seen.temperature_C)
        parts = tuple(setup.option("parts"))
        duration = settings.duration_ms
        nmda_clamped = "nmda" in parts and protocol.nmda_mode == "clamp"
        inputs = build_inputs(protocol, duration, settings.dt_ms, nmda_clamped)
        n_agents = params.n_na + params.n_k + params.n_release_sites * params.channels_per_site
        threads = kernel_threads(settings.threads, n_agents, PARALLEL_MIN_AGENTS)
        if threads > 1:
            import numba

            numba.set_num_threads(threads)
        snapshot_steps = (
            settings.steps(settings.snapshot_every_ms) if settings.snapshot_every_ms else NEVER
        )
        model = into if into is not None else NerveModel.__new__(NerveModel)
        model._build(
            params,
            ca_o_mM=seen.ca_ionised_mM,
            mg_o_mM=seen.mg_ionised_mM,
            duration_ms=duration,
            dt_us=settings.dt_us,
            seed=settings.seed,
            parts=parts,
            stim_uA_per_cm2=inputs.stim_uA_per_cm2,
            terminal_onsets_ms=inputs.pulse_onsets_ms if "axon" not in parts else (),
            glutamate=inputs.glutamate,
            clamp_mV=inputs.clamp_mV,
            clamped=("nmda",) if nmda_clamped else (),
            record_every_steps=settings.steps(settings.record_every_ms),
            snapshot_every_steps=snapshot_steps,
            engine=settings.engine,
            agents=agents or settings.engine == "reference",
            parallel_min_agents=PARALLEL_MIN_AGENTS if threads > 1 else NEVER,
        )
        model.inputs = inputs
        return model

    def simulate(self, setup: Setup, env: Environment, *, progress: bool = False) -> RunOutput:
        from cellsim.nerve import plots

        model = self.build(setup, env)
        model.run(progress=progress)
        inputs = model.inputs
        summary = summarise(model, inputs, setup.protocol, setup.settings.duration_ms)
        events = {
            "spike_times_ms": model.spike_times_ms,
            "muscle_ap_times_ms": model.muscle_ap_times_ms,
            "stimulus_onsets_ms": inputs.pulse_onsets_ms,
            "quanta_per_terminal_ap": model.quanta_per_terminal_ap.astype(float),
            "nmda_spike_times_ms": model.nmda_spike_times_ms,
        }
        hands_on = {}
        if "junction" in model.parts:
            hands_on["muscle_ap_times_ms"] = tuple(float(t) for t in model.muscle_ap_times_ms)
        return RunOutput(
            scale="nerve",
            timeseries=model.timeseries(),
            summary=summary,
            seed=setup.settings.seed,
            engine=setup.settings.engine,
            snapshots=model.snapshot_arrays() if setup.settings.snapshot_every_ms else {},
            events=events,
            figure=plots.figure,
            key_figures=self.key_figures,
            hands_on=hands_on,
        )

    def estimate(self, setup: Setup) -> Cost:
        settings = setup.settings
        steps = round(settings.duration_ms / settings.dt_ms)
        # a step's work grows with the channel agents: beyond the bundled sets' ~3000,
        # proportionally (an area or a density a thousand times larger costs that much)
        agents = _agents(setup.params, tuple(setup.option("parts")))
        work = max(1.0, agents / REFERENCE_AGENTS)
        seconds = 1.0 + S_PER_MS_AT_10US * settings.duration_ms * 10.0 / settings.dt_us * work
        # per-step inputs (stimulus, glutamate, clamp) and records held in memory (Python
        # floats in Mesa's DataCollector: ~40 bytes a value)
        memory = steps * 8 * 3 + steps / settings.steps(settings.record_every_ms) * 40 * 12
        memory += agents * 2.0  # int8 state arrays (gate and block)
        return Cost(steps=steps, memory_bytes=float(memory), seconds=seconds)


#: Channel agents of the default set with every part: the reference of S_PER_MS_AT_10US.
REFERENCE_AGENTS = 3000.0


def _agents(p: NerveParams, parts: tuple[str, ...]) -> float:
    """Channel and site agents a run makes (as floats: a huge override must not overflow)."""
    n = 0.0
    if "axon" in parts:
        n += float(p.na_density_per_um2) * p.area_um2 + float(p.k_density_per_um2) * p.area_um2
    if "junction" in parts:
        n += float(p.n_release_sites) * (p.channels_per_site + 4)
    if "nmda" in parts:
        n += float(p.n_nmda)
    return n


def at_temperature(params: NerveParams, temperature_C: float) -> NerveParams:
    """The set with its gating rates scaled from its own temperature by its Q10."""
    reference = params.conditions.temperature_C
    if temperature_C is None or temperature_C == reference:
        return params
    factor = params.q10_gating ** ((temperature_C - reference) / 10.0)
    return dataclasses.replace(params, temperature_factor=params.temperature_factor * factor)


def summarise(model: NerveModel, inputs, protocol: Protocol, duration_ms: float) -> dict[str, Any]:
    """The summary of a nerve run: spikes, release, muscle APs, NMDA."""
    spikes = model.spike_times_ms
    quanta = model.quanta_per_terminal_ap
    terminal_aps = int(quanta.size)
    muscle = model.muscle_ap_times_ms
    parts = model.parts
    s: dict[str, Any] = {
        "title": f"ionised Ca {model.ca_o_mM:g} mM, Mg {model.mg_o_mM:g} mM",
        "parameter_set": model.params.name,
        "parts": list(parts),
        "ca_o_mM": model.ca_o_mM,
        "mg_o_mM": model.mg_o_mM,
        "screening_shift_mV": round(
            model.params.screening_shift_mV(model.ca_o_mM, model.mg_o_mM), 3
        ),
        "stimulus_pulses": int(inputs.pulse_onsets_ms.size),
        "spike_count": metrics.spike_count(spikes),
        "spontaneous_rate_hz": metrics.spontaneous_rate_hz(
            spikes, inputs.pulse_onsets_ms, duration_ms
        )
        if "axon" in parts
        else 0.0,
        "terminal_ap_count": terminal_aps,
        "release_quanta_mean": metrics.release_quanta_mean(quanta),
        "muscle_ap_count": int(muscle.size),
        "transmission_fraction": muscle.size / terminal_aps if terminal_aps else None,
        "nmda_spike_count": int(model.nmda_spike_times_ms.size),
    }
    # a figure of a part that was not simulated, or a mean over no events, is no number:
    # None (null in summary.json) with the reason, never a 0 that looks measured
    reasons = {}
    if "axon" not in parts:
        reasons["spike_count"] = reasons["spontaneous_rate_hz"] = "no axon simulated"
    if not terminal_aps:
        reasons["release_quanta_mean"] = "the terminal never fired"
        reasons["transmission_fraction"] = "the terminal never fired"
    if reasons:
        s.update(dict.fromkeys(reasons))
        s["not_applicable"] = reasons
    if inputs.voltage_steps_mV:
        curve = metrics.block_curve(
            model.timeseries(), inputs.voltage_steps_mV, protocol.step_duration_ms
        )
        s["nmda_block_curve"] = {
            "v_mV": list(inputs.voltage_steps_mV),
            "unblocked_fraction": [round(float(x), 4) for x in curve],
        }
    return s


NERVE = NerveScale()

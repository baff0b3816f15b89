"""The nerve scale: its scenario tables, checks, one run, and what a run costs.

``[nerve]`` chooses a parameter set, the parts to run (axon, junction, NMDA synapse)
and overrides any parameter by name; ``[protocol]`` stimulates the node or the NMDA
neuron; ``[run]`` sets duration, steps, seed and engine.  The nerve reads extracellular
ionised Ca and Mg, CSF Mg (its NMDA receptors are central) and the temperature from the
environment, and hands the muscle action potentials its end plate produces on to a fibre.
"""

from __future__ import annotations

from typing import Any, ClassVar

from cellsim.environment import Environment
from cellsim.errors import ScenarioError
from cellsim.jit import kernel_threads
from cellsim.nerve import metrics, rules
from cellsim.nerve.model import PARALLEL_MIN_AGENTS, PARTS, NerveModel
from cellsim.nerve.params import DEFAULT_PARAMETER_SET, PARAMETER_SETS, NerveParams
from cellsim.nerve.protocol import Protocol, RunSettings, build_inputs, pulse_onsets_ms
from cellsim.nerve.rules import RECORD_COLUMNS
from cellsim.output import RunOutput
from cellsim.scales import Cost, ScaleBase, Setup
from cellsim.schema import Field

#: Rough single-core costs on the development machine: per node substep, per terminal AP
#: (1700 sites, 2 channels each), per time step of the run.
S_PER_NODE_SUBSTEP = 1.5e-6
S_PER_TERMINAL_AP = 0.025
S_PER_STEP = 8e-8
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
        "by name (e.g. g_nap_S_per_cm2 = 0.02)."
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
        settings = setup.settings
        problem = settings.problem()
        if problem:
            raise ScenarioError(f"{where}: [run] {problem}")
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
        parts = tuple(setup.option("parts"))
        duration = settings.duration_ms
        nmda_clamped = "nmda" in parts and protocol.nmda_mode == "clamp"
        inputs = build_inputs(protocol, duration, settings.dt_ms, parts, nmda_clamped)
        n_agents = params.n_release_sites if "junction" in parts else 0
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
            mg_csf_mM=seen.mg_csf_mM,
            temperature_C=seen.temperature_C,
            duration_ms=duration,
            dt_us=settings.dt_us,
            axon_dt_us=settings.axon_dt_us,
            seed=settings.seed,
            parts=parts,
            stim_nA=inputs.stim_nA,
            terminal_onsets_ms=inputs.pulse_onsets_ms if "axon" not in parts else (),
            glutamate=inputs.glutamate,
            clamp_mV=inputs.clamp_mV,
            clamped=("nmda",) if nmda_clamped else (),
            record_every_steps=settings.steps(settings.record_every_ms),
            snapshot_every_steps=snapshot_steps,
            engine=settings.engine,
            channel_agents=settings.channel_agents,
            expected_release=settings.expected_release and "junction" in parts,
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
        settings, parts = setup.settings, setup.option("parts")
        steps = round(settings.duration_ms / settings.dt_ms)
        seconds = 1.0 + S_PER_STEP * steps
        if "axon" in parts:
            seconds += S_PER_NODE_SUBSTEP * steps * settings.axon_substeps
        if "junction" in parts:
            n_aps = len(pulse_onsets_ms(setup.protocol, settings.duration_ms))
            if "axon" in parts:
                n_aps = max(n_aps, settings.duration_ms / 50.0)  # spontaneous firing
            # a terminal AP's work grows with the release sites (floats: a huge override
            # must not overflow)
            seconds += S_PER_TERMINAL_AP * n_aps * float(setup.params.n_release_sites) / 1700.0
        # per-step inputs (stimulus, glutamate, clamp) of the parts that read them, and the
        # records (Python floats in Mesa's DataCollector: ~40 bytes a value)
        pulses = setup.protocol.kind != "none"
        inputs = ("axon" in parts and pulses) + 2 * ("nmda" in parts)
        rows = steps / settings.steps(settings.record_every_ms)
        memory = steps * 8 * inputs + rows * 40 * len(RECORD_COLUMNS)
        memory += _agent_bytes(setup.params, tuple(parts), settings.channel_agents)
        return Cost(steps=steps, memory_bytes=float(memory), seconds=seconds)


def _agent_bytes(p: NerveParams, parts: tuple[str, ...], channel_agents: int) -> float:
    """Memory of the agents' state arrays (floats: a huge override must not overflow)."""
    n = 0.0
    if "axon" in parts and channel_agents < 0:  # every channel an agent
        n += float(p.n_naf) + float(p.n_nap) + float(p.n_ks) + float(p.n_kf)
    if "junction" in parts:
        n += float(p.n_release_sites) * (p.channels_per_site + 3 + 8 * (p.sensor_sites + 1))
    if "nmda" in parts:
        n += 2.0 * float(p.n_nmda)
    return n


def summarise(model: NerveModel, inputs, protocol: Protocol, duration_ms: float) -> dict[str, Any]:
    """The summary of a nerve run: shifts, spikes and multiplets, release, muscle APs, NMDA."""
    spikes = model.spike_times_ms
    quanta = model.quanta_per_terminal_ap
    terminal_aps = int(quanta.size)
    muscle = model.muscle_ap_times_ms
    parts = model.parts
    ions, shifts = model.ions, model.shifts
    s: dict[str, Any] = {
        "title": f"ionised Ca {ions.ca_mM:.3g} mM, Mg {ions.mg_mM:.3g} mM",
        "parameter_set": model.params.name,
        "parts": list(parts),
        "ca_o_mM": ions.ca_mM,
        "mg_o_mM": ions.mg_mM,
        "mg_csf_mM": ions.mg_csf_mM,
        "temperature_C": ions.temperature_C,
        "na_gating_shift_mV": round(shifts.na_mV, 3),
        "k_gating_shift_mV": round(shifts.k_mV, 3),
        "cav_gating_shift_mV": round(shifts.cav_mV, 3),
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
    if "axon" in parts:
        spontaneous = metrics.spontaneous_spikes(spikes, inputs.pulse_onsets_ms)
        s.update(metrics.multiplet_summary(spontaneous))
    if "junction" in parts and terminal_aps:
        s["docked_fraction_min"] = round(float(model.docked_fraction_per_ap.min()), 4)
        if model.p[rules.SHADOW] > 0:
            s["expected_quanta_mean"] = float(model.expected_quanta_per_ap.mean())
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

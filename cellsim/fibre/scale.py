"""The fibre scale: its scenario tables, checks, one run, and what a run costs.

``[fibre]`` chooses a parameter set and overrides any of its fields by name;
``[protocol]`` gives stimuli or a skinned-fibre clamp; ``[run]`` the time step,
duration, seed, recording and engine.  The fibre reads its free Mg from the
environment (and, in a chain, the muscle action potentials a nerve hands on).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from cellsim.environment import Environment
from cellsim.errors import ModelError, ScenarioError
from cellsim.fibre import rest
from cellsim.fibre.metrics import clamp_summary, cramp_flag, twitch_summary
from cellsim.fibre.model import (
    OBSERVABLES,
    FibreModel,
    check_time_step,
    params_in,
    resolved_settings,
)
from cellsim.fibre.params import DEFAULT_PARAMETER_SET, PARAMETER_SETS, FibreParams
from cellsim.fibre.protocol import Protocol, RunSettings
from cellsim.fibre.recording import SnapshotRecorder
from cellsim.jit import kernel_threads
from cellsim.output import RunOutput
from cellsim.scales import Cost, ScaleBase, Setup

#: Below this many ions a step's parallel regions cost more than they save.
PARALLEL_MIN_IONS = 500_000

#: Rough single-core cost on the development machine: ~30 µs per step whatever the size
#: (filament, pumps, channels, tables) plus ~5 ns per row a substep visits (free Mg and
#: bound ions, every ``mg_substeps`` steps): ~190 µs per step for the mouse fast column,
#: ~60 µs for the human one; a clamp ~15 ns per troponin site and step.
S_PER_STEP = 30e-6
S_PER_ION_SUBSTEP = 5e-9
CLAMP_S_PER_STEP_PER_SITE = 15e-9
BYTES_PER_ION = 45.0
#: A record: 15 observables as Python floats in Mesa's DataCollector, then a DataFrame.
BYTES_PER_RECORD = 600.0
#: A snapshot's sampled rows (1500 Mg, parvalbumin and SERCA rows; thin filament; RyRs).
SNAPSHOT_BYTES = 60_000.0


class FibreScale(ScaleBase):
    """The muscle fibre: Mesa agents over arrays, stepped by a numba kernel."""

    name = "fibre"
    level = 2
    description = "the fibre: a parameter set plus overrides of any of its fields"
    params_type = FibreParams
    protocol_type = Protocol
    settings_type = RunSettings
    parameter_sets = PARAMETER_SETS
    default_parameter_set = DEFAULT_PARAMETER_SET
    renamed_model_keys: ClassVar[dict[str, str]] = {
        "mg_free_mM": "to [environment] mg_free_intracellular_mM (every scale reads its "
        "surroundings from the environment)",
        # keys of the fibre before Mg-ATP, calsequestrin and RyR inactivation
        "sr_ca_total_uM": "to ca_sr_free_rest_uM (the SR content now follows from free SR "
        "Ca and calsequestrin, csq_sites_sr_uM)",
        "ryr_flux_ions_per_ms": "to ryr_g_per_ms (release per µM of SR-myoplasm gradient, "
        "all coupled channels open)",
        "ryr_ap_window_ms": "removed: release now ends by Ca-dependent inactivation "
        "(ap_duration_ms, cdi_k_per_ms)",
        "ryr_k_open_ap_per_ms": "to ap_tau_ms (the voltage sensors' time constant)",
        "ryr_k_close_per_ms": "removed: channels open with their voltage sensor (ap_tau_ms)",
        "ryr_mg_ki_ap_mM": "to ryr_kd_mg_ap_mM",
        "ryr_k_open_rest_per_ms": "to ryr_cicr_po_max (the Ca/Mg-gated channels)",
        "ryr_mg_ki_rest_mM": "to ryr_rest_ka_mg_uM and ryr_rest_ki_mg_uM (µM)",
        "ryr_mg_hill_rest": "removed: Mg acts at an activation and an inhibitory site",
        "serca_kon_ca": "to serca_kon1_ca and serca_kon2_ca (two sequential sites)",
        "serca_koff_ca": "to serca_koff1_ca and serca_koff2_ca (two sequential sites)",
        "serca_k_transport_per_ms": "to serca_kcat_per_ms",
        "serca_mg_half_mM": "to serca_km_mgatp_uM (the pump needs Mg-ATP, from the ATP field)",
    }
    compile_s = 15.0  # numba compiles a kernel variant on its first run (2-core machine)
    key_figures = (
        "peak_delta_ca_uM",
        "ca_fdhm_ms",
        "peak_force_fraction",
        "half_relaxation_ms",
        "residual_force_fraction",
        "cramp",
    )

    def kernel_variant(self, setup: Setup) -> str:
        """The one-thread kernel a run calls (FibreModel._serial_kernel): a clamp's, one
        for fibres without parvalbumin (the human set), or the full one ("")."""
        from cellsim.fibre.state import parvalbumin_rows

        if setup.protocol.kind == "clamp":
            return "clamp"
        return "" if parvalbumin_rows(setup.params) > 0 else "fixed-sites"

    def what_you_see(self, summary: dict) -> str:
        from cellsim.fibre import plots

        return plots.what_you_see(summary)

    def check(self, setup: Setup, env: Environment, where: str) -> None:
        p, protocol = setup.params, setup.protocol
        env = env.over(p.conditions)
        settings = resolved_settings(p, setup.settings, env)
        mg = env.mg_free_intracellular_mM
        try:
            check_time_step(params_in(p, env), settings.dt_ms, mg)
        except ModelError as err:
            raise ScenarioError(f"{where}: {err}") from None
        late = [t for t in protocol.stimulus_times_ms(settings.duration_ms)
                if t >= settings.duration_ms]  # fmt: skip
        if late and protocol.kind != "clamp":
            raise ScenarioError(
                f"{where}: [protocol] stimulus at {late[0]:g} ms is not before "
                f"the end of the run ([run] duration_ms = {settings.duration_ms:g})."
            )
        for key in ("snapshot_every_ms", "record_every_ms"):
            value = getattr(settings, key)
            if value and value < settings.dt_ms:
                raise ScenarioError(
                    f"{where}: [run] {key} must be >= the time step "
                    f"({settings.dt_ms:g} ms){' or 0' if key.startswith('snap') else ''}."
                )

    def build(self, setup: Setup, env: Environment) -> FibreModel:
        """The FibreModel a setup describes, in an environment."""
        model = FibreModel.from_setup(setup.params, setup.protocol, setup.settings, env)
        model.threads = kernel_threads(
            setup.settings.threads, model.state.n_ions, PARALLEL_MIN_IONS
        )
        model.adaptive_threads = setup.settings.threads == 0  # automatic: measured, see jit
        return model

    def simulate(self, setup: Setup, env: Environment, *, progress: bool = False) -> RunOutput:
        from tqdm import tqdm

        model = self.build(setup, env)
        recorder = None
        if setup.settings.snapshot_every_ms:
            recorder = SnapshotRecorder(model, setup.settings.snapshot_every_ms)
        bar = tqdm(
            total=model.n_steps,
            unit="step",
            disable=not progress,
            desc=f"fibre ({model.engine})",
            leave=False,
            mininterval=0.5,
        )
        with bar:
            model.run(progress=bar.update, on_record=recorder)
        return output_from(model, recorder)

    def estimate(self, setup: Setup) -> Cost:
        p, protocol = setup.params, setup.protocol
        settings = resolved_settings(p, setup.settings, p.conditions)
        ms = protocol.clamp_duration_ms if protocol.kind == "clamp" else settings.duration_ms
        steps = round(ms / settings.dt_ms)
        volume = p.length_x_um * p.width_y_um * p.width_z_um
        per_um = 602.214 * volume / p.particle_weight  # particles per µM
        contents = rest.sr_total_uM(p, p.ca_sr_free_rest_uM) + p.atp_total_uM + p.pv_sites_uM
        ions = per_um * (contents + 1000.0)
        if protocol.kind == "clamp":
            per_step = CLAMP_S_PER_STEP_PER_SITE * per_um * p.tnc_uM * 4
        else:  # a fixed part, and the rows visited on substeps
            per_step = S_PER_STEP + S_PER_ION_SUBSTEP * ions / p.mg_substeps
        seconds = 1.0 + steps * per_step
        # what the run keeps: one record per record_every_ms, one snapshot per
        # snapshot_every_ms (sampled rows, plus the free Ca ions: at most ~100 uM of them)
        records = steps / max(1, round(settings.record_every_ms / settings.dt_ms))
        frames = ms / settings.snapshot_every_ms if settings.snapshot_every_ms else 0.0
        frame_bytes = SNAPSHOT_BYTES + 12.0 * per_um * 100.0
        memory = ions * BYTES_PER_ION + records * BYTES_PER_RECORD + frames * frame_bytes
        return Cost(steps=steps, memory_bytes=memory, seconds=seconds)


def output_from(model: FibreModel, recorder: SnapshotRecorder | None = None) -> RunOutput:
    """Package a finished model as a RunOutput (time series, summary, snapshots)."""
    from cellsim.fibre import plots

    df = model.datacollector.get_model_vars_dataframe()
    series = {name: df[name].to_numpy() for name in ("time_ms", *OBSERVABLES)}
    p, pr = model.params, model.protocol
    stimuli = model.stimulus_times_ms
    if model.clamped:
        summary = clamp_summary(
            series["time_ms"], series["force_fraction"], pr.clamp_pca, pr.clamp_hold_ms
        )
    else:
        summary = twitch_summary(
            series["time_ms"],
            series["ca_free_uM"],
            series["force_fraction"],
            stimuli,
            series["sr_ca_free_uM"],
        )
        resting = rest.resting_state(p, model.mg_free_mM)
        summary["resting_stable"] = resting.stable
        summary["resting_fixed_point_ca_uM"] = resting.ca_uM
        cramp, basis = cramp_flag(summary, resting.stable)
        summary["cramp"] = cramp
        summary["cramp_criterion"] = basis
    summary.update(
        {
            "title": f"{p.name}, free Mg {model.mg_free_mM:.3g} mM, {p.temperature_C:g} °C",
            "parameter_set": p.name,
            "mg_free_mM": model.mg_free_mM,
            "temperature_C": p.temperature_C,
            "dt_us": model.settings.dt_us,
            "n_ions": model.state.n_ions,
            "particles_per_uM": model.state.particles_per_uM,
            "stimulus_times_ms": list(stimuli),
        }
    )
    snapshots = recorder.arrays(model) if recorder is not None else {}
    return RunOutput(
        scale="fibre",
        timeseries=series,
        summary=summary,
        seed=model.seed,
        engine=model.engine,
        snapshots=snapshots,
        events={"stimulus_times_ms": np.asarray(stimuli, float)},
        figure=plots.figure,
        key_figures=FibreScale.key_figures,
    )


FIBRE = FibreScale()

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
from cellsim.fibre.metrics import clamp_summary, twitch_summary
from cellsim.fibre.model import OBSERVABLES, FibreModel, check_time_step
from cellsim.fibre.params import DEFAULT_PARAMETER_SET, PARAMETER_SETS, FibreParams
from cellsim.fibre.protocol import Protocol, RunSettings
from cellsim.fibre.recording import SnapshotRecorder
from cellsim.jit import kernel_threads
from cellsim.output import RunOutput
from cellsim.scales import Cost, ScaleBase, Setup

#: Below this many ions a step's parallel regions cost more than they save.
PARALLEL_MIN_IONS = 500_000

#: Rough single-core cost on the development machine: a human twitch takes ~3 s for
#: 150 ms at dt 5 µs; a skinned-fibre clamp ~55 s for 800 ms of holds.
S_PER_MS_AT_5US = 0.02
CLAMP_S_PER_MS = 0.065
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
        "surroundings from the environment)"
    }
    compile_s = 45.0  # numba compiles the kernel on a first run (2-core machine)
    key_figures = (
        "peak_delta_ca_uM",
        "ca_fdhm_ms",
        "peak_force_fraction",
        "half_relaxation_ms",
        "residual_force_fraction",
        "cramp",
    )

    def what_you_see(self, summary: dict) -> str:
        from cellsim.fibre import plots

        return plots.what_you_see(summary)

    def check(self, setup: Setup, env: Environment, where: str) -> None:
        p, protocol, settings = setup.params, setup.protocol, setup.settings
        mg = env.over(p.conditions).mg_free_intracellular_mM
        try:
            check_time_step(p, settings.dt_ms, mg)
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
        p, protocol, settings = setup.params, setup.protocol, setup.settings
        ms = protocol.clamp_duration_ms if protocol.kind == "clamp" else settings.duration_ms
        steps = round(ms / settings.dt_ms)
        per_ms = CLAMP_S_PER_MS if protocol.kind == "clamp" else S_PER_MS_AT_5US
        volume = p.length_x_um * p.width_y_um * p.width_z_um
        scale = volume / 0.04 / p.particle_weight  # the cost grows with the particle count
        seconds = 1.0 + per_ms * ms * 5.0 / settings.dt_us * scale
        ions = 602.214 * volume / p.particle_weight * (p.sr_ca_total_uM + 1500.0 + p.pv_sites_uM)
        # what the run keeps: one record per record_every_ms, one snapshot per
        # snapshot_every_ms (sampled rows, plus the free Ca ions: at most ~100 uM of them)
        records = steps / max(1, round(settings.record_every_ms / settings.dt_ms))
        frames = ms / settings.snapshot_every_ms if settings.snapshot_every_ms else 0.0
        frame_bytes = SNAPSHOT_BYTES + 12.0 * 602.214 * volume / p.particle_weight * 100.0
        memory = ions * BYTES_PER_ION + records * BYTES_PER_RECORD + frames * frame_bytes
        return Cost(steps=steps, memory_bytes=memory, seconds=seconds)


def output_from(model: FibreModel, recorder: SnapshotRecorder | None = None) -> RunOutput:
    """Package a finished model as a RunOutput (time series, summary, snapshots)."""
    from cellsim.fibre import plots

    df = model.datacollector.get_model_vars_dataframe()
    series = {name: df[name].to_numpy() for name in ("time_ms", *OBSERVABLES)}
    series.pop("serca_mg_fraction")
    p, pr = model.params, model.protocol
    stimuli = model.stimulus_times_ms
    if model.clamped:
        summary = clamp_summary(
            series["time_ms"], series["force_fraction"], pr.clamp_pca, pr.clamp_hold_ms
        )
        summary["mg_free_mM"] = model.mg_free_mM
    else:
        summary = twitch_summary(
            series["time_ms"], series["ca_free_uM"], series["force_fraction"], stimuli
        )
    summary.update(
        {
            "title": f"{p.name}, free Mg {model.mg_free_mM:g} mM",
            "parameter_set": p.name,
            "mg_free_mM": model.mg_free_mM,
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

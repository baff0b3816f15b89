"""Scenario tables of the fibre scale, and running one fibre scenario.

``[fibre]`` chooses a parameter set and overrides any of its fields by name;
``[protocol]`` gives stimuli or a skinned-fibre clamp; ``[run]`` the time step,
duration, seed, recording and engine.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from cellsim.errors import ModelError, ScenarioError
from cellsim.fibre.metrics import clamp_summary, twitch_summary
from cellsim.fibre.model import OBSERVABLES, FibreModel, check_time_step
from cellsim.fibre.params import PARAMETER_SETS, FibreParams, get_parameter_set
from cellsim.fibre.protocol import Protocol, RunSettings
from cellsim.fibre.state import CA, FREE, MG, PV, SERCA, TN_REG
from cellsim.output import RunOutput
from cellsim.schema import Field, Table

_PARAM_FIELDS = {f.name for f in dataclasses.fields(FibreParams)} - {
    "name",
    "description",
    "sources",
}


def _keep_override(key, value, where):
    return value  # checked against the chosen parameter set in check()


MODEL_TABLE = "fibre"
MODEL_SCHEMA = Table(
    {
        "parameter_set": Field(
            str, default="human", choices=tuple(PARAMETER_SETS), doc="named, cited parameter set"
        )
    },
    doc="the fibre: a parameter set plus overrides of any of its fields",
    extra=_keep_override,
)
MODEL_TABLES = {MODEL_TABLE: MODEL_SCHEMA}

PROTOCOL_SCHEMA = Table(
    {
        "kind": Field(
            str,
            default="single",
            choices=("none", "single", "train", "clamp"),
            doc="rest, single shock(s), a stimulus train, or a skinned-fibre clamp",
        ),
        "stimulus_times_ms": Field(
            float,
            default=[5.0],
            is_list=True,
            minimum=0.0,
            doc="action-potential times for kind = 'single'",
        ),
        "train_start_ms": Field(float, default=5.0, minimum=0.0),
        "train_frequency_hz": Field(
            float, default=50.0, minimum=0.0, exclusive_minimum=True, maximum=500.0
        ),
        "train_duration_ms": Field(float, default=300.0, minimum=0.0, exclusive_minimum=True),
        "clamp_pca": Field(
            float,
            default=[7.0, 6.5, 6.2, 6.0, 5.8, 5.6, 5.4, 5.0, 4.5],
            is_list=True,
            minimum=3.0,
            maximum=9.0,
            doc="pCa levels of a skinned-fibre clamp, held in turn",
        ),
        "clamp_hold_ms": Field(
            float, default=300.0, minimum=1.0, doc="time each clamp level is held"
        ),
    }
)

RUN_SCHEMA = Table(
    {
        "duration_ms": Field(
            float, default=100.0, minimum=0.0, exclusive_minimum=True, maximum=1e6
        ),
        "dt_us": Field(
            float, default=5.0, minimum=0.01, maximum=100.0, doc="time step in microseconds"
        ),
        "seed": Field(int, default=1, minimum=0, maximum=2**63 - 1),
        "record_every_steps": Field(int, default=20, minimum=1),
        "engine": Field(str, default="numba", choices=("numba", "reference")),
        "snapshot_every_ms": Field(
            float, default=1.0, minimum=0.0, doc="interval of particle snapshots (0 = none)"
        ),
        "threads": Field(
            int,
            default=0,
            minimum=0,
            maximum=256,
            doc="numba threads (0 = all cores); results do not depend on it",
        ),
    }
)


def params_from(scenario: dict, where: str = "[fibre]") -> FibreParams:
    """The parameter set named in [fibre] with its overrides applied."""
    table = dict(scenario["fibre"])
    base = get_parameter_set(table.pop("parameter_set"), f"{where} parameter_set")
    return base.with_overrides(table, where)


def protocol_from(scenario: dict, params: FibreParams) -> Protocol:
    pr = scenario["protocol"]
    kind = pr["kind"]
    if kind == "single":
        return Protocol("stimuli", tuple(sorted(pr["stimulus_times_ms"])))
    if kind == "train":
        return Protocol.train(
            pr["train_start_ms"], pr["train_frequency_hz"], pr["train_duration_ms"]
        )
    if kind == "clamp":
        return Protocol.clamp(pr["clamp_pca"], params.mg_free_mM, pr["clamp_hold_ms"])
    return Protocol("none")


def settings_from(scenario: dict, protocol: Protocol) -> RunSettings:
    run = scenario["run"]
    duration = run["duration_ms"]
    if protocol.kind == "clamp":
        duration = protocol.clamp_hold_ms * len(protocol.clamp_levels_uM)
    return RunSettings(
        duration_ms=duration,
        dt_us=run["dt_us"],
        seed=run["seed"],
        record_every_steps=run["record_every_steps"],
        engine=run["engine"],
        snapshot_every_ms=run["snapshot_every_ms"],
    )


def check(resolved: dict, where: str) -> None:
    """Checks that need the chosen parameter set (called by the loader)."""
    params = params_from(resolved, f"{where}: [fibre]")
    protocol = protocol_from(resolved, params)
    settings = settings_from(resolved, protocol)
    try:
        check_time_step(params, settings.dt_ms)
    except ModelError as err:
        raise ScenarioError(f"{where}: {err}") from None
    late = [t for t in protocol.stimulus_times_ms if t >= settings.duration_ms]
    if late:
        raise ScenarioError(
            f"{where}: [protocol] stimulus at {late[0]:g} ms is not before "
            f"the end of the run ([run] duration_ms = {settings.duration_ms:g})."
        )
    if settings.snapshot_every_ms and settings.snapshot_every_ms < settings.dt_ms:
        raise ScenarioError(
            f"{where}: [run] snapshot_every_ms must be >= the time step "
            f"({settings.dt_ms:g} ms) or 0."
        )


class SnapshotRecorder:
    """Keeps compact snapshots of particles and sites for animations.

    Free Ca ions are stored in full (they are few and they are the story); Mg
    ions, parvalbumin sites and pumps are a fixed sample of rows, so each
    frame shows the same individuals.
    """

    def __init__(self, model: FibreModel, every_ms: float, sample: int = 1500):
        self.every_steps = max(1, round(every_ms / model.settings.dt_ms)) if every_ms else 0
        self.next_step = 0
        s = model.state
        mg = np.flatnonzero(s.ion_species == MG)
        # evenly spaced over all Mg rows: rows start bound-first, so a prefix would
        # show a sample that is mostly bound and then drifts free
        self.mg_rows = mg[np.linspace(0, len(mg) - 1, min(sample, len(mg))).astype(np.int64)]
        lo, hi = int(s.type_start[PV]), int(s.type_start[PV + 1])
        self.pv_rows = np.arange(lo, min(hi, lo + sample))
        self.reg_rows = np.arange(int(s.type_start[TN_REG]), int(s.type_start[TN_REG + 1]))
        lo, hi = int(s.type_start[SERCA]), int(s.type_start[SERCA + 1])
        self.serca_rows = np.arange(lo, min(hi, lo + 2 * (sample // 2)))
        self.frames: list[dict] = []

    def __call__(self, model: FibreModel) -> None:
        if not self.every_steps or model.step_index < self.next_step:
            return
        self.next_step = model.step_index + self.every_steps
        s = model.state
        free_ca = np.flatnonzero((s.ion_species == CA) & (s.ion_state == FREE))
        self.frames.append(
            {
                "time_ms": model.time_ms,
                "ca": np.column_stack(
                    [s.ion_x[free_ca], s.ion_y[free_ca], s.ion_z[free_ca]]
                ).astype(np.float32),
                "mg": np.column_stack(
                    [s.ion_x[self.mg_rows], s.ion_y[self.mg_rows], s.ion_z[self.mg_rows]]
                ).astype(np.float32),
                "mg_state": s.ion_state[self.mg_rows].copy(),
                "pv": np.column_stack(
                    [s.site_x[self.pv_rows], s.site_y[self.pv_rows], s.site_z[self.pv_rows]]
                ).astype(np.float32),
                "pv_species": s.site_species[self.pv_rows].copy(),
                "reg_species": s.site_species[self.reg_rows].copy(),
                "serca_species": s.site_species[self.serca_rows].copy(),
                "ryr_open": s.ryr_open.copy(),
                "force": float(model._obs[OBSERVABLES.index("force_fraction")]),
                "sl": float(s.sarcomere[0]),
            }
        )

    def arrays(self, model: FibreModel) -> dict[str, np.ndarray]:
        if not self.frames:
            return {}
        s = model.state
        f = self.frames
        counts = [len(fr["ca"]) for fr in f]
        geo = s.geometry
        return {
            "time_ms": np.array([fr["time_ms"] for fr in f]),
            "box_um": np.array([geo.lx_um, geo.ly_um, geo.lz_um]),
            "ca_xyz_um": np.concatenate([fr["ca"] for fr in f]),
            "ca_offsets": np.concatenate(([0], np.cumsum(counts))).astype(np.int64),
            "mg_xyz_um": np.stack([fr["mg"] for fr in f]),
            "mg_state": np.stack([fr["mg_state"] for fr in f]),
            "pv_xyz_um": np.stack([fr["pv"] for fr in f]),
            "pv_species": np.stack([fr["pv_species"] for fr in f]),
            "reg_xyz_um": np.column_stack(
                [s.site_x[self.reg_rows], s.site_y[self.reg_rows], s.site_z[self.reg_rows]]
            ).astype(np.float32),
            "reg_species": np.stack([fr["reg_species"] for fr in f]),
            "serca_xyz_um": np.column_stack(
                [s.site_x[self.serca_rows], s.site_y[self.serca_rows], s.site_z[self.serca_rows]]
            ).astype(np.float32),
            "serca_species": np.stack([fr["serca_species"] for fr in f]),
            "ryr_yz_um": np.column_stack([s.ryr_y, s.ryr_z]).astype(np.float32),
            "ryr_open": np.stack([fr["ryr_open"] for fr in f]),
            "force_fraction": np.array([fr["force"] for fr in f]),
            "sarcomere_length_um": np.array([fr["sl"] for fr in f]),
        }


def build_model(scenario: dict, stimulus_times_ms=None) -> FibreModel:
    """The FibreModel a resolved scenario describes (optionally other stimuli)."""
    params = params_from(scenario)
    protocol = protocol_from(scenario, params)
    if stimulus_times_ms is not None:
        protocol = Protocol("stimuli", tuple(sorted(stimulus_times_ms)))
    settings = settings_from(scenario, protocol)
    model = FibreModel(params, protocol, settings)
    model.threads = kernel_threads(scenario["run"].get("threads", 0), model.state.n_ions)
    return model


#: Below this many ions a step's parallel regions cost more than they save,
#: and on a busy machine threads that wait for each other cost far more.
PARALLEL_MIN_IONS = 500_000


def kernel_threads(threads: int, n_ions: int) -> int:
    """numba threads for a run (0 = automatic); results never depend on it.

    Reads numba's configured maximum without starting its thread pool.
    """
    import numba

    available = numba.config.NUMBA_NUM_THREADS
    if threads == 0:
        threads = available if n_ions >= PARALLEL_MIN_IONS else 1
    return min(threads, available)


def run(scenario: dict, *, progress: bool = False, stimulus_times_ms=None) -> RunOutput:
    """Run a resolved fibre scenario and return its RunOutput."""
    from tqdm import tqdm

    model = build_model(scenario, stimulus_times_ms)
    recorder = None
    if scenario.get("output", {}).get("snapshots", True):
        recorder = SnapshotRecorder(model, model.settings.snapshot_every_ms)
    bar = tqdm(
        total=model.settings.n_steps,
        unit="step",
        disable=not progress,
        desc=f"fibre ({model.engine})",
        leave=False,
        mininterval=0.5,
    )
    with bar:
        model.run(progress=bar.update, on_record=recorder)
    return output_from(model, scenario, recorder)


def output_from(model: FibreModel, scenario: dict, recorder=None) -> RunOutput:
    """Package a finished model as a RunOutput (time series, summary, snapshots)."""
    from cellsim.fibre import plots

    df = model.datacollector.get_model_vars_dataframe()
    series = {name: df[name].to_numpy() for name in ("time_ms", *OBSERVABLES)}
    series.pop("serca_mg_fraction")
    p, pr = model.params, model.protocol
    if pr.kind == "clamp":
        summary = clamp_summary(
            series["time_ms"], series["force_fraction"], pr.clamp_pca, pr.clamp_hold_ms
        )
        summary["mg_free_mM"] = p.mg_free_mM
    else:
        summary = twitch_summary(
            series["time_ms"], series["ca_free_uM"], series["force_fraction"], pr.stimulus_times_ms
        )
    summary.update(
        {
            "title": f"{scenario['scenario']['name']}: {p.name}, free Mg {p.mg_free_mM:g} mM",
            "parameter_set": p.name,
            "mg_free_mM": p.mg_free_mM,
            "n_ions": model.state.n_ions,
            "particles_per_uM": model.state.particles_per_uM,
            "stimulus_times_ms": list(pr.stimulus_times_ms),
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
        events={"stimulus_times_ms": np.asarray(pr.stimulus_times_ms, float)},
        figure=plots.figure,
    )

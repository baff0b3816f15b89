"""The nerve model: a ``mesa.Model`` that owns the arrays and picks the engine.

Only this module calls the kernel.  The model

* packs the parameter set and the ionic environment into the flat parameter
  vector ``p`` (conversion of units happens here, once);
* owns every state array (channel states, sensor states, counters, records)
  and one Mesa agent per row as a view (``agents_by_type[NaChannel]`` …);
* advances time with the numba kernel (``engine="numba"``) or with the
  reference engine, in which each agent's ``step()`` applies its rule in plain
  Python (``engine="reference"``).  Both give the same trajectory.

Parts: ``axon`` (stochastic HH patch), ``junction`` (terminal, release sites,
end plate, muscle AP) and ``nmda`` (receptors on a central neuron).  Without
the axon, the terminal is driven by ``terminal_onsets_ms`` (e.g. stimulus
times), which is how release-vs-Ca experiments isolate the junction.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import mesa
import numpy as np

from cellsim.errors import ModelError
from cellsim.mesa_model import RecordStepModel
from cellsim.nerve import kernel, reference, rules
from cellsim.nerve.agents import CaChannel, KChannel, NaChannel, NMDAReceptor, ReleaseSite
from cellsim.nerve.params import NerveParams

ENGINES = ("numba", "reference")
PARTS = ("axon", "junction", "nmda")
PARALLEL_MIN_AGENTS = 50_000  # below this a parallel region per 10 µs step costs more than it saves
SNAPSHOT_MAX_ROWS = 256  # agents per kind kept in snapshots (small files, for animations)


def _epp_norm(rise_ms: float, decay_ms: float) -> float:
    """Peak of exp(-t/decay) - exp(-t/rise): divides the quantal size to scale the EPP."""
    t_peak = math.log(decay_ms / rise_ms) * rise_ms * decay_ms / (decay_ms - rise_ms)
    return math.exp(-t_peak / decay_ms) - math.exp(-t_peak / rise_ms)


def pack_params(
    pr: NerveParams,
    ca_o_mM: float,
    mg_o_mM: float,
    dt_ms: float,
    parts: Sequence[str],
    clamped: Sequence[str] = (),
) -> np.ndarray:
    """The flat parameter vector the kernel reads (layout in :mod:`rules`).

    Concentrations enter here and nowhere else: the screening shift, the
    pore's Ca occupancy (rapid equilibrium) and the Mg entry rate into a
    Ca-free pore, and the NMDA block rate.
    """
    p = np.zeros(rules.N_P)
    p[rules.DT] = dt_ms
    p[rules.AX_ON] = "axon" in parts
    p[rules.TERM_ON] = "junction" in parts
    p[rules.NMDA_ON] = "nmda" in parts
    # axon
    p[rules.PHI] = pr.temperature_factor
    p[rules.SHIFT] = pr.screening_shift_mV(ca_o_mM, mg_o_mM) + pr.gating_offset_mV
    p[rules.G_NA1] = pr.na_single_pS * 0.1 / pr.area_um2  # 1 pS/µm² = 0.1 mS/cm²
    p[rules.G_K1] = pr.k_single_pS * 0.1 / pr.area_um2
    p[rules.G_L] = pr.g_leak_mS_per_cm2
    p[rules.E_NA], p[rules.E_K], p[rules.E_L] = pr.e_na_mV, pr.e_k_mV, pr.e_leak_mV
    p[rules.C_M] = pr.c_m_uF_per_cm2
    p[rules.SPK_TH] = pr.spike_threshold_mV
    # terminal
    p[rules.DELAY_STEPS] = round(pr.conduction_delay_ms / dt_ms)
    p[rules.TV_REST] = pr.terminal_v_rest_mV
    p[rules.TV_AMP] = pr.terminal_ap_amplitude_mV
    p[rules.TV_TAU] = pr.terminal_ap_tau_ms
    p[rules.WINDOW_STEPS] = round(pr.terminal_window_ms / dt_ms)
    p[rules.CAV_VH], p[rules.CAV_SLOPE] = pr.cav_v_half_mV, pr.cav_slope_mV
    p[rules.CAV_TAU] = pr.cav_tau_ms
    ca_rel = ca_o_mM / pr.pore_k_ca_mM
    p[rules.OCC_CA] = ca_rel / (1.0 + ca_rel)
    p[rules.K_MG_UNBIND] = pr.pore_mg_unbind_per_ms
    p[rules.K_MG_BIND] = pr.pore_mg_unbind_per_ms / pr.pore_k_mg_mM * mg_o_mM / (1.0 + ca_rel)
    p[rules.DOM_PER_CH] = pr.domain_ca_uM_per_channel
    p[rules.DOM_REST] = pr.resting_ca_uM
    p[rules.S_N] = pr.sensor_sites
    p[rules.S_KON] = pr.sensor_kon_per_uM_per_ms
    p[rules.S_KOFF] = pr.sensor_koff_per_ms
    p[rules.S_B] = pr.sensor_cooperativity_b
    p[rules.S_GAMMA] = pr.fusion_rate_per_ms
    p[rules.REFILL_P] = -math.expm1(-dt_ms / pr.refill_tau_ms)
    p[rules.CPS] = pr.channels_per_site
    p[rules.Q_NORM] = pr.quantal_size_mV / _epp_norm(pr.epp_rise_ms, pr.epp_decay_ms)
    p[rules.EPP_DEC_R] = math.exp(-dt_ms / pr.epp_rise_ms)
    p[rules.EPP_DEC_D] = math.exp(-dt_ms / pr.epp_decay_ms)
    p[rules.MUS_TH] = pr.muscle_threshold_mV
    p[rules.MUS_REFR_STEPS] = round(pr.muscle_refractory_ms / dt_ms)
    # NMDA: k_block/k_unblock = [Mg]/K0 · exp(-a V)  (Woodhull; Jahr & Stevens 1990)
    a = pr.nmda_voltage_coeff_per_mV
    share = pr.nmda_block_voltage_share
    p[rules.N_KU0] = pr.nmda_unblock_0mV_per_ms
    p[rules.N_KB0] = pr.nmda_unblock_0mV_per_ms / pr.nmda_k_mg_0mV_mM * mg_o_mM
    p[rules.N_A_ON] = share * a
    p[rules.N_A_OFF] = (1.0 - share) * a
    p[rules.N_OPEN] = pr.nmda_open_rate_per_ms
    p[rules.N_CLOSE] = pr.nmda_close_rate_per_ms
    p[rules.N_G1] = pr.nmda_single_pS * 0.1 / pr.nmda_neuron_area_um2
    p[rules.N_GL] = pr.nmda_g_leak_mS_per_cm2
    p[rules.N_EL] = pr.nmda_e_leak_mV
    p[rules.N_CM] = pr.nmda_c_m_uF_per_cm2
    p[rules.N_EREV] = pr.nmda_e_rev_mV
    p[rules.N_VTH] = pr.nmda_spike_threshold_mV
    p[rules.N_VRESET] = pr.nmda_reset_mV
    p[rules.N_REFR_STEPS] = round(pr.nmda_refractory_ms / dt_ms)
    p[rules.N_CLAMP] = 1.0 if "nmda" in clamped else 0.0
    p[rules.AX_CLAMP] = 1.0 if "axon" in clamped else 0.0
    return p


class NerveModel(RecordStepModel):
    """Axon patch, neuromuscular junction and NMDA synapse as Mesa agents over arrays.

    Made the Mesa way, from scalars (what ``mesa.batch_run`` and a slider vary)::

        model = NerveModel(ca_ionised_mM=0.7, duration_ms=200.0, rng=1)
        model.run()          # or model.step(): one record interval (record_every_ms)

    The keyword constructor goes through the scenario validator (a bad value gets the
    message a file would); :meth:`from_arrays` takes per-step input arrays directly (what
    the scale and the experiments use).  ``model.time`` is simulated ms.

    Keyword parameters
    ------------------
    parameter_set, parts
        A named set and the parts to run (``"axon"``, ``"junction"``, ``"nmda"``).
    ca_ionised_mM, mg_ionised_mM, temperature_C
        The environment (None: the set's conditions).
    stimulus, stimulus_ms, frequency_hz, count
        Axon stimulus: ``"none"``, ``"pulses"`` at ``stimulus_ms`` or a ``"train"``.
    duration_ms, dt_us, record_every_ms, engine, rng
        Run settings; ``rng`` is the seed (None draws one, kept in ``model.nerve_seed``).
    **overrides
        Any parameter of the set by name.

    Parameters of :meth:`from_arrays`
    ---------------------------------
    params
        A :class:`~cellsim.nerve.params.NerveParams` set.
    ca_o_mM, mg_o_mM
        Extracellular ionised Ca and Mg.
    duration_ms, dt_us
        Run length and time step.
    seed
        Seed of the counter-based random stream (and of ``mesa.Model(rng=…)``).
    parts
        Any of ``"axon"``, ``"junction"``, ``"nmda"``.
    stim_uA_per_cm2
        Axon stimulus current, one value per step (``None``: no stimulus).
    terminal_onsets_ms
        Terminal AP times when the axon is not simulated.
    glutamate
        NMDA agonist presence (0/1) per step (``None``: always present).
    clamp_mV, clamped
        Command voltage per step and the parts (``"axon"``, ``"nmda"``) it
        clamps; other parts are in current clamp.
    record_every_steps, snapshot_every_steps
        Strides of the time series and of the agent-state snapshots.
    engine
        ``"numba"`` (default) or ``"reference"``.
    parallel_min_agents
        Agent loops this large or larger run in parallel (numba engine).
    agents
        Create the Mesa agent views (default).  Experiments that build many
        large throw-away models with the numba engine may skip them; the
        reference engine needs them.
    """

    def __init__(
        self,
        parameter_set: str | None = None,
        *,
        parts: Sequence[str] = ("axon", "junction"),
        ca_ionised_mM: float | None = None,
        mg_ionised_mM: float | None = None,
        temperature_C: float | None = None,
        stimulus: str = "none",
        stimulus_ms: float | Sequence[float] = 10.0,
        frequency_hz: float = 20.0,
        count: int = 0,
        duration_ms: float = 1000.0,
        dt_us: float = 10.0,
        record_every_ms: float = 0.1,
        engine: str = "numba",
        rng: int | None = None,
        **overrides,
    ):
        from cellsim.nerve.scale import NERVE
        from cellsim.scenario import resolve

        times = [stimulus_ms] if isinstance(stimulus_ms, int | float) else list(stimulus_ms)
        protocol = {"kind": stimulus, "times_ms": times, "start_ms": times[0],
                    "frequency_hz": frequency_hz, "count": count}  # fmt: skip
        environment = {"ca_ionised_mM": ca_ionised_mM, "mg_ionised_mM": mg_ionised_mM,
                       "temperature_C": temperature_C}  # fmt: skip
        model = {"parts": list(parts), **overrides}
        if parameter_set is not None:
            model["parameter_set"] = parameter_set
        data = {
            "scenario": {"name": "model"},
            "environment": {k: v for k, v in environment.items() if v is not None},
            "nerve": model,
            "protocol": protocol,
            "run": {"duration_ms": duration_ms, "dt_us": dt_us, "engine": engine,
                    "record_every_ms": record_every_ms, "seed": _seed(rng)},
        }  # fmt: skip
        built = resolve(data, "NerveModel(...)")
        NERVE.build(built.setups["nerve"], built.environment, into=self)

    @classmethod
    def from_arrays(cls, params: NerveParams, **kwargs) -> NerveModel:
        """A model from a parameter set and per-step inputs (see the class docstring)."""
        model = cls.__new__(cls)
        model._build(params, **kwargs)
        return model

    def _build(
        self,
        params: NerveParams,
        *,
        ca_o_mM: float,
        mg_o_mM: float,
        duration_ms: float,
        dt_us: float = 10.0,
        seed: int = 1,
        parts: Sequence[str] = ("axon", "junction"),
        stim_uA_per_cm2: np.ndarray | None = None,
        terminal_onsets_ms: Sequence[float] = (),
        glutamate: np.ndarray | None = None,
        clamp_mV: np.ndarray | None = None,
        clamped: Sequence[str] = (),
        record_every_steps: int = 10,
        snapshot_every_steps: int = 1000,
        engine: str = "numba",
        agents: bool = True,
        parallel_min_agents: int = PARALLEL_MIN_AGENTS,
    ):
        mesa.Model.__init__(self, rng=seed)
        self._start_stepping()
        self.reference_active = False  # set while the reference engine steps the agents
        self._bar = None
        if engine not in ENGINES:
            raise ModelError(f"engine must be one of {ENGINES}, got {engine!r}.")
        unknown = set(parts) - set(PARTS)
        if unknown:
            raise ModelError(f"unknown nerve parts {sorted(unknown)}; choose from {PARTS}.")
        if not ca_o_mM > 0 or mg_o_mM < 0:
            raise ModelError(f"need Ca > 0 and Mg >= 0 mM, got Ca={ca_o_mM}, Mg={mg_o_mM}.")
        self.params, self.engine, self.parts = params, engine, tuple(parts)
        self.ca_o_mM, self.mg_o_mM = float(ca_o_mM), float(mg_o_mM)
        self.nerve_seed = int(seed)
        self.parallel_min_agents = int(parallel_min_agents)
        self.dt_ms = dt_us / 1000.0
        self.n_steps = round(duration_ms / self.dt_ms)
        self.record_every = int(record_every_steps)
        self.snapshot_every = max(
            self.record_every, self.record_every * (snapshot_every_steps // self.record_every)
        )
        self.step_index = 0
        if clamped and clamp_mV is None:
            raise ModelError("clamped parts need a command voltage clamp_mV.")
        self.p = pack_params(params, ca_o_mM, mg_o_mM, self.dt_ms, self.parts, clamped)
        self._make_inputs(stim_uA_per_cm2, glutamate, clamp_mV)
        self._make_state(terminal_onsets_ms)
        if agents:
            self._make_agents()
        elif engine == "reference":
            raise ModelError("the reference engine steps the agents; use agents=True.")
        self.snapshots: dict[str, list] = {
            "time_ms": [],
            "na_state": [],
            "k_state": [],
            "cav_conducting": [],
            "sensor_bound": [],
            "vesicle_docked": [],
            "nmda_conducting": [],
        }
        self._record_initial()
        self._take_snapshot()
        self.datacollector = mesa.DataCollector(
            model_reporters={name: _reporter(self, j) for j, name in enumerate(RECORDED)}
        )
        self.datacollector.collect(self)

    # ---- construction ---------------------------------------------------------------
    def _make_inputs(self, stim, glutamate, clamp):
        n = self.n_steps
        self.stim = np.zeros(n) if stim is None else np.asarray(stim, dtype=np.float64)
        self.glu = np.ones(n) if glutamate is None else np.asarray(glutamate, dtype=np.float64)
        self.clamp = np.zeros(n) if clamp is None else np.asarray(clamp, dtype=np.float64)
        for name, arr in (("stimulus", self.stim), ("glutamate", self.glu), ("clamp", self.clamp)):
            if arr.shape != (n,):
                raise ModelError(f"{name} must have one value per step ({n}), got {arr.shape}.")

    def _make_state(self, terminal_onsets_ms):
        pr, n = self.params, self.n_steps
        has = self.parts.__contains__
        self.na = np.zeros(pr.n_na if has("axon") else 0, dtype=np.int8)
        self.k = np.zeros(pr.n_k if has("axon") else 0, dtype=np.int8)
        self.na_cum = np.zeros((8, 4))
        self.k_cum = np.zeros((5, 4))
        n_sites = pr.n_release_sites if has("junction") else 0
        self.cav_gate = np.zeros(n_sites * pr.channels_per_site, dtype=np.int8)
        self.cav_block = np.zeros_like(self.cav_gate)
        self.sensor = np.zeros(n_sites, dtype=np.int8)
        self.vesicle = np.ones(n_sites, dtype=np.int8)
        self.fused = np.zeros(n_sites, dtype=np.int8)
        self.site_ca = np.full(n_sites, pr.resting_ca_uM)
        n_nmda = pr.n_nmda if has("nmda") else 0
        self.nmda_gate = np.zeros(n_nmda, dtype=np.int8)
        self.nmda_block = np.zeros(n_nmda, dtype=np.int8)
        self.sv = np.zeros(rules.N_SV)
        self.iv = np.zeros(rules.N_IV, dtype=np.int64)
        self.ctx = np.zeros(rules.N_CX)
        self.sv[rules.SV_V] = self.clamp[0] if self.p[rules.AX_CLAMP] else pr.v_init_mV
        self.sv[rules.SV_TERM_V] = pr.terminal_v_rest_mV
        self.sv[rules.SV_DOM_MEAN] = pr.resting_ca_uM
        self.sv[rules.SV_NMDA_V] = self.clamp[0] if self.p[rules.N_CLAMP] else pr.nmda_e_leak_mV
        self.iv[rules.IV_ARMED] = 1
        self.iv[rules.IV_MUS_ARMED] = 1
        self.iv[rules.IV_LAST_ONSET] = -(10**9)
        self.iv[rules.IV_MUS_LAST] = -(10**9)
        duration_ms = n * self.dt_ms
        cap = int(duration_ms / 0.5) + 16 + len(terminal_onsets_ms)
        self.onsets = np.zeros(cap, dtype=np.int64)
        delay = int(self.p[rules.DELAY_STEPS])
        if not has("axon") and has("junction"):
            steps = sorted(round(t / self.dt_ms) + delay for t in terminal_onsets_ms)
            self.onsets[: len(steps)] = steps
            self.iv[rules.IV_Q_TAIL] = len(steps)
        self.spikes = np.zeros(cap)
        self.muscle = np.zeros(cap)
        self.nspikes = np.zeros(cap)
        self.q_per_onset = np.zeros(cap, dtype=np.int64)
        q_cap = min(max(n_sites, 1) * cap, 5_000_000)
        self.q_times = np.zeros(q_cap)
        self.q_sites = np.zeros(q_cap, dtype=np.int64)
        self.rec = np.zeros((n // self.record_every + 1, rules.N_REC))
        # steady-state starting states, drawn from the counter-based stream
        rules.init_axon(
            self.nerve_seed,
            self.sv[rules.SV_V] - self.p[rules.SHIFT],
            pr.temperature_factor,
            self.na,
            self.k,
        )
        kb, ku = self.p[rules.K_MG_BIND], self.p[rules.K_MG_UNBIND]
        rules.init_bernoulli(self.nerve_seed, rules.PU_INIT_CAV, kb / (kb + ku), self.cav_block)
        v0 = self.sv[rules.SV_NMDA_V]
        kb = self.p[rules.N_KB0] * math.exp(-self.p[rules.N_A_ON] * v0)
        ku = self.p[rules.N_KU0] * math.exp(self.p[rules.N_A_OFF] * v0)
        rules.init_bernoulli(self.nerve_seed, rules.PU_INIT_NMDA, kb / (kb + ku), self.nmda_block)

    def _make_agents(self):
        for i in range(self.na.shape[0]):
            NaChannel(self, i)
        for i in range(self.k.shape[0]):
            KChannel(self, i)
        for i in range(self.cav_gate.shape[0]):
            CaChannel(self, i)
        for i in range(self.sensor.shape[0]):
            ReleaseSite(self, i)
        for i in range(self.nmda_gate.shape[0]):
            NMDAReceptor(self, i)

    def _record_initial(self):
        r = self.rec[0]
        r[0], r[1], r[5] = 0.0, self.sv[rules.SV_V], self.sv[rules.SV_TERM_V]
        r[3] = rules.count_equal(self.na, rules.NA_OPEN_STATE) / max(self.na.size, 1)
        r[4] = rules.count_equal(self.k, rules.K_OPEN_STATE) / max(self.k.size, 1)
        r[6], r[9] = self.sv[rules.SV_DOM_MEAN], self.sv[rules.SV_NMDA_V]
        r[10] = 1.0 - self.nmda_block.mean() if self.nmda_block.size else 0.0

    # ---- time stepping ----------------------------------------------------------------
    @property
    def time_ms(self) -> float:
        return self.step_index * self.dt_ms

    @property
    def finished(self) -> bool:
        return self.step_index >= self.n_steps

    def advance_record(self) -> None:
        """One record interval (``model.step()`` in Mesa's terms): advance and snapshot."""
        n = min(self.record_every, self.n_steps - self.step_index)
        self._advance(n)
        if self.step_index % self.snapshot_every == 0:
            self._take_snapshot()
        self._last_advance = n

    def after_record(self) -> None:
        if self._bar is not None:
            self._bar.update(self._last_advance)

    def run(self, progress: bool = False) -> NerveModel:
        """Step to the end of the run (``while running: step()``), with a progress bar."""
        self._bar = _progress_bar(self.n_steps - self.step_index, progress)
        try:
            super().run()
        finally:
            if self._bar is not None:
                self._bar.close()
            self._bar = None
        return self

    def _advance(self, n: int) -> None:
        if self.engine == "numba":
            kernel.advance(
                self.step_index,
                n,
                self.nerve_seed,
                self.p,
                self.sv,
                self.iv,
                self.ctx,
                self.stim,
                self.glu,
                self.clamp,
                self.na,
                self.k,
                self.na_cum,
                self.k_cum,
                self.onsets,
                self.spikes,
                self.cav_gate,
                self.cav_block,
                self.sensor,
                self.vesicle,
                self.fused,
                self.site_ca,
                self.q_times,
                self.q_sites,
                self.q_per_onset,
                self.muscle,
                self.nmda_gate,
                self.nmda_block,
                self.nspikes,
                self.rec,
                self.record_every,
                self.parallel_min_agents,
            )
            self.step_index += n
        else:
            for _ in range(n):
                reference.step(self)

    def _take_snapshot(self) -> None:
        cut = SNAPSHOT_MAX_ROWS
        snap = self.snapshots
        snap["time_ms"].append(self.step_index * self.dt_ms)
        snap["na_state"].append(self.na[:cut].copy())
        snap["k_state"].append(self.k[:cut].copy())
        cps = self.params.channels_per_site
        rows = min(cut, self.sensor.size) * cps
        snap["cav_conducting"].append(
            ((self.cav_gate[:rows] == 1) & (self.cav_block[:rows] == 0)).astype(np.int8)
        )
        snap["sensor_bound"].append(self.sensor[:cut].copy())
        snap["vesicle_docked"].append(self.vesicle[:cut].copy())
        snap["nmda_conducting"].append(
            ((self.nmda_gate[:cut] == 1) & (self.nmda_block[:cut] == 0)).astype(np.int8)
        )

    # ---- results --------------------------------------------------------------------------
    @property
    def v_mV(self) -> float:
        """Present axon membrane voltage."""
        return float(self.sv[rules.SV_V])

    def _events(self, arr: np.ndarray, counter: int, what: str) -> np.ndarray:
        n = int(self.iv[counter])
        if n > arr.shape[0]:
            raise ModelError(f"more {what} ({n}) than the event buffer holds ({arr.shape[0]}).")
        return arr[:n].copy()

    @property
    def spike_times_ms(self) -> np.ndarray:
        return self._events(self.spikes, rules.IV_N_SPIKES, "axon spikes")

    @property
    def muscle_ap_times_ms(self) -> np.ndarray:
        return self._events(self.muscle, rules.IV_N_MUSCLE, "muscle APs")

    @property
    def nmda_spike_times_ms(self) -> np.ndarray:
        return self._events(self.nspikes, rules.IV_N_NSPIKES, "NMDA-neuron spikes")

    @property
    def quanta_times_ms(self) -> np.ndarray:
        return self._events(self.q_times, rules.IV_N_QUANTA, "quanta")

    @property
    def quanta_per_terminal_ap(self) -> np.ndarray:
        """Quanta released by each terminal AP that has started (and whose window ended)."""
        n = int(self.iv[rules.IV_N_ONSETS])
        return self.q_per_onset[:n].copy()

    def timeseries(self) -> dict[str, np.ndarray]:
        """Recorded columns up to the present step."""
        rows = self.step_index // self.record_every + 1
        return {name: self.rec[:rows, j].copy() for j, name in enumerate(rules.RECORD_COLUMNS)}

    def snapshot_arrays(self) -> dict[str, np.ndarray]:
        """Snapshots stacked into arrays (frames × agents)."""
        return {k: np.asarray(v) for k, v in self.snapshots.items()}


#: Columns of the time series that Mesa's DataCollector also reports (the latest record).
RECORDED = rules.RECORD_COLUMNS


def _reporter(model: NerveModel, column: int):
    def latest(m) -> float:
        return float(m.rec[m.step_index // m.record_every, column])

    return latest


def _seed(rng) -> int:
    """An int seed from Mesa's ``rng`` argument (None: a fresh one, recorded)."""
    if rng is None:
        return int(np.random.SeedSequence().entropy % (2**63 - 1))
    return int(rng)


def _progress_bar(total: int, enabled: bool):
    if not enabled:
        return None
    try:
        from tqdm import tqdm
    except ImportError:  # progress is a nicety, not a dependency
        return None
    return tqdm(total=total, unit="step", desc="nerve")

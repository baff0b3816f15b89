"""The nerve model: a ``mesa.Model`` that owns the arrays and picks the engine.

Only this module calls the kernel.  The model

* packs the parameter set and the ionic environment into the flat parameter vector ``p``
  (surface potentials, pore occupancy, temperature factors and unit conversions happen
  here, once);
* owns every state array (channel agents' states, the populations' counts, sensors,
  counters, records) and one Mesa agent per row as a view;
* advances time with the numba kernel (``engine="numba"``) or with the reference engine,
  in which each agent's ``step()`` applies its rule in plain Python
  (``engine="reference"``).  Both give the same trajectory.

Parts: ``axon`` (one node of Ranvier with its internodal load), ``junction`` (terminal,
release sites, end plate, muscle AP) and ``nmda`` (receptors on a central neuron).  Without
the axon, the terminal is driven by ``terminal_onsets_ms`` (e.g. stimulus times), which is
how release-vs-Ca experiments isolate the junction.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import mesa
import numpy as np

from cellsim.errors import ModelError
from cellsim.mesa_model import RecordStepModel
from cellsim.nerve import kernel, reference, rules, surface
from cellsim.nerve.agents import (
    CHANNEL_AGENTS,
    CaChannel,
    ChannelPopulation,
    NMDAReceptor,
    ReleaseSite,
)
from cellsim.nerve.params import NerveParams

ENGINES = ("numba", "reference")
PARTS = ("axon", "junction", "nmda")
#: Release sites at and above which the site loop runs in parallel (when threads > 1).
PARALLEL_MIN_AGENTS = 50_000
SNAPSHOT_MAX_ROWS = 256  # agents per kind kept in snapshots (small files, for animations)


@dataclass(frozen=True)
class Ions:
    """What the nerve sees of its environment (mM, °C)."""

    ca_mM: float
    mg_mM: float
    mg_csf_mM: float
    temperature_C: float


@dataclass(frozen=True)
class Shifts:
    """Gating shifts (mV) of each channel family's surface, against normal ECF."""

    na_mV: float
    k_mV: float
    cav_mV: float
    postsynaptic_mV: float


def ecf(pr: NerveParams, ca_mM: float, mg_mM: float) -> dict[str, float]:
    """Mammalian extracellular fluid with the given divalent ions."""
    return surface.solution(pr.ecf_na_mM, pr.ecf_k_mM, ca_mM, mg_mM)


def gating_shifts(pr: NerveParams, ca_mM: float, mg_mM: float, temperature_C: float) -> Shifts:
    """Surface-potential shifts of Na, K and presynaptic Ca channels (mV)."""
    now = ecf(pr, ca_mM, mg_mM)
    ref = ecf(pr, pr.screening_ca_ref_mM, pr.screening_mg_ref_mM)

    def shift(s: surface.Surface) -> float:
        return surface.gating_shift_mV(s, now, ref, pr.ph, temperature_C)

    na = shift(pr.na_surface())
    return Shifts(na, shift(pr.k_surface()), shift(pr.cav_surface()), na)


def pore_ca_occupancy(pr: NerveParams, ca_mM: float, mg_mM: float) -> float:
    """Ca occupancy of an open P/Q pore: Ca and Mg compete (rapid equilibrium)."""
    x_ca, x_mg = ca_mM / pr.pore_k_ca_mM, mg_mM / pr.pore_k_mg_mM
    return x_ca / (1.0 + x_ca + x_mg)


def domain_uM_per_pA(pr: NerveParams) -> float:
    """Steady point source: ΔCa = i / (2 F · 4π D r), in µM per pA at the coupling distance."""
    d_m2_per_s = pr.ca_diffusion_um2_per_s * 1e-12
    r_m = pr.coupling_nm * 1e-9
    return 1e-12 / (2.0 * surface.FARADAY_C_PER_MOL * 4.0 * math.pi * d_m2_per_s * r_m) * 1e3


def quantal_factor(pr: NerveParams, shifts: Shifts, temperature_C: float) -> float:
    """Quantal size relative to normal ECF (hypothesis: the end-plate channels' current
    follows the surface Na concentration, exp(-F Δψ / RT), Δψ of Hille's surface)."""
    if not pr.postsynaptic_screening:
        return 1.0
    return surface.boltzmann_factor(shifts.postsynaptic_mV, 1, temperature_C)


def _epp_norm(rise_ms: float, decay_ms: float) -> float:
    """Peak of exp(-t/decay) - exp(-t/rise): divides the quantal size to scale the EPP."""
    t_peak = math.log(decay_ms / rise_ms) * rise_ms * decay_ms / (decay_ms - rise_ms)
    return math.exp(-t_peak / decay_ms) - math.exp(-t_peak / rise_ms)


def _terminal_norm(rise_ms: float, decay_ms: float) -> float:
    """Maximum of (1 - e^(-x/τr))³ e^(-x/τd): at e^(-x/τr) = 1 / (1 + 3 τd/τr)."""
    y = 1.0 / (1.0 + 3.0 * decay_ms / rise_ms)
    x = -rise_ms * math.log(y)
    return (1.0 - y) ** 3 * math.exp(-x / decay_ms)


def pack_params(
    pr: NerveParams,
    ions: Ions,
    dt_ms: float,
    axon_dt_ms: float,
    parts: Sequence[str],
    clamped: Sequence[str] = (),
    expected_release: bool = False,
) -> np.ndarray:
    """The flat parameter vector the kernel reads (layout in :mod:`rules`).

    Concentrations and temperature enter here and nowhere else: the surface-potential
    shifts, the pore's Ca occupancy, the quantal size, the NMDA block rate (CSF Mg) and
    every Q10.
    """
    t = ions.temperature_C
    shifts = gating_shifts(pr, ions.ca_mM, ions.mg_mM, t)
    p = np.zeros(rules.N_P)
    p[rules.DT] = dt_ms
    p[rules.DT_AX] = axon_dt_ms
    p[rules.N_SUB] = max(1, round(dt_ms / axon_dt_ms))
    p[rules.AX_ON] = "axon" in parts
    p[rules.TERM_ON] = "junction" in parts
    p[rules.NMDA_ON] = "nmda" in parts
    p[rules.AX_CLAMP] = 1.0 if "axon" in clamped else 0.0
    p[rules.N_CLAMP] = 1.0 if "nmda" in clamped else 0.0
    # node of Ranvier: MRG rates and their Q10s (reference 20, 20 and 36 °C)
    p[rules.Q1] = pr.q10_na_activation ** ((t - 20.0) / 10.0)
    p[rules.Q2] = pr.q10_na_inactivation ** ((t - 20.0) / 10.0)
    p[rules.Q3] = pr.q10_k ** ((t - 36.0) / 10.0)
    p[rules.AM_B] = pr.naf_activation_b_mV
    p[rules.SHIFT_NA] = shifts.na_mV
    p[rules.SHIFT_K] = shifts.k_mV
    p[rules.G_NA1] = pr.gamma_na_pS * 1e-3  # nS per open channel
    p[rules.G_KS1] = pr.gamma_ks_pS * 1e-3
    p[rules.G_KF1] = pr.gamma_kf_pS * 1e-3
    p[rules.G_L] = pr.g_leak_nS
    p[rules.E_NA], p[rules.E_K], p[rules.E_L] = pr.e_na_mV, pr.e_k_mV, pr.e_leak_mV
    p[rules.C_NODE] = pr.c_node_pF
    g_axial, c_load, g_load = pr.load()
    p[rules.G_AX], p[rules.C_LOAD], p[rules.G_LOAD] = g_axial, c_load, g_load
    p[rules.E_LOAD] = pr.e_load_mV
    p[rules.SPK_TH], p[rules.SPK_REARM] = pr.spike_threshold_mV, pr.spike_rearm_mV
    # terminal
    p[rules.DELAY_STEPS] = round(pr.conduction_delay_ms / dt_ms)
    p[rules.TV_REST] = pr.terminal_v_rest_mV
    p[rules.TV_AMP] = pr.terminal_v_peak_mV - pr.terminal_v_rest_mV
    p[rules.TV_RISE], p[rules.TV_DECAY] = pr.terminal_rise_ms, pr.terminal_decay_ms
    p[rules.TV_DELAY] = pr.terminal_delay_ms
    p[rules.TV_NORM] = _terminal_norm(pr.terminal_rise_ms, pr.terminal_decay_ms)
    p[rules.WINDOW_STEPS] = round(pr.terminal_window_ms / dt_ms)
    p[rules.SENSOR_WINDOW_STEPS] = round(3.0 * pr.terminal_window_ms / dt_ms)
    p[rules.SHIFT_CAV] = shifts.cav_mV
    q_cav = pr.cav_q10 ** ((t - pr.cav_reference_C) / 10.0)
    p[rules.CAV_A0], p[rules.CAV_AS] = q_cav * pr.cav_alpha0_per_ms, pr.cav_alpha_slope_mV
    p[rules.CAV_B0], p[rules.CAV_BS] = q_cav * pr.cav_beta0_per_ms, pr.cav_beta_slope_mV
    p[rules.DOM_PER_PA] = domain_uM_per_pA(pr)
    occupancy = pore_ca_occupancy(pr, ions.ca_mM, ions.mg_mM)
    reference = pore_ca_occupancy(pr, pr.unitary_reference_ca_mM, 0.0)
    p[rules.I_UNIT] = pr.unitary_current_pA * occupancy / reference
    p[rules.GHK_F] = (
        2.0 * surface.FARADAY_C_PER_MOL / (surface.GAS_J_PER_MOL_K * (t + 273.15) * 1000.0)
    )
    p[rules.DOM_REST] = pr.resting_ca_uM
    p[rules.S_N] = pr.sensor_sites
    p[rules.S_KON] = pr.sensor_kon_per_uM_per_ms
    p[rules.S_KOFF] = pr.sensor_koff_per_ms
    p[rules.S_B] = pr.sensor_cooperativity_b
    p[rules.S_GAMMA] = pr.fusion_rate_per_ms
    for b in range(1, pr.sensor_sites + 1):
        p[rules.S_DOWN + b] = b * pr.sensor_koff_per_ms * pr.sensor_cooperativity_b ** (b - 1)
    p[rules.REFILL_TAU] = pr.refill_tau_ms
    p[rules.CPS] = pr.channels_per_site
    p[rules.SHADOW] = 1.0 if expected_release else 0.0
    # end plate: quantal size at this Ca and Mg (postsynaptic screening hypothesis)
    q = pr.quantal_size_mV * quantal_factor(pr, shifts, t)
    p[rules.Q_NORM] = q / _epp_norm(pr.epp_rise_ms, pr.epp_decay_ms)
    p[rules.EPP_DEC_R] = math.exp(-dt_ms / pr.epp_rise_ms)
    p[rules.EPP_DEC_D] = math.exp(-dt_ms / pr.epp_decay_ms)
    p[rules.MUS_TH] = pr.muscle_threshold_mV
    p[rules.MUS_REFR_STEPS] = round(pr.muscle_refractory_ms / dt_ms)
    # NMDA: k_block/k_unblock = [Mg]/K0 · exp(-a V)  (Woodhull; Jahr & Stevens 1990); the
    # receptors are central: they see CSF Mg, not plasma Mg
    a = pr.nmda_voltage_coeff_per_mV
    share = pr.nmda_block_voltage_share
    p[rules.N_KU0] = pr.nmda_unblock_0mV_per_ms
    p[rules.N_KB0] = pr.nmda_unblock_0mV_per_ms / pr.nmda_k_mg_0mV_mM * ions.mg_csf_mM
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
    return p


@functools.lru_cache(maxsize=8)
def _rate_table(key: tuple) -> np.ndarray:
    p = np.zeros(rules.N_P)
    p[rules.Q1], p[rules.Q2], p[rules.Q3], p[rules.AM_B], p[rules.DT_AX] = key
    table = np.empty((rules.RATE_ROWS, 2 * rules.N_RATES))
    rules.fill_rate_table(p, table)
    return table


def rate_table(p: np.ndarray) -> np.ndarray:
    """The node's rates against gating voltage (shared by models with the same kinetics)."""
    return _rate_table(
        tuple(float(p[i]) for i in (rules.Q1, rules.Q2, rules.Q3, rules.AM_B, rules.DT_AX))
    )


class NerveModel(RecordStepModel):
    """Node of Ranvier, neuromuscular junction and NMDA synapse as Mesa agents over arrays.

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
    ca_ionised_mM, mg_ionised_mM, mg_csf_mM, temperature_C
        The environment (None: the set's conditions).
    stimulus, stimulus_ms, frequency_hz, count, amplitude_nA
        Node stimulus: ``"none"``, ``"pulses"`` at ``stimulus_ms`` or a ``"train"``.
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
    mg_csf_mM, temperature_C
        CSF Mg (NMDA receptors) and temperature (None: the set's conditions).
    duration_ms, dt_us, axon_dt_us
        Run length, time step of junction and NMDA, and of the node.
    seed
        Seed of the counter-based random stream (and of ``mesa.Model(rng=…)``).
    parts
        Any of ``"axon"``, ``"junction"``, ``"nmda"``.
    stim_nA
        Current into the node, one value per step (``None``: none).
    terminal_onsets_ms
        Terminal AP times when the axon is not simulated.
    glutamate
        NMDA agonist presence (0/1) per step (``None``: always present).
    clamp_mV, clamped
        Command voltage per step and the parts (``"axon"``, ``"nmda"``) it clamps; other
        parts are in current clamp.
    record_every_steps, snapshot_every_steps
        Strides of the time series and of the agent-state snapshots.
    engine
        ``"numba"`` (default) or ``"reference"``.
    channel_agents
        Node channels per family stepped one by one as agents (-1: all of them); the
        others are state counts.
    expected_release
        Also integrate every site's sensor as a probability along its nanodomain Ca (the
        exact expected release of a docked vesicle, per AP: ``expected_quanta_per_ap``).
    parallel_min_agents
        Release-site loops this large or larger run in parallel (numba engine).
    agents
        Create the Mesa agent views (default).  Experiments that build many throw-away
        models with the numba engine may skip them; the reference engine needs them.
    """

    def __init__(
        self,
        parameter_set: str | None = None,
        *,
        parts: Sequence[str] = ("axon", "junction"),
        ca_ionised_mM: float | None = None,
        mg_ionised_mM: float | None = None,
        mg_csf_mM: float | None = None,
        temperature_C: float | None = None,
        stimulus: str = "none",
        stimulus_ms: float | Sequence[float] = 10.0,
        frequency_hz: float = 20.0,
        count: int = 0,
        amplitude_nA: float = 1.0,
        duration_ms: float = 1000.0,
        dt_us: float = 5.0,
        record_every_ms: float = 0.1,
        engine: str = "numba",
        rng: int | None = None,
        **overrides,
    ):
        from cellsim.nerve.scale import NERVE
        from cellsim.scenario import resolve

        times = [stimulus_ms] if isinstance(stimulus_ms, int | float) else list(stimulus_ms)
        protocol = {
            "kind": stimulus,
            "times_ms": times,
            "start_ms": times[0],
            "frequency_hz": frequency_hz,
            "count": count,
            "amplitude_nA": amplitude_nA,
        }
        environment = {
            "ca_ionised_mM": ca_ionised_mM,
            "mg_ionised_mM": mg_ionised_mM,
            "mg_csf_mM": mg_csf_mM,
            "temperature_C": temperature_C,
        }
        model = {"parts": list(parts), **overrides}
        if parameter_set is not None:
            model["parameter_set"] = parameter_set
        data = {
            "scenario": {"name": "model"},
            "environment": {k: v for k, v in environment.items() if v is not None},
            "nerve": model,
            "protocol": protocol,
            "run": {
                "duration_ms": duration_ms,
                "dt_us": dt_us,
                "engine": engine,
                "record_every_ms": record_every_ms,
                "seed": _seed(rng),
            },
        }
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
        mg_csf_mM: float | None = None,
        temperature_C: float | None = None,
        dt_us: float = 5.0,
        axon_dt_us: float = 2.5,
        seed: int = 1,
        parts: Sequence[str] = ("axon", "junction"),
        stim_nA: np.ndarray | None = None,
        terminal_onsets_ms: Sequence[float] = (),
        glutamate: np.ndarray | None = None,
        clamp_mV: np.ndarray | None = None,
        clamped: Sequence[str] = (),
        record_every_steps: int = 20,
        snapshot_every_steps: int = 2000,
        engine: str = "numba",
        agents: bool = True,
        channel_agents: int = 8,
        expected_release: bool = False,
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
        if ca_o_mM < 0 or mg_o_mM < 0:
            raise ModelError(f"need Ca >= 0 and Mg >= 0 mM, got Ca={ca_o_mM}, Mg={mg_o_mM}.")
        conditions = params.conditions
        self.ions = Ions(
            float(ca_o_mM),
            float(mg_o_mM),
            float(conditions.mg_csf_mM if mg_csf_mM is None else mg_csf_mM),
            float(conditions.temperature_C if temperature_C is None else temperature_C),
        )
        self.params, self.engine, self.parts = params, engine, tuple(parts)
        self.ca_o_mM, self.mg_o_mM = self.ions.ca_mM, self.ions.mg_mM
        self.nerve_seed = int(seed)
        self.parallel_min_agents = int(parallel_min_agents)
        self.dt_ms = dt_us / 1000.0
        self.axon_dt_ms = axon_dt_us / 1000.0
        self.n_steps = round(duration_ms / self.dt_ms)
        self.record_every = int(record_every_steps)
        self.snapshot_every = max(
            self.record_every, self.record_every * (snapshot_every_steps // self.record_every)
        )
        self.step_index = 0
        self.substep = 0
        if clamped and clamp_mV is None:
            raise ModelError("clamped parts need a command voltage clamp_mV.")
        self.shifts = gating_shifts(
            params, self.ions.ca_mM, self.ions.mg_mM, self.ions.temperature_C
        )
        self.p = pack_params(
            params, self.ions, self.dt_ms, self.axon_dt_ms, self.parts, clamped, expected_release
        )
        self._make_inputs(stim_nA, glutamate, clamp_mV)
        self._make_state(terminal_onsets_ms, channel_agents)
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

        def per_step(name, values, needed, default):
            if values is None:
                return np.full(n if needed else 1, default, dtype=np.float64)
            arr = np.asarray(values, dtype=np.float64)
            if arr.shape != (n,):
                raise ModelError(f"{name} must have one value per step ({n}), got {arr.shape}.")
            return arr

        self.stim = per_step("stimulus", stim, False, 0.0)
        self.glu = per_step("glutamate", glutamate, False, 1.0)
        self.clamp = per_step("clamp", clamp, False, 0.0)

    def _make_state(self, terminal_onsets_ms, channel_agents):
        pr, n = self.params, self.n_steps
        has = self.parts.__contains__
        totals = (pr.n_naf, pr.n_nap, pr.n_ks, pr.n_kf) if has("axon") else (0, 0, 0, 0)
        self.n_channels = np.asarray(totals, dtype=np.int64)
        n_agents = [t if channel_agents < 0 else min(t, channel_agents) for t in totals]
        self.channel_states = tuple(np.zeros(k, dtype=np.int8) for k in n_agents)
        self.channel_counts = tuple(
            np.zeros(rules.N_STATES[f] if totals[f] > n_agents[f] else 0, dtype=np.int64)
            for f in range(4)
        )
        self.rate_table = rate_table(self.p) if has("axon") else np.zeros((2, 2 * rules.N_RATES))
        self.rates = np.zeros(rules.N_RATES)
        self.stays = np.zeros(rules.N_RATES)
        self.cum = np.zeros((4, rules.MAX_STATES, 5))
        self.delta = np.zeros(rules.MAX_STATES, dtype=np.int64)
        self.n_open = np.zeros(4, dtype=np.int64)
        n_sites = pr.n_release_sites if has("junction") else 0
        self.cav_cum = np.zeros((3, 5))
        self.cav_gate = np.zeros(n_sites * pr.channels_per_site, dtype=np.int8)
        self.sensor = np.zeros(n_sites, dtype=np.int8)
        self.vesicle = np.ones(n_sites, dtype=np.int8)
        self.fused = np.zeros(n_sites, dtype=np.int8)
        self.site_ca = np.full(n_sites, pr.resting_ca_uM)
        self.redock = np.full(n_sites, -np.inf)
        shadow_rows = n_sites if self.p[rules.SHADOW] > 0 else 0
        self.shadow = np.zeros((shadow_rows, pr.sensor_sites + 1))
        self.expected_step = np.zeros(n_sites)
        n_nmda = pr.n_nmda if has("nmda") else 0
        self.nmda_gate = np.zeros(n_nmda, dtype=np.int8)
        self.nmda_block = np.zeros(n_nmda, dtype=np.int8)
        self.sv = np.zeros(rules.N_SV)
        self.iv = np.zeros(rules.N_IV, dtype=np.int64)
        self.ctx = np.zeros(rules.N_CX)
        self.sv[rules.SV_V] = self.clamp[0] if self.p[rules.AX_CLAMP] else pr.v_init_mV
        self.sv[rules.SV_VL] = pr.e_load_mV if not self.p[rules.AX_CLAMP] else self.clamp[0]
        self.sv[rules.SV_TERM_V] = pr.terminal_v_rest_mV
        self.sv[rules.SV_DOM_MEAN] = pr.resting_ca_uM
        self.sv[rules.SV_NMDA_V] = self.clamp[0] if self.p[rules.N_CLAMP] else pr.nmda_e_leak_mV
        self.iv[rules.IV_ARMED] = 1
        self.iv[rules.IV_MUS_ARMED] = 1
        self.iv[rules.IV_LAST_ONSET] = -(10**9)
        self.iv[rules.IV_MUS_LAST] = -(10**9)
        duration_ms = n * self.dt_ms
        cap = int(duration_ms / 1.0) + 16 + len(terminal_onsets_ms)
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
        self.expected = np.zeros(cap)
        self.docked = np.zeros(cap)
        q_cap = min(max(n_sites, 1) * cap, 5_000_000)
        self.q_times = np.zeros(q_cap)
        self.q_sites = np.zeros(q_cap, dtype=np.int64)
        self.rec = np.zeros((n // self.record_every + 1, rules.N_REC))
        # steady-state starting states, drawn from the counter-based stream
        v0 = self.sv[rules.SV_V]
        for f in range(4):
            rules.init_family(
                self.nerve_seed,
                f,
                v0 - self.p[rules.SHIFT_NA],
                v0 - self.p[rules.SHIFT_K],
                self.p,
                self.channel_states[f],
                totals[f] - n_agents[f],
                self.channel_counts[f],
            )
        v0 = self.sv[rules.SV_NMDA_V]
        kb = self.p[rules.N_KB0] * math.exp(-self.p[rules.N_A_ON] * v0)
        ku = self.p[rules.N_KU0] * math.exp(self.p[rules.N_A_OFF] * v0)
        rules.init_bernoulli(self.nerve_seed, rules.PU_INIT_NMDA, kb / (kb + ku), self.nmda_block)

    def _make_agents(self):
        for f, cls in enumerate(CHANNEL_AGENTS):
            for i in range(self.channel_states[f].shape[0]):
                cls(self, i)
        for f in range(4):
            ChannelPopulation(self, f)
        for i in range(self.cav_gate.shape[0]):
            CaChannel(self, i)
        for i in range(self.sensor.shape[0]):
            ReleaseSite(self, i)
        for i in range(self.nmda_gate.shape[0]):
            NMDAReceptor(self, i)

    def _record_initial(self):
        r = self.rec[0]
        r[0], r[1], r[6] = 0.0, self.sv[rules.SV_V], self.sv[rules.SV_TERM_V]
        for f, column in ((rules.NAF, 3), (rules.NAP, 4)):
            open_now = rules.open_count(f, self.channel_states[f], self.channel_counts[f])
            r[column] = open_now / max(self.n_channels[f], 1)
        k_open = sum(
            rules.open_count(f, self.channel_states[f], self.channel_counts[f])
            for f in (rules.KS, rules.KF)
        )
        r[5] = k_open / max(self.n_channels[rules.KS] + self.n_channels[rules.KF], 1)
        r[7], r[10] = self.sv[rules.SV_DOM_MEAN], self.sv[rules.SV_NMDA_V]
        r[11] = 1.0 - self.nmda_block.mean() if self.nmda_block.size else 0.0

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
        self.advance(n)
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

    def advance(self, n: int) -> None:
        """Advance ``n`` time steps with the model's engine (no snapshot, no collection)."""
        n = min(n, self.n_steps - self.step_index)
        if n <= 0:
            return
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
                self.channel_states,
                self.channel_counts,
                self.rate_table,
                self.rates,
                self.stays,
                self.cum,
                self.delta,
                self.n_open,
                self.n_channels,
                self.onsets,
                self.spikes,
                self.cav_cum,
                self.cav_gate,
                self.sensor,
                self.vesicle,
                self.fused,
                self.site_ca,
                self.redock,
                self.shadow,
                self.expected_step,
                self.expected,
                self.docked,
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

    #: The arrays the kernel evolves (besides records and event buffers).
    STATE_ARRAYS = (
        "sv",
        "iv",
        "cav_gate",
        "sensor",
        "vesicle",
        "redock",
        "nmda_gate",
        "nmda_block",
    )

    def state(self) -> dict:
        """A copy of the dynamic state (to start several runs from one settled state)."""
        out = {name: getattr(self, name).copy() for name in self.STATE_ARRAYS}
        out["channel_states"] = tuple(a.copy() for a in self.channel_states)
        out["channel_counts"] = tuple(a.copy() for a in self.channel_counts)
        out["step_index"] = self.step_index
        return out

    def set_state(self, state: dict, *, keep_step: bool = True) -> None:
        """Continue from ``state`` (of a model with the same parameters and parts).

        Event counters restart from zero.  With ``keep_step`` the step index is taken
        too, so the random stream continues where that run left it (runs started from one
        state then share their noise: common random numbers).
        """
        for name in self.STATE_ARRAYS:
            getattr(self, name)[...] = state[name]
        for mine, theirs in zip(self.channel_states, state["channel_states"], strict=True):
            mine[...] = theirs
        for mine, theirs in zip(self.channel_counts, state["channel_counts"], strict=True):
            mine[...] = theirs
        counters = [
            rules.IV_N_SPIKES,
            rules.IV_N_QUANTA,
            rules.IV_N_MUSCLE,
            rules.IV_N_NSPIKES,
            rules.IV_N_ONSETS,
        ]
        if "axon" in self.parts:  # terminal APs queued by that run's spikes are dropped
            counters += [rules.IV_Q_HEAD, rules.IV_Q_TAIL]
            self.iv[rules.IV_LAST_ONSET] = -(10**9)
        for counter in counters:
            self.iv[counter] = 0
        if keep_step:
            self.step_index = int(state["step_index"])

    def _take_snapshot(self) -> None:
        cut = SNAPSHOT_MAX_ROWS
        snap = self.snapshots
        snap["time_ms"].append(self.step_index * self.dt_ms)
        snap["na_state"].append(self.channel_states[rules.NAF][:cut].copy())
        snap["k_state"].append(self.channel_states[rules.KS][:cut].copy())
        cps = self.params.channels_per_site
        rows = min(cut, self.sensor.size) * cps
        snap["cav_conducting"].append((self.cav_gate[:rows] == 2).astype(np.int8))
        snap["sensor_bound"].append(self.sensor[:cut].copy())
        snap["vesicle_docked"].append(self.vesicle[:cut].copy())
        snap["nmda_conducting"].append(
            ((self.nmda_gate[:cut] == 1) & (self.nmda_block[:cut] == 0)).astype(np.int8)
        )

    # ---- results --------------------------------------------------------------------------
    @property
    def v_mV(self) -> float:
        """Present voltage of the node."""
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
        """Quanta released by each terminal AP that has started."""
        n = int(self.iv[rules.IV_N_ONSETS])
        return self.q_per_onset[:n].copy()

    @property
    def expected_quanta_per_ap(self) -> np.ndarray:
        """Expected quanta of each terminal AP had every site a docked vesicle (needs
        ``expected_release=True``): sum over sites of their sensors' fusion probability."""
        if self.p[rules.SHADOW] <= 0:
            raise ModelError("build the model with expected_release=True to have these.")
        n = int(self.iv[rules.IV_N_ONSETS])
        return self.expected[:n].copy()

    @property
    def docked_fraction_per_ap(self) -> np.ndarray:
        """Fraction of release sites holding a vesicle when each terminal AP started."""
        n = int(self.iv[rules.IV_N_ONSETS])
        return self.docked[:n].copy()

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

"""The fibre as a ``mesa.Model``: owns the arrays, makes agent views, steps an engine.

>>> from cellsim.fibre import FibreModel
>>> model = FibreModel(parameter_set="human", mg_free_mM=0.5, duration_ms=50.0, rng=1)
>>> model.run()                                    # numba engine by default
>>> model.datacollector.get_model_vars_dataframe()  # doctest: +SKIP

Only this module calls kernels (see ``docs/architecture.md``); the reference engine is
:mod:`cellsim.fibre.reference`.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable

import mesa
import numba
import numpy as np

from cellsim.environment import Environment
from cellsim.errors import ModelError
from cellsim.fibre import kernel as K
from cellsim.fibre import reference, rest
from cellsim.fibre.agents import (
    CaIon,
    MgIon,
    ParvalbuminSite,
    PumpSite,
    RegulatoryUnit,
    RyRChannel,
    SercaPump,
    TroponinSite,
)
from cellsim.fibre.params import FibreParams, at_temperature
from cellsim.fibre.protocol import Protocol, RunSettings
from cellsim.fibre.state import (
    CA,
    MG,
    PV,
    SERCA,
    SERCA2,
    TN_CAMG,
    TN_REG,
    FibreState,
    build_state,
    equilibrium_occupancy,
    rate_tables,
)
from cellsim.jit import ThreadChooser
from cellsim.mesa_model import RecordStepModel

#: Recorded quantities, in the order kernel.observe writes them.
OBSERVABLES = (
    "ca_free_uM",
    "ca_atp_uM",
    "mg_free_uM",
    "mg_atp_uM",
    "tn_reg_ca_fraction",
    "tn_reg_mg_fraction",
    "tn_camg_ca_fraction",
    "tn_camg_mg_fraction",
    "pv_ca_fraction",
    "pv_mg_fraction",
    "serca_ca_fraction",
    "sr_ca_uM",
    "sr_ca_free_uM",
    "ryr_open_fraction",
    "ryr_inactivated_fraction",
    "force_fraction",
    "sarcomere_length_um",
    "ryr_released_uM",
)
#: Largest per-step event probability we accept before refusing a dt.
MAX_STEP_PROBABILITY = 0.3
#: Time steps the automatic choice picks from (µs), largest first.
AUTO_DT_US = (5.0, 4.0, 2.5, 2.0, 1.25, 1.0, 0.5, 0.25, 0.2, 0.1, 0.05, 0.02, 0.01)


def pack_parameters(
    p: FibreParams, state: FibreState, dt_ms: float, clamp: tuple[float, float] | None
) -> tuple[np.ndarray, np.ndarray]:
    """Flatten parameters into the kernel's float and int vectors."""
    geo = state.geometry
    ppu = state.particles_per_uM
    pf = np.zeros(K.N_F)
    pf[K.F_DT] = dt_ms
    pf[K.F_LX], pf[K.F_LY], pf[K.F_LZ] = geo.lx_um, geo.ly_um, geo.lz_um
    pf[K.F_SIG_CA] = math.sqrt(2.0 * p.d_ca_um2_per_ms * dt_ms)
    pf[K.F_SIG_MG] = math.sqrt(2.0 * p.d_mg_um2_per_ms * dt_ms * p.mg_substeps)
    pf[K.F_SIG_PV] = math.sqrt(2.0 * p.d_pv_um2_per_ms * dt_ms * p.pv_substeps)
    pf[K.F_SIG_ATP] = math.sqrt(2.0 * p.d_atp_um2_per_ms * dt_ms)
    # one site in a voxel, as a concentration (µM)
    pf[K.F_CONC_PER_SITE] = p.particle_weight / (geo.voxel_volume_um3 * 602.214)
    pf[K.F_PPU] = ppu
    pf[K.F_AP_DURATION] = p.ap_duration_ms
    pf[K.F_AP_TAU] = p.ap_tau_ms
    pf[K.F_RYR_KD_MG_AP] = p.ryr_kd_mg_ap_mM * 1000.0
    pf[K.F_RYR_UNIT] = rest.unitary_flux_per_ms(p) * ppu  # ions per ms per µM gradient
    pf[K.F_CDI_K] = p.cdi_k_per_ms
    pf[K.F_CDI_KD] = p.cdi_kd_uM
    # Ca at an open channel's mouth per µM of SR-myoplasm gradient
    rest_sr = p.ca_sr_free_rest_uM
    pf[K.F_CDI_DOMAIN] = p.cdi_domain_uM / rest_sr if rest_sr > 0 else 0.0
    pf[K.F_CDI_KREC] = p.cdi_krec_per_ms
    pf[K.F_CA_SR_REST] = p.ca_sr_free_rest_uM
    pf[K.F_RYR_KA] = p.ryr_rest_ka_uM
    pf[K.F_RYR_KA_MG] = p.ryr_rest_ka_mg_uM
    pf[K.F_RYR_KI_MG] = p.ryr_rest_ki_mg_uM
    pf[K.F_RYR_PO_MAX] = p.ryr_cicr_po_max
    pf[K.F_LEAK] = state.leak_per_ms
    pf[K.F_SR_VOLUME] = p.sr_volume_ratio
    pf[K.F_CSQ_SITES] = p.csq_sites_sr_uM
    pf[K.F_CSQ_KD] = p.csq_kd_uM
    pf[K.F_ATP_TOTAL] = p.atp_total_uM
    pf[K.F_ATP_KD_CA] = p.atp_koff_ca / p.atp_kon_ca if p.atp_kon_ca > 0 else 0.0
    pf[K.F_ATP_KON_MG] = p.atp_kon_mg
    pf[K.F_ATP_KOFF_MG] = p.atp_koff_mg
    pf[K.F_SERCA_KCAT] = p.serca_kcat_per_ms
    pf[K.F_SERCA_KM_MGATP] = p.serca_km_mgatp_uM
    pf[K.F_SERCA_KI_ATP] = p.serca_ki_atp_uM
    pf[K.F_RU_KON] = p.ru_k_on_per_ms
    pf[K.F_RU_ONE_CA] = p.ru_one_ca_factor
    pf[K.F_RU_KOFF] = p.ru_k_off_per_ms
    pf[K.F_RU_GAMMA] = p.ru_gamma
    pf[K.F_XB_ATTACH] = p.xb_k_attach_per_ms
    pf[K.F_XB_DETACH] = p.xb_k_detach_per_ms
    pf[K.F_XB_HOLD] = p.xb_hold_factor
    pf[K.F_SL_REST] = p.sl_rest_um
    pf[K.F_SL_SHORT] = p.sl_shortening_um
    pf[K.F_SL_TAU] = p.sl_tau_ms
    pf[K.F_CLAMP_CA], pf[K.F_CLAMP_MG] = clamp if clamp else (-1.0, -1.0)
    pf[K.F_DUTY_MAX] = p.xb_k_attach_per_ms / (p.xb_k_attach_per_ms + p.xb_k_detach_per_ms)
    pf[K.F_INV_VX], pf[K.F_INV_VY], pf[K.F_INV_VZ] = geo.inverse_voxel_um
    pi = np.zeros(K.N_I, dtype=np.int64)
    pi[K.I_NX], pi[K.I_NY], pi[K.I_NZ] = geo.nx, geo.ny, geo.nz
    pi[K.I_MG_SUB], pi[K.I_PV_SUB] = p.mg_substeps, p.pv_substeps
    pi[K.I_RU_PER_CHAIN] = state.ru_per_chain
    pi[K.I_N_PUMPS] = state.n_pumps
    pi[K.I_N_CA], pi[K.I_N_MG] = state.n_ca_total, state.n_mg_total
    pi[K.I_CLAMP] = 1 if clamp else 0
    pi[K.I_REG_PER_RU] = state.reg_per_unit
    return pf, pi


def event_rates(p: FibreParams, mg_free_mM: float) -> dict[str, float]:
    """Largest rate (ms⁻¹ of the kernel's step) of each kind of event, from the parameters.

    Binding uses the free sites at rest, concentrated where the sites sit (troponin on
    the thin filaments).  Mg events and unbinding happen every ``mg_substeps`` steps, so
    their rates are multiplied by it: the probability per substep is what must stay small.
    """
    kon, koff = rate_tables(p)
    mg = mg_free_mM * 1000.0
    thin = min(p.length_x_um, p.ru_per_filament * 0.0385)
    on_filament = p.length_x_um / thin
    one, two, _ = rest.serca_steady(p, p.ca_rest_uM, mg)
    free_sites = {
        TN_REG: p.reg_sites_per_tnc * p.tnc_uM * on_filament,
        TN_CAMG: 2 * p.tnc_uM * on_filament,
        PV: p.pv_sites_uM,
        SERCA: p.serca_uM * (1.0 - one - two),
        SERCA2: p.serca_uM * one,
    }
    for t in (TN_REG, TN_CAMG, PV):
        th_ca, th_mg = equilibrium_occupancy(kon, koff, t, p.ca_rest_uM, mg)
        free_sites[t] *= 1.0 - th_ca - th_mg
    atp_free, _, _ = rest.atp_equilibrium(p, p.ca_rest_uM, mg)
    sub = p.mg_substeps
    out = {}
    for sp, label in ((CA, "Ca"), (MG, "Mg")):
        rate = sum(kon[t, sp] * free_sites[t] for t in free_sites)
        if sp == MG:
            rate = (rate + p.atp_kon_mg * atp_free) * sub
        out[f"{label} binding"] = rate
        out[f"{label} unbinding"] = float(np.max(koff[:, sp])) * sub
    out["Mg-ATP dissociation"] = p.atp_koff_mg * sub
    out["RyR voltage sensor"] = 1.0 / p.ap_tau_ms
    out["RyR inactivation"] = p.cdi_k_per_ms
    out["SERCA transport"] = p.serca_kcat_per_ms
    out["crossbridge attachment"] = max(p.xb_k_attach_per_ms, p.xb_k_detach_per_ms)
    out["filament switching"] = max(p.ru_k_on_per_ms, p.ru_k_off_per_ms) * p.ru_gamma
    return out


def step_probabilities(p: FibreParams, dt_ms: float, mg_free_mM: float) -> dict[str, float]:
    """Largest per-step probability of each kind of event (see :func:`event_rates`)."""
    return {k: -math.expm1(-r * dt_ms) for k, r in event_rates(p, mg_free_mM).items()}


def automatic_dt_us(p: FibreParams, mg_free_mM: float) -> float:
    """The longest of :data:`AUTO_DT_US` that keeps every event probability per step
    below :data:`MAX_STEP_PROBABILITY` (a warm fibre's rates need shorter steps)."""
    fastest = max(event_rates(p, mg_free_mM).values())
    longest_ms = -math.log(1.0 - MAX_STEP_PROBABILITY) / fastest
    for dt_us in AUTO_DT_US:
        if dt_us / 1000.0 <= longest_ms:
            return dt_us
    return AUTO_DT_US[-1]


def check_time_step(p: FibreParams, dt_ms: float, mg_free_mM: float) -> None:
    """Refuse a dt for which one step's event probability would be too coarse."""
    probabilities = step_probabilities(p, dt_ms, mg_free_mM)
    name, value = max(probabilities.items(), key=lambda item: item[1])
    if value > MAX_STEP_PROBABILITY:
        auto = automatic_dt_us(p, mg_free_mM)
        raise ModelError(
            f"dt = {dt_ms * 1000:g} µs is too long for {p.name} at "
            f"{p.temperature_C:g} °C: {name} would happen with probability {value:.2f} "
            f"per step (limit {MAX_STEP_PROBABILITY}). Lower [run] dt_us to {auto:g} or "
            "less, or set dt_us = 0 to let the fibre choose"
            + (" (or lower [fibre] mg_substeps)." if name.startswith("Mg") else ".")
        )


def params_in(params: FibreParams, environment: Environment) -> FibreParams:
    """The set at the environment's temperature (its Q10s from its own temperature)."""
    temperature = environment.temperature_C
    if temperature is None:
        return params
    return at_temperature(params, float(temperature))


def resolved_settings(
    params: FibreParams, settings: RunSettings, environment: Environment
) -> RunSettings:
    """Run settings with an automatic time step (``dt_us = 0``) chosen for this fibre."""
    if settings.dt_us > 0:
        return settings
    env = environment.over(params.conditions)
    warm = params_in(params, env)
    dt = automatic_dt_us(warm, float(env.mg_free_intracellular_mM))
    return dataclasses.replace(settings, dt_us=dt)


class FibreModel(RecordStepModel):
    """A muscle-fibre segment whose ions, sites, channels and pumps are Mesa agents.

    Made the Mesa way, from scalars (what ``mesa.batch_run`` and a slider vary)::

        model = FibreModel(parameter_set="human", mg_free_mM=0.3, duration_ms=20.0, rng=1)
        model.run()          # or model.step(): one record interval (record_every_ms)

    or from a scale's typed setup with :meth:`from_setup`.  Every scalar goes through the
    scenario validator, so a bad value gets the same message as in a file.

    Parameters
    ----------
    parameter_set
        A named set (``"human"``, ``"mouse_fast_16C"``, ``"mouse_slow_16C"``).
    mg_free_mM, temperature_C
        The environment: cytosolic free Mg and temperature (None: the set's conditions).
    stimulus
        ``"pulses"`` (action potentials at ``stimulus_ms``), ``"train"`` (from the first
        of ``stimulus_ms`` at ``frequency_hz`` for ``train_duration_ms``) or ``"none"``.
    stimulus_ms
        One time or a list of times.
    duration_ms, dt_us, record_every_ms, engine
        Run settings (``dt_us = 0``: the longest step the fibre's rates allow).
    rng
        The seed (an int); None draws one (``model.seed`` records it).
    **overrides
        Any parameter of the set by name, e.g. ``serca_uM=100``.

    Attributes
    ----------
    time
        Simulated time in ms (``model.time_ms``); ``steps`` counts record intervals.
    """

    def __init__(
        self,
        parameter_set: str = "human",
        *,
        mg_free_mM: float | None = None,
        temperature_C: float | None = None,
        stimulus: str = "pulses",
        stimulus_ms: float | tuple[float, ...] = 5.0,
        frequency_hz: float = 50.0,
        train_duration_ms: float = 300.0,
        duration_ms: float = 100.0,
        dt_us: float = 0.0,
        record_every_ms: float = 0.1,
        engine: str = "numba",
        rng: int | None = None,
        **overrides,
    ):
        from cellsim.fibre.experiments import scenario

        times = [stimulus_ms] if isinstance(stimulus_ms, int | float) else list(stimulus_ms)
        protocol = {"kind": stimulus, "times_ms": times}
        if stimulus == "train":
            protocol.update(start_ms=times[0], frequency_hz=frequency_hz,
                            train_duration_ms=train_duration_ms)  # fmt: skip
        environment = {"mg_free_intracellular_mM": mg_free_mM, "temperature_C": temperature_C}
        built = scenario(
            {"parameter_set": parameter_set, **overrides},
            protocol,
            {"duration_ms": duration_ms, "dt_us": dt_us, "record_every_ms": record_every_ms,
             "engine": engine, "seed": _seed(rng)},
            {k: v for k, v in environment.items() if v is not None},
            name="model",
        )  # fmt: skip
        setup = built.setups["fibre"]
        self._build(setup.params, setup.protocol, setup.settings, built.environment)

    @classmethod
    def from_setup(
        cls,
        params: FibreParams,
        protocol: Protocol,
        settings: RunSettings,
        environment: Environment | None = None,
    ) -> FibreModel:
        """A model from typed objects (a scale's setup): what ``cellsim.run`` uses."""
        model = cls.__new__(cls)
        model._build(params, protocol, settings, environment)
        return model

    def _build(
        self,
        params: FibreParams,
        protocol: Protocol,
        settings: RunSettings,
        environment: Environment | None,
    ) -> None:
        self._views = None  # agent views, made on first use (see _agent_views)
        mesa.Model.__init__(self, rng=settings.seed)
        self._start_stepping()
        self.environment = (environment or Environment()).over(params.conditions)
        #: the named set as given (at its own temperature)
        self.params_set = params
        #: the set at the environment's temperature: what the kernel runs
        self.params = params = params_in(params, self.environment)
        settings = resolved_settings(params, settings, self.environment)
        self.protocol = protocol
        self.settings = settings
        self.mg_free_mM = float(self.environment.mg_free_intracellular_mM)
        self.temperature_C = params.temperature_C
        self.seed = settings.seed
        self.engine = settings.engine
        self.clamped = protocol.kind == "clamp"
        self.duration_ms = protocol.clamp_duration_ms if self.clamped else settings.duration_ms
        self.n_steps = round(self.duration_ms / settings.dt_ms)
        #: the most numba threads the kernel may use; 1 runs the serial kernel, which never
        #: starts numba's thread pool (see cellsim.fibre.kernel).  Above 1, the chooser
        #: times serial and threaded calls and uses the faster (cellsim.jit.ThreadChooser).
        self.threads = 1
        #: choose between one thread and ``threads`` by timing (an automatic choice);
        #: False: always ``threads`` (a user's explicit request)
        self.adaptive_threads = False
        self._chooser = None
        self.step_index = 0
        self.reference_active = False  # set while the reference engine steps the agents
        self._progress = self._on_record = None
        check_time_step(params, settings.dt_ms, self.mg_free_mM)
        levels = protocol.clamp_levels_uM(self.mg_free_mM) if self.clamped else ()
        clamp = levels[0] if levels else None
        self._clamp_changes = dict(protocol.clamp_change_steps(settings.dt_ms, self.mg_free_mM))
        self.state = build_state(
            params,
            settings.seed,
            self.mg_free_mM,
            with_ions=not self.clamped,
            clamp_ca_uM=clamp[0] if clamp else None,
        )
        self.pf, self.pi = pack_parameters(params, self.state, settings.dt_ms, clamp)
        K.unbinding_table(self.state.koff, self.state.p_unbind, self.pf, self.pi)
        self.ru_next = (np.empty_like(self.state.ru_perm), np.empty_like(self.state.ru_xb))
        K.count_mobile_ca(self.kernel_arrays()[0], self.pf, self.pi)
        #: whether the chunks' work tallies match the arrays (kept by the kernel only)
        self._counts_valid = False
        drive = self.environment.muscle_ap_times_ms
        self.stimulus_times_ms = (
            tuple(sorted(drive)) if drive is not None
            else protocol.stimulus_times_ms(self.duration_ms)
        )  # fmt: skip
        self.ap_times_ms = np.asarray(self.stimulus_times_ms, dtype=np.float64)
        self._obs = np.zeros(len(OBSERVABLES))
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "time_ms": lambda m: m.time_ms,
                **{name: _reporter(k) for k, name in enumerate(OBSERVABLES)},
            }
        )
        self.observe()
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ agents
    # The arrays are the model; Mesa agents are views onto their rows.  They are
    # made on first use (Mesa's ``agents``/``agents_by_type``, the lists below or
    # the reference engine) because a real-scale fibre has millions of rows: views
    # for all of them would cost ~0.5 kB and ~5 µs each, which the kernel never needs.
    def _agent_views(self) -> dict[str, list]:
        if self._views is None:
            s = self.state
            pv_lo, pv_hi = int(s.type_start[PV]), int(s.type_start[PV + 1])
            pump_lo = int(s.type_start[SERCA])
            self._views = {
                "ions": [
                    (CaIon if sp == CA else MgIon)(self, i) for i, sp in enumerate(s.ion_species)
                ],
                "sites": [
                    (
                        ParvalbuminSite
                        if pv_lo <= row < pv_hi
                        else PumpSite
                        if row >= pump_lo
                        else TroponinSite
                    )(self, row)
                    for row in range(len(s.site_type))
                ],
                "pumps": [SercaPump(self, q) for q in range(s.n_pumps)],
                "ryrs": [RyRChannel(self, r) for r in range(len(s.ryr_open))],
                "units": [RegulatoryUnit(self, r) for r in range(s.n_ru)],
            }
        return self._views

    @property
    def agents(self) -> mesa.agent.AgentSet:
        """All agents (Mesa's AgentSet); makes the views on first use."""
        self._agent_views()
        return super().agents

    @property
    def agents_by_type(self) -> dict:
        """Agents by class (Mesa's AgentSets); makes the views on first use."""
        self._agent_views()
        return super().agents_by_type

    @property
    def ion_agents(self) -> list:
        """``CaIon``/``MgIon`` views, one per ion row."""
        return self._agent_views()["ions"]

    @property
    def site_agents(self) -> list:
        """``TroponinSite``/``ParvalbuminSite``/``PumpSite`` views, one per site row."""
        return self._agent_views()["sites"]

    @property
    def pump_agents(self) -> list:
        return self._agent_views()["pumps"]

    @property
    def ryr_agents(self) -> list:
        return self._agent_views()["ryrs"]

    @property
    def ru_agents(self) -> list:
        return self._agent_views()["units"]

    # ------------------------------------------------------------- quantities
    @property
    def time_ms(self) -> float:
        return self.step_index * self.settings.dt_ms

    @property
    def mg_uM_now(self) -> float:
        """Free Mg (µM) from the conserved total, bound ions and the Mg-ATP pool."""
        s = self.state
        bound = int(s.bound_count[:, MG].sum())
        return (s.n_mg_total - bound - int(s.mg_pool_count[0])) / s.particles_per_uM

    def voxel_index(self, x: float, y: float, z: float) -> int:
        return int(K.voxel_index(x, y, z, self.pf, self.pi))

    def observe(self) -> np.ndarray:
        """Update and return the recorded quantities (see OBSERVABLES)."""
        ions, sites, _rates, sr, fil = self.kernel_arrays()
        if not self._counts_valid:
            K.count_chunk_work(ions)
            self._counts_valid = True
        K.observe(ions, sites, sr, fil, self.pf, self.pi, self._obs)
        return self._obs

    def set_clamp(self, ca_uM: float, mg_uM: float) -> None:
        """Change the bath of a skinned-fibre clamp (every site's next event is redrawn)."""
        self.pf[K.F_CLAMP_CA], self.pf[K.F_CLAMP_MG] = ca_uM, mg_uM
        self.state.site_next[:] = K.UNSCHEDULED

    # ---------------------------------------------------------------- stepping
    @property
    def finished(self) -> bool:
        return self.step_index >= self.n_steps

    def advance_record(self) -> None:
        """One record interval (``model.step()`` in Mesa's terms): advance and observe.

        Stops early at a change of the clamp's bath, so each level starts on time.
        """
        n = min(self.settings.record_every_steps, self.n_steps - self.step_index)
        upcoming = [c for c in self._clamp_changes if c > self.step_index]
        if upcoming:
            n = min(n, min(upcoming) - self.step_index)
        self.advance(n)
        if self.step_index in self._clamp_changes:
            self.set_clamp(*self._clamp_changes[self.step_index])
        self.observe()
        self._last_advance = n

    def after_record(self) -> None:
        if self._on_record is not None:
            self._on_record(self)
        if self._progress is not None:
            self._progress(self._last_advance)

    def advance(self, n_steps: int) -> None:
        """Advance ``n_steps`` kernel time steps (one kernel call with the numba engine).

        Below Mesa's ``step()``: nothing is observed or collected.
        """
        if self.engine == "numba":
            args = (self.step_index, n_steps, self.seed, self.ap_times_ms, *self.kernel_arrays())
            recount = not self._counts_valid
            if self._chooser is None or self._chooser.threads != self.threads:
                self._chooser = ThreadChooser(self.threads if self.adaptive_threads else 1)
            threads = self._chooser.next() if self.adaptive_threads else self.threads
            start = time.perf_counter()
            if threads > 1:
                numba.set_num_threads(threads)
                K.advance_threaded(*args, self.pf, self.pi, recount, threads)
            else:
                self._serial_kernel()(*args, self.pf, self.pi, recount)
            self._chooser.record(threads, time.perf_counter() - start, n_steps)
            self._counts_valid = True
            self.step_index += n_steps
        else:
            for _ in range(n_steps):
                reference.step(self)
                self.step_index += 1
            self._counts_valid = False  # the reference engine keeps no chunk tallies

    def _serial_kernel(self):
        """The one-thread kernel for this fibre: ``advance`` less the phases this fibre
        never reaches (a clamp has no ions; a fibre without parvalbumin nothing to move),
        so that a run compiles only what it uses.  Same phases, same results."""
        if self.pi[K.I_CLAMP] == 1:
            return K.advance_clamp
        if self.state.type_start[PV + 1] == self.state.type_start[PV]:
            return K.advance_fixed_sites
        return K.advance

    def kernel_arrays(self) -> tuple[tuple, tuple, tuple, tuple, tuple]:
        """The state's arrays grouped as the kernel takes them (views, not copies).

        ions (with the chunks' work counts), sites, rates (per-site-type, per-voxel and
        per-slab tables), SR, Mg-ATP pool, RyR and the step's scalars, filament
        (regulatory units, their next state, sarcomere length).
        """
        s = self.state
        return (
            (
                s.ion_x, s.ion_y, s.ion_z, s.ion_species, s.ion_state, s.ion_site, s.ion_event,
                s.event_rows, s.event_count, s.chunk_ca, s.chunk_sub, s.chunk_catp,
                s.chunk_triad, s.block_ca, s.block_sub, s.chunk_counted,
            ),
            (
                s.site_x, s.site_y, s.site_z, s.site_type, s.site_species, s.site_occupant,
                s.site_voxel, s.type_start, s.vox_start, s.vox_sites, s.n_free, s.bound_count,
                s.site_next, s.bath_block_next,
            ),
            (s.kon, s.koff, s.bind_weight, s.p_bind, s.p_unbind, s.f_atp, s.atp_free),
            (
                s.sr_stack, s.sr_count, s.ryr_open, s.ryr_y, s.ryr_z, s.ryr_sensor, s.ryr_inact,
                s.ryr_coupled, s.mg_pool, s.mg_pool_count, s.scalars,
            ),
            (s.ru_perm, s.ru_xb, self.ru_next[0], self.ru_next[1], s.sarcomere),
        )  # fmt: skip

    def run(
        self,
        progress: Callable[[int], None] | None = None,
        on_record: Callable[[FibreModel], None] | None = None,
    ) -> None:
        """Step to the end of the run (``while running: step()``).

        Parameters
        ----------
        progress
            Called with the number of time steps just done (e.g. a tqdm ``update``).
        on_record
            Called after each record (snapshots hook).
        """
        self._progress, self._on_record = progress, on_record
        try:
            super().run()
        finally:
            self._progress = self._on_record = None

    # -------------------------------------------------- bookkeeping for agents
    @property
    def partner_offset(self) -> int:
        """Rows from a pump's first site to its second."""
        s = self.state
        return int(s.type_start[SERCA2] - s.type_start[SERCA])

    def bind_site(self, site: int, ion: int) -> None:
        """Ion ``ion`` takes site ``site`` (the kernel's bookkeeping)."""
        _, sites, *_ = self.kernel_arrays()
        K.bind_ion(ion, site, self.kernel_arrays()[0], sites, self.partner_offset)

    def free_site(self, site: int) -> None:
        """Site ``site`` loses its ion (the ion's row is the caller's)."""
        K.release_site(site, self.kernel_arrays()[1], self.partner_offset)


def _reporter(k: int):
    return lambda m: float(m._obs[k])


def _seed(rng) -> int:
    """An int seed from Mesa's ``rng`` argument (None: a fresh one, recorded)."""
    if rng is None:
        return int(np.random.SeedSequence().entropy % (2**63 - 1))
    return int(rng)

"""Checks of the muscle fibre: the twitch's Ca transient and release, trains and
force–frequency, resting stability against Mg, fibre types and temperature, force–pCa
and Mg, and the physics the agent rules must obey.

Runs start from the bundled scenarios or :mod:`cellsim.fibre.experiments`, so a check
measures what a user runs.  Stochastic checks give one value per seed
(``Outcome(samples=...)``): three seeds in the full version; the quick versions (the
test suite's) use fewer seeds, a larger particle weight or a narrower skinned-fibre
column, with the same acceptance rules.  Each check says what kind of agreement it is:
a *calibration* names the constants fitted to it, a *prediction* what the model was
fitted to instead, a *known gap* is a published result the model misses (drawn, never
failing).
"""

from __future__ import annotations

import math

import numpy as np

import cellsim
from cellsim.fibre import experiments, metrics, rest
from cellsim.fibre.params import PARAMETER_SETS
from cellsim.fibre.state import CA, FREE, MG, ON_ATP, TN_REG
from cellsim.scenario import bundled_dir, load
from cellsim.validation import figures as fig
from cellsim.validation.checks import Outcome, Within, around, at_least, at_most, check, shared

FAST = "mouse_fast_16C"
SLOW = "mouse_slow_16C"
BH03 = "Baylor & Hollingworth 2003, J Physiol 551:125 (mouse fibres, 16 °C, furaptra)"
BH07 = "Baylor & Hollingworth 2007, J Gen Physiol 130:283"

#: Published results of the literature table that are not checks, and why.
UNCHECKED = (
    (
        "Rat EDL twitch half-relaxation time ≈ 9.4 ms (Heizmann et al. 1982)",
        "There is no rat parameter set.",
    ),
    (
        "Human whole-muscle twitch contraction time 100-157 ms (Vandervoort & McComas 1983)",
        "A whole muscle adds motor-unit asynchrony, tendon compliance and length changes; "
        "the model is one half-sarcomere column (see fibre.human_twitch_times for motor "
        "units, a known gap).",
    ),
    (
        "Spontaneous release at low Mg in human fibres (halothane-triggered release at "
        "0.4 mM Mg in 58 % of MH-negative fibres; Anesthesiology 2004, 101:1339)",
        "A trigger (halothane) is not modelled; the human set's own threshold (~0.09 mM, "
        "from the mouse calibration moved to 37 °C) is a prediction reported in "
        "docs/fibre.md; it rests on the release flux and the pumps sharing a Q10.",
    ),
    (
        "Tetanic free Ca in mouse FDB fibres, ~1-2 µM with indo-1/fura-2 at 22-25 °C "
        "(Westerblad & Allen 1991, J Gen Physiol 98:615)",
        "Recalled, not re-checked, and at another temperature and with high-affinity dyes "
        "that under-report spatial means; the train checks use the issue's bounds instead.",
    ),
)


# --- running scenarios ---------------------------------------------------------------------
def run_bundled(file: str, overrides=()):
    """Run a bundled scenario (no snapshots) with ``--set``-style overrides."""
    return cellsim.run(load(bundled_dir() / file, [*overrides, "output.snapshots=false"]))


def scenario_in_code(fibre: dict, protocol: dict, run: dict):
    """A fibre scenario built in code; ``mg_free_mM`` in ``fibre`` sets the environment."""
    fibre = dict(fibre)
    mg = fibre.pop("mg_free_mM", None)
    env = {"mg_free_intracellular_mM": mg} if mg is not None else None
    return experiments.scenario(fibre, protocol, run, env, name="check")


def _seeds(session, full=(1, 2, 3), quick=(1, 2)):
    return quick if session.quick else full


# ===================================================================== mouse fast twitch
PEAK_UM, FDHM_MS = 18.5, 4.9
TWITCH_MS = 30.0


@shared
def mouse_twitches(session) -> list:
    """One 30 ms twitch of the mouse fast fibre per seed (two seeds quick, three full)."""
    return [
        run_bundled(
            "twitch_mouse_fast.toml",
            [f"run.seed={s}", f"run.duration_ms={TWITCH_MS}", "run.record_every_ms=0.05"],
        )
        for s in _seeds(session)
    ]


def _transient_data(session) -> dict:
    runs = mouse_twitches(session)
    traces, releases = [], []
    for out in runs:
        ca = metrics.smooth(np.asarray(out.timeseries["ca_free_uM"], float))
        traces.append(ca - out.summary["resting_ca_uM"])
        t = np.asarray(out.timeseries["time_ms"])
        released = np.asarray(out.timeseries["ryr_released_uM"], float)
        releases.append(metrics.smooth(np.gradient(released, t), 5))
    t = np.asarray(runs[0].timeseries["time_ms"])
    stim = runs[0].summary["stimulus_times_ms"][0]
    k0 = int(np.searchsorted(t, stim))
    return {
        "time_ms": t,
        "traces": traces,
        "releases": releases,
        "stimulus_ms": stim,
        "peaks": [o.summary["peak_delta_ca_uM"] for o in runs],
        "fdhms": [o.summary["ca_fdhm_ms"] for o in runs],
        "furaptra_fdhms": [_furaptra_fdhm(o) for o in runs],
        "release_peaks": [float(np.max(r)) for r in releases],
        "release_fdhms": [metrics.fdhm(t, r, k0) for r in releases],
        "release_totals": [float(o.timeseries["ryr_released_uM"][-1]) for o in runs],
    }


def _furaptra_fdhm(out) -> float:
    """FDHM of the first transient as furaptra reports it (metrics.furaptra_delta_ca)."""
    t = np.asarray(out.timeseries["time_ms"])
    ca = metrics.smooth(np.asarray(out.timeseries["ca_free_uM"], float))
    k0 = int(np.searchsorted(t, out.summary["stimulus_times_ms"][0]))
    seen = metrics.furaptra_delta_ca(t, ca)
    return metrics.fdhm(t, seen - np.mean(seen[: max(k0, 1)]), k0)


def _plot_transient(ax, d):
    t = d["time_ms"] - d["stimulus_ms"]
    for trace in d["traces"]:
        ax.plot(t, trace, color=fig.MODEL, lw=0.8, alpha=0.5)
    mean = np.mean(d["traces"], axis=0)
    ax.plot(t, mean, color=fig.MODEL, lw=2, label="model (mean of seeds)")
    fig.accepted_band(ax, PEAK_UM * 0.85, PEAK_UM * 1.15, label="accepted peak (± 15 %)")
    fig.published_band(ax, PEAK_UM - 0.5, PEAK_UM + 0.5, label="published peak 18.5 ± 0.5")
    half = PEAK_UM / 2.0
    start = t[int(np.argmax(mean >= mean.max() / 2.0))]
    ax.errorbar([start, start + FDHM_MS], [half, half], xerr=[0.3, 0.3], color=fig.PUBLISHED,
                capsize=3)  # fmt: skip
    ax.plot([], [], color=fig.PUBLISHED, label="published FDHM 4.9 ± 0.3 ms")
    ax.set_xlim(-1.0, 18.0)
    ax.set_xlabel("time after the stimulus (ms)")
    ax.set_ylabel("Δ free Ca (µM)")
    ax.legend(fontsize=7, loc="upper right")
    fig.note(
        ax,
        f"model: peak {np.mean(d['peaks']):.1f} µM, FDHM {np.nanmean(d['fdhms']):.2f} ms "
        f"({np.nanmean(d['furaptra_fdhms']):.2f} ms as furaptra reports it)",
    )


@check(
    "fibre.twitch_peak_ca",
    title="Twitch Ca transient: peak Δ[Ca] of a mouse fast fibre",
    quantity="peak rise of spatially averaged free Ca after one action potential, mouse fast "
    "set, 16 °C, free Mg 1 mM; one value per seed",
    unit="µM",
    published="18.5 ± 0.5 µM (mean ± SEM)",
    source=BH03,
    kind="calibration",
    fitted=("ryr_g_per_ms",),
    accept=around(
        18.5, 2.8, "µM",
        reason="The issue's target (± 15 %): the published SEM is 0.5 µM, but one 0.04 µm³ "
        "column (24 ions per µM) differs by 1-2 µM between seeds, and the flux was fitted "
        "on six seeds.",
    ),
    plot=_plot_transient,
)  # fmt: skip
def twitch_peak_ca(session) -> Outcome:
    d = _transient_data(session)
    return Outcome(samples=d["peaks"], data=d)


@check(
    "fibre.twitch_ca_fdhm",
    title="Twitch Ca transient: half-width (FDHM) of a mouse fast fibre",
    quantity="full duration at half maximum of the spatially averaged Δ[Ca] as furaptra "
    "reports it (the model's free Ca passed through the dye's binding kinetics and converted "
    "back with Kd 96 µM, as the published Δ[Ca] was), mouse fast set, 16 °C; release "
    "waveform not widened (no activation window)",
    unit="ms",
    published="4.9 ± 0.3 ms (mean ± SEM)",
    source=BH03,
    kind="known_gap",
    not_fitted_to="the peak, the release waveform (FDHM 1.6 ms) and the 67 Hz release ratios",
    accept=around(
        4.9, 1.0, "ms",
        reason="The issue's target: about three published SEMs plus the column's noise. "
        "Known gap: the dye's kinetics add < 0.05 ms; the model's 120 µM pumps bind over "
        "half of the released Ca within ~3 ms at their 240 µM of fast sites, so free Ca "
        "falls as soon as release stops (docs/fibre.md, Known limits).",
    ),
    plot=_plot_transient,
)  # fmt: skip
def twitch_ca_fdhm(session) -> Outcome:
    d = _transient_data(session)
    return Outcome(samples=d["furaptra_fdhms"], data=d)


def _plot_release(ax, d):
    t = d["time_ms"] - d["stimulus_ms"]
    for r in d["releases"]:
        ax.plot(t, r, color=fig.MODEL, lw=0.8, alpha=0.5)
    ax.plot(t, np.mean(d["releases"], axis=0), color=fig.MODEL, lw=2, label="model release")
    fig.published_band(ax, 200, 225, label="published peak 200-225 µM/ms")
    ax.set_xlim(-0.5, 8.0)
    ax.set_xlabel("time after the stimulus (ms)")
    ax.set_ylabel("SR Ca release (µM/ms)")
    ax.legend(fontsize=7, loc="upper right")
    fig.note(
        ax,
        f"model: peak {np.mean(d['release_peaks']):.0f} µM/ms, FDHM "
        f"{np.nanmean(d['release_fdhms']):.2f} ms, total {np.mean(d['release_totals']):.0f} µM",
    )


@check(
    "fibre.release_peak",
    title="SR Ca release of a mouse fast twitch: peak flux",
    quantity="peak of the RyR release flux after one action potential (spatial mean), mouse "
    "fast set, 16 °C, 1 mM Mg",
    unit="µM/ms",
    published="200-225 µM/ms",
    source=f"{BH07} (inferred from furaptra transients with their multicompartment model)",
    kind="prediction",
    not_fitted_to="the flux constant was fitted to the peak ΔCa, the drive to the release "
    "FDHM; the peak flux follows from Ca-dependent inactivation",
    accept=Within(
        180.0, 250.0, "µM/ms",
        reason="Their range ± 10 %: the value is itself a model inference from furaptra "
        "signals, and the column's release is a sum over 32 channels (seed spread ~5 %).",
    ),
    plot=_plot_release,
)  # fmt: skip
def release_peak(session) -> Outcome:
    d = _transient_data(session)
    return Outcome(samples=d["release_peaks"], data=d)


@check(
    "fibre.release_fdhm",
    title="SR Ca release of a mouse fast twitch: duration (FDHM)",
    quantity="full duration at half maximum of the RyR release flux after one action potential",
    unit="ms",
    published="~1.6 ms",
    source=BH07,
    kind="calibration",
    fitted=("ap_duration_ms",),
    accept=around(
        1.6, 0.3, "ms",
        reason="± 0.3 ms: the published value has no stated error (a model inference); "
        "0.3 ms is the spread of the column's release width between seeds.",
    ),
    plot=_plot_release,
)  # fmt: skip
def release_fdhm(session) -> Outcome:
    d = _transient_data(session)
    return Outcome(samples=d["release_fdhms"], data=d)


# --- 67 Hz: release per action potential ---------------------------------------------------
@shared
def release_67hz(session) -> dict:
    """Ca released by each of five APs at 67 Hz, relative to the first (per seed)."""
    ratios = []
    for seed in _seeds(session, quick=(1,)):
        times = experiments.train_times(67.0, 5 * 15.0, start_ms=2.0)[:5]
        out = experiments.stimulated(FAST, times, times[-1] + 15.0, seed=seed,
                                     record_every_ms=0.1)  # fmt: skip
        t = np.asarray(out.timeseries["time_ms"])
        cum = np.asarray(out.timeseries["ryr_released_uM"])
        edges = [*times, times[-1] + 15.0]
        per_ap = np.diff(np.interp(edges, t, cum))
        ratios.append(per_ap / per_ap[0])
    return {"ratios": ratios, "mean": np.mean(ratios, axis=0)}


def _plot_67hz(ax, d):
    ap = np.arange(1, 6)
    for r in d["ratios"]:
        ax.plot(ap, r, "o", color=fig.MODEL, alpha=0.4, ms=4)
    ax.plot(ap, d["mean"], "o-", color=fig.MODEL, label="model (mean of seeds)")
    ax.plot(
        [1, 2, 5], [1.0, 0.25, 0.15], "s--", color=fig.PUBLISHED, label="Baylor & Hollingworth 2007"
    )
    fig.accepted_band(ax, 0.15, 0.25, label="accepted mean of APs 2-5")
    ax.set_xlabel("action potential")
    ax.set_ylabel("release / release of AP 1")
    ax.legend(fontsize=7)


@check(
    "fibre.release_67hz",
    title="Release falls during a 67 Hz train (Ca-dependent inactivation)",
    quantity="mean over APs 2-5 of the Ca released by each AP of a 5-shock 67 Hz train, "
    "relative to the first, mouse fast set, 16 °C",
    unit="",
    published="0.25 (AP 2) falling to 0.15 (AP 5)",
    source=BH07,
    kind="calibration",
    fitted=("cdi_k_per_ms",),
    accept=Within(
        0.15, 0.25, "",
        reason="The published range itself (their APs 2-5 lie between 0.25 and 0.15).",
    ),
    plot=_plot_67hz,
)  # fmt: skip
def release_falls_at_67hz(session) -> Outcome:
    d = release_67hz(session)
    means = [float(np.mean(r[1:])) for r in d["ratios"]]
    ap5_below_ap2 = bool(d["mean"][4] <= d["mean"][1])
    return Outcome(samples=means, criteria={"AP 5 releases no more than AP 2": ap5_below_ap2},
                   data=d)  # fmt: skip


# ===================================================================== trains (mouse fast)
@shared
def mouse_trains(session) -> list:
    """tetanus_mouse_fast.toml (100 Hz for 300 ms, then 300 ms) per seed; quick: one seed
    at particle weight 4."""
    extra = ["fibre.particle_weight=4"] if session.quick else []
    return [
        run_bundled("tetanus_mouse_fast.toml", [f"run.seed={s}", *extra])
        for s in _seeds(session, quick=(1,))
    ]


def _train_data(session) -> dict:
    runs = mouse_trains(session)
    return {
        "time_ms": np.asarray(runs[0].timeseries["time_ms"]),
        "ca": [metrics.smooth(np.asarray(o.timeseries["ca_free_uM"]), 3) for o in runs],
        "force": [metrics.smooth(np.asarray(o.timeseries["force_fraction"]), 5) for o in runs],
        "sr": [np.asarray(o.timeseries["sr_ca_free_uM"]) for o in runs],
        "summary": [o.summary for o in runs],
        "stimuli": runs[0].summary["stimulus_times_ms"],
    }


def _plot_train(ax, d):
    t = d["time_ms"]
    ax.plot(t, d["ca"][0], color=fig.CA_COLOUR, lw=0.7, label="free Ca (µM), seed 1")
    ax.set_ylabel("free Ca (µM)")
    ax.set_yscale("log")
    ax.set_ylim(0.02, 100)
    ax.axhline(10.0, color=fig.PUBLISHED, ls=":", lw=1, label="10 µM (troughs below)")
    ax.axhline(0.3, color=fig.PUBLISHED, ls="--", lw=1, label="0.3 µM (Ca back, 300 ms after)")
    ax2 = ax.twinx()
    for f in d["force"]:
        ax2.plot(t, f, color="black", lw=1, alpha=0.7)
    ax2.set_ylabel("force (fraction of full activation)")
    ax2.set_ylim(0, 1.2)
    ax.set_xlabel("time (ms); 100 Hz from 5 to 305 ms")
    ax.legend(fontsize=7, loc="upper right")


_TRAIN = dict(
    source="the issue's train targets; Ca-dependent inactivation of release (Baylor & "
    "Hollingworth 2007, J Gen Physiol 130:283; J Gen Physiol 2017, 149:323)",
    plot=_plot_train,
    kind="prediction",
    not_fitted_to="single-twitch and 5-shock data only (peak ΔCa, release FDHM, 67 Hz "
    "release ratios); no train was used in fitting",
)


def _per_seed(session, key):
    return [s[key] for s in _train_data(session)["summary"]]


@check(
    "fibre.train_peaks_not_above_first",
    title="100 Hz train: no Ca spike above the first",
    quantity="largest spike peak of free Ca after the first / the first spike's peak, mouse "
    "fast fibre, 100 Hz for 300 ms, 16 °C, 1 mM Mg",
    unit="",
    published="each spike's peak no higher than the first's (release inactivates)",
    accept=at_most(1.0, "", reason="The issue's criterion: the first spike is the largest."),
    **_TRAIN,
)  # fmt: skip
def train_peaks_not_above_first(session) -> Outcome:
    d = _train_data(session)
    return Outcome(samples=_per_seed(session, "max_peak_over_first"), data=d)


@check(
    "fibre.train_troughs",
    title="100 Hz train: free Ca between spikes stays low",
    quantity="highest free Ca just before a stimulus (trough) during the 100 Hz train",
    unit="µM",
    published="below 10 µM (the issue's bound; tetanic free Ca is in the low micromolar range)",
    accept=at_most(
        10.0, "µM",
        reason="The issue's bound. Published tetanic free Ca in mouse FDB is 1-2 µM with "
        "high-affinity dyes (Westerblad & Allen 1991, recalled): those under-report spatial "
        "means, so the bound is not tightened to them.",
    ),
    **_TRAIN,
)  # fmt: skip
def train_troughs(session) -> Outcome:
    d = _train_data(session)
    return Outcome(samples=_per_seed(session, "max_trough_ca_uM"), data=d)


@check(
    "fibre.train_relaxes",
    title="100 Hz train: Ca and force return within 300 ms",
    quantity="force 300 ms after the last stimulus of the train / its peak (and free Ca then)",
    unit="fraction of peak",
    published="force below 10 % of its peak and free Ca below 0.3 µM within 300 ms",
    accept=at_most(0.1, "", reason="The issue's criterion for force."),
    **_TRAIN,
)  # fmt: skip
def train_relaxes(session) -> Outcome:
    d = _train_data(session)
    ca = _per_seed(session, "ca_after_window_uM")
    return Outcome(
        samples=_per_seed(session, "force_after_window_fraction"),
        criteria={"free Ca 300 ms after the train below 0.3 µM": bool(np.mean(ca) < 0.3)},
        data=d,
    )


@check(
    "fibre.train_sr_keeps_its_ca",
    title="100 Hz train: the SR keeps most of its Ca",
    quantity="lowest free SR Ca during the train / its resting value",
    unit="fraction",
    published="free SR Ca falls by less than half in 300 ms at 100 Hz",
    accept=at_least(0.5, "", reason="The issue's criterion (free SR Ca falls by less than half)."),
    **_TRAIN,
)  # fmt: skip
def train_sr_keeps_its_ca(session) -> Outcome:
    d = _train_data(session)
    return Outcome(samples=_per_seed(session, "sr_free_min_fraction"), data=d)


@check(
    "fibre.tetanus_is_sustained",
    title="100 Hz tetanus: force is sustained to the last stimulus",
    quantity="force at the last stimulus of the 100 Hz train / the train's peak force",
    unit="",
    published="a fused, sustained plateau at 100 Hz in isolated mouse fast fibres (about "
    "100 Hz is needed for maximal isometric force)",
    source="Sci Rep 2023, s41598-023-51100-5 (introduction, citing single-fibre studies)",
    kind="known_gap",
    not_fitted_to="no train was used in fitting",
    accept=at_least(
        0.8, "",
        reason="A plateau: at most a fifth lost over 300 ms (fatigue needs longer trains).",
    ),
    plot=_plot_train,
)  # fmt: skip
def tetanus_is_sustained(session) -> Outcome:
    d = _train_data(session)
    t = d["time_ms"]
    last = d["stimuli"][-1]
    values = [float(np.interp(last, t, f) / np.max(f)) for f in d["force"]]
    return Outcome(samples=values, data=d)


# --- force-frequency ------------------------------------------------------------------------
@shared
def force_frequency(session) -> dict:
    """The force-frequency curve of the mouse fast fibre (300 ms trains)."""
    if session.quick:
        return experiments.force_frequency(
            FAST, (1.0, 30.0, 100.0, 150.0), seeds=(1,), overrides={"particle_weight": 4.0}
        )
    return experiments.force_frequency(FAST, seeds=(1, 2, 3))


def _plot_force_frequency(ax, d):
    f = np.asarray(d["frequency_hz"])
    for per in d["per_seed"]:
        ax.plot(f, np.asarray(per) / per[-1], "o", color=fig.MODEL, alpha=0.4, ms=4)
    ax.plot(f, d["relative_force"], "o-", color=fig.MODEL, label="model (mean of seeds)")
    ax.axvline(100, color=fig.PUBLISHED, ls="--", lw=1, label="~100 Hz for maximal force")
    fig.accepted_band(ax, 0.9, 1.05, label="accepted at 100 Hz")
    ax.set_xscale("log")
    ax.set_xticks([1, 10, 30, 100, 150], ["1", "10", "30", "100", "150"])
    ax.minorticks_off()
    ax.set_xlabel("stimulation frequency (Hz), 300 ms trains")
    ax.set_ylabel("peak force / force at 150 Hz")
    ax.legend(fontsize=7, loc="lower right")
    fig.note(ax, f"twitch : tetanus {d['twitch_tetanus_ratio']:.2f}", lower=False)


@check(
    "fibre.force_frequency_100hz",
    title="Force-frequency: about 100 Hz gives maximal force",
    quantity="peak force of a 300 ms train at 100 Hz / at 150 Hz, mouse fast fibre, 16 °C",
    unit="",
    published="about 100 Hz is needed for maximal isometric force in isolated intact fibres",
    source="Sci Rep 2023, s41598-023-51100-5 (introduction, citing single-fibre studies)",
    kind="known_gap",
    not_fitted_to="no train or force-frequency data were used in fitting",
    accept=at_least(
        0.9, "",
        reason="'About maximal': within 10 % of the 150 Hz force. Known gap: the model's "
        "100 Hz force peaks early and fades (F100/F150 ~0.65 on seed 1) as the SR empties "
        "and release inactivates; see docs/fibre.md, Known limits.",
    ),
    plot=_plot_force_frequency,
)  # fmt: skip
def force_frequency_100hz(session) -> Outcome:
    d = force_frequency(session)
    k = d["frequency_hz"].index(100.0)
    return Outcome(samples=[p[k] / p[-1] for p in d["per_seed"]], data=d)


@check(
    "fibre.twitch_tetanus_ratio",
    title="Twitch : tetanus force ratio of a fast fibre",
    quantity="peak force of one twitch / peak force of a 150 Hz 300 ms tetanus, mouse fast "
    "fibre, 16 °C",
    unit="",
    published="0.1-0.4 (mouse fast muscle in vitro ~0.2, recalled)",
    source="the issue's range; many in vitro mouse EDL studies (recalled)",
    kind="prediction",
    not_fitted_to="the twitch's Ca transient and the skinned-fibre force-pCa curve",
    accept=Within(
        0.1, 0.4, "",
        reason="The issue's range: in vitro values vary with temperature and preparation.",
    ),
    plot=_plot_force_frequency,
)  # fmt: skip
def twitch_tetanus_ratio(session) -> Outcome:
    d = force_frequency(session)
    return Outcome(samples=d["twitch_tetanus_per_seed"], data=d)


# --- doublet --------------------------------------------------------------------------------
@shared
def doublets(session) -> dict:
    """A single twitch and a doublet (5 ms apart), mouse fast fibre, per seed."""
    single, double = [], []
    for seed in _seeds(session, quick=(1,)):
        single.append(experiments.stimulated(FAST, [2.0], 60.0, seed=seed))
        double.append(experiments.stimulated(FAST, [2.0, 7.0], 60.0, seed=seed))
    return {"single": single, "double": double}


def _doublet_data(session) -> dict:
    d = doublets(session)
    t = np.asarray(d["single"][0].timeseries["time_ms"])
    out = {"time_ms": t}
    for key in ("single", "double"):
        out[f"{key}_force"] = np.mean(
            [metrics.smooth(np.asarray(o.timeseries["force_fraction"]), 5) for o in d[key]], axis=0
        )
        out[f"{key}_ca"] = np.mean([np.asarray(o.timeseries["ca_free_uM"]) for o in d[key]], axis=0)
    out["peak_ratio"], out["half_time_ms"] = [], []
    for a, b in zip(d["single"], d["double"], strict=True):
        fa = metrics.smooth(np.asarray(a.timeseries["force_fraction"]), 5)
        fb = metrics.smooth(np.asarray(b.timeseries["force_fraction"]), 5)
        out["peak_ratio"].append(float(fb.max() / max(fa.max(), 1e-9)))
        half = 0.5 * fa.max()  # when each reaches half the single twitch's peak
        out["half_time_ms"].append(
            (float(t[np.argmax(fa >= half)]), float(t[np.argmax(fb >= half)]))
        )
    out["spikes"] = [
        metrics.spikes(t, np.asarray(b.timeseries["ca_free_uM"]), [2.0, 7.0]) for b in d["double"]
    ]
    return out


def _plot_doublet(ax, d):
    t = d["time_ms"]
    ax.plot(t, d["single_force"], color="0.5", label="force, one stimulus")
    ax.plot(t, d["double_force"], color="black", label="force, doublet (5 ms)")
    ax.set_xlabel("time (ms); stimuli at 2 (and 7) ms")
    ax.set_ylabel("force (fraction of full activation)")
    ax2 = ax.twinx()
    ax2.plot(t, d["double_ca"], color=fig.CA_COLOUR, lw=0.8, label="free Ca, doublet")
    ax2.set_ylabel("free Ca (µM)")
    ax2.set_xlim(0, 40)
    ax.legend(fontsize=7, loc="upper right")


@check(
    "fibre.doublet_speeds_force",
    title="A doublet gives two Ca spikes and faster force development",
    quantity="peak force with a doublet (5 ms apart) / with one stimulus, mouse fast fibre, "
    "16 °C; a second Ca spike; half the single twitch's force reached sooner",
    unit="",
    published="two clear Ca spikes; faster force development (higher TnC site II occupancy)",
    source="J Gen Physiol 2017, 149:323 (mouse fast fibres, Mag-Fluo-4)",
    kind="prediction",
    not_fitted_to="single-twitch and 5-shock data only",
    accept=at_least(
        1.2, "", reason="More force and sooner: at least 20 % more peak force (the published "
        "effect is described, not sized, in the abstract)."
    ),
    plot=_plot_doublet,
)  # fmt: skip
def doublet_speeds_force(session) -> Outcome:
    d = _doublet_data(session)
    second = all(len(p) == 2 and p[1] > 0.3 * p[0] for p, _ in d["spikes"])
    sooner = all(b < a for a, b in d["half_time_ms"])
    return Outcome(
        samples=d["peak_ratio"],
        criteria={"a second Ca spike (> 30 % of the first)": bool(second),
                  "half the single twitch's force is reached sooner": bool(sooner)},
        data=d,
    )  # fmt: skip


# ===================================================================== resting stability
RESTING_MG_MM = (0.05, 0.08, 0.1, 0.15, 0.25, 0.5, 1.0, 3.0)


@shared
def resting(session) -> dict:
    """Mean-field resting states of the fast set, and the agent fibre resting at 0.25 and
    3 mM with no stimulus (quick: shorter, particle weight 4)."""
    p = PARAMETER_SETS[FAST]
    states = [rest.resting_state(p, mg) for mg in RESTING_MG_MM]
    ms, extra = (60.0, {"particle_weight": 4.0}) if session.quick else (300.0, {})
    runs = {
        mg: experiments.stimulated(FAST, [], ms, mg_free_mM=mg, seed=1, record_every_ms=1.0,
                                   overrides=extra)
        for mg in (0.25, 3.0)
    }  # fmt: skip
    return {
        "mg_mM": np.array(RESTING_MG_MM),
        "ca_uM": np.array([s.ca_uM for s in states]),
        "stable": [s.stable for s in states],
        "threshold_mM": rest.spontaneous_release_threshold_mM(p),
        "agent": {
            mg: {
                "sr_change": float(o.timeseries["sr_ca_uM"][-1] / o.timeseries["sr_ca_uM"][0] - 1),
                "force": float(np.max(o.timeseries["force_fraction"])),
                "ca": float(np.mean(o.timeseries["ca_free_uM"])),
            }
            for mg, o in runs.items()
        },
    }


def _plot_resting(ax, d):
    mg, ca = d["mg_mM"], d["ca_uM"]
    ok = np.isfinite(ca)
    ax.plot(mg[ok], ca[ok], "o-", color=fig.MODEL, label="stable resting free Ca (mean field)")
    ax.plot(mg[~ok], np.full((~ok).sum(), 1.0), "x", color="red", ms=9,
            label="no stable resting state")  # fmt: skip
    ax.axvline(
        d["threshold_mM"],
        color=fig.MODEL,
        ls=":",
        label=f"model threshold {d['threshold_mM']:.3f} mM",
    )
    fig.published_band(ax, 0.05, 0.15, vertical=True, label="published ~0.1 mM (Owen et al. 1997)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("free Mg (mM)")
    ax.set_ylabel("resting free Ca (µM)")
    ax.legend(fontsize=7, loc="upper right")


@check(
    "fibre.spontaneous_release_threshold",
    title="Low Mg unblocks resting RyRs: the spontaneous-release threshold",
    quantity="lowest free Mg at which the resting mouse fast fibre keeps a stable low-Ca "
    "state (mean-field fixed point of uptake, leak and Ca/Mg-gated release; SR at rest)",
    unit="mM",
    published="≈ 0.1 mM in normal fibres (0.1-0.2 mM in MH fibres)",
    source="Owen, Taske & Lamb 1997, Am J Physiol 272:C203 (mechanically skinned fibres)",
    kind="calibration",
    fitted=("ryr_cicr_po_max",),
    accept=around(
        0.1, 0.05, "mM",
        reason="'About 0.1 mM', and MH fibres (a small change of RyR) release at 0.1-0.2 mM: "
        "half the published value either side.",
    ),
    plot=_plot_resting,
)  # fmt: skip
def spontaneous_release_threshold(session) -> Outcome:
    d = resting(session)
    return Outcome(d["threshold_mM"], f"{d['threshold_mM']:.3f} mM", data=d)


@check(
    "fibre.rest_is_stable",
    title="At rest the fibre is stable from 0.25 to 3 mM free Mg",
    quantity="resting states from 0.25 to 3 mM (mean field), and the agent fibre at 0.25 and "
    "3 mM with no stimulus: SR change and largest force",
    unit="µM",
    published="no spontaneous release or contracture above ~0.1 mM free Mg",
    source="Owen, Taske & Lamb 1997; Zhou et al. 2004, J Gen Physiol 124:409 (rat: spark "
    "frequency insensitive to lowering Mg below 2 mM)",
    kind="calibration",
    fitted=("ryr_cicr_po_max",),
    accept=at_most(
        0.15, "µM",
        reason="Resting free Ca 40-100 nM (literature table); at 0.25 mM Mg, with more "
        "resting release, up to 0.15 µM is still a resting state (force < 1 %).",
    ),
    plot=_plot_resting,
)  # fmt: skip
def rest_is_stable(session) -> Outcome:
    d = resting(session)
    mg, ca = d["mg_mM"], d["ca_uM"]
    sel = mg >= 0.25
    agent = d["agent"]
    return Outcome(
        float(np.max(ca[sel])),
        f"resting Ca {np.min(ca[sel]):.3f}-{np.max(ca[sel]):.3f} µM; agent SR change "
        f"{agent[0.25]['sr_change']:+.1%} (0.25 mM), {agent[3.0]['sr_change']:+.1%} (3 mM)",
        {
            "stable at every Mg from 0.25 to 3 mM": bool(all(np.array(d["stable"])[sel])),
            "no stable state at 0.05 mM (below the threshold)": not d["stable"][0],
            "agent fibre: SR changes by < 2 % and force stays < 0.02": all(
                abs(a["sr_change"]) < 0.02 and a["force"] < 0.02 for a in agent.values()
            ),
        },
        d,
    )


# ===================================================================== other fibre types
@shared
def slow_twitches(session) -> list:
    ms = 40.0 if session.quick else 150.0
    return [
        run_bundled("twitch_mouse_slow.toml", [f"run.seed={s}", f"run.duration_ms={ms}",
                                               "run.record_every_ms=0.05"])
        for s in _seeds(session)
    ]  # fmt: skip


def _slow_data(session) -> dict:
    runs = slow_twitches(session)
    fast = _transient_data(session)
    t = np.asarray(runs[0].timeseries["time_ms"])
    return {
        "time_ms": t,
        "traces": [metrics.smooth(np.asarray(o.timeseries["ca_free_uM"]))
                   - o.summary["resting_ca_uM"]
                   for o in runs],
        "fast_time_ms": fast["time_ms"],
        "fast_trace": np.mean(fast["traces"], axis=0),
        "peaks": [o.summary["peak_delta_ca_uM"] for o in runs],
        "fdhms": [o.summary["ca_fdhm_ms"] for o in runs],
        "furaptra_fdhms": [_furaptra_fdhm(o) for o in runs],
    }  # fmt: skip


def _plot_slow(ax, d):
    ax.plot(d["fast_time_ms"] - 2.0, d["fast_trace"], color="0.6", label="fast set (mean)")
    ax.plot(d["time_ms"] - 2.0, np.mean(d["traces"], axis=0), color=fig.MODEL, lw=2,
            label="slow set (mean of seeds)")  # fmt: skip
    fig.published_band(ax, 8.4, 10.4, label="published slow peak 9.4 ± 1.0 µM")
    ax.set_xlim(-1, 25)
    ax.set_xlabel("time after the stimulus (ms)")
    ax.set_ylabel("Δ free Ca (µM)")
    ax.legend(fontsize=7)
    fig.note(ax, f"slow: peak {np.mean(d['peaks']):.1f} µM, FDHM {np.nanmean(d['fdhms']):.2f} ms "
                 "(published 7.7 ± 0.6 ms)")  # fmt: skip


_SLOW = dict(
    source=f"{BH03} (mouse soleus fibres)",
    plot=_plot_slow,
    not_fitted_to="nothing in the slow set was fitted: it is the fast set with composition "
    "data (no parvalbumin, TNNC1, SERCA, calsequestrin and release at a third, slower myosin)",
)


@check(
    "fibre.slow_twitch_peak_ca",
    title="Slow-twitch fibre: peak Δ[Ca] from composition alone",
    quantity="peak rise of free Ca after one AP, mouse slow set, 16 °C, 1 mM Mg",
    unit="µM",
    published="9.4 ± 1.0 µM (mean ± SEM)",
    kind="prediction",
    accept=around(9.4, 2.0, "µM", reason="Twice the published SEM (the column adds its noise)."),
    **_SLOW,
)  # fmt: skip
def slow_twitch_peak_ca(session) -> Outcome:
    d = _slow_data(session)
    return Outcome(samples=d["peaks"], data=d)


@check(
    "fibre.slow_twitch_ca_fdhm",
    title="Slow-twitch fibre: half-width of the Ca transient",
    quantity="FDHM of the spatially averaged Δ[Ca] as furaptra reports it (as for the "
    "fast fibre), mouse slow set, 16 °C",
    unit="ms",
    published="7.7 ± 0.6 ms (8.4 ± 0.3 ms in Hollingworth, Kim & Baylor 2012)",
    kind="known_gap",
    accept=around(7.7, 1.5, "ms", reason="The spread of the two published means, plus noise."),
    **_SLOW,
)  # fmt: skip
def slow_twitch_ca_fdhm(session) -> Outcome:
    d = _slow_data(session)
    return Outcome(samples=d["furaptra_fdhms"], data=d)


# --- high Mg (mouse fast: the preparation of the published Mg data) ----------------------
@shared
def high_mg_twitches(session) -> dict:
    """Mouse fast twitches at 1 and 3 mM free Mg (40 ms), per seed."""
    return {
        mg: [
            run_bundled("twitch_mouse_fast.toml", [f"environment.mg_free_intracellular_mM={mg}",
                                                   f"run.seed={s}", "run.duration_ms=40"])
            for s in _seeds(session, quick=(1,))
        ]
        for mg in (1.0, 3.0)
    }  # fmt: skip


def _plot_high_mg(ax, d):
    for colour, (mg, force) in zip(fig.SERIES, d["force"].items(), strict=False):
        ax.plot(d["time_ms"], force, color=colour, label=f"free Mg {mg:g} mM")
    ax.set_xlabel("time (ms); stimulus at 2 ms")
    ax.set_ylabel("force (fraction of full activation)")
    ax.legend(fontsize=8)


@check(
    "fibre.high_mg_weakens_twitch",
    title="3 mM cytosolic Mg weakens the twitch",
    quantity="peak force of a mouse fast twitch at free Mg 3 mM / at 1 mM, 16 °C",
    unit="",
    published="Mg inhibits AP-induced release (−40 % from 1 to 3 mM, rat EDL) and competes with "
    "Ca on troponin (−0.1 pCa per mM): less force",
    source="Dutka & Lamb 2004, J Physiol 560:451; Ogawa 1985 (regulatory-site K_Mg); "
    "Donaldson & Kerrick 1975",
    kind="prediction",
    not_fitted_to="the release's Mg inhibition and troponin's Mg affinity are inputs; their "
    "combined effect on twitch force was not fitted",
    accept=at_most(0.75, "", reason="'Weaker': at least a quarter less force (the release "
                   "alone falls by ~40 %)."),
    plot=_plot_high_mg,
)  # fmt: skip
def high_mg_weakens_twitch(session) -> Outcome:
    runs = high_mg_twitches(session)
    t = np.asarray(runs[1.0][0].timeseries["time_ms"])
    force = {mg: np.mean([metrics.smooth(np.asarray(o.timeseries["force_fraction"]), 5)
                          for o in rs], axis=0) for mg, rs in runs.items()}  # fmt: skip
    ratios = [b.summary["peak_force_fraction"] / a.summary["peak_force_fraction"]
              for a, b in zip(runs[1.0], runs[3.0], strict=True)]  # fmt: skip
    return Outcome(samples=ratios, data={"time_ms": t, "force": force})


# --- human: 37 °C by Q10s, no parvalbumin ---------------------------------------------------
@shared
def human_twitches(session) -> list:
    """Human twitches (60 ms) at 0.5 mM free Mg; quick: one seed at particle weight 2."""
    extra = ["fibre.particle_weight=2"] if session.quick else []
    return [
        run_bundled("twitch.toml", [f"run.seed={s}", "run.duration_ms=60", *extra])
        for s in _seeds(session, quick=(1,))
    ]


def _human_data(session) -> dict:
    runs = human_twitches(session)
    return {
        "time_ms": np.asarray(runs[0].timeseries["time_ms"]),
        "ct": [o.summary["time_to_peak_force_ms"] for o in runs],
        "hrt": [o.summary["half_relaxation_ms"] for o in runs],
        "peak": [o.summary["peak_force_fraction"] for o in runs],
    }


def _plot_human_times(ax, d):
    ct, hrt = np.nanmean(d["ct"]), np.nanmean(d["hrt"])
    ax.bar([0, 1], [ct, hrt], color=fig.MODEL, alpha=0.8, label="model fibre, 37 °C")
    ax.errorbar([0, 1], [74.8, 78.6], yerr=[3.9, 6.0], fmt="s", color=fig.PUBLISHED,
                label="toe-extensor motor units (Macefield et al. 1996)")  # fmt: skip
    fig.published_band(ax, 35, 98, label="motor units CT 35-98 ms (Sica & McComas 1971)")
    ax.set_xticks([0, 1], ["contraction time", "half-relaxation"])
    ax.set_ylabel("ms")
    ax.legend(fontsize=7)
    fig.note(ax, f"model peak force {np.mean(d['peak']):.2f} of full activation; one fibre "
                 "segment, no tendon (see docs/fibre.md)")  # fmt: skip


@check(
    "fibre.human_twitch_times",
    title="Human twitch: contraction and half-relaxation times",
    quantity="time to peak force and half-relaxation of a human fibre twitch at 37 °C, "
    "0.5 mM Mg",
    unit="ms",
    published="motor units: contraction time 35-98 ms; toe extensors 74.8 ± 3.9 ms, "
    "half-relaxation 78.6 ± 6.0 ms",
    source="Sica & McComas 1971, J Neurol Neurosurg Psychiatry 34:113; Macefield, Fuglevand "
    "& Bigland-Ritchie 1996, J Neurophysiol 75:2509",
    kind="known_gap",
    not_fitted_to="the human set is the mouse fast set moved to 37 °C by Q10s",
    accept=Within(
        35.0, 98.0, "ms",
        reason="The published motor-unit range (contraction time). The comparison is not "
        "like for like: motor units are measured in vivo through tendon, aponeurosis and "
        "limb (series compliance slows and smooths force; spike-triggered averages "
        "distort it), while the model is one isometric fibre segment. And the model's "
        "human fibre is the mouse fast fibre warmed by Q10s (Ca handling ~6x faster; the "
        "Ca released per AP kept, a hypothesis): its twitch has a realistic strength "
        "(~0.25 of full activation) but rises and falls in ~15 ms. A known gap on both "
        "counts.",
    ),
    plot=_plot_human_times,
)  # fmt: skip
def human_twitch_times(session) -> Outcome:
    d = _human_data(session)
    return Outcome(samples=d["ct"], data=d)


@shared
def human_tetanus(session) -> list:
    """tetanus.toml (human, 50 Hz for 300 ms) per seed; quick: one seed, a 100 ms train."""
    extra = ["protocol.train_duration_ms=100", "run.duration_ms=200"] if session.quick else []
    return [run_bundled("tetanus.toml", [f"run.seed={s}", *extra])
            for s in _seeds(session, quick=(1,))]  # fmt: skip


def _plot_human_tetanus(ax, d):
    ax.plot(d["time_ms"], d["force"], color="black", label="force")
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("force (fraction of full activation)")
    ax2 = ax.twinx()
    ax2.plot(d["time_ms"], d["ca"], color=fig.CA_COLOUR, lw=0.7, label="free Ca")
    ax2.set_ylabel("free Ca (µM)")
    fig.note(ax, f"cramp: {d['cramp']}; relaxed below 10 % {d['relax']:.0f} ms after the "
                 "last stimulus")  # fmt: skip


@check(
    "fibre.tetanus_not_a_cramp",
    title="A 50 Hz tetanus at normal Mg relaxes (no cramp)",
    quantity="tetanus.toml (human, 37 °C, 0.5 mM Mg, 50 Hz for 300 ms): time from the last "
    "stimulus to force below 10 % of its peak; the cramp flag",
    unit="ms",
    published="healthy muscle relaxes after a tetanus; normal free Mg does not give cramps",
    source="the issue's target (tetanus.toml at normal Mg is not flagged as a cramp)",
    kind="prediction",
    not_fitted_to="nothing human was fitted; the set is the mouse fast set at 37 °C",
    accept=at_most(100.0, "ms", reason="Relaxed well within the 300 ms window of the cramp "
                   "flag (a twitch at 37 °C falls to half in ~13 ms)."),
    plot=_plot_human_tetanus,
)  # fmt: skip
def tetanus_not_a_cramp(session) -> Outcome:
    runs = human_tetanus(session)
    out, summaries = runs[0], [o.summary for o in runs]
    s = out.summary
    d = {
        "time_ms": np.asarray(out.timeseries["time_ms"]),
        "force": metrics.smooth(np.asarray(out.timeseries["force_fraction"]), 5),
        "ca": np.asarray(out.timeseries["ca_free_uM"]),
        "cramp": s["cramp"],
        "relax": s["relaxation_time_ms"],
    }
    return Outcome(
        samples=[x["relaxation_time_ms"] for x in summaries],
        criteria={"not flagged as a cramp": all(x["cramp"] is False for x in summaries),
                  "max trough below 10 µM": all(x["max_trough_ca_uM"] < 10.0 for x in summaries)},
        data=d,
    )  # fmt: skip


# ===================================================================== Mg and relaxation
@shared
def pv_knockout(session) -> list:
    """The intact twitch and the parvalbumin knockout, one pair per seed (three in both
    versions: one column's half-relaxation varies by ±30 % from seed to seed)."""
    return [
        experiments.mg_knockouts(FAST, knockouts=("none", "parvalbumin itself"), seeds=(seed,),
                                 duration_ms=120.0)
        for seed in _seeds(session, quick=(1, 2, 3))
    ]  # fmt: skip


def _plot_knockout(ax, d):
    names = [r.knockout for r in d["rows"]]  # the first seed's pair
    fig.bars(
        ax, names, [r.half_relaxation_ms for r in d["rows"]], ylabel="force half-relaxation (ms)"
    )
    fig.note(ax, "; ".join(f"{r.knockout}: force {r.peak_force_fraction:.2f}" for r in d["rows"]))


@check(
    "fibre.parvalbumin_knockout",
    title="Without parvalbumin a fast fibre relaxes more slowly",
    quantity="force half-relaxation of the mouse fast twitch without parvalbumin / with it",
    unit="",
    published="PV-/- fast muscle: slower Ca decay, longer time to peak and half-relaxation, "
    "twitch force ~+40 %",
    source="Schwaller et al. 1999, Am J Physiol 276:C395",
    kind="prediction",
    not_fitted_to="parvalbumin's content and rates are inputs; no knockout data were used",
    accept=at_least(1.05, "", reason="'Slower': at least 5 % longer (the knockout's published "
                    "effect is qualitative in the abstract)."),
    plot=_plot_knockout,
)  # fmt: skip
def parvalbumin_knockout(session) -> Outcome:
    pairs = pv_knockout(session)
    return Outcome(
        samples=[ko.half_relaxation_ms / intact.half_relaxation_ms for intact, ko in pairs],
        criteria={"twitch force larger without parvalbumin": all(
            ko.peak_force_fraction > intact.peak_force_fraction for intact, ko in pairs)},
        data={"rows": pairs[0]},
    )  # fmt: skip


# ===================================================================== force-pCa
FORCE_PCA_MG_MM = (0.5, 1.0, 3.0)


@shared
def force_pca_runs(session) -> dict:
    """Skinned-fibre clamps at each free Mg, one per seed; quick: one seed, a 0.2 µm-wide
    column, 100 ms holds."""
    if session.quick:
        pcas, hold, width, seeds = (7.0, 6.4, 6.2, 6.0, 5.8, 5.6, 5.4, 4.5), 100.0, 0.2, (1,)
    else:
        pcas, hold, width, seeds = experiments.FORCE_PCA_LEVELS, 120.0, 0.4, (1, 2, 3)
    return {
        mg: [experiments.force_pca(FAST, mg, pcas, hold_ms=hold, width_um=width, seed=seed)
             for seed in seeds]
        for mg in FORCE_PCA_MG_MM
    }  # fmt: skip


def force_pca(session) -> dict:
    """The first seed's curve at each Mg (for the figures)."""
    return {mg: runs[0] for mg, runs in force_pca_runs(session).items()}


def _fits(session, key) -> dict:
    """One fitted value per seed, at each Mg."""
    return {mg: [r[key] for r in runs] for mg, runs in force_pca_runs(session).items()}


def _plot_force_pca(ax, d):
    grid = np.linspace(7.0, 4.4, 200)
    fig.accepted_band(ax, 5.65, 6.15, vertical=True, label="accepted pCa50 (1 mM)")
    fig.published_band(ax, 5.8, 6.0, vertical=True, label="published pCa50 5.8-6.0")
    for colour, mg in zip(fig.SERIES, FORCE_PCA_MG_MM, strict=False):
        s = d[mg]
        ax.plot(s["pca"], s["steady_force_fraction"], "o", color=colour, ms=4)
        ax.plot(grid, metrics.hill_force(grid, s["fmax"], s["pca50"], s["hill_n"]), color=colour,
                lw=1, label=f"Mg {mg:g}: pCa50 {s['pca50']:.2f}, n {s['hill_n']:.1f}")  # fmt: skip
    ax.set_xlim(7.0, 4.4)  # conventional: Ca rises to the right
    ax.set_xlabel("pCa")
    ax.set_ylabel("steady force (fraction of full activation)")
    ax.legend(fontsize=7, loc="upper left")


_FPCA = dict(plot=_plot_force_pca)
SW81 = "Stephenson & Williams 1981, J Physiol 317:281 (recalled in the literature table)"


@check(
    "fibre.force_pca_pca50",
    title="Force–pCa of a fast skinned fibre: pCa50 at 1 mM Mg",
    quantity="pCa at half-maximal steady force (Hill fit), skinned mouse fast fibre, 1 mM Mg",
    unit="pCa",
    published="5.8-6.0",
    source=SW81,
    kind="calibration",
    fitted=("ru_k_off_per_ms",),
    accept=Within(5.65, 6.15, "pCa", reason="The published range widened by 0.15 each side: "
                  "the source value is recalled, and the fit moves by a few hundredths "
                  "between column sizes."),
    **_FPCA,
)  # fmt: skip
def force_pca_pca50(session) -> Outcome:
    return Outcome(samples=_fits(session, "pca50")[1.0], data=force_pca(session))


@check(
    "fibre.force_pca_hill_n",
    title="Force–pCa of a fast skinned fibre: Hill coefficient",
    quantity="Hill coefficient of the steady force–pCa curve, skinned mouse fast fibre, 1 mM Mg",
    unit="",
    published="3-5 (slow fibres 2-3)",
    source=f"{SW81} and general literature",
    kind="calibration",
    fitted=("ru_gamma",),
    accept=Within(3.0, 5.0, "", reason="The published range itself."),
    **_FPCA,
)  # fmt: skip
def force_pca_hill_n(session) -> Outcome:
    return Outcome(samples=_fits(session, "hill_n")[1.0], data=force_pca(session))


@check(
    "fibre.mg_shifts_pca50",
    title="Mg lowers Ca sensitivity of force",
    quantity="shift of pCa50 per +1 mM free Mg, from 1 to 3 mM",
    unit="pCa per mM",
    published="≈ −0.1 pCa unit per +1 mM Mg",
    source="Donaldson & Kerrick 1975, J Gen Physiol 66:427 (direction); the size is what "
    "Ogawa 1985's K_Mg (440 /M) gives by competition",
    kind="input",
    accept=Within(-0.2, -0.05, "pCa per mM", reason="The size comes from the model's own "
                  "K_Mg (an input), so this confirms the filament keeps it: a factor of two "
                  "either side. Not an informative prediction."),
    **_FPCA,
)  # fmt: skip
def mg_shifts_pca50(session) -> Outcome:
    fits = _fits(session, "pca50")
    shifts = [(b - a) / 2.0 for a, b in zip(fits[1.0], fits[3.0], strict=True)]
    return Outcome(samples=shifts, data=force_pca(session))


@check(
    "fibre.mg_keeps_fmax",
    title="Mg leaves maximum force unchanged",
    quantity="ratio of the Hill-fit maximum force at 3 mM to that at 1 mM free Mg",
    unit="",
    published="maximum force about unchanged",
    source="Donaldson & Kerrick 1975",
    kind="input",
    accept=around(1.0, 0.1, "", reason="'About unchanged' read as within 10 %. Mg acts only by "
                  "competition in the model, so at saturating Ca it cannot change maximal "
                  "force: this confirms the structure; it is not an informative prediction."),
    **_FPCA,
)  # fmt: skip
def mg_keeps_fmax(session) -> Outcome:
    fits = _fits(session, "fmax")
    ratios = [b / a for a, b in zip(fits[1.0], fits[3.0], strict=True)]
    return Outcome(samples=ratios, data=force_pca(session))


@check(
    "fibre.mg_lowers_cooperativity",
    title="Cooperativity of force–pCa falls as Mg rises",
    quantity="Hill coefficient at 3 mM minus that at 0.5 mM free Mg",
    unit="",
    published="cooperativity decreases with increasing Mg",
    source="Donaldson & Kerrick 1975, J Gen Physiol 66:427",
    kind="known_gap",
    not_fitted_to="the Hill coefficient was fitted at 1 mM only",
    accept=at_most(-0.2, "", reason="A fall clearly beyond the fits' scatter (~0.2)."),
    **_FPCA,
)  # fmt: skip
def mg_lowers_cooperativity(session) -> Outcome:
    fits = _fits(session, "hill_n")
    drops = [b - a for a, b in zip(fits[0.5], fits[3.0], strict=True)]
    return Outcome(samples=drops, data=force_pca(session))


# ===================================================================== resting occupancy
@shared
def resting_occupancy(session) -> dict:
    """Resting occupancy of troponin (mean over a resting run), per seed."""
    rows = []
    for seed in _seeds(session, quick=(1,)):
        ts = experiments.stimulated(FAST, [], 20.0 if session.quick else 60.0, seed=seed,
                                    record_every_ms=1.0).timeseries  # fmt: skip
        rows.append((float(np.mean(1 - ts["tn_reg_ca_fraction"] - ts["tn_reg_mg_fraction"])),
                     float(np.mean(ts["tn_camg_mg_fraction"])),
                     float(np.mean(ts["tn_camg_ca_fraction"]))))  # fmt: skip
    reg_free, camg_mg, camg_ca = np.mean(rows, axis=0)
    return {"reg_free": reg_free, "camg_mg": camg_mg, "camg_ca": camg_ca,
            "camg_mg_per_seed": [r[1] for r in rows]}  # fmt: skip


def _plot_occupancy(ax, d):
    fig.bars(ax, ["reg. sites free", "Ca/Mg sites: Mg", "Ca/Mg sites: Ca"],
             [d["reg_free"], d["camg_mg"], d["camg_ca"]], ylabel="fraction at rest")  # fmt: skip
    ax.plot([0, 1], [0.6, 0.92], "s", color=fig.PUBLISHED, ms=9, label="Gillis et al. 1982")
    ax.legend(fontsize=7)


@check(
    "fibre.resting_mg_occupancy",
    title="At rest, troponin's Ca/Mg sites are mostly Mg-loaded",
    quantity="fraction of troponin Ca/Mg sites holding Mg at rest, mouse fast set, 1 mM Mg",
    unit="",
    published="Ca/Mg sites ~92 % Mg-loaded; regulatory sites ~60 % metal-free",
    source="Gillis et al. 1982, J Muscle Res Cell Motil 3:377",
    kind="known_gap",
    not_fitted_to="the sites' affinities are Potter & Gergely's (1975)",
    accept=around(0.92, 0.05, "", reason="Their estimate with a few per cent of uncertainty."),
    plot=_plot_occupancy,
)  # fmt: skip
def resting_mg_occupancy(session) -> Outcome:
    d = resting_occupancy(session)
    return Outcome(samples=d["camg_mg_per_seed"], data=d)


# ===================================================================== physics
CLOSED = {"parameter_set": FAST, "ryr_count": 0, "serca_uM": 0.0, "sr_leak_per_ms": 0.0,
          "pv_sites_uM": 0.0,
          "ca_sr_free_rest_uM": 0.0}  # fmt: skip
NO_BINDING = {"reg_kon_ca": 0.0, "reg_kon_mg": 0.0, "camg_kon_ca": 0.0, "camg_kon_mg": 0.0,
              "atp_total_uM": 0.0}  # fmt: skip


def _plot_binding(ax, d):
    t = d["time_ms"]
    for ion, colour in (("Ca", fig.CA_COLOUR), ("Mg", fig.MG_COLOUR)):
        theta, tol = d[f"theta_{ion}"], d[f"tol_{ion}"]
        ax.plot(t, d[f"measured_{ion}"], color=colour, lw=0.8, label=f"model, {ion}")
        ax.axhspan(theta - tol, theta + tol, color=colour, alpha=0.2, lw=0)
        ax.axhline(theta, color=fig.PUBLISHED, ls="--", lw=1)
    ax.plot([], [], "--", color=fig.PUBLISHED, label="mass action (bands: accepted)")
    ax.axvline(15.0, color="0.6", ls=":", lw=1)
    ax.set_xlabel("time (ms); averaged after the dotted line")
    ax.set_ylabel("regulatory-site occupancy")
    ax.legend(fontsize=8, loc="center right")


@check(
    "fibre.binding_equilibrium",
    title="Competitive Ca/Mg binding reaches the mass-action occupancy",
    quantity="occupancy of the regulatory troponin sites by Ca and Mg in a closed fibre "
    "(no release, pumps or ATP) at Ca 2 µM and Mg 2 mM, mean over 15-30 ms",
    unit="fraction",
    published="θ_Ca = (Ca/K_Ca) / (1 + Ca/K_Ca + Mg/K_Mg), θ_Mg likewise, K = k_off/k_on",
    source="mass action (analytic)",
    kind="physics",
    tolerance="within 4 standard errors (sites, ~5 independent samples) + 1 % of θ",
    rationale="Statistical error of a 15 ms average over the sites (correlation time "
    "~5 ms), plus 1 % for the O(dt) splitting of diffusion and reaction.",
    plot=_plot_binding,
)  # fmt: skip
def binding_equilibrium(session) -> Outcome:
    # Ca 2 µM and Mg 2 mM are near the regulatory sites' Kd (1.3 µM and 2.3 mM)
    fibre = {
        **CLOSED,
        "atp_total_uM": 0.0,
        "ca_rest_uM": 2.0,
        "mg_free_mM": 2.0,
        "mg_substeps": 1,
        "particle_weight": 4.0,
        "width_y_um": 0.3,
        "width_z_um": 0.3,
    }
    scenario = scenario_in_code(
        fibre, {"kind": "none"}, {"duration_ms": 30.0, "record_every_ms": 0.5}
    )
    model = experiments.model(scenario)
    model.run()
    df = model.datacollector.get_model_vars_dataframe()
    late = df[df["time_ms"] > 15.0]  # several unbinding times (1/k_off_Ca = 8.7 ms)
    ca, mg = late["ca_free_uM"].mean(), late["mg_free_uM"].mean()
    kon, koff = model.state.kon, model.state.koff
    a = ca / (koff[TN_REG, CA] / kon[TN_REG, CA])
    b = mg / (koff[TN_REG, MG] / kon[TN_REG, MG])
    n_sites = 2 * model.state.n_ru
    data = {"time_ms": df["time_ms"].to_numpy()}
    criteria, shown = {}, []
    for ion, theta, column in (
        ("Ca", a / (1 + a + b), "tn_reg_ca_fraction"),
        ("Mg", b / (1 + a + b), "tn_reg_mg_fraction"),
    ):
        measured = late[column].mean()
        tol = 4 * np.sqrt(theta * (1 - theta) / n_sites / 5) + 0.01 * theta
        criteria[f"|θ_{ion} - analytic| < 4 SE + 1 %"] = bool(abs(measured - theta) < tol)
        shown.append(f"{ion} {measured:.3f} (analytic {theta:.3f})")
        data.update(
            {f"theta_{ion}": theta, f"tol_{ion}": tol, f"measured_{ion}": df[column].to_numpy()}
        )
    return Outcome(late["tn_reg_ca_fraction"].mean(), "; ".join(shown), criteria, data)


def _plot_atp(ax, d):
    fig.bars(ax, ["Mg on ATP", "Ca on ATP"], [d["mg_fraction"], d["ca_fraction"]],
             ylabel="fraction (model)")  # fmt: skip
    ax.plot([0, 1], [d["mg_expected"], d["ca_expected"]], "s", color=fig.PUBLISHED, ms=9,
            label="mass action")  # fmt: skip
    ax.legend(fontsize=7)


@check(
    "fibre.atp_equilibrium",
    title="ATP holds Ca and Mg as mass action says",
    quantity="in a closed fibre (no sites, release or pumps) at free Mg 0.5 mM, mean over "
    "5-15 ms: Mg-ATP / total ATP and Ca on ATP / cytosolic Ca",
    unit="fraction",
    published="Mg-ATP/ATP = (Mg/K_Mg) / (1 + Ca/K_Ca + Mg/K_Mg); Ca-ATP / (Ca + Ca-ATP) = "
    "κ/(1 + κ), κ = free ATP / K_Ca; K_Ca 200 µM, K_Mg 100 µM",
    source="mass action; ATP constants of Baylor & Hollingworth 1998/2007",
    kind="physics",
    tolerance="Mg-ATP within 2 % (relative); Ca on ATP within 4 standard errors of its count",
    rationale="Mg-ATP is a count of ~1.6e5 rows (noise < 0.5 %) plus O(dt) splitting; Ca on "
    "ATP is drawn per ion and step (binomial).",
    plot=_plot_atp,
)  # fmt: skip
def atp_equilibrium(session) -> Outcome:
    fibre = {**CLOSED, **{k: v for k, v in NO_BINDING.items() if k != "atp_total_uM"},
             "ca_rest_uM": 2.0, "mg_free_mM": 0.5}  # fmt: skip
    scenario = scenario_in_code(
        fibre, {"kind": "none"}, {"duration_ms": 15.0, "record_every_ms": 0.5}
    )
    model = experiments.model(scenario)
    model.run()
    df = model.datacollector.get_model_vars_dataframe()
    late = df[df["time_ms"] > 5.0]
    p = model.params
    ca, mg = late["ca_free_uM"].mean(), late["mg_free_uM"].mean()
    _free, ca_atp, mg_atp = rest.atp_equilibrium(p, ca, mg)
    mg_fraction = late["mg_atp_uM"].mean() / p.atp_total_uM
    cyto = late["ca_free_uM"] + late["ca_atp_uM"]
    ca_fraction = float((late["ca_atp_uM"] / cyto).mean())
    n = float(cyto.mean() * model.state.particles_per_uM)
    expected_ca = ca_atp / (ca + ca_atp)
    se = math.sqrt(expected_ca * (1 - expected_ca) / max(n, 1.0) / len(late))
    d = {"mg_fraction": mg_fraction, "ca_fraction": ca_fraction,
         "mg_expected": mg_atp / p.atp_total_uM, "ca_expected": expected_ca}  # fmt: skip
    return Outcome(
        mg_fraction,
        f"Mg-ATP {mg_fraction:.3f} (mass action {d['mg_expected']:.3f}); Ca on ATP "
        f"{ca_fraction:.3f} ({expected_ca:.3f})",
        {
            "Mg-ATP within 2 %": abs(mg_fraction / d["mg_expected"] - 1) < 0.02,
            "Ca on ATP within 4 SE": abs(ca_fraction - expected_ca) < 4 * se + 1e-3,
        },
        d,
    )


def _plot_msd(ax, d):
    t = np.asarray(d["time_ms"])
    for ion, colour, diff in (("Ca", fig.CA_COLOUR, 0.3), ("Mg", fig.MG_COLOUR, 0.267)):
        ax.plot(t, d[f"msd_{ion}"], "o", color=colour, label=f"model, {ion}")
        ax.plot(t, 6 * diff * t, "--", color=colour, lw=1, label=f"6 D t, D = {diff} µm²/ms")
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("mean squared displacement (µm²)")
    ax.legend(fontsize=8)


@check(
    "fibre.diffusion_msd",
    title="Brownian steps give MSD = 6 D t, and no ion leaves the box",
    quantity="mean squared displacement of free Ca and Mg ions after 0.2 ms (no binding "
    "partners, no ATP), ions starting in the middle of a 3 µm box",
    unit="µm²",
    published="MSD = 6 D t; D_Ca 0.3 µm²/ms (Pape et al. 1995), D_Mg 0.89 D_Ca (CRC)",
    source="diffusion (analytic); D values: Pape et al. 1995, CRC Handbook",
    kind="physics",
    tolerance="|MSD / 6Dt - 1| < 4 relative standard errors (√(2/3n)); every ion inside",
    rationale="Four standard errors of the MSD of n independent ions: a correct "
    "random walk fails less than once in 10 000 runs.",
    plot=_plot_msd,
)  # fmt: skip
def diffusion_msd(session) -> Outcome:
    # a box large enough that ions starting in its centre rarely meet a wall in 0.2 ms
    fibre = {**CLOSED, **NO_BINDING, "length_x_um": 3.0, "width_y_um": 3.0, "width_z_um": 3.0,
             "voxel_um": 0.5, "ca_rest_uM": 0.3, "mg_free_mM": 0.0003, "mg_substeps": 10,
             "tnc_uM": 0.01}  # fmt: skip
    scenario = scenario_in_code(fibre, {"kind": "none"}, {"duration_ms": 0.2, "dt_us": 5.0})
    model = experiments.model(scenario)
    s = model.state
    free = np.flatnonzero(s.ion_state == FREE)
    start = np.column_stack([s.ion_x[free], s.ion_y[free], s.ion_z[free]]).copy()
    central = np.all((start > 0.8) & (start < 2.2), axis=1)
    data = {"time_ms": [], "msd_Ca": [], "msd_Mg": []}
    for _ in range(4):  # 4 x 10 steps of 5 µs: MSD at 0.05, 0.1, 0.15, 0.2 ms
        model.advance(10)
        end = np.column_stack([s.ion_x[free], s.ion_y[free], s.ion_z[free]])
        data["time_ms"].append(model.time_ms)
        for ion, sp in (("Ca", CA), ("Mg", MG)):
            sel = central & (s.ion_species[free] == sp)
            data[f"msd_{ion}"].append(float(np.mean(np.sum((end[sel] - start[sel]) ** 2, axis=1))))
    criteria = {"every ion inside the box": bool(np.all((end >= 0) & (end <= 3.0)))}
    shown = []
    for ion, sp, diff in (("Ca", CA, 0.3), ("Mg", MG, 0.267)):
        n = int((central & (s.ion_species[free] == sp)).sum())
        ratio = data[f"msd_{ion}"][-1] / (6 * diff * 0.2)
        rel_err = np.sqrt(2 / 3 / n)  # MSD of n ions: relative standard error
        criteria[f"{ion}: more than 300 ions averaged"] = n > 300
        criteria[f"{ion}: |MSD/6Dt - 1| < 4 SE"] = bool(abs(ratio - 1) < 4 * rel_err)
        shown.append(f"{ion} {ratio:.3f}")
    return Outcome(data["msd_Ca"][-1], "MSD/6Dt: " + ", ".join(shown), criteria, data)


def _plot_walls(ax, d):
    edges = np.linspace(0.0, d["length_um"], len(d["counts"]) + 1)
    ax.bar(edges[:-1], d["counts"], width=np.diff(edges), align="edge", color=fig.MG_COLOUR,
           alpha=0.7, label="model: Mg ions per slab")  # fmt: skip
    ax.axhline(d["expected"], color=fig.PUBLISHED, ls="--", label="uniform")
    ax.set_xlabel("x (µm)")
    ax.set_ylabel("ions")
    ax.set_ylim(0, 1.3 * max(d["counts"]))
    ax.legend(fontsize=8, loc="lower right")
    fig.note(ax, f"χ² = {d['chi2']:.1f} (9 d.o.f.; accepted < 27.9)")


@check(
    "fibre.walls_uniform",
    title="Reflecting walls keep a uniform density",
    quantity="χ² of the Mg ions' x positions in 10 slabs after 2 ms (no binding, no ATP)",
    unit="",
    published="uniform density (reflecting walls neither trap nor leak)",
    source="diffusion with reflecting boundaries (analytic)",
    kind="physics",
    accept=at_most(27.9, "", reason="The 99.9th percentile of χ² with 9 degrees of freedom."),
    plot=_plot_walls,
)  # fmt: skip
def walls_uniform(session) -> Outcome:
    fibre = {**CLOSED, **NO_BINDING, "mg_free_mM": 0.2, "mg_substeps": 1}
    model = experiments.model(scenario_in_code(fibre, {"kind": "none"}, {"duration_ms": 2.0}))
    model.run()
    s = model.state
    x = s.ion_x[(s.ion_species == MG) & (s.ion_state != ON_ATP)]
    counts, _ = np.histogram(x, bins=10, range=(0, s.geometry.lx_um))
    expected = len(x) / 10
    chi2 = float(np.sum((counts - expected) ** 2 / expected))
    return Outcome(chi2, f"χ² = {chi2:.1f}",
                   data={"counts": counts, "expected": expected, "chi2": chi2,
                         "length_um": s.geometry.lx_um})  # fmt: skip

"""Checks of the muscle fibre: the twitch Ca transient, Mg and relaxation, force–pCa,
and the physics the agent rules must obey (binding equilibrium, diffusion, walls).

Runs start from the bundled scenarios, so a check measures what a user runs.
Quick versions (the test suite's) use fewer seeds, twice the particle weight
or a narrower skinned-fibre column, with the same tolerances.
"""

from __future__ import annotations

import numpy as np

import cellsim
from cellsim.fibre import experiments, metrics
from cellsim.fibre.state import CA, FREE, MG, TN_REG
from cellsim.scenario import bundled_dir, load
from cellsim.validation import figures as fig
from cellsim.validation.checks import Outcome, check, shared

#: Published results of the literature table that are not checks, and why.
UNCHECKED = (
    (
        "Rat EDL twitch half-relaxation time ≈ 9.4 ms (Heizmann et al. 1982)",
        "There is no rat parameter set. The human set, without parvalbumin, relaxes far "
        "more slowly (half-relaxation ~50 ms), as parvalbumin-free muscle should.",
    ),
    (
        "Human whole-muscle twitch contraction time 100-157 ms (Vandervoort & McComas 1983)",
        "A whole muscle adds motor-unit asynchrony, tendon compliance and length changes; "
        "the model is one half-sarcomere column with an illustrative force follower.",
    ),
    (
        "Released Ca per twitch ≈ 300-350 µM, mouse fast (Baylor & Hollingworth 2003)",
        "Recalled, not re-checked, in the literature table; the release is calibrated to the "
        "measured free-Ca transient instead (checks fibre.twitch_peak_ca and _fdhm).",
    ),
    (
        "Resting occupancy: regulatory sites ~60 % metal-free, Ca/Mg sites ~92 % Mg-loaded "
        "(Gillis et al. 1982)",
        "The model's regulatory sites are ~68 % metal-free at rest (mouse set, "
        "1 mM Mg) but its Ca/Mg sites only ~69 % Mg-loaded: that follows from Potter & "
        "Gergely's affinities at the model's ~80 nM resting Ca. A known limit.",
    ),
)


# --- running bundled scenarios ---------------------------------------------------------
def run_bundled(file: str, overrides=()):
    """Run a bundled scenario (no snapshots) with ``--set``-style overrides."""
    return cellsim.run(load(bundled_dir() / file, [*overrides, "output.snapshots=false"]))


def scenario_in_code(fibre: dict, protocol: dict, run: dict):
    """A fibre scenario built in code; ``mg_free_mM`` in ``fibre`` sets the environment."""
    fibre = dict(fibre)
    mg = fibre.pop("mg_free_mM", None)
    env = {"mg_free_intracellular_mM": mg} if mg is not None else None
    return experiments.scenario(fibre, protocol, run, env, name="check")


# --- mouse fast twitch: Baylor & Hollingworth 2003 ---------------------------------------
PEAK_UM, FDHM_MS = 18.5, 4.9


@shared
def mouse_twitches(session) -> list:
    """One 25 ms twitch of the mouse fast fibre per seed (two seeds quick, three full)."""
    seeds = (1, 2) if session.quick else (1, 2, 3)
    return [
        run_bundled("twitch_mouse_fast.toml", [f"run.seed={s}", "run.duration_ms=25"])
        for s in seeds
    ]


def _transient_data(session) -> dict:
    runs = mouse_twitches(session)
    traces = []
    for out in runs:
        ca = metrics.smooth(np.asarray(out.timeseries["ca_free_uM"], float))
        traces.append(ca - out.summary["resting_ca_uM"])
    peaks = [out.summary["peak_delta_ca_uM"] for out in runs]
    widths = [out.summary["ca_fdhm_ms"] for out in runs]
    return {
        "time_ms": np.asarray(runs[0].timeseries["time_ms"]),
        "traces": traces,
        "seeds": [out.seed for out in runs],
        "peak": float(np.mean(peaks)),
        "fdhm": float(np.mean(widths)),
        "stimulus_ms": runs[0].summary["stimulus_times_ms"][0],
    }


def _plot_transient(ax, d):
    t = d["time_ms"] - d["stimulus_ms"]
    for trace in d["traces"]:
        ax.plot(t, trace, color=fig.MODEL, lw=0.8, alpha=0.6)
    ax.plot(t, np.mean(d["traces"], axis=0), color=fig.MODEL, lw=2, label="model (mean of seeds)")
    fig.accepted_band(ax, 0.75 * PEAK_UM, 1.25 * PEAK_UM, label="accepted peak (± 25 %)")
    fig.published_band(ax, PEAK_UM - 0.5, PEAK_UM + 0.5, label="published peak 18.5 ± 0.5")
    mean = np.mean(d["traces"], axis=0)
    half = PEAK_UM / 2.0
    k = int(np.argmax(mean >= mean.max() / 2.0))
    start = t[k]
    ax.errorbar(
        [start, start + FDHM_MS], [half, half], xerr=[0.3, 0.3], color=fig.PUBLISHED, capsize=3
    )
    ax.plot([], [], color=fig.PUBLISHED, label="published FDHM 4.9 ± 0.3 ms")
    ax.set_xlim(-1.0, 18.0)
    ax.set_xlabel("time after the stimulus (ms)")
    ax.set_ylabel("Δ free Ca (µM)")
    ax.legend(fontsize=7, loc="upper right")
    fig.note(ax, f"model: peak {d['peak']:.1f} µM, FDHM {d['fdhm']:.2f} ms (mean of seeds)")


_BH = dict(
    source="Baylor & Hollingworth 2003, J Physiol 551:125 (mouse fast fibres, 16 °C)",
    plot=_plot_transient,
    basis="calibrated",
)


@check(
    "fibre.twitch_peak_ca",
    title="Twitch Ca transient: peak Δ[Ca] of a mouse fast fibre",
    quantity="peak rise of free Ca after one action potential, mouse fast set, 16 °C, mean "
    "of seeds 1-2 (quick) or 1-3 (full)",
    unit="µM",
    published="18.5 ± 0.5 µM",
    tolerance="18.5 µM ± 25 % (13.9-23.1 µM)",
    rationale="The issue's target. The transient of a 24-ions-per-µM column is noisy "
    "(seeds differ by ~3 µM), and without an ATP buffer the release is calibrated "
    "rather than measured.",
    **_BH,
)
def twitch_peak_ca(session) -> Outcome:
    d = _transient_data(session)
    return Outcome(
        d["peak"],
        f"{d['peak']:.1f} µM",
        {"|peak - 18.5| <= 25 % of 18.5 µM": abs(d["peak"] - PEAK_UM) <= 0.25 * PEAK_UM},
        d,
    )


@check(
    "fibre.twitch_ca_fdhm",
    title="Twitch Ca transient: half-width (FDHM) of a mouse fast fibre",
    quantity="full duration at half maximum of the free-Ca transient, mouse fast set, "
    "16 °C, mean of seeds",
    unit="ms",
    published="4.9 ± 0.3 ms",
    tolerance="4.9 ± 1.5 ms",
    rationale="The issue's target: five times the published SEM, for the particle noise "
    "of the column and the missing ATP buffer (release lasts 8 ms instead of ~1.6 ms).",
    **_BH,
)
def twitch_ca_fdhm(session) -> Outcome:
    d = _transient_data(session)
    return Outcome(
        d["fdhm"],
        f"{d['fdhm']:.2f} ms",
        {"|FDHM - 4.9| <= 1.5 ms": abs(d["fdhm"] - FDHM_MS) <= 1.5},
        d,
    )


# --- human twitches at four free Mg levels -------------------------------------------------
TWITCH_MG_MM = (0.15, 0.5, 1.0, 3.0)


@shared
def human_twitches(session) -> dict:
    """Human twitches (150 ms, seed 1) at each free Mg; quick: particle weight 2."""
    weight = 2.0 if session.quick else 1.0
    return {
        mg: run_bundled(
            "twitch.toml",
            [f"environment.mg_free_intracellular_mM={mg}", f"fibre.particle_weight={weight}"],
        )
        for mg in TWITCH_MG_MM
    }


def _force_data(session) -> dict:
    runs = human_twitches(session)
    return {
        "time_ms": {mg: np.asarray(o.timeseries["time_ms"]) for mg, o in runs.items()},
        "force": {
            mg: metrics.smooth(np.asarray(o.timeseries["force_fraction"])) for mg, o in runs.items()
        },
        "summary": {mg: o.summary for mg, o in runs.items()},
    }


def _plot_force_traces(ax, d):
    for colour, mg in zip(fig.SERIES, TWITCH_MG_MM, strict=False):
        s = d["summary"][mg]
        tag = " (cramp)" if s["cramp"] else ""
        ax.plot(d["time_ms"][mg], d["force"][mg], color=colour, lw=1.2, label=f"Mg {mg:g} mM{tag}")
    ax.set_xlabel("time (ms); stimulus at 5 ms")
    ax.set_ylabel("force (fraction of maximum)")
    ax.legend(fontsize=8, loc="upper right")
    fig.note(ax, "published: direction only (relaxation fails when Mg is low)")


@check(
    "fibre.low_mg_relaxation_fails",
    title="Low Mg slows relaxation and leaves force up (cramp)",
    quantity="residual force (last 5 % of a 150 ms run, fraction of peak) and "
    "half-relaxation of a human twitch at free Mg 0.15 vs 1.0 mM",
    unit="fraction of peak",
    published="lowering Mg slows SR uptake and unblocks resting RyRs: Ca stays up and "
    "relaxation fails (direction)",
    source="Kabbara & Stephenson 1994 (SERCA needs Mg); Lamb group 1997 (Mg blocks resting RyR)",
    tolerance="at 1.0 mM: no cramp, residual < 0.1; at 0.15 mM: cramp, residual at least 0.2 "
    "higher, half-relaxation longer or never reached",
    rationale="The issue's target. The sources give the direction, not a size; the "
    "thresholds separate a relaxing twitch from one that does not relax.",
    plot=_plot_force_traces,
    basis="calibrated",
)
def low_mg_relaxation_fails(session) -> Outcome:
    d = _force_data(session)
    normal, low = d["summary"][1.0], d["summary"][0.15]
    slow = low["half_relaxation_ms"]
    return Outcome(
        low["residual_force_fraction"],
        f"residual {low['residual_force_fraction']:.2f} at 0.15 mM vs "
        f"{normal['residual_force_fraction']:.2f} at 1 mM; cramp {low['cramp']}",
        {
            "no cramp at 1.0 mM": normal["cramp"] is False,
            "residual force < 0.1 at 1.0 mM": normal["residual_force_fraction"] < 0.1,
            "residual at 0.15 mM > residual at 1.0 mM + 0.2": low["residual_force_fraction"]
            > normal["residual_force_fraction"] + 0.2,
            "half-relaxation at 0.15 mM longer or never": slow is None
            or bool(np.isnan(slow))
            or slow > normal["half_relaxation_ms"],
            "cramp at 0.15 mM": low["cramp"] is True,
        },
        d,
    )


def _plot_peak_force(ax, d):
    mgs = np.array(TWITCH_MG_MM)
    force = np.array([d["summary"][mg]["peak_force_fraction"] for mg in mgs])
    ax.plot(mgs, force, "-o", color=fig.MODEL, label="model: peak force")
    limit = 0.75 * d["summary"][0.5]["peak_force_fraction"]
    ax.plot([3.0], [limit], "v", color=fig.PUBLISHED, ms=9, label="accepted at 3 mM: below")
    ax.axvline(0.5, color="0.6", ls=":", lw=1, label="normal human free Mg")
    ax.set_xscale("log")
    ax.set_xticks(list(TWITCH_MG_MM), [f"{mg:g}" for mg in TWITCH_MG_MM])
    ax.minorticks_off()
    ax.set_xlabel("free Mg (mM)")
    ax.set_ylabel("peak twitch force (fraction)")
    ax.set_ylim(0, 1.15)
    ax.legend(fontsize=8)


@check(
    "fibre.high_mg_weakens_twitch",
    title="High Mg weakens the twitch",
    quantity="peak force of a human twitch at free Mg 3 mM vs 0.5 mM (and 1 mM)",
    unit="fraction of maximum",
    published="Mg competes with Ca on the regulatory sites and inhibits release: less force "
    "(direction)",
    source="Ogawa 1985 (K_Mg of the regulatory sites); Lamb group (Mg inhibits RyR)",
    tolerance="F(3 mM) < 0.75 F(0.5 mM), and F(3 mM) < F(1 mM) < 1.05 F(0.5 mM)",
    rationale="The issue's target: at least 25 % less force at 3 mM, and force falling as "
    "Mg rises (5 % slack for noise between 0.5 and 1 mM).",
    plot=_plot_peak_force,
    basis="calibrated",
)
def high_mg_weakens_twitch(session) -> Outcome:
    d = _force_data(session)
    force = {mg: s["peak_force_fraction"] for mg, s in d["summary"].items()}
    return Outcome(
        force[3.0],
        f"{force[3.0]:.2f} at 3 mM vs {force[0.5]:.2f} at 0.5 mM",
        {
            "F(3) < 0.75 F(0.5)": force[3.0] < 0.75 * force[0.5],
            "F(3) < F(1) < 1.05 F(0.5)": force[3.0] < force[1.0] < force[0.5] * 1.05,
        },
        d,
    )


# --- skinned-fibre force–pCa at several Mg --------------------------------------------------
FORCE_PCA_MG_MM = (0.5, 1.0, 3.0)


@shared
def force_pca(session) -> dict:
    """Skinned-fibre clamp (60 ms per pCa) at each free Mg; quick: a 0.2 µm-wide column."""
    narrow = ["fibre.width_y_um=0.2", "fibre.width_z_um=0.2"] if session.quick else []
    return {
        mg: run_bundled(
            "force_pca.toml",
            [f"environment.mg_free_intracellular_mM={mg}", "protocol.clamp_hold_ms=60", *narrow],
        ).summary
        for mg in FORCE_PCA_MG_MM
    }


def _plot_force_pca(ax, d):
    grid = np.linspace(7.0, 4.4, 200)
    fig.accepted_band(ax, 5.65, 6.15, vertical=True, label="accepted pCa50 (1 mM)")
    fig.published_band(ax, 5.8, 6.0, vertical=True, label="published pCa50 5.8-6.0")
    for colour, mg in zip(fig.SERIES, FORCE_PCA_MG_MM, strict=False):
        s = d[mg]
        ax.plot(s["pca"], s["steady_force_fraction"], "o", color=colour, ms=4)
        ax.plot(
            grid,
            metrics.hill_force(grid, s["fmax"], s["pca50"], s["hill_n"]),
            color=colour,
            lw=1,
            label=f"Mg {mg:g} mM: pCa50 {s['pca50']:.2f}, n {s['hill_n']:.1f}",
        )
    ax.set_xlim(7.0, 4.4)  # conventional: Ca rises to the right
    ax.set_xlabel("pCa")
    ax.set_ylabel("steady force (fraction)")
    ax.legend(fontsize=7, loc="upper left")


def _pca_outcome(session, value, shown, criteria) -> Outcome:
    return Outcome(value, shown, criteria, force_pca(session))


_FPCA = dict(plot=_plot_force_pca)


@check(
    "fibre.force_pca_pca50",
    title="Force–pCa of a fast skinned fibre: pCa50 at 1 mM Mg",
    quantity="pCa at half-maximal steady force (Hill fit), skinned mouse fast fibre, free Mg 1 mM",
    unit="pCa",
    published="5.8-6.0",
    source="Stephenson & Williams 1981 (recalled in the literature table)",
    tolerance="5.65-6.15",
    rationale="The published range widened by 0.15 on each side: the source value is "
    "recalled, and the clamp's fit moves by a few hundredths between column sizes.",
    basis="calibrated",
    **_FPCA,
)
def force_pca_pca50(session) -> Outcome:
    fit = force_pca(session)[1.0]
    ok = 5.65 <= fit["pca50"] <= 6.15
    return _pca_outcome(session, fit["pca50"], f"{fit['pca50']:.2f}", {"5.65 <= pCa50 <= 6.15": ok})


@check(
    "fibre.force_pca_hill_n",
    title="Force–pCa of a fast skinned fibre: Hill coefficient",
    quantity="Hill coefficient of the steady force–pCa curve, skinned mouse fast fibre, "
    "free Mg 1 mM",
    unit="",
    published="3-5 (slow fibres 2-3)",
    source="Stephenson & Williams 1981 and general literature (recalled)",
    tolerance="n between 3 and 5",
    rationale="The published range itself; the steepness emerges from neighbour "
    "cooperativity along the thin filament, whose strength was calibrated.",
    basis="calibrated",
    **_FPCA,
)
def force_pca_hill_n(session) -> Outcome:
    fit = force_pca(session)[1.0]
    ok = 3.0 <= fit["hill_n"] <= 5.0
    return _pca_outcome(session, fit["hill_n"], f"{fit['hill_n']:.2f}", {"3 <= n <= 5": ok})


@check(
    "fibre.mg_shifts_pca50",
    title="Mg lowers Ca sensitivity of force",
    quantity="shift of pCa50 per +1 mM free Mg, from 1 to 3 mM",
    unit="pCa per mM",
    published="≈ -0.1 pCa unit per +1 mM Mg",
    source="Donaldson & Kerrick 1975 (direction); derived from Ogawa 1985's K_Mg",
    tolerance="-0.2 to -0.05 per mM",
    rationale="A derived value, so a factor of two either side; it emerges from Mg "
    "competing on the regulatory sites (K_Mg from Ogawa), which nothing was tuned to.",
    basis="emergent",
    **_FPCA,
)
def mg_shifts_pca50(session) -> Outcome:
    d = force_pca(session)
    shift = (d[3.0]["pca50"] - d[1.0]["pca50"]) / 2.0
    ok = -0.2 <= shift <= -0.05
    return _pca_outcome(session, shift, f"{shift:+.3f} per mM", {"-0.2 <= shift <= -0.05": ok})


@check(
    "fibre.mg_keeps_fmax",
    title="Mg leaves maximum force unchanged",
    quantity="ratio of the Hill-fit maximum force at 3 mM to that at 1 mM free Mg",
    unit="",
    published="maximum force about unchanged",
    source="Donaldson & Kerrick 1975",
    tolerance="within 10 % (0.9-1.1)",
    rationale="'About unchanged' read as within 10 %; at saturating Ca the regulatory "
    "sites are Ca-loaded whatever the Mg.",
    basis="emergent",
    **_FPCA,
)
def mg_keeps_fmax(session) -> Outcome:
    d = force_pca(session)
    ratio = d[3.0]["fmax"] / d[1.0]["fmax"]
    ok = abs(ratio - 1.0) < 0.1
    return _pca_outcome(session, ratio, f"{ratio:.3f}", {"|Fmax(3)/Fmax(1) - 1| < 0.1": ok})


# --- physics of the agent rules -------------------------------------------------------------
CLOSED = {"ryr_count": 0, "serca_uM": 0.0, "sr_leak_per_ms": 0.0, "pv_sites_uM": 0.0}
NO_BINDING = {"reg_kon_ca": 0.0, "reg_kon_mg": 0.0, "camg_kon_ca": 0.0, "camg_kon_mg": 0.0}


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
    "(no release, no pumps) at Ca 2 µM and Mg 2 mM, mean over 15-30 ms",
    unit="fraction",
    published="θ_Ca = (Ca/K_Ca) / (1 + Ca/K_Ca + Mg/K_Mg), θ_Mg likewise, K = k_off/k_on",
    source="mass action (analytic)",
    tolerance="within 4 standard errors (sites, ~5 independent samples) + 1 % of θ",
    rationale="Statistical error of a 15 ms average over the sites (correlation time "
    "~5 ms), plus 1 % for the O(dt) splitting of diffusion and reaction.",
    plot=_plot_binding,
    basis="physics",
)
def binding_equilibrium(session) -> Outcome:
    # Ca 2 µM and Mg 2 mM are near the regulatory sites' Kd (2 µM and 2.3 mM), so both compete
    fibre = {
        **CLOSED,
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
    "partners), ions starting in the middle of a 3 µm box",
    unit="µm²",
    published="MSD = 6 D t; D_Ca 0.3 µm²/ms (Pape et al. 1995), D_Mg 0.89 D_Ca (CRC)",
    source="diffusion (analytic); D values: Pape et al. 1995, CRC Handbook",
    tolerance="|MSD / 6Dt - 1| < 4 relative standard errors (√(2/3n)); every ion inside",
    rationale="Four standard errors of the MSD of n independent ions: a correct "
    "random walk fails less than once in 10 000 runs.",
    plot=_plot_msd,
    basis="physics",
)
def diffusion_msd(session) -> Outcome:
    # a box large enough that ions starting in its centre rarely meet a wall in 0.2 ms
    fibre = {
        **CLOSED,
        **NO_BINDING,
        "length_x_um": 3.0,
        "width_y_um": 3.0,
        "width_z_um": 3.0,
        "voxel_um": 0.5,
        "ca_rest_uM": 0.3,
        "mg_free_mM": 0.0003,
        "mg_substeps": 10,
        "sr_ca_total_uM": 0.0,
        "tnc_uM": 0.01,  # no filaments needed: keeps the box cheap
    }
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
    ax.bar(
        edges[:-1],
        d["counts"],
        width=np.diff(edges),
        align="edge",
        color=fig.MG_COLOUR,
        alpha=0.7,
        label="model: Mg ions per slab",
    )
    ax.axhline(d["expected"], color=fig.PUBLISHED, ls="--", label="uniform")
    ax.set_xlabel("x (µm)")
    ax.set_ylabel("ions")
    ax.set_ylim(0, 1.3 * max(d["counts"]))
    ax.legend(fontsize=8, loc="lower right")
    fig.note(ax, f"χ² = {d['chi2']:.1f} (9 d.o.f.; accepted < 27.9)")


@check(
    "fibre.walls_uniform",
    title="Reflecting walls keep a uniform density",
    quantity="χ² of the Mg ions' x positions in 10 slabs after 2 ms (no binding)",
    unit="",
    published="uniform density (reflecting walls neither trap nor leak)",
    source="diffusion with reflecting boundaries (analytic)",
    tolerance="χ² < 27.9 (9 degrees of freedom)",
    rationale="The 99.9th percentile of χ² with 9 degrees of freedom.",
    plot=_plot_walls,
    basis="physics",
)
def walls_uniform(session) -> Outcome:
    fibre = {**CLOSED, **NO_BINDING, "mg_free_mM": 0.2, "mg_substeps": 1, "sr_ca_total_uM": 0.0}
    model = experiments.model(scenario_in_code(fibre, {"kind": "none"}, {"duration_ms": 2.0}))
    model.run()
    s = model.state
    x = s.ion_x[s.ion_species == MG]
    counts, _ = np.histogram(x, bins=10, range=(0, s.geometry.lx_um))
    expected = len(x) / 10
    chi2 = float(np.sum((counts - expected) ** 2 / expected))
    return Outcome(
        chi2,
        f"χ² = {chi2:.1f}",
        {"χ² < 27.9": chi2 < 27.9},
        {"counts": counts, "expected": expected, "chi2": chi2, "length_um": s.geometry.lx_um},
    )

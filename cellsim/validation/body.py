"""Checks of the body scale: gut absorption, kidney, hormones, Mg deficiency.

The body is a set of ODEs solved in seconds, so the quick and full versions are
the same.  Every check names its source (see also the project's literature
table); intakes are those of ``adult_female_19_50`` (1000 mg Ca, 320 mg Mg a
day in three meals) unless stated.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from scipy.optimize import curve_fit

from cellsim.body import metrics, model
from cellsim.body.experiments import single_load_fraction
from cellsim.body.params import resolve_params
from cellsim.body.protocol import Intake, meals
from cellsim.validation import figures as fig
from cellsim.validation.checks import Outcome, check, shared

MEALS_H = (8.0, 13.0, 19.0)
RDA_CA_MG, RDA_MG_MG = 1000.0, 320.0  # adult_female_19_50

#: Published results of the literature table that are not checks, and why.
UNCHECKED = (
    (
        "Fractional Ca absorption vs habitual daily intake: ~0.45 at 200 mg/d, ~0.15 above "
        "2000 mg/d (Heaney et al. 1989)",
        "Not reproduced closely: the model's calcitriol adaptation to habitual intake is "
        "weaker than observed (after 60 days it absorbs about 55 % at 200 mg/d and 22 % at "
        "2000 mg/d). A known limit, not a check.",
    ),
    (
        "At 1000 mg/d Ca: ~400 mg absorbed, ~200 mg secreted back, ~200 mg net and in urine "
        "(Blaine, Chonchol & Levi 2015)",
        "Round figures of a review's diagram, not a measurement with a spread; the model "
        "excretes about 156 mg/d of Ca at this intake.",
    ),
    (
        "Hypermagnesaemia: tendon reflexes lost at 2.5-5 mM, paralysis above 5 mM",
        "Clinical signs; the body model has no reflexes. The nerve scale checks the "
        "transmission block at ~6 mM bath Mg.",
    ),
)


def _params(**overrides):
    return resolve_params(overrides=overrides) if overrides else resolve_params()


def day_mean(series: dict, key: str, day: int) -> float:
    """Mean of ``series[key]`` over day ``day`` (day 1 is the first 24 h)."""
    mask = (series["time_h"] >= 24.0 * (day - 1)) & (series["time_h"] < 24.0 * day)
    return float(series[key][mask].mean())


def half_life(t, y) -> float:
    """Half-life of a single-exponential fit to ``y(t)`` (in the unit of ``t``)."""
    return float(np.log(2.0) / -np.polyfit(t, np.log(y), 1)[0])


# --- gut: fractional absorption of single loads ---------------------------------------
# Heaney, Weaver & Fitzsimmons 1990: fraction absorbed is linear in ln(load) through
# 64 % at 15 mg and 28.6 % at 500 mg; the 1000 mg value (21.6 %) is on that line.
HEANEY_SLOPE = (0.286 - 0.64) / np.log(500.0 / 15.0)


def heaney_fraction(load_mg):
    """Heaney 1990's line: fraction absorbed of a single Ca load."""
    return 0.64 + HEANEY_SLOPE * np.log(np.asarray(load_mg, float) / 15.0)


# Fine et al. 1991 gave a standard meal plus 0-80 mEq Mg acetate.  The meal's own Mg is not
# in the abstract; we take ~1 mEq (12 mg) as the "lowest intake" (assumption).
FINE_POINTS = ((12.0, 0.65), (12.0 + 972.0, 0.11))


@shared
def absorption_curves(session) -> dict:
    """Fraction absorbed of single Ca and Mg loads over a range of loads."""
    p = _params()
    ca_loads = np.geomspace(10.0, 2000.0, 14)
    mg_loads = np.geomspace(10.0, 1200.0, 12)
    return {
        "ca_load_mg": ca_loads,
        "ca_fraction": np.array([single_load_fraction(p, ca_mg=x)[0] for x in ca_loads]),
        "mg_load_mg": mg_loads,
        "mg_fraction": np.array([single_load_fraction(p, mg_mg=x)[1] for x in mg_loads]),
    }


def _plot_ca_absorption(ax, d):
    loads = np.geomspace(10.0, 2000.0, 50)
    ax.plot(d["ca_load_mg"], 100 * d["ca_fraction"], "-o", color=fig.MODEL, ms=3, label="model")
    ax.plot(loads, 100 * heaney_fraction(loads), "--", color=fig.PUBLISHED, lw=1, label="Heaney")
    for load, frac in ((15.0, 0.64), (500.0, 0.286), (1000.0, 0.216)):
        ax.errorbar(load, 100 * frac, yerr=5.0, fmt="o", mfc="white", color=fig.PUBLISHED)
    ax.plot(d["load_mg"], 100 * d["fraction"], "s", color=fig.MODEL, ms=8, label="this check")
    ax.set_xscale("log")
    ax.set_xlabel("Ca load with a meal (mg)")
    ax.set_ylabel("fraction absorbed (%)")
    ax.legend(fontsize=8)
    fig.note(ax, "Heaney 1990: linear in ln(load); bars: accepted ± 5 pp", lower=True)


def _absorption(ion: str, load_mg: float, expected: float, tolerance: float, digits: int):
    """A check's measure: the fraction of one load of ``ion`` ("ca" or "mg") absorbed."""

    def measure(session) -> Outcome:
        ca, mg = single_load_fraction(_params(), **{f"{ion}_mg": load_mg})
        fraction = ca if ion == "ca" else mg
        ok = abs(fraction - expected) <= tolerance
        criterion = f"|fraction - {100 * expected:.{digits}f} %| <= {100 * tolerance:.0f} pp"
        return Outcome(
            100 * fraction,
            f"{100 * fraction:.1f} %",
            {criterion: ok},
            {**absorption_curves(session), "load_mg": load_mg, "fraction": fraction},
        )

    return measure


_HEANEY = dict(
    unit="%",
    source="Heaney, Weaver & Fitzsimmons 1990, J Bone Miner Res 5:1135",
    rationale="The fitted gut constants reproduce Heaney's line; 5 percentage points is "
    "about the scatter of individual subjects around it.",
    plot=_plot_ca_absorption,
    basis="calibrated",
)

check(
    "body.ca_absorption_15mg",
    title="Fractional Ca absorption of a 15 mg load",
    quantity="fraction of a single 15 mg Ca load absorbed (with a meal, 48 h)",
    published="64 %",
    tolerance="64 ± 5 %",
    **_HEANEY,
)(_absorption("ca", 15.0, 0.64, 0.05, 1))

check(
    "body.ca_absorption_500mg",
    title="Fractional Ca absorption of a 500 mg load",
    quantity="fraction of a single 500 mg Ca load absorbed (with a meal, 48 h)",
    published="28.6 %",
    tolerance="28.6 ± 5 %",
    **_HEANEY,
)(_absorption("ca", 500.0, 0.286, 0.05, 1))

check(
    "body.ca_absorption_1000mg",
    title="Fractional Ca absorption of a 1000 mg load (linear in ln load)",
    quantity="fraction of a single 1000 mg Ca load absorbed (with a meal, 48 h)",
    published="21.6 % (on Heaney's line, linear in ln load)",
    tolerance="21.6 ± 5 %",
    **_HEANEY,
)(_absorption("ca", 1000.0, 0.216, 0.05, 1))


def _plot_mg_absorption(ax, d):
    ax.plot(d["mg_load_mg"], 100 * d["mg_fraction"], "-o", color=fig.MODEL, ms=3, label="model")
    for load, frac in FINE_POINTS:
        ax.errorbar(load, 100 * frac, yerr=6.0, fmt="o", mfc="white", color=fig.PUBLISHED)
    ax.plot([], [], "o", mfc="white", color=fig.PUBLISHED, label="Fine 1991 (± 6 pp)")
    ax.plot(d["load_mg"], 100 * d["fraction"], "s", color=fig.MODEL, ms=8, label="this check")
    ax.set_xscale("log")
    ax.set_xlabel("Mg load with a meal (mg)")
    ax.set_ylabel("fraction absorbed (%)")
    ax.legend(fontsize=8)


_FINE = dict(
    unit="%",
    source="Fine, Santa Ana, Porter & Fordtran 1991, J Clin Invest 88:396",
    rationale="The fitted gut constants reproduce Fine's saturable + linear curve; 6 "
    "percentage points allows for the assumed 12 mg of Mg in the standard meal, which "
    "the abstract does not give.",
    plot=_plot_mg_absorption,
    basis="calibrated",
)

check(
    "body.mg_absorption_low",
    title="Fractional Mg absorption of a meal's own Mg",
    quantity="fraction of a single 12 mg Mg load absorbed (a meal without supplement)",
    published="65 %",
    tolerance="65 ± 6 %",
    **_FINE,
)(_absorption("mg", *FINE_POINTS[0], 0.06, 0))

check(
    "body.mg_absorption_high",
    title="Fractional Mg absorption of a meal plus 972 mg Mg",
    quantity="fraction of a single 984 mg Mg load absorbed (meal + 80 mEq Mg acetate)",
    published="11 %",
    tolerance="11 ± 6 %",
    **_FINE,
)(_absorption("mg", *FINE_POINTS[1], 0.06, 0))


# --- gut: calcitriol (Wilz 1979) and competition -----------------------------------------
def _plot_wilz(ax, d):
    c = np.array(sorted(d["fractions"]))
    ax.plot(c, [d["fractions"][x] for x in c], "-o", color=fig.MODEL, label="model")
    grid = np.linspace(0.0, 200.0, 50)
    ax.plot(grid, 10 + 0.17 * grid, "--", color=fig.PUBLISHED, lw=1, label="Wilz: 10 + 0.17 x")
    ax.errorbar(100.0, 27.0, yerr=8.0, fmt="o", mfc="white", color=fig.PUBLISHED)
    ax.set_xlabel("calcitriol, clamped (pmol/L)")
    ax.set_ylabel("Ca absorbed from a 333 mg meal (%)")
    ax.legend(fontsize=8)
    fig.note(ax, f"model slope {d['slope']:.3f} %/(pmol/L); accepted 0.10-0.24")


@check(
    "body.ca_absorption_vs_calcitriol",
    title="Ca absorption rises with calcitriol",
    quantity="slope of % Ca absorbed (333 mg meal) against clamped calcitriol, 50-150 pmol/L",
    unit="%/(pmol/L)",
    published="% absorbed = 10 + 0.17 x calcitriol (pmol/L)",
    source="Wilz et al. 1979",
    tolerance="slope 0.17 ± 0.07; absorption at 100 pmol/L within 8 pp of the line",
    rationale="Wilz's line is a regression over subjects with wide scatter; the model's "
    "transcellular Vmax scales with calcitriol, so the slope is set by how much of the "
    "absorption is transcellular at this load.",
    plot=_plot_wilz,
    basis="calibrated",
)
def ca_absorption_vs_calcitriol(session) -> Outcome:
    # calcitriol clamped: a very long half-life keeps it where it is set
    clamped = replace(_params(), calcitriol_half_life_h=1e9)
    fractions = {}
    for calcitriol in (25.0, 50.0, 100.0, 150.0, 200.0):
        y0 = model.reference_state(clamped)
        y0[model.CALCITRIOL] = calcitriol
        result = model.simulate(clamped, [Intake(0.0, 333.0, 0.0, True)], 36.0, y0=y0)
        fractions[calcitriol] = 100.0 * result.ca_absorbed_mg[0] / 333.0
    slope = (fractions[150.0] - fractions[50.0]) / 100.0
    at_100 = fractions[100.0]
    return Outcome(
        slope,
        f"slope {slope:.3f}; {at_100:.1f} % at 100 pmol/L",
        {
            "|slope - 0.17| <= 0.07": abs(slope - 0.17) <= 0.07,
            "|absorbed at 100 pmol/L - 27 %| <= 8 pp": abs(at_100 - 27.0) <= 8.0,
        },
        {"fractions": fractions, "slope": slope},
    )


def _plot_competition(ax, d):
    labels = ["alone\ndefault", "with Ca\ndefault", "alone\nstrong", "with Ca\nstrong"]
    values = [d["default"][0], d["default"][1], d["strong"][0], d["strong"][1]]
    colours = [fig.MODEL, fig.MODEL, "0.6", "0.6"]
    fig.bars(ax, labels, values, ylabel="Mg absorbed from 350 mg (mg)", colours=colours)
    fig.note(ax, "grey: the 'strong competition' hypothesis, for contrast")


@check(
    "body.gut_competition_weak",
    title="Ca barely reduces Mg absorption (default competition)",
    quantity="reduction of Mg absorbed from 350 mg Mg (with a meal) when 1000 mg Ca is "
    "taken at the same time",
    unit="%",
    published="weak or not detected at usual intakes",
    source="Andon et al. 1996; Spencer et al. 1994; Hardwick et al. 1991 (review)",
    tolerance="less than 10 % reduction",
    rationale="The studies found no significant effect; we take 10 % as a change that "
    "balance and isotope studies would have detected (an assumption). The competition "
    "strength is a parameter set from these studies; the 'strong' hypothesis is shown "
    "for contrast.",
    plot=_plot_competition,
    basis="input",
)
def gut_competition_weak(session) -> Outcome:
    absorbed = {}
    for variant in ("default", "strong"):
        p = resolve_params(competition=variant)
        alone = single_load_fraction(p, mg_mg=350.0)[1] * 350.0
        together = single_load_fraction(p, ca_mg=1000.0, mg_mg=350.0)[1] * 350.0
        absorbed[variant] = (alone, together)
    alone, together = absorbed["default"]
    reduction = 100.0 * (1.0 - together / alone)
    strong = 100.0 * (1.0 - absorbed["strong"][1] / absorbed["strong"][0])
    return Outcome(
        reduction,
        f"{reduction:.1f} % ('strong' hypothesis: {strong:.0f} %)",
        {"reduction < 10 %": reduction < 10.0},
        absorbed,
    )


# --- steady state on RDA intake ----------------------------------------------------------
@shared
def rda_30_days(session):
    """30 days on RDA intake: the result, its series and its summary."""
    intakes = meals(RDA_CA_MG, RDA_MG_MG, MEALS_H, 30)
    result = model.simulate(_params(), intakes, 30 * 24.0)
    return result, result.series(), metrics.summarise(result)


def _daily(result, urine_row: int, filtered_row: int) -> np.ndarray:
    per_day = np.diff(result.day_totals, axis=0)
    return per_day[:, urine_row] / per_day[:, filtered_row]


def _plot_fe(ax, d):
    days = np.arange(1, len(d["daily"]) + 1)
    fig.accepted_band(ax, *d["accepted"])
    fig.published_band(ax, *d["published"])
    ax.plot(days, 100 * d["daily"], "-o", color=fig.MODEL, ms=3, label="model, per day")
    ax.set_xlabel("day on RDA intake")
    ax.set_ylabel(f"fractional excretion of {d['ion']} (%)")
    ax.set_ylim(0, max(d["accepted"][1], 100 * max(d["daily"])) * 1.2)
    ax.legend(fontsize=8)


def _fe(ion: str, urine_row, filtered_row, summary_key, lo, hi, published):
    def measure(session) -> Outcome:
        result, _, summary = rda_30_days(session)
        fe = summary[summary_key]
        return Outcome(
            100 * fe,
            f"{100 * fe:.2f} %",
            {f"{100 * lo:g} % <= FE_{ion} <= {100 * hi:g} % (last day)": lo <= fe <= hi},
            {
                "daily": _daily(result, urine_row, filtered_row),
                "ion": ion,
                "accepted": (100 * lo, 100 * hi),
                "published": published,
            },
        )

    return measure


check(
    "body.renal_fe_ca",
    title="Renal fractional excretion of Ca at steady state",
    quantity="urinary Ca / filtered Ca over the last of 30 days on RDA intake",
    unit="%",
    published="1-2 %",
    source="renal physiology reviews (e.g. Blaine, Chonchol & Levi 2015)",
    tolerance="1-2 %",
    rationale="The published range itself: > 98 % of filtered Ca is reabsorbed.",
    plot=_plot_fe,
    basis="calibrated",
)(_fe("Ca", model.CA_URINE, model.CA_FILT, "ca_fractional_excretion", 0.01, 0.02, (1.0, 2.0)))

check(
    "body.renal_fe_mg",
    title="Renal fractional excretion of Mg at steady state",
    quantity="urinary Mg / filtered Mg over the last of 30 days on RDA intake",
    unit="%",
    published="3-5 % (2-8 % across studies)",
    source="Seo & Park 2008; Quamme (reviews)",
    tolerance="2-8 %",
    rationale="3-5 % is typical; the reviews' wider 2-8 % range is accepted because the "
    "Mg excretion threshold was fitted for a steady state, not to one FE value.",
    plot=_plot_fe,
    basis="calibrated",
)(_fe("Mg", model.MG_URINE, model.MG_FILT, "mg_fractional_excretion", 0.02, 0.08, (3.0, 5.0)))


def _plot_urine_mg(ax, d):
    days = np.arange(1, len(d["per_day"]) + 1)
    fig.published_band(ax, 100.0, 150.0, label="published 100-150 mg/d")
    ax.plot(days, d["per_day"], "-o", color=fig.MODEL, ms=3, label="model, per day")
    ax.set_xlabel("day on RDA intake (320 mg Mg/d)")
    ax.set_ylabel("urinary Mg (mg/day)")
    ax.set_ylim(0, 200)
    ax.legend(fontsize=8)


@check(
    "body.urinary_mg",
    title="Urinary Mg at usual intake",
    quantity="urinary Mg on the last of 30 days at 320 mg/d Mg",
    unit="mg/day",
    published="100-150 mg/day",
    source="Guyton & Hall, Textbook of Medical Physiology",
    tolerance="100-150 mg/day",
    rationale="The textbook range itself.",
    plot=_plot_urine_mg,
    basis="calibrated",
)
def urinary_mg(session) -> Outcome:
    _, _, summary = rda_30_days(session)
    per_day = summary["urine_mg_mg_per_day"]
    last = per_day[-1]
    return Outcome(
        last,
        f"{last:.1f} mg/day",
        {"100 <= urinary Mg <= 150 mg/day": 100.0 <= last <= 150.0},
        {"per_day": per_day},
    )


def _plot_plasma(ax, d):
    fig.published_band(ax, *d["range"], label="reference range")
    ax.plot(d["time_h"] / 24.0, d["values"], color=fig.MODEL, lw=1, label="model")
    ax.set_xlabel("day on RDA intake")
    ax.set_ylabel(d["label"])
    lo, hi = d["range"]
    ax.set_ylim(lo - 0.3 * (hi - lo), hi + 0.3 * (hi - lo))
    ax.legend(fontsize=8, loc="lower right")
    fig.note(ax, f"drift, day 10 to day 30: {d['drift']:+.4f} mM (accepted < {d['max_drift']})")


def _plasma(key: str, lo: float, hi: float, max_drift: float, label: str):
    def measure(session) -> Outcome:
        _, series, _ = rda_30_days(session)
        values = series[key]
        drift = day_mean(series, key, 30) - day_mean(series, key, 10)
        return Outcome(
            day_mean(series, key, 30),
            f"{values.min():.3f}-{values.max():.3f} mM; drift {drift:+.4f} mM",
            {
                f"{lo} <= {key} <= {hi} mM over 30 days": bool(
                    values.min() >= lo and values.max() <= hi
                ),
                f"|day-30 mean - day-10 mean| < {max_drift} mM": abs(drift) < max_drift,
            },
            {
                "time_h": series["time_h"],
                "values": values,
                "range": (lo, hi),
                "drift": drift,
                "max_drift": max_drift,
                "label": label,
            },
        )

    return measure


check(
    "body.plasma_ica_steady",
    title="Plasma ionised Ca stays in range without drift on RDA intake",
    quantity="plasma ionised Ca over 30 days of RDA intake (range, and drift day 10 to 30)",
    unit="mM",
    published="1.1-1.3 mM",
    source="clinical reference range",
    tolerance="within 1.1-1.3 mM throughout; daily means of day 10 and 30 differ < 0.005 mM",
    rationale="The reference range itself; the drift bound shows that RDA intake is a "
    "steady state, as the fitted kidney constants intend.",
    plot=_plot_plasma,
    basis="calibrated",
)(_plasma("plasma_ica_mM", 1.1, 1.3, 0.005, "plasma ionised Ca (mM)"))

check(
    "body.plasma_mg_steady",
    title="Plasma Mg stays in range without drift on RDA intake",
    quantity="plasma total Mg over 30 days of RDA intake (range, and drift day 10 to 30)",
    unit="mM",
    published="0.7-1.0 mM",
    source="IOM 1997 (reference range)",
    tolerance="within 0.7-1.0 mM throughout; daily means of day 10 and 30 differ < 0.01 mM",
    rationale="The reference range itself; the drift bound shows that RDA intake is a "
    "steady state (Mg pools are slower than Ca's, hence the wider bound).",
    plot=_plot_plasma,
    basis="calibrated",
)(_plasma("plasma_mg_mM", 0.7, 1.0, 0.01, "plasma Mg (mM)"))


# --- hormones ------------------------------------------------------------------------------
def brown(ica, a, d, s, m):
    """Brown's four-parameter inverse sigmoid: PTH against ionised Ca."""
    return (a - d) / (1.0 + (ica / s) ** m) + d


def _plot_pth(ax, d):
    ax.plot(d["ica_mM"], d["pth"], "o", color=fig.MODEL, ms=3, label="model (steady state)")
    ax.plot(
        d["ica_mM"],
        brown(d["ica_mM"], *d["fit"]),
        "-",
        color=fig.MODEL_2,
        lw=1,
        label="Brown fit to the model",
    )
    fig.published_band(ax, 1.09, 1.17, vertical=True, label="Schwarz 1994: 1.13 ± 0.04")
    ax.axvline(d["fit"][2], color=fig.MODEL, ls=":", label=f"model S = {d['fit'][2]:.3f}")
    ax.set_xlabel("ionised Ca (mM)")
    ax.set_ylabel("PTH (pmol/L)")
    ax.legend(fontsize=8)


@check(
    "body.pth_set_point",
    title="PTH set point (Brown curve)",
    quantity="set point S of Brown's curve fitted to the model's steady-state PTH over "
    "0.9-1.5 mM ionised Ca (normal Mg)",
    unit="mM",
    published="1.13 ± 0.04 mM",
    source="Schwarz et al. 1994; curve form Brown 1983",
    tolerance="1.13 ± 0.08 mM",
    rationale="Twice the published SD. S is a parameter of the model; the check confirms "
    "that the whole secretion function (including the Mg terms) keeps it.",
    plot=_plot_pth,
    basis="input",
)
def pth_set_point(session) -> Outcome:
    p = _params()
    ref = model.reference(p)
    ica = np.linspace(0.9, 1.5, 121)
    pth = np.array(
        [model.pth_target_pmol_L(c, ref.img_mM, ref.mg_total_mM, ref.img_mM, p) for c in ica]
    )
    fit, _ = curve_fit(brown, ica, pth, p0=[10.0, 1.0, 1.2, 10.0])
    s = float(fit[2])
    return Outcome(
        s,
        f"{s:.3f} mM",
        {"|S - 1.13| <= 0.08 mM": abs(s - 1.13) <= 0.08},
        {"ica_mM": ica, "pth": pth, "fit": fit},
    )


def _plot_pth_mg(ax, d):
    fig.bars(
        ax,
        ["reference", "+0.1 mM Mg", "+0.1 mM Ca"],
        [d["base"], d["more_mg"], d["more_ca"]],
        ylabel="steady-state PTH (pmol/L)",
        colours=["0.6", fig.MG_COLOUR, fig.CA_COLOUR],
    )


@check(
    "body.pth_mg_weaker_than_ca",
    title="High Mg suppresses PTH, less than Ca per mole",
    quantity="steady-state PTH after +0.1 mM ionised Mg vs +0.1 mM ionised Ca",
    unit="pmol/L",
    published="Mg suppresses PTH, more weakly per mole than Ca",
    source="Anast et al. 1972; Habener & Potts (see the literature table)",
    tolerance="PTH(+Ca) < PTH(+Mg) < PTH(reference)",
    rationale="A qualitative published result: only the order is tested. Mg's potency "
    "(0.3 of Ca's) is an illustrative parameter.",
    plot=_plot_pth_mg,
    basis="input",
)
def pth_mg_weaker_than_ca(session) -> Outcome:
    p = _params()
    ref = model.reference(p)
    base = model.pth_target_pmol_L(ref.ica_mM, ref.img_mM, ref.mg_total_mM, ref.img_mM, p)
    # +0.1 mM ionised Mg is +0.1667 mM total (60 % ionised)
    more_mg = model.pth_target_pmol_L(
        ref.ica_mM, ref.img_mM + 0.1, ref.mg_total_mM + 0.1667, ref.img_mM, p
    )
    more_ca = model.pth_target_pmol_L(ref.ica_mM + 0.1, ref.img_mM, ref.mg_total_mM, ref.img_mM, p)
    return Outcome(
        more_mg,
        f"{base:.2f} -> {more_mg:.2f} (+Mg), {more_ca:.2f} (+Ca) pmol/L",
        {"PTH(+Ca) < PTH(+Mg) < PTH(reference)": bool(more_ca < more_mg < base)},
        {"base": base, "more_mg": more_mg, "more_ca": more_ca},
    )


def _plot_decay(ax, d):
    t, y = d["t"], d["y"]
    ax.semilogy(t, y, color=fig.MODEL, label=f"model (t½ = {d['half_life']:.2f} {d['unit']})")
    for h in d["accepted"]:
        ax.semilogy(t, y[0] * 0.5 ** (t / h), "--", color=fig.PUBLISHED, lw=0.8)
    ax.plot(
        [],
        [],
        "--",
        color=fig.PUBLISHED,
        lw=0.8,
        label=f"t½ = {d['accepted'][0]:g} and {d['accepted'][1]:g} {d['unit']}",
    )
    ax.set_xlabel(f"time ({d['unit']})")
    ax.set_ylabel(d["label"])
    ax.legend(fontsize=8)


@check(
    "body.pth_half_life",
    title="Intact PTH elimination half-life",
    quantity="half-life of plasma PTH after secretion stops (parathyroidectomy), full model "
    "and the stand-alone clearance equation",
    unit="min",
    published="2-4 min",
    source="several (see the literature table)",
    tolerance="2-4 min",
    rationale="The published range itself. The half-life is a parameter (3 min); the "
    "check confirms that no other flow of the full model distorts the decay.",
    plot=_plot_decay,
    basis="input",
)
def pth_half_life(session) -> Outcome:
    no_secretion = _params(parathyroid_mass_fraction=0.0)
    result = model.simulate(no_secretion, [], 0.5, record_every_h=1 / 120)
    series = result.series()
    minutes = series["time_h"] * 60.0
    full = half_life(minutes, series["pth_pmol_L"])
    t, pth = model.pth_clearance(_params())
    alone = half_life(t, pth)
    return Outcome(
        full,
        f"{full:.2f} min (stand-alone {alone:.2f} min)",
        {
            "2 <= t½ <= 4 min (full model)": 2.0 <= full <= 4.0,
            "2 <= t½ <= 4 min (clearance alone)": 2.0 <= alone <= 4.0,
        },
        {
            "t": minutes,
            "y": series["pth_pmol_L"],
            "half_life": full,
            "unit": "min",
            "accepted": (2.0, 4.0),
            "label": "PTH (pmol/L)",
        },
    )


@check(
    "body.calcitriol_half_life",
    title="Calcitriol elimination half-life",
    quantity="half-life of plasma calcitriol over 24 h after synthesis stops, full model",
    unit="h",
    published="5-8 h",
    source="Rocaltrol label; Peterson & Riggs 2010, Bone 46:49",
    tolerance="5-8 h",
    rationale="The published range itself. The half-life is a parameter (6 h); the check "
    "confirms that no other flow of the full model distorts the decay.",
    plot=_plot_decay,
    basis="input",
)
def calcitriol_half_life(session) -> Outcome:
    no_synthesis = _params(calcitriol_ref_pmol_L=1e-9)
    y0 = model.reference_state(_params())
    result = model.simulate(no_synthesis, [], 24.0, record_every_h=0.5, y0=y0)
    series = result.series()
    h = half_life(series["time_h"], series["calcitriol_pmol_L"])
    return Outcome(
        h,
        f"{h:.2f} h",
        {"5 <= t½ <= 8 h": 5.0 <= h <= 8.0},
        {
            "t": series["time_h"],
            "y": series["calcitriol_pmol_L"],
            "half_life": h,
            "unit": "h",
            "accepted": (5.0, 8.0),
            "label": "calcitriol (pmol/L)",
        },
    )


# --- magnesium deficiency ------------------------------------------------------------------
def _plot_deficiency(ax, d):
    days = np.arange(1, len(d["ica"]) + 1)
    ax.axvspan(42.5, 56.5, color=fig.CA_COLOUR, alpha=0.12, lw=0, label="+1000 mg/d Ca")
    ax.axvspan(56.5, 70.5, color=fig.MG_COLOUR, alpha=0.12, lw=0, label="+ 300 mg/d Mg")
    ax.plot(days, d["ica"], color=fig.MODEL, label="ionised Ca (mM)")
    ax.plot(days, d["mg"], color=fig.MODEL_2, label="serum Mg (mM)")
    for day, level in ((42, 1.05), (56, 1.12), (70, 1.18)):
        ax.plot([day], [level], "k_", ms=14)
    ax.plot([42], [0.55], "k_", ms=14)
    ax.set_xlabel("day (10 mg/d Mg diet from day 1)")
    ax.set_ylabel("daily mean (mM)")
    ax.legend(fontsize=7, loc="lower left")
    fig.note(ax, "black ticks: thresholds of the criteria")


@check(
    "body.mg_deficiency_refractory",
    title="Mg deficiency: hypocalcaemia that Ca alone does not correct, Mg does",
    quantity="daily means of serum Mg, ionised Ca and PTH over 6 weeks of 10 mg/d Mg, "
    "2 weeks + 1000 mg/d Ca, 2 weeks + 300 mg/d Mg",
    unit="mM",
    published="severe Mg deficiency impairs PTH secretion and action; the hypocalcaemia "
    "does not correct with Ca until Mg is repleted",
    source="Anast et al. 1972; Rude et al. 1976; Suh et al. 1973",
    tolerance="day 42: Mg <= 0.55, iCa < 1.05 mM; day 56 (Ca alone): iCa < 1.12 mM; day 70 "
    "(Mg added): iCa >= 1.18 mM and PTH lower than on day 56",
    rationale="A qualitative published result; the thresholds put 'hypocalcaemic' below "
    "the 1.2 mM start and under the low end of normal plus 0.02, and 'corrected' back "
    "near the start. The impairment and resistance curves are illustrative.",
    plot=_plot_deficiency,
    basis="calibrated",
)
def mg_deficiency_refractory(session) -> Outcome:
    days = 70
    intakes = meals(RDA_CA_MG, 10.0, MEALS_H, days)
    for day in range(42, days):
        intakes += [
            Intake(24.0 * day + 8.0, 500.0, 0.0, True),
            Intake(24.0 * day + 19.0, 500.0, 0.0, True),
        ]
    for day in range(56, days):
        intakes += [
            Intake(24.0 * day + 11.0, 0.0, 150.0, False),
            Intake(24.0 * day + 22.0, 0.0, 150.0, False),
        ]
    series = model.simulate(_params(), intakes, days * 24.0, record_every_h=1.0).series()

    def mean(key, day):
        return day_mean(series, key, day)

    ica = [mean("plasma_ica_mM", d) for d in range(1, days + 1)]
    mg = [mean("plasma_mg_mM", d) for d in range(1, days + 1)]
    return Outcome(
        ica[55],
        f"day 42: Mg {mg[41]:.2f}, iCa {ica[41]:.3f}; day 56: iCa {ica[55]:.3f}; "
        f"day 70: iCa {ica[69]:.3f} mM",
        {
            "serum Mg on day 42 <= 0.55 mM": mg[41] <= 0.55,
            "iCa on day 42 < 1.05 mM": ica[41] < 1.05,
            "iCa on day 56 (Ca alone) < 1.12 mM": ica[55] < 1.12,
            "iCa on day 70 (Mg added) >= 1.18 mM": ica[69] >= 1.18,
            "PTH lower on day 70 than on day 56": mean("pth_pmol_L", 70) < mean("pth_pmol_L", 56),
        },
        {"ica": ica, "mg": mg},
    )


def _plot_control(ax, d):
    t = d["time_h"] / 24.0
    ax.plot(t, d["base"], color="0.5", lw=1, label="RDA diet")
    ax.plot(t, d["more"], color=fig.MODEL, lw=1, label="+500 mg Ca each morning")
    ax.set_xlabel("day")
    ax.set_ylabel("ionised Ca (mM)")
    ax.legend(fontsize=8, loc="lower right")
    fig.note(ax, f"day-7 means differ by {d['rise']:+.4f} mM (accepted > +0.005)")


@check(
    "body.ca_supplement_control",
    title="Control: Ca supplements raise ionised Ca when Mg is normal",
    quantity="rise of the day-7 mean ionised Ca with +500 mg Ca each morning (RDA diet)",
    unit="mM",
    published="Ca raises ionised Ca in a Mg-replete person (the contrast to Mg deficiency)",
    source="control for Anast et al. 1972; Rude et al. 1976",
    tolerance="rise > 0.005 mM",
    rationale="A control for the Mg-deficiency check: the same Ca works when Mg is "
    "normal; 0.005 mM is well above the solver's error and below the homeostatic damping.",
    plot=_plot_control,
    basis="emergent",
)
def ca_supplement_control(session) -> Outcome:
    intakes = meals(RDA_CA_MG, RDA_MG_MG, MEALS_H, 7)
    extra = intakes + [Intake(24.0 * d + 8.0, 500.0, 0.0, True) for d in range(7)]
    base = model.simulate(_params(), intakes, 7 * 24.0).series()
    more = model.simulate(_params(), extra, 7 * 24.0).series()
    rise = day_mean(more, "plasma_ica_mM", 7) - day_mean(base, "plasma_ica_mM", 7)
    return Outcome(
        rise,
        f"+{rise:.4f} mM",
        {"rise of day-7 mean iCa > 0.005 mM": rise > 0.005},
        {
            "time_h": base["time_h"],
            "base": base["plasma_ica_mM"],
            "more": more["plasma_ica_mM"],
            "rise": rise,
        },
    )


# --- mass balance ----------------------------------------------------------------------------
@check(
    "body.mass_balance",
    title="Mass balance closes to solver tolerance",
    quantity="largest of the gut and body balances of Ca and Mg over 10 days with "
    "supplements, ending with a dose still in the gut",
    unit="mg",
    published="intake = absorbed + faecal + in lumen; absorbed - urine - endogenous "
    "faecal = change of stores",
    source="conservation of mass",
    tolerance="< 1e-6 of the Ca taken in",
    rationale="The ODEs conserve mass exactly; what remains is the solver's relative "
    "tolerance (1e-7) accumulated over the run.",
    plot=fig.scalar,
    basis="physics",
)
def mass_balance(session) -> Outcome:
    intakes = meals(RDA_CA_MG, RDA_MG_MG, MEALS_H, 10) + [
        Intake(24.0 * d + 22.5, 400.0, 300.0, False) for d in range(10)
    ]
    result = model.simulate(_params(), intakes, 10 * 24.0 - 1.0)  # ends with a dose in transit
    summary = metrics.summarise(result)
    intake_mg = sum(i.ca_mg for i in result.intakes)
    error = summary["mass_balance_error_mg"]
    limit = 1e-6 * intake_mg
    return Outcome(
        error,
        f"{error:.2g} mg (limit {limit:.2g} mg)",
        {
            "balance error < 1e-6 of the Ca taken in": error < limit,
            "the balance included a dose still in the lumen": bool(
                result.final_state[model.CA_LUMEN] > 0.0
            ),
        },
        {
            "value": max(error, 1e-16),
            "accepted": (None, limit),
            "log": True,
            "label": "largest balance error (mg)",
            "note": f"{intake_mg:.0f} mg Ca taken in over 10 days",
        },
    )

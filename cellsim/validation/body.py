"""Checks of the body scale: gut, kidney, hormones, pools, diseases and drugs, Mg deficiency.

Every check runs a published study's design on the model (:mod:`cellsim.body.experiments`)
from the settled healthy person, against the fixed healthy reference.  Its kind says what
an agreement is worth: a *calibration* names the constants fitted to the result (see
:mod:`cellsim.body.fitting`); a *prediction* says what the model was fitted to instead; an
*input* is a published value the model holds as a parameter; a *known gap* is a published
result the model does not reproduce (run, drawn, never failing).  Quick versions (the test
suite's) shorten the 180-day disease runs to 60 days (not chronic hypoparathyroidism, a
steady state) and sample the absorption curves more coarsely; the rules are the same.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import curve_fit

from cellsim.body import baseline, metrics
from cellsim.body import experiments as x
from cellsim.body import model as m
from cellsim.body.params import resolve_params
from cellsim.body.protocol import Intake
from cellsim.validation import figures as fig
from cellsim.validation.checks import Outcome, Within, around, at_least, at_most, check, shared

#: Published results of the literature table that are not checks, and why.
UNCHECKED = (
    (
        "Hypermagnesaemia: tendon reflexes lost at 2.5-5 mM, paralysis above 5 mM",
        "Clinical signs; the body model has no reflexes. The nerve scale checks the "
        "transmission block at ~6 mM bath Mg.",
    ),
    (
        "Primary hyperparathyroidism in 10,000 cases: mean Ca 10.9 mg/dL, PTH 106 pg/mL "
        "(Norman et al. 2011)",
        "A population mean over adenomas of every size; the preset is one adenoma of "
        "illustrative size (3x the normal mass). The direction of every change is checked "
        "(body.phpt_biochemistry); the model's PTH is ~7.6 pmol/L (72 pg/mL).",
    ),
    (
        "Kappeler et al. 2017: urinary Mg 0.565 mmol higher after Mg citrate than oxide; "
        "Blancquaert et al. 2019: serum Mg +6.2 % vs +4.6 % with two formulations",
        "The doses and designs are not in the abstracts; the salt forms are checked against "
        "Firoz & Graber 2001 (body.mgo_absorption, body.mgcl2_beats_mgo).",
    ),
)

#: The reference diet of adult_female_19_50: 1000 mg Ca, 320 mg Mg, 1200 mg P a day.
RDA_CA_MG, RDA_MG_MG = 1000.0, 320.0


def _long_days(session) -> int:
    return 60 if session.quick else 180


# ------------------------------------------------------------------------------ figures
def _scalar_plot(ax, d):
    fig.scalar(ax, d)


def _scalar(value, shown, label, accepted, criteria=None, published=None, note="", log=False):
    data = {"value": value, "label": label, "accepted": accepted, "note": note, "log": log}
    if published is not None:
        data["published"] = published
    return Outcome(value, shown, criteria or {}, data)


def _bounds(rule: Within) -> tuple:
    return (rule.low, rule.high)


def _plot_series(ax, d):
    """Time courses (``curves``: label -> (t, y)) with an accepted band and notes."""
    for (label, (t, y)), colour in zip(d["curves"].items(), fig.SERIES, strict=False):
        ax.plot(t, y, color=colour, label=label)
    if d.get("accepted"):
        lo, hi = d["accepted"]
        fig.accepted_band(ax, lo, hi, label=d.get("accepted_label", "accepted"))
    for x_mark, text in d.get("marks", []):
        ax.axvline(x_mark, color="0.5", ls=":", lw=1)
        ax.text(
            x_mark,
            0.98,
            text,
            transform=ax.get_xaxis_transform(),
            fontsize=7,
            rotation=90,
            va="top",
            ha="right",
        )
    ax.set_xlabel(d["xlabel"])
    ax.set_ylabel(d["ylabel"])
    ax.legend(fontsize=7, loc=d.get("legend", "best"))
    if d.get("note"):
        fig.note(ax, d["note"], lower=True)


def _plot_bars(ax, d):
    fig.bars(
        ax,
        d["labels"],
        d["values"],
        ylabel=d["ylabel"],
        colours=d.get("colours"),
        threshold=d.get("threshold"),
        threshold_label=d.get("threshold_label", ""),
    )
    if d.get("note"):
        fig.note(ax, d["note"])


# --- gut: single loads (Heaney 1990; Fine 1991) ------------------------------------------------
HEANEY_SLOPE = (0.286 - 0.64) / np.log(500.0 / 15.0)
FINE_POINTS = ((12.0, 0.65), (12.0 + 972.0, 0.11))
_GUT_CA = ("ca_trans_vmax_mmol_per_h", "ca_trans_km_mmol", "ca_para_rate_per_h")
_GUT_MG = ("mg_sat_vmax_mmol_per_h", "mg_sat_km_mmol")


def heaney_fraction(load_mg):
    """Heaney 1990's line: fraction absorbed of a single Ca load (15-500 mg studied)."""
    return 0.64 + HEANEY_SLOPE * np.log(np.asarray(load_mg, float) / 15.0)


@shared
def absorption_curves(session) -> dict:
    """Fractions absorbed (marginal) of single Ca and Mg loads with a meal."""
    p = x.healthy()
    ca_loads = np.geomspace(15.0, 2000.0, 5 if session.quick else 10)
    mg_loads = np.geomspace(12.0, 1200.0, 4 if session.quick else 8)
    return {
        "ca_load_mg": ca_loads,
        "ca_fraction": np.array([x.single_load_fraction(p, ca_mg=v)[0] for v in ca_loads]),
        "mg_load_mg": mg_loads,
        "mg_fraction": np.array([x.single_load_fraction(p, mg_mg=v)[1] for v in mg_loads]),
    }


def _plot_ca_absorption(ax, d):
    loads = np.geomspace(10.0, 2000.0, 60)
    studied = loads <= 500.0
    ax.plot(d["ca_load_mg"], 100 * d["ca_fraction"], "-o", color=fig.MODEL, ms=3, label="model")
    ax.plot(
        loads[studied],
        100 * heaney_fraction(loads[studied]),
        "--",
        color=fig.PUBLISHED,
        lw=1,
        label="Heaney 1990 (15-500 mg)",
    )
    ax.plot(
        loads[~studied],
        100 * heaney_fraction(loads[~studied]),
        ":",
        color=fig.PUBLISHED,
        lw=1,
        label="line extrapolated",
    )
    ax.plot(d["load_mg"], 100 * d["fraction"], "s", color=fig.MODEL, ms=8, label="this check")
    lo, hi = d["accepted"]
    ax.errorbar(
        d["load_mg"],
        (lo + hi) / 2,
        yerr=(hi - lo) / 2,
        fmt="none",
        color=fig.ACCEPTED,
        capsize=4,
        label="accepted",
    )
    ax.set_xscale("log")
    ax.set_xlabel("Ca load with a meal (mg)")
    ax.set_ylabel("fraction absorbed (%)")
    ax.legend(fontsize=7)


def _load_check(ion: str, load_mg: float, rule: Within):
    def measure(session) -> Outcome:
        ca, mg = x.single_load_fraction(x.healthy(), **{f"{ion}_mg": load_mg})
        fraction = ca if ion == "ca" else mg
        return Outcome(
            100 * fraction,
            f"{100 * fraction:.1f} %",
            {},
            {
                **absorption_curves(session),
                "load_mg": load_mg,
                "fraction": fraction,
                "accepted": _bounds(rule),
            },
        )

    return measure


def _heaney(load, value, extra=""):
    rule = around(
        value,
        5.0,
        "%",
        reason="about the scatter of subjects around Heaney's line "
        "(the constants were fitted to it, so only a broken fit would miss)",
    )
    check(
        f"body.ca_absorption_{load:g}mg",
        title=f"Fractional Ca absorption of a {load:g} mg load" + extra,
        quantity=f"marginal fraction of a single {load:g} mg Ca load absorbed (with a meal, "
        "after the overnight fast, 48 h)",
        unit="%",
        published=f"{value:g} %"
        + (
            " on Heaney's line extrapolated beyond the 15-500 mg studied (not a measurement)"
            if load > 500
            else ""
        ),
        source="Heaney, Weaver & Fitzsimmons 1990, J Bone Miner Res 5:1135",
        plot=_plot_ca_absorption,
        kind="calibration",
        accept=rule,
        fitted=_GUT_CA,
    )(_load_check("ca", load, rule))


_heaney(15.0, 64.0)
_heaney(500.0, 28.6)
_heaney(1000.0, 21.6, " (extrapolated line)")


def _plot_mg_absorption(ax, d):
    ax.plot(d["mg_load_mg"], 100 * d["mg_fraction"], "-o", color=fig.MODEL, ms=3, label="model")
    for load, frac in FINE_POINTS:
        ax.plot(load, 100 * frac, "o", mfc="white", color=fig.PUBLISHED)
    ax.plot([], [], "o", mfc="white", color=fig.PUBLISHED, label="Fine 1991")
    ax.plot(d["load_mg"], 100 * d["fraction"], "s", color=fig.MODEL, ms=8, label="this check")
    lo, hi = d["accepted"]
    ax.errorbar(
        d["load_mg"],
        (lo + hi) / 2,
        yerr=(hi - lo) / 2,
        fmt="none",
        color=fig.ACCEPTED,
        capsize=4,
        label="accepted",
    )
    ax.set_xscale("log")
    ax.set_xlabel("Mg load with a meal (mg)")
    ax.set_ylabel("fraction absorbed (%)")
    ax.legend(fontsize=7)


for _name, (_load, _frac), _title in (
    ("body.mg_absorption_low", FINE_POINTS[0], "a meal's own Mg (~12 mg)"),
    ("body.mg_absorption_high", FINE_POINTS[1], "a meal plus 972 mg Mg acetate"),
):
    _rule = around(
        100 * _frac,
        6.0,
        "%",
        reason="allows for the ~12 mg of Mg assumed in "
        "the standard meal, which the abstract does not give; the constants were "
        "fitted to it",
    )
    check(
        _name,
        title=f"Fractional Mg absorption of {_title}",
        quantity=f"marginal fraction of a single {_load:g} mg Mg load absorbed (Mg acetate, "
        "with a meal, 48 h)",
        unit="%",
        published=f"{100 * _frac:g} %",
        source="Fine, Santa Ana, Porter & Fordtran 1991, J Clin Invest 88:396",
        plot=_plot_mg_absorption,
        kind="calibration",
        accept=_rule,
        fitted=_GUT_MG,
    )(_load_check("mg", _load, _rule))


# --- gut: calcitriol (Wilz 1979), like with like: net absorption -----------------------------
def _plot_wilz(ax, d):
    c = np.array(sorted(d["net"]))
    ax.plot(c, [d["net"][v] for v in c], "-o", color=fig.MODEL, label="model: net")
    ax.plot(c, [d["true"][v] for v in c], ":o", color=fig.MODEL, ms=3, label="model: true")
    grid = np.linspace(0.0, 160.0, 50)
    ax.plot(grid, 10 + 0.17 * grid, "--", color=fig.PUBLISHED, lw=1, label="Wilz: 10 + 0.17 x")
    ax.set_xlabel("calcitriol: gut transport capacity held at (pmol/L)")
    ax.set_ylabel("Ca absorbed, % of 1000 mg/d")
    ax.legend(fontsize=7)
    fig.note(ax, f"model slope {d['slope']:.3f} %/(pmol/L); accepted 0.10-0.24", lower=True)


_WILZ = around(
    0.17,
    0.07,
    "%/(pmol/L)",
    reason="Wilz's regression line over subjects; its "
    "standard error is not in the abstract: 40 % of the slope as a modelling "
    "allowance for the scatter of a between-subject regression",
)


@check(
    "body.ca_absorption_vs_calcitriol",
    title="Net Ca absorption rises with calcitriol",
    quantity="slope of net Ca absorption (absorbed - endogenous faecal, % of a 1000 mg/d diet) "
    "against the calcitriol the gut's transport capacity is held at, 45-135 pmol/L",
    unit="%/(pmol/L)",
    published="net absorption (%) = 10 + 0.17 x calcitriol (pmol/L)",
    source="Wilz et al. 1979",
    plot=_plot_wilz,
    kind="prediction",
    accept=_WILZ,
    not_fitted_to="the gut's Ca constants were fitted to single-load *true* absorption "
    "(Heaney 1990); endogenous faecal Ca is a literature value; nothing was fitted to Wilz",
)
def ca_absorption_vs_calcitriol(session) -> Outcome:
    levels = (45.0, 90.0, 135.0)
    got = x.net_ca_absorption_vs_gut_capacity(levels)
    net = {c: got[c][0] for c in levels}
    slope = (net[135.0] - net[45.0]) / 90.0
    line = 10 + 0.17 * 90.0
    return Outcome(
        slope,
        f"slope {slope:.3f}; net {net[90.0]:.1f} % at 90 pmol/L (line {line:.1f} %)",
        {},
        {"net": net, "true": {c: got[c][1] for c in levels}, "slope": slope},
    )


def _plot_competition(ax, d):
    labels = ["alone\ndefault", "with Ca\ndefault", "alone\nstrong", "with Ca\nstrong"]
    values = [d["default"][0], d["default"][1], d["strong"][0], d["strong"][1]]
    fig.bars(
        ax,
        labels,
        values,
        ylabel="Mg absorbed from 350 mg (mg)",
        colours=[fig.MODEL, fig.MODEL, "0.6", "0.6"],
    )
    fig.note(ax, "grey: the 'strong competition' hypothesis, for contrast")


@check(
    "body.gut_competition_weak",
    title="Ca barely reduces Mg absorption (default competition)",
    quantity="reduction of the Mg absorbed from 350 mg Mg (with a meal) when 1000 mg Ca is "
    "taken at the same time",
    unit="%",
    published="weak or not detected at usual intakes",
    source="Andon et al. 1996; Spencer et al. 1994; Hardwick et al. 1991 (review)",
    plot=_plot_competition,
    kind="input",
    accept=at_most(
        10.0,
        "%",
        reason="the studies found no significant effect; 10 % is a "
        "change balance and isotope studies would have detected (an assumption)",
    ),
)
def gut_competition_weak(session) -> Outcome:
    absorbed = {}
    for variant in ("default", "strong"):
        p = resolve_params(competition=variant)
        alone = x.single_load_fraction(p, mg_mg=350.0)[1] * 350.0
        together = x.single_load_fraction(p, ca_mg=1000.0, mg_mg=350.0)[1] * 350.0
        absorbed[variant] = (alone, together)
    reduction = 100.0 * (1.0 - absorbed["default"][1] / absorbed["default"][0])
    strong = 100.0 * (1.0 - absorbed["strong"][1] / absorbed["strong"][0])
    return Outcome(
        reduction, f"{reduction:.1f} % ('strong' hypothesis: {strong:.0f} %)", {}, absorbed
    )


# --- Mg salts (Firoz & Graber 2001) ------------------------------------------------------------
@shared
def firoz(session) -> dict:
    p = x.healthy()
    return {salt: x.urinary_increment_fraction(p, salt) for salt in ("oxide", "chloride")}


@check(
    "body.mgo_absorption",
    title="MgO is poorly absorbed",
    quantity="fractional absorption of MgO read as the rise of 24-h urinary Mg on day 4 of "
    "255 mg Mg a day (two doses with meals) / the daily dose",
    unit="%",
    published="4 %",
    source="Firoz & Graber 2001, Magnes Res 14:257",
    plot=_scalar_plot,
    kind="calibration",
    accept=around(
        4.0,
        1.5,
        "%",
        reason="the dissolution rate was fitted to it; 1.5 pp "
        "covers the day-to-day noise of urinary increments in the study",
    ),
    fitted=("mgo_dissolution_per_h",),
)
def mgo_absorption(session) -> Outcome:
    urine, true = firoz(session)["oxide"]
    return _scalar(
        100 * urine,
        f"{100 * urine:.1f} % (true marginal absorption {100 * true:.1f} %)",
        "urinary increment / dose (%)",
        (2.5, 5.5),
        published=(4.0, 4.0),
    )


@check(
    "body.mgcl2_beats_mgo",
    title="A soluble Mg salt is absorbed better than MgO",
    quantity="urinary-increment fraction of MgCl2 / that of MgO, by Firoz & Graber's method",
    unit="x",
    published="chloride, lactate and aspartate significantly higher than oxide, and "
    "equivalent to each other",
    source="Firoz & Graber 2001, Magnes Res 14:257",
    plot=_scalar_plot,
    kind="prediction",
    accept=at_least(
        1.5,
        "x",
        reason="'significantly higher' in a study of this size means "
        "at least about half as much again (a modelling reading of the abstract)",
    ),
    not_fitted_to="only MgO's dissolution rate was fitted (to the 4 %); soluble salts use "
    "the gut constants fitted to Fine 1991",
)
def mgcl2_beats_mgo(session) -> Outcome:
    got = firoz(session)
    ratio = got["chloride"][0] / got["oxide"][0]
    return _scalar(
        ratio,
        f"{ratio:.1f}x ({100 * got['chloride'][0]:.1f} % vs {100 * got['oxide'][0]:.1f} %)",
        "MgCl2 / MgO",
        (1.5, None),
    )


# --- steady state on the reference diet ------------------------------------------------------
@shared
def rda_30_days(session):
    """30 days on the reference diet: result, series and last-day figures."""
    result = x.run(x.healthy(), 30 * 24.0, x.diet(30))
    return result, result.series(), x.last_day(result)


def _fe(urine_row, filtered_row):
    def fe(session):
        result = rda_30_days(session)[0]
        per_day = np.diff(result.day_totals, axis=0)
        return 100 * per_day[:, urine_row] / per_day[:, filtered_row]

    return fe


def _plot_daily(ax, d):
    days = np.arange(1, len(d["daily"]) + 1)
    lo, hi = d["accepted"]
    fig.accepted_band(ax, lo if lo is not None else 0, hi if hi is not None else 2 * lo)
    ax.plot(days, d["daily"], "-o", color=fig.MODEL, ms=3, label="model, per day")
    ax.set_xlabel("day on the reference diet")
    ax.set_ylabel(d["label"])
    ax.set_ylim(0, max(hi or 0, max(d["daily"])) * 1.3)
    ax.legend(fontsize=8)


def _daily_check(series_of, label, rule):
    def measure(session):
        daily = series_of(session)
        return Outcome(
            float(daily[-1]),
            f"{daily[-1]:.3g}",
            {},
            {"daily": daily, "label": label, "accepted": _bounds(rule)},
        )

    return measure


_FE_CA = Within(
    1.0, 2.0, "%", reason="the published range itself: > 98 % of filtered Ca is reabsorbed"
)
check(
    "body.renal_fe_ca",
    title="Renal fractional excretion of Ca at steady state",
    quantity="urinary Ca / filtered Ca on the last of 30 days on the reference diet",
    unit="%",
    published="1-2 %",
    source="renal physiology reviews (e.g. Blaine, Chonchol & Levi 2015)",
    plot=_plot_daily,
    kind="prediction",
    accept=_FE_CA,
    not_fitted_to="urinary Ca follows from absorption (fitted to Heaney 1990) minus "
    "endogenous faecal Ca (Heaney & Skillman 1964), the filtered load from GFR and plasma "
    "Ca: nothing was fitted to FE",
)(_daily_check(_fe(m.CA_URINE, m.CA_FILT), "FE Ca (%)", _FE_CA))

_FE_MG = Within(2.0, 8.0, "%", reason="3-5 % is typical; the reviews' 2-8 % across studies")
check(
    "body.renal_fe_mg",
    title="Renal fractional excretion of Mg at steady state",
    quantity="urinary Mg / filtered Mg on the last of 30 days on the reference diet",
    unit="%",
    published="3-5 % (2-8 % across studies)",
    source="Seo & Park 2008; Quamme 1997 (reviews)",
    plot=_plot_daily,
    kind="calibration",
    accept=_FE_MG,
    fitted=_GUT_MG,
)(_daily_check(_fe(m.MG_URINE, m.MG_FILT), "FE Mg (%)", _FE_MG))


def _urine_daily(ion, row):
    def daily(session):
        return np.array(m.per_day_mg(rda_30_days(session)[0], row, ion))

    return daily


_U_MG = Within(100.0, 150.0, "mg/d", reason="the published range itself")
check(
    "body.urinary_mg",
    title="Urinary Mg at usual intake",
    quantity="urinary Mg on the last of 30 days on 320 mg/d",
    unit="mg/d",
    published="100-150 mg/d",
    source="Guyton & Hall, Textbook of Medical Physiology",
    plot=_plot_daily,
    kind="calibration",
    accept=_U_MG,
    fitted=_GUT_MG,
)(_daily_check(_urine_daily("mg", m.MG_URINE), "urinary Mg (mg/d)", _U_MG))

_U_P = Within(
    550.0,
    950.0,
    "mg/d",
    reason="net P absorption of 55-70 % of 1200 mg/d, and all "
    "of it excreted at steady state (IOM 1997)",
)
check(
    "body.urinary_p",
    title="Urinary phosphate at usual intake",
    quantity="urinary P on the last of 30 days on 1200 mg/d",
    unit="mg/d",
    published="600-900 mg/d (net absorption 55-70 % of intake)",
    source="IOM 1997; Peterson & Riggs 2010",
    plot=_plot_daily,
    kind="input",
    accept=_U_P,
)(_daily_check(_urine_daily("p", m.P_URINE), "urinary P (mg/d)", _U_P))

_U_CA = Within(
    150.0,
    250.0,
    "mg/d",
    reason="a round figure from a review's diagram, without a spread: +-25 % for its rounding",
)
check(
    "body.urinary_ca",
    title="Urinary Ca at 1000 mg/d",
    quantity="urinary Ca on the last of 30 days on 1000 mg/d",
    unit="mg/d",
    published="~200 mg/d (round figure of a review's diagram)",
    source="Blaine, Chonchol & Levi 2015, Clin J Am Soc Nephrol 10:1257",
    plot=_plot_daily,
    kind="prediction",
    accept=_U_CA,
    not_fitted_to="urinary Ca = absorption (Heaney 1990 fit) - endogenous faecal losses "
    "(Heaney & Skillman 1964); no renal constant was fitted to a urinary Ca figure",
)(_daily_check(_urine_daily("ca", m.CA_URINE), "urinary Ca (mg/d)", _U_CA))


def _plot_plasma(ax, d):
    fig.accepted_band(ax, *d["range"])
    ax.plot(d["time_h"] / 24.0, d["values"], color=fig.MODEL, lw=0.8, label="model")
    ax.set_xlabel("day on the reference diet")
    ax.set_ylabel(d["label"])
    ax.legend(fontsize=8, loc="lower right")
    fig.note(ax, f"daily mean day 30 - day 10: {d['drift']:+.5f} mM", lower=True)


def _plasma(key, lo, hi, max_drift, label):
    def measure(session) -> Outcome:
        _, series, _ = rda_30_days(session)
        values = np.asarray(series[key])
        drift = x.day_mean(series, key, 30) - x.day_mean(series, key, 10)
        return Outcome(
            float(values.mean()),
            f"{values.min():.3f}-{values.max():.3f} mM; drift {drift:+.5f} mM",
            {
                f"{lo} <= value <= {hi} mM at every record": bool(
                    values.min() >= lo and values.max() <= hi
                ),
                f"|day-30 mean - day-10 mean| < {max_drift} mM": abs(drift) < max_drift,
            },
            {
                "time_h": series["time_h"],
                "values": values,
                "range": (lo, hi),
                "drift": drift,
                "label": label,
            },
        )

    return measure


check(
    "body.plasma_ica_steady",
    title="Plasma ionised Ca stays in range without drift on the reference diet",
    quantity="plasma ionised Ca over 30 days on the reference diet (range; drift day 10-30)",
    unit="mM",
    published="1.1-1.3 mM",
    source="clinical reference range",
    plot=_plot_plasma,
    kind="input",
    accept=Within(
        1.1,
        1.3,
        "mM",
        reason="the reference range itself; the reference state "
        "is a steady state by construction (closure), which the drift tests",
    ),
)(_plasma("plasma_ica_mM", 1.1, 1.3, 0.005, "plasma ionised Ca (mM)"))

check(
    "body.plasma_mg_steady",
    title="Plasma Mg stays in range without drift on the reference diet",
    quantity="plasma total Mg over 30 days on the reference diet (range; drift day 10-30)",
    unit="mM",
    published="0.7-1.0 mM",
    source="IOM 1997 (reference range)",
    plot=_plot_plasma,
    kind="input",
    accept=Within(
        0.7,
        1.0,
        "mM",
        reason="the reference range itself; the drift bound shows "
        "that the reference diet is a steady state",
    ),
)(_plasma("plasma_mg_mM", 0.7, 1.0, 0.01, "plasma total Mg (mM)"))


@check(
    "body.mass_balance",
    title="Mass balance closes to solver precision",
    quantity="largest of the gut and body balances of Ca, Mg and P over 10 days with "
    "supplements, an infusion and a clamp, ending with a dose still in the gut",
    unit="mg",
    published="intake = absorbed + faecal + in the gut; absorbed + IV + clamp - urine - "
    "endogenous faecal = change of stores",
    source="conservation of mass",
    plot=fig.scalar,
    kind="physics",
    accept=at_most(
        0.01,
        "mg",
        reason="the ODEs move mass, never make it; what remains is "
        "round-off and solver tolerance: 1e-6 of the ~10 g of Ca taken in",
    ),
)
def mass_balance(session) -> Outcome:
    intakes = x.diet(10) + [
        Intake(24.0 * d + 22.5, 400.0, 300.0, False, mg_salt="oxide") for d in range(10)
    ]
    result = x.run(
        x.healthy(),
        10 * 24.0 - 1.0,
        intakes,
        infusions=[m.Infusion("mg", 2.0, 30.0, 4.0)],
        clamps=[m.Clamp("ca", 1.0, 60.0, 62.0)],
    )
    error = metrics.mass_balance(result)["mass_balance_error_mg"]
    in_gut = m.lumen_mmol(result.final_state, "ca") > 0.0
    return Outcome(
        error,
        f"{error:.2g} mg",
        {"a dose was still in the gut at the end": bool(in_gut)},
        {
            "value": max(error, 1e-16),
            "accepted": (None, 0.01),
            "log": True,
            "label": "largest balance error (mg)",
            "note": "10 days, doses, IV and a clamp",
        },
    )


# --- hormones: PTH secretion and clearance ---------------------------------------------------
def brown(ica, a, d, s, k):
    """Brown's four-parameter inverse sigmoid: PTH against ionised Ca."""
    return (a - d) / (1.0 + (ica / s) ** k) + d


@shared
def brown_fit(session):
    levels = np.linspace(0.95, 1.45, 11)
    pth = x.brown_curve(x.healthy(), levels)
    fit, _ = curve_fit(brown, levels, pth, p0=[12.0, 0.6, 1.15, 20.0], maxfev=20000)
    return levels, pth, fit


def _plot_brown(ax, d):
    ax.plot(d["levels"], d["pth"], "o", color=fig.MODEL, label="model, 1-h clamps")
    grid = np.linspace(0.95, 1.45, 100)
    ax.plot(grid, brown(grid, *d["fit"]), color=fig.MODEL_2, lw=1, label="Brown fit")
    fig.published_band(ax, 1.09, 1.17, vertical=True, label="Schwarz 1994: 1.13 +- 0.04")
    ax.axvline(d["fit"][2], color=fig.MODEL, ls=":", label=f"model S = {d['fit'][2]:.3f}")
    ax.set_xlabel("ionised Ca clamped at (mM)")
    ax.set_ylabel("PTH after 1 h (pmol/L)")
    ax.legend(fontsize=7)


@check(
    "body.pth_set_point",
    title="PTH set point from 1-h clamps (Brown curve)",
    quantity="set point S of Brown's curve fitted to PTH at the end of 1-h ionised Ca clamps "
    "at 0.95-1.45 mM",
    unit="mM",
    published="1.13 +- 0.04 mM",
    source="Schwarz et al. 1994; curve form Brown 1983",
    plot=_plot_brown,
    kind="input",
    accept=around(
        1.13,
        0.08,
        "mM",
        reason="twice the published SD: the set point is a "
        "parameter; the check shows the store, clearance and Mg terms keep it",
    ),
)
def pth_set_point(session) -> Outcome:
    levels, pth, fit = brown_fit(session)
    s = float(fit[2])
    return Outcome(
        s,
        f"{s:.3f} mM (A {fit[0]:.1f}, D {fit[1]:.2f} pmol/L)",
        {},
        {"levels": levels, "pth": pth, "fit": fit},
    )


@shared
def schwarz_clamps(session):
    p = x.healthy()
    base = x.run(p, 8.0, record_every_h=1.0)
    s = base.series()
    ica0, pth0 = float(s["plasma_ica_mM"][-1]), float(s["pth_pmol_L"][-1])
    low = x.clamp_series(p, "ca", ica0 - 0.21, 8.0, 2.0, 10.0, record_every_h=1 / 30)
    high = x.clamp_series(p, "ca", ica0 + 0.20, 8.0, 2.0, 10.0, record_every_h=0.1)
    return ica0, pth0, low, high


def _plot_clamp(ax, d):
    ax.plot(d["t"], d["low"], color=fig.MODEL, label="-0.21 mM (citrate)")
    ax.plot(d["t_high"], d["high"], color=fig.MODEL_2, label="+0.20 mM (Ca)")
    fig.published_band(ax, 4, 7, label="published peak 4-7x")
    fig.published_band(ax, 2, 3, label="then 2-3x")
    ax.axhline(0.25, color=fig.PUBLISHED, ls="--", lw=1, label="~0.25x at +0.2 mM")
    ax.set_xlabel("minutes into the clamp")
    ax.set_ylabel("PTH / basal")
    ax.legend(fontsize=7)


@check(
    "body.pth_clamp_peak",
    title="Hypocalcaemic clamp: PTH peaks, then falls to a plateau (secretory pool)",
    quantity="peak PTH / basal in a -0.21 mM ionised Ca clamp, and its mean 90-120 min",
    unit="x basal",
    published="peak 4-7x basal within minutes, then 2-3x",
    source="Schwarz et al. 1993, Eur J Clin Invest 23:546",
    plot=_plot_clamp,
    kind="known_gap",
    accept=Within(
        4.0,
        7.0,
        "x basal",
        reason="the published range of the peak; the store "
        "constants (pth_store_release_per_h, pth_intracellular_degradation_ratio) "
        "were fitted to it, but two constants cannot give both the peak and the "
        "plateau: the store empties while PTH rises",
    ),
)
def pth_clamp_peak(session) -> Outcome:
    _, pth0, low, high = schwarz_clamps(session)
    t = (low["time_h"] - 8.0) * 60.0
    inside = (t >= 0) & (t <= 120)
    rel = low["pth_pmol_L"] / pth0
    peak = float(rel[inside].max())
    late = float(rel[(t >= 90) & (t <= 120)].mean())
    return Outcome(
        peak,
        f"peak {peak:.1f}x, 90-120 min {late:.1f}x",
        {"plateau 90-120 min within 2-3.2x": 2.0 <= late <= 3.2},
        {
            "t": t[inside],
            "low": rel[inside],
            "t_high": (high["time_h"][high["time_h"] >= 8.0] - 8.0) * 60.0,
            "high": high["pth_pmol_L"][high["time_h"] >= 8.0] / pth0,
        },
    )


@check(
    "body.pth_suppressed_by_ca_clamp",
    title="Hypercalcaemic clamp suppresses PTH to its floor",
    quantity="PTH / basal after 2 h of +0.20 mM ionised Ca",
    unit="x basal",
    published="~0.25x (Schwarz 1993); 0.28x at the minimum of Ca infusions (Brent 1988)",
    source="Schwarz et al. 1993; Brent et al. 1988, J Clin Endocrinol Metab 67:944",
    plot=_plot_clamp,
    kind="input",
    accept=Within(
        0.15,
        0.35,
        "x basal",
        reason="the two studies' 0.25-0.28x with +-0.1 for "
        "their spread; the release floor is a parameter derived from them",
    ),
)
def pth_suppressed_by_ca_clamp(session) -> Outcome:
    _, pth0, low, high = schwarz_clamps(session)
    value = float(high["pth_pmol_L"][-1] / pth0)
    t = (low["time_h"] - 8.0) * 60.0
    inside = (t >= 0) & (t <= 120)
    return Outcome(
        value,
        f"{value:.2f}x",
        {},
        {
            "t": t[inside],
            "low": low["pth_pmol_L"][inside] / pth0,
            "t_high": (high["time_h"][high["time_h"] >= 8.0] - 8.0) * 60.0,
            "high": high["pth_pmol_L"][high["time_h"] >= 8.0] / pth0,
        },
    )


def _plot_decay(ax, d):
    t, y = d["t"], d["y"]
    ax.semilogy(t, y, color=fig.MODEL, label=f"model (t1/2 = {d['half_life']:.2f} {d['unit']})")
    for h in d["accepted"]:
        ax.semilogy(t, y[0] * 0.5 ** (t / h), "--", color=fig.PUBLISHED, lw=0.8)
    ax.plot(
        [],
        [],
        "--",
        color=fig.PUBLISHED,
        lw=0.8,
        label=f"t1/2 = {d['accepted'][0]:g} and {d['accepted'][1]:g} {d['unit']}",
    )
    ax.set_xlabel(f"time ({d['unit']})")
    ax.set_ylabel(d["label"])
    ax.legend(fontsize=8)


@check(
    "body.pth_half_life",
    title="Intact PTH elimination half-life",
    quantity="half-life of plasma PTH after the glands stop (store emptied), full model",
    unit="min",
    published="2-4 min",
    source="several (see the literature table)",
    plot=_plot_decay,
    kind="input",
    accept=Within(
        2.0,
        4.0,
        "min",
        reason="the published range itself; the half-life is a "
        "parameter, and the check shows no other flow distorts the decay",
    ),
)
def pth_half_life(session) -> Outcome:
    t, pth = x.pth_after_secretion_stops()
    h = x.half_life(t[1:], pth[1:])
    return Outcome(
        h,
        f"{h:.2f} min",
        {},
        {
            "t": t,
            "y": pth,
            "half_life": h,
            "unit": "min",
            "accepted": (2.0, 4.0),
            "label": "PTH (pmol/L)",
        },
    )


@check(
    "body.calcitriol_half_life",
    title="Calcitriol elimination half-life",
    quantity="half-life of plasma calcitriol over 24 h after 1a-hydroxylation stops",
    unit="h",
    published="5-8 h",
    source="Rocaltrol label; Peterson & Riggs 2010, Bone 46:49",
    plot=_plot_decay,
    kind="input",
    accept=Within(
        5.0,
        8.0,
        "h",
        reason="the published range itself; the half-life is a "
        "parameter, and the check shows no other flow distorts the decay",
    ),
)
def calcitriol_half_life(session) -> Outcome:
    t, d = x.calcitriol_after_synthesis_stops()
    h = x.half_life(t[1:], d[1:])
    return Outcome(
        h,
        f"{h:.2f} h",
        {},
        {
            "t": t,
            "y": d,
            "half_life": h,
            "unit": "h",
            "accepted": (5.0, 8.0),
            "label": "calcitriol (pmol/L)",
        },
    )


# --- hormones: Mg and the parathyroid --------------------------------------------------------
@shared
def cholst(session) -> dict:
    return x.cholst_mgso4()


def _plot_cholst(ax, d):
    s = d["series"]
    t = s["time_h"] - 8.0
    ax.plot(t, s["plasma_mg_mM"], color=fig.MG_COLOUR, label="serum Mg (mM)")
    ax.plot(
        t,
        s["pth_pmol_L"] / s["pth_pmol_L"][np.searchsorted(s["time_h"], 8.0)],
        color=fig.MODEL,
        label="PTH / basal",
    )
    ax.plot(t, s["plasma_ica_mM"], color=fig.CA_COLOUR, label="ionised Ca (mM)")
    ax.plot(t, s["mg_csf_mM"], color="0.3", ls="--", label="CSF ionised Mg (mM)")
    ax.plot([0.5], [2.5], "o", mfc="white", color=fig.PUBLISHED, label="Cholst: Mg 2.5 mM")
    ax.plot([0.5], [0.6], "s", mfc="white", color=fig.PUBLISHED, label="Cholst: PTH -40 %")
    ax.plot([3.0], [0.98], "^", mfc="white", color=fig.PUBLISHED, label="Cholst: iCa 0.98")
    ax.set_xlabel("hours from the start of MgSO4 (4 g + 2 g/h)")
    ax.set_ylabel("mM, or PTH / basal")
    ax.set_xlim(-1, 6)
    ax.legend(fontsize=6, loc="upper right")


_CHOLST_SOURCE = "Cholst et al. 1984, N Engl J Med 310:1221"


@check(
    "body.cholst_pth",
    title="IV MgSO4 lowers PTH (Mg acts on the parathyroid CaSR)",
    quantity="PTH change 30 min into MgSO4 4 g over 20 min then 2 g/h",
    unit="%",
    published="-40 %",
    source=_CHOLST_SOURCE,
    plot=_plot_cholst,
    kind="calibration",
    accept=around(
        -40.0,
        10.0,
        "%",
        reason="the Mg potency at the parathyroid was fitted to "
        "it; 10 pp covers the PTH assay's scatter in the study",
    ),
    fitted=("pth_mg_casr_potency",),
)
def cholst_pth(session) -> Outcome:
    d = cholst(session)
    return Outcome(100 * d["pth_30min_rel"], f"{100 * d['pth_30min_rel']:+.0f} %", {}, d)


@check(
    "body.cholst_serum_mg",
    title="IV MgSO4: serum Mg at 30 min",
    quantity="serum total Mg 30 min into MgSO4 4 g over 20 min then 2 g/h",
    unit="mM",
    published="0.8 -> 2.5 mM",
    source=_CHOLST_SOURCE,
    plot=_plot_cholst,
    kind="prediction",
    accept=Within(
        1.7,
        3.3,
        "mM",
        reason="a single group mean; +-0.8 mM as a modelling "
        "allowance for body size and infusion timing, which the abstract leaves open",
    ),
    not_fitted_to="the distribution volumes and pool sizes are literature values (Guyton & "
    "Hall; Avioli & Berman 1966); only the Mg potency at the parathyroid was fitted to "
    "Cholst, and it does not move serum Mg",
)
def cholst_serum_mg(session) -> Outcome:
    d = cholst(session)
    return Outcome(d["mg_30min_mM"], f"{d['mg_30min_mM']:.2f} mM", {}, d)


@check(
    "body.cholst_ica_fall",
    title="IV MgSO4 lowers ionised Ca within hours",
    quantity="fall of ionised Ca 3 h into MgSO4 (4 g + 2 g/h)",
    unit="mM",
    published="1.10 -> 0.98 mM (-0.12 mM)",
    source=_CHOLST_SOURCE,
    plot=_plot_cholst,
    kind="known_gap",
    accept=Within(
        -0.18,
        -0.07,
        "mM",
        reason="-0.12 mM +- 0.05 (the group's scatter); the "
        "model's fall is too small: it lacks Mg's direct effects on bone and on the "
        "kidney's Ca handling beyond the TAL CaSR",
    ),
)
def cholst_ica_fall(session) -> Outcome:
    d = cholst(session)
    fall = d["ica_3h_mM"] - d["ica_0_mM"]
    return Outcome(fall, f"{d['ica_0_mM']:.2f} -> {d['ica_3h_mM']:.2f} mM ({fall:+.3f})", {}, d)


@check(
    "body.csf_mg_regulated",
    title="CSF Mg stays put when plasma Mg rises",
    quantity="relative change of CSF ionised Mg after 6 h of MgSO4 (4 g + 2 g/h), with plasma "
    "ionised Mg up ~150 %",
    unit="%",
    published="CSF ionised Mg unchanged (~0.82 mM) while plasma ionised Mg rose 53 %",
    source="Brewer et al. 2001, Clin Neuropharmacol 24:341",
    plot=_plot_cholst,
    kind="calibration",
    accept=Within(
        -10.0,
        10.0,
        "%",
        reason="'unchanged' read as within 10 %; the CSF exponent was chosen from this study",
    ),
    fitted=("mg_csf_exponent",),
)
def csf_mg_regulated(session) -> Outcome:
    d = cholst(session)
    change = 100 * (d["csf_6h_mM"] / d["csf_0_mM"] - 1)
    return Outcome(
        change,
        f"{change:+.1f} % (CSF {d['csf_6h_mM']:.2f} mM with plasma iMg {d['img_6h_mM']:.2f} mM)",
        {},
        d,
    )


@shared
def ferment(session):
    return x.ferment_boluses()


def _plot_ferment(ax, d):
    labels = ["Mg 45 min", "Mg 2 h", "Ca 45 min", "Ca 2 h"]
    values = [100 * d["mg"][0], 100 * d["mg"][1], 100 * d["ca"][0], 100 * d["ca"][1]]
    ax.bar(range(4), values, color=[fig.MG_COLOUR, fig.MG_COLOUR, fig.CA_COLOUR, fig.CA_COLOUR])
    ax.axhline(-30, color=fig.PUBLISHED, ls="--", lw=1, label="published: ~-30 % at 45 min")
    ax.set_xticks(range(4), labels, fontsize=8)
    ax.set_ylabel("PTH change (%)")
    ax.legend(fontsize=7)


@check(
    "body.pth_iv_mg_vs_ca",
    title="IV Mg and IV Ca both lower PTH; the Ca effect lasts longer",
    quantity="PTH change 45 min and 2 h after 7.08 mmol Mg or 4.25 mmol Ca IV (over 3 min)",
    unit="",
    published="both ~-30 % at 45 min; the Ca effect lasts 2 h, the Mg effect 45 min",
    source="Ferment et al. 1987",
    plot=_plot_ferment,
    tolerance="both boluses lower PTH at 45 min, and PTH is lower 2 h after the Ca bolus than "
    "after the Mg bolus",
    rationale="the published result is a direction and an order; their sizes are compared in "
    "body.pth_iv_mg_vs_ca_sizes",
    kind="prediction",
    not_fitted_to="Mg's potency at the parathyroid was fitted to Cholst 1984, nothing to "
    "Ferment; the sizes are compared in body.pth_iv_mg_vs_ca_sizes",
)
def pth_iv_mg_vs_ca(session) -> Outcome:
    d = ferment(session)
    return Outcome(
        float("nan"),
        f"Mg {100 * d['mg'][0]:+.0f} % at 45 min, {100 * d['mg'][1]:+.0f} % at 2 h; "
        f"Ca {100 * d['ca'][0]:+.0f} %, {100 * d['ca'][1]:+.0f} %",
        {
            "IV Mg lowers PTH at 45 min": d["mg"][0] < 0,
            "IV Ca lowers PTH at 45 min": d["ca"][0] < 0,
            "the Ca effect lasts longer (lower PTH at 2 h after Ca than after Mg)": d["ca"][1]
            < d["mg"][1],
        },
        d,
    )


@check(
    "body.pth_iv_mg_vs_ca_sizes",
    title="IV Mg and IV Ca lower PTH by about 30 % at 45 min",
    quantity="mean of |PTH change| - 30 % of the two boluses at 45 min (Ferment's doses)",
    unit="pp",
    published="both ~-30 % at 45 min",
    source="Ferment et al. 1987",
    plot=_plot_ferment,
    kind="known_gap",
    accept=at_most(
        10.0,
        "pp",
        reason="both within 10 pp of -30 % on average; the model's Ca "
        "bolus stays in a 9.6-L Ca space (no fast distribution into bone fluid) and "
        "suppresses PTH ~80 %, its Mg bolus is diluted into cells and bone (~-3 %)",
    ),
)
def pth_iv_mg_vs_ca_sizes(session) -> Outcome:
    d = ferment(session)
    miss = 0.5 * (abs(100 * d["mg"][0] + 30) + abs(100 * d["ca"][0] + 30))
    return Outcome(
        miss,
        f"Mg {100 * d['mg'][0]:+.0f} %, Ca {100 * d['ca'][0]:+.0f} % (mean miss {miss:.0f} pp)",
        {},
        d,
    )


# --- oral loads -------------------------------------------------------------------------------
@shared
def reginster(session):
    return x.reginster_ca_load()


def _plot_reginster(ax, d):
    ax.plot(d["time_h"], 100 * d["ca_rel"], color=fig.CA_COLOUR, label="total Ca (%)")
    ax.plot(d["time_h"], 100 * d["pth_rel"], color=fig.MODEL, label="PTH (%)")
    fig.published_band(ax, 6.4, 8.1, label="published Ca peak +6.4 to +8.1 %")
    fig.published_band(ax, -57, -37, label="published PTH -37 to -57 %")
    ax.set_xlabel("hours after 1000 mg Ca (fasting)")
    ax.set_ylabel("change from no dose (%)")
    ax.legend(fontsize=7)


_REGINSTER = "Reginster et al. 1993, Osteoporos Int 3:271"
_REGINSTER_NOT = (
    "the gut constants were fitted to single-load absorption with a meal "
    "(Heaney 1990) and PTH's set point and store to clamps (Schwarz 1993-94); "
    "nothing to an oral load's time course"
)


@check(
    "body.reginster_total_ca",
    title="1000 mg oral Ca fasting raises serum total Ca",
    quantity="peak rise of serum total Ca within 6 h of 1000 mg Ca fasting (vs no dose)",
    unit="%",
    published="+6.4 to +8.1 %",
    source=_REGINSTER,
    plot=_plot_reginster,
    kind="prediction",
    accept=Within(
        4.0,
        10.0,
        "%",
        reason="the two groups' +6.4 to +8.1 % with 2 pp either side "
        "for the model's fixed albumin binding and the unknown fasting state",
    ),
    not_fitted_to=_REGINSTER_NOT,
)
def reginster_total_ca(session) -> Outcome:
    d = reginster(session)
    return Outcome(d["ca_peak_pct"], f"{d['ca_peak_pct']:+.1f} %", {}, d)


@check(
    "body.reginster_pth",
    title="1000 mg oral Ca fasting suppresses PTH within hours",
    quantity="lowest PTH within 6 h of 1000 mg Ca fasting (vs no dose), and when",
    unit="%",
    published="-37 to -57 % within 6 h",
    source=_REGINSTER,
    plot=_plot_reginster,
    kind="prediction",
    accept=Within(
        -65.0,
        -30.0,
        "%",
        reason="the groups' -37 to -57 % with ~8 pp either side for the PTH assay's scatter",
    ),
    not_fitted_to=_REGINSTER_NOT,
)
def reginster_pth(session) -> Outcome:
    d = reginster(session)
    return Outcome(
        d["pth_nadir_pct"],
        f"{d['pth_nadir_pct']:+.0f} % at {d['pth_nadir_h']:.1f} h",
        {"lowest PTH within 4 h": d["pth_nadir_h"] <= 4.0},
        d,
    )


@shared
def zhan(session):
    return x.zhan_mgcl2()


def _plot_zhan(ax, d):
    ax.plot(d["time_h"], 100 * d["mg_rel"], color=fig.MG_COLOUR, label="serum total Mg (%)")
    fig.published_band(ax, 5.5, 6.5, label="published peak ~+6 %")
    fig.accepted_band(ax, 2.0, 10.0, label="accepted +2 to +10 %")
    ax.set_xlabel("hours after 300 mg Mg as MgCl2 with breakfast")
    ax.set_ylabel("change from no dose (%)")
    ax.legend(fontsize=7)
    fig.note(
        ax, f"extra urinary Mg over 24 h: {d['urine_extra_mg']:+.0f} mg (published +62)", lower=True
    )


_ZHAN = "Zhan et al. 2020, Nutrients 12:1245"


@check(
    "body.zhan_mgcl2",
    title="300 mg oral MgCl2 raises serum Mg a little",
    quantity="peak rise of serum total Mg after 300 mg Mg as MgCl2 with a low-Mg breakfast "
    "(vs the same breakfast alone)",
    unit="%",
    published="+6 % (Cmax 2.38 vs 2.24 mg/dL)",
    source=_ZHAN,
    plot=_plot_zhan,
    kind="prediction",
    accept=Within(2.0, 10.0, "%", reason="+6 % +- 4 pp for the wide SDs of a small study"),
    not_fitted_to="the gut's Mg constants were fitted to Fine 1991's single loads, the "
    "kidney's Mg threshold closed on the reference diet; nothing to a serum Mg time course "
    "(the model sits near the upper edge: its kidney excretes the load too slowly, see "
    "body.zhan_urine)",
)
def zhan_mgcl2(session) -> Outcome:
    d = zhan(session)
    return Outcome(d["peak_pct"], f"{d['peak_pct']:+.1f} % at {d['peak_h']:.1f} h", {}, d)


@check(
    "body.zhan_urine",
    title="300 mg oral MgCl2: the extra Mg appears in the urine within a day",
    quantity="extra urinary Mg over 24 h after 300 mg Mg as MgCl2 with breakfast",
    unit="mg",
    published="+62 mg (24-h urinary Mg AUC 201.7 vs 139.3 mg)",
    source=_ZHAN,
    plot=_plot_zhan,
    kind="known_gap",
    accept=Within(
        31.0,
        93.0,
        "mg",
        reason="+62 mg +- 50 % for the wide SDs of the two "
        "means; the model's kidney excretes an Mg load too slowly (also the IV "
        "loading test, body.mg_loading_test)",
    ),
)
def zhan_urine(session) -> Outcome:
    d = zhan(session)
    return Outcome(
        d["urine_extra_mg"],
        f"{d['urine_extra_mg']:+.0f} mg (absorbed {d['absorbed_extra_mg']:.0f} mg)",
        {},
        d,
    )


@check(
    "body.mg_loading_test",
    title="IV Mg loading test: a healthy person excretes nearly all of it",
    quantity="share of 30 mmol Mg IV over 8 h retained after 24 h (24-h urine vs no load)",
    unit="%",
    published="6.3 +- 10.3 % retained",
    source="Gullestad et al. 1994",
    plot=_scalar_plot,
    kind="known_gap",
    accept=around(
        6.3,
        10.3,
        "%",
        reason="the healthy subjects' mean +- SD; the model retains "
        "too much (its kidney's response to an Mg load is too slow, see "
        "body.zhan_mgcl2)",
    ),
)
def mg_loading_test(session) -> Outcome:
    retained = 100 * x.mg_loading_test()
    return _scalar(
        retained, f"{retained:.0f} %", "retained after 24 h (%)", (-4.0, 16.6), published=(6.3, 6.3)
    )


@check(
    "body.pak_high_ca_intake",
    title="Urinary Ca on a high Ca intake",
    quantity="urinary Ca on the last of 30 days on 1700 mg/d Ca",
    unit="mg/d",
    published="211 +- 42 mg/d (controls)",
    source="Pak et al. 1974",
    plot=_scalar_plot,
    kind="known_gap",
    accept=around(
        211.0,
        42.0,
        "mg/d",
        reason="the controls' mean +- SD; the model's "
        "absorption adapts to intake (calcitriol falls) more than the kidney lets "
        "urinary Ca rise",
    ),
)
def pak_high_ca_intake(session) -> Outcome:
    urine = x.last_day(x.long_run(x.healthy(), 30, ca=1700.0))["urine_ca_mg"]
    return _scalar(
        urine, f"{urine:.0f} mg/d", "urinary Ca (mg/d)", (169.0, 253.0), published=(211.0, 211.0)
    )


# --- diseases and drugs --------------------------------------------------------------------------
@shared
def healthy_30(session):
    return x.last_day(x.long_run(x.healthy(), 30))


@shared
def disease(session):
    days = _long_days(session)
    out = {
        name: x.last_day(x.long_run(x.with_preset(name), days))
        for name in ("primary_hyperparathyroidism", "proton_pump_inhibitor")
    }
    # untreated hypoparathyroidism is a chronic state: 180 days in both versions
    out["hypoparathyroidism"] = x.last_day(x.long_run(x.with_preset("hypoparathyroidism"), 180))
    return out


def _plot_state(ax, d):
    keys = d["keys"]
    rel = [100 * (d["sick"][k] / d["healthy"][k] - 1) if d["healthy"][k] else 0 for k in keys]
    colours = [fig.MODEL if v >= 0 else fig.MODEL_2 for v in rel]
    ax.barh(range(len(keys)), rel, color=colours)
    ax.set_yticks(range(len(keys)), [d["names"][k] for k in keys], fontsize=7)
    ax.axvline(0, color="0.4", lw=1)
    ax.set_xlabel(f"change from healthy (%), day {d['day']}")
    fig.note(ax, d.get("note", ""), lower=True)


_STATE_KEYS = (
    "plasma_ica_mM",
    "plasma_ca_total_mM",
    "plasma_mg_mM",
    "plasma_phosphate_mM",
    "pth_pmol_L",
    "calcitriol_pmol_L",
    "urine_ca_mg",
    "urine_mg_mg",
)
_STATE_NAMES = {
    "plasma_ica_mM": "ionised Ca",
    "plasma_ca_total_mM": "total Ca",
    "plasma_mg_mM": "serum Mg",
    "plasma_phosphate_mM": "phosphate",
    "pth_pmol_L": "PTH",
    "calcitriol_pmol_L": "calcitriol",
    "urine_ca_mg": "urinary Ca",
    "urine_mg_mg": "urinary Mg",
}


def _state_data(session, sick, day, note=""):
    return {
        "healthy": healthy_30(session),
        "sick": sick,
        "keys": _STATE_KEYS,
        "names": _STATE_NAMES,
        "day": day,
        "note": note,
    }


@check(
    "body.phpt_biochemistry",
    title="Primary hyperparathyroidism: the published picture, against the fixed reference",
    quantity="day 180 (quick: 60) of the primary_hyperparathyroidism preset (set point "
    "1.32 mM, 3x gland mass) against a healthy person",
    unit="",
    published="ionised Ca up, PTH up, calcitriol up, urinary Ca not down, bone lost, phosphate "
    "low-normal",
    source="Schwarz et al. 1994 (set point); Walker & Silverberg 2018 (Nat Rev Endocrinol); "
    "Pak et al. 1974",
    plot=_plot_state,
    tolerance="every listed change in the published direction",
    rationale="the clinical picture is a set of directions (patients differ in adenoma size "
    "and duration); a direction the model gets wrong fails the check",
    kind="prediction",
    not_fitted_to="the preset changes only the set point (published) and the gland mass "
    "(illustrative); every feedback is normalised to the healthy reference, nothing to PHPT",
)
def phpt_biochemistry(session) -> Outcome:
    h, d = healthy_30(session), disease(session)["primary_hyperparathyroidism"]
    return Outcome(
        float("nan"),
        f"iCa {d['plasma_ica_mM']:.2f} mM, PTH {d['pth_pmol_L']:.1f} pmol/L, calcitriol "
        f"{d['calcitriol_pmol_L']:.0f} pmol/L, urine Ca {d['urine_ca_mg']:.0f} mg/d, P "
        f"{d['plasma_phosphate_mM']:.2f} mM, bone {d['bone_ca_g']:+.1f} g Ca",
        {
            "ionised Ca up by > 0.05 mM": d["plasma_ica_mM"] > h["plasma_ica_mM"] + 0.05,
            "PTH up": d["pth_pmol_L"] > h["pth_pmol_L"],
            "calcitriol up": d["calcitriol_pmol_L"] > h["calcitriol_pmol_L"],
            "urinary Ca not down": d["urine_ca_mg"] >= h["urine_ca_mg"],
            "bone Ca lost": d["bone_ca_g"] < 0,
            "phosphate not up": d["plasma_phosphate_mM"] <= h["plasma_phosphate_mM"],
        },
        _state_data(session, d, _long_days(session)),
    )


@check(
    "body.hypoparathyroidism",
    title="Hypoparathyroidism settles at the published hypocalcaemia, Mg not raised",
    quantity="serum total Ca on day 180 of the hypoparathyroidism preset (no gland), with "
    "serum Mg and phosphate",
    unit="mM",
    published="untreated: total Ca ~1.5-2.0 mM (6-8 mg/dL), phosphate high, Mg not raised",
    source="Bilezikian et al. 2011, J Bone Miner Res 26:2317 (review)",
    plot=_plot_state,
    kind="prediction",
    accept=Within(1.5, 2.0, "mM", reason="the usual untreated range given by the review"),
    not_fitted_to="nothing was fitted to hypoparathyroidism: the preset removes the glands; "
    "what holds Ca up is the PTH-independent distal reabsorption, the basal calcitriol and "
    "the Ca supply limit of mineralisation (all illustrative, none adjusted to this range)",
)
def hypoparathyroidism(session) -> Outcome:
    h, d = healthy_30(session), disease(session)["hypoparathyroidism"]
    return Outcome(
        d["plasma_ca_total_mM"],
        f"total Ca {d['plasma_ca_total_mM']:.2f} mM (iCa {d['plasma_ica_mM']:.2f}), Mg "
        f"{d['plasma_mg_mM']:.2f} mM, P {d['plasma_phosphate_mM']:.2f} mM",
        {
            "serum Mg not raised": d["plasma_mg_mM"] <= h["plasma_mg_mM"] + 0.02,
            "phosphate high (> 1.45 mM)": d["plasma_phosphate_mM"] > 1.45,
        },
        _state_data(session, d, 180),
    )


@shared
def diuretics(session):
    out = {}
    for name in ("loop_diuretic", "thiazide"):
        result = x.long_run(x.with_preset(name), 14)
        out[name] = {
            "day1_ca": m.per_day_mg(result, m.CA_URINE, "ca")[0],
            "day1_mg": m.per_day_mg(result, m.MG_URINE, "mg")[0],
            **x.last_day(result),
        }
    return out


def _plot_diuretic(ax, d):
    labels = ["urine Ca\nday 1", "urine Mg\nday 1", "urine Ca\nday 14", "urine Mg\nday 14"]
    h = d["healthy"]
    values = [
        100 * (d["drug"]["day1_ca"] / h["urine_ca_mg"] - 1),
        100 * (d["drug"]["day1_mg"] / h["urine_mg_mg"] - 1),
        100 * (d["drug"]["urine_ca_mg"] / h["urine_ca_mg"] - 1),
        100 * (d["drug"]["urine_mg_mg"] / h["urine_mg_mg"] - 1),
    ]
    ax.bar(range(4), values, color=[fig.CA_COLOUR, fig.MG_COLOUR] * 2)
    ax.axhline(0, color="0.4", lw=1)
    ax.set_xticks(range(4), labels, fontsize=8)
    ax.set_ylabel("change from healthy (%)")
    fig.note(ax, d["note"])


@check(
    "body.loop_diuretic",
    title="A loop diuretic raises urinary Ca and Mg",
    quantity="urinary Ca and Mg on day 1 of the loop_diuretic preset (TAL transport blocked "
    "30 %) against a healthy person",
    unit="",
    published="urinary Ca and Mg up; serum Ca unchanged; PTH up",
    source="Fujita et al. 1984, Nephron 38:109; Blaine, Chonchol & Levi 2015",
    plot=_plot_diuretic,
    tolerance="urinary Ca and Mg up on day 1; PTH up by day 14",
    rationale="the published results are directions; the size of the block is illustrative",
    kind="prediction",
    not_fitted_to="the block's size is illustrative; the direction follows from the TAL's "
    "paracellular Ca and Mg transport, which no constant was fitted to",
)
def loop_diuretic(session) -> Outcome:
    h, d = healthy_30(session), diuretics(session)["loop_diuretic"]
    return Outcome(
        float("nan"),
        f"urine Ca {d['day1_ca']:.0f}, Mg {d['day1_mg']:.0f} mg/d on day 1 (healthy "
        f"{h['urine_ca_mg']:.0f}, {h['urine_mg_mg']:.0f}); PTH {d['pth_pmol_L']:.1f} pmol/L",
        {
            "urinary Ca up": d["day1_ca"] > h["urine_ca_mg"],
            "urinary Mg up": d["day1_mg"] > h["urine_mg_mg"],
            "PTH up by day 14": d["pth_pmol_L"] > h["pth_pmol_L"],
        },
        {"healthy": h, "drug": d, "note": "loop diuretic"},
    )


@check(
    "body.thiazide",
    title="A thiazide lowers urinary Ca and raises urinary Mg",
    quantity="urinary Ca and Mg on day 1 of the thiazide preset against a healthy person",
    unit="",
    published="urinary Ca -44 % within 4 days; urinary Mg up",
    source="Parfitt 1972, J Clin Invest 51:1879; Brickman et al. 1972",
    plot=_plot_diuretic,
    tolerance="urinary Ca down and urinary Mg up on day 1",
    rationale="the Ca size is an input (Parfitt's -44 %), so only the directions are a test",
    kind="prediction",
    not_fitted_to="the Ca size is put in (0.44 of the distal Ca escape, Parfitt's -44 %); the "
    "Mg direction follows from the distal threshold, with an illustrative size",
)
def thiazide(session) -> Outcome:
    h, d = healthy_30(session), diuretics(session)["thiazide"]
    return Outcome(
        float("nan"),
        f"urine Ca {d['day1_ca']:.0f} ({100 * (d['day1_ca'] / h['urine_ca_mg'] - 1):+.0f} %), "
        f"Mg {d['day1_mg']:.0f} mg/d on day 1",
        {
            "urinary Ca down": d["day1_ca"] < h["urine_ca_mg"],
            "urinary Mg up": d["day1_mg"] > h["urine_mg_mg"],
        },
        {"healthy": h, "drug": d, "note": "thiazide"},
    )


@check(
    "body.thiazide_needs_pth",
    title="A thiazide's Ca-sparing effect needs PTH",
    quantity="fall of urinary Ca on day 1 of a thiazide, in hypoparathyroidism (settled 60 "
    "days) vs in a healthy person",
    unit="%",
    published="-44 % in euparathyroid subjects, -11 % in hypoparathyroid subjects",
    source="Parfitt 1972, J Clin Invest 51:1879",
    plot=_scalar_plot,
    kind="prediction",
    accept=Within(
        -25.0,
        0.0,
        "%",
        reason="Parfitt's -11 % with room for the hypoparathyroid "
        "model's lower PTH-independent distal reabsorption",
    ),
    not_fitted_to="the thiazide's size was set by the euparathyroid -44 %; that it scales "
    "with PTH action is the mechanism tested here",
)
def thiazide_needs_pth(session) -> Outcome:
    hypo = x.with_preset("hypoparathyroidism")
    settled = x.long_run(hypo, 60)
    y0 = x.restart(settled.final_state)
    both = x.with_preset("hypoparathyroidism", thiazide_dct_ca_gain=0.44, thiazide_dct_mg_loss=0.1)
    before = x.run(hypo, 24.0, x.diet(1), y0=y0, record_every_h=24.0)
    after = x.run(both, 24.0, x.diet(1), y0=y0, record_every_h=24.0)
    change = 100 * (after.total(m.CA_URINE) / before.total(m.CA_URINE) - 1)
    healthy = diuretics(session)["thiazide"]["day1_ca"] / healthy_30(session)["urine_ca_mg"] - 1
    return _scalar(
        change,
        f"{change:+.0f} % (healthy: {100 * healthy:+.0f} %)",
        "urinary Ca change on day 1 (%)",
        (-25.0, 0.0),
        published=(-11.0, -11.0),
        note=f"healthy person: {100 * healthy:+.0f} %",
    )


@check(
    "body.ppi_hypomagnesaemia",
    title="A proton-pump inhibitor lowers serum Mg through the gut, not the kidney",
    quantity="serum Mg and urinary Mg on day 180 (quick: 60) of the proton_pump_inhibitor "
    "preset against a healthy person",
    unit="",
    published="hypomagnesaemia after months, with low urinary Mg (renal handling normal)",
    source="Cundy & Mackay 2011, Clin Endocrinol 75:146",
    plot=_plot_state,
    tolerance="serum Mg and urinary Mg both lower than in health",
    rationale="the published result is a direction (hypomagnesaemia with renal Mg "
    "conservation); the preset's sizes are illustrative",
    kind="prediction",
    not_fitted_to="the sizes of the preset are illustrative; the kidney's response to less "
    "absorbed Mg is the model's own",
)
def ppi_hypomagnesaemia(session) -> Outcome:
    h, d = healthy_30(session), disease(session)["proton_pump_inhibitor"]
    return Outcome(
        float("nan"),
        f"serum Mg {d['plasma_mg_mM']:.2f} mM (healthy {h['plasma_mg_mM']:.2f}), urine Mg "
        f"{d['urine_mg_mg']:.0f} mg/d (healthy {h['urine_mg_mg']:.0f})",
        {
            "serum Mg down": d["plasma_mg_mM"] < h["plasma_mg_mM"],
            "urinary Mg down": d["urine_mg_mg"] < h["urine_mg_mg"],
        },
        _state_data(session, d, _long_days(session)),
    )


# --- Mg pools and deficiency -------------------------------------------------------------------
@check(
    "body.exchangeable_mg_pool",
    title="Exchangeable Mg pool by isotope dilution",
    quantity="tracer in the body / plasma specific activity 90 h after a tracer dose, per kg",
    unit="mEq/kg",
    published="3.54 mEq/kg",
    source="Avioli & Berman 1966, J Appl Physiol 21:1688",
    plot=_scalar_plot,
    kind="input",
    accept=around(
        3.54,
        0.71,
        "mEq/kg",
        reason="+-20 %: the pool sizes were taken from this "
        "study; the check shows the exchange kinetics give the same dilution at 90 h",
    ),
)
def exchangeable_mg_pool(session) -> Outcome:
    pool = x.exchangeable_mg_pool_mmol()
    meq = pool * 2.0 / x.healthy().body_mass_kg
    return _scalar(
        meq,
        f"{meq:.2f} mEq/kg ({pool:.0f} mmol)",
        "exchangeable Mg (mEq/kg)",
        (2.83, 4.25),
        published=(3.54, 3.54),
    )


@shared
def fatemi(session):
    depleted = x.depleted_state()
    s = depleted.series()
    normal = x.run(x.healthy(), 24.0, x.diet(1), record_every_h=2.0).series()
    return {
        "depleted": depleted,
        "mg": x.day_mean(s, "plasma_mg_mM", 21),
        "mg0": x.day_mean(normal, "plasma_mg_mM", 1),
        "ca": x.day_mean(s, "plasma_ca_total_mM", 21) - x.day_mean(normal, "plasma_ca_total_mM", 1),
        "pth": x.day_mean(s, "pth_pmol_L", 21) / x.day_mean(normal, "pth_pmol_L", 1) - 1,
        "d": x.day_mean(s, "calcitriol_pmol_L", 21) / x.day_mean(normal, "calcitriol_pmol_L", 1)
        - 1,
        "free": x.day_mean(s, "mg_icf_free_mM", 21) / x.day_mean(normal, "mg_icf_free_mM", 1) - 1,
        "series": s,
    }


def _plot_fatemi(ax, d):
    s = d["series"]
    ax.plot(s["time_h"] / 24.0, s["plasma_mg_mM"], color=fig.MG_COLOUR, label="serum Mg")
    ax.plot(s["time_h"] / 24.0, s["mg_icf_free_mM"], color="0.4", label="cell free Mg")
    ax.plot(s["time_h"] / 24.0, s["plasma_ica_mM"], color=fig.CA_COLOUR, label="ionised Ca")
    ax.plot([21], [0.61], "o", mfc="white", color=fig.PUBLISHED, label="Fatemi: Mg 0.61")
    ax.set_xlabel("day on < 1 mEq/d Mg")
    ax.set_ylabel("mM")
    ax.legend(fontsize=7)
    fig.note(ax, f"PTH {100 * d['pth']:+.0f} %, calcitriol {100 * d['d']:+.0f} %", lower=True)


@check(
    "body.fatemi_serum_mg",
    title="Three weeks of Mg depletion lower serum Mg by a quarter",
    quantity="relative fall of serum Mg after 21 days on 10 mg/d Mg",
    unit="%",
    published="0.80 -> 0.61 mM (-24 %)",
    source="Fatemi et al. 1991, J Clin Endocrinol Metab 73:1067",
    plot=_plot_fatemi,
    kind="prediction",
    accept=around(
        -24.0,
        6.0,
        "%",
        reason="a group mean without its SD in the abstract: 6 pp "
        "(a quarter of the fall) as a modelling allowance",
    ),
    not_fitted_to="Mg pools from Avioli & Berman 1966 and the kidney's threshold closed on "
    "the reference diet; only the parathyroid constants were fitted to Fatemi's PTH and "
    "calcitriol, and they do not set serum Mg",
)
def fatemi_serum_mg(session) -> Outcome:
    d = fatemi(session)
    change = 100 * (d["mg"] / d["mg0"] - 1)
    return Outcome(change, f"{d['mg0']:.2f} -> {d['mg']:.2f} mM ({change:+.0f} %)", {}, d)


@check(
    "body.fatemi_hormones",
    title="Three weeks of Mg depletion: PTH not raised, calcitriol down",
    quantity="calcitriol change after 21 days on 10 mg/d Mg; PTH change; serum Ca change",
    unit="%",
    published="calcitriol -22 %; PTH fell or was unchanged; serum Ca -0.05 mM",
    source="Fatemi et al. 1991, J Clin Endocrinol Metab 73:1067",
    plot=_plot_fatemi,
    kind="known_gap",
    accept=around(
        -22.0,
        7.0,
        "%",
        reason="the published fall +- 7 pp; the Mg-depletion block "
        "and tissue resistance were fitted to this study, but no pair of them gives "
        "all three together: where calcitriol falls 22 % and PTH is not raised, "
        "serum Ca falls ~0.19 mM; the least-squares compromise shipped (see "
        "cellsim.body.fitting) gives about -10 %, +2 %, -0.08 mM",
    ),
)
def fatemi_hormones(session) -> Outcome:
    d = fatemi(session)
    return Outcome(
        100 * d["d"],
        f"calcitriol {100 * d['d']:+.0f} %, PTH {100 * d['pth']:+.0f} %, Ca {d['ca']:+.3f} mM, "
        f"cell free Mg {100 * d['free']:+.0f} %",
        {"PTH not raised by more than 15 %": d["pth"] <= 0.15, "serum Ca down": d["ca"] < 0},
        d,
    )


@check(
    "body.fatemi_retention",
    title="After depletion, the body keeps most of an IV Mg load",
    quantity="share of 30 mmol Mg IV over 8 h retained at 24 h after 21 days on 10 mg/d Mg",
    unit="%",
    published="62 +- 4 % (11 % before depletion)",
    source="Fatemi et al. 1991, J Clin Endocrinol Metab 73:1067",
    plot=_scalar_plot,
    kind="known_gap",
    accept=around(
        62.0,
        8.0,
        "%",
        reason="twice the published SEM; the model's cells take up "
        "Mg too slowly in deficiency (a fixed influx law, no up-regulation of "
        "transporters), so more of the load is excreted",
    ),
)
def fatemi_retention(session) -> Outcome:
    y0 = x.restart(fatemi(session)["depleted"].final_state)
    retained = 100 * x.mg_loading_test(y0=y0, mg_diet_mg=10.0)
    return _scalar(
        retained,
        f"{retained:.0f} %",
        "retained after 24 h (%)",
        (54.0, 70.0),
        published=(62.0, 62.0),
    )


def _plot_bars_iv(ax, d):
    fig.bars(
        ax,
        ["before depletion", "after 3 weeks"],
        [100 * d["before"], 100 * d["after"]],
        ylabel="PTH change 30 min after IV Mg (%)",
        colours=[fig.MODEL_2, fig.MODEL],
    )
    ax.set_ylim(min(-80, 120 * d["before"]), max(60, 120 * d["after"]))
    fig.note(ax, "published: -54 % before, +27 % after")


@check(
    "body.iv_mg_pth_in_deficiency",
    title="IV Mg lowers PTH in health but raises it in Mg deficiency",
    quantity="PTH change 30 min after a 10-min IV bolus of 10 mmol Mg, before and after 21 "
    "days on 10 mg/d Mg",
    unit="",
    published="-54 % before; +27 % after (Fatemi 1991); an immediate rise in every "
    "hypomagnesaemic patient (Rude et al. 1978)",
    source="Fatemi et al. 1991; Rude et al. 1978, J Clin Endocrinol Metab 47:800",
    plot=_plot_bars_iv,
    tolerance="PTH falls after IV Mg before depletion and rises after it",
    rationale="the reversal is the published result that matters; the sizes depend on the "
    "bolus, which the abstract does not give",
    kind="prediction",
    not_fitted_to="the block was fitted to PTH *during* depletion (Fatemi; Suh 1973), not to "
    "its response to IV Mg; the parathyroid-cell Mg lag (5 min) is a hypothesis",
)
def iv_mg_pth_in_deficiency(session) -> Outcome:
    before = x.pth_change_after_iv_mg(baseline.settled_state(x.healthy()))
    after = x.pth_change_after_iv_mg(fatemi(session)["depleted"].final_state)
    return Outcome(
        float("nan"),
        f"{100 * before:+.0f} % before; {100 * after:+.0f} % after",
        {"PTH falls before depletion": before < 0, "PTH rises after depletion": after > 0},
        {"before": before, "after": after},
    )


@shared
def refractory(session):
    return x.refractory_hypocalcaemia()


def _plot_refractory(ax, d):
    days = np.arange(1, len(d["ica"]) + 1)
    a, b, _ = d["ends"]
    ax.axvspan(a + 0.5, b + 0.5, color=fig.CA_COLOUR, alpha=0.12, lw=0, label="+1000 mg/d Ca")
    ax.axvspan(b + 0.5, days[-1] + 0.5, color=fig.MG_COLOUR, alpha=0.12, lw=0, label="+300 mg/d Mg")
    ax.plot(days, d["ica"], color=fig.MODEL, label="ionised Ca")
    ax.plot(days, d["mg"], color=fig.MODEL_2, label="serum Mg")
    for day, level in ((a, 1.05), (b, 1.12), (days[-1], 1.18)):
        ax.plot([day], [level], "k_", ms=14)
    ax.plot([a], [0.55], "k_", ms=14)
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
    published="severe Mg deficiency (serum < ~0.5 mM) impairs PTH secretion and action; the "
    "hypocalcaemia does not correct with Ca until Mg is repleted",
    source="Anast et al. 1972; Rude et al. 1976; Suh et al. 1973",
    plot=_plot_refractory,
    kind="known_gap",
    accept=at_most(
        1.05,
        "mM",
        reason="ionised Ca on day 42 below 1.05 mM (clearly "
        "hypocalcaemic), with the criteria on serum Mg, the Ca-alone and the "
        "Mg-added weeks; the model has the shape (Ca alone does not raise ionised "
        "Ca, Mg does) but not the depth: serum Mg levels off at ~0.6 mM, where the "
        "kidney and the cells' regulated release hold it, so the hypocalcaemia "
        "is mild",
    ),
)
def mg_deficiency_refractory(session) -> Outcome:
    d = refractory(session)
    a, b, c = d["ends"]
    mg, ica, pth = d["mg"], d["ica"], d["pth"]
    return Outcome(
        ica[a - 1],
        f"day {a}: Mg {mg[a - 1]:.2f}, iCa {ica[a - 1]:.3f}; day {b}: iCa {ica[b - 1]:.3f}; "
        f"day {c}: iCa {ica[c - 1]:.3f} mM",
        {
            f"serum Mg on day {a} <= 0.55 mM": mg[a - 1] <= 0.55,
            f"iCa on day {b} (Ca alone) < 1.12 mM": ica[b - 1] < 1.12,
            f"iCa on day {c} (Mg added) >= 1.18 mM": ica[c - 1] >= 1.18,
            f"PTH lower on day {c} than on day {b}": pth[c - 1] < pth[b - 1],
        },
        d,
    )


def _plot_control(ax, d):
    t = d["time_h"] / 24.0
    ax.plot(t, d["base"], color="0.5", lw=1, label="reference diet")
    ax.plot(t, d["more"], color=fig.MODEL, lw=1, label="+500 mg Ca each morning")
    ax.set_xlabel("day")
    ax.set_ylabel("ionised Ca (mM)")
    ax.legend(fontsize=8, loc="lower right")
    fig.note(ax, f"day-7 means differ by {d['rise']:+.4f} mM (accepted > +0.005)")


@check(
    "body.ca_supplement_control",
    title="Control: Ca supplements raise ionised Ca when Mg is normal",
    quantity="rise of the day-7 mean ionised Ca with +500 mg Ca each morning",
    unit="mM",
    published="Ca raises ionised Ca in a Mg-replete person (the contrast to Mg deficiency)",
    source="control for Anast et al. 1972; Rude et al. 1976",
    plot=_plot_control,
    kind="prediction",
    accept=at_least(
        0.005,
        "mM",
        reason="well above the solver's error and below the homeostatic damping of a 500 mg dose",
    ),
    not_fitted_to="nothing was fitted to the response of ionised Ca to supplements",
)
def ca_supplement_control(session) -> Outcome:
    intakes = x.diet(7)
    extra = intakes + [Intake(24.0 * d + 8.0, 500.0, 0.0, True) for d in range(7)]
    base = x.run(x.healthy(), 7 * 24.0, intakes).series()
    more = x.run(x.healthy(), 7 * 24.0, extra).series()
    rise = x.day_mean(more, "plasma_ica_mM", 7) - x.day_mean(base, "plasma_ica_mM", 7)
    return Outcome(
        rise,
        f"{rise:+.4f} mM",
        {},
        {
            "time_h": base["time_h"],
            "base": base["plasma_ica_mM"],
            "more": more["plasma_ica_mM"],
            "rise": rise,
        },
    )


# --- phosphate and adaptation -------------------------------------------------------------------
@check(
    "body.portale_phosphate",
    title="Dietary phosphate restriction raises calcitriol",
    quantity="calcitriol after 10 days on 500 mg/d P with a binder vs 1200 mg/d",
    unit="%",
    published="+80 % (fasting P -26 %); 3000 mg/d: -29 %",
    source="Portale et al. 1986, J Clin Invest 77:7",
    plot=_scalar_plot,
    kind="known_gap",
    accept=around(
        80.0,
        30.0,
        "%",
        reason="the published rise +- 30 pp; the model's plasma P "
        "falls only ~4 % (the renal threshold holds the morning P), so the "
        "phosphate drive of the 1a-hydroxylase, derived from Portale's own pairs, "
        "is barely used",
    ),
)
def portale_phosphate(session) -> Outcome:
    d = x.portale_phosphate()
    up = 100 * (d[500.0][0] / d[1200.0][0] - 1)
    down = 100 * (d[3000.0][0] / d[1200.0][0] - 1)
    return _scalar(
        up,
        f"{up:+.0f} % / {down:+.0f} % (P {d[500.0][1]:.2f} / {d[1200.0][1]:.2f} "
        f"/ {d[3000.0][1]:.2f} mM)",
        "calcitriol change (%)",
        (50.0, 110.0),
        published=(80.0, 80.0),
    )


@check(
    "body.habitual_intake_adaptation",
    title="Ca absorption adapts to habitual intake",
    quantity="fraction of daily Ca absorbed after 60 days on 200 mg/d (and on 2000 mg/d)",
    unit="",
    published="~0.45 at 200 mg/d, ~0.15 above 2000 mg/d",
    source="Heaney et al. 1989, J Bone Miner Res 4:469",
    plot=_scalar_plot,
    kind="known_gap",
    accept=around(
        0.45,
        0.10,
        reason="the published fraction +- 0.10; the model absorbs too "
        "much at low intake (its gut constants carry the single-load efficiency of "
        "Heaney 1990's young women, not the habitual diets of 1989's older ones)",
    ),
)
def habitual_intake_adaptation(session) -> Outcome:
    days = 30 if session.quick else 60
    d = {}
    for ca in (200.0, 2000.0):
        result = x.run(x.healthy(), 24.0 * days, x.diet(days, ca=ca), record_every_h=24.0)
        d[ca] = m.per_day_mg(result, m.CA_ABS, "ca")[-1] / ca
    return _scalar(
        d[200.0],
        f"{d[200.0]:.2f} at 200 mg/d, {d[2000.0]:.2f} at 2000 mg/d",
        "fraction absorbed at 200 mg/d",
        (0.35, 0.55),
        published=(0.45, 0.45),
        note=f"at 2000 mg/d: {d[2000.0]:.2f} (published ~0.15)",
    )

"""``cellsim compare``: results folders overlaid on shared axes, with a one-line takeaway.

Reads results folders only (never runs a model).  What is drawn depends on what the
folders hold, not on which scale made them:

* a twitch (time series with ``force_fraction``): free Ca, troponin sites holding Ca
  (solid) and Mg (dashed), force in % of maximum, sarcomere length;
* plasma curves (``plasma_ica_mM``): plasma ionised Ca and Mg, intracellular free Mg, PTH,
  against days;
* spikes (events ``spike_times_ms``): a raster, one row per run, the cumulative count of
  spikes and, with a junction, of transmitter quanta;
* a chain whose runs hand off to sub-folders: the first two plasma panels on top and the
  hand-off's two main panels below (``--handoff`` chooses the hand-off).

The first run is the reference; the takeaway compares every other run with it, e.g.
"relaxation half-time +14 ms at free Mg 0.15 mM (vs 0.5 mM)".  Runs are labelled by what
differs between them (the environment, or any scalar key of their scenarios), else by
their names.
"""

from __future__ import annotations

import math
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cellsim.errors import CellsimError, ResultsError
from cellsim.render import labels, style
from cellsim.results import Results, read_results

#: Summary keys that describe a run's conditions (used to label runs).
CONDITIONS = ("mg_free_mM", "ca_o_mM", "mg_o_mM", "parameter_set")
#: Scenario tables never used to tell runs apart.
IGNORED_TABLES = ("scenario", "output")
IGNORED_KEYS = ("run.engine", "run.threads")


@dataclass
class Run:
    """One results folder as the comparison needs it."""

    path: Path
    results: Results
    label: str = ""
    events: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def series(self) -> dict[str, np.ndarray]:
        return self.results.timeseries

    @property
    def summary(self) -> dict:
        return self.results.summary

    @property
    def name(self) -> str:
        return self.results.manifest.get("name") or self.path.name

    def scenario(self) -> dict:
        try:
            return tomllib.loads(self.results.scenario_text)
        except tomllib.TOMLDecodeError:
            return {}


@dataclass
class Comparison:
    """What was written: for the command line's report and for tests."""

    path: Path
    kind: str
    labels: list[str]
    takeaway: str
    width_px: int
    height_px: int
    wall_s: float


# ---------------------------------------------------------------- loading
def load_runs(paths, labels_=None, handoff: str | None = None) -> tuple[list[Run], str]:
    """Read the folders (or their hand-off sub-folders); returns runs and hand-off label."""
    if len(paths) < 1:
        raise CellsimError("compare: give at least one results folder.")
    runs = [Run(Path(p), read_results(p)) for p in paths]
    for r in runs:
        r.events = r.results.events()
    chosen = ""
    if handoff or all(r.results.manifest.get("children") for r in runs):
        chosen = _handoff(runs, handoff)
    if labels_:
        if len(labels_) != len(runs):
            raise CellsimError(
                f"compare: {len(labels_)} label(s) for {len(runs)} results folder(s); give "
                "one --label per folder, in order."
            )
        for r, text in zip(runs, labels_, strict=True):
            r.label = text
    else:
        for r, text in zip(runs, run_labels(runs), strict=True):
            r.label = text
    return runs, chosen


def _handoff(runs: list[Run], wanted: str | None) -> str:
    shared = [
        c
        for c in runs[0].results.manifest.get("children", [])
        if all(c in r.results.manifest.get("children", []) for r in runs)
    ]
    if wanted:
        if wanted not in shared:
            have = ", ".join(shared) or "none"
            raise ResultsError(
                f"compare: --handoff {wanted}: not a hand-off of every run (shared: {have})."
            )
        return wanted
    if not shared:
        raise ResultsError(
            "compare: these chained runs share no hand-off sub-folder; compare the "
            "sub-folders themselves (e.g. RUN/day7_2200_fibre)."
        )
    return shared[0]


def _flat(table: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in table.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flat(v, key + "."))
        else:
            out[key] = v
    return out


def run_labels(runs: list[Run]) -> list[str]:
    """Labels from what differs: conditions in the summaries, scalar scenario keys."""
    if len(runs) == 1:
        return [_conditions_text(runs[0], CONDITIONS[:3]) or runs[0].name]
    differ = []
    for key in CONDITIONS:
        values = [r.summary.get(key) for r in runs]
        if all(v is not None for v in values) and len({repr(v) for v in values}) > 1:
            differ.append(key)
    flats = [_flat(r.scenario()) for r in runs]
    keys = set.intersection(*(set(f) for f in flats)) if flats else set()
    for key in sorted(keys):
        if key.split(".")[0] in IGNORED_TABLES or key in IGNORED_KEYS:
            continue
        values = [f[key] for f in flats]
        scalar = all(isinstance(v, (int, float, str, bool)) for v in values)
        if scalar and len({repr(v) for v in values}) > 1:
            q = labels.short(key)
            if not any(labels.short(d) == q for d in differ):  # same quantity, summary wins
                differ.append(key)
    if not differ or len(differ) > 2:
        names = [r.name for r in runs]
        if len(set(names)) == len(names):
            return names
        return [f"{n} [{r.path.name}]" for n, r in zip(names, runs, strict=True)]
    out = []
    for r, flat in zip(runs, flats, strict=True):
        parts = []
        for key in differ:
            v = r.summary.get(key) if key in CONDITIONS else flat.get(key)
            parts.append(_name_value(key, v))
        out.append(", ".join(parts))
    return out


def _name_value(key: str, v) -> str:
    q = labels.quantity(key)
    if isinstance(v, str):
        return f"{q.short or q.label} {v}"
    return f"{q.short or q.label} {q.value(v)}"


def _conditions_text(run: Run, keys) -> str:
    return ", ".join(_name_value(k, run.summary[k]) for k in keys if run.summary.get(k) is not None)


# ---------------------------------------------------------------- what to draw
def kind_of(runs: list[Run]) -> str:
    """What every run has data for: "twitch", "plasma" or "spikes"."""
    if all("force_fraction" in r.series for r in runs):
        return "twitch"
    if all("plasma_ica_mM" in r.series for r in runs):
        return "plasma"
    if all("spike_times_ms" in r.events for r in runs):
        return "spikes"
    have = "; ".join(
        f"{r.path.name}: {', '.join(list(r.series)[:5]) or 'no time series'}" for r in runs
    )
    raise ResultsError(
        "compare: these results have nothing in common to overlay (a twitch with "
        "force_fraction, plasma curves with plasma_ica_mM, or nerve spikes); "
        f"they hold {have}. Compare runs of the same kind."
    )


def _children(runs: list[Run], label: str) -> list[Run]:
    out = []
    for r in runs:
        child = Run(r.path / label, read_results(r.path / label), r.label)
        child.events = child.results.events()
        out.append(child)
    return out


def _time(run: Run) -> tuple[np.ndarray, str]:
    if "time_ms" in run.series:
        return run.series["time_ms"], "time (ms)"
    if "time_h" in run.series:
        return run.series["time_h"] / 24.0, "time (days)"
    first = next(iter(run.series))
    return run.series[first], first


def _colours(n: int):
    return [
        (style.SERIES[i % len(style.SERIES)], style.DASHES[i % len(style.DASHES)]) for i in range(n)
    ]


#: Stimulus marks in grey: the runs' own lines take the colours.
MARK = "0.45"


def _stimulus_word(runs: list[Run]) -> str:
    """A fibre driven by a nerve is stimulated by muscle action potentials."""
    if any("muscle_ap_times_ms" in r.events for r in runs):
        return "muscle AP"
    return "stimulus"


def _stimuli(runs: list[Run]) -> list[float]:
    times = set()
    for r in runs:
        for key in ("stimulus_times_ms", "stimulus_onsets_ms"):
            times.update(float(t) for t in r.events.get(key, []))
    return sorted(times)


def _lines(ax, runs, column, *, factor=1.0, dashed=False, label=True):
    for r, (colour, dash) in zip(runs, _colours(len(runs)), strict=True):
        if column not in r.series:
            continue
        t, _ = _time(r)
        ax.plot(
            t,
            factor * np.asarray(r.series[column], dtype=float),
            color=colour,
            ls=(0, (2, 2)) if dashed else dash,
            lw=2.0 if dashed else style.LINE_PT,
            label=r.label if label else None,
        )


def _twitch_panels(axes, runs) -> None:
    ax_ca, ax_occ, ax_force, ax_sl = axes
    _lines(ax_ca, runs, "ca_free_uM")
    ax_ca.set_ylabel("free Ca (µM)")
    ax_ca.set_ylim(0, None)
    _lines(ax_occ, runs, "tn_reg_ca_fraction", factor=100.0, label=False)
    _lines(ax_occ, runs, "tn_reg_mg_fraction", factor=100.0, dashed=True, label=False)
    ax_occ.set_ylim(0, 100)
    ax_occ.set_ylabel("troponin sites (%)")
    style.note(ax_occ, "holding Ca: thick\nholding Mg: thin dashed", loc="upper right")
    force = [100 * np.max(r.series["force_fraction"], initial=0) for r in runs]
    _lines(ax_force, runs, "force_fraction", factor=100.0, label=False)
    ax_force.set_ylim(0, max(105.0, 1.05 * max(force, default=0)))
    ax_force.set_ylabel("force (% of maximum)")
    if all("sarcomere_length_um" in r.series for r in runs):
        _lines(ax_sl, runs, "sarcomere_length_um", label=False)
        ax_sl.set_ylim(2.0, 2.55)
        ax_sl.set_ylabel("sarcomere length (µm)")
    else:
        ax_sl.set_visible(False)


def _plasma_panels(axes, runs) -> None:
    for ax, column in zip(
        axes, ("plasma_ica_mM", "plasma_mg_mM", "mg_icf_free_mM", "pth_pmol_L"), strict=False
    ):
        if not all(column in r.series for r in runs):
            ax.set_visible(False)
            continue
        _lines(ax, runs, column, label=ax is axes[0])
        ax.set_ylabel(labels.axis_label(column))
        _pad_limits(ax, runs, column)


def _pad_limits(ax, runs, column, least_span_share: float = 0.1) -> None:
    """Y limits that do not magnify noise: a span of at least 10 % of the mean."""
    values = np.concatenate([np.asarray(r.series[column], dtype=float) for r in runs])
    finite = values[np.isfinite(values)]
    if finite.size:
        least = least_span_share * abs(float(np.mean(finite)))
        style.sensible_limits(ax, finite, least_span=least)


def _spike_panels(axes, runs) -> None:
    ax_raster, ax_count, ax_q, ax_spare = axes
    n = len(runs)
    for i, (r, (colour, _)) in enumerate(zip(runs, _colours(n), strict=True)):
        y = n - 1 - i
        spikes = np.asarray(r.events.get("spike_times_ms", []), dtype=float)
        muscle = np.asarray(r.events.get("muscle_ap_times_ms", []), dtype=float)
        ax_raster.vlines(spikes, y + 0.5, y + 0.9, color=colour, lw=2.5)
        ax_raster.vlines(muscle, y + 0.1, y + 0.45, color=colour, lw=1.5, alpha=0.6)
        t, _ = _time(r)
        ax_count.step(
            np.concatenate([[t[0]], np.sort(spikes), [t[-1]]]),
            np.concatenate([[0], np.arange(1, spikes.size + 1), [spikes.size]]),
            where="post",
            color=colour,
            ls=style.DASHES[i % len(style.DASHES)],
            label=r.label,
        )
    ax_raster.set_ylim(0, n)
    ax_raster.set_yticks([n - 1 - i + 0.5 for i in range(n)], [r.label for r in runs])
    ax_raster.set_title("spikes (tall) and muscle APs (short)", loc="left", fontsize=style.FONT_PT)
    ax_count.set_ylabel("axon spikes so far")
    if all("quanta_total" in r.series for r in runs):
        _lines(ax_q, runs, "quanta_total", label=False)
        ax_q.set_ylabel("quanta released so far")
    else:
        ax_q.set_visible(False)
    ax_spare.set_visible(False)


PANELS = {"twitch": _twitch_panels, "plasma": _plasma_panels, "spikes": _spike_panels}


# ---------------------------------------------------------------- takeaways
def _twitch_numbers(run: Run) -> dict:
    """Peak force, half-relaxation (None: never relaxed), peak Ca of one run.

    The run's own summary values are used when it has them (the figures a run prints);
    otherwise they are read off its time series (half-relaxation: from the last force
    peak until force is below half of it).
    """
    s, ts = run.summary, run.series
    t = np.asarray(ts["time_ms"], dtype=float)
    force = np.asarray(ts["force_fraction"], dtype=float)
    peak = s.get("peak_force_fraction")
    if peak is None:
        peak = float(np.max(force, initial=0.0))
    if "half_relaxation_ms" in s:
        half = s["half_relaxation_ms"]
    else:
        k = int(np.argmax(force))
        below = np.flatnonzero(force[k:] < 0.5 * force[k])
        half = float(t[k + below[0]] - t[k]) if below.size else None
    never = half is None or (isinstance(half, float) and math.isnan(half))
    return {
        "peak_force_fraction": float(peak),
        "half_relaxation_ms": None if never else float(half),
        "cramp": bool(s.get("cramp", never)),
        "peak_ca_uM": float(np.max(ts.get("ca_free_uM", [0.0]), initial=0.0)),
    }


def twitch_takeaway(runs: list[Run]) -> str:
    """E.g. "relaxation half-time +14 ms at free Mg 0.15 mM (vs 0.5 mM)"."""
    ref = _twitch_numbers(runs[0])
    said = []
    for r in runs[1:]:
        n = _twitch_numbers(r)
        ref_twitch, twitch = ref["peak_force_fraction"] >= 0.05, n["peak_force_fraction"] >= 0.05
        if not (ref_twitch and twitch):
            said.append(_twitch_or_not(r, n, twitch))
            continue
        if ref["half_relaxation_ms"] is not None and n["half_relaxation_ms"] is None:
            t = r.series["time_ms"]
            left = 100 * float(r.series["force_fraction"][-1])
            said.append(
                f"never relaxes at {r.label} (force still {left:.0f} % of maximum at "
                f"{t[-1]:.0f} ms)"
            )
        elif ref["half_relaxation_ms"] is None and n["half_relaxation_ms"] is not None:
            said.append(f"relaxes at {r.label} (half-time {n['half_relaxation_ms']:.0f} ms)")
        elif ref["half_relaxation_ms"] is not None and (
            abs(n["half_relaxation_ms"] - ref["half_relaxation_ms"])
            > 0.1 * ref["half_relaxation_ms"]
        ):
            delta = n["half_relaxation_ms"] - ref["half_relaxation_ms"]
            said.append(f"relaxation half-time {delta:+.0f} ms at {r.label}")
        else:
            delta = 100 * (n["peak_force_fraction"] - ref["peak_force_fraction"])
            said.append(f"peak force {delta:+.0f} % of maximum at {r.label}")
    if not said:
        return _single_twitch(runs[0], ref)
    quiet = "" if ref["peak_force_fraction"] >= 0.05 else ": no twitch"
    return "; ".join(said) + f" (vs {runs[0].label}{quiet})"


def _twitch_or_not(run: Run, n: dict, twitch: bool) -> str:
    """A run with or without a twitch (peak force 5 % of maximum), with its spikes if any."""
    spikes = run.events.get("spike_times_ms")
    why = f", {len(spikes)} axon spikes" if spikes is not None else ""
    if twitch:
        return (
            f"twitches at {run.label} (peak force {100 * n['peak_force_fraction']:.0f} % of "
            f"maximum{why})"
        )
    return f"no twitch at {run.label}" + (f" ({why[2:]})" if why else "")


def _single_twitch(run: Run, n: dict) -> str:
    head = f"{run.label}: peak force {100 * n['peak_force_fraction']:.0f} % of maximum"
    if n["half_relaxation_ms"] is None:
        return head + "; never relaxes to half"
    return head + f"; relaxes to half in {n['half_relaxation_ms']:.0f} ms"


def plasma_takeaway(runs: list[Run]) -> str:
    """The largest relative difference on the last day among the plasma panels."""
    columns = ("plasma_ica_mM", "plasma_mg_mM", "mg_icf_free_mM", "pth_pmol_L")

    def last_day(r: Run, column: str) -> float:
        t, _ = _time(r)
        y = np.asarray(r.series[column], dtype=float)
        keep = t >= t[-1] - 1.0
        return float(np.mean(y[keep]))

    if len(runs) == 1:
        r = runs[0]
        bits = [
            f"{labels.short(c)} {labels.quantity(c).value(last_day(r, c))}"
            for c in columns[:2]
            if c in r.series
        ]
        return f"{r.label}, last day: " + ", ".join(bits)
    best = None
    for column in columns:
        if not all(column in r.series for r in runs):
            continue
        ref = last_day(runs[0], column)
        for r in runs[1:]:
            delta = last_day(r, column) - ref
            rel = abs(delta) / abs(ref) if ref else abs(delta)
            if best is None or rel > best[0]:
                best = (rel, column, delta, r)
    if best is None:
        return ""
    rel, column, delta, r = best
    q = labels.quantity(column)
    return (
        f"{labels.short(column)} {q.change(delta)} ({100 * rel:.0f} %) on the last day at "
        f"{r.label} (vs {runs[0].label})"
    )


def spike_takeaway(runs: list[Run]) -> str:
    """Spike counts of every run, e.g. "axon spikes: 12 at Ca 0.7 mM, 0 at 1.2 mM"."""
    bits = []
    for r in runs:
        n = len(r.events.get("spike_times_ms", []))
        muscle = len(r.events.get("muscle_ap_times_ms", []))
        bits.append(f"{n} at {r.label}" + (f" ({muscle} muscle APs)" if muscle else ""))
    pulses = sum(len(r.events.get("stimulus_onsets_ms", [])) for r in runs)
    head = "axon spikes" + ("" if pulses else " without any stimulus")
    return f"{head}: " + ", ".join(bits)


TAKEAWAYS = {"twitch": twitch_takeaway, "plasma": plasma_takeaway, "spikes": spike_takeaway}


def takeaway(runs: list[Run], kind: str | None = None) -> str:
    """The one-line message of a comparison, computed from the runs."""
    return TAKEAWAYS[kind or kind_of(runs)](runs)


# ---------------------------------------------------------------- the figure
def figure(runs: list[Run], handoff: str = "", title: str | None = None):
    """The comparison figure (classroom style) and its takeaway."""
    import matplotlib.pyplot as plt

    with style.classroom():
        fig, grid = plt.subplots(2, 2)
        fig.subplots_adjust(left=0.08, right=0.985, top=0.8, bottom=0.19, hspace=0.42, wspace=0.24)
        axes = list(grid.flat)
        if handoff:
            kind, text = _chain(fig, axes, runs, handoff)
        else:
            kind = kind_of(runs)
            PANELS[kind](axes, runs)
            _x_axes(axes, runs)
            if kind != "plasma":
                for ax in axes:
                    if ax.get_visible():
                        style.mark_stimuli(ax, _stimuli(runs), label=None, colour=MARK)
                style.mark_stimuli(axes[0], _stimuli(runs), label=_stimulus_word(runs),
                                   colour=MARK)  # fmt: skip
            text = takeaway(runs, kind)
        handles, names = _legend_items(fig, runs)
        fig.legend(handles, names, loc="upper center", bbox_to_anchor=(0.5, 0.925),
                   ncol=min(len(runs), 4))  # fmt: skip
        if title is None:
            names = [r.name for r in runs]
            if len(set(names)) < len(names):  # one scenario run twice: name the folders
                names = [r.path.name for r in runs]
            title = "Compared: " + " · ".join(names)
            if handoff:
                title += f" (hand-off {handoff})"
        fig.suptitle(title, x=0.01, y=0.985, ha="left", va="top")
        style.fit_width(fig, fig._suptitle)
        style.takeaway(fig, text)
    return fig, kind, text


def _legend_items(fig, runs):
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=c, ls=d, lw=style.LINE_PT) for c, d in _colours(len(runs))]
    return handles, [r.label for r in runs]


def _x_axes(axes, runs) -> None:
    visible = [ax for ax in axes if ax.get_visible()]
    spans = [_time(r)[0] for r in runs]
    lo = min(float(t[0]) for t in spans)
    hi = max(float(t[-1]) for t in spans)
    name = _time(runs[0])[1]
    for ax in visible:
        ax.set_xlim(lo, hi)
    for ax in visible[-2:]:
        ax.set_xlabel(name)


def _chain(fig, axes, runs, handoff):
    """Top: the parent's first two panels; bottom: the hand-off's first two panels."""
    parent_kind = kind_of(runs)
    children = _children(runs, handoff)
    child_kind = kind_of(children)
    import matplotlib.pyplot as plt

    spare = [plt.figure() for _ in range(2)]  # throw-away axes for panels not shown
    try:
        extra = [f.add_subplot() for f in spare]
        PANELS[parent_kind]([axes[0], axes[1], *extra], runs)
        _x_axes(axes[:2], runs)
        time_h = runs[0].summary.get("handoffs", {}).get(handoff, {}).get("time_h")
        if time_h is not None:
            for ax in axes[:2]:
                style.mark_change(ax, time_h / 24.0, "hand-off" if ax is axes[0] else "")
        below = {  # the hand-off's two main panels: force and free Ca; raster and count
            "twitch": [axes[3], extra[0], axes[2], extra[1]],
            "spikes": [axes[2], axes[3], *extra],
            "plasma": [axes[2], axes[3], *extra],
        }[child_kind]
        PANELS[child_kind](below, children)
        _x_axes(axes[2:], children)
        for ax in axes[2:]:
            style.mark_stimuli(ax, _stimuli(children), label=None, colour=MARK)
    finally:
        for f in spare:
            plt.close(f)
    for ax in axes[:2]:
        ax.set_title("body", loc="left", fontsize=style.FONT_PT)
    for ax in axes[2:]:
        ax.set_title(f"at the hand-off {handoff}", loc="left", fontsize=style.FONT_PT)
    text = f"at {handoff}: " + TAKEAWAYS[child_kind](children)
    return f"{parent_kind}+{child_kind}", text


def compare(
    paths,
    out,
    *,
    labels_: list[str] | None = None,
    handoff: str | None = None,
    title: str | None = None,
) -> Comparison:
    """Overlay results folders ``paths`` and write the figure to ``out`` (.png, .pdf, .svg)."""
    import matplotlib.pyplot as plt

    start = time.perf_counter()
    out = Path(out)
    if out.suffix.lower() not in (".png", ".pdf", ".svg"):
        raise CellsimError(
            f"{out}: cannot write '{out.suffix or '(no extension)'}'; end the name with "
            ".png, .pdf or .svg."
        )
    runs, chosen = load_runs(list(paths), labels_, handoff)
    fig, kind, text = figure(runs, chosen, title)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    w, h = fig.get_size_inches() * fig.dpi
    plt.close(fig)
    return Comparison(
        out,
        kind,
        [r.label for r in runs],
        text,
        round(w),
        round(h),
        time.perf_counter() - start,
    )

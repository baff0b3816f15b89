"""A sweep's products: the tidy table (CSV, Parquet), standard plots and a report.

Everything here is made from the run records on disk, never by running a model,
so it can be redone (e.g. after changing ``metrics``) without re-running.
"""

from __future__ import annotations

import itertools
import json
import math
import numbers
import re
from pathlib import Path
from typing import Any

import numpy as np

from cellsim.sweep.spec import SweepSpec
from cellsim.sweep.tasks import Task, metric_value

FIXED_COLUMNS = ("run", "point", "replicate", "seed")
TAIL_COLUMNS = ("status", "error", "wall_time_s", "run_hash")


def _cell(value: Any) -> Any:
    if isinstance(value, (list, dict, tuple)):
        return json.dumps(value)
    return value


def build_table(spec: SweepSpec, tasks: list[Task], records: dict[str, dict]):
    """One row per run, in run order: parameters, replicate, seed, metrics, status..."""
    import pandas as pd

    rows = []
    for t in tasks:
        rec = records.get(t.run_hash)
        row: dict[str, Any] = {
            "run": t.index,
            "point": t.point,
            "replicate": t.replicate,
            "seed": t.seed,
        }
        row.update({name: _cell(v) for name, v in t.params.items()})
        summary = rec["summary"] if rec else {}
        for m in spec.metrics:
            row[m] = _cell(metric_value(summary, m))
        row["status"] = rec["status"] if rec else "pending"
        row["error"] = rec["error"] if rec else ""
        row["wall_time_s"] = rec["wall_time_s"] if rec else None
        row["run_hash"] = t.run_hash
        rows.append(row)
    df = pd.DataFrame(rows)
    for name in [p.name for p in spec.parameters] + list(spec.metrics):
        df[name] = _column(pd, [row[name] for row in rows])
    df["wall_time_s"] = pd.to_numeric(df["wall_time_s"], errors="coerce").astype(float)
    return df.sort_values("run", kind="stable").reset_index(drop=True)


def _column(pd, raw: list):
    """A typed column from raw values: nullable bool / int, float, or text."""
    vals = [v for v in raw if v is not None and not _isnan(v)]
    if not vals:
        return pd.Series(raw, dtype=float)
    if all(isinstance(v, bool) for v in vals):
        return pd.Series(raw, dtype="boolean")
    if all(isinstance(v, int) and not isinstance(v, bool) for v in vals):
        return pd.Series(raw, dtype="Int64")  # counts stay integers, gaps for failed runs
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in vals):
        return pd.Series([float("nan") if v is None else v for v in raw], dtype=float)
    if all(isinstance(v, str) for v in vals):
        return pd.Series(raw, dtype=object)
    return pd.Series([None if v is None else str(v) for v in raw], dtype=object)  # mixed


def _isnan(v) -> bool:
    return isinstance(v, float) and math.isnan(v)


def write_outputs(spec: SweepSpec, directory: Path, tasks: list[Task], records: dict):
    """Write table.csv, table.parquet, plots/ and report.md; return the table."""
    df = build_table(spec, tasks, records)
    df.to_csv(directory / "table.csv", index=False)
    df.to_parquet(directory / "table.parquet", index=False)
    plots = make_plots(spec, df, directory / "plots")
    (directory / "report.md").write_text(report_text(spec, df, tasks, plots))
    return df


# ---------------------------------------------------------------- numbers


def _numeric(series) -> bool:
    vals = [v for v in series if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return bool(vals) and all(
        isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
        for v in vals
    )


def _metric_as_float(df, metric):
    import pandas as pd

    col = df[metric]
    if str(col.dtype) == "boolean":
        return col.astype("Float64").astype(float)
    return pd.to_numeric(col, errors="coerce").astype(float)


def _point_means(spec: SweepSpec, df, metric: str):
    """Per point: parameter values, mean and sd of a metric over its ok replicates."""
    ok = df[df["status"] == "ok"].copy()
    ok["_y"] = _metric_as_float(ok, metric)
    names = [p.name for p in spec.parameters]
    g = ok.groupby("point", sort=True)
    out = g[names].first()
    out["mean"] = g["_y"].mean()
    out["sd"] = g["_y"].std(ddof=1)
    out["n"] = g["_y"].count()
    return out.reset_index()


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def _where(row, names, spec: SweepSpec | None = None) -> str:
    if spec is None:
        return ", ".join(f"{n} = {_fmt(row[n])}" for n in names)
    return ", ".join(f"{_short(spec, n)} {_value(spec, n, row[n])}" for n in names)


# ---------------------------------------------------------------- plots
#
# Drawn with matplotlib in the classroom style (cellsim.render.style) and labelled from
# the one label/unit table (cellsim.render.labels).  We considered seaborn; its
# aggregation would hide what these plots must show (runs that never relaxed, booleans
# as a fraction of runs, log ticks at the sweep's own values), so plain matplotlib it is.


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")


def make_plots(spec: SweepSpec, df, folder: Path) -> list[Path]:
    """Metric vs the first parameter (replicates as points, mean ± sd), a heatmap for two."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from cellsim.render import style

    if not (df["status"] == "ok").any():
        return []
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    params = spec.parameters
    ok = df["status"] == "ok"
    with style.classroom():
        for metric in spec.metrics:
            y_all = _metric_as_float(df[ok], metric)
            never = _missing_means_something(metric) and y_all.isna().any()
            if not (np.isfinite(y_all).any() or never):
                continue
            if spec.design == "grid":
                fig = _line_plot(spec, df, metric, plt)
                name = f"{_slug(metric)}_vs_{_slug(params[0].name)}.png"
                made.append(_save(fig, folder / name, plt))
                if len(params) >= 2:
                    fig = _heatmap(spec, df, metric, plt)
                    made.append(_save(fig, folder / f"{_slug(metric)}_heatmap.png", plt))
            else:
                fig = _scatter(spec, df, metric, plt)
                made.append(_save(fig, folder / f"{_slug(metric)}_scatter.png", plt))
    return made


def _missing_means_something(metric: str) -> bool:
    from cellsim.render.labels import quantity

    return bool(quantity(metric).missing)


def _save(fig, path: Path, plt) -> Path:
    fig.savefig(path)
    plt.close(fig)
    return path


def _x_positions(spec, p, values):
    """Numeric x for a parameter; category indices for strings and lists."""
    if _numeric(values):
        return np.asarray(values, dtype=float), None
    cats = list(dict.fromkeys(values))
    return np.asarray([cats.index(v) for v in values], dtype=float), cats


def _is_bool(df, metric) -> bool:
    return str(df[metric].dtype) == "boolean"


def _x_axis(ax, p, x_values, cats) -> None:
    """Labels and ticks of a parameter axis: log ticks at the sweep's values, categories."""
    from cellsim.render import labels, style

    q = labels.quantity(p.name if not p.key else p.key)
    if cats is not None:
        ax.set_xticks(range(len(cats)), [str(c) for c in cats], rotation=15)
    elif p.scale == "log":
        style.tidy_log_axis(ax, x_values)
    else:
        values = sorted(set(float(v) for v in x_values))
        if len(values) <= 8:
            ax.set_xticks(values, [f"{v * q.factor:.3g}" for v in values])
    ax.set_xlabel(q.axis())


def _line_plot(spec: SweepSpec, df, metric: str, plt):
    from cellsim.render import labels, style

    p1 = spec.parameters[0]
    p2 = spec.parameters[1] if len(spec.parameters) > 1 else None
    q = labels.quantity(metric)
    ok = df[df["status"] == "ok"]
    boolean = _is_bool(df, metric)
    means = _point_means(spec, df, metric)
    groups = (
        [(None, means, ok)]
        if p2 is None
        else [
            (v, means[means[p2.name] == v], ok[ok[p2.name] == v])
            for v in sorted(dict.fromkeys(means[p2.name]), key=_sort_key)
        ]
    )
    fig, ax = plt.subplots()
    fig.subplots_adjust(left=0.09, right=0.97 if p2 is None else 0.8, top=0.86, bottom=0.13)
    finite = _metric_as_float(ok, metric) * q.factor
    top = float(np.nanmax(finite)) if np.isfinite(finite).any() else 1.0
    never_y = 1.12 * top if top > 0 else 1.0
    cats, never_total = None, 0
    for i, (label, m, pts) in enumerate(groups):
        colour = style.SERIES[i % len(style.SERIES)]
        x_pts, cats = _x_positions(spec, p1, list(pts[p1.name]))
        y_pts = _metric_as_float(pts, metric).to_numpy() * q.factor
        x_m, _ = _x_positions(spec, p1, list(m[p1.name]))
        order = np.argsort(x_m)
        mean = m["mean"].to_numpy(dtype=float)[order] * q.factor
        legend = None if label is None else labels.quantity(p2.key or p2.name).value(label)
        if boolean:  # the share of runs where it is true, not a mean ± sd of 0s and 1s
            ax.plot(x_m[order], mean, "o-", color=colour, label=legend)
        else:
            ax.plot(x_pts, y_pts, "o", ms=6, alpha=0.35, color=colour)
            sd = np.nan_to_num(m["sd"].to_numpy(dtype=float)[order]) * q.factor
            ax.errorbar(x_m[order], mean, yerr=sd, marker="s", capsize=5, color=colour,
                        label=legend)  # fmt: skip
            missing = np.isnan(y_pts)
            if missing.any() and q.missing:  # shown where the story is, not dropped
                never_total += int(missing.sum())
                ax.plot(x_pts[missing], np.full(missing.sum(), never_y), "^", ms=14,
                        color=colour, mec="black", zorder=5)  # fmt: skip
    if never_total:
        ax.axhline(never_y, color="0.6", ls=":", lw=1.5, zorder=0)
        ax.annotate(f"▲ {q.missing} ({never_total} run{'s' if never_total > 1 else ''})",
                    xy=(0.99, never_y), xycoords=("axes fraction", "data"), va="bottom", ha="right",
                    fontsize=style.NOTE_PT, color="0.2")  # fmt: skip
        ax.set_ylim(0 if top > 0 else None, never_y * 1.1)
    elif boolean:
        ax.set_ylim(-5, 105)
    _x_axis(ax, p1, list(ok[p1.name]), cats)
    ax.set_ylabel(q.axis())
    reps = (
        f"share of {spec.replicates} runs per point"
        if boolean
        else f"mean ± sd of {spec.replicates} runs per point"
        if spec.replicates > 1
        else "one run per point"
    )
    ax.set_title(f"{q.label} vs {labels.short(p1.key or p1.name)} ({reps})", loc="left")
    if p2 is not None:
        ax.legend(title=labels.short(p2.key or p2.name), loc="upper left",
                  bbox_to_anchor=(1.01, 1.0))  # fmt: skip
    return fig


def _sort_key(v):
    """Numbers ascending (numpy's too), then text."""
    if isinstance(v, (numbers.Real, np.number)) and not isinstance(v, (bool, np.bool_)):
        return (0, float(v), "")
    return (1, 0.0, str(v))


def _heatmap(spec: SweepSpec, df, metric: str, plt):
    """Mean of a metric over the first two parameters; x and y ascending."""
    from cellsim.render import labels, style

    p1, p2 = spec.parameters[0], spec.parameters[1]
    q = labels.quantity(metric)
    means = _point_means(spec, df, metric)
    xs, ys = sorted(p1.grid(), key=_sort_key), sorted(p2.grid(), key=_sort_key)
    grid = np.full((len(ys), len(xs)), np.nan)
    table = means.groupby([p1.name, p2.name], sort=False)["mean"].mean()  # over other params
    for (x, y), v in table.items():
        if x in xs and y in ys:
            grid[ys.index(y), xs.index(x)] = v * q.factor
    fig, ax = plt.subplots()
    fig.subplots_adjust(left=0.12, right=0.95, top=0.86, bottom=0.13)
    im = ax.imshow(grid, origin="lower", aspect="auto", cmap="viridis")
    qx, qy = labels.quantity(p1.key or p1.name), labels.quantity(p2.key or p2.name)
    ax.set_xticks(range(len(xs)), [_fmt_scaled(v, qx) for v in xs])
    ax.set_yticks(range(len(ys)), [_fmt_scaled(v, qy) for v in ys])
    ax.set_xlabel(qx.axis())
    ax.set_ylabel(qy.axis())
    if grid.size <= 80:
        lo, hi = np.nanmin(grid, initial=np.inf), np.nanmax(grid, initial=-np.inf)
        for (r, c), v in np.ndenumerate(grid):
            text = (
                (q.missing or "–") if np.isnan(v) else f"{v:.0f}" if abs(v) >= 1000 else f"{v:.3g}"
            )
            light = np.isnan(v) or v < lo + 0.6 * (hi - lo)
            ax.text(c, r, text, ha="center", va="center", fontsize=style.NOTE_PT,
                    color="white" if light and not np.isnan(v) else "black")  # fmt: skip
    fig.colorbar(im, ax=ax, label=f"{q.axis()}, mean")
    ax.spines[["top", "right"]].set_visible(True)
    ax.set_title(q.label, loc="left")
    return fig


def _fmt_scaled(v, q) -> str:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return f"{v * q.factor:.3g}"
    return str(v)


def _scatter(spec: SweepSpec, df, metric: str, plt):
    from cellsim.render import labels

    ok = df[df["status"] == "ok"]
    q = labels.quantity(metric)
    n = len(spec.parameters)
    fig, axes = plt.subplots(1, n, squeeze=False, sharey=True)
    fig.subplots_adjust(left=0.08, right=0.98, top=0.86, bottom=0.15, wspace=0.15)
    for ax, p in zip(axes[0], spec.parameters, strict=True):
        x, cats = _x_positions(spec, p, list(ok[p.name]))
        ax.plot(x, _metric_as_float(ok, metric) * q.factor, "o", alpha=0.6)
        _x_axis(ax, p, list(ok[p.name]), cats)
    axes[0][0].set_ylabel(q.axis())
    fig.suptitle(f"{spec.name}: {q.label}", x=0.01, ha="left")
    return fig


# ---------------------------------------------------------------- report


def _varied_line(p) -> str:
    if p.values is not None:
        vals = ", ".join(_fmt(v) for v in p.values)
        link = "".join(f"; with {k} = [{', '.join(map(_fmt, v))}]" for k, v in p.link.items())
        return f"| `{p.name}` | values [{vals}]{link} |"
    steps = f", {p.steps} steps" if p.steps else ""
    return f"| `{p.name}` | {p.scale} range {_fmt(p.low)} to {_fmt(p.high)}{steps} |"


def _flips(spec: SweepSpec, means, names) -> list[str]:
    """Where a boolean metric (mean over replicates, > 0.5 = true) flips along parameter 1."""
    p1 = names[0]
    others = names[1:]
    groups = [((), means)] if not others else list(means.groupby(others, sort=True))
    out = []
    for key, g in groups:
        g = g.dropna(subset=["mean"])
        if not _numeric(list(g[p1])):
            continue
        g = g.sort_values(p1)
        state = (g["mean"] > 0.5).to_numpy()
        xs = g[p1].to_numpy()
        key = key if isinstance(key, tuple) else (key,)
        ctx = (
            ""
            if not others
            else " at "
            + ", ".join(
                f"{_short(spec, n)} {_value(spec, n, v)}" for n, v in zip(others, key, strict=True)
            )
        )
        for i in range(1, len(state)):
            if state[i] != state[i - 1]:
                out.append(
                    f"flips from {str(bool(state[i - 1])).lower()} to "
                    f"{str(bool(state[i])).lower()} between {_short(spec, p1)} "
                    f"{_value(spec, p1, xs[i - 1])} and {_value(spec, p1, xs[i])}{ctx}"
                )
        if not any(state != state[0]):
            out.append(f"is {str(bool(state[0])).lower()} throughout{ctx}")
    return out


def _trend(means, p1) -> str:
    g = means.dropna(subset=["mean"])
    if len(g) < 3 or not _numeric(list(g[p1])) or g[p1].nunique() != len(g):
        return ""
    y = g.sort_values(p1)["mean"].to_numpy()
    d = np.diff(y)
    from cellsim.render.labels import short

    if (d > 0).all():
        return f"rises with {short(p1)} throughout"
    if (d < 0).all():
        return f"falls with {short(p1)} throughout"
    return ""


def _ordered(values: np.ndarray, metric: str) -> np.ndarray:
    """Values for ordering: a missing value that means "never" (never relaxed) is +inf."""
    from cellsim.render.labels import quantity

    if quantity(metric).missing:
        return np.where(np.isnan(values), np.inf, values)
    return values


def check_expectation(spec: SweepSpec, df, e) -> tuple[str, list[str]]:
    """Whether an :class:`~cellsim.sweep.spec.Expectation` held: verdict and reasons.

    Along the parameter (ascending), at each combination of the other parameters, every
    step of the mean must go the stated way or stay within noise (twice the standard
    error of the difference of two means), and the last point must differ from the first
    the stated way by more than that noise (at least 0.5 % of the values: see
    :data:`RELATIVE_TOLERANCE`).  Runs that never reached a value whose
    absence means "never" (a twitch that never relaxed) count as infinitely long.
    Verdict: "held", "did not hold", "held in k of n cases" or "no data".
    """
    from cellsim.render.labels import quantity

    ok = df[df["status"] == "ok"].copy()
    ok["_y"] = _ordered(_metric_as_float(ok, e.metric).to_numpy(), e.metric)
    others = [p.name for p in spec.parameters if p.name != e.parameter]
    sign = 1.0 if e.direction == "rises" else -1.0
    q, qp = quantity(e.metric), quantity(_key_of(spec, e.parameter))
    cases = [((), ok)] if not others else list(ok.groupby(others, sort=True))
    held, reasons = 0, []
    for key, g in cases:
        key = key if isinstance(key, tuple) else (key,)
        at = (
            ""
            if not others
            else " at "
            + ", ".join(
                f"{_short(spec, n)} {_value(spec, n, v)}" for n, v in zip(others, key, strict=True)
            )
        )
        stats = []
        for x, pts in sorted(g.groupby(e.parameter), key=lambda kv: _sort_key(kv[0])):
            y = pts["_y"].to_numpy(dtype=float)
            y = y[~np.isnan(y)]
            if not y.size:
                continue
            finite = y[np.isfinite(y)]
            se = float(np.std(finite, ddof=1) / np.sqrt(len(finite))) if len(finite) > 1 else 0.0
            stats.append((x, float(np.mean(y)), se))
        if len(stats) < 2:
            continue
        bad = None
        for (x0, m0, s0), (x1, m1, s1) in itertools.pairwise(stats):
            if sign * _difference(m0, m1) < -_noise(m0, m1, s0, s1):
                bad = (x0, m0, x1, m1)
                break
        (xa, ma, sa), (xb, mb, sb) = stats[0], stats[-1]
        moved = sign * _difference(ma, mb) > _noise(ma, mb, sa, sb)
        if bad is None and moved:
            held += 1
        elif bad is not None:
            x0, m0, x1, m1 = bad
            turn = "falls" if e.direction == "rises" else "rises"
            reasons.append(
                f"{turn} from {q.value(_finite_or_nan(m0), 4)} to "
                f"{q.value(_finite_or_nan(m1), 4)} "
                f"between {qp.short or qp.label} {qp.value(x0)} and {qp.value(x1)}{at}"
            )
        else:
            reasons.append(
                f"no change beyond noise from {qp.value(xa)} to {qp.value(xb)}{at} "
                f"({q.value(_finite_or_nan(ma))} to {q.value(_finite_or_nan(mb))})"
            )
    n = held + len(reasons)
    if n == 0:
        return "no data", []
    if held == n:
        return "held", []
    if held == 0:
        return "did not hold", reasons
    return f"held in {held} of {n} cases", reasons


#: Changes smaller than this share of the values count as no change (a deterministic
#: model has no replicate noise, and a 0.1 % wobble is not a trend).
RELATIVE_TOLERANCE = 0.005


def _noise(m0: float, m1: float, s0: float, s1: float) -> float:
    """Twice the standard error of a difference of two means, at least 0.5 % of them."""
    scale = max((abs(m) for m in (m0, m1) if np.isfinite(m)), default=0.0)
    return max(2.0 * math.hypot(s0, s1), RELATIVE_TOLERANCE * scale)


def _difference(m0: float, m1: float) -> float:
    """m1 - m0, where "never" (+inf) equals itself and exceeds every number."""
    if np.isinf(m0) and np.isinf(m1):
        return 0.0
    return m1 - m0


def _finite_or_nan(v: float) -> float:
    return v if np.isfinite(v) else math.nan


def _key_of(spec: SweepSpec, name: str) -> str:
    for p in spec.parameters:
        if p.name == name:
            return p.key or p.name
    return name


def _short(spec: SweepSpec, name: str) -> str:
    from cellsim.render.labels import short

    return short(_key_of(spec, name))


def _value(spec: SweepSpec, name: str, v) -> str:
    from cellsim.render.labels import quantity

    return quantity(_key_of(spec, name)).value(v)


def expectations_text(spec: SweepSpec, df) -> list[str]:
    """The "Did the expectations hold?" section of the report (empty without any)."""
    if not spec.expect:
        return []
    lines = ["", "## Did the expectations hold?", ""]
    for e in spec.expect:
        verdict, reasons = check_expectation(spec, df, e)
        lines.append(f"- *{e.text()}* (`{e.metric}` {e.direction} with `{e.parameter}`): "
                     f"**{verdict}**" + ("." if not reasons else ":"))  # fmt: skip
        shown = reasons[:6]
        lines += [f"  - {r}" for r in shown]
        if len(reasons) > len(shown):
            lines.append(f"  - ... and {len(reasons) - len(shown)} more")
    return lines


def report_text(spec: SweepSpec, df, tasks: list[Task], plots: list[Path]) -> str:
    """The Markdown report: what was varied, what was found, what failed."""
    names = [p.name for p in spec.parameters]
    status = df["status"].value_counts().to_dict()
    scale = tasks[0].scale if tasks else "?"
    lines = [f"# Sweep: {spec.name}", ""]
    if spec.description:
        lines += [spec.description, ""]
    design = spec.design if spec.design == "grid" else f"{spec.design} ({spec.samples} samples)"
    lines += [
        f"- base scenario: `{spec.base}` ({scale} scale)",
        f"- design: {design}; {spec.n_points} points x {spec.replicates} replicates = "
        f"{spec.n_runs} runs; sweep seed {spec.seed}, {spec.seeds} seeds per replicate",
        f"- runs: {status.get('ok', 0)} ok, {status.get('error', 0)} failed, "
        f"{status.get('pending', 0)} not yet run",
    ]
    if spec.fixed:
        lines.append("- fixed: " + ", ".join(f"`{k} = {v!r}`" for k, v in spec.fixed.items()))
    wall = df["wall_time_s"].sum()
    lines += [
        f"- compute time (sum over runs): {wall:.1f} s",
        "",
        "## What was varied",
        "",
        "| parameter | values |",
        "|---|---|",
    ]
    lines += [_varied_line(p) for p in spec.parameters]
    lines += ["", "## What was found", ""]
    from cellsim.render.labels import quantity

    for metric in spec.metrics:
        q = quantity(metric)
        name = f"{q.label}" + (f" ({q.unit})" if q.unit else "") + f" `{metric}`"
        means = _point_means(spec, df, metric)
        ok = df[df["status"] == "ok"]
        missing = ok[_metric_as_float(ok, metric).isna()]
        never = ""
        if q.missing and len(missing):
            where = sorted(set(missing[names[0]]), key=_sort_key)
            never = (
                f"; {q.missing} in {len(missing)} of {len(ok)} runs (at "
                f"{_short(spec, names[0])} {', '.join(_value(spec, names[0], v) for v in where)})"
            )
        if means["mean"].notna().sum() == 0:
            lines.append(f"- **{name}**: no numeric values{never or ' (check the runs)'}.")
            continue
        col = df[metric]
        if str(col.dtype) == "boolean":
            for text in _flips(spec, means, names):
                lines.append(f"- **{name}** {text}.")
            continue
        lo = means.loc[means["mean"].idxmin()]
        hi = means.loc[means["mean"].idxmax()]
        sd = means["sd"].mean()
        sd_text = f"; mean sd over replicates {q.value(sd)}" if spec.replicates > 1 else ""
        trend = _trend(means, names[0]) if len(names) == 1 else ""
        lines.append(
            f"- **{name}**: {q.value(lo['mean'], 4)} (at {_where(lo, names, spec)}) to "
            f"{q.value(hi['mean'], 4)} (at {_where(hi, names, spec)}){sd_text}"
            + (f"; {trend}" if trend else "")
            + never
            + "."
        )
    lines += expectations_text(spec, df)
    failed = df[df["status"] == "error"]
    if len(failed):
        lines += ["", "## Failed runs", ""]
        for _, row in failed.head(10).iterrows():
            lines.append(
                f"- run {row['run']} ({_where(row, names)}, seed {row['seed']}): {row['error']}"
            )
        if len(failed) > 10:
            lines.append(f"- ... and {len(failed) - 10} more (see table.csv)")
    if plots:
        lines += ["", "## Plots", ""]
        lines += [f"![{p.stem}](plots/{p.name})" for p in plots]
    lines += [
        "",
        "Table: `table.csv` / `table.parquet` (one row per run). Run records: `runs/`.",
        "",
    ]
    return "\n".join(lines)

"""A sweep's products: the tidy table (CSV, Parquet), standard plots and a report.

Everything here is made from the run records on disk, never by running a model,
so it can be redone (e.g. after changing ``metrics``) without re-running.
"""

from __future__ import annotations

import json
import math
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


def _where(row, names) -> str:
    return ", ".join(f"{n} = {_fmt(row[n])}" for n in names)


# ---------------------------------------------------------------- plots


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")


def make_plots(spec: SweepSpec, df, folder: Path) -> list[Path]:
    """Metric vs the first parameter (replicates as points, mean ± sd), a heatmap for two."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if not (df["status"] == "ok").any():
        return []
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    params = spec.parameters
    for metric in spec.metrics:
        y_all = _metric_as_float(df, metric)
        if not np.isfinite(y_all).any():
            continue
        if spec.design == "grid":
            fig = _line_plot(spec, df, metric, plt)
            made.append(_save(fig, folder / f"{_slug(metric)}_vs_{_slug(params[0].name)}.png", plt))
            if len(params) >= 2:
                fig = _heatmap(spec, df, metric, plt)
                made.append(_save(fig, folder / f"{_slug(metric)}_heatmap.png", plt))
        else:
            fig = _scatter(spec, df, metric, plt)
            made.append(_save(fig, folder / f"{_slug(metric)}_scatter.png", plt))
    return made


def _save(fig, path: Path, plt) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _x_positions(spec, p, values):
    """Numeric x for a parameter; category indices for strings and lists."""
    if _numeric(values):
        return np.asarray(values, dtype=float), None
    cats = list(dict.fromkeys(values))
    return np.asarray([cats.index(v) for v in values], dtype=float), cats


def _line_plot(spec: SweepSpec, df, metric: str, plt):
    p1 = spec.parameters[0]
    p2 = spec.parameters[1] if len(spec.parameters) > 1 else None
    ok = df[df["status"] == "ok"]
    means = _point_means(spec, df, metric)
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    groups = (
        [(None, means, ok)]
        if p2 is None
        else [
            (v, means[means[p2.name] == v], ok[ok[p2.name] == v])
            for v in dict.fromkeys(means[p2.name])
        ]
    )
    colours = plt.cm.viridis(np.linspace(0, 0.9, max(len(groups), 1)))
    cats = None
    for (label, m, pts), colour in zip(groups, colours, strict=True):
        x_pts, cats = _x_positions(spec, p1, list(pts[p1.name]))
        ax.plot(x_pts, _metric_as_float(pts, metric), "o", ms=3, alpha=0.35, color=colour)
        x_m, _ = _x_positions(spec, p1, list(m[p1.name]))
        order = np.argsort(x_m)
        sd = np.nan_to_num(m["sd"].to_numpy(dtype=float)[order])
        ax.errorbar(
            x_m[order],
            m["mean"].to_numpy(dtype=float)[order],
            yerr=sd,
            marker="s",
            ms=4,
            capsize=3,
            color=colour,
            label=None if label is None else f"{p2.name} = {_fmt(label)}",
        )
    if cats is not None:
        ax.set_xticks(range(len(cats)), [str(c) for c in cats], rotation=20)
    elif p1.scale == "log":
        ax.set_xscale("log")
    ax.set_xlabel(p1.name)
    ax.set_ylabel(metric)
    reps = f"mean ± sd of {spec.replicates} replicates" if spec.replicates > 1 else "one run"
    ax.set_title(f"{spec.name}: {metric} ({reps})", fontsize=10)
    if p2 is not None:
        ax.legend(fontsize=8)
    return fig


def _heatmap(spec: SweepSpec, df, metric: str, plt):
    p1, p2 = spec.parameters[0], spec.parameters[1]
    means = _point_means(spec, df, metric)
    xs, ys = p1.grid(), p2.grid()
    grid = np.full((len(ys), len(xs)), np.nan)
    table = means.groupby([p1.name, p2.name], sort=False)["mean"].mean()  # over other params
    for (x, y), v in table.items():
        if x in xs and y in ys:
            grid[ys.index(y), xs.index(x)] = v
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    im = ax.imshow(grid, origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(range(len(xs)), [_fmt(v) for v in xs], rotation=30)
    ax.set_yticks(range(len(ys)), [_fmt(v) for v in ys])
    ax.set_xlabel(p1.name)
    ax.set_ylabel(p2.name)
    fig.colorbar(im, ax=ax, label=f"{metric} (mean)")
    ax.set_title(f"{spec.name}: {metric}", fontsize=10)
    return fig


def _scatter(spec: SweepSpec, df, metric: str, plt):
    ok = df[df["status"] == "ok"]
    n = len(spec.parameters)
    fig, axes = plt.subplots(1, n, figsize=(3.6 * n, 3.4), squeeze=False)
    for ax, p in zip(axes[0], spec.parameters, strict=True):
        x, cats = _x_positions(spec, p, list(ok[p.name]))
        ax.plot(x, _metric_as_float(ok, metric), "o", ms=3, alpha=0.6)
        if cats is not None:
            ax.set_xticks(range(len(cats)), [str(c) for c in cats], rotation=20)
        elif p.scale == "log":
            ax.set_xscale("log")
        ax.set_xlabel(p.name)
        ax.set_ylabel(metric)
    fig.suptitle(f"{spec.name}: {metric}", fontsize=10)
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
            else " at " + ", ".join(f"{n} = {_fmt(v)}" for n, v in zip(others, key, strict=True))
        )
        for i in range(1, len(state)):
            if state[i] != state[i - 1]:
                out.append(
                    f"flips from {str(bool(state[i - 1])).lower()} to "
                    f"{str(bool(state[i])).lower()} between {p1} = {_fmt(xs[i - 1])} and "
                    f"{_fmt(xs[i])}{ctx}"
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
    if (d > 0).all():
        return f"rises with {p1} throughout"
    if (d < 0).all():
        return f"falls with {p1} throughout"
    return ""


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
    for metric in spec.metrics:
        means = _point_means(spec, df, metric)
        if means["mean"].notna().sum() == 0:
            lines.append(f"- **{metric}**: no numeric values (check the runs' summaries).")
            continue
        col = df[metric]
        if str(col.dtype) == "boolean":
            for text in _flips(spec, means, names):
                lines.append(f"- **{metric}** {text}.")
            continue
        lo = means.loc[means["mean"].idxmin()]
        hi = means.loc[means["mean"].idxmax()]
        sd = means["sd"].mean()
        sd_text = f"; mean sd over replicates {sd:.3g}" if spec.replicates > 1 else ""
        trend = _trend(means, names[0]) if len(names) == 1 else ""
        lines.append(
            f"- **{metric}**: {lo['mean']:.4g} (at {_where(lo, names)}) to {hi['mean']:.4g} "
            f"(at {_where(hi, names)}){sd_text}" + (f"; {trend}" if trend else "") + "."
        )
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

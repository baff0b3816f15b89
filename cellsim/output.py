"""What one run hands to the results writer: the common shape of every scale.

Each scale's ``simulate`` returns a :class:`RunOutput`; :mod:`cellsim.results` writes it
as a results folder, and everything downstream (plots, animations, sweeps) reads that
folder, never the live model.  A chain of scales returns one RunOutput whose
``children`` are the runs made at each hand-off (written as sub-folders).

In a notebook a RunOutput shows itself as a short summary (``repr`` and an HTML table),
and converts to the usual tools: ``to_dataframe()`` (pandas), ``to_xarray()`` (units as
attributes), ``plot()`` (its overview figure) and ``animate()`` (the fibre animation,
inline).
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from cellsim.environment import Environment


@dataclass(frozen=True)
class Handoff:
    """A moment at which a body run hands its environment on to nerve and fibre runs.

    Attributes
    ----------
    label
        Names the hand-off in summaries and results folders, e.g. ``"day7_2200"``.
    time_h
        Hours from the start of the body run.
    environment
        What nerve and muscle see at that moment.
    runs
        The scales to run then, in order (a nerve before a fibre drives it); empty means
        every other scale of the scenario.
    """

    label: str
    time_h: float
    environment: Environment
    runs: tuple[str, ...] = ()


#: Units from the endings of cellsim's names (``ca_free_uM``, ``time_ms``), longest first.
UNITS = (
    ("_uA_per_cm2", "µA/cm²"),
    ("_mg_per_day", "mg/day"),
    ("_mg_per_h", "mg/h"),
    ("_pmol_L", "pmol/L"),
    ("_fraction", "1"),
    ("_mmol", "mmol"),
    ("_mM", "mM"),
    ("_uM", "µM"),
    ("_mV", "mV"),
    ("_um", "µm"),
    ("_ms", "ms"),
    ("_mg", "mg"),
    ("_hz", "Hz"),
    ("_h", "h"),
)


def unit_of(name: str) -> str:
    """The unit a cellsim name carries in its ending (``""`` when it has none).

    >>> unit_of("ca_free_uM"), unit_of("force_fraction"), unit_of("spike_count")
    ('µM', '1', '')
    """
    name = re.sub(r"_(min|max|mean)$", "", name)
    for ending, unit in UNITS:
        if name.endswith(ending):
            return unit
    return ""


@dataclass(repr=False)
class RunOutput:
    """The product of one run.

    Attributes
    ----------
    scale
        The scale's name, or the names of a chain joined by ``+`` (``"nerve+fibre"``).
    timeseries
        Equal-length 1-D arrays; the first key is the time column, with its
        unit in the name (``time_ms``, ``time_h``).  Written to ``timeseries.csv``.
    summary
        JSON-serialisable scalars, lists and small dicts (``summary.json``).
    seed
        The seed the run used.
    engine
        ``"numba"``, ``"reference"`` or ``"scipy"``.
    snapshots
        Arrays for animations (``snapshots.npz``), or empty.
    events
        Named 1-D arrays of event times, e.g. ``spike_times_ms`` (``events.npz``).
    figure
        Makes the overview figure from this object (written to ``figure.png``).
    key_figures
        The summary keys a chain lists for this run at a hand-off.
    hands_on
        Environment fields this run hands to the next scale of a chain
        (a nerve: ``muscle_ap_times_ms``).
    handoffs
        Environments at the hand-off points of the protocol (a body run).
    children
        Runs made from this one (a chain's hand-offs), by label: sub-folders of the
        results folder.
    """

    scale: str
    timeseries: dict[str, np.ndarray]
    summary: dict[str, Any]
    seed: int
    engine: str
    snapshots: dict[str, np.ndarray] = field(default_factory=dict)
    events: dict[str, np.ndarray] = field(default_factory=dict)
    figure: Callable[[RunOutput], Any] | None = None
    key_figures: tuple[str, ...] = ()
    hands_on: dict[str, Any] = field(default_factory=dict)
    handoffs: list[Handoff] = field(default_factory=list)
    children: dict[str, RunOutput] = field(default_factory=dict)

    # ------------------------------------------------------------ notebooks
    @property
    def time_column(self) -> str | None:
        """The name of the time column (``time_ms`` or ``time_h``), if there is a series."""
        return next(iter(self.timeseries), None)

    def _shape(self) -> str:
        t = self.time_column
        if t is None:
            return "no time series"
        times = np.asarray(self.timeseries[t])
        span = f"{times[0]:g}-{times[-1]:g} {unit_of(t)}" if times.size else "empty"
        return f"{times.size} rows x {len(self.timeseries) - 1} series, {span}"

    def _scalars(self) -> dict[str, Any]:
        wanted = self.key_figures or tuple(self.summary)
        return {
            k: self.summary[k]
            for k in wanted
            if k in self.summary and isinstance(self.summary[k], bool | int | float | str)
        }

    def __repr__(self) -> str:
        name = self.summary.get("scenario")
        figures = ", ".join(f"{k}={_short(v)}" for k, v in list(self._scalars().items())[:6])
        parts = [
            repr(self.scale),
            *([repr(name)] if name else []),
            f"seed {self.seed}",
            self._shape(),
        ]
        if self.snapshots and "time_ms" in self.snapshots:
            parts.append(f"{len(self.snapshots['time_ms'])} snapshots")
        if self.children:
            parts.append(f"hand-offs {list(self.children)}")
        return f"RunOutput({', '.join(parts)}{'; ' + figures if figures else ''})"

    def _repr_html_(self) -> str:
        esc = html.escape
        title = self.summary.get("title") or self.summary.get("scenario") or self.scale
        rows = [
            ("scale", self.scale),
            ("seed, engine", f"{self.seed}, {self.engine}"),
            ("time series", self._shape()),
        ]
        if self.events:
            rows.append(("events", ", ".join(f"{k}: {np.size(v)}" for k, v in self.events.items())))
        if self.children:
            rows.append(("hand-offs", ", ".join(self.children)))
        rows += [
            (k, _short(v) + (f" {unit_of(k)}" if unit_of(k) not in ("", "1") else ""))
            for k, v in self._scalars().items()
        ]
        body = "".join(
            f"<tr><th style='text-align:left'>{esc(str(k))}</th>"
            f"<td style='text-align:left'>{esc(str(v))}</td></tr>"
            for k, v in rows
        )
        return f"<b>{esc(str(title))}</b><table>{body}</table>"

    def to_dataframe(self):
        """The time series as a pandas DataFrame indexed by time; units in ``df.attrs``."""
        import pandas as pd

        t = self.time_column
        if t is None:
            return pd.DataFrame()
        df = pd.DataFrame({k: np.asarray(v) for k, v in self.timeseries.items()}).set_index(t)
        df.attrs["units"] = {name: unit_of(name) for name in self.timeseries}
        df.attrs.update(scale=self.scale, seed=self.seed, engine=self.engine)
        return df

    def to_xarray(self):
        """The time series (and events) as an xarray Dataset, units as attributes.

        Each series is a variable over the time dimension (``time_ms`` or ``time_h``);
        each kind of event is a variable over a dimension of its own; the run's scalar
        summary figures are attributes of the Dataset.
        """
        try:
            import xarray as xr
        except ImportError:
            from cellsim.errors import CellsimError

            raise CellsimError(
                'to_xarray needs xarray: pip install "cellsim[notebook]" (or xarray).'
            ) from None
        t = self.time_column
        variables = {}
        coords = {}
        if t is not None:
            coords[t] = (t, np.asarray(self.timeseries[t]), {"units": unit_of(t)})
            for name, values in self.timeseries.items():
                if name != t:
                    variables[name] = (t, np.asarray(values), {"units": unit_of(name)})
        for name, values in self.events.items():
            # each kind of event has its own length: a dimension of its own
            dim = name.removesuffix("_ms").removesuffix("_times") + "_event"
            variables[name] = (dim, np.asarray(values), {"units": unit_of(name)})
        attrs = {"scale": self.scale, "seed": self.seed, "engine": self.engine}
        attrs.update(
            {
                k: (str(v) if isinstance(v, bool) else v)
                for k, v in self.summary.items()
                if isinstance(v, bool | int | float | str)
            }
        )
        return xr.Dataset(variables, coords=coords, attrs=attrs)

    def plot(self):
        """The run's overview figure (the ``figure.png`` of its results folder).

        Returns the matplotlib Figure (closed to pyplot, so a notebook shows it once).
        """
        import matplotlib.pyplot as plt

        if self.figure is not None:
            fig = self.figure(self)
        else:
            fig = _series_figure(self)
        plt.close(fig)
        return fig

    def animate(self, *others: RunOutput, labels=None, **options) -> InlineVideo:
        """The fibre animation of this run (and ``others`` beside it), for a notebook.

        The same picture as ``cellsim animate`` (options as for
        :func:`cellsim.render.animate`: ``seconds``, ``ms_per_s``, ``fps``, ``start_ms``,
        ``end_ms``, ``dpi``, ``panels``, ``title``); returns an MP4 that a notebook shows
        inline (``.save(path)`` keeps it).
        """
        import tempfile

        from cellsim.render import animate
        from cellsim.results import write_results

        options.setdefault("seconds", 5.0)
        options.setdefault("fps", 12.0)
        options.setdefault("dpi", 80.0)
        with tempfile.TemporaryDirectory(prefix="cellsim-animate-") as tmp:
            folders = []
            for k, out in enumerate((self, *others)):
                name = out.summary.get("scenario") or out.scale
                folders.append(
                    write_results(
                        out,
                        Path(tmp) / f"run{k}",
                        scenario={},
                        name=str(name),
                        wall_time_s=0.0,
                        figure=False,
                    )
                )
            video = Path(tmp) / "animation.mp4"
            animate(folders, video, labels=labels, **options)
            return InlineVideo(video.read_bytes())


@dataclass(frozen=True, repr=False)
class InlineVideo:
    """An MP4 that shows itself in a notebook; ``save(path)`` writes it to a file."""

    data: bytes

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_bytes(self.data)
        return path

    def __repr__(self) -> str:
        return f"InlineVideo(mp4, {len(self.data) / 1024:.0f} kB)"

    def _repr_html_(self) -> str:
        encoded = base64.b64encode(self.data).decode("ascii")
        return (
            '<video controls loop style="max-width:100%">'
            f'<source src="data:video/mp4;base64,{encoded}" type="video/mp4"></video>'
        )


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _series_figure(out: RunOutput):
    """Every series against time, a few panels: for runs that carry no figure function."""
    import matplotlib.pyplot as plt

    t = out.time_column
    names = [n for n in out.timeseries if n != t][:6]
    fig, axes = plt.subplots(
        max(len(names), 1),
        1,
        figsize=(7, 1.6 * max(len(names), 1) + 0.6),
        sharex=True,
        squeeze=False,
    )
    for ax, name in zip(axes[:, 0], names, strict=False):
        ax.plot(out.timeseries[t], out.timeseries[name], lw=1.0)
        unit = unit_of(name)
        ax.set_ylabel(f"{name}" + (f" ({unit})" if unit not in ("", "1") else ""), fontsize=7)
    axes[-1, 0].set_xlabel(f"{t} ({unit_of(t)})" if t else "")
    fig.suptitle(out.summary.get("title") or out.scale, fontsize=10)
    fig.tight_layout()
    return fig

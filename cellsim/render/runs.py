"""Results folders as the animation needs them: snapshots, series, events, labels.

Several runs are synchronised on simulated time: the animation covers the
time range that every run's snapshots cover (optionally narrowed by the user),
and each frame shows, for every run, the latest snapshot at or before the
frame's time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cellsim.errors import CellsimError, ResultsError
from cellsim.results import Results, read_results

#: Snapshot keys a fibre animation needs (see ``fibre.recording.SnapshotRecorder``).
FIBRE_KEYS = (
    "time_ms",
    "box_um",
    "ca_xyz_um",
    "ca_offsets",
    "mg_xyz_um",
    "mg_state",
    "reg_xyz_um",
    "reg_species",
    "serca_xyz_um",
    "serca_species",
    "ryr_yz_um",
    "ryr_open",
    "force_fraction",
    "sarcomere_length_um",
)


@dataclass
class RunData:
    """One results folder, loaded once."""

    path: Path
    results: Results
    snap: dict[str, np.ndarray]
    label: str
    sublabel: str
    series: dict[str, np.ndarray] = field(default_factory=dict)
    events: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def times(self) -> np.ndarray:
        return self.snap["time_ms"]

    def index_at(self, t_ms: float) -> int:
        """The latest snapshot at or before ``t_ms`` (the first one before it starts)."""
        k = int(np.searchsorted(self.times, t_ms + 1e-9, side="right")) - 1
        return min(max(k, 0), len(self.times) - 1)

    def ca_at(self, k: int) -> np.ndarray:
        off = self.snap["ca_offsets"]
        return self.snap["ca_xyz_um"][off[k] : off[k + 1]]

    def value_at(self, column: str, t_ms: float) -> float:
        t = self.series["time_ms"]
        return float(np.interp(t_ms, t, self.series[column]))

    def peak_force_time(self) -> float:
        f = self.snap["force_fraction"]
        return float(self.times[int(np.argmax(f))])


#: Below this peak force (fraction of maximum) a run shows no twitch to relax from.
NO_TWITCH_FORCE = 0.05


def _labels(results: Results) -> tuple[str, str]:
    """Column title (the conditions) and subtitle (folder, scenario, what happens)."""
    s = results.summary
    parts = []
    if s.get("ca_o_mM") is not None:
        parts.append(f"ionised Ca {s['ca_o_mM']:.3g} mM")
    if s.get("mg_free_mM") is not None:
        parts.append(f"free Mg {s['mg_free_mM']:.3g} mM")
    name = results.manifest.get("name") or results.path.name
    label = ", ".join(parts) or name
    folder = results.path.name
    # a run made from another scenario with --set is named by its folder, not the scenario
    sub = folder if folder == name.rsplit("/", 1)[-1] else f"{folder} (from {name})"
    happened = []
    spikes = s.get("spike_count")
    spontaneous = isinstance(spikes, int) and not s.get("stimulus_pulses")
    if spontaneous:
        happened.append(f"{spikes} spontaneous spike{'s' if spikes != 1 else ''}")
    peak = s.get("peak_force_fraction")
    muscle = s.get("muscle_ap_count")
    if isinstance(peak, (int, float)) and peak < NO_TWITCH_FORCE:
        happened.append("no twitch")
    elif spontaneous and muscle:  # a spasm: "relaxes" would miss the point
        happened.append(f"{muscle} twitches")
    elif s.get("cramp") is True:
        happened.append("does not relax (cramp)")
    elif s.get("cramp") is False:
        happened.append("relaxes")
    if happened:
        sub += ": " + ", ".join(happened)
    return label, sub


def load_run(path: str | Path) -> RunData:
    """Read a results folder and check it has fibre snapshots to animate."""
    results = read_results(path)
    if not (results.path / "snapshots.npz").exists():
        raise ResultsError(_no_snapshots(results))
    snap = results.snapshots()
    missing = [k for k in FIBRE_KEYS if k not in snap]
    if missing:
        raise ResultsError(
            f"{results.path}: its snapshots are not fibre snapshots (missing "
            f"{', '.join(missing[:4])}); animate a fibre run, or a chained run that "
            "includes the fibre scale."
        )
    if len(snap["time_ms"]) == 0:
        raise ResultsError(
            f"{results.path}: has an empty snapshots file; run with [run] snapshot_every_ms > 0."
        )
    label, sub = _labels(results)
    series = dict(results.timeseries)
    if "time_ms" not in series:
        series = {}
    return RunData(results.path, results, snap, label, sub, series, results.events())


def _no_snapshots(results: Results) -> str:
    """Why a folder cannot be animated, and what to do instead."""
    m = results.manifest
    scale = m.get("scale", "?")
    children = m.get("children", [])
    stored = results.scenario_text.replace(" ", "")
    if "snapshots=false" in stored:
        return (
            f"{results.path}: was run with [output] snapshots = false, so it kept no "
            "particles to animate; run it again without that line (snapshots are on by "
            "default)."
        )
    text = (
        f"{results.path}: a {scale} run has no particles to animate: it shows "
        "time courses only (its figure.png; `cellsim compare` overlays several runs)."
    )
    if children:
        text += (
            f" Its hand-offs ran a fibre or nerve: animate one of its sub-folders, e.g. "
            f"`cellsim animate {results.path / children[0]} -o movie.mp4` "
            f"(sub-folders: {', '.join(children)})."
        )
    else:
        text += (
            " Animations show a muscle fibre's ions: animate a fibre run, a nerve → fibre "
            "chain, or a body run's hand-off to a fibre."
        )
    return text


def load_runs(paths, labels=None) -> list[RunData]:
    """Load several results folders; distinct column labels for identical ones."""
    if not paths:
        raise CellsimError("animate: give at least one results folder.")
    runs = [load_run(p) for p in paths]
    if labels:
        if len(labels) != len(runs):
            raise CellsimError(
                f"animate: {len(labels)} label(s) for {len(runs)} results folder(s); "
                "give one --label per folder, in order."
            )
        for run, label in zip(runs, labels, strict=True):
            run.label = label
    elif len({r.label for r in runs}) < len(runs):
        for r in runs:
            r.label = f"{r.label} [{r.path.name}]"
    return runs


def common_window(runs: list[RunData], start_ms=None, end_ms=None) -> tuple[float, float]:
    """The simulated-time range every run's snapshots cover, narrowed by the user's."""
    lo = max(float(r.times[0]) for r in runs)
    hi = min(float(r.times[-1]) for r in runs)
    if lo > hi:
        ranges = "; ".join(f"{r.path.name}: {r.times[0]:g}-{r.times[-1]:g} ms" for r in runs)
        raise ResultsError(
            f"animate: these runs do not overlap in simulated time ({ranges}), so they "
            "cannot be shown side by side; animate them one at a time."
        )
    if start_ms is not None:
        lo = max(lo, float(start_ms))
    if end_ms is not None:
        hi = min(hi, float(end_ms))
    if not lo < hi:
        raise CellsimError(
            f"animate: the time window is empty (from {lo:g} to {hi:g} ms); the runs' "
            f"snapshots cover {max(float(r.times[0]) for r in runs):g}-"
            f"{min(float(r.times[-1]) for r in runs):g} ms: choose --start-ms/--end-ms in it."
        )
    return lo, hi


def frame_count(window, fps: float, ms_per_s: float) -> int:
    """How many frames ``frame_times`` gives (checked before any array is made)."""
    lo, hi = window
    return max(1, round((hi - lo) * fps / ms_per_s))


def frame_times(window, fps: float, ms_per_s: float) -> np.ndarray:
    """Simulated time of each video frame: ``ms_per_s / fps`` ms apart."""
    return window[0] + (ms_per_s / fps) * np.arange(frame_count(window, fps, ms_per_s))

"""Results folders: written atomically, read back for plots, animations and sweeps.

Layout of a results folder::

    manifest.json      versions, seed, engine, wall time, scale, scenario name
    scenario.toml      the resolved scenario (every default filled in)
    summary.json       the run's summary metrics
    timeseries.csv     one row per record; first column is time with its unit
    events.npz         event times (spikes, action potentials), if any
    snapshots.npz      particle/site snapshots for animations, if any
    figure.png         overview figure
    <label>/           a results folder for each hand-off of a chain (nerve, fibre runs)

The folder is built under a temporary name beside the target and renamed
into place only when complete, so an interrupted run leaves nothing that looks
finished.  ``manifest.json`` is written last, marks a complete folder and lists every
file in it: a folder holding anything else (a user's notes) is never replaced
(:mod:`cellsim.output_folder` checks, locks and cleans up).
"""

from __future__ import annotations

import csv
import json
import math
import platform
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from cellsim.errors import ResultsError
from cellsim.output import RunOutput
from cellsim.output_folder import MANIFEST, OutputFolder

__all__ = ["MANIFEST", "OutputFolder", "Results", "read_results", "write_folder", "write_results"]


def versions() -> dict[str, str]:
    """Versions of cellsim and the libraries that shape its results."""
    from cellsim import DISTRIBUTION, __version__

    out = {"cellsim": __version__}
    for name in (DISTRIBUTION, "numpy", "numba", "mesa", "scipy"):
        try:
            out["cellsim" if name == DISTRIBUTION else name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            if name != DISTRIBUTION:  # run from a source tree: the package's own version
                out[name] = "not installed"
    out["python"] = platform.python_version()
    return out


def _jsonable(value: Any) -> Any:
    """Make numpy scalars/arrays and non-finite floats JSON-safe (NaN -> null)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_jsonable(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def to_toml(data: dict) -> str:
    """Serialise the resolved scenario (tables of scalars, lists, tables) as TOML."""
    lines: list[str] = []

    def scalar(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return repr(v)
        if isinstance(v, str):
            return json.dumps(v)
        if isinstance(v, (list, tuple)):
            return "[" + ", ".join(scalar(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{k} = {scalar(x)}" for k, x in v.items()) + " }"
        raise TypeError(f"cannot write {type(v).__name__} to TOML")

    def table(name, body):
        plain = {
            k: v
            for k, v in body.items()
            if v is not None
            and not isinstance(v, dict)
            and not (isinstance(v, list) and v and isinstance(v[0], dict))
        }
        lines.append(f"[{name}]")
        lines.extend(f"{k} = {scalar(v)}" for k, v in plain.items())
        lines.append("")
        for k, v in body.items():
            if isinstance(v, dict):
                table(f"{name}.{k}", v)
            elif isinstance(v, list) and v and isinstance(v[0], dict):
                for item in v:
                    lines.append(f"[[{name}.{k}]]")
                    lines.extend(f"{a} = {scalar(b)}" for a, b in item.items() if b is not None)
                    lines.append("")

    for name, body in data.items():
        if isinstance(body, dict):
            table(name, body)
    return "\n".join(lines)


def write_results(
    out: RunOutput,
    directory: str | Path,
    *,
    scenario: dict,
    name: str,
    wall_time_s: float,
    figure: bool = True,
    overwrite: bool = False,
) -> Path:
    """Write ``out`` as a complete results folder at ``directory``, atomically.

    The folder is reserved first (see :class:`OutputFolder`): an existing results folder is
    replaced only with ``overwrite``, and a folder holding anything cellsim did not write
    is never replaced.  Returns the folder written.
    """
    with OutputFolder(directory, overwrite=overwrite) as slot:
        return slot.write(out, scenario=scenario, name=name, wall_time_s=wall_time_s, figure=figure)


def write_folder(
    out: RunOutput,
    folder: Path,
    *,
    scenario: dict,
    name: str,
    wall_time_s: float,
    figure: bool = True,
) -> None:
    """One results folder's files, its children's folders, then its manifest (last).

    Writes into an existing empty ``folder`` with no checks: :func:`write_results` (or
    :class:`~cellsim.output_folder.OutputFolder`) is the safe way in.
    """
    _write_contents(out, folder, scenario, figure)
    for label, child in out.children.items():
        (folder / label).mkdir()
        write_folder(
            child,
            folder / label,
            scenario=scenario,
            name=f"{name}/{label}",
            wall_time_s=0.0,
            figure=figure,
        )
    manifest = {
        "cellsim_results": 1,
        "name": name,
        "scale": out.scale,
        "seed": out.seed,
        "engine": out.engine,
        "wall_time_s": round(wall_time_s, 3),
        "versions": versions(),
        "files": [*sorted(p.name for p in folder.iterdir()), MANIFEST],
        "children": list(out.children),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")


def _write_contents(out: RunOutput, folder: Path, scenario: dict, figure: bool) -> None:
    (folder / "scenario.toml").write_text(to_toml(scenario))
    (folder / "summary.json").write_text(json.dumps(_jsonable(out.summary), indent=2) + "\n")
    columns = list(out.timeseries)
    if columns:
        rows = np.column_stack([np.asarray(out.timeseries[c], dtype=float) for c in columns])
        with open(folder / "timeseries.csv", "w", newline="") as fh:
            csv.writer(fh).writerow(columns)
            # numbers never need quoting: one %-format per row writes what csv.writer
            # would (six significant digits, CRLF), at a third of the cost
            line = ",".join(["%.6g"] * len(columns)) + "\r\n"
            fh.writelines(line % tuple(row) for row in rows.tolist())
    if out.events:
        np.savez_compressed(folder / "events.npz", **out.events)
    if out.snapshots:
        # uncompressed: compressing took 1.3-1.75 s on a tetanus for a 12 % smaller file
        np.savez(folder / "snapshots.npz", **out.snapshots)
    if figure and out.figure is not None:
        import matplotlib

        matplotlib.use("Agg")
        from cellsim.render.style import close_figure

        fig = out.figure(out)
        fig.savefig(folder / "figure.png", dpi="figure")  # the style sets it: 1920 x 1080 px
        close_figure(fig)


@dataclass
class Results:
    """A results folder read back from disk."""

    path: Path
    manifest: dict
    summary: dict
    timeseries: dict[str, np.ndarray]
    scenario_text: str

    def events(self) -> dict[str, np.ndarray]:
        f = self.path / "events.npz"
        return _load_npz(f) if f.exists() else {}

    @property
    def children(self) -> dict[str, Results]:
        """Results folders of the runs made from this one (a chain's hand-offs)."""
        return {
            label: read_results(self.path / label) for label in self.manifest.get("children", [])
        }

    def snapshots(self) -> dict[str, np.ndarray]:
        f = self.path / "snapshots.npz"
        if not f.exists():
            raise ResultsError(
                f"{self.path}: has no snapshots; run the scenario with [output] snapshots = true."
            )
        return _load_npz(f)


def _damaged(path: Path, what: str) -> ResultsError:
    return ResultsError(f"{path}: is damaged ({what}); run the scenario again to write it afresh.")


def _load_npz(path: Path) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as data:
            return {k: data[k] for k in data.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as err:
        raise _damaged(path.parent, f"{path.name} cannot be read: {err}") from None


def _read_json(path: Path, kind: type = dict) -> Any:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _damaged(path.parent, f"{path.name} is missing") from None
    except (OSError, ValueError) as err:  # ValueError: bad JSON or bad UTF-8
        raise _damaged(path.parent, f"{path.name} is not valid JSON: {err}") from None
    if not isinstance(value, kind):
        raise _damaged(path.parent, f"{path.name} is not a JSON object")
    return value


def _read_series(path: Path) -> dict[str, np.ndarray]:
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        header, body = rows[0], rows[1:]
        data = np.array([[float(v) for v in row] for row in body], dtype=float)
        if body and (data.ndim != 2 or data.shape[1] != len(header)):
            raise ValueError("rows of different lengths")
    except (OSError, ValueError, IndexError) as err:
        raise _damaged(path.parent, f"{path.name} is not a table of numbers: {err}") from None
    return {name: data[:, k] if data.size else np.zeros(0) for k, name in enumerate(header)}


def read_results(path: str | Path) -> Results:
    """Read a complete results folder; a clear error for anything else."""
    path = Path(path)
    if not path.is_dir():
        raise ResultsError(f"{path}: no such results folder.")
    if not (path / MANIFEST).exists():
        raise ResultsError(
            f"{path}: is not a complete cellsim results folder "
            f"(no {MANIFEST}); was the run interrupted?"
        )
    manifest = _read_json(path / MANIFEST)
    summary = _read_json(path / "summary.json")
    csv_path = path / "timeseries.csv"
    series = _read_series(csv_path) if csv_path.exists() else {}
    try:
        scenario_text = (path / "scenario.toml").read_text(encoding="utf-8")
    except FileNotFoundError:
        scenario_text = ""
    except (OSError, ValueError) as err:
        raise _damaged(path, f"scenario.toml cannot be read: {err}") from None
    return Results(path, manifest, summary, series, scenario_text)

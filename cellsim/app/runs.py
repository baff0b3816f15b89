"""What the app runs, saves and opens: scenarios from its controls, results on screen.

Nothing here knows Solara: the pages turn their controls into one of the settings
classes below, :func:`run` runs the scenario through ``cellsim.run`` (the one run path)
and times it, :func:`save` writes what is on screen as a results folder and
:func:`open_results` reads one back.  Every scenario the pages build starts from a
bundled scenario file (``twitch``, ``spasm_low_ca``, ``chain_supplements_to_twitch``), so
what the app shows is what ``cellsim run`` gives for the same keys and seed.

The app reads and writes results only inside one folder (``cellsim app --results DIR``,
default ``results/``), so a page shared on a classroom network cannot reach other files.
"""

from __future__ import annotations

import copy
import re
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

import cellsim
from cellsim import scales
from cellsim.errors import CellsimError, ResultsError
from cellsim.output import RunOutput
from cellsim.results import MANIFEST, Results, read_results, write_results
from cellsim.scenario import Scenario, bundled_dir, find, read_toml, resolve

#: The scenario each page starts from.
FIBRE_BASE = "twitch"
NERVE_BASE = "spasm_low_ca"
BODY_BASE = "chain_supplements_to_twitch"

#: Fibre snapshots every this many ms (the scenarios' default: no cost worth measuring).
SNAPSHOT_EVERY_MS = 1.0


@dataclass(eq=False)  # compared by identity: cheap and unambiguous for Solara's checks
class AppRun:
    """One result on screen: a run made in the app, or a results folder opened.

    Attributes
    ----------
    label
        A short description for legends ("free Mg 0.15 mM").
    output
        The run's output (for an opened folder: rebuilt from its files).
    scenario_data
        The resolved scenario, written into a saved folder's ``scenario.toml``.
    name
        The scenario's name.
    wall_s, cpu_s
        Seconds the run took, on the clock and in this thread's CPU time (the cost
        without other load on the machine); 0 for an opened folder.
    folder
        The results folder it was opened from or saved to, if any.
    """

    label: str
    output: RunOutput
    scenario_data: dict
    name: str
    wall_s: float = 0.0
    cpu_s: float = 0.0
    folder: Path | None = None
    figure_png: bytes | None = field(default=None, repr=False)


# ---------------------------------------------------------------- settings


@dataclass(frozen=True)
class FibreSettings:
    """The Fibre page's controls.  ``None`` keeps the parameter set's own value."""

    parameter_set: str = "human"
    mg_free_mM: float | None = None
    ca_sr_free_rest_uM: float | None = None
    serca_uM: float | None = None
    pv_sites_uM: float | None = None
    stimulus: str = "single"  # single, doublet or train
    doublet_interval_ms: float = 10.0
    train_frequency_hz: float = 50.0
    duration_ms: float = 150.0
    seed: int = 1

    def label(self) -> str:
        mg = (
            self.mg_free_mM
            if self.mg_free_mM is not None
            else fibre_default(self.parameter_set, "mg_free_mM")
        )
        stim = {
            "single": "one stimulus",
            "doublet": f"doublet {self.doublet_interval_ms:g} ms",
            "train": f"{self.train_frequency_hz:g} Hz train",
        }[self.stimulus]
        return f"free Mg {mg:g} mM, {stim}"


@dataclass(frozen=True)
class NerveSettings:
    """The Nerve page's controls: the ionised Ca and Mg around a motor axon."""

    ca_ionised_mM: float = 0.5  # the model's axon fires by itself below ~0.57 mM (Mg 0.5)
    mg_ionised_mM: float = 0.5
    duration_ms: float = 500.0
    drive_hz: float = 0.0  # 0: no voluntary drive, every spike is spontaneous
    seed: int = 1

    def label(self) -> str:
        return f"ionised Ca {self.ca_ionised_mM:g} mM, Mg {self.mg_ionised_mM:g} mM"


@dataclass(frozen=True)
class Dose:
    """One supplement dose of the Body page (elemental mg at a clock time, every day)."""

    time: str = "21:00"
    ca_mg: float = 0.0
    mg_mg: float = 300.0
    with_food: bool = False
    extra: tuple[tuple[str, object], ...] = ()  # further dose keys the body model offers


@dataclass(frozen=True)
class BodySettings:
    """The Body page's controls: diet, supplements, days, and the hand-off moment."""

    days: int = 7
    diet_ca_mg_per_day: float = 1000.0
    diet_mg_mg_per_day: float = 100.0
    doses: tuple[Dose, ...] = (Dose(),)
    handoff_time: str = "22:00"
    twitch: bool = True
    nerve_check: bool = True

    def label(self) -> str:
        taken = ", ".join(
            " + ".join(
                p
                for p in (
                    f"{d.ca_mg:g} mg Ca" * bool(d.ca_mg),
                    f"{d.mg_mg:g} mg Mg" * bool(d.mg_mg),
                )
                if p
            )
            + f" at {d.time}"
            for d in self.doses
        )
        return f"diet Ca {self.diet_ca_mg_per_day:g} / Mg {self.diet_mg_mg_per_day:g} mg/day" + (
            f"; {taken}" if taken else "; no supplement"
        )


# ---------------------------------------------------------------- scenarios


def fibre_default(parameter_set: str, key: str) -> float:
    """A fibre parameter set's own value of a slider's key (``mg_free_mM``: its conditions)."""
    params = scales.get("fibre").parameter_sets[parameter_set]
    if key == "mg_free_mM":
        return float(params.conditions.mg_free_intracellular_mM)
    return float(getattr(params, key))


def fibre_parameter_sets() -> list[str]:
    return list(scales.get("fibre").parameter_sets)


def fibre_scenario(s: FibreSettings) -> Scenario:
    """The twitch scenario with the Fibre page's settings."""
    data = _base(FIBRE_BASE)
    data["scenario"]["name"] = "fibre"
    data["fibre"] = {"parameter_set": s.parameter_set}
    for key in ("ca_sr_free_rest_uM", "serca_uM", "pv_sites_uM"):
        if getattr(s, key) is not None:
            data["fibre"][key] = float(getattr(s, key))
    data.pop("environment", None)
    if s.mg_free_mM is not None:
        data["environment"] = {"mg_free_intracellular_mM": float(s.mg_free_mM)}
    first = 5.0
    if s.stimulus == "train":
        protocol = {
            "kind": "train",
            "start_ms": first,
            "frequency_hz": float(s.train_frequency_hz),
            "train_duration_ms": 0.0,
        }
    elif s.stimulus == "doublet":
        protocol = {"kind": "pulses", "times_ms": [first, first + float(s.doublet_interval_ms)]}
    else:
        protocol = {"kind": "pulses", "times_ms": [first]}
    data["protocol"] = protocol
    data["run"].update(
        duration_ms=float(s.duration_ms), seed=int(s.seed), snapshot_every_ms=SNAPSHOT_EVERY_MS
    )
    return _resolve(data, FIBRE_BASE)


def nerve_scenario(s: NerveSettings) -> Scenario:
    """Nerve -> fibre (the spasm scenario) at the Nerve page's ionised Ca and Mg."""
    data = _base(NERVE_BASE)
    data["scenario"]["name"] = "nerve"
    data["environment"] = {
        "ca_ionised_mM": float(s.ca_ionised_mM),
        "mg_ionised_mM": float(s.mg_ionised_mM),
    }
    if s.drive_hz > 0:
        data["protocol"]["nerve"] = {
            "kind": "train",
            "start_ms": 10.0,
            "frequency_hz": float(s.drive_hz),
        }
    data["run"]["seed"] = int(s.seed)
    for scale in ("nerve", "fibre"):
        data["run"][scale]["duration_ms"] = float(s.duration_ms)
    return _resolve(data, NERVE_BASE)


def body_scenario(s: BodySettings) -> Scenario:
    """Days of diet and supplements, then (optionally) a twitch and a tetany check."""
    data = _base(BODY_BASE)
    data["scenario"]["name"] = "body"
    data["protocol"]["body"]["diet"] = {
        "ca_mg_per_day": float(s.diet_ca_mg_per_day),
        "mg_mg_per_day": float(s.diet_mg_mg_per_day),
    }
    data["protocol"]["body"]["doses"] = [
        {
            "time": d.time,
            "ca_mg": float(d.ca_mg),
            "mg_mg": float(d.mg_mg),
            "with_food": bool(d.with_food),
            **dict(d.extra),
        }
        for d in s.doses
    ]
    runs = [name for name, wanted in (("fibre", s.twitch), ("nerve", s.nerve_check)) if wanted]
    data["protocol"]["body"]["handoffs"] = [
        {"day": int(s.days), "time": s.handoff_time, "runs": [name]} for name in runs
    ]
    for name in ("fibre", "nerve"):
        if name not in runs:
            for table in (data, data["protocol"], data["run"]):
                table.pop(name, None)
    data["run"]["body"]["duration_days"] = float(s.days)
    return _resolve(data, BODY_BASE)


def dose_options() -> dict[str, object]:
    """Dose keys the body model offers beyond time, amounts and food, with their choices.

    A key with a fixed set of values (a supplement's salt form, if the model has one)
    becomes a choice on the Body page; the others keep their defaults.
    """
    table = scales.get("body").tables()["protocol"]
    dose = table.fields["doses"].table.fields
    known = {"time", "ca_mg", "mg_mg", "with_food", "days", "from_day", "until_day"}
    return {k: f for k, f in dose.items() if k not in known and getattr(f, "choices", None)}


def _base(name: str) -> dict:
    return copy.deepcopy(read_toml(find(name)))


def _resolve(data: dict, name: str) -> Scenario:
    data.pop("output", None)
    return resolve(data, f"app ({name}.toml)", None)


# ---------------------------------------------------------------- running


def bundled_scenarios() -> list[tuple[str, str]]:
    """(name, description) of every bundled scenario file."""
    out = []
    for path in sorted(bundled_dir().glob("*.toml")):
        try:
            description = read_toml(path).get("scenario", {}).get("description", "")
        except CellsimError as err:
            description = f"(unreadable: {err})"
        out.append((path.stem, description))
    return out


def scenario_notes(name: str) -> str:
    """The comment block at the top of a bundled scenario (written for students)."""
    lines = []
    for line in find(name).read_text().splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[1:].strip())
    return "\n".join(lines).strip()


def run(scenario: Scenario, label: str) -> AppRun:
    """Run a scenario through ``cellsim.run``; time it on the clock and in CPU time."""
    t0, c0 = time.perf_counter(), time.thread_time()
    out = cellsim.run(scenario)
    return AppRun(
        label=label,
        output=out,
        scenario_data=scenario.data,
        name=scenario.name,
        wall_s=time.perf_counter() - t0,
        cpu_s=time.thread_time() - c0,
    )


def open_scenario(name: str) -> AppRun:
    """Run a bundled scenario as it is (its own seed and settings)."""
    scenario = cellsim.load_scenario(name)
    return run(scenario, scenario.name)


def warm_up() -> None:
    """Load (or compile) the kernels once per server, before the first click."""
    for scenario in (
        fibre_scenario(FibreSettings(duration_ms=6.0)),
        nerve_scenario(NerveSettings(duration_ms=2.0)),
    ):
        cellsim.run(scenario)


# ---------------------------------------------------------------- saving and opening

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(text: str) -> str:
    """A folder name from free text: letters, digits, ``._-``; never empty or hidden."""
    name = _SAFE.sub("_", text.strip()).strip("._")[:80]
    if not name:
        raise CellsimError("give the results folder a name (letters, digits, '-', '_').")
    return name


def inside(root: Path, name: str) -> Path:
    """``root/name`` for a name typed on a page, refusing anything outside ``root``."""
    root = Path(root).resolve()
    path = (root / name).resolve()
    if path != root and root not in path.parents:
        raise CellsimError(f"{name}: the app reads and writes results only inside {root}.")
    return path


def save(result: AppRun, root: Path, name: str) -> Path:
    """Write what is on screen as a new results folder ``root/name`` (never replacing one)."""
    target = inside(root, safe_name(name))
    if target.exists():
        raise CellsimError(
            f"{target.name}: a folder of that name already exists in {target.parent}; "
            "choose another name."
        )
    write_results(
        result.output,
        target,
        scenario=result.scenario_data,
        name=result.name,
        wall_time_s=result.wall_s,
    )
    result.folder = target
    return target


def results_folders(root: Path) -> list[str]:
    """Complete results folders directly or one level inside ``root`` (newest first)."""
    root = Path(root)
    if not root.is_dir():
        return []
    found = [p for p in (*root.glob(f"*/{MANIFEST}"), *root.glob(f"*/*/{MANIFEST}"))]
    found.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    return [str(p.parent.relative_to(root)) for p in found]


def open_results(root: Path, name: str) -> AppRun:
    """Read a results folder (inside ``root``) back as a result on screen."""
    path = inside(root, name)
    results = read_results(path)
    out = output_from_results(results)
    try:
        scenario = tomllib.loads(results.scenario_text)
    except tomllib.TOMLDecodeError as err:
        raise ResultsError(f"{path}: scenario.toml is not valid TOML ({err}).") from None
    figure = path / "figure.png"
    return AppRun(
        label=results.manifest.get("name") or path.name,
        output=out,
        scenario_data=scenario,
        name=results.manifest.get("name") or path.name,
        folder=path,
        figure_png=figure.read_bytes() if figure.exists() else None,
    )


def output_from_results(results: Results) -> RunOutput:
    """A RunOutput rebuilt from a results folder (no figure function: it has figure.png)."""
    m = results.manifest
    snapshots = {}
    if (results.path / "snapshots.npz").exists():
        snapshots = results.snapshots()
    return RunOutput(
        scale=m.get("scale", "?"),
        timeseries={k: np.asarray(v) for k, v in results.timeseries.items()},
        summary=results.summary,
        seed=int(m.get("seed", 0)),
        engine=m.get("engine", "?"),
        snapshots=snapshots,
        events=results.events(),
        children={label: output_from_results(r) for label, r in results.children.items()},
    )

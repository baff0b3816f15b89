"""Sweep files: TOML → a validated :class:`SweepSpec` → a list of runs.

A sweep names a base scenario, the keys to vary, how many replicates per point,
the metrics to collect and fixed overrides.  :func:`expand` turns a spec into
runs as a pure function (no files, no models), so grid sizes, log ranges,
Latin-hypercube bounds and seeds are easy to test.

Seeds (all from the one sweep ``seed``, with :class:`numpy.random.SeedSequence`):

* sample points of ``design = "random"`` / ``"lhs"``: a generator seeded by
  ``SeedSequence(seed, spawn_key=(0,))``;
* replicate ``r`` with ``seeds = "common"`` (default): the scenario's
  ``run.seed`` is the first 32-bit word of ``SeedSequence(seed, spawn_key=(1, r))``,
  masked to 31 bits, the same at every point (common random numbers: differences
  between points are not blurred by different noise);
* ``seeds = "independent"``: ``SeedSequence(seed, spawn_key=(2, point, r))``.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from cellsim.errors import ScenarioError
from cellsim.scenario import bundled_dir, name_problem, read_toml
from cellsim.schema import Field, ListOf, Table, unknown_key_message, validate

DEFAULT_MAX_RUNS = 1000
#: No sweep may have more runs than this, whatever its cap: each run's resolved scenario
#: is held in memory (a few kB) before the first one starts.
HARD_MAX_RUNS = 100_000
DESIGNS = ("grid", "random", "lhs")


def _values_problem(value: list) -> str | None:
    if not value:
        return "give at least one value"
    if any(isinstance(v, dict) for v in value):
        return "values must be numbers, strings, true/false or lists, not tables"
    return None


def _keep(key, value, where):
    return value


SWEEP_SCHEMA = Table(
    {
        "name": Field(
            str,
            default="",
            doc="results go to results/sweeps/<name> (default: the file's name)",
            check=lambda v: name_problem(v) if v else None,
        ),
        "description": Field(str, default="", doc="one line for the report"),
        "base": Field(str, doc="base scenario file, relative to the sweep file"),
        "design": Field(str, default="grid", choices=DESIGNS, doc="full grid or n samples"),
        "samples": Field(
            int, default=0, minimum=0, maximum=HARD_MAX_RUNS, doc="points for design random / lhs"
        ),
        "replicates": Field(
            int, default=1, minimum=1, maximum=HARD_MAX_RUNS, doc="runs per point, different seeds"
        ),
        "seed": Field(int, default=1, minimum=0, doc="one seed for samples and replicates"),
        "seeds": Field(
            str,
            default="common",
            choices=("common", "independent"),
            doc="replicate r uses the same seed at every point, or a new seed per run",
        ),
        "metrics": Field(str, is_list=True, doc="summary keys to collect (dots for nested)"),
        "max_runs": Field(
            int,
            default=DEFAULT_MAX_RUNS,
            minimum=1,
            maximum=HARD_MAX_RUNS,
            doc="refuse above this",
        ),
        "keep_runs": Field(bool, default=False, doc="also keep each run's results folder"),
    }
)
PARAMETER_SCHEMA = Table(
    {
        "key": Field(
            str, default="", doc="dotted scenario key, e.g. environment.mg_free_intracellular_mM"
        ),
        "name": Field(str, default="", doc="column name (default: the key)"),
        "values": Field(list, default=None, check=_values_problem, doc="explicit values"),
        "range": Field(float, default=None, is_list=True, doc="[low, high]"),
        "steps": Field(
            int, default=0, minimum=0, maximum=HARD_MAX_RUNS, doc="grid points across the range"
        ),
        "scale": Field(str, default="linear", choices=("linear", "log")),
        "link": Table(
            {},
            optional=True,
            fill_defaults=False,
            extra=_keep,
            doc="keys that move with this one: one list of values each",
        ),
    }
)
FIXED_SCHEMA = Table({}, optional=True, extra=_keep)
EXPECT_SCHEMA = Table(
    {
        "metric": Field(str, doc="one of the sweep's metrics"),
        "rises_with": Field(str, default="", doc="a parameter: the metric rises as it rises"),
        "falls_with": Field(str, default="", doc="a parameter: the metric falls as it rises"),
        "says": Field(str, default="", doc="the expectation in words, for the report"),
    }
)
TOP_TABLES = {
    "sweep": SWEEP_SCHEMA,
    "fixed": FIXED_SCHEMA,
    "parameter": ListOf(PARAMETER_SCHEMA),
    "expect": ListOf(EXPECT_SCHEMA),
}


@dataclass(frozen=True)
class Expectation:
    """What the sweep file says should happen: a metric rises or falls with a parameter.

    The report says whether it held (``cellsim.sweep.report``); a boolean metric is
    read as the fraction of runs where it is true.
    """

    metric: str
    direction: str  # "rises" or "falls"
    parameter: str
    says: str = ""

    def text(self) -> str:
        return self.says or f"{self.metric} {self.direction} with {self.parameter}"


@dataclass(frozen=True)
class Parameter:
    """One varied quantity: a column of the table, applied to one or more keys."""

    name: str
    key: str  # "" when only linked keys are set
    values: tuple | None = None
    low: float | None = None
    high: float | None = None
    steps: int = 0
    scale: str = "linear"
    link: dict[str, tuple] = field(default_factory=dict)

    @property
    def n_values(self) -> int:
        """Values on a grid axis (without making them)."""
        return len(self.values) if self.values is not None else self.steps

    def grid(self) -> list:
        """The values of a grid axis."""
        if self.values is not None:
            return list(self.values)
        if self.steps == 1:
            return [_tidy(self.low)]
        if self.scale == "log":
            return [_tidy(v) for v in np.geomspace(self.low, self.high, self.steps)]
        return [_tidy(v) for v in np.linspace(self.low, self.high, self.steps)]

    def from_unit(self, u: float):
        """Map u in [0, 1) to a value: uniform (or log-uniform) in range, or one of values."""
        if self.values is not None:
            return self.values[min(int(u * len(self.values)), len(self.values) - 1)]
        if self.scale == "log":
            lo, hi = math.log(self.low), math.log(self.high)
            return _tidy(math.exp(lo + u * (hi - lo)))
        return _tidy(self.low + u * (self.high - self.low))

    def overrides(self, value) -> dict[str, Any]:
        """The scenario keys this value sets (its own key and linked keys)."""
        out = {self.key: value} if self.key else {}
        if self.link:
            i = self.values.index(value)
            out.update({k: vals[i] for k, vals in self.link.items()})
        return out


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep file."""

    name: str
    description: str
    base: Path
    parameters: tuple[Parameter, ...]
    metrics: tuple[str, ...]
    design: str = "grid"
    samples: int = 0
    replicates: int = 1
    seed: int = 1
    seeds: str = "common"
    max_runs: int = DEFAULT_MAX_RUNS
    keep_runs: bool = False
    fixed: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None
    expect: tuple[Expectation, ...] = ()

    @property
    def n_points(self) -> int:
        """Points of the design, counted without making them (a grid may be huge)."""
        if self.design == "grid":
            return math.prod(p.n_values for p in self.parameters)
        return self.samples

    @property
    def n_runs(self) -> int:
        return self.n_points * self.replicates


@dataclass(frozen=True)
class RunPoint:
    """One run of a sweep, before the scenario is resolved."""

    index: int
    point: int
    replicate: int
    seed: int
    params: dict[str, Any]  # column name -> value
    overrides: dict[str, Any]  # dotted key -> value (fixed overrides not included)


def _tidy(x: float) -> float:
    """Round to 10 significant digits: 0.30000000000000004 -> 0.3, stable hashes."""
    return float(f"{float(x):.10g}")


# ---------------------------------------------------------------- reading


def load_sweep(path: str | Path, *, max_runs: int | None = None) -> SweepSpec:
    """Read and validate a sweep file; the cap is checked here (``max_runs`` raises it).

    ``path`` may also name a bundled sweep (``relaxation_vs_mg``).
    """
    path = find_sweep(path)
    data = read_toml(path)
    return parse_sweep(data, str(path), path, max_runs=max_runs)


def find_sweep(path: str | Path) -> Path:
    """A sweep path as given, or a bundled sweep by name (``relaxation_vs_mg``)."""
    given = Path(path)
    if given.exists() or given.parent != Path("."):
        return given
    bundled = bundled_dir() / "sweeps" / (given.name if given.suffix else f"{given.name}.toml")
    return bundled if bundled.exists() else given


def parse_sweep(
    data: dict, where: str, path: Path | None = None, *, max_runs: int | None = None
) -> SweepSpec:
    """Validate a parsed sweep file (see :func:`load_sweep`)."""
    for key in data:
        if key not in TOP_TABLES:
            raise ScenarioError(unknown_key_message(where, key, TOP_TABLES))
    if "sweep" not in data:
        raise ScenarioError(f"{where}: [sweep] table is missing (it names base and metrics).")
    sweep = validate(data["sweep"], SWEEP_SCHEMA, f"{where}: [sweep]")
    raw_params = data.get("parameter", [])
    if not isinstance(raw_params, list) or not raw_params:
        raise ScenarioError(
            f"{where}: no [[parameter]] tables: add at least one, e.g.\n"
            '  [[parameter]]\n  key = "environment.mg_free_intracellular_mM"\n'
            "  values = [0.2, 0.5, 1.0]"
        )
    design = sweep["design"]
    params = tuple(
        _parameter(item, f"{where}: [parameter {i + 1}]", design)
        for i, item in enumerate(raw_params)
    )
    names = [p.name for p in params]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ScenarioError(f"{where}: parameter {dupes[0]!r} is varied twice.")
    if not sweep["metrics"]:
        raise ScenarioError(f"{where}: [sweep] metrics: name at least one summary key.")
    if design != "grid" and sweep["samples"] < 1:
        raise ScenarioError(
            f"{where}: [sweep] samples: design {design!r} needs samples = n (number of points)."
        )
    if design == "grid" and sweep["samples"]:
        raise ScenarioError(
            f"{where}: [sweep] samples: only for design 'random' or 'lhs'; a grid's size "
            "comes from its parameters."
        )
    fixed = _flatten(validate(data.get("fixed", {}), FIXED_SCHEMA, f"{where}: [fixed]"))
    base = Path(sweep["base"])
    if path is not None and not base.is_absolute():
        base = path.parent / base
    if max_runs is not None and not 1 <= max_runs <= HARD_MAX_RUNS:
        raise ScenarioError(
            f"--max-runs {max_runs}: give a number of runs from 1 to {HARD_MAX_RUNS}."
        )
    spec = SweepSpec(
        name=sweep["name"] or _name_from(path),
        description=sweep["description"],
        base=base,
        parameters=params,
        metrics=tuple(sweep["metrics"]),
        design=design,
        samples=sweep["samples"],
        replicates=sweep["replicates"],
        seed=sweep["seed"],
        seeds=sweep["seeds"],
        max_runs=max_runs if max_runs is not None else sweep["max_runs"],
        keep_runs=sweep["keep_runs"],
        fixed=fixed,
        path=path,
        expect=_expectations(data.get("expect", []), where, names, sweep["metrics"]),
    )
    check_cap(spec, where)
    return spec


def _expectations(items, where: str, names: list[str], metrics: list[str]):
    """The [[expect]] tables, checked against the sweep's parameters and metrics."""
    if not isinstance(items, list):
        raise ScenarioError(f"{where}: expect must be [[expect]] tables.")
    out = []
    for i, item in enumerate(items):
        here = f"{where}: [expect {i + 1}]"
        e = validate(item, EXPECT_SCHEMA, here)
        if e["metric"] not in metrics:
            raise ScenarioError(
                f"{here}: metric {e['metric']!r} is not one of the sweep's metrics "
                f"({', '.join(metrics)}); add it to [sweep] metrics."
            )
        given = [k for k in ("rises_with", "falls_with") if e[k]]
        if len(given) != 1:
            raise ScenarioError(
                f"{here}: give one of rises_with or falls_with (a parameter name), e.g. "
                f'falls_with = "{names[0]}".'
            )
        parameter = e[given[0]]
        if parameter not in names:
            raise ScenarioError(
                f"{here}: {given[0]} = {parameter!r} is not a varied parameter; choose "
                f"from {', '.join(names)}."
            )
        out.append(Expectation(e["metric"], given[0].split("_")[0], parameter, e["says"]))
    return tuple(out)


def _name_from(path: Path | None) -> str:
    """A safe folder name from a sweep file's name (``my sweep.toml`` -> ``my_sweep``)."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", path.stem if path else "").strip("._-")[:80]
    return stem or "sweep"


def check_cap(spec: SweepSpec, where: str) -> None:
    """Refuse a sweep with more runs than its cap, saying how to raise it.

    The count is arithmetic (:attr:`SweepSpec.n_runs`): nothing is allocated before it.
    """
    if spec.n_runs > HARD_MAX_RUNS:
        raise ScenarioError(
            f"{where}: this sweep has {spec.n_runs:,} runs ({spec.n_points:,} points x "
            f"{spec.replicates} replicates); cellsim runs at most {HARD_MAX_RUNS:,} in one "
            "sweep. Vary fewer values, or split it into several sweeps."
        )
    if spec.n_runs > spec.max_runs:
        raise ScenarioError(
            f"{where}: this sweep has {spec.n_runs} runs ({spec.n_points} points x "
            f"{spec.replicates} replicates), more than max_runs = {spec.max_runs}. "
            f"Raise the cap with `max_runs = {spec.n_runs}` in [sweep] or "
            f"`--max-runs {spec.n_runs}`, or vary fewer values."
        )


def _parameter(item: Any, where: str, design: str) -> Parameter:
    p = validate(item, PARAMETER_SCHEMA, where)
    key, name = p["key"], p["name"] or p["key"]
    link = {k: v for k, v in _flatten(p["link"] or {}).items()}
    if not key and not (p["name"] and link):
        raise ScenarioError(
            f'{where}: give key = "table.key" (the scenario key to vary), or a name and '
            "a [parameter.link] table of keys that move together."
        )
    for k in [key, *link] if key else link:
        parse_key(k, where)
    has_values, has_range = p["values"] is not None, p["range"] is not None
    if has_values == has_range:
        raise ScenarioError(
            f"{where} ({name}): give either values = [...] or range = [low, high]"
            + (", not both." if has_values else ".")
        )
    if has_values:
        if p["steps"] or p["scale"] != "linear":
            raise ScenarioError(f"{where} ({name}): steps and scale go with range, not values.")
        values = tuple(p["values"])
        if len(set(map(repr, values))) != len(values):
            raise ScenarioError(f"{where} ({name}): values repeat: {list(values)}.")
        for k, vals in link.items():
            if not isinstance(vals, list) or len(vals) != len(values):
                raise ScenarioError(
                    f"{where} ({name}): link {k!r} needs a list of {len(values)} values, "
                    f"one per value; found {vals!r}."
                )
        return Parameter(name, key, values=values, link={k: tuple(v) for k, v in link.items()})
    if link:
        raise ScenarioError(f"{where} ({name}): link needs values = [...], not a range.")
    low_high = p["range"]
    if len(low_high) != 2 or not low_high[0] < low_high[1]:
        raise ScenarioError(
            f"{where} range: expected [low, high] with low < high, found {low_high!r}."
        )
    low, high = low_high
    if p["scale"] == "log" and low <= 0:
        raise ScenarioError(f"{where} range: a log scale needs low > 0, found {low!r}.")
    if design == "grid" and p["steps"] < 1:
        raise ScenarioError(
            f"{where} ({name}): a range on a grid needs steps = n (points from low to high)."
        )
    if design != "grid" and p["steps"]:
        raise ScenarioError(
            f"{where} ({name}): steps is for a grid; design {design!r} draws [sweep] samples."
        )
    return Parameter(name, key, low=low, high=high, steps=p["steps"], scale=p["scale"])


_SEGMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*)((?:\[\d+\])*)$")


def parse_key(key: str, where: str = "") -> list[str | int]:
    """``protocol.doses[1].ca_mg`` -> ``["protocol", "doses", 1, "ca_mg"]``."""
    parts: list[str | int] = []
    for segment in key.split("."):
        m = _SEGMENT.match(segment.strip())
        if not m:
            raise ScenarioError(
                f"{where}: key {key!r}: expected table.key, with [i] for the i-th entry of a "
                "list of tables (counting from 0), e.g. protocol.doses[1].ca_mg."
            )
        parts.append(m.group(1))
        parts.extend(int(i) for i in re.findall(r"\[(\d+)\]", m.group(2)))
    if len(parts) < 2:
        raise ScenarioError(f"{where}: key {key!r}: name a table and a key, e.g. run.seed.")
    return parts


def _flatten(table: dict, prefix: str = "") -> dict[str, Any]:
    """Nested TOML tables -> dotted keys (``[fixed] run.duration_ms = 5`` or quoted)."""
    out = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        else:
            out[name] = value
    return out


def set_key(data: dict, key: str, value: Any, where: str) -> None:
    """Set a dotted key (with ``[i]`` list indices) in parsed TOML, before validation."""
    parts = parse_key(key, where)
    node: Any = data
    for part, nxt in itertools.pairwise(parts):
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                have = len(node) if isinstance(node, list) else 0
                raise ScenarioError(
                    f"{where}: key {key!r}: the base scenario has {have} entries there, "
                    f"so index {part} does not exist (indices count from 0)."
                )
            node = node[part]
            continue
        if not isinstance(node, dict):
            raise ScenarioError(f"{where}: key {key!r}: {part!r} is not inside a table.")
        if part not in node:
            node[part] = [] if isinstance(nxt, int) else {}
        node = node[part]
    last = parts[-1]
    if isinstance(last, int):
        if not isinstance(node, list) or last >= len(node):
            raise ScenarioError(f"{where}: key {key!r}: index {last} does not exist.")
        node[last] = value
    elif not isinstance(node, dict):
        raise ScenarioError(f"{where}: key {key!r}: the parent is not a table.")
    else:
        node[last] = value


# ---------------------------------------------------------------- expansion


def replicate_seed(sweep_seed: int, replicate: int, point: int, mode: str = "common") -> int:
    """The scenario seed of one run (31 bits, accepted by every scale)."""
    key = (1, replicate) if mode == "common" else (2, point, replicate)
    state = np.random.SeedSequence(sweep_seed, spawn_key=key).generate_state(1, np.uint32)
    return int(state[0]) & 0x7FFFFFFF


def sample_points(spec: SweepSpec) -> list[tuple]:
    """The parameter values of each point, in a fixed order."""
    params = spec.parameters
    if spec.design == "grid":
        return list(itertools.product(*(p.grid() for p in params)))
    rng = np.random.default_rng(np.random.SeedSequence(spec.seed, spawn_key=(0,)))
    if spec.design == "lhs":
        from scipy.stats import qmc

        units = qmc.LatinHypercube(d=len(params), rng=rng).random(spec.samples)
    else:
        units = rng.random((spec.samples, len(params)))
    return [tuple(p.from_unit(float(u)) for p, u in zip(params, row, strict=True)) for row in units]


def expand(spec: SweepSpec) -> list[RunPoint]:
    """All runs of a sweep: point-major, replicate-minor; a pure function of ``spec``."""
    runs = []
    for point, values in enumerate(sample_points(spec)):
        overrides: dict[str, Any] = {}
        for p, v in zip(spec.parameters, values, strict=True):
            overrides.update(p.overrides(v))
        params = {p.name: v for p, v in zip(spec.parameters, values, strict=True)}
        for r in range(spec.replicates):
            seed = replicate_seed(spec.seed, r, point, spec.seeds)
            runs.append(RunPoint(len(runs), point, r, seed, params, overrides))
    return runs

"""Scenario files: TOML → one validated dict per run, with ``--set`` overrides.

A scenario has separate tables for what is simulated (``[fibre]``, ``[nerve]``
or ``[body]``: a parameter set plus overrides), what is done to it
(``[protocol]``), how it is run (``[run]``) and where results go
(``[output]``), and a ``[scenario]`` table with its name and a one-line
description.  Which scale runs follows from which model table is present.

Every problem becomes one :class:`~cellsim.errors.ScenarioError` naming the
file, the key, what was expected and what was found.
"""

from __future__ import annotations

import difflib
import importlib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cellsim.errors import ScenarioError
from cellsim.schema import Field, Table, unknown_key_message, validate

#: scale name -> module with MODEL_TABLE, MODEL_SCHEMA, PROTOCOL_SCHEMA, RUN_SCHEMA, run()
SCALE_RUNNERS = {
    "fibre": "cellsim.fibre.runner",
    "nerve": "cellsim.nerve.runner",
    "body": "cellsim.body.runner",
}

SCENARIO_SCHEMA = Table(
    {
        "name": Field(str, doc="short name, used for the default results folder"),
        "description": Field(str, default="", doc="one line shown by `cellsim list`"),
    }
)
OUTPUT_SCHEMA = Table(
    {
        "directory": Field(str, default="", doc="results folder (default results/<name>)"),
        "snapshots": Field(bool, default=True, doc="save particle snapshots for animations"),
        "figure": Field(bool, default=True, doc="write figure.png"),
    }
)


@dataclass
class Scenario:
    """A validated scenario.

    Attributes
    ----------
    path
        The file it came from (``None`` if built in code).
    scale
        The scale to run (``"fibre"``, ``"nerve"``, ``"body"``; or ``"nerve+fibre"``).
    data
        The resolved tables (defaults filled in), as plain dicts.
    """

    path: Path | None
    scale: str
    data: dict[str, Any]

    @property
    def name(self) -> str:
        return self.data["scenario"]["name"]

    @property
    def description(self) -> str:
        return self.data["scenario"]["description"]

    @property
    def seed(self) -> int:
        return int(self.data["run"].get("seed", 1))

    def runner(self):
        return load_runner(self.scale)


def load_runner(scale: str):
    """Import the module that runs a scale (lazily: keeps the CLI fast)."""
    if scale == "nerve+fibre":
        return importlib.import_module("cellsim.chain")
    return importlib.import_module(SCALE_RUNNERS[scale])


def model_tables(runner) -> dict:
    """Model tables a runner validates: ``MODEL_TABLES`` or its single table."""
    tables = getattr(runner, "MODEL_TABLES", None)
    return tables if tables is not None else {runner.MODEL_TABLE: runner.MODEL_SCHEMA}


def read_toml(path: str | Path) -> dict:
    """Parse a TOML file, turning every failure into a ScenarioError."""
    path = Path(path)
    if not path.exists():
        near = ""
        if path.parent.is_dir():
            names = [p.name for p in path.parent.glob("*.toml")]
            close = difflib.get_close_matches(path.name, names, n=1, cutoff=0.6)
            near = f" Did you mean {str(path.parent / close[0])!r}?" if close else ""
        raise ScenarioError(
            f"{path}: no such file.{near} `cellsim list` shows the bundled scenarios."
        )
    if path.is_dir():
        raise ScenarioError(f"{path}: is a folder; expected a .toml scenario file.")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: is not a UTF-8 text file.") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(f"{path}: malformed TOML: {err}.") from None


def parse_assignment(text: str) -> tuple[list[str], Any]:
    """Parse ``table.key=value`` from ``--set``; the value is read as TOML."""
    if "=" not in text:
        raise ScenarioError(
            f"--set {text!r}: expected dotted.key=value, e.g. --set fibre.mg_free_mM=0.15."
        )
    key, raw = text.split("=", 1)
    parts = [p.strip() for p in key.strip().split(".")]
    if len(parts) < 2 or not all(parts):
        raise ScenarioError(
            f"--set {text!r}: the key must name a table and a key, "
            "e.g. fibre.mg_free_mM or run.seed."
        )
    raw = raw.strip()
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw  # a bare word: treat as a string (e.g. engine=reference)
    return parts, value


def apply_overrides(data: dict, assignments: list[str]) -> dict:
    """Apply ``--set`` assignments to parsed TOML (before validation)."""
    for text in assignments:
        parts, value = parse_assignment(text)
        table = data
        for part in parts[:-1]:
            node = table.setdefault(part, {})
            if not isinstance(node, dict):
                raise ScenarioError(f"--set {text!r}: {part!r} is not a table.")
            table = node
        table[parts[-1]] = value
    return data


def detect_scale(data: dict, where: str) -> str:
    present = [scale for scale in SCALE_RUNNERS if scale in data]
    if not present:
        known = {"scenario", "protocol", "run", "output", *SCALE_RUNNERS}
        for key in data:
            if key not in known:
                raise ScenarioError(unknown_key_message(where, key, known))
        raise ScenarioError(
            f"{where}: no model table: add [fibre], [nerve] or [body] to say what to simulate."
        )
    if present == ["nerve", "fibre"] or present == ["fibre", "nerve"]:
        return "nerve+fibre"
    if len(present) > 1:
        raise ScenarioError(
            f"{where}: tables {present} cannot be combined in one "
            "scenario; use [nerve] with [fibre], or one scale alone."
        )
    return present[0]


def resolve(data: dict, where: str, path: Path | None = None) -> Scenario:
    """Validate parsed TOML and return a Scenario with defaults filled in."""
    scale = detect_scale(data, where)
    runner = load_runner(scale)
    tables = model_tables(runner)
    allowed = {"scenario", "protocol", "run", "output", *tables}
    for key in data:
        if key not in allowed:
            raise ScenarioError(unknown_key_message(where, key, allowed))
    resolved = {
        "scenario": validate(data.get("scenario", {}), SCENARIO_SCHEMA, f"{where}: [scenario]"),
        "protocol": validate(
            data.get("protocol", {}), runner.PROTOCOL_SCHEMA, f"{where}: [protocol]"
        ),
        "run": validate(data.get("run", {}), runner.RUN_SCHEMA, f"{where}: [run]"),
        "output": validate(data.get("output", {}), OUTPUT_SCHEMA, f"{where}: [output]"),
    }
    for table, schema in tables.items():
        resolved[table] = validate(data.get(table, {}), schema, f"{where}: [{table}]")
    if hasattr(runner, "check"):
        runner.check(resolved, where)
    return Scenario(path, scale, resolved)


def load(path: str | Path, overrides: list[str] | None = None) -> Scenario:
    """Read, override and validate a scenario file.

    Parameters
    ----------
    path
        The TOML file.
    overrides
        ``dotted.key=value`` strings, as from ``--set``.
    """
    path = Path(path)
    data = read_toml(path)
    if overrides:
        data = apply_overrides(data, overrides)
    return resolve(data, str(path), path)


def bundled_dir() -> Path:
    """The folder of bundled scenarios (in a source checkout)."""
    return Path(__file__).resolve().parent.parent / "scenarios"

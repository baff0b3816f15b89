"""Scenario files: TOML → a validated :class:`Scenario`, with ``--set`` overrides.

A scenario has separate tables for what is simulated (a model table per scale:
``[fibre]``, ``[nerve]``, ``[body]``: a parameter set plus overrides), what is done to it
(``[protocol]``), how it is run (``[run]``), what the cells see (``[environment]``,
optional) and where results go (``[output]``), and a ``[scenario]`` table with its name and
a one-line description.  Which scales run follows from the model tables present; with
more than one, each scale's protocol and run settings are sub-tables named after it
(``[protocol.fibre]``, ``[run.nerve]``) and ``[run] seed`` is the one seed of the run::

    [body]                       # a week of diet and supplements ...
    [fibre]                      # ... hands its environment to a twitch
    [protocol.body]
    [[protocol.body.handoffs]]
    day = 7
    time = "22:00"
    [protocol.fibre]
    kind = "pulses"
    [run]
    seed = 1
    [run.body]
    duration_days = 7

Every table is generated from the scales' typed classes (:mod:`cellsim.schema`), so the
defaults live in one place.  Every problem becomes one
:class:`~cellsim.errors.ScenarioError` naming the file, the key, what was expected and
what was found.
"""

from __future__ import annotations

import codecs
import copy
import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cellsim import scales
from cellsim.environment import ENVIRONMENT_TABLE, Environment
from cellsim.errors import ScenarioError
from cellsim.output_folder import folder_name_problem
from cellsim.scales import Setup
from cellsim.schema import Field, Table, as_data, build, unknown_key_message, validate

#: Longest scenario name: it becomes a folder name.
MAX_NAME_LENGTH = 80
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a scenario's or a sweep's name (a folder name), or ``None``."""
    if not _NAME.fullmatch(name) or len(name) > MAX_NAME_LENGTH:
        return (
            f"a name is a folder name: 1-{MAX_NAME_LENGTH} letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return None


def _directory_problem(value: str) -> str | None:
    """An ``[output] directory`` must end in a usable folder name ("" means the default)."""
    if not value:
        return None
    if len(value) > 1024:
        return "a folder path of at most 1024 characters"
    if "\x00" in value:
        return "a folder path cannot contain a NUL character"
    return folder_name_problem(Path(value).name)


SCENARIO_TABLE = Table(
    {
        "name": Field(
            str, doc="short name, used for the default results folder", check=name_problem
        ),
        "description": Field(str, default="", doc="one line shown by `cellsim list`"),
    }
)
OUTPUT_TABLE = Table(
    {
        "directory": Field(
            str,
            default="",
            doc="results folder (default results/<name>)",
            check=_directory_problem,
        ),
        "snapshots": Field(bool, default=True, doc="save particle snapshots for animations"),
        "figure": Field(bool, default=True, doc="write figure.png"),
    }
)
ROLES = ("protocol", "run")


@dataclass
class Scenario:
    """A validated scenario: one :class:`~cellsim.scales.Setup` per scale, and its context.

    Attributes
    ----------
    path
        The file it came from (``None`` if built in code).
    setups
        Each scale's typed setup, by scale name, in chain order (a body before a nerve
        before a fibre).
    environment
        What the first scale sees (``[environment]``; unset fields take each parameter
        set's reference conditions).
    output
        The ``[output]`` table.
    data
        The resolved tables (defaults filled in), as plain data: written to a results
        folder's ``scenario.toml`` and hashed by sweeps.
    """

    path: Path | None
    name: str
    description: str
    setups: dict[str, Setup]
    environment: Environment
    output: dict[str, Any]
    data: dict[str, Any] = field(repr=False)

    @property
    def scale(self) -> str:
        """The scales it runs, joined by ``+`` in chain order (``"nerve+fibre"``)."""
        return "+".join(self.setups)

    @property
    def seed(self) -> int:
        return next(iter(self.setups.values())).settings.seed


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
    raw = path.read_bytes()
    if raw.startswith(codecs.BOM_UTF8):  # some editors write one; TOML does not allow it
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        text = raw.decode("utf-8")
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
            f"--set {text!r}: expected dotted.key=value, "
            "e.g. --set environment.mg_free_intracellular_mM=0.15."
        )
    key, raw = text.split("=", 1)
    parts = [p.strip() for p in key.strip().split(".")]
    if len(parts) < 2 or not all(parts):
        raise ScenarioError(
            f"--set {text!r}: the key must name a table and a key, e.g. fibre.serca_uM or run.seed."
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


def _scales_present(data: dict, where: str) -> list[str]:
    present = [name for name in scales.names() if name in data]
    known = {"scenario", "environment", "protocol", "run", "output", *scales.names()}
    for key in data:
        if key not in known:
            raise ScenarioError(unknown_key_message(where, key, known))
    if not present:
        tables = ", ".join(f"[{n}]" for n in scales.names())
        raise ScenarioError(
            f"{where}: no model table: add one of {tables} to say what to simulate."
        )
    return sorted(present, key=lambda n: scales.get(n).level)


def _role_tables(data: dict, present: list[str], where: str) -> dict[str, dict[str, dict]]:
    """Each scale's raw ``protocol`` and ``run`` tables (flat, or per scale when several)."""
    out: dict[str, dict[str, dict]] = {name: {} for name in present}
    for role in ROLES:
        raw = data.get(role, {})
        if not isinstance(raw, dict):
            raise ScenarioError(f"{where}: [{role}] must be a table.")
        if len(present) == 1:
            out[present[0]][role] = raw
            continue
        shared = {"seed"} if role == "run" else set()
        for key in raw:
            if key in present or key in shared:
                continue
            example = f"[{role}.{present[-1]}]"
            raise ScenarioError(
                f"{where}: [{role}] {key}: this scenario has several scales "
                f"({', '.join(present)}), so each one's {role} settings go in a table of "
                f"their own, e.g. {example}."
                + (" The one seed of the run stays in [run] seed." if role == "run" else "")
            )
        for name in present:
            table = raw.get(name, {})
            if not isinstance(table, dict):
                raise ScenarioError(f"{where}: [{role}.{name}] must be a table.")
            if role == "run" and "seed" in table:
                raise ScenarioError(
                    f"{where}: [run.{name}] seed: a chain has one seed; set it in [run] seed."
                )
            out[name][role] = dict(table)
            if role == "run" and "seed" in raw:
                out[name][role]["seed"] = raw["seed"]
    return out


def resolve(data: dict, where: str, path: Path | None = None) -> Scenario:
    """Validate parsed TOML and return a Scenario with defaults filled in."""
    data = copy.deepcopy(data)
    present = _scales_present(data, where)
    several = len(present) > 1
    header = validate(data.get("scenario", {}), SCENARIO_TABLE, f"{where}: [scenario]")
    output = validate(data.get("output", {}), OUTPUT_TABLE, f"{where}: [output]")
    env_data = validate(data.get("environment", {}), ENVIRONMENT_TABLE, f"{where}: [environment]")
    environment = build(Environment, env_data)
    producers = [n for n in present if scales.get(n).produces_environment]
    if producers and data.get("environment"):
        raise ScenarioError(
            f"{where}: [environment]: the [{producers[0]}] scale produces the environment "
            "over time; remove [environment] (or the body table to set it by hand)."
        )
    raw = _role_tables(data, present, where)
    setups: dict[str, Setup] = {}
    resolved: dict[str, Any] = {"scenario": header}
    if env_data:
        resolved["environment"] = env_data
    role_data: dict[str, dict] = {role: {} for role in ROLES}
    for name in present:
        scale = scales.get(name)
        tables = scale.tables()
        model = validate(data[name], tables["model"], f"{where}: [{name}]")
        checked = {}
        for role in ROLES:
            label = f"[{role}.{name}]" if several else f"[{role}]"
            checked[role] = validate(raw[name][role], tables[role], f"{where}: {label}")
        setup = scale.setup(model, checked["protocol"], checked["run"], f"{where}: [{name}]")
        scale.check(setup, environment, where)
        setups[name] = setup
        resolved[name] = model
        for role in ROLES:
            typed = setup.protocol if role == "protocol" else setup.settings
            role_data[role][name] = as_data(typed)
    _check_handoffs(setups, present, where)
    for role in ROLES:
        if several:
            resolved[role] = role_data[role]
            if role == "run":
                seed = next(iter(setups.values())).settings.seed
                resolved[role] = {"seed": seed, **role_data[role]}
        else:
            resolved[role] = role_data[role][present[0]]
    resolved["output"] = output
    if several:
        for table in resolved["run"].values():
            if isinstance(table, dict):
                table.pop("seed", None)
    return Scenario(path, header["name"], header["description"], setups, environment,
                    output, resolved)  # fmt: skip


def _check_handoffs(setups: dict[str, Setup], present: list[str], where: str) -> None:
    """Hand-offs may name only scales of this scenario, and only downstream ones."""
    for name in present:
        scale = scales.get(name)
        if not scale.produces_environment:
            continue
        downstream = [n for n in present if scales.get(n).level > scale.level]
        for index, runs in enumerate(scale.handoff_runs(setups[name])):
            unknown = [r for r in runs if r not in downstream]
            if unknown:
                raise ScenarioError(
                    f"{where}: [[protocol.{name}.handoffs]][{index}] runs: {unknown} "
                    f"{'is' if len(unknown) == 1 else 'are'} not a scale of this scenario "
                    f"after [{name}]; add the table or choose from {downstream}."
                )


def load(path: str | Path, overrides: list[str] | None = None) -> Scenario:
    """Read, override and validate a scenario file.

    Parameters
    ----------
    path
        The TOML file, or the name of a bundled scenario (``"twitch"``).
    overrides
        ``dotted.key=value`` strings, as from ``--set``.
    """
    path = find(path)
    data = read_toml(path)
    if overrides:
        data = apply_overrides(data, overrides)
    return resolve(data, str(path), path)


def bundled_dir() -> Path:
    """The folder of bundled scenarios: package data, ``cellsim/scenarios`` (sweeps in its
    ``sweeps`` folder).  A source checkout also has it as ``scenarios/`` (a link)."""
    return Path(__file__).resolve().parent / "scenarios"


def find(path: str | Path) -> Path:
    """A scenario path as given, or a bundled scenario by name (``twitch``)."""
    given = Path(path)
    if given.exists() or (given.suffix == ".toml" and given.parent != Path(".")):
        return given
    bundled = bundled_dir() / (given.name if given.suffix else f"{given.name}.toml")
    if not given.exists() and bundled.exists():
        return bundled
    return given


def run_key(scenario: Scenario, scale: str, key: str) -> str:
    """The dotted ``--set`` key of one scale's run setting (``run.X`` or ``run.<scale>.X``)."""
    return f"run.{key}" if len(scenario.setups) == 1 else f"run.{scale}.{key}"


def engine_overrides(scenario: Scenario, engine: str) -> list[str]:
    """``--set`` assignments choosing ``engine`` for every scale that has engines."""
    return [
        f"{run_key(scenario, name, 'engine')}={engine}"
        for name, setup in scenario.setups.items()
        if hasattr(setup.settings, "engine")
    ]

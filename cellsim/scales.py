"""The one shape every scale has, and the registry of scales.

A scale (fibre, nerve, body, ...) is an object that satisfies :class:`Scale`: a name that
is also its TOML table, named parameter sets, typed parameter / protocol / run-settings
classes from which its scenario tables are generated, cross-table checks, ``simulate``
(a :class:`Setup` and an :class:`~cellsim.environment.Environment` in, a
:class:`~cellsim.output.RunOutput` out) and a cost estimate.  Everything else — the
scenario loader, the run path, chains, sweeps, the command line — works through this
protocol and never branches on a scale's name.

Adding a scale means writing its ``scale.py`` and adding one line to :data:`REGISTRY`
(``docs/architecture.md`` shows a toy scale; a test builds one).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from cellsim.errors import ScenarioError
from cellsim.schema import Field, Table, build, model_table, table_for, with_overrides

if TYPE_CHECKING:
    from cellsim.environment import Environment
    from cellsim.output import RunOutput


@dataclass(frozen=True)
class Setup:
    """One scale's resolved scenario: what is simulated, what is done to it, for how long.

    Attributes
    ----------
    params
        The scale's parameter object (a named set with overrides applied).
    protocol
        Stimuli, doses, clamps, hand-offs: the scale's protocol object.
    settings
        Duration, time step, seed, recording, engine: the scale's run-settings object.
    options
        Other choices of the model table (e.g. the body's ``person``), by name.
    """

    params: Any
    protocol: Any
    settings: Any
    options: Mapping[str, Any] = None  # type: ignore[assignment]

    def option(self, name: str) -> Any:
        return (self.options or {})[name]


@dataclass(frozen=True)
class Cost:
    """What a run will cost, estimated before it starts.

    Attributes
    ----------
    steps
        Time steps (or integration segments) of the run.
    memory_bytes
        Peak memory the run's arrays need.
    seconds
        Rough single-core time on the development machine (2-core AMD EPYC).
    """

    steps: int
    memory_bytes: float
    seconds: float


@runtime_checkable
class Scale(Protocol):
    """What every scale supplies.

    Attributes
    ----------
    name
        The scale's name and its TOML table (``[fibre]``).
    level
        Order in a chain: a scale of lower level runs first and hands on its environment
        (body 0, nerve 1, fibre 2).
    parameter_sets
        Named, cited parameter sets.
    produces_environment
        Its runs produce environments at hand-off points (the body).
    starts_thread_pool
        Loading its kernels starts numba's thread pool (sweeps then spawn workers
        rather than fork them).
    """

    name: str
    level: int
    parameter_sets: Mapping[str, Any]
    produces_environment: bool
    starts_thread_pool: bool

    def tables(self) -> dict[str, Table]:
        """The scenario tables it reads: ``model``, ``protocol`` and ``run``."""
        ...

    def setup(self, model: dict, protocol: dict, run: dict, where: str) -> Setup:
        """The typed setup of validated tables."""
        ...

    def check(self, setup: Setup, env: Environment, where: str) -> None:
        """Rules across tables, in the scenario's environment (raise ScenarioError)."""
        ...

    def simulate(self, setup: Setup, env: Environment, *, progress: bool = False) -> RunOutput:
        """Run the setup in an environment."""
        ...

    def estimate(self, setup: Setup) -> Cost:
        """Steps, memory and a rough time, before anything runs."""
        ...

    def handoff_runs(self, setup: Setup) -> list[tuple[str, ...]]:
        """The scales each hand-off of the protocol names (producers; others: none)."""
        ...


class ScaleBase:
    """Generic parts of a scale, driven by its typed classes (subclass and fill in).

    Class attributes a subclass sets: ``name``, ``level``, ``params_type``,
    ``protocol_type``, ``settings_type``, ``parameter_sets``, ``default_parameter_set``
    and optionally ``model_options`` (extra keys of the model table, as schema Fields)
    and ``renamed_model_keys``.
    """

    name: str = ""
    level: int = 0
    params_type: type
    protocol_type: type
    settings_type: type
    parameter_sets: Mapping[str, Any] = {}
    default_parameter_set: str = ""
    model_options: Mapping[str, Field] = {}
    renamed_model_keys: Mapping[str, str] = {}
    produces_environment: bool = False
    starts_thread_pool: bool = False
    description: str = ""
    #: Seconds numba needs to compile this scale's kernels on a first run (0: none).
    compile_s: float = 0.0

    def what_you_see(self, summary: dict) -> str:
        """A short paragraph for a teacher on what a run of this scale shows (or "")."""
        return ""

    def kernel_variant(self, setup: Setup) -> str:
        """Which of the scale's compiled kernels a run of ``setup`` calls ("": the only one).

        Each variant is compiled on its first use, so a first run's compile lock and notice
        go by scale and variant (:func:`cellsim.chain.compiled_scales`).
        """
        return ""

    def tables(self) -> dict[str, Table]:
        return {
            "model": model_table(
                self.params_type,
                self.parameter_sets,
                self.default_parameter_set,
                options=self.model_options,
                renamed=self.renamed_model_keys,
                doc=self.description,
            ),
            "protocol": table_for(self.protocol_type),
            "run": table_for(self.settings_type),
        }

    def params_from(self, model: dict, where: str) -> Any:
        """The named parameter set with the table's overrides applied and checked."""
        base = self.parameter_sets[model["parameter_set"]]
        skip = {"parameter_set", *self.model_options}
        params = with_overrides(base, {k: v for k, v in model.items() if k not in skip})
        problem = getattr(params, "problem", lambda: None)()
        if problem:
            raise ScenarioError(f"{where} {problem}")
        return params

    def setup(self, model: dict, protocol: dict, run: dict, where: str) -> Setup:
        return Setup(
            self.params_from(model, where),
            build(self.protocol_type, protocol),
            build(self.settings_type, run),
            {k: model[k] for k in self.model_options},
        )

    key_figures: tuple[str, ...] = ()

    def check(self, setup: Setup, env: Environment, where: str) -> None:
        return None

    def handoff_runs(self, setup: Setup) -> list[tuple[str, ...]]:
        return []


#: Scale name -> "module:attribute" of the object satisfying :class:`Scale`.  Imported on
#: first use, so the command line starts fast.  Order is the order of ``cellsim list``.
REGISTRY: dict[str, str] = {
    "fibre": "cellsim.fibre.scale:FIBRE",
    "nerve": "cellsim.nerve.scale:NERVE",
    "body": "cellsim.body.scale:BODY",
}

_LOADED: dict[str, Scale] = {}


def get(name: str) -> Scale:
    """The scale registered as ``name`` (imported on first use)."""
    if name not in _LOADED:
        module, _, attribute = REGISTRY[name].partition(":")
        scale = getattr(importlib.import_module(module), attribute)
        if not isinstance(scale, Scale):
            raise TypeError(f"{REGISTRY[name]} does not implement cellsim.scales.Scale")
        if scale.name != name:
            raise TypeError(f"{REGISTRY[name]} is named {scale.name!r}, registered as {name!r}")
        _LOADED[name] = scale
    return _LOADED[name]


def names() -> list[str]:
    """Names of the registered scales."""
    return list(REGISTRY)

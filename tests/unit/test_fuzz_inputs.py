"""Fuzzing the loader, the ``--set`` parser and the sweep parser: a user mistake is always a
CellsimError, never another exception.

Each test starts from the bundled scenarios (so most keys are real) and changes one to
five of them, or adds junk, with values of every type: huge, tiny, negative, NaN,
infinite, empty lists, tables where numbers go, strings with NUL and newlines.  Whatever
the loader accepts must also give a cost estimate (``cellsim validate``) without an error.
The number of examples is bounded so the whole file runs in a few seconds.
"""

from __future__ import annotations

import copy
import json
import math
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cellsim.chain import check_cost
from cellsim.errors import CellsimError
from cellsim.scenario import apply_overrides, read_toml, resolve
from cellsim.sweep.spec import parse_sweep

ROOT = Path(__file__).resolve().parents[2]
BASES = {
    name: read_toml(ROOT / "scenarios" / f"{name}.toml")
    for name in (
        "twitch",
        "force_pca",
        "nerve_spasm_low_ca",
        "nmda_mg_block",
        "body_supplement_together_vs_apart",
        "spasm_low_ca",
        "chain_supplements_to_twitch",
    )
}
SWEEP = read_toml(ROOT / "scenarios" / "sweeps" / "relaxation_vs_mg.toml")
EXAMPLES = 250
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI never flakes
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

numbers = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 1e-300, 1e300, 1e-9, 1e12, -0.0, math.nan, math.inf, 2**63]),
)
scalars = st.one_of(
    numbers,
    st.booleans(),
    st.text(max_size=12),
    st.sampled_from(["", "..", "../x", "a\x00b", "x\n", "/", "08:00", "25:99", "numba"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(data, prefix=()):
    """Every dotted path to a value in parsed TOML (list entries by index)."""
    for key, value in data.items():
        here = (*prefix, key)
        yield here
        if isinstance(value, dict):
            yield from _paths(value, here)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for i, item in enumerate(value):
                yield from _paths(item, (*here, i))


def _set(data, path, value):
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


@st.composite
def mutated(draw):
    name = draw(st.sampled_from(sorted(BASES)))
    data = copy.deepcopy(BASES[name])
    paths = list(_paths(data))
    for _ in range(draw(st.integers(1, 5))):
        if draw(st.booleans()):
            path = draw(st.sampled_from(paths))
        else:  # a new key somewhere (junk, or a real table)
            table = draw(st.sampled_from(["scenario", "run", "protocol", "output", "environment",
                                          "fibre", "nerve", "body", "x"]))  # fmt: skip
            path = (table, draw(st.text(min_size=1, max_size=10)))
            if not isinstance(data.get(table, {}), dict):
                continue
            data.setdefault(table, {})
        try:
            _set(data, path, draw(values))
        except (KeyError, IndexError, TypeError):  # an earlier change removed the parent
            continue
    return data


@st.composite
def rescaled(draw):
    """Real keys with values of the right type but extreme size: the model's own checks
    (time steps, cross-table rules, cost estimates) see values the tables accept."""
    name = draw(st.sampled_from(sorted(BASES)))
    data = copy.deepcopy(BASES[name])
    numeric = [p for p in _paths(data) if _is_number(_get(data, p))]
    for path in draw(st.lists(st.sampled_from(numeric), min_size=1, max_size=4)):
        value = _get(data, path)
        factor = draw(st.sampled_from([0, 1e-9, 1e-3, 0.1, 0.5, 2, 10, 1e3, 1e9, -1]))
        new = value * factor
        _set(data, path, int(new) if isinstance(value, int) and abs(new) < 2**62 else new)
    return data


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _get(data, path):
    node = data
    for part in path:
        node = node[part]
    return node


def _accepts_or_explains(data) -> None:
    try:
        scenario = resolve(data, "fuzz.toml")
        check_cost(scenario)
    except CellsimError:
        pass


@FUZZ
@given(mutated())
def test_loader_explains_every_bad_scenario(data):
    _accepts_or_explains(data)


@FUZZ
@given(rescaled())
def test_loader_explains_every_extreme_value(data):
    _accepts_or_explains(data)


@FUZZ
@given(st.lists(st.text(max_size=40), min_size=1, max_size=3), st.sampled_from(sorted(BASES)))
def test_set_parser_explains_every_bad_assignment(texts, name):
    data = copy.deepcopy(BASES[name])
    try:
        apply_overrides(data, texts)
    except CellsimError:
        return
    _accepts_or_explains(data)


key_texts = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["run.duration_ms", "fibre.serca_uM", "environment.temperature_C", "protocol.times_ms",
         "run.dt_us", "fibre.particle_weight", "output.directory", "scenario.name"]
    ),
)  # fmt: skip


@FUZZ
@given(key_texts, values)
def test_set_parser_explains_every_bad_value(key, value):
    """Well-formed ``--set key=value`` with any TOML value (written back as TOML)."""
    data = copy.deepcopy(BASES["twitch"])
    text = _toml_value(value)
    if text is None:
        return
    try:
        apply_overrides(data, [f"{key}={text}"])
    except CellsimError:
        return
    _accepts_or_explains(data)


def _toml_value(value) -> str | None:
    """A value as TOML text (``None`` for what TOML cannot write: tables, huge ints)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, int) and abs(value) >= 2**63:
        return None
    if isinstance(value, (int, float, str)):
        return json.dumps(value)  # JSON numbers and strings are TOML (or read as a bare word)
    if isinstance(value, list):
        items = [_toml_value(v) for v in value]
        return None if None in items else "[" + ", ".join(items) + "]"
    return None


@st.composite
def mutated_sweep(draw):
    data = copy.deepcopy(SWEEP)
    paths = list(_paths(data))
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(paths))
        try:
            _set(data, path, draw(values))
        except (KeyError, IndexError, TypeError):
            continue
    return data


@FUZZ
@given(mutated_sweep())
def test_sweep_parser_explains_every_bad_sweep(data):
    path = ROOT / "scenarios" / "sweeps" / "fuzz.toml"  # never written: bases resolve from it
    try:
        spec = parse_sweep(data, "fuzz.toml", path)
    except CellsimError:
        return
    assert spec.n_runs <= spec.max_runs


@FUZZ
@given(st.text(max_size=200))
def test_any_text_is_toml_or_a_clear_error(text):
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return  # read_toml turns this into a ScenarioError (catalogue file 01)
    _accepts_or_explains(data)


def test_fuzzing_is_bounded():
    """The budget stated in the docs: a fixed number of examples per fuzz test."""
    assert FUZZ.max_examples == EXAMPLES


@pytest.mark.parametrize("name", sorted(BASES))
def test_the_fuzzed_bases_are_valid(name):
    """The starting points load: so what fails in the fuzz tests is the change."""
    check_cost(resolve(copy.deepcopy(BASES[name]), name))

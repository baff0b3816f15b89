"""House rules of the codebase, as tests: import direction, the scale protocol, registries.

* Kernels import only numpy, numba and the random stream; parameter classes and the
  scenario loader know nothing of Mesa; render, sweep, the command line and the app import
  no scale internals (they go through ``cellsim.run`` and the :class:`Scale` protocol).
* Every registered scale implements the protocol, and every registry entry resolves.
* Every bundled scenario and sweep file validates.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from cellsim import scales
from cellsim.scales import Scale

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "cellsim"
SCALE_NAMES = tuple(scales.REGISTRY)


def imports(path: Path) -> set[str]:
    """Every module a file imports (absolute names; relative imports resolved)."""
    tree = ast.parse(path.read_text())
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out.update(f"{node.module}.{alias.name}" for alias in node.names)
    return out


def modules(pattern: str) -> list[Path]:
    return sorted(PACKAGE.glob(pattern))


@pytest.mark.parametrize("path", modules("*/kernel.py") + modules("nerve/rules.py"),
                         ids=lambda p: str(p.relative_to(PACKAGE)))  # fmt: skip
def test_kernels_import_only_numpy_numba_and_the_random_stream(path):
    allowed = ("numpy", "numba", "math", "__future__", "cellsim.random", "cellsim.nerve.rules")
    bad = [m for m in imports(path) if not m.startswith(allowed)]
    assert not bad, f"{path.name} imports {bad}"


def kernels_without_python_wrapper(module_name: str) -> set[str]:
    """Jitted functions of a kernel module compiled without numba's CPython wrapper."""
    import importlib

    from numba.core.registry import CPUDispatcher

    module = importlib.import_module(module_name)
    return {
        name
        for name, obj in vars(module).items()
        if isinstance(obj, CPUDispatcher) and obj.targetoptions.get("no_cpython_wrapper")
    }


def kernel_uses(path: Path, module_name: str) -> set[str]:
    """Names of ``module_name`` that a file calls or imports (``K.name``, ``import name``)
    outside its own jitted functions."""
    tree = ast.parse(path.read_text())
    package, _, last = module_name.rpartition(".")
    aliases, names = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == module_name:
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module == package:
            aliases.update(a.asname or a.name for a in node.names if a.name == last)
        elif isinstance(node, ast.Import):
            aliases.update(a.asname for a in node.names if a.name == module_name and a.asname)
    jitted = [  # a call inside a jitted function is a kernel calling a kernel
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
        and any("jit" in ast.unparse(d) for d in node.decorator_list)
    ]
    inside_jitted = {id(n) for f in jitted for n in ast.walk(f)}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
            and id(node) not in inside_jitted
        ):
            names.add(node.attr)
    return names


@pytest.mark.parametrize("path", modules("*/kernel.py"), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_kernels_without_a_python_wrapper_are_called_only_by_kernels(path):
    """A jitted function compiled without its CPython wrapper (``inner`` in a kernel module,
    cheaper to compile) crashes the interpreter if Python calls it: only kernels may."""
    module_name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    internal = kernels_without_python_wrapper(module_name)
    sources = [
        p for folder in ("cellsim", "tests", "benchmarks") for p in (ROOT / folder).rglob("*.py")
    ]
    misuse = {
        str(p.relative_to(ROOT)): sorted(used)
        for p in sources
        if p != path and (used := kernel_uses(p, module_name) & internal)
    }
    assert not misuse, f"Python calls kernels that have no Python wrapper: {misuse}"


@pytest.mark.parametrize(
    "path",
    [*modules("*/params.py"), PACKAGE / "scenario.py", PACKAGE / "schema.py",
     PACKAGE / "environment.py", PACKAGE / "scales.py"],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)  # fmt: skip
def test_parameters_and_the_loader_know_nothing_of_mesa(path):
    assert not [m for m in imports(path) if m.split(".")[0] == "mesa"]


@pytest.mark.parametrize(
    "path",
    [*modules("render/*.py"), *modules("sweep/*.py"), *modules("cli/*.py"),
     *modules("app/*.py"), PACKAGE / "chain.py", PACKAGE / "scenario.py"],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)  # fmt: skip
def test_shared_code_imports_no_scale_internals(path):
    inside = [m for m in imports(path) if m.split(".")[:2] in (["cellsim", s] for s in SCALE_NAMES)]
    assert not inside, f"{path.relative_to(PACKAGE)} imports {inside}; use cellsim.run / Scale"


@pytest.mark.parametrize(
    "path",
    [p for p in PACKAGE.rglob("*.py")
     if not any(part in SCALE_NAMES for part in p.relative_to(PACKAGE).parts[:1])
     and p.parent.name != "validation"],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)  # fmt: skip
def test_nothing_outside_a_scale_branches_on_scale_names(path):
    """No test of a scale's name outside its folder, such as ``if scale == "fibre"``.

    (Registries are data; a panel or a table that happens to share a scale's name is not a
    scale.)  A comparison counts when one side is a scale name and the other mentions
    ``scale`` or ``setups``.
    """
    text = path.read_text()
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        names = {c.value for c in sides if isinstance(c, ast.Constant)}
        other = " ".join(ast.get_source_segment(text, c) or "" for c in sides)
        if names & set(SCALE_NAMES) and ("scale" in other or "setups" in other):
            pytest.fail(f"{path.relative_to(PACKAGE)}:{node.lineno} branches on a scale name")


@pytest.mark.parametrize("name", SCALE_NAMES)
def test_every_registry_entry_resolves_to_a_scale(name):
    scale = scales.get(name)
    assert isinstance(scale, Scale)
    assert scale.name == name
    assert scale.parameter_sets
    tables = scale.tables()
    assert set(tables) == {"model", "protocol", "run"}
    assert "parameter_set" in tables["model"].fields


@pytest.mark.parametrize("name", SCALE_NAMES)
def test_every_parameter_carries_basis_and_bounds(name):
    import dataclasses

    from cellsim.schema import BASES

    scale = scales.get(name)
    params_type = type(next(iter(scale.parameter_sets.values())))
    params = [f for f in dataclasses.fields(params_type) if "param" in f.metadata]
    assert params, f"{name}: no parameter carries metadata"
    for f in params:
        info = f.metadata["param"]
        assert info.basis in BASES, f.name
        if info.basis == "calibrated":
            assert info.fitted_to, f"{name}.{f.name} is calibrated but says not to what"


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.toml")), ids=lambda p: p.stem)
def test_every_bundled_scenario_validates(path):
    from cellsim.scenario import load

    assert load(path).setups


@pytest.mark.parametrize(
    "path", sorted((ROOT / "scenarios" / "sweeps").glob("*.toml")), ids=lambda p: p.stem
)
def test_every_bundled_sweep_validates(path):
    from cellsim.sweep.spec import load_sweep
    from cellsim.sweep.tasks import build_tasks

    assert build_tasks(load_sweep(path))

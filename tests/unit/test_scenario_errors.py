"""The catalogue of bad scenario and sweep files: each gets its one clear message.

Each file in tests/data/bad starts with ``# expect: <text>``; loading it and estimating its
cost as ``cellsim validate`` does (a sweep file, ``*_sweep_*``, is loaded, expanded into
runs and every run's cost checked) must raise ScenarioError whose message names the file
and contains that text.  ``tests/unit/test_cli_errors.py`` holds the command-line classes.
"""

from pathlib import Path

import pytest

from cellsim.chain import check_cost
from cellsim.errors import ScenarioError
from cellsim.scenario import apply_overrides, load, parse_assignment

BAD = sorted((Path(__file__).parent.parent / "data" / "bad").glob("*.toml"))


def _expected(path: Path) -> str:
    first = path.read_bytes().split(b"\n", 1)[0].decode()
    assert first.startswith("# expect: "), f"{path.name} lacks its '# expect:' line"
    return first[len("# expect: ") :]


def _load(path: Path):
    if "_sweep_" in path.name:
        from cellsim.sweep.spec import load_sweep
        from cellsim.sweep.tasks import build_tasks, check_costs

        spec = load_sweep(path)
        return check_costs(spec, build_tasks(spec))
    return check_cost(load(path))


@pytest.mark.parametrize("path", BAD, ids=[p.name for p in BAD])
def test_bad_file_message(path):
    with pytest.raises(ScenarioError) as info:
        _load(path)
    message = str(info.value)
    assert str(path) in message
    assert _expected(path) in message


def test_catalogue_is_numbered_and_complete():
    assert len(BAD) >= 50
    numbers = [int(p.name[:2]) for p in BAD]
    assert numbers == list(range(1, len(BAD) + 1))


def test_missing_file_suggests_close_name(tmp_path):
    (tmp_path / "twitch.toml").write_text("")
    with pytest.raises(ScenarioError, match=r"no such file.*Did you mean .*twitch\.toml"):
        load(tmp_path / "twich.toml")


def test_set_overrides_reach_the_resolved_scenario():
    scenario = load(
        "scenarios/twitch.toml",
        ["environment.mg_free_intracellular_mM=0.15", "run.seed=7", "run.engine=reference"],
    )
    assert scenario.data["environment"]["mg_free_intracellular_mM"] == 0.15
    assert scenario.environment.mg_free_intracellular_mM == 0.15
    assert scenario.data["run"]["seed"] == 7
    assert scenario.data["run"]["engine"] == "reference"


@pytest.mark.parametrize(
    "text, message",
    [
        ("environment.mg_free_intracellular_mM", "expected dotted.key=value"),
        ("fibre.mg_free_mM=0.15", "renamed: to \\[environment\\] mg_free_intracellular_mM"),
        ("protocol.stimulus_times_ms=[1.0]", "renamed: times_ms"),
        ("mg=1", "must name a table and a key"),
        ("run.seed=-3", "must be >= 0"),
    ],
)
def test_bad_set_assignments(text, message):
    with pytest.raises(ScenarioError, match=message):
        load("scenarios/twitch.toml", [text])


def test_parse_assignment_reads_toml_values():
    assert parse_assignment("protocol.times_ms=[1, 2.5]") == (
        ["protocol", "times_ms"],
        [1, 2.5],
    )
    assert parse_assignment("run.engine=numba") == (["run", "engine"], "numba")
    assert apply_overrides({}, ["a.b.c=1"]) == {"a": {"b": {"c": 1}}}


def test_a_byte_order_mark_is_accepted(tmp_path):
    """Some editors start UTF-8 files with a byte-order mark; TOML does not allow it."""
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + Path("scenarios/twitch.toml").read_bytes())
    assert load(path).name == "twitch"

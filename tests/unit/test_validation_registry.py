"""The literature-check registry: every check is complete, tested, and never hidden."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cellsim.validation import checks as c
from cellsim.validation import figures, report

ROOT = Path(__file__).resolve().parents[2]
ALL = c.load()


def test_every_scale_has_checks_and_names_are_unique():
    assert {check.scale for check in ALL} == set(c.SCALES)
    assert len({check.name for check in ALL}) == len(ALL)


@pytest.mark.parametrize("check", ALL, ids=lambda check: check.name)
def test_every_check_states_source_tolerance_rationale_and_has_a_figure(check):
    for field in ("title", "quantity", "published", "source", "tolerance", "rationale"):
        assert getattr(check, field).strip(), (check.name, field)
    assert check.basis in c.BASES
    assert callable(check.measure) and callable(check.plot)
    assert re.fullmatch(r"(fibre|nerve|body)\.[a-z0-9_]+", check.name)


def test_every_check_is_run_by_a_validation_test():
    """The tests and the report run the same checks: no check without a test."""
    text = "".join(p.read_text() for p in (ROOT / "tests/validation").glob("test_*.py"))
    missing = [check.name for check in ALL if f'"{check.name}"' not in text]
    assert not missing


def _fake(name="body.fake", measure=None):
    return c.Check(
        name=name,
        title="a fake check",
        quantity="q",
        unit="",
        published="1.0",
        source="nobody",
        tolerance="0.9-1.1",
        rationale="for the test",
        measure=measure or (lambda s: c.Outcome(2.0, "2.0", {"0.9 <= x <= 1.1": False})),
        plot=figures.scalar,
        basis="emergent",
    )


def test_shared_runs_once_per_session_and_remembers_failures():
    calls = []

    @c.shared
    def experiment(session):
        calls.append(1)
        if len(calls) > 5:
            raise AssertionError("unreachable")
        return 42

    @c.shared
    def broken(session):
        calls.append("broken")
        raise RuntimeError("no convergence")

    session = c.Session(quick=True)
    assert experiment(session) == experiment(session) == 42
    assert experiment(c.Session()) == 42
    assert calls == [1, 1]
    for _ in range(2):
        with pytest.raises(RuntimeError, match="no convergence"):
            broken(session)
    assert calls.count("broken") == 1


def test_a_failing_or_broken_check_is_reported_with_a_figure(tmp_path):
    failing = _fake().run(c.Session())
    assert not failing.passed and "not met: 0.9 <= x <= 1.1" in failing.explain()

    def boom(session):
        raise ValueError("model blew up")

    broken = _fake("body.broken", boom).run(c.Session())
    assert not broken.passed and "ValueError: model blew up" in broken.simulated
    with pytest.raises(ValueError):
        _fake("body.broken", boom).run(c.Session(), catch=False)

    path = report.write_report([failing, broken], tmp_path, ["body"], wall_s=1.0, quick=True)
    text = path.read_text()
    assert "2 of 2" not in text and "0 of 2 checks passed (2 failed)" in text
    for name in ("body.fake", "body.broken"):
        assert f"[{name}](#" in text  # listed among the failing checks and in the table
        assert (tmp_path / "figures" / f"{name}.png").stat().st_size > 1000
    assert "FAIL  body.fake" in report.table([failing])

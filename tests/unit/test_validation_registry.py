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
    assert check.kind in c.KINDS
    assert callable(check.measure) and callable(check.plot)
    assert re.fullmatch(r"(fibre|nerve|body)\.[a-z0-9_]+", check.name)


def test_a_calibration_names_parameters_that_are_calibrated():
    import dataclasses

    from cellsim import scales

    for check in ALL:
        assert not (check.fitted and check.kind != "calibration"), check.name
        sets = scales.get(check.scale).parameter_sets
        fields = {f.name: f for f in dataclasses.fields(type(next(iter(sets.values()))))}
        for name in check.fitted:
            assert name in fields, f"{check.name}: no parameter {name!r}"
            assert fields[name].metadata["param"].basis == "calibrated", (check.name, name)


def test_the_calibration_register_is_current():
    from cellsim.validation.register import markdown

    written = (ROOT / "docs" / "validation" / "calibration.md").read_text()
    assert written == markdown(ALL), "run: cellsim check --register docs/validation/calibration.md"


def test_acceptance_rules_decide_and_describe_themselves():
    rule = c.around(18.5, 2.8, "µM", reason="15 %")
    assert rule.holds(20.0) and not rule.holds(21.4) and not rule.holds(float("nan"))
    assert rule.text == "18.5 ± 2.8 µM"
    assert c.at_least(5.0, "Hz").text == "at least 5 Hz" and not c.at_least(5.0).holds(4.9)
    outcome = c.Outcome(samples=(1.0, 2.0, 3.0))
    assert outcome.value == 2.0 and outcome.se == pytest.approx(1.0 / 3**0.5)


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
        kind="prediction",
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
    assert "0 predictions pass of 2" in text and "2 FAILED" in text
    for name in ("body.fake", "body.broken"):
        assert f"[{name}](#" in text  # listed among the failing checks and in the table
        assert (tmp_path / "figures" / f"{name}.png").stat().st_size > 1000
    assert "FAIL         body.fake" in report.table([failing])
    assert (tmp_path / "calibration.md").exists()


def test_a_known_gap_is_shown_but_never_fails_and_says_when_it_is_met():
    gap = c.Check(**{**_fake().__dict__, "kind": "known_gap"}).run(c.Session())
    assert not gap.passed and not gap.failing
    fields = {**_fake().__dict__, "kind": "known_gap", "accept": c.Within(1.5, 2.5)}
    fields["measure"] = lambda s: c.Outcome(2.0)
    met = c.Check(**fields).run(c.Session())
    assert met.passed and "(1 now met)" in report.headline([gap, met])
    assert "1 known gaps" not in report.headline([gap]) and "1 known gap" in report.headline([gap])

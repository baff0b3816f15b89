"""``cellsim check`` end to end: selection, errors, report, exit status."""

from __future__ import annotations

import re

import pytest

from cellsim.cli import check as command
from cellsim.cli import main
from cellsim.validation import checks as c
from cellsim.validation import figures


def test_unknown_scale_is_a_usage_error(capsys):
    assert main(["check", "--only", "nerv"]) == 2
    err = capsys.readouterr().err
    assert "--only 'nerv'" in err and "Did you mean 'nerve'?" in err
    assert "fibre, nerve, body" in err and "Traceback" not in err


def test_list_names_every_check(capsys):
    assert main(["check", "--list", "--only", "fibre,body"]) == 0
    out = capsys.readouterr().out
    assert "fibre.twitch_peak_ca" in out and "body.pth_set_point" in out
    assert "nerve." not in out


def test_only_accepts_a_check_name():
    scales, chosen = command.select(["nerve.nmda_half_block_voltage"])
    assert scales == ["nerve"] and [x.name for x in chosen] == ["nerve.nmda_half_block_voltage"]


def test_quick_body_report_has_one_figure_per_check(tmp_path, capsys):
    assert main(["check", "--only", "body", "--quick", "--report", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    body = [x.name for x in c.load(["body"])]
    assert "FAILED" not in out and "predictions pass of" in out
    assert f"/{len(body)}] body.ca_absorption_15mg ... pass" in err  # progress on stderr
    text = (tmp_path / "report.md").read_text()
    figures_written = sorted(p.stem for p in (tmp_path / "figures").glob("*.png"))
    assert figures_written == sorted(body)
    assert sorted(re.findall(r"!\[(body\.[a-z0-9_]+)\]\(figures/", text)) == sorted(body)
    assert "Heaney, Weaver & Fitzsimmons 1990" in text
    assert "Published results not checked" in text


def test_a_failing_check_gives_exit_1_and_is_shown(monkeypatch, capsys):
    failing = c.Check(
        name="body.always_fails",
        title="fails on purpose",
        quantity="q",
        unit="",
        published="1",
        source="test",
        tolerance="exactly 1",
        rationale="test",
        measure=lambda s: c.Outcome(2.0, "2", {"x == 1": False}),
        plot=figures.scalar,
        kind="prediction",
    )
    monkeypatch.setattr(command, "select", lambda only: (["body"], [failing]))
    assert main(["check", "-q"]) == 1
    out = capsys.readouterr().out
    assert "FAIL         body.always_fails" in out and "1 FAILED" in out
    assert "0 predictions pass of 1" in out


@pytest.mark.slow
def test_full_check_of_every_scale_passes(tmp_path, capsys):
    """The full ``cellsim check`` (all scales, not quick), as in docs/validation."""
    assert main(["check", "--report", str(tmp_path)]) == 0
    n = len(c.load())
    assert len(list((tmp_path / "figures").glob("*.png"))) == n
    out = capsys.readouterr().out
    assert "FAILED" not in out and "predictions pass of" in out

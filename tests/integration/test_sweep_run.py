"""Running sweeps: Dask equals serial, resume, failing runs, outputs and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from cellsim.cli import main
from cellsim.errors import ScenarioError
from cellsim.results import read_results
from cellsim.sweep import load_sweep, read_records, run_sweep
from cellsim.sweep import runner as sweep_runner
from cellsim.sweep.tasks import build_tasks

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
BODY_BASE = """
[scenario]
name = "tiny_body"
[body]
[protocol]
[[protocol.doses]]
time = "08:00"
ca_mg = 500
[run]
duration_days = 1
"""


def body_sweep(tmp_path, ca_values="[250, 500, 750]", replicates=2, extra="") -> Path:
    """A body sweep of 1-day runs (a fraction of a second each)."""
    (tmp_path / "base.toml").write_text(BODY_BASE)
    path = tmp_path / "body_sweep.toml"
    path.write_text(
        textwrap.dedent(f"""
        [sweep]
        name = "tiny"
        base = "base.toml"
        replicates = {replicates}
        seed = 4
        metrics = ["ca_absorbed_mg", "ca_fractional_absorption"]
        {extra}
        [[parameter]]
        key = "protocol.doses[0].ca_mg"
        values = {ca_values}
        """)
    )
    return path


def fibre_sweep(tmp_path) -> Path:
    path = tmp_path / "fibre_sweep.toml"
    path.write_text(
        textwrap.dedent(f"""
        [sweep]
        name = "fibre"
        base = "{(SCENARIOS / "twitch.toml").as_posix()}"
        replicates = 2
        seed = 5
        metrics = ["peak_delta_ca_uM", "peak_force_fraction", "cramp"]
        [fixed]
        "run.duration_ms" = 5.0
        "protocol.times_ms" = [1.0]
        "output.snapshots" = false
        [[parameter]]
        key = "environment.mg_free_intracellular_mM"
        values = [0.2, 1.0]
        """)
    )
    return path


def comparable(df: pd.DataFrame) -> pd.DataFrame:
    return df.drop(columns=["wall_time_s"])


def test_local_dask_cluster_gives_the_serial_table(tmp_path, monkeypatch):
    # spawned workers (as where numba's threads already run, or off Linux); the
    # forked ones are tested in a fresh process below
    monkeypatch.setattr(sweep_runner, "can_fork_workers", lambda: False)
    spec = load_sweep(fibre_sweep(tmp_path))
    serial = run_sweep(spec, tmp_path / "serial", workers=1, progress=False)
    dask = run_sweep(spec, tmp_path / "dask", workers=2, progress=False)
    assert len(serial.executed) == len(dask.executed) == 4
    assert (serial.table["status"] == "ok").all()
    pd.testing.assert_frame_equal(comparable(serial.table), comparable(dask.table))
    # replicates differ (different seeds), so the equality above is not trivial
    assert serial.table["peak_delta_ca_uM"].nunique() == 4
    on_disk = pd.read_parquet(tmp_path / "dask" / "table.parquet")
    pd.testing.assert_frame_equal(comparable(on_disk), comparable(dask.table))


def test_forked_workers_give_the_serial_table(tmp_path):
    """A fresh process has not started numba's threads: on Linux it forks its workers."""
    path = fibre_sweep(tmp_path)
    code = (
        "import sys; from cellsim.sweep import load_sweep, run_sweep; "
        "from cellsim.sweep.runner import can_fork_workers; print(can_fork_workers()); "
        "run_sweep(load_sweep(sys.argv[1]), sys.argv[2], workers=2, progress=False)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(path), str(tmp_path / "forked")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[0] == str(sys.platform.startswith("linux"))
    serial = run_sweep(load_sweep(path), tmp_path / "serial", workers=1, progress=False)
    forked = pd.read_parquet(tmp_path / "forked" / "table.parquet")
    assert (forked["status"] == "ok").all()
    pd.testing.assert_frame_equal(comparable(serial.table), comparable(forked))


def test_this_process_takes_back_queued_runs_at_the_end(tmp_path, monkeypatch):
    """With a slow worker, the sweep's own lane runs what still waits in its queue."""
    from distributed import Client, LocalCluster

    tasks = build_tasks(load_sweep(body_sweep(tmp_path)), None)  # 6 runs
    real = sweep_runner.execute

    def execute(data, keep=False, allow_large=False):
        here = threading.current_thread() is threading.main_thread()
        if not here:
            time.sleep(2.0)  # a slow worker
        return {**real(data, keep, allow_large), "ran_here": here}

    monkeypatch.setattr(sweep_runner, "execute", execute)
    done = []
    with (
        LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        sweep_runner._run_dask(
            tasks, False, client, lambda t, r: done.append((t.run_hash, r)), local_lane=True
        )
    assert sorted(h for h, _ in done) == sorted(t.run_hash for t in tasks)  # each run once
    assert all(r["status"] == "ok" for _, r in done)
    # two were queued on the worker; the second was taken back, so it ran one
    assert sum(not r["ran_here"] for _, r in done) == 1


def test_resume_runs_only_what_is_missing(tmp_path):
    spec = load_sweep(body_sweep(tmp_path))  # 3 points x 2 replicates
    out = tmp_path / "out"
    ran: list[str] = []

    def count(task, record):
        ran.append(task.run_hash)

    first = run_sweep(spec, out, workers=1, limit=2, progress=False, on_record=count)
    assert len(ran) == 2 and (first.table["status"] == "pending").sum() == 4
    full = run_sweep(spec, out, workers=1, progress=False, on_record=count)
    assert len(ran) == 6 and len(set(ran)) == 6  # nothing ran twice
    assert full.skipped == 2 and (full.table["status"] == "ok").all()

    # an interrupted sweep (Ctrl-C after one more run) loses nothing finished
    lost = sorted((out / "runs").glob("*.json"))[:3]
    for f in lost:
        f.unlink()

    def interrupt(task, record):
        ran.append(task.run_hash)
        raise KeyboardInterrupt

    cut = run_sweep(spec, out, workers=1, progress=False, on_record=interrupt)
    assert cut.interrupted and len(read_records(out)) == 4
    again = run_sweep(spec, out, workers=1, progress=False, on_record=count)
    assert len(ran) == 9 and sorted(ran[6:]) == sorted(f.stem for f in lost)
    assert not again.interrupted and len(read_records(out)) == 6
    pd.testing.assert_frame_equal(comparable(again.table), comparable(full.table))


def test_failing_run_is_recorded_and_the_sweep_continues(tmp_path, monkeypatch):
    import cellsim
    from cellsim.errors import ModelError

    real = cellsim.run

    def run(scenario, **kw):  # a model that fails at run time for one point
        if scenario.setups["body"].protocol.doses[0].ca_mg == 450:
            raise ModelError("the solver gave up at 450 mg")
        return real(scenario, **kw)

    monkeypatch.setattr(cellsim, "run", run)
    spec = load_sweep(body_sweep(tmp_path, ca_values="[300, 450, 600]", replicates=1))
    res = run_sweep(spec, tmp_path / "out", workers=1, progress=False)
    status = dict(zip(res.table["protocol.doses[0].ca_mg"], res.table["status"], strict=True))
    assert status == {300: "ok", 450: "error", 600: "ok"}
    err = res.table.loc[res.table["status"] == "error", "error"].item()
    assert "solver gave up" in err
    assert pd.isna(res.table.loc[res.table["status"] == "error", "ca_absorbed_mg"].item())
    report = (tmp_path / "out" / "report.md").read_text()
    assert "## Failed runs" in report and "solver gave up" in report
    # a failed run counts as finished: not re-run unless asked
    assert run_sweep(spec, tmp_path / "out", workers=1, progress=False).executed == []
    retry = run_sweep(spec, tmp_path / "out", workers=1, retry_failed=True, progress=False)
    assert len(retry.executed) == 1


def test_outputs_report_and_kept_runs(tmp_path):
    spec = load_sweep(body_sweep(tmp_path, extra="keep_runs = true"))
    res = run_sweep(spec, tmp_path / "out", workers=1, progress=False)
    out = tmp_path / "out"
    table = pd.read_csv(out / "table.csv")
    assert list(table.columns) == [
        "run", "point", "replicate", "seed", "protocol.doses[0].ca_mg", "ca_absorbed_mg",
        "ca_fractional_absorption", "status", "error", "wall_time_s", "run_hash",
    ]  # fmt: skip
    assert len(table) == 6 and (table["status"] == "ok").all()
    report = (out / "report.md").read_text()
    assert "`protocol.doses[0].ca_mg` | values [250, 500, 750]" in report
    assert "**Ca absorbed (% of intake) `ca_fractional_absorption`**" in report
    assert "falls with" in report
    assert (out / "plots" / "ca_absorbed_mg_vs_protocol_doses_0_ca_mg.png").exists()
    kept = read_results(out / "runs" / res.tasks[0].run_hash)
    assert kept.summary["ca_absorbed_mg"] == pytest.approx(table["ca_absorbed_mg"][0])
    record = json.loads((out / "runs" / f"{res.tasks[0].run_hash}.json").read_text())
    assert record["seed"] == res.tasks[0].seed and record["status"] == "ok"


def test_unknown_metric_is_caught_after_the_first_run(tmp_path):
    path = body_sweep(tmp_path)
    path.write_text(path.read_text().replace('"ca_fractional_absorption"', '"ca_absorbed_mgg"'))
    with pytest.raises(ScenarioError, match=r"no summary key 'ca_absorbed_mgg'.*'ca_absorbed_mg'"):
        run_sweep(load_sweep(path), tmp_path / "out", workers=1, progress=False)


def test_cli_dry_run_cap_and_run(tmp_path, capsys):
    path = body_sweep(tmp_path)
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--dry-run", "--workers", "2", "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "3 points x 2 replicates = 6 runs" in text and "rough per-scale cost" in text
    assert not out.exists()
    assert main(["sweep", str(path), "--max-runs", "5", "-o", str(out)]) == 2
    assert "6 runs (3 points x 2 replicates), more than max_runs = 5" in capsys.readouterr().err
    args = [
        "sweep",
        str(path),
        "--workers",
        "1",
        "-o",
        str(out),
        "--set",
        "run.duration_days=2",
    ]
    assert main(args) == 0
    assert "6 run(s) now, 0 already done, 0 failed" in capsys.readouterr().out
    assert main(args) == 0
    assert "0 run(s) now, 6 already done" in capsys.readouterr().out
    assert main([*args, "-q"]) == 0  # quiet: one line, where the report is
    assert capsys.readouterr().out.splitlines() == [
        f"{out / 'report.md'} (0 failed, 0 still to run)"
    ]
    assert main(["sweep", str(path), "--dry-run", "--workers", "1", "-o", str(out)]) == 0
    # --set changes every run's scenario, hence its hash: without it, all 6 are new
    assert "0 finished, 6 to run" in capsys.readouterr().out


def test_a_given_scheduler_address_is_used(tmp_path):
    from distributed import LocalCluster

    spec = load_sweep(body_sweep(tmp_path))
    serial = run_sweep(spec, tmp_path / "serial", workers=1, progress=False)
    with LocalCluster(
        n_workers=1, processes=False, protocol="tcp", host="127.0.0.1", dashboard_address=None
    ) as cluster:
        seen = []
        res = run_sweep(
            spec,
            tmp_path / "cluster",
            scheduler=cluster.scheduler_address,
            progress=False,
            on_record=lambda task, rec: seen.append(task.run_hash),
        )
        assert len(seen) == 6
    pd.testing.assert_frame_equal(comparable(serial.table), comparable(res.table))


def test_unreachable_scheduler_is_a_clear_error(tmp_path):
    from cellsim.sweep.runner import SweepError

    spec = load_sweep(body_sweep(tmp_path))
    with pytest.raises(SweepError, match=r"could not connect to the Dask scheduler"):
        run_sweep(
            spec,
            tmp_path / "out",
            scheduler="tcp://127.0.0.1:9",
            connect_timeout="1s",
            progress=False,
            finish=False,
        )
    assert len(read_records(tmp_path / "out")) == 1  # the warm-up run is kept


def test_a_sweep_runs_a_chain_scenario_and_reads_hand_off_figures(tmp_path):
    """Sweeps work over chain scenarios: each run is body -> hand-off -> fibre."""
    path = tmp_path / "chain.toml"
    path.write_text(
        textwrap.dedent(f"""
        [sweep]
        name = "chain"
        base = "{SCENARIOS / "chain_supplements_to_twitch.toml"}"
        metrics = ["handoffs.day1_1200_fibre.mg_free_intracellular_mM"]
        [fixed]
        "protocol.body.doses" = []
        "protocol.body.handoffs" = [{{day = 1, time = "12:00", runs = ["fibre"]}}]
        "run.body.duration_days" = 1
        "run.fibre.duration_ms" = 4
        "protocol.fibre.times_ms" = [1.0]
        "output.snapshots" = false
        [[parameter]]
        key = "protocol.body.diet.mg_mg_per_day"
        values = [20, 600]
        """)
    )
    res = run_sweep(load_sweep(path), tmp_path / "out", workers=1, progress=False)
    table = res.table.set_index("protocol.body.diet.mg_mg_per_day")
    assert (table["status"] == "ok").all()
    mg = table["handoffs.day1_1200_fibre.mg_free_intracellular_mM"]
    assert mg[600] > mg[20]  # more Mg in the diet, more in the cells by noon

"""A local sweep's Dask cluster is private: TLS with its own credentials, no HTTP server,
free ports; and a sweep's output folder is checked and locked like a run's."""

from __future__ import annotations

import os
import textwrap

import psutil
import pytest

from cellsim.errors import ResultsError
from cellsim.output_folder import FolderLock
from cellsim.sweep import load_sweep, run_sweep
from cellsim.sweep.runner import _local_cluster, private_security


def _listening(pid: int | None = None) -> set[int]:
    process = psutil.Process(pid or os.getpid())
    return {c.laddr.port for c in process.net_connections("inet") if c.status == "LISTEN"}


@pytest.fixture(scope="module")
def cluster():
    """The local cluster exactly as a sweep starts it (forked: starts in a second)."""
    before = _listening()
    with _local_cluster(1, method="fork") as cl:
        yield cl, before


def test_the_cluster_speaks_only_tls(cluster):
    cl, _ = cluster
    assert cl.scheduler_address.startswith("tls://127.0.0.1:")
    assert all(w.worker_address.startswith("tls://127.0.0.1:") for w in cl.workers.values())


def test_the_sweep_itself_can_use_it(cluster):
    from distributed import Client

    cl, _ = cluster
    with Client(cl) as client:
        assert client.submit(sum, [1, 2, 3]).result(timeout=30) == 6


def test_a_foreign_client_cannot_connect(cluster):
    """Another local process knows the address but not the credentials: it is refused,
    whether it tries plain TCP, TLS with no certificate, or TLS with credentials of its own
    (the attack of the issue: ``Client(address).run(f)`` to run code in the workers)."""
    from distributed import Client

    cl, _ = cluster
    address = cl.scheduler_address
    attempts = {
        "plain tcp": dict(address=address.replace("tls://", "tcp://")),
        "tls, no certificate": dict(address=address),
        "tls, its own certificate": dict(address=address, security=private_security()),
    }
    for label, kwargs in attempts.items():
        with pytest.raises(Exception) as info:
            client = Client(**kwargs, timeout="3s")
            client.close()  # pragma: no cover - reached only if it connected
        assert "Connected" not in str(info.value), label
    worker = next(iter(cl.workers.values())).worker_address
    with pytest.raises(Exception):  # noqa: B017 - the workers refuse too
        Client(worker, security=private_security(), timeout="3s")


def test_nothing_listens_for_http(cluster):
    """No dashboard, no HTTP API: only the scheduler's and the nannies' TLS ports here,
    only its TLS port in a worker, and never 8787."""
    from distributed import Client

    cl, before = cluster
    ours = {int(cl.scheduler_address.rsplit(":", 1)[1])}
    ours |= {int(n.address.rsplit(":", 1)[1]) for n in cl.workers.values()}
    assert _listening() - before <= ours
    assert cl.scheduler.http_server._stopped
    with Client(cl) as client:
        ports = client.run(lambda: sorted(_listening()))
        stopped = client.run(lambda dask_worker: dask_worker.http_server._stopped)
    assert all(stopped.values())
    for address, listening in ports.items():
        # its own TLS port; a forked worker also holds copies of its parent's sockets
        assert set(listening) <= {int(address.rsplit(":", 1)[1])} | ours
    assert 8787 not in _listening()


def test_two_clusters_do_not_collide(cluster):
    cl, _ = cluster
    with _local_cluster(1, method="fork") as other:
        assert other.scheduler_address != cl.scheduler_address


BASE = """
[scenario]
name = "tiny_body"
[body]
[run]
duration_days = 1
"""


def _sweep(tmp_path, name="tiny"):
    (tmp_path / "base.toml").write_text(BASE)
    path = tmp_path / "s.toml"
    path.write_text(
        textwrap.dedent(f"""
        [sweep]
        name = "{name}"
        base = "base.toml"
        metrics = ["ca_absorbed_mg"]
        [[parameter]]
        key = "run.duration_days"
        values = [0.5, 1]
        """)
    )
    return load_sweep(path)


def test_a_sweep_folder_is_locked_while_it_runs(tmp_path):
    out = tmp_path / "out"
    with FolderLock(out), pytest.raises(ResultsError, match="another cellsim sweep"):
        run_sweep(_sweep(tmp_path), out, workers=1, progress=False)
    assert not out.exists()


def test_a_sweep_resumes_in_its_own_folder_only(tmp_path):
    out = tmp_path / "out"
    first = run_sweep(_sweep(tmp_path), out, workers=1, progress=False)
    assert len(first.executed) == 2
    again = run_sweep(_sweep(tmp_path), out, workers=1, progress=False)
    assert again.executed == [] and again.skipped == 2
    with pytest.raises(ResultsError, match="holds the results of sweep 'tiny', not 'other'"):
        run_sweep(_sweep(tmp_path, name="other"), out, workers=1, progress=False)


def test_an_explicit_tls_scheduler_works_with_its_credentials(tmp_path, capsys):
    """``--scheduler tls://...`` with ``--tls-ca-file/--tls-cert/--tls-key`` (PEM files);
    without them the connection fails with a message that names the options."""
    from distributed import LocalCluster

    from cellsim.cli import main
    from cellsim.sweep.runner import SweepError

    security = private_security()
    pem = {}
    for option, text in (
        ("--tls-ca-file", security.tls_ca_file),
        ("--tls-cert", security.tls_client_cert),
        ("--tls-key", security.tls_client_key),
    ):
        pem[option] = tmp_path / f"{option.strip('-')}.pem"
        pem[option].write_text(text)
    spec = _sweep(tmp_path)
    with LocalCluster(
        n_workers=1, processes=False, protocol="tls://", host="127.0.0.1", security=security,
        dashboard_address=None,
    ) as cluster:  # fmt: skip
        argv = ["sweep", str(spec.path), "-q", "-o", str(tmp_path / "out")]
        argv += ["--scheduler", cluster.scheduler_address]
        argv += [x for option, path in pem.items() for x in (option, str(path))]
        assert main(argv) == 0
        assert "(0 failed, 0 still to run)" in capsys.readouterr().out
        with pytest.raises(SweepError, match="needs this client's certificate: --tls-ca-file"):
            run_sweep(
                _sweep(tmp_path, name="other"), tmp_path / "other", progress=False,
                scheduler=cluster.scheduler_address, connect_timeout="2s", finish=False,
            )  # fmt: skip

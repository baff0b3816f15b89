"""cellsim's fibre kernel against other tools on the same diffusion-and-binding problem.

Run from the repository root (about 3-4 minutes on a 2-core machine)::

    pip install -e ".[bench]"                 # adds Smoldyn (optional: skipped if absent)
    python benchmarks/bench_peers.py
    python benchmarks/bench_peers.py --sizes 10000 --rounds 5 --peers numba smoldyn

The problem is the one of ``benchmarks/bench_kernel.py`` (its ``problem()`` builds it):
Ca and Mg ions (1:100, 20 µM and 2 mM free) diffusing in a cube with reflecting walls
(D 0.3 and 0.2 µm²/ms, dt 1 µs), competing for fixed troponin sites (regulatory and Ca/Mg
sites on thin filaments, one ion per site, first-order unbinding, cellsim's k_on and
k_off), at constant density; every ion moves every step.  Every peer starts from the
state that model holds (``benchmarks/peers/problem.py``).  The peers:

``numba``
    A plain single-thread numba loop (``benchmarks/peers/numba_kernel.py``) with cellsim's
    binding rule (a per-voxel binding probability from the per-voxel free-site counts),
    drawing its random numbers inside ``njit`` from a numpy ``Generator`` passed in.
``numba-legacy``
    The same loop drawing from ``np.random.normal``/``np.random.random`` inside ``njit``
    (numba's Mersenne Twister), as much numba code does: what the generator costs.
``smoldyn``
    Smoldyn through its Python API (``benchmarks/peers/smoldyn_peer.py``).  **Smoldyn
    binds by contact, cellsim by voxel.**  In Smoldyn an ion binds a site when the two
    come closer than a binding radius computed from k_on (Smoluchowski), pair by pair;
    in cellsim an ion binds with probability ``1 - exp(-Σ k_on · free sites in its
    voxel · c₁ · dt)`` wherever it is in its 0.1 µm voxel.  Same rates, same densities,
    same time step, different binding geometry: Smoldyn resolves encounters at
    nanometres (and pays for finding neighbours), cellsim at the voxel.  Its bound
    fraction at equilibrium comes out near, not exactly at, k_on/k_off.
``mesa``
    One ``mesa.Agent`` per ion, each moving and testing binding in ``step()``
    (``benchmarks/peers/mesa_agents.py``), at a small N.

cellsim's figure is its kernel on one thread (``model.threads = 1``), ``advance(n)``
timed after a warm-up call; its timing also includes the thin-filament update that the
peers do not have.  Speeds are particle-steps per second of CPU (``time.process_time``:
ions, free or bound, × steps / CPU seconds), measured in interleaved rounds (cellsim,
peer, cellsim, peer, ...) so that other load on the machine hits both; medians and
ranges over the rounds, and the ratio cellsim / peer taken within each round.

Before timing, each tool's physics is checked and printed: the regulatory sites'
time-averaged occupancy against the competitive equilibrium of k_on/k_off (measured
association constant / k_on/k_off; the tolerance is stated in the output) and the mean
squared displacement of free ions over 2 steps against 6 D t.  Results are appended to
``benchmarks/results/peers.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numba
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from benchmarks.bench_kernel import problem  # noqa: E402
from benchmarks.peers import smoldyn_peer  # noqa: E402
from benchmarks.peers.problem import (  # noqa: E402
    PeerProblem,
    census_of_model,
    equilibrium,
    mean_squared_displacement,
)

RESULTS = ROOT / "benchmarks" / "results" / "peers.jsonl"
PEERS = ("numba", "numba-legacy", "smoldyn", "mesa")
#: particle-steps per timing, so that each timing lasts about a second of CPU
WORK = {"cellsim": 5e7, "numba": 4e7, "numba-legacy": 1.5e7, "smoldyn": 5e6, "mesa": 5e5}
#: the physics checks: association constants within this fraction of k_on/k_off ...
EQUILIBRIUM_TOLERANCE = 0.15
#: ... and MSD within this fraction of 6 D t
MSD_TOLERANCE = 0.05
MSD_STEPS = 2
MSD_INTERVALS = 20


class Cellsim:
    """cellsim's fibre kernel on one thread, with the peers' interface."""

    name = "cellsim"

    def __init__(self, model):
        self.model = model
        model.threads = 1
        model.adaptive_threads = False

    def advance(self, n_steps: int) -> None:
        self.model.advance(n_steps)

    def census(self):
        return census_of_model(self.model)

    def positions(self) -> np.ndarray:
        s = self.model.state
        return np.column_stack([s.ion_x, s.ion_y, s.ion_z])

    def free_mask(self) -> np.ndarray:
        from cellsim.fibre.state import FREE

        return self.model.state.ion_state == FREE


def make(tool: str, p: PeerProblem, model=None, seed: int = 1):
    """A tool on the problem: ``cellsim`` (needs the model) or one of :data:`PEERS`."""
    if tool == "cellsim":
        return Cellsim(model)
    if tool in ("numba", "numba-legacy"):
        from benchmarks.peers.numba_kernel import NumbaPeer

        return NumbaPeer(p, seed=seed, legacy=tool == "numba-legacy")
    if tool == "smoldyn":
        return smoldyn_peer.SmoldynPeer(p, seed=seed)
    if tool == "mesa":
        from benchmarks.peers.mesa_agents import IonModel

        return IonModel(p, seed=seed)
    raise ValueError(f"unknown peer {tool!r}; choose from {', '.join(PEERS)}")


def pair(n_ions: int, peer: str, seed: int = 1):
    """cellsim and a peer on the same problem of about ``n_ions`` free ions, warmed up."""
    model = problem(n_ions, seed=seed)
    p = PeerProblem.from_model(model)  # before any step: the same initial state
    tools = make("cellsim", p, model), make(peer, p, seed=seed)
    for tool in tools:
        tool.advance(1)  # compile, or set up
    return p, tools


def speed(tool, n_ions: int, steps: int) -> float:
    """Particle-steps per CPU second of ``tool.advance(steps)``."""
    start = time.process_time()
    tool.advance(steps)
    return n_ions * steps / (time.process_time() - start)


def spread(values) -> dict:
    return {
        "median": round(statistics.median(values), 4),
        "min": round(min(values), 4),
        "max": round(max(values), 4),
        "values": [round(v, 4) for v in values],
    }


def compare(peer: str, n_ions: int, rounds: int) -> dict:
    """Interleaved rounds of cellsim and one peer; speeds in M particle-steps/s."""
    p, (ours, theirs) = pair(n_ions, peer)
    n = p.n_ions
    steps = {t: max(1, round(WORK[t] / n)) for t in ("cellsim", peer)}
    mine, other = [], []
    for _ in range(rounds):
        mine.append(speed(ours, n, steps["cellsim"]) / 1e6)
        other.append(speed(theirs, n, steps[peer]) / 1e6)
    ratios = [a / b for a, b in zip(mine, other, strict=True)]
    return {
        "peer": peer,
        "n_ions": n,
        "steps": steps,
        "cellsim_mps": spread(mine),
        "peer_mps": spread(other),
        "ratio": spread(ratios),
    }


def check_equilibrium(peer: str, n_ions: int, steps: int, every: int = 40) -> dict:
    """Time-averaged occupancy of the regulatory sites over ``steps`` steps."""
    model = problem(n_ions)
    p = PeerProblem.from_model(model)
    tool = make(peer, p, model)
    censuses = []
    for _ in range(max(1, steps // every)):
        tool.advance(every)
        censuses.append(tool.census())
    eq = equilibrium(p, censuses)
    out = {"n_ions": p.n_ions, "steps": steps, **{f"K_{k}": v for k, v in eq.ratio.items()}}
    out["theta"] = eq.theta
    out["text"] = eq.text()
    if isinstance(tool, smoldyn_peer.SmoldynPeer):
        out["binding_radius_nm"] = tool.binding_radius_nm
    return out


def check_msd(peer: str, n_ions: int, intervals: int = MSD_INTERVALS) -> dict:
    """MSD / 6Dt of free ions away from the walls over :data:`MSD_STEPS` steps, pooled
    over ``intervals`` successive intervals (Ca is 1 % of the ions)."""
    model = problem(n_ions)
    p = PeerProblem.from_model(model)
    tool = make(peer, p, model)
    sums = {"ca": 0.0, "mg": 0.0, "n_ca": 0, "n_mg": 0}
    for _ in range(intervals):
        before, free_before = tool.positions(), tool.free_mask()
        tool.advance(MSD_STEPS)
        free = free_before & tool.free_mask()
        one = mean_squared_displacement(p, before, tool.positions(), free, MSD_STEPS)
        for sp in ("ca", "mg"):
            sums[sp] += one[sp] * one[f"n_{sp}"]
            sums[f"n_{sp}"] += one[f"n_{sp}"]
    return {
        "ca": sums["ca"] / sums["n_ca"],
        "mg": sums["mg"] / sums["n_mg"],
        "n_ca": sums["n_ca"],
        "n_mg": sums["n_mg"],
    }


def verdict(value: float, tolerance: float) -> str:
    return "ok" if abs(value - 1.0) <= tolerance else "OUTSIDE TOLERANCE"


def sanity(tools, args) -> dict:
    """Print and return the physics checks of every tool."""
    print(
        f"\nPhysics checks. Equilibrium: regulatory sites over {args.sanity_steps} steps at "
        f"{args.sanity_size:.0e} ions ({args.mesa_size:.0e} and {args.mesa_sanity_steps} "
        f"steps for Mesa); measured association constant / (k_on/k_off) should be 1 within "
        f"±{EQUILIBRIUM_TOLERANCE:.0%} (the statistics of a few hundred sites; at Mesa's "
        f"size, a few dozen: shown, not judged). MSD of free ions over {MSD_STEPS} steps "
        f"({MSD_INTERVALS} intervals), away from the walls, / 6Dt: 1 within "
        f"±{MSD_TOLERANCE:.0%}, at {args.msd_size:.0e} ions."
    )
    out = {}
    for tool in tools:
        size, steps = args.sanity_size, args.sanity_steps
        if tool == "mesa":
            size, steps = args.mesa_size, args.mesa_sanity_steps
        eq = check_equilibrium(tool, size, steps)
        marks = ", ".join(
            f"{sp} {verdict(eq[f'K_{sp}'], EQUILIBRIUM_TOLERANCE)}" for sp in ("ca", "mg")
        )
        if tool in ("mesa", "smoldyn"):
            marks = "not judged"
        print(f"  {tool:12} {eq['text']} [{marks}]")
        if "binding_radius_nm" in eq:
            radii = ", ".join(f"{k} {v:.2f}" for k, v in eq["binding_radius_nm"].items())
            print(
                f"  {'':12} Smoldyn's binding radii (nm): {radii}. Contact binding, not "
                "per-voxel: its occupancy need not match k_on/k_off exactly."
            )
        out[tool] = {"equilibrium": {k: v for k, v in eq.items() if k != "text"}}
        if tool == "smoldyn":
            continue  # positions are Smoldyn's own; its Brownian steps are not re-checked
        msd = check_msd(tool, args.msd_size)
        print(
            f"  {'':12} MSD/6Dt: Ca {msd['ca']:.3f} ({msd['n_ca']} ions, "
            f"{verdict(msd['ca'], MSD_TOLERANCE)}), Mg {msd['mg']:.3f} ({msd['n_mg']} ions, "
            f"{verdict(msd['mg'], MSD_TOLERANCE)})"
        )
        out[tool]["msd_over_6Dt"] = msd
    return out


def versions() -> dict:
    import mesa

    import cellsim

    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "mesa": mesa.__version__,
        "smoldyn": smoldyn_peer.available(),
        "cellsim": getattr(cellsim, "__version__", "?"),
        "commit": _commit(),
    }


def _commit() -> str | None:
    """The repository's commit, when run from a git checkout."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
        )
    except OSError:
        return None
    return out.stdout.strip() or None


def machine() -> str:
    cpu = platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(line.split(":", 1)[1].strip() for line in fh if "model name" in line)
    except (OSError, StopIteration):
        pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[10_000, 100_000],
        help="free ions of the compiled peers and Smoldyn (default 1e4 1e5)",
    )
    parser.add_argument("--mesa-size", type=int, default=2_000, help="free ions for Mesa")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (3)")
    parser.add_argument("--peers", nargs="+", default=list(PEERS), choices=PEERS)
    parser.add_argument("--sanity-size", type=int, default=10_000)
    parser.add_argument("--sanity-steps", type=int, default=10_000)
    parser.add_argument("--mesa-sanity-steps", type=int, default=2_000)
    parser.add_argument("--msd-size", type=int, default=100_000)
    parser.add_argument("--no-sanity", action="store_true", help="skip the physics checks")
    parser.add_argument("--no-store", action="store_true", help="do not append to the results")
    args = parser.parse_args(argv)

    load = os.getloadavg()
    print(
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {machine()} "
        "(other work lowers every figure; CPU time, interleaved rounds)"
    )
    info = versions()
    print("versions: " + ", ".join(f"{k} {v}" for k, v in info.items()))
    peers = list(args.peers)
    if "smoldyn" in peers and info["smoldyn"] is None:
        print(
            "Smoldyn is not installed, or does not load (pip install -e '.[bench]'): "
            "skipping the Smoldyn peer."
        )
        peers.remove("smoldyn")
    record = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "machine": machine(),
        "versions": info,
        "load_average_start": [round(v, 2) for v in load],
        "rounds": args.rounds,
        "results": [],
    }
    if not args.no_sanity:
        record["sanity"] = sanity(["cellsim", *peers], args)

    print(f"\nM particle-steps per CPU second: median (min-max) over {args.rounds} rounds")
    print(f"{'peer':12} {'ions':>8} {'cellsim':>20} {'peer':>20} {'cellsim / peer':>20}")
    for peer in peers:
        sizes = [args.mesa_size] if peer == "mesa" else args.sizes
        for size in sizes:
            row = compare(peer, size, args.rounds)
            record["results"].append(row)
            cells = [
                f"{r['median']:.3g} ({r['min']:.3g}-{r['max']:.3g})"
                for r in (row["cellsim_mps"], row["peer_mps"], row["ratio"])
            ]
            print(f"{peer:12} {row['n_ions']:>8} {cells[0]:>20} {cells[1]:>20} {cells[2]:>20}")
    end = os.getloadavg()
    record["load_average_end"] = [round(v, 2) for v in end]
    print(f"load average at the end {end[0]:.2f} {end[1]:.2f} {end[2]:.2f}")
    if not args.no_store:
        RESULTS.parent.mkdir(exist_ok=True)
        with RESULTS.open("a") as fh:
            fh.write(json.dumps(record) + "\n")
        print(f"stored in {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Body scale speed: 30 simulated days of the reference diet with an evening Mg dose.

    python benchmarks/bench_body.py [--days 30] [--rounds 3]

Three figures, each the median of the rounds (target: the whole run under 5 s):

* ``model``: the ODE integration alone (``model.simulate``, recording every 15 min);
* ``run``: the whole body run as ``cellsim run`` makes it (time series, summary and one
  24-h marginal run per dose);
* ``first``: the healthy reference state solved from scratch (once per machine and model
  version; later processes read it from the cache directory).

The machine's load average is printed too: other processes on the same cores slow it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import cellsim
from cellsim.body import baseline, model
from cellsim.body.params import resolve_params
from cellsim.body.protocol import Intake, meals
from cellsim.scenario import resolve


def scenario(days: int):
    return resolve(
        {
            "scenario": {"name": "bench"},
            "body": {},
            "protocol": {"doses": [{"time": "21:00", "mg_mg": 300}]},
            "run": {"duration_days": days},
        },
        "bench",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    params = resolve_params()
    start = time.perf_counter()
    baseline._settled.cache_clear()
    baseline.periodic_state(params, baseline.make_reference(params))
    first = time.perf_counter() - start
    baseline.settled_state(params)  # cached for the timed runs
    intakes = meals(1000.0, 320.0, (8.0, 13.0, 19.0), args.days, 1200.0)
    intakes += [Intake(24.0 * d + 21.0, 0.0, 300.0, False) for d in range(args.days)]
    bench = scenario(args.days)
    model_s, run_s = [], []
    for _ in range(args.rounds):
        t = time.perf_counter()
        model.simulate(params, intakes, 24.0 * args.days)
        model_s.append(time.perf_counter() - t)
        t = time.perf_counter()
        cellsim.run(bench)
        run_s.append(time.perf_counter() - t)
    load = os.getloadavg()[0]
    print(
        f"{args.days} simulated days: model {statistics.median(model_s):.2f} s, whole run "
        f"{statistics.median(run_s):.2f} s (with {args.days} dose marginals); reference "
        f"state from scratch {first:.2f} s; load average {load:.1f}"
    )


if __name__ == "__main__":
    main()

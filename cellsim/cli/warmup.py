"""``cellsim warmup``: compile every kernel the bundled scenarios use, once, ahead of time.

numba compiles a kernel on its first call and keeps it in the cache directory
(:mod:`cellsim.jit`); a first run of each kind of fibre (with or without parvalbumin, or a
skinned-fibre clamp) and of the nerve therefore waits for its compiling. Before a class,
``cellsim warmup`` makes each of them once, on a run a few steps long, so that every
bundled scenario then starts at once. Kernels already compiled are only loaded.
"""

from __future__ import annotations

import time

HELP = "compile every kernel the bundled scenarios use (once, before a class)"

#: One short run per kind of compiled kernel: (what it is, bundled scenario, overrides
#: that shorten it to a few steps).  Body scenarios compile nothing (scipy's solvers).
WARMUPS = (
    ("fibre without parvalbumin (human)", "twitch",
     ["run.duration_ms=0.5", "protocol.times_ms=[0.1]", "run.record_every_ms=0.1"]),
    ("fibre with parvalbumin (mouse)", "twitch_mouse_fast",
     ["run.duration_ms=0.5", "protocol.times_ms=[0.1]", "run.record_every_ms=0.1"]),
    ("skinned-fibre clamp", "force_pca",
     ["protocol.clamp_pca=[6.0]", "protocol.clamp_hold_ms=1.0", "run.record_every_ms=0.1"]),
    ("nerve and junction", "nerve_voluntary_train", ["run.duration_ms=2.0"]),
)  # fmt: skip


def add_parser(sub):
    p = sub.add_parser(
        "warmup",
        help=HELP,
        description="Compile every kernel the bundled scenarios use, so that their first "
        "runs start at once (kernels already compiled are only loaded).",
    )
    p.set_defaults(func=main)
    return p


def main(args) -> int:
    import os

    import cellsim

    print(
        f"compiling what is not compiled yet (a minute or two the first time), into "
        f"{os.environ['NUMBA_CACHE_DIR']}",
        flush=True,
    )
    total = time.perf_counter()
    for label, name, overrides in WARMUPS:
        print(f"  {label} ...", end="", flush=True)
        start = time.perf_counter()
        cellsim.run(cellsim.load_scenario(name, overrides))
        print(f" {time.perf_counter() - start:.1f} s", flush=True)
    print(f"every kernel is ready ({time.perf_counter() - total:.0f} s)")
    return 0

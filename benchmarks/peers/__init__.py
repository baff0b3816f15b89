"""Other tools on cellsim's kernel benchmark problem (see ``benchmarks/bench_peers.py``).

Each peer takes the same :class:`~benchmarks.peers.problem.PeerProblem` (box, ions, sites,
rates, initial state, all read from the model that ``benchmarks/bench_kernel.problem``
builds) and implements its rules as faithfully as its paradigm allows:

- :mod:`.numba_kernel`: a plain numba loop over arrays of positions, numpy's random
  generator inside ``njit``, binding by a per-voxel probability from per-voxel free-site
  counts (cellsim's rule, written independently);
- :mod:`.smoldyn_peer`: Smoldyn, which binds by a contact radius computed from k_on
  (a different binding geometry: see that module);
- :mod:`.mesa_agents`: one ``mesa.Agent`` per ion, each moving and testing binding in
  its ``step()``.
"""

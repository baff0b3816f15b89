"""Body scale: whole-body Ca/Mg homeostasis from the pill to the plasma.

Compartment ODEs (gut lumen, extracellular fluid, bone, cells, PTH,
calcitriol) solved with scipy.  Modules: :mod:`~cellsim.body.params` (named,
cited parameter sets), :mod:`~cellsim.body.protocol` (diet, doses, hand-offs, run
settings; intakes),
:mod:`~cellsim.body.model` (the ODE system and its integration: the body's kernel is
scipy's LSODA, so it has no agents, state arrays or reference engine of its own),
:mod:`~cellsim.body.metrics` (summary), :mod:`~cellsim.body.experiments` (absorption
curves, loads), :mod:`~cellsim.body.plots` (figure), :mod:`~cellsim.body.scale` (the
scale: tables, checks, one run, the environment it hands on).

What is mechanistic, illustrative, hypothesis: mass flows, saturable + linear
absorption, segmental renal handling and hormone feedback loops are
mechanistic in structure; their constants are fitted to the published results
named in :class:`~cellsim.body.params.BodyParams` or illustrative; strong Ca-Mg
competition in the gut (``competition = "strong"``) is a hypothesis.
"""

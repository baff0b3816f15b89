"""Body scale: whole-body Ca/Mg homeostasis from the pill to the plasma.

Compartment ODEs (gut lumen, extracellular fluid, bone, cells, PTH,
calcitriol) solved with scipy.  Modules: :mod:`~cellsim.body.params` (named,
cited parameter sets), :mod:`~cellsim.body.schedule` (meals and doses),
:mod:`~cellsim.body.model` (the ODE system and its integration),
:mod:`~cellsim.body.metrics` (summary), :mod:`~cellsim.body.plots` (figure),
:mod:`~cellsim.body.runner` (scenario entry point).

What is mechanistic, illustrative, hypothesis: mass flows, saturable + linear
absorption, segmental renal handling and hormone feedback loops are
mechanistic in structure; their constants are fitted to the published results
named in :class:`~cellsim.body.params.BodyParams` or illustrative; strong Ca-Mg
competition in the gut (``competition = "strong"``) is a hypothesis.
"""

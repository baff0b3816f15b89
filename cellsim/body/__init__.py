"""Body scale: whole-body Ca, Mg and phosphate from the pill to the plasma (and the cells).

Compartment ODEs (gut, extracellular fluid, kidney segments, parathyroid secretory pool,
1a-hydroxylase and calcitriol, bone exchange and remodelling, regulated cell Mg, CSF)
solved with scipy. Modules:

* :mod:`~cellsim.body.params` -- named, cited parameter sets; persons; competition
  variants; disease and drug presets;
* :mod:`~cellsim.body.protocol` -- diet, oral doses and salt forms, IV infusions, plasma
  clamps, hand-offs, run settings, and the records the model sees;
* :mod:`~cellsim.body.model` -- the state, one rate law per process, the integration
  (the body's kernel is scipy's LSODA: no agents, state arrays or reference engine);
* :mod:`~cellsim.body.baseline` -- the fixed healthy reference and the settled start state,
  computed once per process (and cached between processes);
* :mod:`~cellsim.body.metrics` -- the summary of a run (never runs a model);
* :mod:`~cellsim.body.experiments` -- published study designs run on the model;
* :mod:`~cellsim.body.fitting` -- how each calibrated constant was fitted;
* :mod:`~cellsim.body.plots` -- the figure; :mod:`~cellsim.body.scale` -- the scale.

What is mechanistic, calibrated, illustrative or a hypothesis is said field by field in
:class:`~cellsim.body.params.BodyParams` and summarised in ``docs/body.md``.
"""

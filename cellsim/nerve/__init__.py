"""Nerve and neuromuscular junction: divalent screening, Mg-competed release, NMDA Mg block.

Public entry points
-------------------
``cellsim.nerve.scale.NERVE``
    The scale (:class:`cellsim.scales.Scale`): ``simulate(setup, environment)`` returns a
    :class:`cellsim.output.RunOutput` whose ``hands_on`` muscle action potentials drive
    the fibre's RyR channels when the scales are chained.
``cellsim.nerve.model.NerveModel``
    The ``mesa.Model``: agents ``NaChannel``, ``KChannel``, ``CaChannel``,
    ``ReleaseSite``, ``NMDAReceptor`` (views on arrays), engines ``"numba"``
    and ``"reference"``.
``cellsim.nerve.experiments``
    The emergent-law experiments used by the literature checks.

Module map: ``params`` (named, cited sets) → ``rules`` (the shared, compiled
per-agent rules and step phases) → ``kernel`` (numba loops over agents) and
``agents`` (the same rules as Mesa ``step()`` methods; ``reference`` steps them) →
``model`` → ``scale``; ``protocol`` holds the protocol and run settings and turns them into
per-step inputs; ``metrics`` measure arrays, ``experiments`` build models to measure a
curve; ``plots`` draws a RunOutput.

Model notes (what is real, what is illustrative)
------------------------------------------------
* Axon: one compartment of 20 µm² with 1200 Na and 360 K stochastic HH
  channels (HH 1952 densities: 60 and 18 per µm² at 20 pS).  HH squid kinetics
  at 6.3 °C stand in for a motor axon (illustrative).  Channel noise is what
  fires the axon spontaneously when screening is lost.
* Screening: an empirical log shift of all gating curves, 25 mV per decade of
  (c0 + Ca + 0.5·Mg) (Hille, Woodhull & Shapiro 1975).  ``gating_offset_mV``
  is calibrated so normal iCa (1.2 mM) is silent and firing appears at
  iCa ≈ 0.8–1.0 mM (clinical tetany: iCa < 0.9 mM).
* Terminal: a stereotyped AP; 200 release sites × 4 Ca channels.  The pore's
  Ca occupancy is a rapid equilibrium (K_Ca 3 mM, calibrated to the emergent
  slope); Mg enters only Ca-free pores and blocks for ~50 µs (K_Mg 3 mM).  The
  five-site sensor is Schneggenburger & Neher's (2000).  Release ∝
  ([Ca]/(1 + [Ca]/K_Ca + [Mg]/K_Mg))^~4 emerges and is tested.  Caveat: at
  iCa ≲ 0.6 mM release falls below the end-plate threshold, so a very
  hypocalcaemic axon fires but the muscle follows less reliably.
* End plate: each quantum adds a 0.5 mV double-exponential EPP; the muscle AP
  fires on an upward crossing of 6 mV (safety factor ~4 at normal Ca).
* NMDA: receptor agents with a glutamate gate and a Woodhull Mg block whose
  rate ratio is Jahr & Stevens' (1990); the block curve emerges.  The neuron is
  an integrate-and-fire cell (illustrative).
"""

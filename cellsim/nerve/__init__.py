"""Nerve and neuromuscular junction: surface-charge screening, Ca/Mg competition in release,
NMDA Mg block.

Public entry points
-------------------
``cellsim.nerve.scale.NERVE``
    The scale (:class:`cellsim.scales.Scale`): ``simulate(setup, environment)`` returns a
    :class:`cellsim.output.RunOutput` whose ``hands_on`` muscle action potentials drive
    the fibre's RyR channels when the scales are chained.
``cellsim.nerve.model.NerveModel``
    The ``mesa.Model``: agents ``NaChannel``, ``NaPersistentChannel``, ``KChannel``,
    ``KFastChannel``, ``ChannelPopulation``, ``CaChannel``, ``ReleaseSite`` and
    ``NMDAReceptor`` (views on arrays), engines ``"numba"`` and ``"reference"``.
``cellsim.nerve.experiments``
    The preparations the literature checks use (threshold tracking, spontaneous firing,
    Dodge & Rahamimoff's release experiment, single shocks, NMDA under clamp).

Module map: ``params`` (named, cited sets) and ``surface`` (the Gouy–Chapman–Grahame
surface potential) → ``rules`` (the shared, compiled per-agent rules and step phases) →
``kernel`` (numba loops) and ``agents`` (the same rules as Mesa ``step()`` methods;
``reference`` steps them) → ``model`` → ``scale``; ``protocol`` holds the protocol and run
settings and turns them into per-step inputs; ``metrics`` measure arrays, ``experiments``
build models to measure a curve; ``plots`` draws a RunOutput.

Model notes (``docs/nerve.md`` has them in full)
------------------------------------------------
* Axon: one node of Ranvier of a mammalian motor axon at 37 °C (McIntyre, Richardson &
  Grill 2002) with an internodal load; ~22 000 stochastic channels, a few stepped one by
  one as agents and the rest as exact state counts.  The only fitted constant is the load's
  extra conductance (strength–duration time constant of human motor axons).
* Screening: each channel family's gates see V minus the change of its surface potential,
  from Hille, Woodhull & Shapiro's charge densities, pKas and Ca binding (Na and, sparser,
  K channels) and Zhou & Jones' surface (presynaptic Ca channels).  Ca = 0 and Mg = 0 work.
* Terminal: a fixed AP drives 1 700 release sites, each with two P/Q channels whose open
  pore holds Ca or Mg competitively (K_Ca 1, K_Mg 3 mM) and a five-site sensor
  (Schneggenburger & Neher 2000).  The unitary current is calibrated to 50 quanta at
  Ca 2 / Mg 1 mM; the Dodge–Rahamimoff findings are predictions, some of them missed.
* End plate: EPPs from quanta whose size follows the surface Na concentration (a
  hypothesis for Mg's postsynaptic effect); the threshold is set by a safety factor of 4.
* NMDA: receptor agents with a Woodhull Mg block with Jahr & Stevens' ratio, reading CSF
  Mg; the neuron is an integrate-and-fire cell (illustrative).
"""

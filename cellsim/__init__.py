"""cellsim: calcium and magnesium from the pill to the twitch.

Public API (scales are imported on demand, to keep start-up fast)::

    import cellsim
    scenario = cellsim.load_scenario(
        "scenarios/twitch.toml", ["environment.mg_free_intracellular_mM=0.15"]
    )
    out = cellsim.run(scenario)                 # a RunOutput
    cellsim.write_results(out, "out/twitch", scenario=scenario.data, name=scenario.name,
                          wall_time_s=0.0)

    from cellsim.fibre import FibreModel        # the Mesa model, to script agents
"""

from cellsim import jit  # noqa: F401  (first: before any jitted function exists)
from cellsim.chain import run
from cellsim.environment import Environment
from cellsim.errors import CellsimError, ModelError, ResultsError, ScenarioError
from cellsim.results import read_results, write_results
from cellsim.scenario import Scenario
from cellsim.scenario import load as load_scenario

#: The name cellsim is published under on PyPI (``pip install cellsim-camg``); the import
#: name stays ``cellsim``.  (The PyPI name ``cellsim`` belongs to an unrelated project.)
DISTRIBUTION = "cellsim-camg"
__version__ = "0.2.0"

__all__ = [
    "CellsimError",
    "Environment",
    "ModelError",
    "ResultsError",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "read_results",
    "run",
    "write_results",
]

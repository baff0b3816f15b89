"""A toy scale: all that adding a scale takes is a module like this and a registry line.

A 'leaky cell' whose Ca content relaxes towards the extracellular ionised Ca of its
environment; it reads the environment like every scale and returns a RunOutput.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cellsim.environment import Environment
from cellsim.output import RunOutput
from cellsim.scales import Cost, ScaleBase, Setup
from cellsim.schema import option, param


@dataclass(frozen=True)
class ToyParams:
    name: str
    tau_ms: float = param(10.0, "illustrative", "relaxation time", low_open=True)
    conditions: Environment = field(default=Environment(ca_ionised_mM=1.2), compare=False)


@dataclass(frozen=True)
class ToyProtocol:
    start_uM: float = option(0.0, "initial content", low=0.0)


@dataclass(frozen=True)
class ToySettings:
    duration_ms: float = option(50.0, "simulated time", low=0.0, low_open=True)
    seed: int = option(1, "unused: the toy is deterministic", low=0)


class ToyScale(ScaleBase):
    name = "toy"
    level = 5
    params_type = ToyParams
    protocol_type = ToyProtocol
    settings_type = ToySettings
    parameter_sets = {"leaky": ToyParams("leaky")}  # noqa: RUF012
    default_parameter_set = "leaky"
    key_figures = ("final_uM",)

    def simulate(self, setup: Setup, env: Environment, *, progress: bool = False) -> RunOutput:
        target = env.over(setup.params.conditions).ca_ionised_mM * 1000.0
        t = np.linspace(0.0, setup.settings.duration_ms, 51)
        start = setup.protocol.start_uM
        content = target + (start - target) * np.exp(-t / setup.params.tau_ms)
        return RunOutput(
            scale=self.name,
            timeseries={"time_ms": t, "content_uM": content},
            summary={"final_uM": float(content[-1]), "target_uM": target},
            seed=setup.settings.seed,
            engine="numpy",
            key_figures=self.key_figures,
        )

    def estimate(self, setup: Setup) -> Cost:
        return Cost(steps=51, memory_bytes=816.0, seconds=0.01)


TOY = ToyScale()

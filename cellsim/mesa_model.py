"""What makes a cellsim model behave as Mesa's own tools expect, on Mesa 3.3 and 3.5.

:class:`RecordStepModel` is the base of the fibre and nerve models:

* ``step()`` advances **one record interval** (many kernel time steps), observes and
  collects data, so Mesa's ``DataCollector`` (and a user's own) records once per step;
* ``model.steps`` counts those steps, ``model.time`` is the simulated time in **ms**
  (Mesa 3.5 advances ``time`` by 1.0 per step through its event list; here each step
  sets it from the step index before collecting, so record keys are exact: 0.1, 0.2, not
  0.30000000000000004), and ``model.running`` turns False when the run is complete;
* ``run()`` is ``while running: step()``.

``mesa.batch_run`` reads the record at index ``steps - 1`` on Mesa 3.3 (which has a
record at construction): there ``running`` turns False on the first ``step()`` after the
end, an empty step that is counted, so that index is the final record (on Mesa 3.3
``steps`` is therefore one more than the record intervals after ``run()``).  Mesa 3.3
has no ``model.time``; the attribute is set all the same.  Mind ``batch_run``'s
``max_steps`` (default 1000): a 150 ms run recorded every 0.1 ms needs
``max_steps=1500``.  :func:`batch_run` wraps ``mesa.batch_run`` for sweeps: it sets
``max_steps`` from the longest run and passes seeds the way each Mesa version expects.
"""

from __future__ import annotations

import mesa

#: Mesa 3.5 has an event list and an observable ``time``; Mesa 3.3 has neither.
MESA_HAS_TIME = hasattr(mesa.Model, "run_for")


class RecordStepModel(mesa.Model):
    """A Mesa model whose ``step()`` is one record interval of a kernel-stepped run.

    Subclasses implement :meth:`advance_record` (advance up to one record interval and
    observe), optionally :meth:`after_record` (hooks that run after the data are collected)
    and the properties ``time_ms`` and ``finished``; they own a ``datacollector``.
    """

    def _start_stepping(self) -> None:
        """Call right after ``mesa.Model.__init__``: take over ``step``, ``time``."""
        if MESA_HAS_TIME:
            # Mesa's own recurring step event (every 1.0 time unit) would advance time in
            # units of steps; cellsim sets time in ms from the step index instead
            self._default_schedule.stop()
        self.step = self._record_step
        self.time = 0.0
        self.running = True

    @property
    def time_ms(self) -> float:  # pragma: no cover - subclasses define it
        raise NotImplementedError

    @property
    def finished(self) -> bool:  # pragma: no cover - subclasses define it
        raise NotImplementedError

    def advance_record(self) -> None:  # pragma: no cover - subclasses define it
        raise NotImplementedError

    def after_record(self) -> None:
        """Called after each record is collected (snapshots, progress bars)."""

    def _record_step(self) -> None:
        if self.finished:
            if self.running and not MESA_HAS_TIME:
                # Mesa 3.3's batch_run reads the record at index steps - 1: counting this
                # empty step makes that the final record (3.5 reads the last one itself)
                self.steps += 1
            self.running = False
            return
        self.steps += 1
        self.advance_record()
        self.time = round(self.time_ms, 9)  # before collecting: Mesa 3.5 keys records by it
        self.datacollector.collect(self)
        self.after_record()
        if self.finished and MESA_HAS_TIME:
            self.running = False

    def run(self) -> None:
        """Step to the end of the run (``while running: step()``)."""
        while self.running:
            self.step()


def batch_run(
    model_cls,
    parameters: dict,
    *,
    seeds=(1,),
    max_steps: int | None = None,
    data_collection_period: int = -1,
    number_processes: int | None = 1,
    display_progress: bool = False,
) -> list[dict]:
    """``mesa.batch_run`` over a cellsim model, the same on Mesa 3.3 and 3.5.

    A sweep the Mesa way: ``parameters`` maps keyword-constructor arguments to values or
    lists of values (``{"mg_free_mM": [0.15, 0.5, 1.0], "duration_ms": 150.0}``), and
    every combination runs once per seed.  What it adds to ``mesa.batch_run``:

    * ``max_steps`` is large enough for the longest run (Mesa's default, 1000 steps,
      would stop a 150 ms run recorded every 0.1 ms at 100 ms without a word);
    * the seeds reach the model on both Mesa versions (``rng=`` on 3.5, a parameter on
      3.3), so each row equals ``cellsim run`` of the same scenario and seed.

    Returns Mesa's rows (dicts), each with the parameters, ``rng`` and the model's
    reporters (``time_ms``, ``force_fraction``, ...).
    """
    import inspect

    seeds = list(seeds)
    if max_steps is None:
        max_steps = _steps_needed(model_cls, parameters) + 2
    options = {
        "parameters": dict(parameters),
        "number_processes": number_processes,
        "data_collection_period": data_collection_period,
        "display_progress": display_progress,
        "max_steps": max_steps,
    }
    if "rng" in inspect.signature(mesa.batch_run).parameters:  # Mesa >= 3.4
        options["rng"] = seeds
    else:
        options["parameters"]["rng"] = seeds
        options["iterations"] = 1
    return mesa.batch_run(model_cls, **options)


def _steps_needed(model_cls, parameters: dict) -> int:
    """Record intervals of the longest run a parameter grid describes."""
    import inspect
    import math

    defaults = {
        k: p.default
        for k, p in inspect.signature(model_cls.__init__).parameters.items()
        if p.default is not inspect.Parameter.empty
    }

    def values(key):
        value = parameters.get(key, defaults.get(key))
        return list(value) if isinstance(value, list | tuple) else [value]

    longest = max(float(v) for v in values("duration_ms"))
    finest = min(float(v) for v in values("record_every_ms"))
    return math.ceil(longest / finest - 1e-9)

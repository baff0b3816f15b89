"""What makes a cellsim model behave as Mesa's own tools expect, on Mesa 3.3 and 3.5.

:class:`RecordStepModel` is the base of the fibre and nerve models:

* ``step()`` advances **one record interval** (many kernel time steps), observes and
  collects data, so Mesa's ``DataCollector`` (and a user's own) records once per step;
* ``model.steps`` counts those steps, ``model.time`` is the simulated time in **ms**
  (Mesa 3.5 advances ``time`` by 1.0 per step through its event list; here each step
  sets it from the step index, so record keys are exact: 0.1, 0.2, not
  0.30000000000000004), and ``model.running`` turns False when the run is complete;
* ``run()`` is ``while running: step()``.

``mesa.batch_run`` reads the record at index ``steps - 1`` on Mesa 3.3 (which has a
record at construction): there ``running`` turns False on the first ``step()`` after the
end, an empty step that is counted, so that index is the final record (on Mesa 3.3
``steps`` is therefore one more than the record intervals after ``run()``).  Mesa 3.3
has no ``model.time``; the attribute is set all the same.  Mind ``batch_run``'s
``max_steps`` (default 1000): a 150 ms run recorded every 0.1 ms needs
``max_steps=1500``.
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

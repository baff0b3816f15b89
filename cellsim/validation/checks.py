"""Named literature checks: what was published, what we accept, what the model gives.

A :class:`Check` states one published result (the quantity, its value and
source), the tolerance we accept and why, how to measure the same quantity on
the model, and how to draw simulation against literature.  The scale modules
(:mod:`cellsim.validation.fibre`, ``nerve``, ``body``) register their checks
with the :func:`check` decorator.

``cellsim check`` runs them and prints a table (and, with ``--report``, writes a
Markdown report with one figure per check); the tests in ``tests/validation``
run the very same checks in their quick versions, so the report and the test
suite cannot disagree.

Several checks read one expensive simulation (the force–pCa curve, twitches at
four Mg levels).  Such a simulation is a function decorated with :func:`shared`:
it runs once per :class:`Session` and every check of that session reuses it.
"""

from __future__ import annotations

import functools
import importlib
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

#: The scales that have checks, in the order they are run and reported.
SCALES = ("fibre", "nerve", "body")

#: How independent an agreement is: what a teacher should know before trusting it.
BASES = {
    "emergent": "nothing in the model was tuned to this result: a prediction",
    "calibrated": "model constants were tuned to reproduce it: the check guards the calibration",
    "input": "the published value is a model parameter: the check confirms the whole model "
    "keeps it",
    "physics": "an analytic law that the agent rules must obey",
}


@dataclass
class Outcome:
    """What one check measured on the model.

    Attributes
    ----------
    value
        The headline simulated value, in the check's unit (NaN if there is none).
    shown
        The simulated value(s) as printed in the table, with units.
    criteria
        Each acceptance condition, in words, and whether it holds.  The check
        passes when every condition holds.
    data
        What the check's figure draws (curves, points, bands).
    """

    value: float
    shown: str
    criteria: dict[str, bool]
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return bool(self.criteria) and all(self.criteria.values())


@dataclass(frozen=True)
class Check:
    """One published result and how the model is held to it.

    Attributes
    ----------
    name
        ``"<scale>.<what>"``, unique, e.g. ``"nerve.release_slope_low_ca"``.
    title
        One line saying what is compared.
    quantity
        What is measured and under which conditions.
    unit
        Unit of :attr:`Outcome.value` (``""`` if dimensionless).
    published
        The published value or range as the source gives it.
    source
        Where it comes from (authors, year, journal).
    tolerance
        The acceptance rule, e.g. ``"3.4 to 4.2"``.
    rationale
        Why that tolerance: the published spread, the model's noise, or the
        target of the issue that introduced the check.
    measure
        ``measure(session) -> Outcome``: runs the model (quick or full).
    plot
        ``plot(ax, outcome.data)``: simulation against literature on one axes.
    basis
        How independent the agreement is (one of :data:`BASES`): ``"emergent"``
        (nothing was tuned to it), ``"calibrated"`` (model constants were
        tuned to reproduce it, so the check guards the calibration),
        ``"input"`` (the published value is a parameter; the check confirms
        the whole model keeps it) or ``"physics"`` (an analytic law).
    """

    name: str
    title: str
    quantity: str
    unit: str
    published: str
    source: str
    tolerance: str
    rationale: str
    measure: Callable[[Session], Outcome]
    plot: Callable[[Any, dict], None]
    basis: str

    @property
    def scale(self) -> str:
        return self.name.split(".", 1)[0]

    def run(self, session: Session | None = None, *, catch: bool = True) -> CheckResult:
        """Measure this check (in a new full session unless one is given).

        With ``catch`` (the default) an exception becomes a failed result that
        carries the error, so that one broken check cannot hide the others.
        """
        session = session if session is not None else Session()
        start = time.perf_counter()
        try:
            outcome, error = self.measure(session), ""
        except Exception as err:
            if not catch:
                raise
            outcome = None
            error = f"{type(err).__name__}: {err}"
            session.tracebacks[self.name] = traceback.format_exc()
        return CheckResult(self, outcome, session.quick, time.perf_counter() - start, error)


@dataclass
class CheckResult:
    """A check with what the model gave, whether it passed, and how long it took."""

    check: Check
    outcome: Outcome | None
    quick: bool
    elapsed_s: float
    error: str = ""

    @property
    def passed(self) -> bool:
        return self.outcome is not None and self.outcome.passed

    @property
    def simulated(self) -> str:
        return self.outcome.shown if self.outcome is not None else f"error ({self.error})"

    @property
    def failed_criteria(self) -> list[str]:
        if self.outcome is None:
            return [self.error]
        return [text for text, ok in self.outcome.criteria.items() if not ok]

    def explain(self) -> str:
        """One paragraph: simulated against published, and what failed (for tests)."""
        c = self.check
        verdict = "passed" if self.passed else "FAILED"
        text = (
            f"{c.name} {verdict}: simulated {self.simulated}; published {c.published} "
            f"({c.source}); tolerance {c.tolerance}"
        )
        if not self.passed:
            text += "; not met: " + "; ".join(self.failed_criteria)
        return text


class Session:
    """One run of checks: quick or full, and the simulations its checks share.

    Parameters
    ----------
    quick
        Run the shortened versions (fewer particles or shorter holds; the same
        tolerances).  The test suite uses them; ``cellsim check`` runs the full
        versions unless given ``--quick``.
    """

    def __init__(self, quick: bool = False):
        self.quick = quick
        self.cache: dict[str, Any] = {}
        self.tracebacks: dict[str, str] = {}

    def run(self, name: str, *, catch: bool = True) -> CheckResult:
        """Run the registered check called ``name`` in this session."""
        return get(name).run(self, catch=catch)


def shared(compute: Callable[[Session], Any]) -> Callable[[Session], Any]:
    """Run ``compute(session)`` once per session; later calls return its result.

    A failure is remembered too, so that checks sharing a broken simulation
    report its error without running it again.
    """
    key = f"{compute.__module__}.{compute.__qualname__}"

    @functools.wraps(compute)
    def once(session: Session):
        if key not in session.cache:
            try:
                session.cache[key] = (compute(session), None)
            except Exception as err:
                session.cache[key] = (None, err)
        value, err = session.cache[key]
        if err is not None:
            raise err
        return value

    return once


_REGISTRY: dict[str, Check] = {}


def check(
    name: str,
    *,
    title: str,
    quantity: str,
    unit: str,
    published: str,
    source: str,
    tolerance: str,
    rationale: str,
    plot: Callable[[Any, dict], None],
    basis: str,
) -> Callable[[Callable[[Session], Outcome]], Callable[[Session], Outcome]]:
    """Register the decorated ``measure(session) -> Outcome`` as a check."""
    scale = name.split(".", 1)[0]
    if scale not in SCALES or "." not in name:
        raise ValueError(f"check name {name!r} must start with one of {SCALES} and a dot")
    if name in _REGISTRY:
        raise ValueError(f"check {name!r} is registered twice")
    if basis not in BASES:
        raise ValueError(f"check {name!r}: basis {basis!r} is not one of {tuple(BASES)}")

    def register(measure: Callable[[Session], Outcome]) -> Callable[[Session], Outcome]:
        _REGISTRY[name] = Check(
            name,
            title,
            quantity,
            unit,
            published,
            source,
            tolerance,
            rationale,
            measure,
            plot,
            basis,
        )
        return measure

    return register


def load(scales: Iterable[str] = SCALES) -> list[Check]:
    """The registered checks of ``scales``, in registration order (scale by scale)."""
    scales = list(scales)
    for scale in scales:
        importlib.import_module(f"cellsim.validation.{scale}")
    return [c for scale in scales for c in _REGISTRY.values() if c.scale == scale]


def get(name: str) -> Check:
    """The check called ``name`` (its scale's module is imported if needed)."""
    scale = name.split(".", 1)[0]
    if scale in SCALES:
        load([scale])
    return _REGISTRY[name]


def run_checks(
    checks: list[Check],
    session: Session,
    progress: Callable[[int, Check, CheckResult | None], None] | None = None,
) -> list[CheckResult]:
    """Run ``checks`` in order in one session.

    ``progress(index, check, result)`` is called before each check (with
    ``result=None``) and after it.
    """
    results = []
    for index, c in enumerate(checks):
        if progress is not None:
            progress(index, c, None)
        result = c.run(session)
        results.append(result)
        if progress is not None:
            progress(index, c, result)
    return results

"""Named literature checks: what was published, what we accept, what the model gives.

A :class:`Check` states one published result (the quantity, its value and
source), the rule we accept and why (an acceptance object such as
``Within(5.65, 6.15, unit="pCa", reason=...)``: the pass/fail test, the tolerance text
and the figure's band all come from it), how to measure the same quantity on the model,
how to draw simulation against literature, and its **kind** — how much the agreement is
worth:

* ``prediction``: nothing in the model was fitted to it (the check says what it was not
  fitted to);
* ``calibration``: named constants were fitted to it, so it guards the calibration;
* ``input``: the published value is a model parameter (a unit test of the implementation);
* ``physics``: a law the numerics must obey;
* ``known_gap``: a published result the model does not reproduce: run and drawn like the
  others, reported, never failing ``cellsim check`` (a gap that starts passing is said).

A stochastic check measures one value per seed (``Outcome(samples=...)``); the verdict uses
their mean, and the report shows mean ± standard error.  The scale modules
(:mod:`cellsim.validation.fibre`, ``nerve``, ``body``) register their checks with the
:func:`check` decorator.

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
import math
import statistics
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

#: The scales that have checks, in the order they are run and reported.
SCALES = ("fibre", "nerve", "body")

#: How much an agreement is worth: what a teacher should know before trusting it.
KINDS = {
    "prediction": "nothing in the model was fitted to this result",
    "calibration": "model constants were fitted to reproduce it: the check guards the "
    "calibration and cannot count as a prediction",
    "input": "the published value is a model parameter: the check confirms the whole model "
    "keeps it",
    "physics": "a law the numerics must obey",
    "known_gap": "a published result the model does not reproduce yet: shown, never failing",
}
#: Earlier names of the kinds (checks written before the kinds were separated).
_OLD_BASES = {
    "emergent": "prediction",
    "calibrated": "calibration",
    "input": "input",
    "physics": "physics",
}
#: Fewest seeds of a stochastic check in its full version.
MIN_SEEDS = 3


@dataclass(frozen=True)
class Within:
    """An acceptance rule: the value lies in [low, high] (either bound may be None).

    ``reason`` says why the tolerance is what it is (the published SD or SEM, the spread
    between studies, or a stated modelling allowance).  Build one with :func:`around`,
    :func:`at_least` or :func:`at_most` for the common shapes.
    """

    low: float | None
    high: float | None
    unit: str = ""
    reason: str = ""
    label: str = ""

    def holds(self, value: float) -> bool:
        if value is None or not math.isfinite(value):
            return False
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    @property
    def text(self) -> str:
        """The rule in words, e.g. ``"5.65 to 6.15 pCa"`` or ``"18.5 ± 2.8 µM"``."""
        unit = f" {self.unit}" if self.unit else ""
        if self.label:
            return self.label
        if self.low is None:
            return f"at most {self.high:g}{unit}"
        if self.high is None:
            return f"at least {self.low:g}{unit}"
        return f"{self.low:g} to {self.high:g}{unit}"

    def band(self, ax, *, vertical: bool = False) -> None:
        """Draw the accepted range on a figure (open ends reach the axes' limits)."""
        from cellsim.validation import figures

        lo_lim, hi_lim = ax.get_xlim() if vertical else ax.get_ylim()
        lo = lo_lim if self.low is None else self.low
        hi = hi_lim if self.high is None else self.high
        figures.accepted_band(ax, lo, hi, vertical=vertical, label=f"accepted: {self.text}")


def around(value: float, tolerance: float, unit: str = "", reason: str = "") -> Within:
    """``value ± tolerance``."""
    unit_text = f" {unit}" if unit else ""
    return Within(value - tolerance, value + tolerance, unit, reason,
                  f"{value:g} ± {tolerance:g}{unit_text}")  # fmt: skip


def at_least(value: float, unit: str = "", reason: str = "") -> Within:
    return Within(value, None, unit, reason)


def at_most(value: float, unit: str = "", reason: str = "") -> Within:
    return Within(None, value, unit, reason)


@dataclass
class Outcome:
    """What one check measured on the model.

    Attributes
    ----------
    value
        The headline simulated value, in the check's unit (NaN if there is none); the mean
        of ``samples`` when they are given.
    shown
        The simulated value(s) as printed in the table, with units (made from the value,
        its standard error and the unit when left empty).
    criteria
        Further conditions, in words, and whether each holds (besides the check's
        acceptance rule, which applies to ``value``).
    data
        What the check's figure draws (curves, points, bands).
    samples
        One value per seed, for a stochastic check.
    """

    value: float = math.nan
    shown: str = ""
    criteria: dict[str, bool] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    samples: tuple[float, ...] = ()

    def __post_init__(self):
        if self.samples:
            self.samples = tuple(float(x) for x in self.samples)
            self.value = statistics.fmean(self.samples)

    @property
    def se(self) -> float:
        """Standard error of the mean over seeds (NaN for one sample or none)."""
        n = len(self.samples)
        return statistics.stdev(self.samples) / math.sqrt(n) if n > 1 else math.nan


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
        The acceptance rule in words (from ``accept`` when it is given).
    rationale
        Why that tolerance (from ``accept.reason`` when it is given).
    measure
        ``measure(session) -> Outcome``: runs the model (quick or full).
    plot
        ``plot(ax, outcome.data)``: simulation against literature on one axes.
    kind
        One of :data:`KINDS`.
    accept
        The acceptance rule for ``Outcome.value`` (``None``: the outcome's criteria decide).
    fitted
        For a calibration: the parameters fitted to this result.
    not_fitted_to
        For a prediction: what the model was fitted to instead (why it is a prediction).
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
    kind: str
    accept: Within | None = None
    fitted: tuple[str, ...] = ()
    not_fitted_to: str = ""

    @property
    def scale(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def counts(self) -> bool:
        """Whether its verdict counts (a known gap never fails)."""
        return self.kind != "known_gap"

    def verdict(self, outcome: Outcome) -> bool:
        """Whether an outcome meets the acceptance rule and every criterion."""
        if self.accept is None:
            return bool(outcome.criteria) and all(outcome.criteria.values())
        return self.accept.holds(outcome.value) and all(outcome.criteria.values())

    def shown(self, outcome: Outcome) -> str:
        if outcome.shown:
            return outcome.shown
        unit = f" {self.unit}" if self.unit else ""
        text = f"{outcome.value:.4g}{unit}"
        if outcome.samples:
            se = outcome.se
            spread = f" ± {se:.2g}" if math.isfinite(se) else ""
            text = f"{outcome.value:.4g}{spread}{unit} (mean ± SE of {len(outcome.samples)} seeds)"
        return text

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
        return self.outcome is not None and self.check.verdict(self.outcome)

    @property
    def failing(self) -> bool:
        """A check whose failure counts (known gaps never do)."""
        return self.check.counts and not self.passed

    @property
    def simulated(self) -> str:
        if self.outcome is None:
            return f"error ({self.error})"
        return self.check.shown(self.outcome)

    @property
    def criteria(self) -> dict[str, bool]:
        """Every condition of the verdict, in words (the acceptance rule first)."""
        out = {}
        if self.check.accept is not None and self.outcome is not None:
            out[f"within the accepted range ({self.check.accept.text})"] = self.check.accept.holds(
                self.outcome.value
            )
        if self.outcome is not None:
            out.update(self.outcome.criteria)
        return out

    @property
    def failed_criteria(self) -> list[str]:
        if self.outcome is None:
            return [self.error]
        return [text for text, ok in self.criteria.items() if not ok]

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
    plot: Callable[[Any, dict], None],
    kind: str | None = None,
    accept: Within | None = None,
    tolerance: str = "",
    rationale: str = "",
    fitted: tuple[str, ...] = (),
    not_fitted_to: str = "",
    basis: str | None = None,
) -> Callable[[Callable[[Session], Outcome]], Callable[[Session], Outcome]]:
    """Register the decorated ``measure(session) -> Outcome`` as a check.

    Give ``kind`` and ``accept`` (``basis``, ``tolerance`` and ``rationale`` are the
    older, text-only way, kept while the scale modules move over).
    """
    scale = name.split(".", 1)[0]
    if scale not in SCALES or "." not in name:
        raise ValueError(f"check name {name!r} must start with one of {SCALES} and a dot")
    if name in _REGISTRY:
        raise ValueError(f"check {name!r} is registered twice")
    if kind is None:
        kind = _OLD_BASES.get(basis or "", basis)
    if kind not in KINDS:
        raise ValueError(f"check {name!r}: kind {kind!r} is not one of {tuple(KINDS)}")
    if accept is not None:
        tolerance = tolerance or accept.text
        rationale = rationale or accept.reason
    if not (tolerance and rationale):
        raise ValueError(f"check {name!r}: state the accepted rule and its reason")

    def register(measure: Callable[[Session], Outcome]) -> Callable[[Session], Outcome]:
        _REGISTRY[name] = Check(
            name, title, quantity, unit, published, source, tolerance, rationale, measure,
            plot, kind, accept, tuple(fitted), not_fitted_to,
        )  # fmt: skip
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

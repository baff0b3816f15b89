"""The validation tests run the registered literature checks (their quick versions).

``cellsim check`` runs the same checks in full and writes the report, so the
tests and the report cannot disagree.  Each test module gets one session:
simulations that several checks share run once per module.
"""

from __future__ import annotations

import pytest

from cellsim.validation.checks import Session


@pytest.fixture(scope="module")
def check():
    """``check(*names)`` runs each named check and asserts that it passes (a known gap must
    run and give a value, but never fails: it is a published result the model misses)."""
    session = Session(quick=True)

    def run(*names: str):
        results = [session.run(name, catch=False) for name in names]
        for result in results:
            assert result.outcome is not None, result.explain()
            assert not result.failing, result.explain()
        return results

    return run

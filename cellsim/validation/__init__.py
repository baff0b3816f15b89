"""Literature checks: ``cellsim check`` and the validation tests (see :mod:`.checks`)."""

"""Exceptions for mistakes a user can fix.

The CLI prints the message of any :class:`CellsimError` on one block of text and
exits with status 2, without a traceback (``--debug`` shows it).  Anything else
that escapes is a bug in cellsim and keeps its traceback.
"""


class CellsimError(Exception):
    """Base class: the message says what is wrong, where, and how to fix it."""


class ScenarioError(CellsimError):
    """A scenario or sweep file is missing, malformed, or has a bad value."""


class ResultsError(CellsimError):
    """A results folder is missing, incomplete, or of the wrong kind."""


class ModelError(CellsimError):
    """Parameters are individually valid but together make no physical sense."""


class UsageError(CellsimError):
    """A command-line option has a value cellsim cannot use (e.g. an unknown scale)."""

"""A small declarative validator for scenario tables.

Each scale describes its tables with :class:`Field`, :class:`Table` and
:class:`ListOf`.  :func:`validate` walks a parsed TOML dict against such a
description and either returns the resolved dict (defaults filled in) or raises
one :class:`~cellsim.errors.ScenarioError` that names the file, the dotted key,
what was expected and what was found, with "did you mean" for typos.

Why not pydantic or jsonschema: the messages are the product here (students
edit these files), and a hundred lines give us exactly the wording we want
without another dependency.  Keys carry their units (``duration_ms``), so a
field's doc string need not repeat them.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cellsim.errors import ScenarioError

REQUIRED = object()  # sentinel: a Field with this default must be given


def _type_name(kind: type | tuple[type, ...]) -> str:
    names = {bool: "true/false", int: "an integer", float: "a number", str: "a string"}
    if isinstance(kind, tuple):
        return " or ".join(names.get(k, k.__name__) for k in kind)
    return names.get(kind, kind.__name__)


def _found(value: Any) -> str:
    kind = {
        bool: "true/false",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)
    text = ("true" if value else "false") if isinstance(value, bool) else repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{kind} ({text})"


@dataclass(frozen=True)
class Field:
    """One scalar (or list-of-scalar) key.

    Parameters
    ----------
    kind
        ``bool``, ``int``, ``float`` or ``str``.  An ``int`` is accepted where
        a ``float`` is expected; ``bool`` is never accepted as a number.
    default
        Value used when the key is absent; :data:`REQUIRED` makes it mandatory.
    doc
        One line for ``cellsim validate`` and the docs.
    minimum, maximum
        Inclusive bounds; ``exclusive_minimum`` makes the lower bound strict.
    choices
        Allowed values for strings.
    is_list
        The value is a list of ``kind`` (e.g. stimulus times).
    check
        Extra test returning an error text or ``None``.
    """

    kind: type
    default: Any = REQUIRED
    doc: str = ""
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    choices: tuple[str, ...] | None = None
    is_list: bool = False
    check: Callable[[Any], str | None] | None = None

    def convert(self, value: Any, where: str) -> Any:
        if self.is_list:
            if not isinstance(value, list):
                raise ScenarioError(
                    f"{where}: expected a list of {_type_name(self.kind)}, found {_found(value)}."
                )
            out = [self._scalar(v, f"{where}[{i}]") for i, v in enumerate(value)]
        else:
            out = self._scalar(value, where)
        if self.check is not None:
            problem = self.check(out)
            if problem:
                raise ScenarioError(f"{where}: {problem} (found {value!r}).")
        return out

    def _scalar(self, value: Any, where: str) -> Any:
        kind = self.kind
        ok = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value, ok = float(value), True
        if not ok:
            raise ScenarioError(f"{where}: expected {_type_name(kind)}, found {_found(value)}.")
        if kind in (int, float):
            if isinstance(value, float) and not math.isfinite(value):
                raise ScenarioError(f"{where}: expected a finite number, found {value!r}.")
            low_bad = self.minimum is not None and (
                value <= self.minimum if self.exclusive_minimum else value < self.minimum
            )
            if low_bad:
                sign = ">" if self.exclusive_minimum else ">="
                raise ScenarioError(f"{where}: must be {sign} {self.minimum:g}, found {value!r}.")
            if self.maximum is not None and value > self.maximum:
                raise ScenarioError(f"{where}: must be <= {self.maximum:g}, found {value!r}.")
        if self.choices is not None and value not in self.choices:
            hint = _did_you_mean(str(value), self.choices)
            raise ScenarioError(
                f"{where}: must be one of {', '.join(map(repr, self.choices))}; "
                f"found {value!r}.{hint}"
            )
        return value


@dataclass(frozen=True)
class Table:
    """A TOML table: named fields, sub-tables and lists of tables.

    ``optional`` tables may be absent altogether (then resolved to ``None``
    unless ``fill_defaults``), and ``extra`` lets a table accept keys that a
    later stage checks (parameter overrides, which are checked against the
    chosen parameter set).
    """

    fields: Mapping[str, Field | Table | ListOf]
    doc: str = ""
    optional: bool = False
    fill_defaults: bool = True
    extra: Callable[[str, Any, str], Any] | None = None


@dataclass(frozen=True)
class ListOf:
    """A TOML array of tables (``[[body.doses]]``)."""

    table: Table
    doc: str = ""
    min_items: int = 0
    default: list = field(default_factory=list)


def _did_you_mean(word: str, options) -> str:
    close = difflib.get_close_matches(word, list(options), n=3, cutoff=0.6)
    if not close:
        return ""
    return " Did you mean " + " or ".join(repr(c) for c in close) + "?"


def unknown_key_message(where: str, key: str, options) -> str:
    """The message for an unknown key, with suggestions and the valid keys."""
    hint = _did_you_mean(key, options)
    if len(options) > 12:
        return (
            f"{where}: unknown key {key!r}.{hint} ({len(options)} keys are valid here; "
            "the docs of this table list them.)"
        )
    valid = ", ".join(sorted(options))
    return f"{where}: unknown key {key!r}.{hint} Valid keys here: {valid}."


def validate(data: Any, schema: Table, where: str) -> dict:
    """Check ``data`` against ``schema`` and return it with defaults filled in.

    Parameters
    ----------
    data
        The parsed TOML table.
    schema
        What the table may contain.
    where
        Location prefix for messages, e.g. ``"twitch.toml: [run]"``.

    Raises
    ------
    ScenarioError
        For the first problem found, naming ``where`` and the key.
    """
    if not isinstance(data, dict):
        raise ScenarioError(f"{where}: expected a table, found {_found(data)}.")
    out: dict[str, Any] = {}
    for key, value in data.items():
        spec = schema.fields.get(key)
        key_where = f"{where}.{key}" if not where.endswith("]") else f"{where} {key}"
        if spec is None:
            if schema.extra is not None:
                out[key] = schema.extra(key, value, key_where)
                continue
            raise ScenarioError(unknown_key_message(where, key, schema.fields))
        out[key] = _validate_one(spec, value, key_where)
    for key, spec in schema.fields.items():
        if key in out:
            continue
        key_where = f"{where}.{key}" if not where.endswith("]") else f"{where} {key}"
        if isinstance(spec, Field):
            if spec.default is REQUIRED:
                doc = f" ({spec.doc})" if spec.doc else ""
                raise ScenarioError(f"{key_where}: required key is missing{doc}.")
            out[key] = list(spec.default) if isinstance(spec.default, list) else spec.default
        elif isinstance(spec, Table):
            if spec.optional and not spec.fill_defaults:
                out[key] = None
            elif spec.optional or all(_has_default(s) for s in spec.fields.values()):
                out[key] = validate({}, spec, key_where)
            else:
                raise ScenarioError(f"{key_where}: required table is missing.")
        elif isinstance(spec, ListOf):
            if spec.min_items > 0:
                raise ScenarioError(f"{key_where}: at least {spec.min_items} entries are required.")
            out[key] = list(spec.default)
    return out


def _has_default(spec) -> bool:
    if isinstance(spec, Field):
        return spec.default is not REQUIRED
    if isinstance(spec, Table):
        return spec.optional or all(_has_default(s) for s in spec.fields.values())
    return spec.min_items == 0


def _validate_one(spec, value, where):
    if isinstance(spec, Field):
        return spec.convert(value, where)
    if isinstance(spec, Table):
        return validate(value, spec, where)
    if not isinstance(value, list):
        raise ScenarioError(f"{where}: expected a list of tables ([[...]]), found {_found(value)}.")
    if len(value) < spec.min_items:
        raise ScenarioError(
            f"{where}: at least {spec.min_items} entries are required, found {len(value)}."
        )
    return [validate(item, spec.table, f"{where}[{i}]") for i, item in enumerate(value)]

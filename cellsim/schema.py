"""The one validator of cellsim's input: scenario tables, sweep files, parameter overrides.

Typed classes describe what a scale takes (frozen dataclasses whose fields carry their
metadata); :func:`table_for` and :func:`model_table` generate the TOML table descriptions
(:class:`Table`, :class:`Field`, :class:`ListOf`) from them, :func:`validate` walks a parsed
TOML dict against such a description, and :func:`build` turns the validated dict back into
the typed object.  Every problem becomes one :class:`~cellsim.errors.ScenarioError` that
names the file, the dotted key, what was expected and what was found, with "did you mean"
for typos and "renamed to" for keys of earlier versions.

Two kinds of field metadata:

* :func:`param` — a model parameter: its default, its bounds, its **basis**
  (``literature``, ``derived``, ``calibrated``, ``illustrative`` or ``hypothesis``), its
  source and, for a calibrated constant, what it was fitted to.  Units live in the name.
* :func:`option` — a protocol or run setting: default, bounds, choices, a check.

Why not pydantic or jsonschema: the messages are the product here (students edit these
files), and a few hundred lines give exactly the wording we want.  Every number is checked
to be finite, and every bound is stated once, on the field.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cellsim.errors import ScenarioError

REQUIRED = object()  # sentinel: a Field with this default must be given
ABSENT = object()  # sentinel: an optional key that is left out of the result when absent

#: Largest magnitude of a model parameter that states no bound of its own: four orders
#: above the largest default of any set (25 000 mmol of bone Ca), far below where floats
#: overflow in rates, areas or counts.  A typo such as 1e300 stops here, with its key.
PARAMETER_MAGNITUDE = 1e9

#: What a parameter value rests on.
BASES = {
    "literature": "the value of a cited paper (unit conversion only)",
    "derived": "computed from literature values (the computation is stated)",
    "calibrated": "fitted so that the model reproduces a published result (named)",
    "illustrative": "chosen for a clear picture; no published value is claimed",
    "hypothesis": "a tunable hypothesis of the popular account, not established",
}


def _type_name(kind: type | tuple[type, ...]) -> str:
    names = {bool: "true/false", int: "an integer", float: "a number", str: "a string"}
    if isinstance(kind, tuple):
        return " or ".join(names.get(k, k.__name__) for k in kind)
    return names.get(kind, kind.__name__)


def _plural(kind: type) -> str:
    names = {bool: "true/false values", int: "integers", float: "numbers", str: "strings"}
    return names.get(kind, f"{getattr(kind, '__name__', kind)} values")


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
        Value used when the key is absent; :data:`REQUIRED` makes it mandatory and
        :data:`ABSENT` leaves it out.
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
    nullable
        ``None`` (TOML cannot write it; only a default) is allowed.
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
    renamed_values: Mapping[str, str] | None = None

    def convert(self, value: Any, where: str) -> Any:
        if self.is_list:
            if not isinstance(value, list):
                raise ScenarioError(f"{where}: expected a list of {_plural(self.kind)}, "
                                    f"found {_found(value)}.")  # fmt: skip
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
        if self.renamed_values and value in self.renamed_values:
            raise ScenarioError(
                f"{where}: {value!r} was renamed to {self.renamed_values[value]!r}; "
                "write that instead."
            )
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
    unless ``fill_defaults``).  ``renamed`` maps keys of earlier versions to where
    they went (a message names the new place); ``extra`` accepts any other key through a
    function of ``(key, value, where)`` (sweep files' dotted keys).
    """

    fields: Mapping[str, Field | Table | ListOf]
    doc: str = ""
    optional: bool = False
    fill_defaults: bool = True
    renamed: Mapping[str, str] = field(default_factory=dict)
    extra: Callable[[str, Any, str], Any] | None = None


@dataclass(frozen=True)
class ListOf:
    """A TOML array of tables (``[[protocol.doses]]``)."""

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


def _key_where(where: str, key: str) -> str:
    return f"{where}.{key}" if not where.endswith("]") else f"{where} {key}"


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
        key_where = _key_where(where, key)
        if spec is None:
            if schema.extra is not None:
                out[key] = schema.extra(key, value, key_where)
                continue
            if key in schema.renamed:
                raise ScenarioError(f"{key_where}: renamed: {schema.renamed[key]}.")
            old = difflib.get_close_matches(key, list(schema.renamed), n=1, cutoff=0.8)
            if old:  # a typo of a key that has moved: point to where it went
                raise ScenarioError(
                    f"{where}: unknown key {key!r}. Did you mean {old[0]!r}? It was renamed: "
                    f"{schema.renamed[old[0]]}."
                )
            raise ScenarioError(unknown_key_message(where, key, schema.fields))
        out[key] = _validate_one(spec, value, key_where)
    for key, spec in schema.fields.items():
        if key in out:
            continue
        key_where = _key_where(where, key)
        if isinstance(spec, Field):
            if spec.default is REQUIRED:
                doc = f" ({spec.doc})" if spec.doc else ""
                raise ScenarioError(f"{key_where}: required key is missing{doc}.")
            if spec.default is not ABSENT:
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


# --------------------------------------------------------------------------- typed classes


@dataclass(frozen=True)
class ParamInfo:
    """What a model parameter rests on (the metadata of a :func:`param` field).

    Attributes
    ----------
    basis
        One of :data:`BASES`.
    source
        The paper (authors, year, journal; table or figure) or the derivation.
    fitted_to
        For ``calibrated`` values: the published result the value was fitted to.  A
        literature check of that result is then a calibration, never a prediction.
    doc
        One line: what the parameter is.
    minimum, maximum, exclusive_minimum
        Physical bounds, checked on every override.
    """

    basis: str
    source: str = ""
    fitted_to: str = ""
    doc: str = ""
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False


@dataclass(frozen=True)
class OptionInfo:
    """Metadata of a protocol or run-settings field (see :func:`option`)."""

    doc: str = ""
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    choices: tuple[str, ...] | None = None
    check: Callable[[Any], str | None] | None = None
    renamed_values: Mapping[str, str] | None = None


def param(
    default: Any,
    basis: str,
    source: str = "",
    *,
    low: float | None = 0.0,
    high: float | None = None,
    low_open: bool = False,
    doc: str = "",
    fitted_to: str = "",
) -> Any:
    """A model-parameter field with its metadata (the default lower bound is 0).

    ``low=None`` allows any sign (voltages); ``low_open`` makes the bound strict.
    """
    if basis not in BASES:
        raise ValueError(f"basis {basis!r} is not one of {tuple(BASES)}")
    if basis == "calibrated" and not fitted_to:
        raise ValueError("a calibrated parameter must say what it was fitted to (fitted_to=)")
    info = ParamInfo(basis, source, fitted_to, doc, low, high, low_open)
    return field(default=default, metadata={"param": info})


def option(
    default: Any,
    doc: str = "",
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    choices: tuple[str, ...] | None = None,
    check: Callable[[Any], str | None] | None = None,
    renamed_values: Mapping[str, str] | None = None,
) -> Any:
    """A protocol or run-settings field with its metadata.

    A list default is given as a tuple (the classes are frozen); TOML lists become tuples.
    """
    info = OptionInfo(doc, low, high, low_open, choices, check, renamed_values)
    if isinstance(default, list):
        default = tuple(default)
    return field(default=default, metadata={"option": info})


def _hints(cls) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _unwrap(hint) -> tuple[Any, bool, bool]:
    """(element type, is a sequence, may be None) of a field's annotation."""
    nullable = False
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        nullable = len(args) < len(typing.get_args(hint))
        hint = args[0]
        origin = typing.get_origin(hint)
    if origin in (tuple, list):
        return typing.get_args(hint)[0], True, nullable
    return hint, False, nullable


def _field_spec(f: dataclasses.Field, hint) -> Field | Table | ListOf:
    kind, is_seq, _nullable = _unwrap(hint)
    default = f.default
    if default is dataclasses.MISSING and f.default_factory is not dataclasses.MISSING:
        default = f.default_factory()
    if dataclasses.is_dataclass(kind):
        if is_seq:
            return ListOf(table_for(kind), doc=_doc(f), default=list(default or ()))
        return Table(table_for(kind).fields, doc=_doc(f), optional=True)
    info = f.metadata.get("option") or f.metadata.get("param")
    if default is dataclasses.MISSING:
        default = REQUIRED
    elif isinstance(default, tuple):
        default = list(default)
    if default is None:
        default = ABSENT
    minimum, maximum = getattr(info, "minimum", None), getattr(info, "maximum", None)
    if isinstance(info, ParamInfo) and kind in (int, float):
        # one rule for every model parameter: within its stated bounds, and never past
        # PARAMETER_MAGNITUDE where it states none (defaults are all below 10^5)
        maximum = PARAMETER_MAGNITUDE if maximum is None else maximum
        minimum = -PARAMETER_MAGNITUDE if minimum is None else minimum
    return Field(
        kind,
        default=default,
        doc=_doc(f),
        minimum=minimum,
        maximum=maximum,
        exclusive_minimum=getattr(info, "exclusive_minimum", False),
        choices=getattr(info, "choices", None),
        is_list=is_seq,
        check=getattr(info, "check", None),
        renamed_values=getattr(info, "renamed_values", None),
    )


def _doc(f: dataclasses.Field) -> str:
    info = f.metadata.get("option") or f.metadata.get("param")
    return getattr(info, "doc", "") if info else ""


def table_for(cls, *, doc: str = "") -> Table:
    """The TOML table of a typed protocol or settings class (every field, with defaults).

    The class may name keys of earlier versions in a ``RENAMED`` class attribute
    (``{"old_key": "renamed to new_key"}``).
    """
    hints = _hints(cls)
    fields = {f.name: _field_spec(f, hints[f.name]) for f in dataclasses.fields(cls) if f.init}
    summary = (cls.__doc__ or "").strip().split("\n")[0]
    return Table(fields, doc=doc or summary, renamed=getattr(cls, "RENAMED", {}))


def parameter_fields(cls) -> dict[str, dataclasses.Field]:
    """The overridable parameters of a parameter class (fields with :func:`param` metadata)."""
    return {f.name: f for f in dataclasses.fields(cls) if "param" in f.metadata}


def model_table(
    cls,
    parameter_sets: Mapping[str, Any],
    default_set: str,
    *,
    options: Mapping[str, Field] | None = None,
    renamed: Mapping[str, str] | None = None,
    doc: str = "",
) -> Table:
    """The model table of a scale (``[fibre]``): a parameter set, options, overrides.

    Every parameter of ``cls`` may be given to override the chosen set; it is checked
    against the bounds of its :func:`param` metadata, and left out when not given.
    """
    hints = _hints(cls)
    fields: dict[str, Field | Table | ListOf] = {
        "parameter_set": Field(
            str,
            default=default_set,
            choices=tuple(parameter_sets),
            doc="named, cited parameter set",
        ),
        **(options or {}),
    }
    for name, f in parameter_fields(cls).items():
        spec = _field_spec(f, hints[name])
        fields[name] = dataclasses.replace(spec, default=ABSENT)
    return Table(fields, doc=doc, renamed=renamed or {})


def build(cls, data: Mapping[str, Any]):
    """The typed object of a validated table (lists become tuples, sub-tables objects)."""
    hints = _hints(cls)
    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.name not in data or not f.init:
            continue
        value = data[f.name]
        kind, is_seq, _ = _unwrap(hints[f.name])
        if dataclasses.is_dataclass(kind):
            if is_seq:
                value = tuple(build(kind, item) for item in value)
            elif value is not None:
                value = build(kind, value)
        elif is_seq and value is not None:
            value = tuple(value)
        kwargs[f.name] = value
    return cls(**kwargs)


def as_data(obj) -> Any:
    """A typed object back to plain TOML-able data (tuples become lists; None left out)."""
    if dataclasses.is_dataclass(obj):
        return {
            f.name: as_data(getattr(obj, f.name))
            for f in dataclasses.fields(obj)
            if f.init and getattr(obj, f.name) is not None
        }
    if isinstance(obj, (tuple, list)):
        return [as_data(v) for v in obj]
    return obj


def with_overrides(params, overrides: Mapping[str, Any]):
    """A copy of a parameter set with validated overrides (ints stay ints)."""
    fields = parameter_fields(type(params))
    changes = {}
    for key, value in overrides.items():
        if key not in fields:
            raise ScenarioError(unknown_key_message(f"[{params.name}]", key, fields))
        current = getattr(params, key)
        changes[key] = type(current)(value) if isinstance(current, (int, float)) else value
    return dataclasses.replace(params, **changes)

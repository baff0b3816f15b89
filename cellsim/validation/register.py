"""The calibration register: every constant that was fitted, to what, and what that costs.

Made from the code, never by hand: each scale's parameters carry their basis and, when
calibrated, the published result they were fitted to (:func:`cellsim.schema.param`); each
literature check of kind ``calibration`` names the parameters fitted to it.  A check of
such a result can never count as a prediction.  ``cellsim check --register FILE`` writes
it; ``docs/validation/calibration.md`` is that file (a test keeps it current).
"""

from __future__ import annotations

import dataclasses

from cellsim import scales
from cellsim.validation.checks import Check


def calibrated_parameters() -> dict[str, list[tuple[str, str, dict[str, object]]]]:
    """Per scale: (parameter, fitted to, value in each parameter set) of every fitted constant."""
    out = {}
    for name in scales.names():
        scale = scales.get(name)
        sets = scale.parameter_sets
        params_type = type(next(iter(sets.values())))
        rows = []
        for f in dataclasses.fields(params_type):
            info = f.metadata.get("param")
            if info is None or info.basis != "calibrated":
                continue
            values = {set_name: getattr(p, f.name) for set_name, p in sets.items()}
            rows.append((f.name, info.fitted_to, values))
        out[name] = rows
    return out


def markdown(checks: list[Check]) -> str:
    """The register as Markdown."""
    lines = [
        "# Calibration register",
        "",
        "Every constant of cellsim that was fitted to a published result, and the result it was",
        "fitted to; then the literature checks that are calibrations for that reason. Made by",
        "`cellsim check --register docs/validation/calibration.md` from the parameters' own",
        "metadata (`cellsim/<scale>/params.py`) and the checks; a test keeps it current.",
        "",
    ]
    for scale, rows in calibrated_parameters().items():
        lines += [f"## {scale}", ""]
        if not rows:
            lines += ["No fitted constants.", ""]
            continue
        lines += ["| parameter | value(s) | fitted to |", "|---|---|---|"]
        for param, fitted_to, values in rows:
            distinct = {repr(v) for v in values.values()}
            if len(distinct) == 1:
                shown = f"{next(iter(values.values())):g}"
            else:
                shown = ", ".join(f"{k}: {v:g}" for k, v in values.items())
            lines.append(f"| `{param}` | {shown} | {fitted_to} |")
        lines.append("")
    lines += [
        "## Checks that are calibrations",
        "",
        "| check | published result | fitted to it |",
        "|---|---|---|",
    ]
    for c in checks:
        if c.kind == "calibration":
            fitted = ", ".join(f"`{p}`" for p in c.fitted) or "(constants named in the check)"
            lines.append(f"| {c.name} | {c.published} ({c.source}) | {fitted} |")
    return "\n".join(lines) + "\n"

"""What ``cellsim check`` shows: a table on the terminal, a Markdown report with figures.

Failing checks are never dropped: the table marks them, the report lists them
first and gives each its figure like any other check.
"""

from __future__ import annotations

import datetime
import importlib
import os
from pathlib import Path

from cellsim.validation import figures
from cellsim.validation.checks import KINDS, CheckResult

FIGURE_FOLDER = "figures"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def verdict(r: CheckResult) -> str:
    """``pass``, ``FAIL``, or for a known gap ``gap`` (still missed) / ``gap now met``."""
    if r.check.kind == "known_gap":
        return "gap now met" if r.passed else "gap"
    return "pass" if r.passed else "FAIL"


def table(results: list[CheckResult]) -> str:
    """A plain-text table by kind: verdict, check, simulated and published values."""
    width = max([len(r.check.name) for r in results] + [5])
    lines = []
    for kind in KINDS:
        chosen = [r for r in results if r.check.kind == kind]
        if not chosen:
            continue
        lines.append(f"{kind.replace('_', ' ')}s:" if kind != "physics" else "physics:")
        for r in chosen:
            lines.append(
                f"  {verdict(r):11}  {r.check.name:<{width}}  {_clip(r.simulated, 38):<38}  "
                f"{_clip(r.check.published, 44)}"
            )
    return "\n".join(lines)


def headline(results: list[CheckResult]) -> str:
    """``"12 predictions pass of 15; 18 calibrations reproduced of 18; ..."``: never one sum."""

    def count(kind):
        chosen = [r for r in results if r.check.kind == kind]
        return sum(r.passed for r in chosen), len(chosen)

    parts = []
    passed, total = count("prediction")
    parts.append(f"{passed} predictions pass of {total}")
    passed, total = count("calibration")
    parts.append(f"{passed} calibrations reproduced of {total}")
    inputs = [r for r in results if r.check.kind in ("input", "physics")]
    parts.append(f"{sum(r.passed for r in inputs)} of {len(inputs)} inputs and physics laws hold")
    gaps = [r for r in results if r.check.kind == "known_gap"]
    met = sum(r.passed for r in gaps)
    noun = "known gap" if len(gaps) == 1 else "known gaps"
    parts.append(f"{len(gaps)} {noun}" + (f" ({met} now met)" if met else ""))
    return "; ".join(parts)


def summary_line(results: list[CheckResult], wall_s: float, quick: bool) -> str:
    """The headline, the failures that count, and the time taken."""
    failed = [r for r in results if r.failing]
    text = headline(results)
    if failed:
        text += f"; {len(failed)} FAILED"
    return text + f" (in {wall_s:.0f} s, {'quick' if quick else 'full'} versions)"


def _versions() -> str:
    """The versions a results folder records (cellsim's own from the package, not from
    whatever distribution an older install left behind)."""
    from cellsim.results import versions

    found = versions()
    python = found.pop("python")
    return ", ".join(f"{name} {v}" for name, v in found.items()) + f", Python {python}"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _anchor(name: str) -> str:
    """GitHub's anchor of a heading that is a check name (dots dropped)."""
    return name.replace(".", "").lower()


def _section(r: CheckResult) -> list[str]:
    c = r.check
    shown = verdict(r) if r.passed or not c.counts else "**FAIL**"
    lines = [
        f"### {c.name}",
        "",
        f"**{c.title}** — {shown}",
        "",
        f"- Quantity: {c.quantity}",
        f"- Published: {c.published} — {c.source}",
        f"- Accepted: {c.tolerance}. Why: {c.rationale}",
        f"- Simulated: {r.simulated} ({'quick' if r.quick else 'full'} version, "
        f"{r.elapsed_s:.1f} s)",
        f"- Kind: {c.kind.replace('_', ' ')} — {KINDS[c.kind]}",
    ]
    if c.fitted:
        lines.append(f"- Fitted to it: {', '.join(f'`{p}`' for p in c.fitted)}")
    if c.not_fitted_to:
        lines.append(f"- Not fitted to it: {c.not_fitted_to}")
    if r.outcome is not None:
        lines.append("- Criteria:")
        lines += [
            f"  - {'met' if ok else '**not met**'}: {text}" for text, ok in r.criteria.items()
        ]
    else:
        lines.append(f"- Error: `{r.error}`")
    lines += ["", f"![{c.name}]({FIGURE_FOLDER}/{c.name}.png)", ""]
    return lines


def _unchecked(scales) -> list[str]:
    lines = []
    for scale in scales:
        module = importlib.import_module(f"cellsim.validation.{scale}")
        for result, reason in getattr(module, "UNCHECKED", ()):
            lines.append(f"- **{scale}** — {result}. {reason}")
    return lines


def markdown(results: list[CheckResult], scales, *, wall_s: float, quick: bool) -> str:
    """The report's text (figures are referenced as ``figures/<check>.png``)."""
    failing = [r for r in results if r.failing]
    today = datetime.date.today().isoformat()
    lines = [
        "# Validation against the literature",
        "",
        f"Written by `cellsim check --report` on {today}: {summary_line(results, wall_s, quick)}"
        f" on {os.cpu_count()} CPU core(s); {_versions()}.",
        "",
        "Each check compares one published result with the same quantity measured on the "
        "model, with a stated tolerance and the reason for it. The test suite runs the same "
        "checks (`tests/validation`, quick versions), so this report and the tests cannot "
        "disagree. What each scale's model is, and what in it is mechanistic, calibrated, "
        "illustrative or a hypothesis: `docs/fibre.md`, `docs/nerve.md`, `docs/body.md`.",
        "",
        "The *kind* column says what an agreement is worth; the summary counts each kind "
        "apart and never adds them into one number (the constants fitted, and to what: "
        "`docs/validation/calibration.md`):",
        "",
    ]
    lines += [f"- **{name.replace('_', ' ')}**: {text}." for name, text in KINDS.items()]
    lines += ["", "## Summary", ""]
    if failing:
        lines += ["Failing checks (their figures are below with all the others):", ""]
        lines += [f"- [{r.check.name}](#{_anchor(r.check.name)}): {r.simulated}" for r in failing]
        lines += [""]
    for kind in KINDS:
        chosen = [r for r in results if r.check.kind == kind]
        if not chosen:
            continue
        lines += [
            f"### {kind.replace('_', ' ')}s" if kind != "physics" else "### physics",
            "",
            "| result | check | published | source | accepted | simulated |",
            "|---|---|---|---|---|---|",
        ]
        for r in chosen:
            c = r.check
            shown = verdict(r) if r.passed or not c.counts else "**FAIL**"
            lines.append(
                f"| {shown} | [{c.name}](#{_anchor(c.name)}) | {_cell(c.published)} | "
                f"{_cell(c.source)} | {_cell(c.tolerance)} | {_cell(r.simulated)} |"
            )
        lines.append("")
    for scale in scales:
        chosen = [r for r in results if r.check.scale == scale]
        if chosen:
            lines += ["", f"## {scale}", ""]
            for r in chosen:
                lines += _section(r)
    unchecked = _unchecked(scales)
    if unchecked:
        lines += ["## Published results not checked", "", *unchecked, ""]
    return "\n".join(lines).rstrip() + "\n"


def write_report(
    results: list[CheckResult],
    directory: str | Path,
    scales,
    *,
    wall_s: float,
    quick: bool,
    dpi: int = figures.DPI,
) -> Path:
    """Write ``report.md`` and ``figures/<check>.png`` (one per check) into ``directory``."""
    directory = Path(directory)
    (directory / FIGURE_FOLDER).mkdir(parents=True, exist_ok=True)
    for r in results:
        figures.draw(r, directory / FIGURE_FOLDER / f"{r.check.name}.png", dpi=dpi)
    path = directory / "report.md"
    path.write_text(markdown(results, scales, wall_s=wall_s, quick=quick), encoding="utf-8")
    from cellsim.validation.register import markdown as register

    (directory / "calibration.md").write_text(register([r.check for r in results]), "utf-8")
    return path

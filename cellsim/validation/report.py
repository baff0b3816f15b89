"""What ``cellsim check`` shows: a table on the terminal, a Markdown report with figures.

Failing checks are never dropped: the table marks them, the report lists them
first and gives each its figure like any other check.
"""

from __future__ import annotations

import datetime
import importlib
import os
import platform
from importlib import metadata
from pathlib import Path

from cellsim.validation import figures
from cellsim.validation.checks import BASES, CheckResult

FIGURE_FOLDER = "figures"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def table(results: list[CheckResult]) -> str:
    """A plain-text table: verdict, check, simulated and published values."""
    width = max([len(r.check.name) for r in results] + [5])
    lines = [f"{'':4}  {'check':<{width}}  {'simulated':<38}  published"]
    for r in results:
        verdict = "pass" if r.passed else "FAIL"
        lines.append(
            f"{verdict:4}  {r.check.name:<{width}}  {_clip(r.simulated, 38):<38}  "
            f"{_clip(r.check.published, 48)}"
        )
    return "\n".join(lines)


def summary_line(results: list[CheckResult], wall_s: float, quick: bool) -> str:
    """``"37 of 38 checks passed (1 failed) in 201 s (full versions)"``."""
    passed = sum(r.passed for r in results)
    failed = len(results) - passed
    text = f"{passed} of {len(results)} checks passed"
    if failed:
        text += f" ({failed} failed)"
    return text + f" in {wall_s:.0f} s ({'quick' if quick else 'full'} versions)"


def _versions() -> str:
    names = ("cellsim", "numpy", "numba", "scipy", "mesa")
    parts = []
    for name in names:
        try:
            parts.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return ", ".join(parts) + f", Python {platform.python_version()}"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _anchor(name: str) -> str:
    """GitHub's anchor of a heading that is a check name (dots dropped)."""
    return name.replace(".", "").lower()


def _section(r: CheckResult) -> list[str]:
    c = r.check
    verdict = "pass" if r.passed else "**FAIL**"
    lines = [
        f"### {c.name}",
        "",
        f"**{c.title}** — {verdict}",
        "",
        f"- Quantity: {c.quantity}",
        f"- Published: {c.published} — {c.source}",
        f"- Accepted: {c.tolerance}. Why: {c.rationale}",
        f"- Simulated: {r.simulated} ({'quick' if r.quick else 'full'} version, "
        f"{r.elapsed_s:.1f} s)",
        f"- Basis: {c.basis} — {BASES[c.basis]}",
    ]
    if r.outcome is not None:
        lines.append("- Criteria:")
        lines += [
            f"  - {'met' if ok else '**not met**'}: {text}"
            for text, ok in r.outcome.criteria.items()
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
    failing = [r for r in results if not r.passed]
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
        "The *basis* column says how independent an agreement is:",
        "",
    ]
    lines += [f"- **{name}**: {text}." for name, text in BASES.items()]
    lines += ["", "## Summary", ""]
    if failing:
        lines += ["Failing checks (their figures are below with all the others):", ""]
        lines += [f"- [{r.check.name}](#{_anchor(r.check.name)}): {r.simulated}" for r in failing]
        lines += [""]
    lines += [
        "| result | check | published | source | accepted | simulated | basis |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        c = r.check
        verdict = "pass" if r.passed else "**FAIL**"
        lines.append(
            f"| {verdict} | [{c.name}](#{_anchor(c.name)}) | {_cell(c.published)} | "
            f"{_cell(c.source)} | {_cell(c.tolerance)} | {_cell(r.simulated)} | {c.basis} |"
        )
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
    return path

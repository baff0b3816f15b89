"""What each page's model is: one paragraph for the page, the model notes in full below it.

The paragraphs summarise the "mechanistic / calibrated / illustrative / hypothesis"
sections of ``docs/fibre.md``, ``docs/nerve.md`` and ``docs/body.md``; in a source
checkout the page also shows that section itself, so it follows the notes as they change.
Text is HTML (``solara.Markdown`` would load KaTeX and Mermaid from the network).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"

PARAGRAPHS = {
    "fibre": (
        "<b>Mechanistic</b>: Ca and Mg ions diffuse and compete for the same sites on "
        "troponin, parvalbumin and the SERCA pumps, one ion at a time, with published rates; "
        "every ion is conserved; SERCA needs Mg-ATP and Mg blocks the RyR release channel. "
        "<b>Calibrated</b>: the RyR release flux (to a published Ca transient), the filament "
        "and crossbridge rates (to the force–pCa curve) and the SERCA density. "
        "<b>Illustrative</b>: the simulated volume is a 1 × 0.2 × 0.2 µm column (so curves are "
        "noisy), the sarcomere drawing follows force rather than being a mechanical model, and "
        "the human set reuses mouse kinetics. <b>Hypothesis</b>: that a slow, Mg-starved "
        "SERCA and leaky RyRs inside the fibre contribute to cramps at low Mg — clinically, "
        "most cramps of Mg deficiency start in the nerve (see the Nerve page)."
    ),
    "nerve": (
        "<b>Mechanistic</b>: a node of a mammalian motor axon at 37 °C whose ~22 000 Na and "
        "K channels open and close at random (a few stepped one by one, the rest as exact "
        "counts); Ca and Mg outside screen and bind the membrane's surface charge (Hille's "
        "constants), which shifts the channels' gating; Mg competes with Ca in the pores of "
        "the terminal's Ca channels, release needs several Ca ions on a sensor, and each "
        "muscle action potential drives the fibre. <b>Calibrated</b>: the node's "
        "strength-duration time constant at normal Ca, the quantal content and the end "
        "plate's safety factor; nothing about tetany. <b>Predicted</b>: where the axon "
        "starts firing by itself as Ca falls (about 0.57 mM at normal Mg, 0.79 mM at low "
        "Mg: lower than the ~0.9 mM of patients, a known gap) and its doublets and bursts. "
        "<b>Illustrative</b>: the terminal's action potential is a fixed shape. "
        "<b>Hypothesis</b>: that Mg lowers the end plate's response through the same surface "
        "charge."
    ),
    "body": (
        "<b>Mechanistic</b>: every mg of Ca and Mg is accounted for as it moves between gut, "
        "plasma, kidney, bone and cells; absorption saturates, the kidney reabsorbs segment "
        "by segment, and PTH and calcitriol close feedback loops. <b>Calibrated</b>: the gut "
        "absorption constants (to published single-dose absorption), and the kidney constants "
        "that make the recommended intake a steady state. <b>Illustrative</b>: the Ca-sensing "
        "receptor constants, Mg's effect on PTH, the deficiency curves, bone's fast pools and "
        "how fast the cells' Mg follows plasma (so the twitch at the hand-off changes slowly). "
        "<b>Hypothesis</b>: strong competition of Ca and Mg in the gut (off by default)."
    ),
    "scenarios": (
        "Every bundled scenario runs here as <code>cellsim run</code> would run it (its own "
        "seed and settings), and any results folder in the app's results folder can be "
        "reopened. Each scenario file starts with comments for students that say what is "
        "mechanistic, what is illustrative and what is a hypothesis in it; they are shown "
        "above its results."
    ),
}

_HEADING = re.compile(r"^##\s.*echanistic", re.IGNORECASE)


def paragraph(page: str) -> str:
    """The page's paragraph (HTML)."""
    return PARAGRAPHS[page]


def model_notes(scale: str, docs: Path = DOCS) -> str | None:
    """The mechanistic/illustrative/hypothesis section of ``docs/<scale>.md`` as HTML.

    None when the notes are not there (an installed package has no ``docs/``).
    """
    path = docs / f"{scale}.md"
    if not path.is_file():
        return None
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next((i for i, line in enumerate(lines) if _HEADING.match(line)), None)
    if start is None:
        return None
    body = []
    for line in lines[start + 1 :]:
        if line.startswith("## "):
            break
        body.append(line)
    return markdown_list_to_html("\n".join(body))


def markdown_list_to_html(text: str) -> str:
    """The little Markdown of the notes' lists (items, bold, code) as HTML."""
    items: list[str] = []
    for line in text.splitlines():
        if line.startswith("- "):
            items.append(line[2:].strip())
        elif line.strip() and items:
            items[-1] += " " + line.strip()
    out = []
    for item in items:
        s = html.escape(item)
        s = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", s)
        s = re.sub(r"`(.+?)`", r"<code>\1</code>", s)
        out.append(f"<li>{s}</li>")
    return "<ul>" + "".join(out) + "</ul>"

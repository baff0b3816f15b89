"""The tutorial notebook (docs/tutorial.ipynb) runs from top to bottom, as a reader runs it."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "docs" / "tutorial.ipynb"


@pytest.mark.slow
def test_the_tutorial_notebook_runs_and_shows_its_results():
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOK, as_version=4)
    # the kernel starts in the project folder, where a reader opens the notebook from
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT)}}).execute()  # fmt: skip
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    kinds = {kind for o in outputs for kind in o.get("data", {})}
    errors = [o for o in outputs if o.output_type == "error"]
    assert not errors, errors
    assert {"text/html", "image/png"} <= kinds  # the RunOutput table and the figures
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert any("<video" in h for h in html), "the inline animation is missing"
    assert any("<table>" in h and "cramp" in h for h in html), "the twitch's table is missing"

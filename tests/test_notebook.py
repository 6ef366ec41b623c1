"""The example notebook runs top to bottom (nbclient, a real kernel) on the bundled example and a generated corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "notebook.ipynb"


def test_example_notebook_runs_top_to_bottom() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    # "python3" is ipykernel's native kernel: this interpreter, so the kernel imports the installed rhetorscope
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()  # raises CellExecutionError, naming the cell, when one fails
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    html = [o["data"]["text/html"] for o in outputs if "data" in o and "text/html" in o["data"]]
    assert html[0].startswith('<div class="rhetorscope-report">')  # the report, scoped
    assert any("alpha" in h and "beta" in h for h in html[1:])  # the corpus's data frames
    assert not any(o.get("output_type") == "error" for o in outputs)

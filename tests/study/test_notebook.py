"""notebooks/stargate.ipynb runs end to end, offline, and is committed without outputs."""

from __future__ import annotations

import base64

import pytest
from conftest import REPO

NOTEBOOK = REPO / "notebooks" / "stargate.ipynb"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _read():
    import nbformat

    return nbformat.read(NOTEBOOK, as_version=4)


def test_notebook_is_committed_without_outputs():
    import nbformat

    nb = _read()
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "the notebook has no code"
    dirty = [i for i, c in enumerate(code) if c.outputs or c.execution_count is not None]
    assert not dirty, f"code cells {dirty} have outputs: clear them before committing"


def test_notebook_runs_offline(prices_dir, tmp_path, monkeypatch):
    from nbclient import NotebookClient

    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))  # no history file in $HOME
    monkeypatch.setenv("MPLBACKEND", "agg")
    nb = _read()
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    )
    client.execute()  # raises CellExecutionError, with the traceback, on the first failing cell
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert not [o for o in outputs if o.output_type == "stream" and o.name == "stderr"], "the notebook warned"
    html = [o.data["text/html"] for o in outputs if "data" in o and "text/html" in o.data]
    assert any("Claims against the measured moves" in h and "within the day&#x27;s range" in h for h in html)
    pngs = [base64.b64decode(o.data["image/png"]) for o in outputs if "data" in o and "image/png" in o.data]
    assert len(pngs) >= 5 and all(p[:8] == PNG_MAGIC for p in pngs), "the plots did not display as PNG"
    last = nb.cells[-1].outputs[0].data["text/plain"]
    assert "report.html" in last and "figures/claims.svg" in last


@pytest.mark.parametrize("needle", ["CsvDirectorySource", "EventStudy", "plot_car", "write_report"])
def test_notebook_uses_the_public_api(needle):
    assert needle in "".join(c.source for c in _read().cells)

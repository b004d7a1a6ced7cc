"""The notebooks run top to bottom with no token on the demo world, and are stored without
outputs."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
#: Days of demo life the history notebook simulates in the tests (a month takes minutes).
HISTORY_DAYS = "1"
#: A progress bar's percentage other than 100% (``100%`` itself ends in ``0%``).
ZERO = re.compile(r"(?<!\d)0%")
CREDENTIALS = ("COC_API_TOKEN", "COC_EMAIL", "COC_PASSWORD", "COC_CLAN", "COCFRAMES_BASE_URL",
               "MPLBACKEND")


def test_there_are_the_notebooks_users_are_promised():
    names = {p.stem for p in NOTEBOOKS}
    assert {"01-quick-start", "02-war-analysis", "03-troop-progress", "04-rankings",
            "05-cwl-and-medals", "06-clan-history", "explorer"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path):
    text = path.read_text(encoding="utf-8")
    assert not ZERO.search(text), f"{path.name}: a progress bar saved at 0%"
    nb = json.loads(text)
    assert "widgets" not in nb["metadata"], f"{path.name}: widget state saved in it"
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, (
                f"{path.name}: strip outputs before committing")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom_on_the_demo_world(path, tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    for name in CREDENTIALS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COCFRAMES_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("COCFRAMES_NOTEBOOK_DAYS", HISTORY_DAYS)
    nb = nbformat.read(path, as_version=4)
    # timeout per cell: one simulated day of history takes about a minute
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = json.dumps(outputs)
    assert not ZERO.search(text), "a progress bar left at 0%"
    assert "demo world" in text or path.stem == "explorer", "the notebook says it is demo data"
    if path.stem != "explorer":
        assert "image/png" in text, "the notebook draws its plots"
    assert os.environ.get("COC_API_TOKEN") is None

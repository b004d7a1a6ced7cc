"""Execute the notebooks on the demo world for the documentation site.

``python docs/_notebooks.py [OUT]`` runs every notebook of ``notebooks/`` (the explorer aside:
it is an app for Voilà, see ``docs/notebooks.md``) with no token, on the offline demo world,
and writes the executed copies to ``OUT/notebooks/`` (``OUT`` is ``build/docs-notebooks`` unless
given or set in ``$COCFRAMES_DOCS_NOTEBOOKS``; ignored by git).
The stored notebooks stay output-free. ``mkdocs build`` calls :func:`prepare` through
``docs/_hooks.py``, so running this by hand is only needed to execute them ahead of a build.

A copy is executed again only when its notebook changed since (by content), so ``mkdocs serve``
re-runs nothing on an ordinary edit of a page.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
#: The site's source folder of the executed copies (they go in its ``notebooks/``) unless
#: ``$COCFRAMES_DOCS_NOTEBOOKS`` names another.
DEFAULT_OUT = ROOT / "build" / "docs-notebooks"
#: Notebooks that are apps rather than pages: their output is a live widget.
APPS = ("explorer",)
#: Variables that would take a notebook to the real API; removed for the run.
CREDENTIALS = ("COC_API_TOKEN", "COC_EMAIL", "COC_PASSWORD", "COC_CLAN", "COCFRAMES_BASE_URL",
               "COCFRAMES_PORTAL_URL", "COCFRAMES_CACHE_URL", "MPLBACKEND")
#: Days of demo life the history notebook simulates (a month takes minutes).
HISTORY_DAYS = "1"
#: Seconds a cell may take: one simulated day of history takes about a minute.
CELL_TIMEOUT = 300
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = ("*An interactive widget is shown here when the notebook runs in Jupyter; "
               "a static page cannot hold it.*")


def out_dir() -> Path:
    """Return the folder holding ``notebooks/``: ``$COCFRAMES_DOCS_NOTEBOOKS`` or the default."""
    return Path(os.environ.get("COCFRAMES_DOCS_NOTEBOOKS") or DEFAULT_OUT)


def sources() -> list[Path]:
    """Return the notebooks the site shows as pages, in name order."""
    return sorted(p for p in NOTEBOOKS.glob("*.ipynb") if p.stem not in APPS)


def kernel_env(cache_dir: Path) -> dict[str, str]:
    """Return the environment of the kernel: no credentials, a fresh cache, a short history."""
    env = {k: v for k, v in os.environ.items() if k not in CREDENTIALS}
    env["COCFRAMES_CACHE"] = str(cache_dir)
    env["COCFRAMES_NOTEBOOK_DAYS"] = HISTORY_DAYS
    return env


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _replace_widgets(nb) -> None:
    """Swap each live widget's output for a note (without a kernel it would show a repr) and
    drop the widgets' saved state (the page would load the widget scripts from a CDN)."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.outputs:
            if WIDGET_VIEW in output.get("data", {}):
                output["data"] = {"text/markdown": WIDGET_NOTE}


def execute(source: Path, target: Path) -> None:
    """Execute ``source`` on the demo world and write the executed copy to ``target``."""
    import nbclient
    import nbformat

    nb = nbformat.read(source, as_version=4)
    with tempfile.TemporaryDirectory(prefix="cocframes-docs-") as tmp:
        client = nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                                         resources={"metadata": {"path": tmp}})
        client.execute(env=kernel_env(Path(tmp) / "cache"))
    _replace_widgets(nb)
    nb.metadata["cocframes_source_sha256"] = _digest(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)


def is_current(source: Path, target: Path) -> bool:
    """Return whether ``target`` is an executed copy of ``source`` as it is now."""
    if not target.exists():
        return False
    import nbformat

    stored = nbformat.read(target, as_version=4).metadata.get("cocframes_source_sha256")
    return stored == _digest(source)


def prepare(out: Path | None = None, log=print) -> list[Path]:
    """Execute the notebooks whose copy in ``out/notebooks`` is missing or out of date.

    Returns the executed copies, one per notebook of :func:`sources`, in the same order.
    """
    out = out or out_dir()
    copies = []
    for source in sources():
        target = out / "notebooks" / source.name
        if not is_current(source, target):
            log(f"executing {source.relative_to(ROOT)} on the demo world -> {target}")
            execute(source, target)
        copies.append(target)
    return copies


def main(argv: list[str] | None = None) -> int:
    """Execute the notebooks into the folder given (or the default); return the exit code."""
    args = sys.argv[1:] if argv is None else argv
    prepare(Path(args[0]) if args else None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

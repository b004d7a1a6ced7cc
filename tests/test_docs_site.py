"""The documentation site builds with ``mkdocs build --strict`` (broken links, anchors and
references fail it) and holds what a reader looks for: the home page, the API reference
generated from the docstrings, every frame's columns, the notebooks as they ran on the demo
world (with their plots), the generated CLI help and event kinds, and a search index.

The notebooks are executed first (``docs/_notebooks.py``, no token, the demo world) into a
temporary folder; the site is built once per test session, also for the browser test.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: What building the site needs; without one of them the tests are skipped.
TOOLS = ("mkdocs", "material", "mkdocstrings", "mkdocstrings_handlers.python", "mkdocs_jupyter",
         "nbclient")
#: Bounds the build (notebook execution included: about two minutes on a loaded 2-CPU machine).
BUILD_TIMEOUT = 900
#: An output image: a plot drawn when the notebook ran.
PLOT = re.compile(r'<img [^>]*src="data:image/png;base64,')
_built: dict[str, Path] = {}


def _notebooks_module():
    """Return docs/_notebooks.py as a module (docs/ is not a package)."""
    spec = importlib.util.spec_from_file_location("_docs_notebooks",
                                                  ROOT / "docs" / "_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _skip_without_tools() -> None:
    for name in TOOLS:
        try:
            found = importlib.util.find_spec(name) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            pytest.skip(f"{name} is not installed: pip install -e '.[docs]' to build the site")


def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the folder of the built site, executing the notebooks and building it the first
    time it is asked for in this session."""
    _skip_without_tools()
    if "site" not in _built:
        work = tmp_path_factory.mktemp("docs-site")
        credentials = _notebooks_module().CREDENTIALS
        env = {k: v for k, v in os.environ.items() if k not in credentials}
        env["COCFRAMES_DOCS_NOTEBOOKS"] = str(work / "executed")
        env["NO_MKDOCS_2_WARNING"] = "1"
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        for command in ([sys.executable, str(ROOT / "docs" / "_notebooks.py")],
                        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f",
                         str(ROOT / "mkdocs.yml"), "-d", str(work / "site")]):
            run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                                 timeout=BUILD_TIMEOUT)
            assert run.returncode == 0, f"{command[1:]} failed:\n{run.stderr[-4000:]}"
        _built["site"] = work / "site"
    return _built["site"]


def _digests() -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((ROOT / "notebooks").glob("*.ipynb"))}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    before = _digests()
    path = built_site(tmp_path_factory)
    assert _digests() == before, "building the site changed the stored notebooks"
    return path


def page(site: Path, name: str) -> str:
    """Return the HTML of the page at ``name`` (a URL path such as ``api/cocframes``)."""
    path = site / name / "index.html"
    assert path.exists(), f"no page {name}/"
    return path.read_text(encoding="utf-8")


def test_home_page_links_to_every_part(site):
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "<title>cocframes</title>" in home
    for target in ("getting-started/", "columns/", "cli/", "keys/", "caching/", "history/",
                   "troubleshooting/", "performance/", "notebooks/", "api/cocframes/"):
        assert f'href="{target}"' in home, target


def test_api_pages_are_generated_from_the_docstrings(site):
    api = page(site, "api/cocframes")
    for name in ("members", "cwl", "participation", "players", "rankings", "connect",
                 "NotInLeagueError", "tracking.functions.changes"):
        assert f'id="cocframes.{name}"' in api, name
    assert "Return one row per member of" in api, "a docstring's text"
    # the columns that the frame functions' docstrings get when they are defined
    assert "<strong>Columns</strong> (one row per clan member)" in api
    assert "<strong>Columns of <code>.medals</code></strong>" in api
    assert ":func:" not in api and ":class:" not in api, "Sphinx roles shown as text"
    assert 'id="cocframes.distributed.collect"' in page(site, "api/distributed")
    client = page(site, "api/client")
    assert 'id="cocframes.Client.get_player"' in client and "max_retry_time" in client
    for name, member in (("plots", "plots.war_map"), ("plots_history", "plots_history.season_bars"),
                         ("widgets", "widgets.clan_explorer"), ("tracking", "tracking.simulate"),
                         ("demo", "demo.world.World")):
        assert f'id="cocframes.{member}"' in page(site, f"api/{name}"), member


def test_column_reference_has_every_frame(site):
    from cocframes.frames import SPECS

    columns = page(site, "columns")
    for name, spec in SPECS.items():
        assert f'id="{name}"' in columns, name
        assert all(f"<code>{c}</code>" in columns for c in spec.names), name


def test_each_notebook_page_shows_its_executed_plots(site):
    for source in _notebooks_module().sources():
        html = page(site, f"notebooks/{source.stem}")
        assert PLOT.search(html), f"{source.stem}: no plot"
        assert "demo world" in html, source.stem
        assert "Traceback" not in html, f"{source.stem}: a cell failed"
        assert "widget-state+json" not in html, f"{source.stem}: widget state kept"
        assert (site / "notebooks" / source.stem / source.name).exists(), "the download"
    assert "An interactive widget is shown here" in page(site, "notebooks/01-quick-start")


def test_generated_parts_are_filled_in(site):
    assert "usage: cocframes frame" in page(site, "cli")
    history = page(site, "history")
    assert "<code>member_joined</code>" in history and "<!-- event kinds -->" not in history
    performance = page(site, "performance")
    assert "W1 roster" in performance and "<!-- readme section" not in performance


def test_search_index_covers_the_pages(site):
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    locations = {doc["location"].split("#")[0] for doc in index["docs"]}
    assert {"", "getting-started/", "api/cocframes/", "troubleshooting/",
            "notebooks/01-quick-start/"} <= locations
    assert any("participation" in doc["text"] for doc in index["docs"])

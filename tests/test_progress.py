"""Progress bars of bulk fetches: named after what they fetch, drawn only when calls go to the
network, and closed whatever happens; in a notebook, a saved bar never stays at 0%."""

from __future__ import annotations

import re

import pytest

import cocframes as cf
from cocframes.demo import DEMO_CLAN_TAG

#: A bar's percentage other than 100% (``100%`` itself ends in ``0%``).
ZERO = re.compile(r"(?<!\d)0%")


@pytest.fixture
def cached(tmp_path) -> cf.Client:
    with cf.Client(demo=True, cache_dir=tmp_path / "cache", progress=True) as client:
        yield client


@pytest.mark.parametrize("frame", ["players", "units", "achievements"])
def test_the_bar_is_named_after_the_frame(frame, capsys):
    with cf.Client(demo=True, cache=False, progress=True) as client:
        getattr(cf, frame)(clan=DEMO_CLAN_TAG, client=client)
    bar = capsys.readouterr().err
    assert f"{frame}: 100%" in bar and "45/45" in bar


def test_answers_from_the_cache_draw_no_bar(cached, capsys):
    cf.units(clan=DEMO_CLAN_TAG, client=cached)
    assert "units:" in capsys.readouterr().err
    cf.units(clan=DEMO_CLAN_TAG, client=cached)  # every profile fresh in the cache
    assert capsys.readouterr().err == ""


def test_an_error_closes_the_bar(monkeypatch):
    import tqdm

    closed = []
    real = tqdm.tqdm.close
    monkeypatch.setattr(tqdm.tqdm, "close", lambda self: closed.append(id(self)) or real(self))
    with cf.Client(demo=True, cache=False, progress=True) as client:
        calls = []

        def fail_third(tag):
            calls.append(tag)
            if len(calls) == 3:
                raise KeyboardInterrupt
            return tag

        with pytest.raises(KeyboardInterrupt):
            client.many(fail_third, ["#2PP", "#2PQ", "#2PR", "#2PU"], description="tests")
    assert len(set(closed)) == 1  # the one bar drawn was closed


def test_a_bar_in_a_notebook_is_saved_finished_not_at_zero(tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("COCFRAMES_CACHE", str(tmp_path / "cache"))
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import cocframes as cf\n"
        "client = cf.Client(demo=True, cache=True, progress=True)\n"
        f"units = cf.units(clan={DEMO_CLAN_TAG!r}, client=client)\n"
        "len(units)"),
        nbformat.v4.new_code_cell(  # from the cache: nothing to show
            f"len(cf.units(clan={DEMO_CLAN_TAG!r}, client=client))"),
        nbformat.v4.new_code_cell(  # no widget of the bar left to save with the notebook
            "import warnings, ipywidgets\n"
            "with warnings.catch_warnings():\n"
            "    warnings.simplefilter('ignore', DeprecationWarning)\n"
            "    live = len(ipywidgets.Widget.widgets)\n"
            "live")]
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    first, second, widgets = (cell.outputs for cell in nb.cells)
    assert not [o for o in first + second if o.output_type == "error"]
    saved = nbformat.writes(nb)
    assert not ZERO.search(saved), "a bar saved at 0%"
    bars = [o for o in first if o.output_type == "display_data"]
    assert len(bars) == 1
    assert "units: 100%" in bars[0].data["text/plain"]
    assert [o.output_type for o in second] == ["execute_result"]
    assert [o.data["text/plain"] for o in widgets] == ["0"]

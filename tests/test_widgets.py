"""cocframes.widgets (and the views behind them), driven headless on the demo world."""

from __future__ import annotations

import re
import threading

import ipywidgets as w
import matplotlib
import pandas as pd
import pytest

import cocframes as cf
from cocframes import views, widgets
from cocframes.demo import DemoServer
from cocframes.tracking import HISTORY_ENV_VAR, HistoryStore, simulate

matplotlib.use("Agg")

CLAN = "#992JPJY20"
PRIVATE = "#992VP9YY9"
UNKNOWN = "#8Y92LQ0U8"
NOT_IN_WAR = "#99889JYRL"
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module", autouse=True)
def _no_default_history(tmp_path_factory):
    """The default history file is an empty folder's: the user's own is never read."""
    with pytest.MonkeyPatch.context() as patch:
        folder = tmp_path_factory.mktemp("default-history")
        patch.setenv(HISTORY_ENV_VAR, str(folder))
        yield folder


@pytest.fixture(scope="module")
def client() -> cf.Client:
    return cf.Client(demo=True, cache=False, progress=False)


@pytest.fixture(scope="module")
def explorer(client) -> widgets.ClanExplorer:
    """The demo clan's explorer, loaded once (prefilled: no tag given)."""
    explorer = widgets.clan_explorer(client=client)
    explorer.wait()
    return explorer


@pytest.fixture
def fresh_default_client():
    """Let a test change the default client; restore 'none yet' afterwards."""
    cf.set_client(None)
    yield
    cf.set_client(None)


def table_rows(html: str) -> int:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return len(re.findall(r"<tr\b", body))


def tables(box: w.Box) -> list[str]:
    return [c.value for c in walk(box) if isinstance(c, w.HTML) and "<table" in c.value]


def images(box: w.Box) -> list[w.Image]:
    return [c for c in walk(box) if isinstance(c, w.Image)]


def message(box: w.Box) -> str:
    first = box.children[0]
    assert isinstance(first, w.HTML)
    return first.value


def assert_png(image: w.Image) -> None:
    assert image.format == "png"
    assert bytes(image.value).startswith(PNG)
    assert len(image.value) > 2000  # a real picture, not an empty canvas


def walk(widget: w.Widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def no_traceback(widget: w.Widget) -> None:
    for part in walk(widget):
        value = getattr(part, "value", "")
        if isinstance(value, str):
            assert "Traceback" not in value


# --------------------------------------------------------------------------- clan explorer
def test_explorer_is_prefilled_with_the_demo_clan_and_shows_its_name(explorer):
    assert isinstance(explorer, w.VBox)
    assert explorer.tag.value == CLAN
    assert "Demo Dragons" in explorer.header.value
    assert "45 members" in explorer.header.value
    assert explorer.error == ""
    assert "Loaded Demo Dragons" in explorer.status.value
    assert explorer.tabs.titles == ("Members", "War", "Troops", "Raids")


def test_members_tab_has_one_table_row_per_member_and_plots(explorer, client):
    members = cf.members(CLAN, client=client)
    box = explorer.tab("Members")
    [table] = tables(box)
    assert table_rows(table) == len(members)
    assert "luckyvalkyrie" in table and "donations_received" in table
    pictures = images(box)
    assert [p.caption for p in pictures] == ["Donations", "Trophies by town hall"]
    for picture in pictures:
        assert_png(picture)


def test_war_tab_shows_the_war_map_stars_cwl_and_attacks(explorer, client):
    attacks = cf.war_attacks(CLAN, client=client)
    box = explorer.select("War")
    assert "inWar" in message(box) and "★" in message(box)
    assert [p.caption for p in images(box)] == ["War map", "War stars", "CWL stars by round"]
    for picture in images(box):
        assert_png(picture)
    [table] = tables(box)
    assert table_rows(table) == len(attacks)


def test_troops_tab_heatmap_and_kind_switch_without_refetching(explorer, client):
    box = explorer.select("Troops")
    [before] = images(box)
    assert_png(before)
    assert before.caption == "Heroes levels"
    [table] = tables(box)
    assert table_rows(table) == 45
    requests = client.stats().requests
    explorer.kind.value = "pet"
    [after] = images(explorer.tab("Troops"))
    assert after.caption == "Pets levels"
    assert bytes(after.value) != bytes(before.value)
    assert client.stats().requests == requests  # redrawn from the frame already fetched
    explorer.kind.value = "hero"


def test_raids_tab_shows_capital_loot(explorer, client):
    box = explorer.select("Raids")
    [picture] = images(box)
    assert picture.caption == "Capital loot"
    assert_png(picture)
    [table] = tables(box)
    assert table_rows(table) == len(cf.raids(CLAN, client=client).seasons)


def test_private_war_log_is_a_message_in_the_war_tab(client):
    explorer = widgets.clan_explorer(PRIVATE, client=client)
    explorer.wait()
    assert explorer.error == ""  # the clan itself loaded
    assert "Silent Shadows" in explorer.header.value
    war = explorer.select("War")
    assert "cocframes-error" in message(war)
    assert "private" in message(war)
    assert not images(war) and not tables(war)
    assert "War" in explorer.status.value
    [members] = tables(explorer.tab("Members"))
    assert table_rows(members) == 40
    no_traceback(explorer)


def test_unknown_and_bad_tags_are_messages_not_tracebacks(client):
    explorer = widgets.clan_explorer(NOT_IN_WAR, client=client)
    assert "not in a war" in message(explorer.select("War"))
    assert "cocframes-error" not in message(explorer.tab("War"))

    explorer.tag.value = UNKNOWN  # entering a new tag loads it
    explorer.wait()
    assert "Nothing found" in explorer.error and UNKNOWN in explorer.error
    assert explorer.header.value == ""
    assert explorer.tabs.children == ()  # nothing left of the previous clan

    explorer.tag.value = "not a tag!"
    explorer.wait()
    assert "tag" in explorer.error.lower()
    no_traceback(explorer)

    explorer.tag.value = CLAN
    explorer.load_button.click()
    explorer.wait()
    assert explorer.error == ""
    assert "Demo Dragons" in explorer.header.value
    assert not explorer.load_button.disabled


def test_lower_case_tag_without_hash_is_normalised(client):
    explorer = widgets.clan_explorer("992jpjy20", client=client)
    explorer.wait()
    assert explorer.error == ""
    assert CLAN in explorer.header.value


def test_maintenance_is_a_message():
    with DemoServer(maintenance=True) as server:
        client = cf.Client(token="demo", base_url=server.base_url, cache=False,
                           progress=False, max_retries=0, max_retry_time=1)
        explorer = widgets.clan_explorer(CLAN, client=client)
        explorer.wait()
        viewer = widgets.war_viewer(CLAN, client=client)
    assert "maintenance" in explorer.error
    assert "maintenance" in viewer.error
    no_traceback(explorer)


def test_explorer_uses_the_default_client(fresh_default_client):
    cf.use_demo(cache=False, progress=False)
    explorer = widgets.clan_explorer()
    explorer.wait()
    assert explorer.tag.value == CLAN
    assert "Demo Dragons" in explorer.header.value


def test_without_any_client_set_up_the_error_says_so(fresh_default_client, monkeypatch):
    for name in ("COC_API_TOKEN", "COC_EMAIL", "COC_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    explorer = widgets.clan_explorer()
    assert explorer.tag.value == ""  # no demo: nothing to prefill, nothing loaded
    assert explorer.error == ""
    explorer.tag.value = CLAN
    explorer.wait()
    assert "not set up" in explorer.error and "token" in explorer.error


# --------------------------------------------------------------------------- lazy loading
def recording(monkeypatch, *names):
    """Record the clan passed to each of the views ``names`` (still calling them)."""
    calls = []
    for name in names:
        real = getattr(views, name)
        monkeypatch.setattr(views, name, lambda *a, _name=name, _real=real, **k:
                            calls.append((_name, a[0])) or _real(*a, **k))
    return calls


def blocked(monkeypatch, name):
    """Make the view ``name`` wait until the returned event is set (at most 60 s)."""
    release = threading.Event()
    real = getattr(views, name)

    def wait_then_run(*args, **kwargs):
        release.wait(60)
        return real(*args, **kwargs)

    monkeypatch.setattr(views, name, wait_then_run)
    return release


def test_tabs_other_than_members_load_when_first_selected(client, monkeypatch):
    calls = recording(monkeypatch, "war_panel", "troops_panel", "raids_panel")
    explorer = widgets.clan_explorer(client=client)
    assert calls == []
    explorer.wait()
    assert calls == []  # the members only
    assert table_rows(tables(explorer.tab("Members"))[0]) == 45
    assert "when this tab is opened" in message(explorer.tab("War"))
    war = explorer.select("War")
    assert calls == [("war_panel", CLAN)]
    assert "inWar" in message(war) and images(war)
    explorer.select("Members")
    explorer.select("War")
    explorer.select("Raids")
    assert calls == [("war_panel", CLAN), ("raids_panel", CLAN)]  # each read once
    assert explorer.error == ""


def test_loading_returns_at_once_and_shows_progress_in_the_widget(client, monkeypatch):
    release = blocked(monkeypatch, "clan_summary")
    made = []
    maker = threading.Thread(target=lambda: made.append(widgets.clan_explorer(client=client)),
                             daemon=True)
    maker.start()
    maker.join(30)
    try:
        assert made, "clan_explorer() did not return while the clan was loading"
        [explorer] = made
        assert "Loading" in explorer.status.value and explorer.load_button.disabled
    finally:
        release.set()
    explorer.wait()
    assert "Demo Dragons" in explorer.header.value and not explorer.load_button.disabled

    release = blocked(monkeypatch, "war_panel")
    try:
        explorer.tabs.selected_index = 1
        assert "Loading the war" in message(explorer.tab("War"))
        assert "cocframes-loading" in message(explorer.tab("War"))
    finally:
        release.set()
    explorer.wait()
    assert "inWar" in message(explorer.tab("War"))


def test_a_clan_loaded_later_wins_over_a_slower_earlier_load(client, monkeypatch):
    explorer = widgets.clan_explorer(PRIVATE, client=client)
    explorer.wait()
    release, other_done = threading.Event(), threading.Event()
    real = views.troops_panel

    def troops_panel(clan, **kwargs):
        if clan == PRIVATE:  # the first clan's troops come back last
            release.wait(60)
            return real(clan, **kwargs)
        try:
            return real(clan, **kwargs)
        finally:
            other_done.set()

    monkeypatch.setattr(views, "troops_panel", troops_panel)
    explorer.tabs.selected_index = 2  # Troops
    explorer.tag.value = CLAN  # while the private clan's troops are still loading
    try:
        assert other_done.wait(120)
    finally:
        release.set()
    explorer.wait()
    assert "Demo Dragons" in explorer.header.value
    assert explorer.panels["Troops"].frames["units"]["player_tag"].nunique() == 45
    assert table_rows(tables(explorer.tab("Troops"))[0]) == 45  # not the private clan's 40


# --------------------------------------------------------------------------- player comparison
def test_player_comparison_table_heatmap_and_failures(client):
    tags = list(cf.members(CLAN, client=client)["tag"][:3])
    widget = widgets.player_comparison([*tags, UNKNOWN], client=client)
    assert widget.error == ""
    assert "Loaded 3 players" in widget.status.value
    [box] = widget.body.children
    assert UNKNOWN in message(box) and "notFound" in message(box)
    players_table, progress_table = tables(box)
    assert table_rows(players_table) == 3
    assert all(tag in players_table for tag in tags)
    assert table_rows(progress_table) == 3
    [picture] = images(box)
    assert_png(picture)
    widget.kind.value = "hero_equipment"
    [box] = widget.body.children
    assert images(box)[0].caption == "Hero equipment levels"
    assert table_rows(tables(box)[0]) == 3


def test_player_comparison_errors(client):
    widget = widgets.player_comparison(client=client)
    assert widget.body.children == ()  # nothing asked yet
    widget.tag.value = UNKNOWN
    assert "Nothing found" in widget.error
    widget.tag.value = "#2PP, !!"
    assert "tag" in widget.error.lower()
    no_traceback(widget)


# --------------------------------------------------------------------------- war viewer
def test_war_viewer_shows_the_current_war(client):
    viewer = widgets.war_viewer(client=client)
    assert viewer.tag.value == CLAN
    assert "inWar" in viewer.header.value and CLAN in viewer.header.value
    [box] = viewer.body.children
    assert [p.caption for p in images(box)] == ["War map", "War stars"]
    [table] = tables(box)
    assert table_rows(table) == len(cf.war_attacks(CLAN, client=client))


def test_war_viewer_private_log_and_not_in_war(client):
    viewer = widgets.war_viewer(PRIVATE, client=client)
    assert "private" in viewer.error
    assert viewer.body.children == ()
    viewer.tag.value = NOT_IN_WAR
    assert viewer.error == ""
    assert "not in a war" in viewer.status.value
    no_traceback(viewer)


# --------------------------------------------------------------------------- views
def test_views_return_frames_and_figures_without_widgets(client):
    summary = views.clan_summary("#992jpjy20", client=client)
    assert (summary.tag, summary.name) == (CLAN, "Demo Dragons")
    panel = views.members_panel(summary)
    assert isinstance(panel.frames["members"], pd.DataFrame)
    assert set(panel.figures) == {"Donations", "Trophies by town hall"}
    assert views.png(panel.figures["Donations"]).startswith(PNG)
    war = views.war_panel(CLAN, client=client)
    assert not war.error and "war_attacks" in war.frames
    assert views.war_panel(PRIVATE, client=client).error


@pytest.mark.parametrize(("exc", "words"), [
    (cf.PrivateWarLogError(403, "accessDenied"), "private"),
    (cf.NotFoundError(404, "notFound"), "Nothing found"),
    (cf.MaintenanceError(503, "inMaintenance"), "maintenance"),
    (cf.ThrottledError(429, "requestThrottled"), "too many requests"),
    (ValueError("invalid tag '#X'"), "Invalid tag"),
    (KeyError("boom"), "Unexpected error"),
])
def test_error_messages_are_one_line(exc, words):
    text = views.error_message(exc, "#2PP")
    assert words in text
    assert "\n" not in text


# --------------------------------------------------------------------------- history tab
@pytest.fixture(scope="module")
def tracked(tmp_path_factory) -> HistoryStore:
    """A history file that followed the demo clan for half a day."""
    store = HistoryStore(tmp_path_factory.mktemp("history"))
    sim = simulate(days=0.5, history=store)
    assert sim.world.clan_tag == CLAN
    return store


def test_without_a_history_file_there_is_no_history_tab_and_none_is_made(
        explorer, _no_default_history):
    assert "History" not in explorer.tabs.titles
    assert list(_no_default_history.iterdir()) == []


def test_history_tab_is_read_only_when_first_selected(client, tracked, monkeypatch):
    calls = []
    real = views.history_panel
    monkeypatch.setattr(views, "history_panel",
                        lambda *a, **k: calls.append(a) or real(*a, **k))
    explorer = widgets.clan_explorer(client=client, history=tracked.path)
    explorer.wait()
    assert explorer.tabs.titles == ("Members", "War", "Troops", "Raids", "History")
    assert calls == [] and tables(explorer.tab("History")) == []
    assert "when this tab is opened" in message(explorer.tab("History"))
    box = explorer.select("History")
    season = cf.season(CLAN, history=tracked)
    [table] = tables(box)
    assert table_rows(table) == len(season) > 0
    assert "donations" in table and "days_in_clan" in table
    [picture] = images(box)
    assert picture.caption == "Donations over time"
    assert_png(picture)
    explorer.select("Members")
    explorer.select("History")
    assert len(calls) == 1  # read once
    assert explorer.error == ""
    no_traceback(explorer)


def test_history_tab_from_the_default_history_file(client, tracked, monkeypatch):
    monkeypatch.setenv(HISTORY_ENV_VAR, str(tracked.path))
    explorer = widgets.clan_explorer(client=client)
    explorer.wait()
    assert "History" in explorer.tabs.titles
    explorer.tag.value = NOT_IN_WAR  # a clan the file does not hold
    explorer.wait()
    assert explorer.error == ""
    assert "History" not in explorer.tabs.titles


def test_history_views_without_widgets(tracked, tmp_path):
    assert views.history_store(CLAN, tracked) is tracked
    assert views.history_store(CLAN, str(tracked.path)) is not None
    assert views.history_store(PRIVATE, tracked) is None
    assert views.history_store(CLAN, tmp_path / "none") is None
    assert not (tmp_path / "none").exists()
    panel = views.history_panel(CLAN, history=tracked)
    assert not panel.error
    assert set(panel.frames) == {"season", "donations"}
    assert views.png(panel.figures["Donations over time"]).startswith(PNG)
    assert views.history_panel(PRIVATE, history=tracked).error


def test_html_table_shows_missing_values_as_blanks():
    df = pd.DataFrame({
        "level": pd.array([1, None], dtype="Int64"),
        "name": pd.Series(["x", None], dtype="string"),
        "role": pd.Series(["leader", None], dtype="category"),
        "joined": pd.to_datetime(["2024-01-01", None], utc=True),
        "ratio": [1.5, float("nan")],
        "warned": pd.array([True, None], dtype="boolean"),
        "note": pd.Series(["a", pd.NA], dtype=object),
        "share": pd.array([0.25, None], dtype="Float64"),
    })
    html = views.html_table(df)
    assert "NA" not in html and "NaN" not in html and "NaT" not in html
    last = html.split("<tr>")[-1]
    assert re.findall(r"<td>(.*?)</td>", last) == [""] * len(df.columns)
    assert "<td>1</td>" in html and "<td>0.25</td>" in html and "<td>1.5</td>" in html

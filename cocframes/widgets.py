"""ipywidgets explorers for notebooks: a clan explorer, a player comparison and a war viewer.

Usage::

    import cocframes as cf
    from cocframes.widgets import clan_explorer

    cf.demo()
    clan_explorer()            # prefilled with the demo clan; type another tag and press Load

The widgets are a thin layer over :mod:`cocframes.views`, which fetches through the frame
functions and draws with :mod:`cocframes.plots`. Tables are ``HTML`` widgets and plots are
``Image`` widgets holding PNG bytes, so everything a widget shows can be read back from its
children, without a kernel or a browser (that is how the tests drive them). Errors a user can
cause (a bad tag, a private war log, a clan not found, the API in maintenance) appear as a
red message in the widget, never as a traceback.

Each explorer is an ``ipywidgets.VBox`` with these attributes: ``tag`` (the text box; a new
value, entered with Enter, loads it), ``load_button`` (loads, or reloads, the tag in the box),
``status`` (an ``HTML`` with the message of the last load), ``error`` (the text of the error
shown, or ``""``) and ``load()``, which does what clicking the button does.

The clan explorer loads in background threads (the cell returns at once, the kernel stays
responsive): the members first, each other tab the first time it is selected, a "Loading..."
line standing in the tab meanwhile. Its ``wait()`` returns once nothing is loading and
``select(title)`` opens a tab and returns its box when loaded, so scripts and tests can read
it deterministically.
"""

from __future__ import annotations

import html
import logging
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from cocframes import plots, views
from cocframes.errors import CocError

if TYPE_CHECKING:
    from cocframes.client import Client

log = logging.getLogger(__name__)

__all__ = ["ClanExplorer", "PlayerComparison", "WarViewer", "clan_explorer",
           "player_comparison", "war_viewer"]

_ERROR_STYLE = "color:#b00020;font-weight:bold"
_NOTE_STYLE = "color:#555555"


# --------------------------------------------------------------------------- building blocks
def _message(text: str, error: bool = False) -> str:
    if not text:
        return ""
    style = _ERROR_STYLE if error else _NOTE_STYLE
    kind = "cocframes-error" if error else "cocframes-note"
    return f'<div class="{kind}" style="{style}">{html.escape(text)}</div>'


def _image(fig: Any, caption: str) -> w.Image:
    # Natural size (no stretching), never wider than the page.
    image = w.Image(value=views.png(fig), format="png",
                    layout=w.Layout(max_width="100%", width="auto", height="auto"))
    image.caption = caption  # a plain attribute, for readers of the widget tree
    return image


def _panel_box(panel: views.Panel) -> w.VBox:
    """One tab: message, then tables (HTML, scrolling when long), then the figures (Image)
    side by side, wrapping on narrow screens."""
    children: list[w.Widget] = [w.HTML(_message(panel.message, panel.error))]
    for caption, df in panel.tables.items():
        children += [w.HTML(f"<b>{html.escape(caption)}</b>"),
                     w.HTML(views.html_table(df),
                            layout=w.Layout(max_height="420px", overflow="auto"))]
    figures = [w.VBox([w.HTML(f"<b>{html.escape(caption)}</b>"), _image(fig, caption)])
               for caption, fig in panel.figures.items()]
    if figures:
        children.append(w.HBox(figures, layout=w.Layout(flex_flow="row wrap",
                                                        align_items="flex-start")))
    return w.VBox(children)


class _Explorer(w.VBox):  # type: ignore[misc]  # ipywidgets has no types
    """A tag box, a Load button, a status line, and a body filled by :meth:`_fill`."""

    placeholder = "#2PP"
    label = "Clan tag"

    def __init__(self, value: str, client: Client | None, extra: Sequence[w.Widget] = ()):
        self.client = client
        self.tag = w.Text(value=value, placeholder=self.placeholder, description=self.label,
                          continuous_update=False)
        self.load_button = w.Button(description="Load", button_style="primary",
                                    icon="download")
        self.status = w.HTML()
        self.header = w.HTML()
        self.body = w.VBox()
        self.load_button.on_click(lambda _button: self.load())
        # continuous_update=False: the value changes on Enter (or leaving the box), not per key
        self.tag.observe(lambda change: self.load() if change["new"].strip() else None,
                         names="value")
        super().__init__([w.HBox([self.tag, *extra, self.load_button]), self.status,
                          self.header, self.body])

    def load(self) -> None:
        """Fetch and show what the tag box names; errors go to :attr:`status`."""
        self.load_button.disabled = True
        self.status.value = _message("Loading…")
        try:
            self._fill(self.tag.value.strip())
        except Exception as exc:  # never a traceback in the widget
            if not isinstance(exc, (CocError, ValueError, TypeError)):
                log.exception("loading %r failed", self.tag.value)
            self._clear()
            self.status.value = _message(views.error_message(exc, self.tag.value.strip()),
                                         error=True)
        finally:
            self.load_button.disabled = False

    def _fill(self, value: str) -> None:
        raise NotImplementedError

    def _clear(self) -> None:
        """Forget what the last successful load showed (after a failed load)."""
        self.header.value = ""
        self.body.children = ()

    @property
    def error(self) -> str:
        """The text of the error shown in the status line ('' when none)."""
        value = self.status.value
        if "cocframes-error" not in value:
            return ""
        return html.unescape(value.split(">", 1)[1].rsplit("</div>", 1)[0])


# --------------------------------------------------------------------------- clan explorer
#: How long :meth:`ClanExplorer.wait` waits by default, in seconds.
WAIT_TIMEOUT = 300.0
#: What each tab of the clan explorer says while it loads.
_LOADING = {"War": "Loading the war…", "Troops": "Loading every member's troops…",
            "Raids": "Loading the raid weekends…", "History": "Reading the clan's history…"}


def _loading(title: str) -> w.HTML:
    return w.HTML(f'<div class="cocframes-loading" style="{_NOTE_STYLE}">'
                  f"{html.escape(_LOADING.get(title, 'Loading…'))}</div>")


class ClanExplorer(_Explorer):
    """A clan's members, war, troops and raids in four tabs, and a History tab when the
    history file holds the clan (see :func:`clan_explorer`).

    Loading runs in background threads, so the cell returns at once and the kernel stays
    responsive: first the clan and its members, then each other tab the first time it is
    selected. A tab being loaded says so; :meth:`wait` returns when nothing is loading."""

    TABS = ("Members", "War", "Troops", "Raids")
    HISTORY = "History"

    def __init__(self, clan: str | None = None, client: Client | None = None, *,
                 history: Any = None) -> None:
        self.kind = w.Dropdown(options=[(plots.KIND_LABELS[k], k)
                                        for k in views.TROOP_KINDS],
                               value="hero", description="Troops tab",
                               layout=w.Layout(width="260px"))
        self.tabs = w.Tab()
        self.panels: dict[str, views.Panel] = {}  # the tabs loaded so far
        self.history = history
        self._titles: tuple[str, ...] = ()
        self._clan = self._name = ""  # the tag and name of the clan shown
        self._store: Any = None  # the history file holding it, if any
        self._loading: set[str] = set()  # tabs being loaded
        self._generation = 0  # one more per load(): older loads' results are dropped
        # reentrant: a change of the tabs made under it calls _open_selected in this thread
        self._lock = threading.RLock()
        self._threads: list[threading.Thread] = []
        super().__init__(clan if clan is not None else views.default_clan(client), client,
                         extra=[self.kind])
        self.body.children = (self.tabs,)
        self.kind.observe(self._redraw_troops, names="value")
        self.tabs.observe(self._open_selected, names="selected_index")
        if self.tag.value:
            self.load()

    # ---------------------------------------------------------------- loading
    def load(self, block: bool = False) -> None:
        """Start loading the clan in the tag box: its members, then the selected tab.

        Args:
            block: wait until it is shown (see :meth:`wait`) before returning.
        """
        with self._lock:
            self._generation += 1
            generation = self._generation
        self.load_button.disabled = True
        self.status.value = _message("Loading…")
        self._start(self._load_clan, self.tag.value.strip(), generation)
        if block:
            self.wait()

    def wait(self, timeout: float = WAIT_TIMEOUT) -> None:
        """Return once no load is running (the clan's and its tabs').

        Raises:
            TimeoutError: if a load still runs after ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        while running := [t for t in self._threads if t.is_alive()]:
            running[0].join(max(0.0, deadline - time.monotonic()))
            if running[0].is_alive():
                raise TimeoutError(f"the clan explorer still loads after {timeout:g} s")
        self._threads = [t for t in self._threads if t.is_alive()]

    def _start(self, job: Any, *args: Any) -> None:
        # daemon: a fetch still running never keeps the interpreter from exiting
        thread = threading.Thread(target=job, args=args, daemon=True,
                                  name=f"cocframes-explorer-{job.__name__}")
        self._threads.append(thread)
        thread.start()

    def _current(self, generation: int) -> bool:
        return generation == self._generation

    def _load_clan(self, value: str, generation: int) -> None:
        """Fetch the clan and show its members (in a background thread)."""
        try:
            summary = views.clan_summary(value, client=self.client)
            panel = views.members_panel(summary)
            members = _panel_box(panel)
            store = views.history_store(summary.tag, self.history)
        except Exception as exc:  # never a traceback in the widget
            if not isinstance(exc, (CocError, ValueError, TypeError)):
                log.exception("loading %r failed", value)
            with self._lock:
                if self._current(generation):
                    self._clear()
                    self.status.value = _message(views.error_message(exc, value), error=True)
                    self.load_button.disabled = False
            return
        with self._lock:
            if not self._current(generation):
                return
            self._show_clan(summary, panel, members, store)
            self.load_button.disabled = False
        self._open_selected()

    def _show_clan(self, summary: views.ClanSummary, panel: views.Panel, members: w.VBox,
                   store: Any) -> None:
        """Show the header and the tabs: Members filled, the others until first opened."""
        self.header.value = (f'<h3 class="cocframes-clan">{html.escape(summary.name)} '
                             f"<small>{html.escape(summary.tag)} · {len(summary.members)} "
                             "members</small></h3>")
        self._clan, self._name, self._store = summary.tag, summary.name, store
        self._titles = self.TABS + ((self.HISTORY,) if store is not None else ())
        self.panels = {"Members": panel}
        self._loading = set()
        waiting = [w.VBox([w.HTML(_message("Loaded when this tab is opened."))])
                   for _title in self._titles[1:]]
        self.tabs.children = [members, *waiting]
        self.tabs.titles = self._titles
        if (self.tabs.selected_index or 0) >= len(self._titles):
            self.tabs.selected_index = 0
        self.body.children = (self.tabs,)
        self._show_status()

    def _show_status(self) -> None:
        problems = [title for title, p in self.panels.items() if p.error]
        self.status.value = _message(
            f"Loaded {self._name} ({self._clan})"
            + (f"; see the {', '.join(problems)} tab(s) for what could not be shown"
               if problems else "") + ".")

    def _open_selected(self, _change: Any = None) -> None:
        """Start loading the selected tab, the first time it is selected."""
        index = self.tabs.selected_index
        with self._lock:
            if index is None or index >= len(self._titles):
                return
            title = self._titles[index]
            if title in self.panels or title in self._loading:
                return
            self._loading.add(title)
            self.tab(title).children = (_loading(title),)
            generation = self._generation
        self._start(self._load_tab, title, self._clan, generation)

    def _load_tab(self, title: str, clan: str, generation: int) -> None:
        """Fetch and draw one tab (in a background thread)."""
        kind = self.kind.value
        try:
            panel = self._panel(title, clan, kind)
            box = _panel_box(panel)
        except Exception as exc:  # a bug, not the user's fault: keep the traceback in logs
            log.exception("loading the %s tab failed", title)
            panel = views.Panel(title, message=views.error_message(exc), error=True)
            box = _panel_box(panel)
        with self._lock:
            if not self._current(generation):
                return
            self.panels[title] = panel
            self._loading.discard(title)
            # fill the tab's own box: replacing the Tab's children would move the selection
            self.tab(title).children = box.children
            self._show_status()
        if title == "Troops" and self.kind.value != kind:  # changed while loading
            self._redraw_troops()

    def _panel(self, title: str, clan: str, kind: str) -> views.Panel:
        """Fetch and draw the tab called ``title`` for ``clan``."""
        if title == "War":
            return views.war_panel(clan, client=self.client)
        if title == "Troops":
            return views.troops_panel(clan, client=self.client, kind=kind)
        if title == "Raids":
            return views.raids_panel(clan, client=self.client)
        return views.history_panel(clan, history=self._store)

    def _clear(self) -> None:
        super()._clear()
        self.panels = {}
        self._titles = ()
        self._loading = set()
        self.tabs.children = ()

    def _redraw_troops(self, _change: Any = None) -> None:
        """Redraw the troops tab for the chosen kind from the frame already fetched."""
        panel = self.panels.get("Troops")
        if panel is None or panel.error or "units" not in panel.frames:
            return
        new = views._units_panel("Troops", panel.frames["units"], self.kind.value)
        self.panels["Troops"] = new
        self.tab("Troops").children = _panel_box(new).children

    # ---------------------------------------------------------------- reading
    def tab(self, title: str) -> w.VBox:
        """The box of the tab called ``title`` (``"Members"``, ``"War"``...)."""
        return self.tabs.children[self._titles.index(title)]

    def select(self, title: str, timeout: float = WAIT_TIMEOUT) -> w.VBox:
        """Select the tab called ``title``, wait until it is loaded and return its box."""
        self.wait(timeout)
        self.tabs.selected_index = self._titles.index(title)
        self.wait(timeout)
        return self.tab(title)


def clan_explorer(clan: str | None = None, client: Client | None = None, *,
                  history: Any = None) -> ClanExplorer:
    """Return a clan explorer: a tag box and tabs for members, war, troops and raids, and
    history when the history file holds the clan.

    Args:
        clan: the clan to show at once; by default the demo clan in demo mode, else empty.
        client: the client to fetch with (default: the default client, see ``cf.demo()``).
        history: the history file (a :class:`~cocframes.tracking.HistoryStore` or a path;
            default ``$COCFRAMES_HISTORY``, else the user data directory). It is only read,
            never created.

    The members tab shows the members table, donations and trophies by town hall; the war
    tab the current war's map, stars and attacks (and the CWL race during CWL); the troops
    tab a members × units heatmap of the kind picked in the dropdown; the raids tab the
    capital loot of the last raid weekend. The history tab shows the current season per
    member (``cf.season``) and the donations of the biggest donors over time
    (``cf.history``).

    It returns at once and loads in the background: the members first, every other tab the
    first time it is selected. ``explorer.wait()`` returns when nothing is loading;
    ``explorer.select("War")`` opens a tab and returns its box once loaded.
    """
    return ClanExplorer(clan, client, history=history)


# --------------------------------------------------------------------------- player comparison
class PlayerComparison(_Explorer):
    """Several players side by side (see :func:`player_comparison`)."""

    placeholder = "#TAG1, #TAG2, ..."
    label = "Players"

    def __init__(self, tags: str | Sequence[str] = (), client: Client | None = None) -> None:
        value = tags if isinstance(tags, str) else ", ".join(tags)
        self.kind = w.Dropdown(options=[(plots.KIND_LABELS[k], k)
                                        for k in views.TROOP_KINDS],
                               value="hero", description="Units", layout=w.Layout(width="240px"))
        super().__init__(value, client, extra=[self.kind])
        self.tag.layout = w.Layout(width="420px")
        self.panel: views.Panel | None = None
        self.kind.observe(self._redraw, names="value")
        if self.tag.value:
            self.load()

    def _fill(self, value: str) -> None:
        panel = views.players_panel(value, client=self.client, kind=self.kind.value)
        if panel.error:
            raise _PanelError(panel.message)
        self.panel = panel
        self.body.children = (_panel_box(panel),)
        self.status.value = _message(f"Loaded {len(panel.frames['players'])} players.")

    def _redraw(self, _change: Any = None) -> None:
        if self.panel is None:
            return
        new = views._units_panel("Players", self.panel.frames["units"], self.kind.value)
        new.frames["players"] = players = self.panel.frames["players"]
        new.tables = {f"{len(players)} players": views._columns(players,
                                                                views.PLAYER_COLUMNS),
                      **new.tables}
        new.message = self.panel.message
        self.panel = new
        self.body.children = (_panel_box(new),)


class _PanelError(CocError):
    """A panel came back as an error: its message is already user-facing."""


def player_comparison(tags: str | Sequence[str] = (),
                      client: Client | None = None) -> PlayerComparison:
    """Return a widget comparing players: their profiles in a table and their units of the
    kind picked in the dropdown as a players × units heatmap.

    Args:
        tags: player tags (a list, or one string separated by commas); shown at once.
        client: the client to fetch with (default: the default client).
    """
    return PlayerComparison(tags, client)


# --------------------------------------------------------------------------- war viewer
class WarViewer(_Explorer):
    """A clan's current war (see :func:`war_viewer`)."""

    def __init__(self, clan: str | None = None, client: Client | None = None) -> None:
        super().__init__(clan if clan is not None else views.default_clan(client), client)
        self.panel: views.Panel | None = None
        if self.tag.value:
            self.load()

    def _fill(self, value: str) -> None:
        panel = views.war_panel(value, client=self.client, cwl=False)
        if panel.error:
            raise _PanelError(panel.message)
        self.panel = panel
        self.header.value = (f'<h3 class="cocframes-war">{html.escape(panel.message)}</h3>'
                             if panel.figures else "")
        self.body.children = (_panel_box(panel),)
        self.status.value = _message("" if panel.figures else panel.message)


def war_viewer(clan: str | None = None, client: Client | None = None) -> WarViewer:
    """Return a widget showing a clan's current war (regular or CWL round): the war map,
    each member's stars and missed attacks, and the attacks table.

    Args:
        clan: the clan; by default the demo clan in demo mode, else empty.
        client: the client to fetch with (default: the default client).
    """
    return WarViewer(clan, client)

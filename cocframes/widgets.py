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
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from cocframes import views
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


class _Explorer(w.VBox):
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
class ClanExplorer(_Explorer):
    """A clan's members, war, troops and raids in four tabs, and a History tab when the
    history file holds the clan (see :func:`clan_explorer`)."""

    TABS = ("Members", "War", "Troops", "Raids")
    HISTORY = "History"

    def __init__(self, clan: str | None = None, client: Client | None = None, *,
                 history: Any = None) -> None:
        self.kind = w.Dropdown(options=[(views.plots.KIND_LABELS[k], k)
                                        for k in views.TROOP_KINDS],
                               value="hero", description="Troops tab",
                               layout=w.Layout(width="260px"))
        super().__init__(clan if clan is not None else views.default_clan(client), client,
                         extra=[self.kind])
        self.tabs = w.Tab()
        self.body.children = (self.tabs,)
        self.panels: dict[str, views.Panel] = {}
        self.history = history
        # (clan tag, store) of a History tab not drawn yet: it is read when first selected
        self._history_due: tuple[str, Any] | None = None
        self.kind.observe(self._redraw_troops, names="value")
        self.tabs.observe(self._open_history, names="selected_index")
        if self.tag.value:
            self.load()

    def _fill(self, value: str) -> None:
        summary = views.clan_summary(value, client=self.client)
        self.header.value = (f'<h3 class="cocframes-clan">{html.escape(summary.name)} '
                             f"<small>{html.escape(summary.tag)} · {len(summary.members)} "
                             "members</small></h3>")
        self.panels = {
            "Members": views.members_panel(summary),
            "War": views.war_panel(summary.tag, client=self.client),
            "Troops": views.troops_panel(summary.tag, client=self.client,
                                         kind=self.kind.value),
            "Raids": views.raids_panel(summary.tag, client=self.client),
        }
        store = views.history_store(summary.tag, self.history)
        self._history_due = None if store is None else (summary.tag, store)
        if store is not None:
            self.panels[self.HISTORY] = views.Panel(
                self.HISTORY, message="The clan's history is read when this tab is opened.")
        self.tabs.children = [_panel_box(p) for p in self.panels.values()]
        self.tabs.titles = tuple(self.panels)
        if (self.tabs.selected_index or 0) >= len(self.tabs.children):
            self.tabs.selected_index = 0
        self.body.children = (self.tabs,)
        self._open_history()
        problems = [name for name, p in self.panels.items() if p.error]
        self.status.value = _message(
            f"Loaded {summary.name} ({summary.tag})"
            + (f"; see the {', '.join(problems)} tab(s) for what could not be shown"
               if problems else "") + ".")

    def _clear(self) -> None:
        super()._clear()
        self.panels = {}
        self._history_due = None
        self.tabs.children = ()

    def _open_history(self, _change: Any = None) -> None:
        """Read the history into the History tab, the first time that tab is selected (the
        explorer opens without reading it)."""
        titles = list(self.panels)
        if (self._history_due is None or self.HISTORY not in titles
                or self.tabs.selected_index != titles.index(self.HISTORY)):
            return
        tag, store = self._history_due
        self._history_due = None
        panel = views.history_panel(tag, history=store)
        self.panels[self.HISTORY] = panel
        # fill the tab's own box: replacing the Tab's children would move the selection
        self.tab(self.HISTORY).children = _panel_box(panel).children

    def _redraw_troops(self, _change: Any = None) -> None:
        """Redraw the troops tab for the chosen kind from the frame already fetched."""
        panel = self.panels.get("Troops")
        if panel is None or panel.error or "units" not in panel.frames:
            return
        index = list(self.panels).index("Troops")
        new = views._units_panel("Troops", panel.frames["units"], self.kind.value)
        self.panels["Troops"] = new
        children = list(self.tabs.children)
        children[index] = _panel_box(new)
        self.tabs.children = children

    def tab(self, title: str) -> w.VBox:
        """The box of the tab called ``title`` (``"Members"``, ``"War"``...)."""
        return self.tabs.children[list(self.panels).index(title)]


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
    capital loot of the last raid weekend. The history tab, read the first time it is
    selected, shows the current season per member (``cf.season``) and the donations of the
    biggest donors over time (``cf.history``).
    """
    return ClanExplorer(clan, client, history=history)


# --------------------------------------------------------------------------- player comparison
class PlayerComparison(_Explorer):
    """Several players side by side (see :func:`player_comparison`)."""

    placeholder = "#TAG1, #TAG2, ..."
    label = "Players"

    def __init__(self, tags: str | Sequence[str] = (), client: Client | None = None) -> None:
        value = tags if isinstance(tags, str) else ", ".join(tags)
        self.kind = w.Dropdown(options=[(views.plots.KIND_LABELS[k], k)
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

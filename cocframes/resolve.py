"""Name → id resolution for the things users think of by name: locations, leagues, labels.

Lists are fetched through the client (so they are cached like any other answer) once per
client and kept in memory. An unknown name raises :class:`LookupError` listing the closest
valid names.
"""

from __future__ import annotations

import difflib
import threading
from typing import TYPE_CHECKING, Any

from cocframes.kinds import label_kind, league_kind

if TYPE_CHECKING:
    from cocframes.client import Client

_GLOBAL_NAMES = {"global", "world", "worldwide"}


_LOCATION_FORMS = ("a location id (int, e.g. 32000087), a name ('France'), a country code "
                   "('FR') or 'global'")


def _is_id(value: Any) -> bool:
    return isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit())


def _check_location(location: Any) -> None:
    """Raise ``TypeError`` unless ``location`` is an int (not a bool) or a string, and
    ``ValueError`` for a blank string; the message says what a location may be."""
    if isinstance(location, bool) or not isinstance(location, (int, str)):
        raise TypeError(f"location must be {_LOCATION_FORMS}; got {location!r} "
                        f"({type(location).__name__})")
    if isinstance(location, str) and not location.strip():
        raise ValueError(f"location is empty; give {_LOCATION_FORMS}")


def _closest_error(what: str, name: str, names: list[str]) -> LookupError:
    close = difflib.get_close_matches(name, names, n=5, cutoff=0.5)
    if not close:
        lowered = name.casefold()
        close = [n for n in names if lowered in n.casefold()][:5]
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return LookupError(f"unknown {what} {name!r}{hint}")


class Resolver:
    """Resolves names to ids for one client (see :meth:`location`, :meth:`league`,
    :meth:`label`)."""

    def __init__(self, client: Client) -> None:
        self._client = client
        self._lists: dict[str, list[dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def _items(self, operation: str) -> list[dict[str, Any]]:
        with self._lock:
            if operation not in self._lists:
                self._lists[operation] = list(self._client.paginate(operation))
            return self._lists[operation]

    def location(self, location: int | str) -> int | str:
        """Return the location id for an id, a name (``"France"``), a country code
        (``"fr"``) or ``"global"`` (returned as ``"global"``, which the API accepts).

        Raises:
            TypeError: if ``location`` is neither an int nor a string (``None``, a bool ...).
            ValueError: if it is a blank string.
            LookupError: if no location has that name or code (with the closest names).
        """
        _check_location(location)
        if _is_id(location):
            return int(location)
        text = str(location).strip()
        if text.casefold() in _GLOBAL_NAMES:
            return "global"
        items = self._items("getLocations")
        for item in items:
            code = item.get("countryCode") or ""
            if text.casefold() in (str(item.get("name", "")).casefold(), code.casefold()):
                return int(item["id"])
        names = [str(i.get("name")) for i in items] + [
            str(i["countryCode"]) for i in items if i.get("countryCode")]
        raise _closest_error("location", text, names)

    def league(self, league: int | str, kind: str = "leagues") -> int:
        """Return the id of a league of ``kind`` by id or name; ``kind`` is any spelling
        :func:`cocframes.kinds.league_kind` accepts (``"leagues"``, ``"leaguetiers"``,
        ``"war_leagues"``, ``"capital"`` ...)."""
        table = league_kind(kind)
        if _is_id(league):
            return int(league)
        return self._by_name(table.operation, str(league), table.noun)

    def label(self, label: int | str, kind: str = "clans") -> int:
        """Return the id of a clan or player label by id or name (``kind``: ``"clans"``,
        ``"players"`` or another spelling :func:`cocframes.kinds.label_kind` accepts)."""
        table = label_kind(kind)
        if _is_id(label):
            return int(label)
        return self._by_name(table.operation, str(label), table.noun)

    def _by_name(self, operation: str, name: str, what: str) -> int:
        items = self._items(operation)
        wanted = name.strip().casefold()
        for item in items:
            if str(item.get("name", "")).casefold() == wanted:
                return int(item["id"])
        raise _closest_error(what, name, [str(i.get("name")) for i in items])

"""One pass of the tracker: fetch what is due, compare it with the history, store both.

The schedule (what is due when) respects the API:

- a watched clan at its ``max-age`` (60 s): every change of its member list is seen at the
  next clan poll;
- a member's profile when their entry in the member list changed (or they joined), and
  otherwise every ``player_interval`` (default 1 h) for the changes the list cannot show;
  watched players outside the clans every ``player_interval``;
- the current war at its ``max-age``, and CWL: the league group at its ``max-age`` while the
  clan is in one, each of the clan's CWL wars at its ``max-age`` until it is seen ended;
- the gold pass season every 6 h and at its end; raid seasons hourly during raid weekends;
- the battle logs of players in legend league every 6 h (a legend day is 24 h; a log holds
  fewer battles than two days).

The first pass of a clan is its baseline: the wars it is in are stored, their attacks so far
are not reported as changes (nothing is known of when they happened).

A pass first fetches everything due (an interrupt there writes nothing), then writes all of
it in one transaction: snapshots, the events found by :mod:`.diff`, wars, battles.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from cocframes.client import Client
from cocframes.errors import CocError, MaintenanceError, NotFoundError
from cocframes.tags import UNDRAWN_WAR_TAG, normalize_tag

from . import diff
from .kinds import Change
from .parts import encode, split_values
from .store import (
    BattleRow,
    Detected,
    HistoryStore,
    Observation,
    PassRecord,
    Seen,
    WarRow,
    digest,
)
from .times import api_time, in_raid_weekend, seconds, utc

PLAYER_INTERVAL = 3600.0
SEASON_INTERVAL = 6 * 3600.0
LEGEND_INTERVAL = 6 * 3600.0
RAID_INTERVAL, RAID_QUIET_INTERVAL = 3600.0, 12 * 3600.0
NO_CWL_INTERVAL = 3 * 3600.0  # while a clan is not in a CWL group (the API answers 404)
LEGEND_TROPHIES = 5000
# The API's usual max-age of each polled subject, for an answer that came without one.
_DEFAULT_MAX_AGE = {"clan": 60.0, "current_war": 120.0, "cwl_war": 120.0,
                    "league_group": 600.0}


@dataclass
class PassResult:
    """What one pass did.

    Attributes:
        events: the changes found, with their time bounds, in the order found.
        requests: requests sent. received: JSON bytes received.
        errors: polls that failed (reported as ``poll_error`` events).
        pass_id: the pass's id in the history file.
        next_due: when something is due next (UNIX seconds of the tracker's clock).
    """

    events: list[Detected] = field(default_factory=list)
    requests: int = 0
    received: int = 0
    errors: int = 0
    pass_id: int | None = None
    next_due: float = 0.0


class Tracker:
    """Follows clans and players, storing what it sees in a :class:`HistoryStore`.

    Args:
        client: the client that fetches (its throttle, keys and cache apply).
        store: the history file.
        clans: clan tags to watch (their members' profiles are watched too).
        players: other player tags to watch.
        wars: watch the clans' regular and CWL wars.
        raids: watch the clans' capital raid seasons.
        legends: fetch the battle logs of watched players in legend league.
        player_interval: seconds between two fetches of an unchanged member's profile.
        clock: the current time; default ``client.clock`` (the demo world's clock for an
            in-process demo client, else the wall clock).
    """

    def __init__(self, client: Client, store: HistoryStore, *, clans: Iterable[str] = (),
                 players: Iterable[str] = (), wars: bool = True, raids: bool = True,
                 legends: bool = True, player_interval: float = PLAYER_INTERVAL,
                 clock: Callable[[], Any] | None = None) -> None:
        self.client = client
        self.store = store
        self.clans = tuple(dict.fromkeys(normalize_tag(t) for t in clans))
        self.players = tuple(dict.fromkeys(normalize_tag(t) for t in players))
        if not self.clans and not self.players:
            raise ValueError("nothing to track: give at least one clan or player tag")
        if player_interval <= 0:
            raise ValueError(f"player_interval must be positive, got {player_interval!r}")
        self.wars, self.raids, self.legends = wars, raids, legends
        self.player_interval = float(player_interval)
        self._clock = clock or client.clock
        self._latest: dict[tuple[str, str], Seen | None] = {}
        self.other_cwl_wars: set[str] = set()  # CWL war tags of other clans' wars (not kept)
        self.maintenance_since: str | None = store.meta("maintenance_since")
        self.member_lists: dict[str, tuple[int, tuple[str, ...]]] = {}  # clan -> (version, tags)
        self.legends_by_version: dict[str, tuple[int, bool]] = {}  # tag -> (version, in legends)

    def now(self) -> float:
        """The tracker's clock, in UNIX seconds."""
        return seconds(self._clock())

    # ----------------------------------------------------------------- the pass
    def run_pass(self) -> PassResult:
        """Fetch what is due, store it with the changes found, and return what was done.

        Errors of single polls become ``poll_error`` events (the subject stays due); the API
        going into maintenance ends the pass early with a ``maintenance_start`` event, and the
        first pass after it reports ``maintenance_end``.
        """
        work = _Pass(self, self.now())
        work.run()
        return work.finish()

    def next_due(self) -> float:
        """When the next poll is due (UNIX seconds); now or earlier means a pass has work."""
        work = _Pass(self, self.now())
        return work.next_due()

    # ----------------------------------------------------------------- state
    def seen(self, subject: str, key: str) -> Seen | None:
        """The latest stored state of a subject (kept in memory after the first read; a
        subject the file does not hold is remembered as such too: this tracker is the one
        writing it)."""
        if (subject, key) in self._latest:
            return self._latest[(subject, key)]
        found = self._latest[(subject, key)] = self.store.seen(subject, key)
        return found

    def remember(self, subject: str, key: str, state: Seen) -> None:
        """Keep ``state`` as the latest of a subject once its pass is stored."""
        self._latest[(subject, key)] = state


class _Pass:
    """The work of one pass: polls, then one write."""

    def __init__(self, tracker: Tracker, now: float) -> None:
        self.t = tracker
        self.now = now
        self.record = PassRecord(started=now, finished=now)
        self.result = PassResult()
        self.pending: dict[tuple[str, str], Seen] = {}
        self.maintenance = tracker.maintenance_since
        self.answered = 0  # requests the API answered (ends a maintenance)
        # clans never stored: this pass is their baseline (their wars give no events)
        self.baseline = {clan for clan in tracker.clans if tracker.seen("clan", clan) is None}

    # ----------------------------------------------------------------- scheduling
    def latest(self, subject: str, key: str) -> Seen | None:
        """The subject as this pass left it, else as the file holds it (``None``: never)."""
        return self.pending.get((subject, key)) or self.t.seen(subject, key)

    def due_at(self, subject: str, key: str, interval: float | None = None) -> float:
        """When ``subject``/``key`` is next due: never seen -> now."""
        state = self.t.seen(subject, key)
        if state is None:
            return self.now
        wait = interval if interval is not None else (
            state.max_age or _DEFAULT_MAX_AGE.get(subject, 600.0))
        return state.last_seen + wait

    def is_due(self, subject: str, key: str, interval: float | None = None) -> bool:
        return self.due_at(subject, key, interval) <= self.now

    def next_due(self) -> float:
        """The earliest due time over the clans, players and (rough) the other subjects."""
        times = [self.due_at("clan", tag) for tag in self.t.clans]
        times += [self.due_at("player", tag, self.t.player_interval)
                  for tag in self.watched_players()]
        if self.t.wars:
            times += [self.due_at("current_war", tag) for tag in self.t.clans]
        return min(times) if times else self.now + 60.0

    def members_of(self, clan: str) -> tuple[str, ...]:
        """The tags in the latest member list of ``clan`` (worked out once per version)."""
        state = self.latest("clan", clan)
        if state is None:
            return ()
        known = self.t.member_lists.get(clan)
        if known is None or known[0] != state.version:
            tags = tuple(m["tag"] for m in state.payload.get("memberList") or ()
                         if isinstance(m, dict) and m.get("tag"))
            known = self.t.member_lists[clan] = (state.version, tags)
        return known[1]

    def in_legends(self, tag: str) -> bool:
        """Whether the latest profile of ``tag`` is in legend league (once per version)."""
        profile = self.latest("player", tag)
        if profile is None:
            return False
        known = self.t.legends_by_version.get(tag)
        if known is None or known[0] != profile.version:
            known = self.t.legends_by_version[tag] = (profile.version,
                                                      _in_legend_league(profile.payload))
        return known[1]

    def watched_players(self) -> list[str]:
        tags = list(self.t.players)
        for clan in self.t.clans:
            tags += self.members_of(clan)
        return list(dict.fromkeys(tags))

    def members_of_watched_clans(self) -> set[str]:
        out: set[str] = set()
        for clan in self.t.clans:
            out.update(self.members_of(clan))
        return out

    # ----------------------------------------------------------------- running
    def run(self) -> None:
        try:
            self.poll_season()
            changed_members: set[str] = set()
            for clan in self.t.clans:
                changed_members |= self.poll_clan(clan)
            self.poll_players(changed_members)
            if self.t.wars:
                for clan in self.t.clans:
                    self.poll_war(clan)
                    self.poll_cwl(clan)
            if self.t.raids:
                for clan in self.t.clans:
                    self.poll_raids(clan)
            if self.t.legends:
                self.poll_battle_logs()
        except MaintenanceError:
            if self.maintenance is None:
                self.event(Change("maintenance_start"), None)
                self.record.meta["maintenance_since"] = str(self.now)
            return
        if self.maintenance is not None and self.answered:
            self.event(Change("maintenance_end"), float(self.maintenance))
            self.record.meta["maintenance_since"] = None

    def finish(self) -> PassResult:
        self.record.finished = self.t.now()
        self.record.requests = self.result.requests
        self.record.received = self.result.received
        self.record.errors = self.result.errors
        self.result.pass_id = self.t.store.record(self.record)
        if "maintenance_since" in self.record.meta:
            self.t.maintenance_since = self.record.meta["maintenance_since"]
        for key, state in self.pending.items():
            self.t.remember(*key, state)
        self.result.next_due = self.next_due()
        return self.result

    # ----------------------------------------------------------------- helpers
    def fetch(self, operation: str, **args: Any) -> Any:
        """One request (never answered from the cache: the schedule decided it is due).

        Returns the :class:`~cocframes.client.Fetched`; raises what the client raises.
        """
        self.result.requests += 1
        fetched = self.t.client.call(operation, refresh=True, **args)
        self.answered += 1
        self.result.received += fetched.size or 0
        return fetched

    def poll_error(self, what: str, error: Exception) -> None:
        self.result.errors += 1
        self.event(Change("poll_error", field=what,
                          new=f"{type(error).__name__}: {error}"), None)

    def event(self, change: Change, time_from: float | None) -> None:
        detected = Detected(change, time_from, self.now)
        self.record.events.append(detected)
        self.result.events.append(detected)

    def observe(self, subject: str, key: str, payload: dict[str, Any],
                max_age: float | None, body_hash: bytes | None = None) -> Seen | None:
        """Add one observation to the pass and return the previous state (``None`` if this
        is the first time the subject is seen). ``body_hash``: the answer body's hash, which
        tells an unchanged answer without comparing payloads."""
        before = self.latest(subject, key)
        if before is not None and body_hash is not None and before.body_hash == body_hash:
            changed = False
        else:
            changed = before is None or before.payload != payload
        version = (before.version if before is not None else 0) + changed
        parts = previous = None
        if changed:
            parts = split_values(subject, payload)
            if before is not None:
                previous = before.parts or split_values(subject, before.payload)
        self.record.observations.append(Observation(
            subject, key, self.now, version, payload if changed else None, max_age,
            parts=parts, previous=previous))
        if changed:
            first = before.first_seen if before is not None else self.now
            self.pending[(subject, key)] = Seen(payload, version, first, self.now, max_age,
                                                parts, body_hash)
        else:
            self.pending[(subject, key)] = replace(before, last_seen=self.now, max_age=max_age,
                                                   body_hash=body_hash)
        return before

    def detect(self, changes: Iterable[Change], before: Seen | None,
               since: float | None = None) -> None:
        """Add ``changes`` as events of the interval since ``before`` was seen (or since
        ``since`` when ``before`` is None)."""
        if before is not None:
            since = before.last_seen
        for change in changes:
            self.event(change, since)

    # ----------------------------------------------------------------- polls
    def poll_season(self) -> None:
        state = self.t.seen("season", "current")
        due = self.due_at("season", "current", SEASON_INTERVAL)
        if state is not None:
            end = api_time(state.payload.get("endTime"))
            if end is not None and state.last_seen < end:
                due = min(due, end)
        if due > self.now:
            return
        try:
            fetched = self.fetch("getCurrentGoldPassSeason")
        except MaintenanceError:
            raise
        except CocError as error:
            self.poll_error("season", error)
            return
        season = fetched.payload
        before = self.observe("season", "current", season, fetched.max_age)
        start, end = api_time(season.get("startTime")), api_time(season.get("endTime"))
        if start is None or end is None:
            return
        self.record.seasons.append((season_id(start), start, end))
        old = before.payload.get("startTime") if before is not None else None
        if before is not None and old != season.get("startTime"):
            old_start = api_time(old)
            self.event(Change("season_start", field="season",
                              old=season_id(old_start) if old_start else None,
                              new=season_id(start)), before.last_seen)

    def poll_clan(self, clan: str) -> set[str]:
        """Poll a clan if due; return the tags whose profile must be fetched now."""
        if not self.is_due("clan", clan):
            return set()
        try:
            fetched = self.fetch("getClan", clanTag=clan)
        except MaintenanceError:
            raise
        except CocError as error:
            self.poll_error(f"clan {clan}", error)
            return set()
        before = self.observe("clan", clan, fetched.payload, fetched.max_age, fetched.body_hash)
        if before is None:
            return set()
        if before.version == self.pending[("clan", clan)].version:
            return set()
        self.detect(diff.diff_clan(before.payload, fetched.payload), before)
        return diff.member_changes(before.payload, fetched.payload)

    def poll_players(self, changed: set[str]) -> None:
        from cocframes.frames.players import PETS  # the frames' list (imports pandas: late)

        members = self.members_of_watched_clans()
        due = [tag for tag in self.watched_players()
               if tag in changed or self.is_due("player", tag, self.t.player_interval)]
        if not due:
            return
        call = functools.partial(self.t.client.call_with, "getPlayer", "playerTag",
                                 refresh=True)
        bulk = self.t.client.many(call, due, progress=False)
        outcomes = list(zip(due, bulk.results, bulk.errors, strict=True))
        self.result.requests += len(due)
        self.answered += sum(fetched is not None for _, fetched, _ in outcomes)
        self.result.received += sum(f.size or 0 for _, f, _ in outcomes if f is not None)
        for tag, fetched, error in outcomes:
            if isinstance(error, MaintenanceError):
                raise error
            if error is not None:
                if isinstance(error, NotFoundError):
                    continue  # a banned or deleted account: nothing to follow
                self.poll_error(f"player {tag}", error)
                continue
            before = self.observe("player", tag, fetched.payload, fetched.max_age,
                                  fetched.body_hash)
            if before is not None and before.version != self.pending[("player", tag)].version:
                self.detect(diff.diff_player(before.payload, fetched.payload,
                                             member_fields=tag not in members, pets=PETS),
                            before)

    def poll_war(self, clan: str) -> None:
        if not self.is_due("current_war", clan):
            return
        try:
            fetched = self.fetch("getCurrentWar", clanTag=clan)
        except MaintenanceError:
            raise
        except CocError as error:
            self.poll_error(f"current war of {clan}", error)
            self.mark("current_war", clan, {"state": "unavailable"}, None)
            return
        polled = self.mark("current_war", clan, {"state": fetched.payload.get("state")},
                           fetched.max_age)
        self.store_war(clan, fetched.payload, fetched.max_age, "regular", None,
                       polled.last_seen if polled is not None else None, fetched.body_hash)

    def mark(self, subject: str, key: str, payload: dict[str, Any],
             max_age: float | None) -> Seen | None:
        """Note that a schedule-only subject was polled (a tiny payload, for its due time);
        return its previous state."""
        return self.observe(subject, key, payload, max_age)

    def store_war(self, clan: str, war: dict[str, Any], max_age: float | None, war_type: str,
                  war_tag: str | None, since: float | None,
                  body_hash: bytes | None = None) -> None:
        """Store one war of ``clan`` and detect its changes; ``since``: when the endpoint
        that showed it was polled before (the lower bound of a new war's events)."""
        war_id = diff.war_id(war)
        if war_id is None:
            return
        before = self.observe("war", war_id, war, max_age, body_hash)
        if before is None:
            if clan not in self.baseline:
                self.detect(diff.diff_war(None, war, clan), None, since)
        elif before.version != self.pending[("war", war_id)].version:
            self.detect(diff.diff_war(before.payload, war, clan), before)
        sides = [war.get("clan") or {}, war.get("opponent") or {}]
        ours = next((s for s in sides if s.get("tag") == clan), sides[0])
        theirs = sides[1] if ours is sides[0] else sides[0]
        self.record.wars.append(WarRow(
            war_id=war_id, clan=clan, opponent=theirs.get("tag"), war_type=war_type,
            war_tag=war_tag, preparation_start=api_time(war.get("preparationStartTime")),
            start=api_time(war.get("startTime") or war.get("warStartTime")),
            end=api_time(war.get("endTime")), state=war.get("state"),
            final=war.get("state") == "warEnded", seen=self.now))

    def poll_cwl(self, clan: str) -> None:
        group_key = clan
        state = self.t.seen("league_group", group_key)
        interval = None
        if state is not None and state.payload.get("state") in (None, "notInCwl", "ended"):
            interval = NO_CWL_INTERVAL
        if self.is_due("league_group", group_key, interval):
            try:
                fetched = self.fetch("getClanWarLeagueGroup", clanTag=clan)
                group = fetched.payload
                max_age = fetched.max_age
            except MaintenanceError:
                raise
            except NotFoundError:
                group, max_age = {"state": "notInCwl"}, None
            except CocError as error:
                self.poll_error(f"CWL group of {clan}", error)
                return
            before = self.observe("league_group", group_key, group, max_age)
            if before is not None:
                self.detect(diff.diff_league_group(before.payload, group, clan), before)
                group_since: float | None = before.last_seen
            else:
                group_since = None
        else:
            group_since = None
        current = self.latest("league_group", group_key)
        if current is None:
            return
        for round_ in current.payload.get("rounds") or ():
            for tag in round_.get("warTags") or ():
                if tag and tag != UNDRAWN_WAR_TAG and tag not in self.t.other_cwl_wars:
                    self.poll_cwl_war(clan, tag, group_since)

    def poll_cwl_war(self, clan: str, war_tag: str, since: float | None) -> None:
        if not self.is_due("cwl_war", war_tag):
            return
        known = self.t.seen("cwl_war", war_tag)
        if known is not None and known.payload.get("final"):
            return
        try:
            fetched = self.fetch("getClanWarLeagueWar", warTag=war_tag)
        except MaintenanceError:
            raise
        except CocError as error:
            self.poll_error(f"CWL war {war_tag}", error)
            return
        war = fetched.payload
        tags = {(war.get("clan") or {}).get("tag"), (war.get("opponent") or {}).get("tag")}
        if clan not in tags:
            self.t.other_cwl_wars.add(war_tag)
            return
        self.mark("cwl_war", war_tag, {"final": war.get("state") == "warEnded"},
                  fetched.max_age)
        self.store_war(clan, war, fetched.max_age, "cwl", war_tag, since, fetched.body_hash)

    def poll_raids(self, clan: str) -> None:
        interval = RAID_INTERVAL if in_raid_weekend(self.now) else RAID_QUIET_INTERVAL
        if not self.is_due("raid_log", clan, interval):
            return
        try:
            fetched = self.fetch("getCapitalRaidSeasons", clanTag=clan, limit=2)
        except MaintenanceError:
            raise
        except CocError as error:
            self.poll_error(f"raids of {clan}", error)
            self.mark("raid_log", clan, {"error": type(error).__name__}, None)
            return
        items = fetched.payload.get("items") or []
        self.mark("raid_log", clan, {"starts": [i.get("startTime") for i in items]},
                  fetched.max_age)
        for season in items:
            if isinstance(season, dict) and season.get("startTime"):
                self.observe("raids", f"{clan}|{season['startTime']}", season, None)

    def poll_battle_logs(self) -> None:
        for tag in self.watched_players():
            if not self.is_due("battlelog", tag, LEGEND_INTERVAL) or not self.in_legends(tag):
                continue
            previous = self.t.seen("battlelog", tag)
            try:
                fetched = self.fetch("getBattleLog", playerTag=tag)
            except MaintenanceError:
                raise
            except CocError as error:
                self.poll_error(f"battle log of {tag}", error)
                continue
            self.mark("battlelog", tag, {"count": len(fetched.payload.get("items") or [])},
                      fetched.max_age)
            since = previous.last_seen if previous is not None else None
            for entry in fetched.payload.get("items") or ():
                body = encode(entry)
                self.record.battles.append(BattleRow(
                    player=tag, fingerprint=digest(body),
                    battle_time=api_time(entry.get("battleTimestamp")),
                    seen_after=since, seen_by=self.now, body=body))


def _in_legend_league(profile: dict[str, Any]) -> bool:
    league = profile.get("league") or profile.get("leagueTier") or {}
    name = league.get("name") if isinstance(league, dict) else None
    return bool(name and "Legend" in name) or (profile.get("trophies") or 0) >= LEGEND_TROPHIES


def season_id(start: float) -> str:
    """The id (``"YYYY-MM"``) of the season starting at ``start``: the month it mostly covers
    (a season starting in the last days of a month is the next month's)."""
    moment = utc(start + 7 * 86400)
    return f"{moment.year:04d}-{moment.month:02d}"


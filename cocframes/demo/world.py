"""The demo world: its clans and players, built deterministically from a seed.

Constructing a :class:`World` only lays out the clans and the light facts of each player
(tag, name, town hall, trophies, role); full profiles, wars, logs and rankings are generated on
demand by the sibling modules from the same seed, so construction stays fast.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import cached_property

from . import catalog, names
from .common import KIND_CLAN, KIND_PLAYER, make_tag, mix, parse_tag, rng
from .life import Happening

DEMO_BASE_URL = "https://demo.cocframes.invalid/v1"


@dataclass
class Member:
    """Light facts about one player; the full profile is built by :mod:`.players`."""

    index: int
    tag: str
    name: str
    th: int
    exp: int
    trophies: int
    bb_trophies: int
    bh: int
    role: str
    donations: int
    received: int
    clan: int | None = None
    clan_rank: int = 0
    previous_clan_rank: int = 0
    has_league: bool = True
    kind: int = KIND_PLAYER


@dataclass
class Clan:
    """One clan of the world."""

    index: int
    tag: str
    name: str
    level: int
    location_id: int | None
    description: str | None
    type: str
    war_frequency: str
    labels: list[int]
    war_log_public: bool
    language: tuple[int, str, str] | None
    required_trophies: int
    required_th: int
    war_wins: int
    war_losses: int
    war_ties: int
    war_win_streak: int
    family_friendly: bool
    capital_hall: int
    war_league: int
    capital_league: int
    members: list[Member] = field(default_factory=list)
    badge_key: str | None = None  # what the badge is drawn from (the tag until it changes)

    @property
    def points(self) -> int:
        """Clan points, from the members' trophies with the game's rank weights."""
        return _weighted(sorted((m.trophies for m in self.members), reverse=True))

    @property
    def bb_points(self) -> int:
        """Builder base clan points."""
        return _weighted(sorted((m.bb_trophies for m in self.members), reverse=True))

    @property
    def capital_points(self) -> int:
        """Clan capital points (a function of the capital hall level and tag)."""
        return 500 + self.capital_hall * 400 + mix(0, self.tag, "capital") % 400


def _weighted(values: list[int]) -> int:
    weights = (0.5,) * 10 + (0.25,) * 10 + (0.12,) * 10 + (0.1,) * 10 + (0.03,) * 10
    return int(sum(v * w for v, w in zip(values, weights, strict=False)))


# name, location country code (None: no location), members, strength (0..1), public war log
_CLAN_PLAN: tuple[tuple[str | None, str | None, int, float, bool], ...] = (
    ("Demo Dragons", "FR", 45, 0.85, True),  # 0 main clan: in war, CWL
    ("Silent Shadows", "US", 40, 0.75, False),  # 1 private war log
    ("Casual Farmers", None, 30, 0.35, True),  # 2 not in war, no location, no description
    ("Raging Rivals", "DE", 42, 0.8, True),  # 3 opponent of the main clan's war
    (None, "GB", 40, 0.8, True),  # 4..10: the other CWL group clans
    (None, "IN", 38, 0.78, True),
    (None, "BR", 44, 0.82, True),
    (None, "FR", 35, 0.7, True),
    (None, "US", 41, 0.76, True),
    (None, "ES", 36, 0.74, True),
    (None, "JP", 39, 0.83, True),
    (None, "FR", 25, 0.5, True),  # 11..17: more clans for search and rankings
    (None, "DE", 47, 0.9, False),
    (None, "IT", 22, 0.4, True),
    (None, "US", 33, 0.6, True),
    (None, "CA", 28, 0.55, True),
    (None, "NL", 46, 0.65, True),
    (None, "TR", 31, 0.45, True),
)
MAIN, PRIVATE, NOT_IN_WAR, WAR_OPPONENT = 0, 1, 2, 3
CWL_CLANS = (0, 4, 5, 6, 7, 8, 9, 10)
CLANLESS_PLAYERS = 40
RANKED_PLAYERS = 30_000  # players of the rankings, fetchable by tag (profiles from the tag)
DESCRIPTIONS = (
    "Active war clan. Donate, attack twice, have fun!",
    "CWL every month ⚔️ Clan games 4000+ | be active",
    "Friendly clan for everyone. French & English 🇫🇷",
    "Max donations, weekly wars, relaxed vibes.",
    "Trophy pushing family. Legends welcome 👑",
)
WAR_FREQUENCIES = (
    "always",
    "moreThanOncePerWeek",
    "oncePerWeek",
    "lessThanOncePerWeek",
    "never",
    "unknown",
)


class World:
    """A deterministic simulated Clash of Clans world answering all 35 API operations.

    Args:
        seed: everything except timestamps is a pure function of it.
        now: the world's present (UTC); defaults to the current UTC time truncated to the hour.
            Wars, raid weekends and seasons are placed around it.

    The world stands still until :meth:`advance` or :meth:`advance_to` moves its clock: its
    members then donate, battle, upgrade, join and leave, its wars go on (see :mod:`.life`),
    and every change is kept in :attr:`record`.

    Attributes:
        clan_tag: the main demo clan (in war, public war log, in a CWL group).
        private_clan_tag: a clan whose war log is private (war endpoints answer 403).
        not_in_war_clan_tag: a clan whose current war is ``notInWar``.
        unknown_tag: a well-formed tag that answers 404.
        clan_tags: every clan that can be fetched.
        player_tags: every clan member and clanless player (ranking players are fetchable
            too but not listed).
        cwl_clan_tags: the 8 clans of the main clan's CWL group.
        start: the world's time when it was built.
        now: the world's present.
        lock: held while the world answers a request or moves on (servers answer from
            several threads).
        record: every change since :attr:`start`, one :class:`Happening` each, in time order.
    """

    def __init__(self, seed: int = 7, now: datetime | None = None) -> None:
        self.seed = seed
        if now is None:
            now = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
        elif now.tzinfo is None:
            now = now.replace(tzinfo=timezone.utc)
        self.now = now.astimezone(timezone.utc)
        self.start = self.now
        self.lock = threading.RLock()
        self.record: list[Happening] = []
        self.life = None  # the moving parts (a life.Life), made by the first advance
        self.frozen: dict[object, object] = {}  # war lineups and rosters, fixed once drawn
        self.memo: dict[object, object] = {}  # pure values kept once computed (common.cached)
        self.clans: list[Clan] = []
        self.players: list[Member] = []
        self._build()
        self.clan_tag = self.clans[MAIN].tag
        self.private_clan_tag = self.clans[PRIVATE].tag
        self.not_in_war_clan_tag = self.clans[NOT_IN_WAR].tag
        self.war_opponent_clan_tag = self.clans[WAR_OPPONENT].tag
        self.unknown_tag = make_tag(seed, KIND_PLAYER, len(self.players) + 12345)
        self.clan_tags = [c.tag for c in self.clans]
        self.player_tags = [p.tag for p in self.players]
        self.cwl_clan_tags = [self.clans[i].tag for i in CWL_CLANS]
        self._clan_by_tag = {c.tag: c for c in self.clans}

    # ----------------------------------------------------------------- construction
    def _build(self) -> None:
        location_by_code = {code: lid for lid, _, code in catalog.LOCATIONS if code}
        for ci, (name, code, size, strength, public) in enumerate(_CLAN_PLAN):
            r = rng(self.seed, "clan", ci)
            level = max(2, min(35, int(8 + strength * 22 + r.randint(-3, 3))))
            labels = sorted(r.sample(range(len(catalog.CLAN_LABELS)), r.randint(1, 3)))
            war_league = min(
                len(catalog.WAR_LEAGUES) - 1, max(1, int(strength * 19 + r.randint(-2, 1)))
            )
            clan = Clan(
                index=ci,
                tag=make_tag(self.seed, KIND_CLAN, ci),
                name=name or names.clan_name(r),
                level=level,
                location_id=location_by_code[code] if code else None,
                description=None if ci == NOT_IN_WAR else r.choice(DESCRIPTIONS),
                type=r.choice(("open", "inviteOnly", "inviteOnly", "closed")),
                war_frequency="always" if ci in CWL_CLANS else r.choice(WAR_FREQUENCIES),
                labels=[catalog.CLAN_LABELS[i][0] for i in labels],
                war_log_public=public,
                language=r.choice(catalog.LANGUAGES) if r.random() < 0.8 else None,
                required_trophies=r.choice((0, 400, 1000, 2000, 3000)),
                required_th=r.choice((1, 9, 11, 13, 14)),
                war_wins=int(level * r.uniform(8, 25)),
                war_losses=int(level * r.uniform(3, 10)),
                war_ties=r.randint(0, 20),
                war_win_streak=r.randint(0, 12),
                family_friendly=r.random() < 0.4,
                capital_hall=max(1, min(10, int(strength * 10 + r.randint(-1, 1)))),
                war_league=catalog.WAR_LEAGUES[war_league][0],
                capital_league=catalog.CAPITAL_LEAGUES[
                    min(22, max(1, int(strength * 22 + r.randint(-2, 1))))
                ][0],
            )
            if ci == MAIN:
                clan.description = "The cocframes demo clan. Everything here is simulated 🐉"
                clan.labels = [56000000, 56000001, 56000016]
            self.clans.append(clan)
            for _ in range(size):
                member = self._make_player(len(self.players), strength, ci)
                clan.members.append(member)
                self.players.append(member)
            self._assign_roles(clan)
        for _ in range(CLANLESS_PLAYERS):
            self.players.append(self._make_player(len(self.players), 0.4, None))

    def _make_player(self, index: int, strength: float, clan: int | None) -> Member:
        r = rng(self.seed, "player", index)
        th = max(6, min(18, round(7 + strength * 10 + r.gauss(0, 1.8))))
        trophies = max(0, int(th * 330 - 900 + r.gauss(0, 500)))
        bh = max(3, min(10, round(th * 0.6 + r.gauss(0, 1))))
        return Member(
            index=index,
            tag=make_tag(self.seed, KIND_PLAYER, index),
            name=names.player_name(r),
            th=th,
            exp=max(20, min(500, int(th * 14 + r.gauss(0, 25)))),
            trophies=trophies,
            bb_trophies=max(0, int(bh * 480 + r.gauss(0, 500))),
            bh=bh,
            role="member",
            donations=int(r.expovariate(1 / 600)) if clan is not None else 0,
            received=int(r.expovariate(1 / 500)) if clan is not None else 0,
            clan=clan,
            has_league=r.random() > 0.04,
        )

    def _assign_roles(self, clan: Clan) -> None:
        r = rng(self.seed, "roles", clan.index)
        members = clan.members
        members[0].role = "leader"
        for m in members[1:]:
            m.role = r.choices(("coLeader", "admin", "member"), (1, 3, 8))[0]
        ranked = sorted(members, key=lambda m: (-m.trophies, m.index))
        for rank, m in enumerate(ranked, start=1):
            m.clan_rank = rank
            m.previous_clan_rank = max(0, rank + r.randint(-3, 3)) if r.random() < 0.8 else 0

    # ----------------------------------------------------------------- lookups
    def clan_by_tag(self, tag: str) -> Clan | None:
        """Return the clan with this tag, or ``None``."""
        return self._clan_by_tag.get(tag)

    def player_by_tag(self, tag: str) -> Member | None:
        """Return the light facts of the player with this tag (clan member, clanless or
        ranking player), or ``None`` when no such player exists."""
        from .players import ranked_member

        parsed = parse_tag(self.seed, tag)
        if parsed is None:
            return None
        kind, index = parsed
        if kind == KIND_PLAYER and index < len(self.players):
            return self.players[index]
        if kind != KIND_PLAYER:
            return ranked_member(self, tag)
        return None

    def clan_of(self, member: Member) -> Clan | None:
        """Return the clan of ``member``, or ``None`` when clanless."""
        return None if member.clan is None else self.clans[member.clan]

    @cached_property
    def locations(self) -> dict[int, tuple[int, str, str | None]]:
        """Locations by id."""
        return {loc[0]: loc for loc in catalog.LOCATIONS}

    def raid_weekend_start(self, weeks_ago: int = 0, moment: datetime | None = None) -> datetime:
        """Return the Friday 07:00 UTC start of the latest raid weekend started before
        ``moment`` (default: now), ``weeks_ago`` weekends back."""
        moment = self.now if moment is None else moment
        days = (moment.weekday() - 4) % 7
        friday = (moment - timedelta(days=days)).replace(
            hour=7, minute=0, second=0, microsecond=0
        )
        if friday > moment:
            friday -= timedelta(days=7)
        return friday - timedelta(weeks=weeks_ago)

    def league_week_start(self, weeks_ago: int = 0, moment: datetime | None = None) -> datetime:
        """Return the Monday 05:00 UTC start of the ranked-league week containing ``moment``
        (default: now), ``weeks_ago`` weeks back."""
        moment = self.now if moment is None else moment
        monday = (moment - timedelta(days=moment.weekday())).replace(
            hour=5, minute=0, second=0, microsecond=0
        )
        if monday > moment:
            monday -= timedelta(days=7)
        return monday - timedelta(weeks=weeks_ago)

    # ----------------------------------------------------------------- time
    def advance(self, delta: timedelta | float | None = None, *, days: float = 0,
                hours: float = 0, minutes: float = 0, seconds: float = 0) -> datetime:
        """Move the world's clock on by ``delta`` (a timedelta or seconds) plus the given days,
        hours, minutes and seconds, and return ``now``.

        Raises:
            ValueError: the step is negative.
        """
        step = delta if isinstance(delta, timedelta) else timedelta(seconds=float(delta or 0))
        step += timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
        if step < timedelta(0):
            raise ValueError(f"cannot advance the world backwards ({step.total_seconds()} s)")
        with self.lock:
            return self.advance_to(self.now + step)

    def advance_to(self, moment: datetime) -> datetime:
        """Live until ``moment`` (naive: UTC) and return ``now``. The world reached is the
        same whatever steps led to it.

        Raises:
            ValueError: ``moment`` is earlier than ``now``.
        """
        from .life import live_until

        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        moment = moment.astimezone(timezone.utc)
        with self.lock:
            if moment < self.now:
                raise ValueError(f"cannot go back in time: {moment} is before now ({self.now})")
            live_until(self, moment)
            return self.now

    def in_maintenance(self, moment: datetime | None = None) -> bool:
        """Return whether the API is in maintenance at ``moment`` (default: now)."""
        moment = self.now if moment is None else moment
        return any(a <= moment < b for a, b in self.maintenance_windows(moment, moment))

    def maintenance_windows(self, start: datetime, end: datetime) -> list[tuple[datetime,
                                                                                  datetime]]:
        """Return the maintenance windows ``(start, end)`` that overlap ``[start, end]``."""
        from .timeline import maintenance_windows

        return maintenance_windows(self, start, end)

    # ----------------------------------------------------------------- requests
    def handle(
        self,
        method: str,
        path: str,
        query: Mapping[str, str] | None = None,
        body: bytes | None = None,
    ) -> DemoResponse:
        """Answer one API request.

        Args:
            method: ``"GET"`` or ``"POST"``.
            path: path relative to ``/v1``, percent-encoded (``/clans/%232PP``), without query.
            query: query parameters.
            body: request body (``verifyToken`` only).

        Returns:
            The :class:`DemoResponse` (status, headers, JSON body) the real API would give.
        """
        from .router import route

        with self.lock:
            return route(self, method, path, dict(query or {}), body)


@dataclass
class DemoResponse:
    """One answer of the demo world: HTTP status, headers and JSON body."""

    status: int
    headers: dict[str, str]
    body: dict
    data: bytes | None = None  # the body's JSON bytes, when kept with an answer kept

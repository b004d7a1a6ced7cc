"""The kinds of events the history detects, each declared once.

An event is one change between two stored snapshots: a member who joined, a troop that went up
a level, a new war attack. Its kind is a snake_case name from :data:`EVENT_KINDS`; the README's
table of coc.py's and cocapi's event names is checked against this table by a test.

Kinds come in five subjects:

- ``clan``: a field of the clan itself changed (``/clans/{tag}``);
- ``member``: an entry of a watched clan's member list changed (seen at every clan poll);
- ``player``: a field of a player's profile changed (``/players/{tag}``). Fields the member
  list also shows (name, trophies, donations...) are reported as ``member_*`` events for
  members of a watched clan, and as ``player_*`` events only for other watched players;
- ``war``: a regular or CWL war changed state, started, or got an attack;
- ``watch``: something happened to the watcher itself (maintenance, errors, a new season).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EventKind:
    """One kind of event.

    Attributes:
        name: the snake_case name, e.g. ``"member_donations"``.
        subject: ``"clan"``, ``"member"``, ``"player"``, ``"war"`` or ``"watch"``.
        meaning: one line for docs and help texts.
        coc_py: the coc.py 4 event(s) that report the same change ("" when it has none).
        cocapi: the cocapi 4 ``EventType`` that reports it ("" when it has none).
    """

    name: str
    subject: str
    meaning: str
    coc_py: str = ""
    cocapi: str = ""


_M, _C, _P, _W, _X = "member", "clan", "player", "war", "watch"

EVENT_KINDS: tuple[EventKind, ...] = (
    # --- a watched clan's member list (field: the API field; old/new: its values)
    EventKind("member_joined", _M, "a player appears in the member list",
              "ClanEvents.member_join", "member_joined"),
    EventKind("member_left", _M, "a player is no longer in the member list",
              "ClanEvents.member_leave", "member_left"),
    EventKind("member_role", _M, "a member's role changed",
              "ClanEvents.member_role_change", "member_updated"),
    EventKind("member_name", _M, "a member's name changed",
              "ClanEvents.member_name_change", "member_updated"),
    EventKind("member_donations", _M, "a member's season donations changed",
              "ClanEvents.member_donations_change", "member_updated"),
    EventKind("member_received", _M, "a member's season donations received changed",
              "ClanEvents.member_received_change", "member_updated"),
    EventKind("member_trophies", _M, "a member's trophies changed",
              "ClanEvents.member_trophies_change", "member_updated"),
    EventKind("member_builder_base_trophies", _M, "a member's builder base trophies changed",
              "ClanEvents.member_builder_base_trophies_change", "member_updated"),
    EventKind("member_level", _M, "a member's experience level changed",
              "ClanEvents.member_level_change", "member_updated"),
    EventKind("member_league", _M, "a member's league changed",
              "ClanEvents.member_league_change", "member_updated"),
    # --- the clan itself
    EventKind("clan_name", _C, "the clan's name changed", "", "clan_updated"),
    EventKind("clan_level", _C, "the clan's level changed",
              "ClanEvents.level_change", "clan_updated"),
    EventKind("clan_description", _C, "the clan's description changed",
              "ClanEvents.description_change", "clan_updated"),
    EventKind("clan_badge", _C, "the clan's badge changed",
              "ClanEvents.badge_change", "clan_updated"),
    EventKind("clan_settings", _C,
              "a setting changed: type, required trophies or town hall, war frequency, "
              "location, chat language, family friendly (field names which)",
              "ClanEvents.type_change, required_trophies_change, war_frequency_change, "
              "location_change, chat_language_change", "clan_updated"),
    EventKind("clan_war_log_visibility", _C, "the war log became public or private",
              "ClanEvents.public_war_log_change", "clan_updated"),
    EventKind("clan_labels", _C, "the clan's labels changed",
              "ClanEvents.labels_change", "clan_updated"),
    EventKind("clan_capital", _C, "the capital hall or a district's level changed",
              "ClanEvents.capital_hall_level_change", "clan_updated"),
    EventKind("clan_war_record", _C, "war wins, losses, ties or win streak changed",
              "ClanEvents.war_wins_change, war_losses_change, war_ties_change, "
              "war_win_streak_change", "clan_updated"),
    EventKind("clan_war_league", _C, "the clan's war or capital league changed",
              "ClanEvents.war_league_change", "clan_updated"),
    EventKind("clan_points", _C, "clan points, builder base or capital points changed",
              "ClanEvents.points_change, builder_base_points_change", "clan_updated"),
    # --- a player's profile
    EventKind("player_town_hall", _P, "town hall or town hall weapon level changed",
              "PlayerEvents.town_hall_level_change, town_hall_weapon_change", "player_updated"),
    EventKind("player_builder_hall", _P, "builder hall level changed",
              "PlayerEvents.builder_hall_level_change", "player_updated"),
    EventKind("player_troop_level", _P, "a troop or siege machine went up (field: its name)",
              "PlayerEvents.troop_change", "player_updated"),
    EventKind("player_spell_level", _P, "a spell went up (field: its name)",
              "PlayerEvents.spell_change", "player_updated"),
    EventKind("player_hero_level", _P, "a hero went up (field: its name)",
              "PlayerEvents.hero_change", "player_updated"),
    EventKind("player_equipment_level", _P, "a piece of hero equipment went up",
              "PlayerEvents.equipment_change", "player_updated"),
    EventKind("player_pet_level", _P, "a pet went up (field: its name)",
              "PlayerEvents.pet_change", "player_updated"),
    EventKind("player_active_equipment", _P, "a hero's equipped items changed (field: hero)",
              "PlayerEvents.active_equipment_change", "player_updated"),
    EventKind("player_achievement", _P, "an achievement's value went up (field: its name)",
              "PlayerEvents.achievement_change", "player_updated"),
    EventKind("player_war_stars", _P, "total war stars changed",
              "PlayerEvents.war_stars_change", "player_updated"),
    EventKind("player_attack_wins", _P, "attack wins this season changed",
              "PlayerEvents.attack_wins_change", "player_updated"),
    EventKind("player_defense_wins", _P, "defense wins this season changed",
              "PlayerEvents.defense_wins_change", "player_updated"),
    EventKind("player_best_trophies", _P, "best trophies changed",
              "PlayerEvents.best_trophies_change", "player_updated"),
    EventKind("player_capital_contributions", _P, "capital gold contributed changed",
              "PlayerEvents.clan_capital_contributions_change", "player_updated"),
    EventKind("player_labels", _P, "the player's labels changed",
              "PlayerEvents.labels_change", "player_updated"),
    EventKind("player_war_preference", _P, "opted in or out of wars",
              "PlayerEvents.war_opted_in_change", "player_updated"),
    EventKind("player_clan", _P, "the player joined, left or changed clan",
              "PlayerEvents.clan_changed, joined_clan, left_clan", "player_updated"),
    # profile fields the member list also shows: for watched players outside watched clans
    EventKind("player_name", _P, "the player's name changed",
              "PlayerEvents.name_change", "player_updated"),
    EventKind("player_role", _P, "the player's role in their clan changed",
              "PlayerEvents.role_change", "player_updated"),
    EventKind("player_trophies", _P, "trophies changed",
              "PlayerEvents.trophies_change", "player_updated"),
    EventKind("player_builder_base_trophies", _P, "builder base trophies changed",
              "PlayerEvents.builder_base_trophies_change", "player_updated"),
    EventKind("player_level", _P, "experience level changed",
              "PlayerEvents.exp_level_change", "player_updated"),
    EventKind("player_league", _P, "league changed",
              "PlayerEvents.league_change", "player_updated"),
    EventKind("player_donations", _P, "season donations changed",
              "PlayerEvents.donations_change", "player_updated"),
    EventKind("player_received", _P, "season donations received changed",
              "PlayerEvents.received_change", "player_updated"),
    # --- wars (clan: the watched clan; player: the attacker for war_attack)
    EventKind("war_new", _W, "a war not seen before (field: the war's id; new: the opponent)",
              "WarEvents.new_war", "war_state_changed"),
    EventKind("war_state", _W, "a war's state changed, e.g. preparation to inWar (field: id)",
              "WarEvents.state", "war_state_changed"),
    EventKind("war_attack", _W, "a new attack (field: defender's tag; new: stars)",
              "WarEvents.war_attack", "war_attack_new"),
    EventKind("cwl_round", _W, "a CWL round's war tags were published (field: round)",
              "ClientEvents.new_war (CWL)", ""),
    # --- the watcher
    EventKind("maintenance_start", _X, "the API went into maintenance",
              "ClientEvents.maintenance_start", "poll_error"),
    EventKind("maintenance_end", _X, "the API came back from maintenance",
              "ClientEvents.maintenance_completion", ""),
    EventKind("season_start", _X, "a new season began (new: its id)",
              "ClientEvents.new_season_start", ""),
    EventKind("poll_error", _X, "a poll failed and will be retried (new: the error)",
              "ClientEvents.event_error", "poll_error"),
)

KIND_NAMES: tuple[str, ...] = tuple(k.name for k in EVENT_KINDS)
_BY_NAME = {k.name: k for k in EVENT_KINDS}


def event_kind(name: str) -> EventKind:
    """Return the kind called ``name`` (hyphens, spaces and case are ignored).

    Raises:
        ValueError: no such kind; the message lists the kinds.
    """
    key = str(name).strip().lower().replace("-", "_").replace(" ", "_")
    try:
        return _BY_NAME[key]
    except KeyError:
        raise ValueError(f"unknown event kind {name!r}; expected one of: "
                         f"{', '.join(KIND_NAMES)}") from None


def kinds_of(subject: str) -> tuple[str, ...]:
    """Return the names of the kinds of one subject (``"member"``, ``"player"``...)."""
    return tuple(k.name for k in EVENT_KINDS if k.subject == subject)


@dataclass(frozen=True)
class Change:
    """One change found by comparing two snapshots, before it is given its time bounds.

    Attributes:
        kind: an :data:`EVENT_KINDS` name.
        clan: the clan's tag (the watched clan for member and war events), or ``None``.
        player: the player's tag (the attacker for ``war_attack``), or ``None``.
        field: what changed within the subject: the API field (``"donations"``), a unit or
            achievement name, a defender's tag; ``None`` where the kind says it all.
        old: the value before (``None`` for something new).
        new: the value after (``None`` for something gone).
    """

    kind: str
    clan: str | None = None
    player: str | None = None
    field: str | None = None
    old: object = None
    new: object = None


def kinds_markdown() -> str:
    """Return the table of event kinds with coc.py's and cocapi's names for the same change
    (the README holds a copy; a test keeps the two equal)."""
    lines = ["| cocframes kind | what changed | coc.py 4 | cocapi 4 `EventType` |",
             "|---|---|---|---|"]
    for k in EVENT_KINDS:
        lines.append(f"| `{k.name}` | {k.meaning} | {k.coc_py or '-'} | "
                     f"{('`' + k.cocapi + '`') if k.cocapi else '-'} |")
    return "\n".join(lines) + "\n"

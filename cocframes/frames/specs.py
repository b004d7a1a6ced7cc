"""The columns of every frame: name, dtype and meaning, declared once.

Builders (:mod:`cocframes.frames.players` and its siblings) fill these columns; the frame
functions list them in their docstrings, and ``docs/columns.md`` is generated from them. This
module needs no pandas, so the docstrings cost nothing at ``import cocframes``.
"""

from __future__ import annotations

from cocframes.frames._columns import BOOL, CATEGORY, DATETIME, FLOAT, INT, STRING, spec

# -------------------- players
MEMBERS = spec(
    "members", "clan member",
    ("clan_tag", STRING, "tag of the clan (from a clan payload, or the clan_tag argument)"),
    ("tag", STRING, "player tag"),
    ("name", STRING, "player name"),
    ("role", CATEGORY, "clan role as the API sends it: member, admin (elder), coLeader, "
                       "leader"),
    ("town_hall", INT, "town hall level (NA in old captures)"),
    ("exp_level", INT, "experience level"),
    ("trophies", INT, "home village trophies"),
    ("builder_base_trophies", INT, "builder base trophies (versusTrophies in old captures)"),
    ("league", STRING, "home village league name (pre-2025 league system)"),
    ("league_id", INT, "home village league id"),
    ("league_tier", STRING, "ranked league tier name (2025+ ranked system)"),
    ("league_tier_id", INT, "ranked league tier id"),
    ("builder_base_league", STRING, "builder base league name"),
    ("builder_base_league_id", INT, "builder base league id"),
    ("clan_rank", INT, "rank in the clan by trophies (1 = first)"),
    ("previous_clan_rank", INT, "rank in the clan at the previous update (0 = new)"),
    ("donations", INT, "troops donated this season"),
    ("donations_received", INT, "troops received this season"),
)

PLAYERS = spec(
    "players", "player profile",
    ("tag", STRING, "player tag"),
    ("name", STRING, "player name"),
    ("town_hall", INT, "town hall level"),
    ("town_hall_weapon", INT, "town hall weapon level (town hall 12+); NA otherwise"),
    ("exp_level", INT, "experience level"),
    ("trophies", INT, "home village trophies"),
    ("best_trophies", INT, "best home village trophies ever"),
    ("legend_trophies", INT, "legend trophies (legendStatistics); NA when not in legends"),
    ("war_stars", INT, "stars won in clan wars, all time"),
    ("attack_wins", INT, "multiplayer attacks won this season"),
    ("defense_wins", INT, "multiplayer defenses won this season"),
    ("builder_hall", INT, "builder hall level"),
    ("builder_base_trophies", INT, "builder base trophies (versusTrophies in old captures)"),
    ("best_builder_base_trophies", INT, "best builder base trophies ever "
                                        "(bestVersusTrophies in old captures)"),
    ("role", CATEGORY, "clan role: member, admin (elder), coLeader, leader; NA without clan"),
    ("war_preference", CATEGORY, "clan war preference: in or out; NA without clan"),
    ("donations", INT, "troops donated this season"),
    ("donations_received", INT, "troops received this season"),
    ("clan_capital_contributions", INT, "capital gold contributed, all time"),
    ("clan_tag", STRING, "tag of the player's clan; NA without clan"),
    ("clan_name", STRING, "name of the player's clan; NA without clan"),
    ("clan_level", INT, "level of the player's clan; NA without clan"),
    ("league", STRING, "home village league name (pre-2025 league system)"),
    ("league_id", INT, "home village league id"),
    ("league_tier", STRING, "ranked league tier name (2025+ ranked system)"),
    ("league_tier_id", INT, "ranked league tier id"),
    ("builder_base_league", STRING, "builder base league name"),
    ("builder_base_league_id", INT, "builder base league id"),
    ("current_league_group_tag", STRING, "tag of this week's ranked league group"),
    ("current_league_season_id", INT, "id of this week's ranked league season"),
    ("previous_league_group_tag", STRING, "tag of last week's ranked league group"),
    ("previous_league_season_id", INT, "id of last week's ranked league season"),
    ("labels", STRING, "player label names, comma-separated; NA when none"),
    ("heroes", INT, "number of heroes unlocked (both villages)"),
    ("hero_equipment", INT, "number of hero equipment pieces unlocked"),
    ("pets", INT, "number of pets unlocked"),
)

UNITS = spec(
    "units", "unit (troop, hero, spell, equipment, pet, siege machine) of a player",
    ("player_tag", STRING, "player tag"),
    ("player_name", STRING, "player name"),
    ("player_town_hall", INT, "town hall level of the player"),
    ("kind", CATEGORY, "troop, super_troop, pet, siege_machine, hero, hero_equipment, spell"),
    ("name", STRING, "unit name"),
    ("village", CATEGORY, "village of the unit: home, builderBase (clanCapital possible)"),
    ("level", INT, "current level"),
    ("max_level", INT, "maximum level in the game"),
    ("progress", FLOAT, "level / max_level (1.0 = maxed); NA when either is missing"),
    ("super_troop_active", BOOL, "superTroopIsActive as sent; NA where the API omits it"),
    ("equipment_hero", STRING, "hero equipment only: the hero that has it equipped, else NA"),
    ("equipped", BOOL, "hero equipment only: currently equipped by a hero; NA for other kinds"),
)

ACHIEVEMENTS = spec(
    "achievements", "player × achievement",
    ("player_tag", STRING, "player tag"),
    ("player_name", STRING, "player name"),
    ("name", STRING, "achievement name"),
    ("stars", INT, "stars earned, 0-3"),
    ("value", INT, "current value"),
    ("target", INT, "value needed for the next star (or the last one)"),
    ("info", STRING, "what the achievement asks for"),
    ("completion_info", STRING, "progress text shown in game; NA for many"),
    ("village", CATEGORY, "home, builderBase or clanCapital"),
    ("completed", BOOL, "all three stars earned (stars == 3); NA when stars is missing"),
)


# -------------------- wars
WAR_ATTACKS = spec(
    "war_attacks", "attack in a regular or Clan War League war",
    ("war_tag", STRING, "CWL war tag; NA for a regular war"),
    ("round", INT, "CWL round, 1-based; NA for a regular war"),
    ("state", CATEGORY, "war state: preparation, inWar, warEnded"),
    ("side", CATEGORY, "side of the attacker: clan (the clan asked for) or opponent"),
    ("attacker_tag", STRING, "player tag of the attacker"),
    ("attacker_name", STRING, "name of the attacker"),
    ("attacker_town_hall", INT, "town hall level of the attacker"),
    ("attacker_map_position", INT, "map position of the attacker, as the API gives it"),
    ("attacker_rank", INT, "1..n rank of the attacker by map position within the side"),
    ("defender_tag", STRING, "player tag of the defender"),
    ("defender_name", STRING, "name of the defender"),
    ("defender_town_hall", INT, "town hall level of the defender"),
    ("defender_map_position", INT, "map position of the defender, as the API gives it"),
    ("defender_rank", INT, "1..n rank of the defender by map position within the side"),
    ("stars", INT, "stars of the attack, 0-3"),
    ("destruction", FLOAT, "destruction of the attack, percent"),
    ("order", INT, "order of the attack in the war (1 = first)"),
    ("duration", INT, "duration of the attack, seconds"),
    ("new_stars", INT, "stars above the best earlier attack (by order) on the same defender, "
                       "min 0: the stars that count in the war score"),
    ("is_fresh", BOOL, "first attack on that defender"),
    ("attacker_clan_tag", STRING, "clan tag of the attacker's side"),
    ("attacker_clan_name", STRING, "clan name of the attacker's side"),
    ("defender_clan_tag", STRING, "clan tag of the defender's side"),
    ("defender_clan_name", STRING, "clan name of the defender's side"),
    ("war_start_time", DATETIME, "start of the battle day (UTC)"),
    ("war_end_time", DATETIME, "end of the war (UTC)"),
)

WAR_MEMBERS = spec(
    "war_members", "participant of a war (both sides)",
    ("war_tag", STRING, "CWL war tag; NA for a regular war"),
    ("round", INT, "CWL round, 1-based; NA for a regular war"),
    ("state", CATEGORY, "war state: preparation, inWar, warEnded"),
    ("side", CATEGORY, "clan (the clan asked for) or opponent"),
    ("clan_tag", STRING, "clan tag of the member's side"),
    ("clan_name", STRING, "clan name of the member's side"),
    ("opponent_tag", STRING, "clan tag of the other side"),
    ("opponent_name", STRING, "clan name of the other side"),
    ("tag", STRING, "player tag"),
    ("name", STRING, "player name"),
    ("town_hall", INT, "town hall level"),
    ("map_position", INT, "map position, as the API gives it"),
    ("rank", INT, "1..n rank by map position within the side"),
    ("attacks_per_member", INT, "attacks allowed per member (1 in CWL wars, where the API "
                                "omits attacksPerMember)"),
    ("attacks_used", INT, "attacks made so far"),
    ("attacks_remaining", INT, "attacks still available; NA once the war has ended"),
    ("attacks_missed", INT, "attacks not made; NA unless the war has ended (warEnded)"),
    ("stars_earned", INT, "sum of the stars of the member's attacks"),
    ("new_stars_earned", INT, "sum of the new stars of the member's attacks (war score)"),
    ("destruction_dealt", FLOAT, "sum of the destruction of the member's attacks, percent"),
    ("three_stars", INT, "attacks of the member that won 3 stars"),
    ("best_opponent_stars", INT, "stars of the best attack on this member; NA if not attacked"),
    ("best_opponent_destruction", FLOAT, "destruction of the best attack on this member, "
                                         "percent; NA if not attacked"),
    ("opponent_attacks", INT, "times this member was attacked"),
    ("war_start_time", DATETIME, "start of the battle day (UTC)"),
    ("war_end_time", DATETIME, "end of the war (UTC)"),
)

WAR_LOG = spec(
    "war_log", "war in a clan's war log",
    ("end_time", DATETIME, "end of the war (UTC)"),
    ("result", CATEGORY, "win, lose or tie; usually NA for CWL entries (not always: the "
                           "API sent win for an older CWL season)"),
    ("is_cwl", BOOL, "a Clan War League season summary (the opponent has no tag)"),
    ("team_size", INT, "members per side"),
    ("attacks_per_member", INT, "attacks allowed per member"),
    ("battle_modifier", CATEGORY, "battle modifier (none, hardMode...)"),
    ("clan_tag", STRING, "tag of the clan"),
    ("clan_name", STRING, "name of the clan"),
    ("clan_level", INT, "level of the clan"),
    ("clan_stars", INT, "stars of the clan (CWL: summed over the season's wars)"),
    ("clan_destruction", FLOAT, "destruction by the clan, percent (CWL: summed over the "
                                "season's wars, so may exceed 100)"),
    ("clan_attacks", INT, "attacks made by the clan"),
    ("clan_exp_earned", INT, "clan XP earned"),
    ("opponent_tag", STRING, "tag of the opponent; NA for CWL entries"),
    ("opponent_name", STRING, "name of the opponent; NA for CWL entries"),
    ("opponent_level", INT, "level of the opponent; NA for CWL entries (the API sends 0)"),
    ("opponent_stars", INT, "stars of the opponent (CWL: summed over the season's opponents)"),
    ("opponent_destruction", FLOAT, "destruction by the opponent, percent"),
)

CWL_CLANS = spec(
    "cwl_clans", "clan in a Clan War League group",
    ("season", STRING, "CWL season, YYYY-MM"),
    ("state", CATEGORY, "group state: preparation, inWar, ended"),
    ("clan_tag", STRING, "clan tag"),
    ("name", STRING, "clan name"),
    ("clan_level", INT, "clan level"),
    ("member_count", INT, "members on the clan's CWL roster"),
)

CWL_ROUNDS = spec(
    "cwl_rounds", "war of a Clan War League round",
    ("season", STRING, "CWL season, YYYY-MM"),
    ("round", INT, "round, 1-based"),
    ("war_tag", STRING, "war tag ('#0' while the round is not drawn yet)"),
    ("played", BOOL, "the war exists (its tag is not '#0'); fetch it with the war tag"),
)

CWL_MEDALS = spec(
    "cwl_medals", "member of the clan's CWL lineups this season, best bonus-medal score first",
    ("rank", INT, "1..n by score (ties share a rank)"),
    ("tag", STRING, "player tag"),
    ("name", STRING, "player name (as in the latest round played)"),
    ("town_hall", INT, "town hall level (as in the latest round played)"),
    ("wars", INT, "rounds the member was in the lineup of"),
    ("attacks_used", INT, "attacks made (one per war)"),
    ("attacks_missed", INT, "attacks not made in wars that have ended"),
    ("attacks_remaining", INT, "attacks still to make in wars not ended yet"),
    ("stars", INT, "stars of the member's attacks"),
    ("new_stars", INT, "new stars of the member's attacks (what counted in the war score)"),
    ("three_stars", INT, "attacks that won 3 stars"),
    ("destruction", FLOAT, "sum of the destruction of the member's attacks, percent"),
    ("mean_destruction", FLOAT, "destruction per attack made, percent; NA without attacks"),
    ("score", FLOAT, "bonus-medal score: the weighted sum of the columns above given in "
                     "df.attrs['score'] (default 1 * stars + 0.01 * destruction - 2 * "
                     "attacks_missed)"),
)

PARTICIPATION = spec(
    "participation", "member of the clan now: donations, war, CWL and raid participation",
    ("clan_tag", STRING, "clan tag"),
    ("tag", STRING, "player tag"),
    ("name", STRING, "player name"),
    ("role", CATEGORY, "clan role: member, admin (elder), coLeader, leader"),
    ("town_hall", INT, "town hall level"),
    ("donations", INT, "troops donated this season"),
    ("donations_received", INT, "troops received this season"),
    ("donation_ratio", FLOAT, "donations / donations_received; NA when nothing was received"),
    ("war_state", CATEGORY, "state of the clan's regular war: notInWar, preparation, inWar, "
                            "warEnded; NA when its war log is private"),
    ("in_war", BOOL, "in the regular war's lineup; NA when the war log is private"),
    ("war_attacks_used", INT, "attacks made in the regular war; NA when not in its lineup"),
    ("war_attacks_left", INT, "attacks still to make in the regular war (preparation or battle "
                              "day); NA when not in its lineup or the war has ended"),
    ("war_attacks_missed", INT, "attacks not made in the regular war once ended; NA otherwise"),
    ("cwl_wars", INT, "CWL rounds of this season the member was in the lineup of (0 if none); "
                      "NA when the clan is in no CWL group"),
    ("cwl_attacks_used", INT, "CWL attacks made this season; NA when in no CWL group"),
    ("cwl_attacks_left", INT, "CWL attacks still to make in wars not ended; NA when in no CWL "
                              "group"),
    ("cwl_attacks_missed", INT, "CWL attacks not made in ended wars; NA when in no CWL group"),
    ("raid_weekends", INT, "of the last raid weekends (df.attrs['raid_weekends']), those the "
                           "member attacked in"),
    ("raid_attacks", INT, "capital raid attacks made in those weekends"),
    ("raid_loot", INT, "capital gold looted in those weekends"),
)


# -------------------- raids
RAID_SEASONS = spec(
    "raid_seasons", "raid weekend (capital raid season)",
    ("season_start", DATETIME, "start of the raid weekend (UTC)"),
    ("season_end", DATETIME, "end of the raid weekend (UTC)"),
    ("state", CATEGORY, "ongoing or ended"),
    ("capital_total_loot", INT, "capital gold looted by the clan"),
    ("raids_completed", INT, "enemy capitals fully destroyed"),
    ("total_attacks", INT, "attacks made by the clan"),
    ("enemy_districts_destroyed", INT, "enemy districts destroyed"),
    ("offensive_reward", INT, "raid medals from attacking, per member"),
    ("defensive_reward", INT, "raid medals from defending, per member"),
    ("member_count", INT, "members who attacked; NA when the season lists no members"),
    ("raids_attacked", INT, "enemy capitals attacked (entries in the attack log)"),
    ("raids_defended", INT, "raids suffered (entries in the defense log)"),
)

RAID_MEMBERS = spec(
    "raid_members", "raid weekend × member who attacked",
    ("season_start", DATETIME, "start of the raid weekend (UTC)"),
    ("season_end", DATETIME, "end of the raid weekend (UTC)"),
    ("state", CATEGORY, "ongoing or ended"),
    ("tag", STRING, "player tag"),
    ("name", STRING, "player name"),
    ("attacks", INT, "attacks made"),
    ("attack_limit", INT, "regular attacks available"),
    ("bonus_attack_limit", INT, "bonus attacks available (for a fully destroyed district)"),
    ("capital_resources_looted", INT, "capital gold looted"),
)

RAID_DISTRICTS = spec(
    "raid_districts", "raid weekend × raid (attack or defense log) × district",
    ("season_start", DATETIME, "start of the raid weekend (UTC)"),
    ("log", CATEGORY, "attack (our clan raided) or defense (our capital was raided)"),
    ("opponent_tag", STRING, "the defending clan (attack log) or the attacking clan "
                             "(defense log)"),
    ("opponent_name", STRING, "name of that clan"),
    ("opponent_level", INT, "level of that clan"),
    ("district_id", INT, "district id (70000000 = Capital Peak)"),
    ("district_name", STRING, "district name"),
    ("district_hall_level", INT, "district hall level"),
    ("destruction", FLOAT, "destruction of the district, percent"),
    ("stars", INT, "stars on the district"),
    ("attack_count", INT, "attacks on the district"),
    ("total_looted", INT, "capital gold looted from the district"),
)

# The resources and loot lists of a battle-log entry (columns <list>_<resource>).
RESOURCES = (("gold", "Gold"), ("elixir", "Elixir"), ("dark_elixir", "DarkElixir"))
LOOT_LISTS = (("looted", "lootedResources", "looted in this battle"),
               ("extra_looted", "extraLootedResources", "extra loot (bonus) of this battle"),
               ("available", "availableLoot", "loot that was available"))


# -------------------- rankings
PLAYER_RANKINGS = spec(
    "player_rankings", "ranked player",
    ("kind", CATEGORY, "players (home village trophies), builder_base_players (builder base "
                       "trophies) or legend_season (final ranking of a past legend season)"),
    ("season_id", STRING, "legend season id (YYYY-MM) for legend_season; NA otherwise"),
    ("location_id", INT, "location the ranking is for, as given by the caller; NA for global "
                         "rankings and legend seasons"),
    ("rank", INT, "rank in this ranking (1 = best)"),
    ("previous_rank", INT, "rank in the previous ranking; NA when new (the API sends -1) or "
                           "absent (legend seasons)"),
    ("tag", STRING, "player tag, with #"),
    ("name", STRING, "player name"),
    ("exp_level", INT, "experience level"),
    ("trophies", INT, "trophies; builder base trophies for builder_base_players"),
    ("attack_wins", INT, "attacks won this season (home village only)"),
    ("defense_wins", INT, "defenses won this season (home village only)"),
    ("league_id", INT, "league id: home village league (pre-2025), or builder base league "
                       "for builder_base_players"),
    ("league_name", STRING, "league name (same source as league_id)"),
    ("league_tier_id", INT, "ranked league tier id (2025+ rankings); NA in older captures"),
    ("league_tier_name", STRING, "ranked league tier name; NA in older captures"),
    ("clan_tag", STRING, "tag of the player's clan, with #; NA when clanless"),
    ("clan_name", STRING, "name of the player's clan; NA when clanless"),
)

CLAN_RANKINGS = spec(
    "clan_rankings", "ranked clan",
    ("kind", CATEGORY, "clans (clan points), builder_base_clans (builder base points) or "
                       "capitals (clan capital points)"),
    ("rank", INT, "rank in this ranking (1 = best)"),
    ("previous_rank", INT, "rank in the previous ranking; NA when new (the API sends -1)"),
    ("tag", STRING, "clan tag, with #"),
    ("name", STRING, "clan name"),
    ("clan_level", INT, "clan level"),
    ("members", INT, "number of members"),
    ("points", INT, "the points ranked on: clanPoints, clanBuilderBasePoints or "
                    "clanCapitalPoints, by kind"),
    ("location_id", INT, "the clan's location id; NA when it has none"),
    ("location_name", STRING, "the clan's location name"),
    ("country_code", STRING, "ISO 3166 alpha-2 code of the clan's location; NA for regions"),
)

CLAN_SEARCH = spec(
    "clan_search", "clan found by a clan search",
    ("tag", STRING, "clan tag, with #"),
    ("name", STRING, "clan name"),
    ("type", CATEGORY, "who may join: open, inviteOnly or closed"),
    ("clan_level", INT, "clan level"),
    ("members", INT, "number of members"),
    ("clan_points", INT, "home village clan points"),
    ("clan_builder_base_points", INT, "builder base clan points"),
    ("clan_capital_points", INT, "clan capital points"),
    ("war_frequency", CATEGORY, "declared war frequency (always, oncePerWeek, "
                                "lessThanOncePerWeek, never, ...)"),
    ("war_win_streak", INT, "current war win streak"),
    ("war_wins", INT, "wars won"),
    ("war_ties", INT, "wars tied; NA when the war log is private"),
    ("war_losses", INT, "wars lost; NA when the war log is private"),
    ("is_war_log_public", BOOL, "whether the war log is public"),
    ("is_family_friendly", BOOL, "whether the clan is marked family friendly"),
    ("war_league", STRING, "Clan War League name"),
    ("capital_league", STRING, "clan capital league name"),
    ("location_id", INT, "the clan's location id; NA when it has none"),
    ("location_name", STRING, "the clan's location name"),
    ("country_code", STRING, "ISO 3166 alpha-2 code of the clan's location; NA for regions"),
    ("chat_language", STRING, "chat language name"),
    ("labels", STRING, "label names, comma-joined in the API's order; empty string for none, "
                       "NA when absent"),
    ("required_trophies", INT, "trophies required to join"),
    ("required_builder_base_trophies", INT, "builder base trophies required to join"),
    ("required_townhall_level", INT, "town hall level required to join"),
    ("required_league_tier", STRING, "ranked league tier required to join, when set"),
)

BATTLE_LOG = spec(
    "battle_log", "battle of a player's recent battle log",
    ("player_tag", STRING, "the player whose battle log this is, with #"),
    ("battle_time", DATETIME, "when the battle happened (UTC; the API's battleTimestamp)"),
    ("battle_type", CATEGORY, "ranked, legend or homeVillage (the API's battleType)"),
    ("attack", BOOL, "True when the player attacked, False when defending"),
    ("opponent_player_tag", STRING, "opponent's tag, with #"),
    ("opponent_name", STRING, "opponent's name"),
    ("opponent_town_hall_level", INT, "opponent's town hall level"),
    ("stars", INT, "stars won by the attacker (0-3)"),
    ("destruction", FLOAT, "destruction percentage reached by the attacker (0-100)"),
    *((f"{prefix}_{res}", INT, f"{name} {what}; NA when not listed")
      for prefix, _, what in LOOT_LISTS for res, name in RESOURCES),
    ("army_share_code", STRING, "army share code of the attacking army"),
    ("duration_seconds", INT, "battle duration in seconds (the API's battleTime)"),
)

LEAGUE_HISTORY = spec(
    "league_history", "ranked league season (week) a player took part in",
    ("player_tag", STRING, "the player whose history this is, with #"),
    ("league_season_id", INT, "ranked league season id (the API's leagueSeasonId)"),
    ("league_tier_id", INT, "league tier the player played in"),
    ("league_tier_name", STRING, "league tier name, when a tier table was given"),
    ("trophies", INT, "league trophies at the end of the season (the API's leagueTrophies)"),
    ("placement", INT, "final placement in the league group (1 = best)"),
    ("attack_wins", INT, "attacks won"),
    ("attack_losses", INT, "attacks lost"),
    ("attack_stars", INT, "stars won attacking"),
    ("defense_wins", INT, "defenses won"),
    ("defense_losses", INT, "defenses lost"),
    ("defense_stars", INT, "stars conceded defending"),
    ("max_battles", INT, "battles allowed in the season"),
)


# -------------------- reference
LOCATIONS = spec(
    "locations", "location (region or country)",
    ("id", INT, "location id (e.g. 32000087 for France)"),
    ("name", STRING, "location name in English"),
    ("is_country", BOOL, "True for a country, False for a region such as Europe"),
    ("country_code", STRING, "ISO 3166 alpha-2 code; NA for regions"),
    ("localized_name", STRING, "name in the request's language, when the API sends one"),
)

LEAGUES = spec(
    "leagues", "league (or league tier) of one league table",
    ("kind", CATEGORY, "which table: leagues (home village, pre-2025 trophy leagues), "
                       "league_tiers (ranked league tiers), war_leagues (CWL), "
                       "builder_base_leagues, capital_leagues"),
    ("id", INT, "league id"),
    ("name", STRING, "league name"),
    ("icon_tiny_url", STRING, "tiny icon URL; NA where the API sends none"),
    ("icon_small_url", STRING, "small icon URL; NA where the API sends none"),
    ("icon_medium_url", STRING, "medium icon URL; NA where the API sends none"),
    ("icon_large_url", STRING, "large icon URL; NA where the API sends none"),
)

LABELS = spec(
    "labels", "label a clan or player can show",
    ("kind", CATEGORY, "clans or players (the two label tables)"),
    ("id", INT, "label id"),
    ("name", STRING, "label name"),
    ("icon_small_url", STRING, "small icon URL; NA where the API sends none"),
    ("icon_medium_url", STRING, "medium icon URL; NA where the API sends none"),
)


# -------------------- history (built from the history file, see cocframes.tracking)
CHANGES = spec(
    "changes", "change found between two stored snapshots",
    ("time_from", DATETIME, "start of the interval the change happened in: the last poll "
                            "that did not see it yet (NA when unknown)"),
    ("time_to", DATETIME, "end of that interval: the poll that saw it"),
    ("kind", CATEGORY, "what changed: one of cocframes.tracking.EVENT_KINDS, e.g. "
                       "member_joined, member_donations, player_troop_level, war_attack"),
    ("clan", STRING, "clan tag (the watched clan; the attacker's clan for war_attack)"),
    ("player", STRING, "player tag (the attacker for war_attack); NA for clan-wide kinds"),
    ("field", STRING, "what changed within the subject: API field, unit or achievement "
                      "name, defender tag (war_attack), the war's id (war_new, war_state: "
                      "both clan tags and its preparation start), round (cwl_round)"),
    ("old", STRING, "value before (text; numbers and lists as JSON); NA when new"),
    ("new", STRING, "value after (text; numbers and lists as JSON); NA when gone"),
    ("delta", INT, "new - old when both are integers, e.g. troops donated"),
)

SEASON = spec(
    "season", "member who was in the clan during the season",
    ("season", STRING, "season id, YYYY-MM (bounds from /goldpass/seasons/current)"),
    ("clan", STRING, "clan tag"),
    ("tag", STRING, "player tag"),
    ("name", STRING, "player name (the latest seen in the season)"),
    ("in_clan_at_end", BOOL, "still in the clan at the last poll of the season"),
    ("days_in_clan", FLOAT, "days in the clan within the season, from the polls"),
    ("donations", INT, "troops donated: the season counter's last value, plus its value "
                       "before each drop (a leave and rejoin resets it)"),
    ("received", INT, "troops received, counted the same way"),
    ("ratio", FLOAT, "donations / received; NA when nothing was received"),
    ("clan_games_points", INT, "clan games points: growth of the Games Champion achievement "
                               "(NA when no profile was stored)"),
    ("capital_gold", INT, "capital gold contributed: growth of clanCapitalContributions"),
    ("war_attacks", INT, "regular war attacks made"),
    ("war_attacks_available", INT, "regular war attacks available (attacks per member x "
                                   "wars the member was in)"),
    ("war_stars", INT, "stars of the regular war attacks"),
    ("war_new_stars", INT, "stars won over the best earlier attack on the same base"),
    ("cwl_attacks", INT, "CWL attacks made"),
    ("cwl_attacks_available", INT, "CWL attacks available (one per round the member was in)"),
    ("cwl_stars", INT, "stars of the CWL attacks"),
    ("cwl_new_stars", INT, "new stars of the CWL attacks"),
    ("raid_attacks", INT, "capital raid attacks in the season's raid weekends"),
    ("trophies_start", INT, "trophies at the first poll in the season"),
    ("trophies_end", INT, "trophies at the last poll in the season"),
)

WAR_HISTORY = spec(
    "war_history", "war attack, or attack not made (missed) in a finished war",
    ("war_id", STRING, "the war's identity: both clan tags, sorted, and preparation start"),
    ("war_type", CATEGORY, "regular or cwl"),
    ("war_tag", STRING, "CWL war tag; NA for regular wars"),
    ("clan", STRING, "the watched clan's tag"),
    ("opponent", STRING, "the opponent clan's tag"),
    ("opponent_name", STRING, "the opponent clan's name"),
    ("preparation_start", DATETIME, "preparation day start"),
    ("start", DATETIME, "battle day start"),
    ("end", DATETIME, "battle day end"),
    ("final", BOOL, "the war was seen at or after its end; False: incomplete (seen only "
                    "before, so attacks may be missing)"),
    ("side", CATEGORY, "clan (the watched clan attacked) or opponent"),
    ("attacker_tag", STRING, "attacker's tag"),
    ("attacker_name", STRING, "attacker's name"),
    ("attacker_town_hall", INT, "attacker's town hall level"),
    ("attacker_position", INT, "attacker's map position"),
    ("defender_tag", STRING, "defender's tag; NA for a missed attack"),
    ("defender_town_hall", INT, "defender's town hall level"),
    ("defender_position", INT, "defender's map position"),
    ("order", INT, "order of the attack in the war; NA for a missed attack"),
    ("stars", INT, "stars; NA for a missed attack"),
    ("destruction", FLOAT, "destruction percentage; NA for a missed attack"),
    ("new_stars", INT, "stars won over the best earlier attack on the same base"),
    ("duration", INT, "attack duration in seconds"),
    ("missed", BOOL, "True for an attack the member did not make in a finished war"),
)

LEGEND_DAYS = spec(
    "legend_days", "legend league day (from 05:00 UTC) of one player",
    ("player", STRING, "player tag"),
    ("day", DATETIME, "the legend day's start (05:00 UTC)"),
    ("attacks", INT, "attacks that day, from the stored battle logs; NA where they do not "
                     "cover the day"),
    ("defenses", INT, "defenses that day, from the battle logs; NA where not covered"),
    ("stars_won", INT, "stars of the day's attacks (battle logs)"),
    ("stars_lost", INT, "stars of the day's defenses (battle logs)"),
    ("trophies_start", INT, "trophies at the first poll of the day"),
    ("trophies_end", INT, "trophies at the last poll of the day"),
    ("trophy_change", INT, "trophies_end - trophies_start"),
    ("source", CATEGORY, "battle_log (every battle of the day stored) or trophies (the "
                         "battle logs leave a gap: only the trophy columns are known)"),
)

HISTORY = spec(
    "history", "value of one metric of one player at one time it was seen to change",
    ("time", DATETIME, "when the value was first seen"),
    ("clan", STRING, "clan tag (NA for metrics of profiles of players outside the clans)"),
    ("player", STRING, "player tag"),
    ("name", STRING, "player name at that time"),
    ("metric", CATEGORY, "donations, received, trophies, builder_base_trophies, exp_level, "
                         "war_stars, attack_wins, defense_wins, capital_gold, "
                         "clan_games (Games Champion)"),
    ("value", FLOAT, "the value from then until the next row of the same player and metric"),
)

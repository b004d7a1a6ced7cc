"""Player and clan names for the demo world, drawn deterministically from word lists."""

from __future__ import annotations

import random

_FIRST = (
    "Shadow", "Dark", "Royal", "Mighty", "Silent", "Crazy", "Golden", "Iron", "Storm", "Frost",
    "Fire", "Night", "Sky", "Wild", "Lucky", "Brave", "Clever", "Swift", "Little", "Big",
    "Red", "Blue", "Green", "Electro", "Thunder", "Mystic", "Noble", "Grim", "Jolly", "Sneaky",
)
_SECOND = (
    "Dragon", "Wizard", "Knight", "Archer", "Goblin", "Giant", "Valkyrie", "Hog", "Witch",
    "Golem", "Miner", "Bowler", "Yeti", "Titan", "Warden", "Queen", "King", "Champion", "Pekka",
    "Hound", "Slayer", "Raider", "Builder", "Barbarian", "Minion", "Druid", "Healer", "Phoenix",
)
_HANDLES = (
    "xXProXx", "Lina", "Mehmet", "Sofia", "Kenji", "Ana", "Lucas", "Priya", "Omar", "Chloé",
    "Mateo", "Yuki", "Ivan", "Aisha", "Noah", "Léa", "Arjun", "Minh", "Fatima", "Jonas",
    "Zoé", "Ravi", "Elif", "Diego", "Hana", "Malik", "Emma", "Kai", "Nour", "Tomás",
)
_DECOR = ("", "", "", "", "⚔️", "★", "™", "🔥", "👑", "✨")
_CLAN_A = (
    "Dragon", "Phoenix", "Storm", "Golden", "Iron", "Shadow", "Northern", "Royal", "Silver",
    "Eternal", "Mighty", "Frozen", "Crimson", "Last", "Lost", "Hidden", "Brave", "Wild",
)
_CLAN_B = (
    "Legion", "Warriors", "Empire", "Order", "Knights", "Raiders", "Alliance", "Clan",
    "Brotherhood", "Titans", "Family", "Guardians", "Nation", "Army", "Dynasty", "Horde",
)


def player_name(rand: random.Random) -> str:
    """Return a plausible player name (sometimes with decoration or digits)."""
    style = rand.random()
    if style < 0.45:
        name = rand.choice(_FIRST) + " " + rand.choice(_SECOND)
    elif style < 0.8:
        name = rand.choice(_HANDLES) + (str(rand.randint(1, 99)) if rand.random() < 0.5 else "")
    else:
        name = rand.choice(_FIRST).lower() + rand.choice(_SECOND).lower()
    decor = rand.choice(_DECOR)
    return (decor + name + decor)[:15] if decor else name[:15]


def clan_name(rand: random.Random) -> str:
    """Return a plausible clan name."""
    name = rand.choice(_CLAN_A) + " " + rand.choice(_CLAN_B)
    if rand.random() < 0.2:
        name = name.upper()
    return name[:15]

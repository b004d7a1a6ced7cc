"""Small shared helpers of the demo world: seeded randomness, tags, timestamps, asset URLs.

Every value the demo world produces is a pure function of the seed and a few keys, computed with
:func:`mix` (a keyed hash), so that any single object (a player, a war, a ranking page) can be
generated on its own without building the rest of the world.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import random
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, TypeVar

from .catalog import ASSETS, BADGES, LABEL_ICONS, LEAGUE_ICONS

TAG_CHARS = "0289PYLQGRJCUV"
_BASE = len(TAG_CHARS)
# Each kind of tag lives in its own block of 14**8 numbers, so its first character names the
# kind and tags of different kinds can never collide.
_SPAN = _BASE**8
_MULT = 1_594_323  # odd and not a multiple of 7, hence invertible modulo 14**8
_MULT_INV = pow(_MULT, -1, _SPAN)

# Kinds of tag (first character of the tag is TAG_CHARS[kind]).
KIND_PLAYER = 1  # players of the world's clans, and clanless ones
KIND_CLAN = 2  # the world's clans
KIND_RANKED = 3  # players appearing in rankings (profiles generated from the tag)
KIND_FOREIGN_CLAN = 4  # opponents in war logs and raid logs (not fetchable)
KIND_FOREIGN_PLAYER = 5  # their members (not fetchable)
KIND_WAR = 6  # clan war league war tags
KIND_GROUP = 7  # ranked league group tags

T = TypeVar("T")


def mix(seed: int, *keys: object) -> int:
    """Return a 64-bit integer hashed from ``seed`` and ``keys`` (stable across runs)."""
    text = "\x1f".join([str(seed), *map(str, keys)]).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")


def rng(seed: int, *keys: object) -> random.Random:
    """Return a ``random.Random`` seeded from ``seed`` and ``keys``."""
    return random.Random(mix(seed, *keys))


def unit(seed: int, *keys: object) -> float:
    """Return a float in [0, 1) hashed from ``seed`` and ``keys``."""
    return mix(seed, *keys) / 2**64


def _offset(seed: int, kind: int) -> int:
    return mix(seed, "tag-offset", kind) % _SPAN


def make_tag(seed: int, kind: int, index: int) -> str:
    """Return the tag (with ``#``) of object number ``index`` of ``kind`` in the world ``seed``."""
    if not 0 <= index < _SPAN:
        raise ValueError(f"index out of range: {index}")
    number = (kind + 1) * _SPAN + (index * _MULT + _offset(seed, kind)) % _SPAN
    chars = []
    while number:
        number, digit = divmod(number, _BASE)
        chars.append(TAG_CHARS[digit])
    return "#" + "".join(reversed(chars))


def parse_tag(seed: int, tag: str) -> tuple[int, int] | None:
    """Return ``(kind, index)`` of a tag made by :func:`make_tag`, or ``None`` if malformed."""
    body = tag[1:] if tag.startswith("#") else tag
    if len(body) != 9 or any(ch not in TAG_CHARS for ch in body):
        return None
    number = 0
    for ch in body:
        number = number * _BASE + TAG_CHARS.index(ch)
    kind = number // _SPAN - 1
    index = ((number % _SPAN - _offset(seed, kind)) * _MULT_INV) % _SPAN
    return kind, index


def cached(world: Any, key: object, make: Callable[[], T]) -> T:
    """Return the value kept under ``key`` in the world's ``memo``, made by ``make()`` the
    first time (for values that never change once drawn: schedules, attack plans...)."""
    memo = world.memo
    if key not in memo:
        memo[key] = make()
    return memo[key]


def clone(value: T) -> T:
    """Return a fresh copy of a JSON-like value (dicts, lists, strings, numbers, booleans,
    ``None``): several times quicker than ``copy.deepcopy``, for payloads built from parts
    the world keeps."""
    return marshal.loads(marshal.dumps(value))


def encode_body(body: object) -> bytes:
    """Return the JSON bytes of a response body (UTF-8, compact like the real API)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def fmt_time(moment: datetime) -> str:
    """Return ``moment`` in the API's timestamp format, e.g. ``20250628T083911.000Z``."""
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y%m%dT%H%M%S.") + f"{moment.microsecond // 1000:03d}Z"


def fake_hash(*keys: object) -> str:
    """Return a 43-character URL-safe string shaped like the API's asset hashes."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    digest = hashlib.sha256("\x1f".join(map(str, keys)).encode()).digest()
    return "".join(alphabet[b % 64] for b in digest)[:43].ljust(43, "A")


def badge_urls(seed: int, key: object) -> dict[str, str]:
    """Return a clan's ``badgeUrls`` (small/large/medium) for a badge chosen by ``key``."""
    badge = BADGES[mix(seed, "badge", key) % len(BADGES)]
    return {size: f"{ASSETS}/badges/{px}/{badge}.png"
            for size, px in (("small", 70), ("large", 512), ("medium", 200))}


def clan_badge(seed: int, clan: object) -> dict[str, str]:
    """Return the ``badgeUrls`` of one of the world's clans (drawn from its ``badge_key``,
    its tag until the clan changes its badge)."""
    return badge_urls(seed, getattr(clan, "badge_key", None) or clan.tag)


def league_icons(league_id: int) -> dict[str, str]:
    """Return the ``iconUrls`` of a home-village league."""
    icon = LEAGUE_ICONS.get(league_id) or fake_hash("league", league_id)
    urls = {"small": f"{ASSETS}/leagues/72/{icon}.png", "tiny": f"{ASSETS}/leagues/36/{icon}.png"}
    if league_id != 29000000:
        urls["medium"] = f"{ASSETS}/leagues/288/{icon}.png"
    return urls


def label_icons(label_id: int) -> dict[str, str]:
    """Return the ``iconUrls`` of a clan or player label."""
    icon = LABEL_ICONS.get(label_id) or fake_hash("label", label_id)
    return {"small": f"{ASSETS}/labels/64/{icon}.png", "medium": f"{ASSETS}/labels/128/{icon}.png"}


def tier_icons(icon: str) -> dict[str, str]:
    """Return the ``iconUrls`` of a league tier from its icon hash."""
    return {"small": f"{ASSETS}/leaguetiers/125/{icon}.png",
            "large": f"{ASSETS}/leaguetiers/326/{icon}.png"}

"""Text from the API made drawable by matplotlib: names with emoji and symbols.

Player and clan names often hold emoji (``"⚔️Dragon"``, ``"🔥Blaze🔥"``) or rare letters
(``"ᴋɪɴɢ"``). matplotlib draws a character only when one font of a text's family list has it,
and draws a box and warns "Glyph ... missing from font" otherwise. So the plots:

- draw their texts with the user's font family followed by a monochrome emoji font where one
  is installed (:data:`EMOJI_FAMILIES`; colour bitmap fonts such as Noto Color Emoji cannot be
  drawn by matplotlib), using matplotlib's per-glyph font fallback, and
- leave out of API text the characters none of these fonts has, and the invisible joiners,
  variation selectors and skin-tone modifiers that only make sense to an emoji renderer.

Nothing here changes matplotlib's rcParams. When the font cache of matplotlib predates an
emoji font's installation, the font file is registered with the font manager on first use.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["EMOJI_FAMILIES", "drawable", "families", "use_fonts"]

#: Monochrome fonts with emoji and symbols matplotlib can draw, in order of preference.
EMOJI_FAMILIES = ("Symbola", "Noto Emoji", "Segoe UI Emoji", "Segoe UI Symbol")
#: Lower-case file names (without extension) of those fonts, for a stale font cache.
_EMOJI_FILES = frozenset({"symbola", "symbola_hint", "notoemoji-regular", "notoemoji",
                          "seguiemj", "seguisym"})
#: Code points an emoji renderer combines with their neighbours; alone they draw as boxes.
_INVISIBLE = frozenset([0x200D, 0x20E3, *range(0xFE00, 0xFE10), *range(0x1F3FB, 0x1F400),
                        *range(0xE0000, 0xE0080), *range(0xE0100, 0xE01F0)])


@functools.lru_cache(maxsize=1)
def _emoji_families() -> tuple[str, ...]:
    """Return the families of :data:`EMOJI_FAMILIES` matplotlib's font manager can find."""
    from matplotlib import font_manager

    found = tuple(f for f in EMOJI_FAMILIES if _font_path(f) is not None)
    if found:
        return found
    for path in font_manager.findSystemFonts():  # fonts installed after the cache was built
        stem = path.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0].lower()
        if stem in _EMOJI_FILES:
            font_manager.fontManager.addfont(path)
    return tuple(f for f in EMOJI_FAMILIES if _font_path(f) is not None)


def _font_path(family: str) -> str | None:
    """Return the file of the font matplotlib uses for ``family``, or None if it has none."""
    from matplotlib import font_manager

    try:
        return str(font_manager.findfont(font_manager.FontProperties(family=[family]),
                                         fallback_to_default=False))
    except ValueError:
        return None


def families() -> list[str]:
    """Return the font families plots draw with: rcParams' ``font.family``, then emoji fonts."""
    import matplotlib

    own = list(matplotlib.rcParams["font.family"])
    return own + [f for f in _emoji_families() if f not in own]


@functools.lru_cache(maxsize=16)
def _charmap(path: str) -> frozenset[int]:
    from matplotlib.ft2font import FT2Font

    return frozenset(FT2Font(path).get_charmap())


@functools.lru_cache(maxsize=8)
def _drawable_codes(names: tuple[str, ...]) -> frozenset[int]:
    """Return the code points some font of the family list ``names`` has."""
    codes: frozenset[int] = frozenset()
    for family in names:
        path = _font_path(family)
        if path is not None:
            codes |= _charmap(path)
    return codes


def drawable(text: Any, fallback: str = "") -> str:
    """Return ``text`` without the characters the plots' fonts cannot draw, or ``fallback``
    when nothing readable is left.

    Also escapes ``$`` so that a name is never read as mathtext, and trims the spaces a
    removed emoji leaves at either end.
    """
    text = str(text)
    if text.isascii():
        kept = text
    else:
        codes = _drawable_codes(tuple(families()))
        kept = "".join(ch for ch in text
                       if ord(ch) not in _INVISIBLE and (ord(ch) in codes or ch.isspace()))
        kept = " ".join(kept.split()) if kept != text else kept
    removed = kept != text
    if not kept.strip() or (removed and not any(ch.isalnum() for ch in kept)):
        return fallback
    return kept.replace("$", r"\$")


def use_fonts(ax: Axes, extra: Iterable[Any] = ()) -> Axes:
    """Set the plots' font families (:func:`families`) on every text of ``ax`` (title, axis
    labels, tick labels, legend, annotations) and of ``extra`` artists; return ``ax``."""
    from matplotlib.text import Text

    names = families()
    ax.tick_params(labelfontfamily=names)  # tick labels made later, on draw, too
    for artist in (ax, *extra):
        for text in artist.findobj(Text):
            text.set_fontfamily(names)
    return ax

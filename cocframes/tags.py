"""Player, clan and war tags: normalisation and validation before any request."""

from __future__ import annotations

import functools

TAG_CHARACTERS = "0289PYLQGRJCUV"
_VALID = frozenset(TAG_CHARACTERS)
# The war tag of a CWL round not drawn yet: there is no such war to fetch.
UNDRAWN_WAR_TAG = "#0"


def normalize_tag(tag: str) -> str:
    """Return ``tag`` in the API's canonical form: ``#`` followed by upper-case tag characters.

    Users type tags lower-case, without ``#``, with spaces or with the letter O for zero;
    all of that is accepted: ``" #2pp "``, ``"2PP"`` and ``"2 p p"`` all give ``"#2PP"``.

    Raises:
        TypeError: if ``tag`` is not a string.
        ValueError: if the tag is empty or still holds a character that no tag can contain;
            the message names the first bad character and its position.
    """
    if not isinstance(tag, str):
        raise TypeError(f"a tag must be a string, not {type(tag).__name__}: {tag!r}")
    return _normalize(tag)


@functools.lru_cache(maxsize=8192)  # bulk fetches and re-run cells see the same tags again
def _normalize(tag: str) -> str:
    body = "".join(tag.split()).upper().lstrip("#").replace("O", "0")
    if not body:
        raise ValueError(f"empty tag: {tag!r}")
    for position, char in enumerate(body, start=1):
        if char not in _VALID:
            raise ValueError(
                f"invalid tag {tag!r}: character {char!r} at position {position} can't be in a "
                f"tag (tags use only {TAG_CHARACTERS})"
            )
    return "#" + body


def encode_tag(tag: str) -> str:
    """Return the normalised tag percent-encoded for a URL path (``#2PP`` → ``%232PP``)."""
    # After normalisation only "#" needs encoding: the other characters are URL-safe.
    return "%23" + normalize_tag(tag)[1:]


def is_valid_tag(tag: str) -> bool:
    """Return whether ``tag`` normalises to a valid tag."""
    try:
        normalize_tag(tag)
    except (TypeError, ValueError):
        return False
    return True

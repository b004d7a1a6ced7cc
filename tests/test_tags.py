"""Tag normalisation and validation (GUIDE §2: tags)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cocframes.tags import TAG_CHARACTERS, encode_tag, is_valid_tag, normalize_tag


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("#2PP", "#2PP"),  # already normal
        ("#2PPYJVJ8Q", "#2PPYJVJ8Q"),
        ("#0289PYLQGRJCUV", "#0289PYLQGRJCUV"),
        ("#2pp", "#2PP"),  # lower case
        ("#2pP", "#2PP"),
        ("2PP", "#2PP"),  # missing #
        ("2pp", "#2PP"),
        (" #2PP ", "#2PP"),  # surrounding spaces
        ("2 p p", "#2PP"),  # inner spaces
        ("# 2P P\t\n", "#2PP"),
        ("#2PO", "#2P0"),  # letter O → zero
        ("2po", "#2P0"),
        ("#OOO", "#000"),
        ("##2PP", "#2PP"),
    ],
)
def test_normalize_tag(raw: str, expected: str) -> None:
    assert normalize_tag(raw) == expected
    assert is_valid_tag(raw)


@pytest.mark.parametrize(
    ("raw", "char", "position"),
    [
        ("#2PX", "X", 3),
        ("#A2P", "A", 1),
        ("#2P-P", "-", 3),
        ("2P#P", "#", 3),
        ("#2PP1", "1", 4),  # positions count the characters after the #
        ("#2PÖ", "Ö", 3),
    ],
)
def test_invalid_character_is_named(raw: str, char: str, position: int) -> None:
    with pytest.raises(ValueError) as info:
        normalize_tag(raw)
    message = str(info.value)
    assert repr(char) in message
    assert re.search(rf"\bposition {position}\b", message)
    assert not is_valid_tag(raw)


@pytest.mark.parametrize("raw", ["", "#", "   ", " # ", "##"])
def test_empty_tag_is_rejected(raw: str) -> None:
    with pytest.raises(ValueError, match="empty tag"):
        normalize_tag(raw)
    assert not is_valid_tag(raw)


@pytest.mark.parametrize("raw", [None, 123, b"#2PP", ["#2PP"], 2.0])
def test_non_string_raises_type_error(raw: object) -> None:
    with pytest.raises(TypeError, match=type(raw).__name__):
        normalize_tag(raw)  # type: ignore[arg-type]
    assert not is_valid_tag(raw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("#2PP", "%232PP"), ("2pp", "%232PP"), (" #2po ", "%232P0")],
)
def test_encode_tag(raw: str, expected: str) -> None:
    assert encode_tag(raw) == expected


def test_encode_tag_validates() -> None:
    with pytest.raises(ValueError, match="'X'"):
        encode_tag("#2PX")


# A tag as a user might type it: valid characters (plus the letter O) in random case, with
# whitespace sprinkled anywhere and an optional leading '#'.
_BODY_CHARS = TAG_CHARACTERS + "O"


@st.composite
def typed_tags(draw: st.DrawFn) -> tuple[str, str]:
    body = draw(st.text(alphabet=_BODY_CHARS, min_size=1, max_size=15))
    pieces: list[str] = []
    for char in body:
        pieces.append(draw(st.text(alphabet=" \t", max_size=2)))
        pieces.append(char.lower() if draw(st.booleans()) else char)
    pieces.append(draw(st.text(alphabet=" \t\n", max_size=2)))
    prefix = draw(st.sampled_from(["", "#", " #", "# ", "  # "]))
    expected = "#" + body.upper().replace("O", "0")
    return prefix + "".join(pieces), expected


@given(typed_tags())
def test_typed_tags_normalise(case: tuple[str, str]) -> None:
    raw, expected = case
    normal = normalize_tag(raw)
    assert normal == expected
    assert normal.startswith("#")
    assert set(normal[1:]) <= set(TAG_CHARACTERS)
    assert normal[1:] == normal[1:].upper()
    assert is_valid_tag(raw)
    assert encode_tag(raw) == "%23" + normal[1:]


@given(typed_tags())
def test_normalisation_is_idempotent(case: tuple[str, str]) -> None:
    raw, _ = case
    once = normalize_tag(raw)
    assert normalize_tag(once) == once


@given(st.text(max_size=20))
def test_any_string_normalises_or_raises_value_error(raw: str) -> None:
    try:
        normal = normalize_tag(raw)
    except ValueError:
        assert not is_valid_tag(raw)
    else:
        assert normalize_tag(normal) == normal
        assert set(normal[1:]) <= set(TAG_CHARACTERS)


def test_encoding_matches_url_quoting_for_every_tag_character():
    from urllib.parse import quote

    from cocframes.tags import TAG_CHARACTERS, encode_tag

    tag = "#" + TAG_CHARACTERS
    assert encode_tag(tag.lower()) == quote(tag, safe="")

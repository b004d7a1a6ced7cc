"""The recorded real responses in tests/fixtures/real (GUIDE §2: Cache-Control)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REAL_DIR = Path(__file__).resolve().parent / "fixtures" / "real"
STEMS = sorted(path.stem for path in REAL_DIR.glob("*.json"))

# Recorded max-age per endpoint family (GUIDE §2): players, clans, raids 60 s; wars and war log
# 120 s; members, CWL, leagues 600 s.
GUIDE_MAX_AGE = {
    "player": 60,
    "clan": 60,
    "capitalraidseasons": 60,
    "currentwar_inwar": 120,
    "currentwar_preparation": 120,
    "currentwar_ended": 120,
    "currentwar_notinwar": 120,
    "currentwar_403_accessdenied": 120,
    "warlog": 120,
    "members": 600,
    "leaguegroup": 600,  # CWL group
    "clanwarleagues_war": 600,  # a CWL war
    "leaguetiers": 600,
}


def _max_age(wrapper: dict) -> int | None:
    headers = {key.lower(): value for key, value in wrapper["headers"].items()}
    found = re.search(r"(?:^|[,\s])max-age=(\d+)\b", headers.get("cache-control", ""))
    return int(found.group(1)) if found else None


def test_fixtures_are_present_with_attribution() -> None:
    assert len(STEMS) == 17
    assert (REAL_DIR / "SOURCES.md").is_file()
    assert (REAL_DIR / "LICENSE-NOTICE.md").is_file()
    sources = (REAL_DIR / "SOURCES.md").read_text(encoding="utf-8")
    assert "ClashKingInc/ClashOfClansMockAPI" in sources
    assert "Apache-2.0" in sources
    for stem in STEMS:
        assert f"| {stem}.json |" in sources, f"{stem}.json has no row in SOURCES.md"


def test_real_payloads_fixture(real_payloads: dict[str, dict]) -> None:
    assert sorted(real_payloads) == STEMS


@pytest.mark.parametrize("stem", STEMS)
def test_wrapper_shape(real_payloads: dict[str, dict], stem: str) -> None:
    wrapper = real_payloads[stem]
    assert {"body", "headers", "response_code"} <= set(wrapper)
    assert isinstance(wrapper["body"], dict) and wrapper["body"]
    assert isinstance(wrapper["response_code"], int)
    assert 200 <= wrapper["response_code"] < 600
    assert isinstance(wrapper["headers"], dict)
    max_age = _max_age(wrapper)
    assert max_age is not None, f"{stem}: no max-age in {wrapper['headers']}"
    assert max_age > 0


@pytest.mark.parametrize("stem", sorted(GUIDE_MAX_AGE))
def test_max_age_matches_guide(real_payloads: dict[str, dict], stem: str) -> None:
    assert _max_age(real_payloads[stem]) == GUIDE_MAX_AGE[stem]


def test_error_response_is_the_api_error_shape(real_payloads: dict[str, dict]) -> None:
    wrapper = real_payloads["currentwar_403_accessdenied"]
    assert wrapper["response_code"] == 403
    assert wrapper["body"]["reason"] == "accessDenied"


def test_success_responses_have_no_reason(real_payloads: dict[str, dict]) -> None:
    for stem, wrapper in real_payloads.items():
        if wrapper["response_code"] == 200:
            assert "reason" not in wrapper["body"], stem

"""The cache key: what the client computes from a request's parts equals what the session
computes from the request it prepared and sent, so an answer stored by one is found by the
other (else every warm call would miss the cache file)."""

from __future__ import annotations

import requests
from hypothesis import given
from hypothesis import strategies as st

from cocframes.cache import find_stored, new_session
from cocframes.cache._keys import key_for, key_of

BASE = "https://api.clashofclans.com/v1"
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)


@given(params=st.dictionaries(st.text("abcdefghijklmnopqrstuvwxyzA", min_size=1, max_size=8),
                              st.one_of(TEXT, st.integers()), max_size=5),
       path=st.sampled_from(["/players/%232PP", "/clans", "/locations/global/rankings/clans",
                             "/leagues/29000022/seasons/2025-10", "/odd path/ä"]))
def test_the_clients_key_is_the_key_of_the_prepared_request(params, path):
    prepared = requests.Request("GET", BASE + path, params=params).prepare()
    assert key_for("GET", BASE + path, params) == key_of(prepared)


def test_keys_tell_apart_what_the_api_tells_apart():
    keys = {key_for("GET", BASE + "/clans", {"name": "a"}),
            key_for("GET", BASE + "/clans", {"name": "b"}),
            key_for("GET", BASE + "/clans", {"name": "a", "limit": 5}),
            key_for("GET", BASE + "/clans/%232PP", {"name": "a"}),
            key_for("POST", BASE + "/clans", {"name": "a"}),
            key_for("GET", "http://127.0.0.1:8080/v1/clans", {"name": "a"})}
    assert len(keys) == 6
    same = {key_for("GET", BASE + "/clans", {"name": "a", "limit": 5}),
            key_for("GET", BASE + "/clans", {"limit": "5", "name": "a"}),
            key_for("get", BASE.upper().replace("/V1", "/v1") + "/clans", {"limit": 5,
                                                                            "name": "a"})}
    assert len(same) == 1


def test_an_answer_stored_by_the_session_is_found_from_its_parts(tmp_path):
    import responses

    session = new_session(tmp_path)
    with responses.RequestsMock() as mock:
        mock.get(BASE + "/clans", json={"items": []}, headers={"Cache-Control": "max-age=60"})
        session.get(BASE + "/clans", params={"name": "Clan Wars", "limit": 5},
                    headers={"Authorization": "Bearer secret"})
    stored = find_stored(session, key_for("GET", BASE + "/clans", {"limit": 5,
                                                                  "name": "Clan Wars"}))
    assert stored is not None and stored.json() == {"items": []}
    assert find_stored(session, key_for("GET", BASE + "/clans",
                                        {"limit": 6, "name": "Clan Wars"})) is None

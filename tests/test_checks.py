"""The shared test helpers themselves: a mutated payload must never change the values other
tests draw from, nor contain itself."""

from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from tests._checks import RETYPED, json_paths, mutate

RETYPED_BEFORE = copy.deepcopy(RETYPED)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_mutate_shares_no_value_between_payloads(data):
    payload = {"a": {"b": [1, {"c": "x"}]}, "d": None}
    for _ in range(3):
        payload = mutate(payload, data)
        json_paths(payload)  # a payload that contains itself would recurse without end
    assert RETYPED == RETYPED_BEFORE

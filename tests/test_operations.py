"""The operations table against the official spec, and routing with ``find_operation``."""

from __future__ import annotations

import pytest

from cocframes.operations import BY_NAME, OPERATIONS, PAGING_PARAMS, Operation, find_operation

# Sample values for each path parameter, as they appear in a request path (still encoded).
SAMPLE_VALUES = {
    "clanTag": "%232PP",
    "playerTag": "%238QU8J9LP",
    "warTag": "%232QG2CPQ8Y",
    "leagueGroupTag": "%23L0VC2JJ",
    "leagueSeasonId": "2025-26",
    "leagueId": "29000022",
    "seasonId": "2024-01",
    "leagueTierId": "105000034",
    "locationId": "32000006",
}


def _spec_operations(spec: dict) -> dict[str, tuple[str, str, dict]]:
    """operationId → (METHOD, path, operation object) for every operation of the spec."""
    found: dict[str, tuple[str, str, dict]] = {}
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            name = operation["operationId"]
            assert name not in found, f"duplicate operationId {name} in the spec"
            found[name] = (method.upper(), path, operation)
    return found


def _params(operation: dict, where: str) -> list[str]:
    return [p["name"] for p in operation.get("parameters", []) if p.get("in") == where]


def _fill(path: str) -> str:
    for name, value in SAMPLE_VALUES.items():
        path = path.replace("{" + name + "}", value)
    assert "{" not in path, f"no sample value for a parameter of {path}"
    return path


# --- the table on its own -------------------------------------------------------------------


def test_table_has_35_unique_operations() -> None:
    assert len(OPERATIONS) == 35
    assert len({op.name for op in OPERATIONS}) == 35
    assert len({(op.method, op.path) for op in OPERATIONS}) == 35
    assert {op.name: op for op in OPERATIONS} == BY_NAME


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.name)
def test_table_entries_are_well_formed(op: Operation) -> None:
    assert op.method in ("GET", "POST")
    assert op.path.startswith("/") and not op.path.endswith("/")
    assert not set(op.query) & set(PAGING_PARAMS), "paging parameters belong to `paged`"
    assert len(set(op.query)) == len(op.query)
    assert set(op.path_params) <= set(SAMPLE_VALUES)


# --- the table against the spec -------------------------------------------------------------


def test_table_names_match_spec(spec: dict) -> None:
    assert set(BY_NAME) == set(_spec_operations(spec))
    assert len(_spec_operations(spec)) == 35


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.name)
def test_operation_matches_spec(spec: dict, op: Operation) -> None:
    method, path, operation = _spec_operations(spec)[op.name]
    assert op.method == method
    assert op.path == path
    assert list(op.path_params) == [
        name for name in _params(operation, "path") if "{" + name + "}" in path
    ]
    assert set(op.path_params) == set(_params(operation, "path"))

    query = _params(operation, "query")
    assert set(op.query) == {name for name in query if name not in PAGING_PARAMS}

    paging = [name for name in PAGING_PARAMS if name in query]
    assert paging in ([], list(PAGING_PARAMS)), f"{op.name}: spec lists only {paging}"
    assert op.paged == bool(paging)


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.name)
def test_find_operation_routes_spec_paths(spec: dict, op: Operation) -> None:
    method, template, _ = _spec_operations(spec)[op.name]
    path = _fill(template)
    found = find_operation(method, path)
    assert found is not None, f"{method} {path} is not routed"
    routed, params = found
    assert routed.name == op.name
    assert params == {name: SAMPLE_VALUES[name] for name in op.path_params}
    # The method is matched case-insensitively.
    assert find_operation(method.lower(), path) == found


# --- routing without the spec ---------------------------------------------------------------


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.name)
def test_find_operation_routes_table_paths(op: Operation) -> None:
    found = find_operation(op.method, _fill(op.path))
    assert found is not None
    assert found[0] is op


def test_currentwar_and_leaguegroup_are_distinct() -> None:
    war = find_operation("GET", "/clans/%232PP/currentwar")
    group = find_operation("GET", "/clans/%232PP/currentwar/leaguegroup")
    assert war is not None and group is not None
    assert war == (BY_NAME["getCurrentWar"], {"clanTag": "%232PP"})
    assert group == (BY_NAME["getClanWarLeagueGroup"], {"clanTag": "%232PP"})


def test_similar_paths_are_distinct() -> None:
    cases = {
        "/clans": "searchClans",
        "/clans/%232PP": "getClan",
        "/clans/%232PP/members": "getClanMembers",
        "/clans/%232PP/warlog": "getClanWarLog",
        "/clans/%232PP/capitalraidseasons": "getCapitalRaidSeasons",
        "/leagues/29000022": "getLeague",
        "/leagues/29000022/seasons": "getLeagueSeasons",
        "/leagues/29000022/seasons/2024-01": "getLeagueSeasonRankings",
        "/locations/32000006/rankings/players": "getPlayerRanking",
        "/locations/32000006/rankings/players-builder-base": "getPlayerBuilderBaseRanking",
        "/locations/32000006/rankings/clans": "getClanRanking",
        "/locations/32000006/rankings/clans-builder-base": "getClanBuilderBaseRanking",
        "/goldpass/seasons/current": "getCurrentGoldPassSeason",
    }
    for path, name in cases.items():
        found = find_operation("GET", path)
        assert found is not None, path
        assert found[0].name == name, path


@pytest.mark.parametrize(
    "path",
    [
        "",
        "/",
        "/v1/players/%232PP",  # paths are relative to the /v1 base
        "/players",
        "/players/",
        "/players/%232PP/",
        "/players/%232PP/unknown",
        "/clans/%232PP/currentwar/leaguegroup/extra",
        "/clans/%232PP/currentwar/",
        "/clanwarleagues/wars",
        "/goldpass/seasons/previous",
        "/locations/32000006/rankings/unknown",
        "/nothing",
    ],
)
def test_unknown_paths_give_none(path: str) -> None:
    assert find_operation("GET", path) is None


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/players/%232PP"),
        ("GET", "/players/%232PP/verifytoken"),
        ("PUT", "/players/%232PP/verifytoken"),
        ("DELETE", "/clans/%232PP"),
        ("POST", "/clans"),
        ("HEAD", "/locations"),
    ],
)
def test_wrong_method_gives_none(method: str, path: str) -> None:
    assert find_operation(method, path) is None


def test_verifytoken_is_a_post() -> None:
    found = find_operation("POST", "/players/%232PP/verifytoken")
    assert found == (BY_NAME["verifyToken"], {"playerTag": "%232PP"})

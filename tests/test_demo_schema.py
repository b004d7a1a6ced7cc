"""Every one of the 35 operations answers in the shape of the official spec's 200 schema."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

import pytest

from cocframes.demo import World
from cocframes.operations import OPERATIONS, Operation

SPEC = Path(__file__).resolve().parents[1].parent / "shared/data/coc-openapi.yaml"
NOW = datetime(2026, 3, 14, 12, tzinfo=timezone.utc)

# The spec names some Java types as empty objects; give them their JSON meaning.
# JsonLocalizedName may be null (real achievements carry "completionInfo": null).
PLACEHOLDERS = {
    "JsonLocalizedName": {"type": ["string", "null"]},
    "Float": {"type": "number"},
    "Long": {"type": "integer"},
    "long": {"type": "integer"},
    "JsonNode": {},
    "String": {"type": "string"},
}


def _convert(node: object) -> object:
    """Swagger 2.0 schema -> JSON Schema: rewrite refs, drop enums (spelling differs).

    An enum field may also be null: real war logs carry ``"result": null`` for CWL entries.
    """
    if isinstance(node, dict):
        out = {}
        if "enum" in node and isinstance(node.get("type"), str):
            node = {**node, "type": [node["type"], "null"]}
        for key, value in node.items():
            if key == "enum":
                continue
            if key == "$ref":
                value = value.replace("#/definitions/", "#/$defs/")
            out[key] = _convert(value)
        return out
    if isinstance(node, list):
        return [_convert(x) for x in node]
    return node


@pytest.fixture(scope="module")
def spec() -> dict:
    if not SPEC.exists():
        pytest.skip(f"official spec not found at {SPEC} (kept outside the repo: unknown licence)")
    yaml = pytest.importorskip("yaml")
    return yaml.safe_load(SPEC.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def world() -> World:
    return World(seed=7, now=NOW)


def _schema_for(spec: dict, op: Operation) -> dict:
    operation = spec["paths"][op.path][op.method.lower()]
    root = copy.deepcopy(operation["responses"]["200"]["schema"])
    defs = {name: _convert(d) for name, d in spec["definitions"].items()}
    defs.update(PLACEHOLDERS)
    name = root["$ref"].split("/")[-1]
    if spec["definitions"][name].get("type") == "array":
        # Top-level lists arrive wrapped as {"items": [...], "paging": {...}} in the real API.
        root = {"type": "object", "required": ["items"],
                "properties": {"items": {"$ref": f"#/$defs/{name}"},
                               "paging": {"type": "object"}}}
    else:
        root = {"$ref": f"#/$defs/{name}"}
    return {**root, "$defs": defs}


def _request(world: World, op: Operation) -> tuple[str, dict[str, str], bytes | None]:
    """A valid request for ``op`` in the demo world: (path, query, body)."""
    from cocframes.demo.players import verify_token_for

    player = world.player_tags[0]
    profile = world.handle("GET", f"/players/{quote(player, safe='')}", {}).body
    values = {
        "clanTag": world.clan_tag, "playerTag": player, "locationId": "32000087",
        "leagueId": {"getLeague": "29000022", "getLeagueSeasons": "29000022",
                     "getLeagueSeasonRankings": "29000022", "getWarLeague": "48000012",
                     "getBuilderBaseLeague": "44000035", "getCapitalLeague": "85000016",
                     }.get(op.name, ""),
        "seasonId": "2024-05", "leagueTierId": "105000034",
        "leagueGroupTag": profile["currentLeagueGroupTag"],
        "leagueSeasonId": str(profile["currentLeagueSeasonId"]),
    }
    if op.name == "getClanWarLeagueWar":
        clan = quote(world.clan_tag, safe="")
        group = world.handle("GET", f"/clans/{clan}/currentwar/leaguegroup", {}).body
        values["warTag"] = group["rounds"][0]["warTags"][0]
    path = op.path
    for param in op.path_params:
        path = path.replace("{" + param + "}", quote(values[param], safe=""))
    query = {"name": "Dragon"} if op.name == "searchClans" else {}
    if op.name == "getLeagueGroup":
        query = {"playerTag": player}
    body = None
    if op.name == "verifyToken":
        body = json.dumps({"token": verify_token_for(player, world.seed)}).encode()
    return path, query, body


@pytest.mark.parametrize("op", OPERATIONS, ids=[op.name for op in OPERATIONS])
def test_operation_answers_in_spec_shape(spec: dict, world: World, op: Operation) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    path, query, body = _request(world, op)
    answer = world.handle(op.method, path, query, body)
    assert answer.status == 200, answer.body
    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
    assert answer.headers["X-Cocframes-Demo"] == "1"
    jsonschema.Draft202012Validator(_schema_for(spec, op)).validate(answer.body)
    if "items" in answer.body and op.name != "getLeagueGroup":
        assert answer.body["items"], f"{op.name} answered an empty list"

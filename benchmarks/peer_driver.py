"""Drive coc.py 4.x or cocapi 4.x through the benchmark's workloads.

Run by the peers' own interpreter (their venv, never cocframes' one), so this file imports
nothing from cocframes. It reads commands on stdin, one per line, and answers each with one
JSON line on stdout:

- ``new TOKEN``: make a new client of the library with TOKEN (closing the previous one);
  a fresh client has an empty (in-memory) cache;
- ``w1 CLAN_TAG``: the clan, then its members' profiles, all at once;
- ``w2 FILE``: the profiles of the player tags listed in FILE (one per line), all at once;
- ``quit``.

Each answer: ``{"ok", "elapsed", "returned", "expected", "errors": {kind: count}}``. Every
request is fired at once (``asyncio.gather``), the libraries' own way of fetching many
things; an exception or error answer for an item counts as a lost result.

Usage: ``python peer_driver.py LIBRARY BASE_URL [--throttle N]`` with LIBRARY ``cocpy`` or
``cocapi``; ``--throttle`` sets coc.py's ``throttle_limit`` (default: the library's).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import Counter


class CocPy:
    """coc.py: ``coc.Client(base_url=...)`` + ``login_with_tokens``."""

    def __init__(self, base_url: str, throttle: float | None) -> None:
        self.base_url, self.throttle = base_url, throttle
        self.client = None

    async def new(self, token: str) -> None:
        import coc

        await self.close()
        options = {"base_url": self.base_url}
        if self.throttle is not None:
            options["throttle_limit"] = self.throttle
        self.client = coc.Client(**options)
        await self.client.login_with_tokens(token)

    async def clan_member_tags(self, clan_tag: str) -> list[str]:
        clan = await self.client.get_clan(clan_tag)
        return [m.tag for m in clan.members]

    async def player(self, tag: str) -> object:
        return await self.client.get_player(tag)

    @staticmethod
    def failed(result: object) -> str | None:
        return type(result).__name__ if isinstance(result, BaseException) else None

    async def close(self) -> None:
        if self.client is not None:
            await self.client.close()
            self.client = None


class CocApi:
    """cocapi: ``CocApi(token, config=ApiConfig(base_url=...))`` in its async mode."""

    def __init__(self, base_url: str, throttle: float | None) -> None:
        self.base_url = base_url
        self.api = None

    async def new(self, token: str) -> None:
        from cocapi import ApiConfig
        from cocapi import CocApi as Api

        await self.close()
        self.api = Api(token, config=ApiConfig(base_url=self.base_url), async_mode=True)
        await self.api.__aenter__()

    async def clan_member_tags(self, clan_tag: str) -> list[str]:
        clan = await self.api.clan_tag(clan_tag)
        if self.failed(clan):
            raise RuntimeError(f"clan: {clan}")
        return [m["tag"] for m in clan["memberList"]]

    async def player(self, tag: str) -> object:
        return await self.api.players(tag)

    @staticmethod
    def failed(result: object) -> str | None:
        if isinstance(result, BaseException):
            return type(result).__name__
        if not isinstance(result, dict) or result.get("result") == "error" or "tag" not in result:
            reason = result.get("message") if isinstance(result, dict) else None
            return f"error answer: {reason}"[:80]
        return None

    async def close(self) -> None:
        if self.api is not None:
            await self.api.__aexit__(None, None, None)
            self.api = None


async def _profiles(lib: CocPy | CocApi, tags: list[str]) -> tuple[int, Counter]:
    results = await asyncio.gather(*(lib.player(t) for t in tags), return_exceptions=True)
    errors: Counter = Counter()
    for r in results:
        kind = lib.failed(r)
        if kind:
            errors[kind] += 1
    return len(tags) - sum(errors.values()), errors


async def _w1(lib: CocPy | CocApi, clan_tag: str) -> dict:
    started = time.perf_counter()
    try:
        tags = await lib.clan_member_tags(clan_tag)
    except Exception as exc:  # the clan itself was lost: nothing else can be fetched
        return {"ok": True, "elapsed": time.perf_counter() - started, "returned": 0,
                "expected": 51, "errors": {f"clan: {type(exc).__name__}": 1}}
    returned, errors = await _profiles(lib, tags)
    return {"ok": True, "elapsed": time.perf_counter() - started, "returned": returned + 1,
            "expected": len(tags) + 1, "errors": dict(errors)}


async def _w2(lib: CocPy | CocApi, path: str) -> dict:
    with open(path, encoding="utf-8") as f:
        tags = [line.strip() for line in f if line.strip()]
    started = time.perf_counter()
    returned, errors = await _profiles(lib, tags)
    return {"ok": True, "elapsed": time.perf_counter() - started, "returned": returned,
            "expected": len(tags), "errors": dict(errors)}


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("library", choices=("cocpy", "cocapi"))
    parser.add_argument("base_url")
    parser.add_argument("--throttle", type=float, default=None)
    args = parser.parse_args()
    lib = (CocPy if args.library == "cocpy" else CocApi)(args.base_url, args.throttle)
    loop = asyncio.get_running_loop()
    try:
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                break
            command, _, arg = line.strip().partition(" ")
            try:
                if command == "quit":
                    break
                if command == "new":
                    started = time.perf_counter()
                    await lib.new(arg)
                    answer = {"ok": True, "elapsed": time.perf_counter() - started}
                elif command == "w1":
                    answer = await _w1(lib, arg)
                elif command == "w2":
                    answer = await _w2(lib, arg)
                else:
                    answer = {"ok": False, "error": f"unknown command {command!r}"}
            except Exception as exc:
                answer = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
            print(json.dumps(answer), flush=True)
    finally:
        await lib.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

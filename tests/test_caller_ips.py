"""One machine, several IPs: clients bound to a source address, a demo portal that tells
callers apart by their TCP peer address, and key managers that leave each other's keys alone.

On Linux every 127.x.y.z address is loopback, so clients bound to 127.0.0.2, .3 and .4 talk to
one :class:`DemoServer` on 127.0.0.1 as three callers with three IPs, over real HTTP.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from requests.adapters import HTTPAdapter

from cocframes.client import Client
from cocframes.demo import DemoServer, Portal, World
from cocframes.demo.portal import DEMO_EMAIL, DEMO_PASSWORD, check_token
from cocframes.errors import ConfigurationError, InvalidIpError
from cocframes.keys import KeyLimitError, KeyManager, ip_from_login
from tests._portal import NOW, clear_env

ADDRESSES = ("127.0.0.2", "127.0.0.3", "127.0.0.4")
FOURTH = "127.0.0.5"
ENV_VAR = "COCFRAMES_SOURCE_ADDRESS"
JOIN_SECONDS = 30


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No credentials, tokens, URLs or source address from the developer's shell (the demo
    world is conftest's ``world``)."""
    clear_env(monkeypatch, tmp_path / "default-cache")


@pytest.fixture
def portal() -> Portal:
    return Portal(caller_ip="peer", now=NOW)


@pytest.fixture
def server(world: World, portal: Portal) -> Iterator[DemoServer]:
    with DemoServer(world, portal=portal, rate_limit=100) as srv:
        yield srv


def worker(server: DemoServer, address: str, **options) -> Client:
    """A client logged in to the demo account from ``address``, as a cluster worker would."""
    return Client(email=DEMO_EMAIL, password=DEMO_PASSWORD, portal_url=server.portal_url,
                  base_url=server.base_url, source_address=address, cache=False,
                  progress=False, **options)


def used_token(server: DemoServer, client: Client, world: World) -> str:
    """Fetch one player with ``client`` and return the token the server saw it use."""
    before = server.stats()["by_token"]
    client.get_player(world.player_tags[0])
    after = server.stats()["by_token"]
    (token,) = [t for t, n in after.items() if n > before.get(t, 0)]
    return token


def cidrs_by_token(portal: Portal) -> dict[str, list[str]]:
    return {k["key"]: k["cidrRanges"] for k in portal.keys_of(DEMO_EMAIL)}


def keys_by_ip(portal: Portal) -> dict[str, int]:
    counts: dict[str, int] = {}
    for key in portal.keys_of(DEMO_EMAIL):
        for cidr in key["cidrRanges"]:
            counts[cidr] = counts.get(cidr, 0) + 1
    return counts


# --------------------------------------------------------------------------- the option
@pytest.mark.parametrize("value", ["not-an-ip", "127.0.0", "localhost", "1.2.3.4:80", " "])
def test_a_source_address_that_is_not_an_ip_is_refused_before_any_request(
        server: DemoServer, portal: Portal, value: str) -> None:
    with pytest.raises(ValueError, match="source_address") as info:
        worker(server, value)
    assert DEMO_PASSWORD not in str(info.value)
    assert portal.stats()["login"] + portal.stats()["failed_login"] == 0
    assert server.stats()["requests"] == 0


def test_an_address_this_machine_does_not_have_is_refused_before_any_request(
        server: DemoServer, portal: Portal) -> None:
    with pytest.raises(ConfigurationError, match=r"source_address 192\.0\.2\.1 is not an address"):
        worker(server, "192.0.2.1")
    assert portal.stats()["login"] + portal.stats()["failed_login"] == 0


def test_a_bad_source_address_in_the_environment_names_the_variable(
        server: DemoServer, portal: Portal, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, "my-laptop")
    with pytest.raises(ValueError, match=ENV_VAR):
        Client(email=DEMO_EMAIL, password=DEMO_PASSWORD, portal_url=server.portal_url,
               base_url=server.base_url, cache=False)
    assert portal.stats()["login"] + portal.stats()["failed_login"] == 0


def test_the_source_address_comes_from_the_environment_when_not_given(
        server: DemoServer, portal: Portal, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, ADDRESSES[1])
    with Client(email=DEMO_EMAIL, password=DEMO_PASSWORD, portal_url=server.portal_url,
                base_url=server.base_url, cache=False, progress=False) as client:
        assert client.source_address == ADDRESSES[1]
        assert keys_by_ip(portal) == {ADDRESSES[1]: 1}
    with worker(server, ADDRESSES[2]) as client:
        assert client.source_address == ADDRESSES[2], "the argument wins over the variable"


def test_an_empty_variable_means_no_source_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, "")
    with Client(demo=True, cache=False) as client:
        assert client.source_address is None


def test_source_address_is_read_only() -> None:
    with Client(demo=True, cache=False, source_address=ADDRESSES[0]) as client:
        assert client.source_address == ADDRESSES[0]
        with pytest.raises(AttributeError):
            client.source_address = ADDRESSES[1]  # type: ignore[misc]


def test_the_demo_world_still_answers_in_process_with_a_source_address(world: World) -> None:
    with Client(demo=True, cache=False, source_address=ADDRESSES[0]) as client:
        assert client.get_player(client.demo_world.player_tags[0])["tag"]


def test_bound_adapters_keep_the_pool_and_retry_settings_they_replace() -> None:
    with Client(demo=True, cache=False) as plain, \
            Client(demo=True, cache=False, source_address=ADDRESSES[0]) as bound:
        for prefix in ("http://", "https://"):
            old, new = plain.session.adapters[prefix], bound.session.adapters[prefix]
            assert isinstance(new, HTTPAdapter) and type(new) is not HTTPAdapter
            assert new.max_retries.total == old.max_retries.total
            assert (new._pool_connections, new._pool_maxsize, new._pool_block) == (
                old._pool_connections, old._pool_maxsize, old._pool_block)


def test_repr_shows_the_source_address_and_no_secret(server: DemoServer,
                                                     portal: Portal) -> None:
    with worker(server, ADDRESSES[0]) as client:
        text = repr(client)
        assert ADDRESSES[0] in text
        assert DEMO_PASSWORD not in text
        for token in cidrs_by_token(portal):
            assert token not in text


# --------------------------------------------------------------------------- the peer portal
def test_peer_portal_uses_the_peer_given_and_127_0_0_1_without_one(portal: Portal) -> None:
    body = f'{{"email": "{DEMO_EMAIL}", "password": "{DEMO_PASSWORD}"}}'.encode()
    assert ip_from_login(portal.handle("POST", "/api/login", body, None,
                                       peer="127.0.0.9").body) == "127.0.0.9"
    assert ip_from_login(portal.handle("POST", "/api/login", body, None).body) == "127.0.0.1"
    (key,) = portal.add_account("peer@cocframes.invalid", "pw",
                                keys=[{"name": "cocframes", "cidrRanges": ["127.0.0.9"]}])
    assert portal.check_api_token(key["key"], peer="127.0.0.9") is None
    refused = portal.check_api_token(key["key"], peer="127.0.0.8")
    assert refused is not None and refused[1]["reason"] == "accessDenied.invalidIp"
    assert portal.check_api_token(key["key"])[1]["reason"] == "accessDenied.invalidIp"
    assert check_token(key["key"], None, portal, peer="127.0.0.9") is None
    assert check_token(key["key"], None, portal, peer="127.0.0.8").status == 403


def test_a_fixed_caller_ip_ignores_the_peer() -> None:
    portal = Portal(caller_ip="203.0.113.10", now=NOW)
    body = f'{{"email": "{DEMO_EMAIL}", "password": "{DEMO_PASSWORD}"}}'.encode()
    answer = portal.handle("POST", "/api/login", body, None, peer="127.0.0.9")
    assert ip_from_login(answer.body) == "203.0.113.10"
    (key,) = portal.add_account("fixed@cocframes.invalid", "pw",
                                keys=[{"name": "cocframes", "cidrRanges": ["203.0.113.10"]}])
    assert portal.check_api_token(key["key"], peer="127.0.0.9") is None


def test_three_source_addresses_are_three_callers_with_their_own_keys(
        server: DemoServer, portal: Portal, world: World) -> None:
    clients = [worker(server, address) for address in ADDRESSES]
    try:
        tokens = [used_token(server, client, world) for client in clients]
        cidrs = cidrs_by_token(portal)
        for address, token in zip(ADDRESSES, tokens, strict=True):
            assert cidrs[token] == [address], "each client's key is bound to its own address"
        assert len(set(tokens)) == 3
        for own, token in zip(ADDRESSES, tokens, strict=True):
            for other in ADDRESSES:
                with Client(token, base_url=server.base_url, source_address=other,
                            cache=False, max_retries=0) as direct:
                    if other == own:
                        assert direct.get_player(world.player_tags[0])["tag"]
                        continue
                    with pytest.raises(InvalidIpError) as info:
                        direct.get_player(world.player_tags[0])
                    assert info.value.status == 403
                    assert info.value.reason == "accessDenied.invalidIp"
                    assert token not in str(info.value)
    finally:
        for client in clients:
            client.close()


def test_the_portal_session_of_a_client_is_bound_too(server: DemoServer, portal: Portal) -> None:
    """The IP the portal saw at login is the one the keys are created for."""
    with worker(server, ADDRESSES[2]):
        pass
    assert keys_by_ip(portal) == {ADDRESSES[2]: 1}


# --------------------------------------------------------------------------- revoke_keys=False
def first_round(server: DemoServer) -> None:
    for address in ADDRESSES:
        worker(server, address, key_count=3, revoke_keys=False).close()


def test_three_workers_share_one_account_without_revoking(server: DemoServer,
                                                          portal: Portal) -> None:
    first_round(server)
    assert keys_by_ip(portal) == dict.fromkeys(ADDRESSES, 3)
    stats = portal.stats()
    assert stats["revoke"] == 0 and stats["create"] == 9

    first_round(server)  # a second run: every worker finds its keys

    assert keys_by_ip(portal) == dict.fromkeys(ADDRESSES, 3)
    assert portal.stats()["create"] == 9 and portal.stats()["revoke"] == 0


def test_three_workers_logging_in_at_once_neither_revoke(server: DemoServer,
                                                         portal: Portal) -> None:
    barrier = threading.Barrier(len(ADDRESSES), timeout=JOIN_SECONDS)
    failures: list[BaseException] = []

    def run(address: str) -> None:
        try:
            barrier.wait()
            worker(server, address, key_count=3, revoke_keys=False).close()
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(a,), daemon=True) for a in ADDRESSES]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_SECONDS)
    assert not any(thread.is_alive() for thread in threads)
    assert failures == []
    assert keys_by_ip(portal) == dict.fromkeys(ADDRESSES, 3)
    assert portal.stats()["revoke"] == 0 and portal.stats()["create"] == 9

    first_round(server)
    assert keys_by_ip(portal) == dict.fromkeys(ADDRESSES, 3)
    assert portal.stats()["create"] == 9 and portal.stats()["revoke"] == 0


def test_a_fourth_worker_that_does_not_fit_raises_and_revokes_nothing(
        server: DemoServer, portal: Portal) -> None:
    first_round(server)
    before = portal.keys_of(DEMO_EMAIL)

    with pytest.raises(KeyLimitError) as info:
        worker(server, FOURTH, key_count=3, revoke_keys=False)

    assert portal.keys_of(DEMO_EMAIL) == before
    assert portal.stats()["revoke"] == 0
    text = str(info.value)
    assert "revoke_keys=False" in text
    assert "9" in text, "says how many keys of this name are bound to other IPs"
    assert "key_count" in text and "another account" in text
    assert "developer.clashofclans.com" in text
    assert DEMO_PASSWORD not in text
    for key in before:
        assert key["key"] not in text and key["id"] not in text


def test_a_fourth_worker_with_the_default_revokes_as_before(server: DemoServer,
                                                            portal: Portal) -> None:
    first_round(server)
    worker(server, FOURTH, key_count=3).close()
    counts = keys_by_ip(portal)
    assert counts[FOURTH] == 3 and sum(counts.values()) == 10
    assert portal.stats()["revoke"] == 2


def test_key_manager_takes_revoke_other_ips(server: DemoServer, portal: Portal) -> None:
    first_round(server)
    manager = KeyManager(DEMO_EMAIL, DEMO_PASSWORD, portal_url=server.portal_url, timeout=5,
                         key_count=2, revoke_other_ips=False)
    with pytest.raises(KeyLimitError, match="revoke"):
        manager.tokens()  # from 127.0.0.1: 9 + 2 > 10
    assert portal.stats()["revoke"] == 0 and len(portal.keys_of(DEMO_EMAIL)) == 9

"""Error answers of the API become typed exceptions; retryable ones are retried, others not.

The official API is mocked with ``responses``; the client's sleeps between retries are
recorded instead of slept, so nothing here waits.
"""

from __future__ import annotations

import pickle
import time
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import responses

from cocframes.client import Client
from cocframes.errors import (
    AccessDeniedError,
    ApiError,
    BadRequestError,
    CocError,
    ConfigurationError,
    InvalidIpError,
    MaintenanceError,
    NetworkError,
    NotFoundError,
    OfflineCacheMissError,
    PrivateWarLogError,
    ServerError,
    ThrottledError,
    error_for,
)
from cocframes.sending import backoff

API = "https://api.clashofclans.com/v1"
PLAYER = "/players/%232PP"
WARLOG = "/clans/%232PP/warlog"


BACKOFF = 1.0  # the client's backoff, fixed in these tests (it is random otherwise)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("COC_API_TOKEN", "COCFRAMES_BASE_URL", "COC_EMAIL", "COC_PASSWORD"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The delays the client's retry loop asked to sleep. Nothing is slept: a fake sleep
    moves the client's monotonic clock forward instead, so retry budgets still run out."""
    slept: list[float] = []
    real_monotonic = time.monotonic

    def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr("cocframes.sending.time.sleep", fake_sleep)
    monkeypatch.setattr("cocframes.sending.time.monotonic",
                        lambda: real_monotonic() + sum(slept))
    return slept


@pytest.fixture
def fixed_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("cocframes.sending.backoff", lambda attempt: BACKOFF)


@pytest.fixture
def client(sleeps: list[float], fixed_backoff: None) -> Client:
    c = Client(token="T", cache=False, max_retries=1, max_retry_time=5, rate=1000,
               progress=False)
    yield c
    c.close()


def _error(status: int, reason: str, message: str = "some detail") -> dict[str, Any]:
    return {"status": status, "json": {"reason": reason, "message": message}}


# (case id, path mocked, mock kwargs, expected class, expected reason, retried?)
CASES = [
    ("400", PLAYER, _error(400, "badRequest"), BadRequestError, "badRequest", False),
    ("403", PLAYER, _error(403, "accessDenied"), AccessDeniedError, "accessDenied", False),
    ("403-ip", PLAYER, _error(403, "accessDenied.invalidIp"), InvalidIpError,
     "accessDenied.invalidIp", False),
    ("403-warlog", WARLOG, _error(403, "accessDenied"), PrivateWarLogError, "accessDenied",
     False),
    ("404", PLAYER, _error(404, "notFound"), NotFoundError, "notFound", False),
    ("429", PLAYER, _error(429, "requestThrottled"), ThrottledError, "requestThrottled", True),
    ("500", PLAYER, _error(500, "unknownException"), ServerError, "unknownException", True),
    ("503", PLAYER, _error(503, "inMaintenance"), MaintenanceError, "inMaintenance", True),
    ("502-html", PLAYER, {"status": 502, "body": "<html>Bad Gateway</html>",
                          "content_type": "text/html"}, ServerError, "http502", True),
    ("connection", PLAYER, {"body": requests.ConnectionError("connection refused")},
     NetworkError, "connectionError", True),
]


def _request(client: Client, path: str) -> Any:
    if path == WARLOG:
        return client.get_clan_war_log("#2PP")
    return client.get_player("#2PP")


@pytest.mark.parametrize(("path", "mock", "cls", "reason", "retried"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
@responses.activate
def test_error_answer_raises_typed_exception(client: Client, sleeps: list[float], path: str,
                                             mock: dict, cls: type, reason: str,
                                             retried: bool) -> None:
    responses.get(API + path, **mock)
    with pytest.raises(ApiError) as info:
        _request(client, path)
    error = info.value
    assert type(error) is cls
    assert isinstance(error, CocError)
    assert error.reason == reason
    assert error.endpoint == path
    expected_status = mock.get("status", 0)
    assert error.status == expected_status
    if "json" in mock:
        assert error.message == "some detail"
    text = str(error)
    assert cls.remedy in text
    assert path in text
    assert reason in text
    # 400/403/404 are final; 429s, 5xx and dropped connections are retried max_retries
    # times (issue 12: a 429 counts like any other failure).
    expected_calls = 1 + client.max_retries if retried else 1
    assert len(responses.calls) == expected_calls
    assert len(sleeps) == expected_calls - 1
    stats = client.stats()
    assert stats.errors == 1
    assert stats.requests == expected_calls
    assert stats.retries == expected_calls - 1
    assert stats.throttled == (expected_calls if cls is ThrottledError else 0)


def test_remedies_differ_by_class() -> None:
    classes = [BadRequestError, AccessDeniedError, InvalidIpError, PrivateWarLogError,
               NotFoundError, ThrottledError, ServerError, MaintenanceError, NetworkError,
               OfflineCacheMissError]
    assert len({c.remedy for c in classes}) == len(classes)
    assert "developer.clashofclans.com" in InvalidIpError.remedy
    assert "private" in PrivateWarLogError.remedy


def test_private_war_log_is_an_access_denied_error() -> None:
    assert issubclass(PrivateWarLogError, AccessDeniedError)
    assert issubclass(InvalidIpError, AccessDeniedError)
    assert issubclass(MaintenanceError, ServerError)


@pytest.mark.parametrize(("endpoint", "cls"), [
    ("/clans/%23X/warlog", PrivateWarLogError),
    ("/clans/%232PP/currentwar", PrivateWarLogError),
    ("/clans/%232PP", AccessDeniedError),
    ("/players/%232PP", AccessDeniedError),
])
def test_access_denied_on_war_endpoints_means_private_war_log(endpoint: str,
                                                              cls: type) -> None:
    error = error_for(403, {"reason": "accessDenied", "message": "Access denied"}, endpoint)
    assert type(error) is cls
    assert error.endpoint == endpoint


def test_invalid_ip_stays_invalid_ip_on_war_endpoints() -> None:
    error = error_for(403, {"reason": "accessDenied.invalidIp"}, "/clans/%232PP/warlog")
    assert type(error) is InvalidIpError


@pytest.mark.parametrize(("status", "cls"), [
    (400, BadRequestError), (403, AccessDeniedError), (404, NotFoundError),
    (429, ThrottledError), (500, ServerError), (502, ServerError), (503, MaintenanceError),
    (504, ServerError), (418, ApiError)])
def test_error_without_json_body_maps_by_status(status: int, cls: type) -> None:
    error = error_for(status, None, PLAYER)
    assert type(error) is cls
    assert error.status == status
    assert error.reason == f"http{status}"


@responses.activate
def test_errors_are_never_returned_as_dicts(client: Client) -> None:
    responses.get(API + PLAYER, status=404, json={"reason": "notFound", "message": "x"})
    responses.get(API + "/clans/%232PP", status=400, json={"reason": "badRequest"})
    with pytest.raises(NotFoundError):
        client.get_player("#2PP")
    with pytest.raises(BadRequestError):
        client.get("/clans/%232PP")
    with pytest.raises(NotFoundError):
        client.call("getPlayer", playerTag="#2PP")


@responses.activate
def test_throttled_then_ok_loses_nothing(client: Client, sleeps: list[float]) -> None:
    responses.get(API + PLAYER, status=429, json={"reason": "requestThrottled",
                                                  "message": "slow down"})
    responses.get(API + PLAYER, json={"tag": "#2PP", "name": "x"})
    assert client.get_player("#2PP") == {"tag": "#2PP", "name": "x"}
    stats = client.stats()
    assert stats.throttled == 1
    assert stats.retries == 1
    assert stats.requests == 2
    assert stats.errors == 0
    assert len(sleeps) == 1


@responses.activate
def test_server_error_then_ok_returns_data(client: Client) -> None:
    responses.get(API + PLAYER, status=503, json={"reason": "inMaintenance"})
    responses.get(API + PLAYER, json={"tag": "#2PP"})
    assert client.get_player("#2PP") == {"tag": "#2PP"}
    assert client.stats().retries == 1


@responses.activate
def test_connection_error_then_ok_returns_data(client: Client) -> None:
    responses.get(API + PLAYER, body=requests.ConnectionError("reset"))
    responses.get(API + PLAYER, json={"tag": "#2PP"})
    assert client.get_player("#2PP") == {"tag": "#2PP"}
    assert client.stats().retries == 1


@responses.activate
def test_retry_after_header_is_honoured(client: Client, sleeps: list[float]) -> None:
    responses.get(API + PLAYER, status=429, json={"reason": "requestThrottled"},
                  headers={"Retry-After": "3"})
    responses.get(API + PLAYER, json={"tag": "#2PP"})
    assert client.get_player("#2PP") == {"tag": "#2PP"}
    assert sleeps == [3.0]


@responses.activate
def test_several_throttles_then_ok_within_max_retries(sleeps: list[float],
                                                      fixed_backoff: None) -> None:
    for _ in range(3):
        responses.get(API + PLAYER, status=429, json={"reason": "requestThrottled"})
    responses.get(API + PLAYER, json={"tag": "#2PP"})
    with Client(token="T", cache=False, max_retries=3, max_retry_time=60, rate=1000,
                progress=False) as client:
        assert client.get_player("#2PP") == {"tag": "#2PP"}
        assert client.stats().throttled == 3 and client.stats().retries == 3
    assert sleeps == [BACKOFF] * 3


@responses.activate
def test_retry_budget_stops_retries_before_max_retries(client: Client,
                                                       sleeps: list[float]) -> None:
    responses.get(API + PLAYER, status=503, json={"reason": "inMaintenance"})
    client.max_retries = 100
    with pytest.raises(MaintenanceError):
        client.get_player("#2PP")
    # Backoff 1 s, budget 5 s: sends at 0, 1, 2, 3 and 4 s, then the next wait would end
    # past the budget.
    assert len(responses.calls) == int(client.max_retry_time / BACKOFF)


@responses.activate
def test_retry_after_longer_than_the_budget_gives_up_at_once(client: Client,
                                                             sleeps: list[float]) -> None:
    responses.get(API + PLAYER, status=429, json={"reason": "requestThrottled"},
                  headers={"Retry-After": "600"})
    with pytest.raises(ThrottledError):
        client.get_player("#2PP")
    assert len(responses.calls) == 1
    assert sleeps == []


def test_backoff_is_bounded_whatever_the_attempt() -> None:
    for attempt in (0, 1, 5, 40, 1100, 10_000):
        assert 0 < backoff(attempt) <= 8.0


@responses.activate
def test_long_retry_budget_ends_in_the_api_error(sleeps: list[float]) -> None:
    # A client told to retry more than 1,024 times must still end in the API's error.
    responses.get(API + PLAYER, status=500, json={"reason": "unknownException"})
    with Client(token="T", cache=False, max_retries=1100, max_retry_time=1e6, rate=1e6,
                progress=False) as client, pytest.raises(ServerError):
        client.get_player("#2PP")
    assert len(sleeps) > 1024
    assert max(sleeps) <= 8.0


@responses.activate
def test_retries_up_to_max_retries_with_backoff(sleeps: list[float]) -> None:
    responses.get(API + PLAYER, status=500, json={"reason": "unknownException"})
    with Client(token="T", cache=False, max_retries=3, max_retry_time=60, rate=1000,
                progress=False) as client:
        with pytest.raises(ServerError):
            client.get_player("#2PP")
        assert client.stats().retries == 3
    assert len(responses.calls) == 4
    assert len(sleeps) == 3
    assert all(0 < s <= 8 for s in sleeps)


@responses.activate
def test_no_retries_when_max_retries_is_zero(sleeps: list[float]) -> None:
    responses.get(API + PLAYER, status=500, json={"reason": "unknownException"})
    with Client(token="T", cache=False, max_retries=0, rate=1000, progress=False) as client, \
            pytest.raises(ServerError):
        client.get_player("#2PP")
    assert len(responses.calls) == 1
    assert sleeps == []


@responses.activate
def test_post_error_is_typed(client: Client) -> None:
    responses.post(API + PLAYER + "/verifytoken", status=404, json={"reason": "notFound"})
    with pytest.raises(NotFoundError) as info:
        client.verify_token("#2PP", "abc")
    assert info.value.endpoint == PLAYER + "/verifytoken"
    assert len(responses.calls) == 1


@responses.activate
def test_bad_tag_is_a_value_error_not_an_api_error(client: Client) -> None:
    with pytest.raises(ValueError, match="'Z'") as info:
        client.get_player("#2PZ")
    assert not isinstance(info.value, ApiError)
    assert len(responses.calls) == 0
    assert client.stats().requests == 0


@responses.activate
def test_bulk_failures_carry_the_typed_errors(client: Client) -> None:
    responses.get(API + "/players/%2322", json={"tag": "#22"})
    responses.get(API + "/players/%2388", status=404, json={"reason": "notFound"})
    result = client.many(client.get_player, ["#22", "#88"], progress=False)
    assert result.results[0] == {"tag": "#22"}
    assert result.results[1] is None
    error = result.failures["#88"]
    assert isinstance(error, NotFoundError)
    # The two requests run concurrently: which one is the last call is up to the threads.
    assert error.endpoint.endswith("%2388")
    assert sorted(urlsplit(c.request.url).path[-5:] for c in responses.calls) == [
        "%2322", "%2388"]


# --------------------------------------------------------------------- pickling
@pytest.mark.parametrize("error", [
    BadRequestError(400, "badRequest", "bad limit", "/clans"),
    AccessDeniedError(403, "accessDenied", "Invalid authorization", PLAYER),
    InvalidIpError(403, "accessDenied.invalidIp", "Invalid authorization: IP", PLAYER),
    PrivateWarLogError(403, "accessDenied", "", WARLOG),
    NotFoundError(404, "notFound", "", PLAYER),
    ThrottledError(429, "requestThrottled", "throttled", PLAYER),
    ServerError(500, "unknownException", "boom", PLAYER),
    MaintenanceError(503, "inMaintenance", "maintenance", PLAYER),
    NetworkError(0, "timeout", "ReadTimeout", PLAYER),
    OfflineCacheMissError(0, "offlineCacheMiss", "no answer", PLAYER),
    error_for(502, None, PLAYER),
], ids=lambda e: type(e).__name__)
def test_exceptions_pickle_round_trip(error: ApiError) -> None:
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert (copy.status, copy.reason, copy.message, copy.endpoint) == (
        error.status, error.reason, error.message, error.endpoint)
    assert str(copy) == str(error)


@responses.activate
def test_raised_exception_pickles(client: Client) -> None:
    responses.get(API + WARLOG, status=403, json={"reason": "accessDenied", "message": "no"})
    with pytest.raises(PrivateWarLogError) as info:
        client.get_clan_war_log("#2PP")
    copy = pickle.loads(pickle.dumps(info.value))
    assert isinstance(copy, PrivateWarLogError)
    assert copy.endpoint == WARLOG and copy.status == 403 and copy.message == "no"


def test_configuration_error_pickles() -> None:
    with pytest.raises(ConfigurationError) as info:
        Client(cache=False)
    copy = pickle.loads(pickle.dumps(info.value))
    assert type(copy) is ConfigurationError
    assert str(copy) == str(info.value)


# --------------------------------------------------------------------------- issue 12, defect 4
SECRET_A, SECRET_B = "eyJpartOfTheSecretToken", "secondHalfOfIt"


@pytest.mark.parametrize("token", [
    f"{SECRET_A}\n{SECRET_B}", f"{SECRET_A}\r{SECRET_B}", f"{SECRET_A} {SECRET_B}",
    ["good-token", f"{SECRET_A}\t{SECRET_B}"], f"good-token,{SECRET_A}\x00{SECRET_B}",
])
def test_a_token_that_cannot_be_sent_is_refused_when_the_client_is_made(token: Any) -> None:
    with pytest.raises(ConfigurationError) as info:
        Client(token=token, cache=False)
    text = str(info.value) + repr(info.value)
    assert SECRET_A not in text and SECRET_B not in text
    assert "token" in text


def test_a_bad_token_from_the_environment_is_refused_without_showing_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COC_API_TOKEN", f"{SECRET_A}\n{SECRET_B}")
    with pytest.raises(ConfigurationError) as info:
        Client(cache=False)
    assert SECRET_A not in str(info.value) and SECRET_B not in str(info.value)
    assert "COC_API_TOKEN" in str(info.value)


@responses.activate
def test_no_error_text_is_built_from_a_header_value(client: Client) -> None:
    leak = requests.exceptions.InvalidHeader(
        f"Invalid leading whitespace in header value: 'Bearer {SECRET_A}'")
    responses.get(API + PLAYER, body=leak)
    with pytest.raises(CocError) as info:
        client.get_player("#2PP")
    assert SECRET_A not in str(info.value)
    responses.get(API + "/players/%2328", body=leak)
    result = client.many(client.get_player, ["#2PP", "#28"])
    assert len(result.failures) == 2
    assert all(SECRET_A not in f"{e} {e!r}" for e in result.failures.values())


# --------------------------------------------------------------------------- issue 12, defect 8
@responses.activate
def test_429s_count_against_max_retries(sleeps: list[float], fixed_backoff: None) -> None:
    responses.get(API + PLAYER, status=429, json={"reason": "requestThrottled"})
    with Client(token="T", cache=False, max_retries=2, max_retry_time=600, rate=1000,
                progress=False) as client, pytest.raises(ThrottledError):
        client.get_player("#2PP")
    assert len(responses.calls) == 3, "one request and max_retries=2 retries"
    assert sleeps == [BACKOFF, BACKOFF]

"""The synchronous client: its settings, and the calls users make on it (operations,
paging, bulk fetches, the cache).

Every call takes the one request path of :mod:`cocframes.request_path` (memo, cache file,
network); sending, retries and keys are :mod:`cocframes.sending`'s, paging
:mod:`cocframes.paging`'s, bulk fetching :mod:`cocframes.bulk`'s, and the operation methods
live in :mod:`cocframes.methods`.
"""

from __future__ import annotations

import functools
import ipaddress
import os
import socket
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import requests
from requests.adapters import HTTPAdapter

from cocframes import cache as _cache
from cocframes.answers import Fetched, StaleDataWarning
from cocframes.bulk import Answered, BulkResult, BulkRunner, Prepared, progress_bar
from cocframes.errors import ConfigurationError
from cocframes.keys import DEFAULT_KEY_NAME, KeyManager, KeyStore, credentials_from_env
from cocframes.methods import OperationMethods, method_name
from cocframes.operations import OPERATIONS
from cocframes.paging import Paging, items
from cocframes.request_path import Request, RequestPath, plan, plan_operation
from cocframes.resolve import Resolver
from cocframes.sending import (
    Counters,
    RetryBudget,
    Sender,
    Stats,
    call_budget,
    check_tokens,
)
from cocframes.throttle import KeyPool

if TYPE_CHECKING:
    from cocframes.demo.world import World

OFFICIAL_BASE_URL = "https://api.clashofclans.com/v1"
TOKEN_ENV_VAR = "COC_API_TOKEN"
BASE_URL_ENV_VAR = "COCFRAMES_BASE_URL"
SOURCE_ADDRESS_ENV_VAR = "COCFRAMES_SOURCE_ADDRESS"
DEMO_TOKEN = "demo"
DEFAULT_RATE = 10.0
DEMO_RATE = 1000.0

T = TypeVar("T")
R = TypeVar("R")

# Client methods that fetch one tag's answer (get_player → getPlayer, playerTag): a bulk
# fetch over them can be answered from memory or the cache file without running them.
_TAG_METHODS = {method_name(op.name): op for op in OPERATIONS if op.tag_param}


def _parse_tokens(token: str | Sequence[str] | None) -> list[str]:
    if token is None:
        return []
    parts = token.split(",") if isinstance(token, str) else list(token)
    return [p.strip() if isinstance(p, str) else p for p in parts
            if not isinstance(p, str) or p.strip()]


def _source_address(value: str | None) -> str | None:
    """Return the local IP address the client's connections leave from: ``value``, else
    ``$COCFRAMES_SOURCE_ADDRESS`` when set and not blank, else ``None`` (the system's choice).

    Raises:
        ValueError: the value is not an IP address (naming the option or the variable).
        ConfigurationError: it is not an address of this machine.
    """
    source = "source_address"
    if value is None:
        value, source = (os.environ.get(SOURCE_ADDRESS_ENV_VAR) or "").strip(), \
            f"${SOURCE_ADDRESS_ENV_VAR}"
        if not value:
            return None
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        address = ipaddress.ip_address(value)
    except ValueError:
        raise ValueError(f"{source} must be an IP address of this machine, such as "
                         f"'192.0.2.10', not {value!r}") from None
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.bind((str(address), 0))
    except OSError as exc:
        raise ConfigurationError(f"{source} {address} is not an address of this machine "
                                 f"({exc.strerror or type(exc).__name__})") from None
    return str(address)


class SourceAddressAdapter(HTTPAdapter):
    """A requests transport adapter whose connections all leave from one local IP address
    (``source_address``; the port is the system's choice)."""

    # requests' stubs declare __attrs__ per instance; requests reads it from the class.
    __attrs__: ClassVar[list[str]] = [*HTTPAdapter.__attrs__, "source_address"]  # type: ignore[misc]

    def __init__(self, source_address: str, **settings: Any) -> None:
        self.source_address = source_address
        super().__init__(**settings)

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False,
                         **pool_kwargs: Any) -> None:
        pool_kwargs["source_address"] = (self.source_address, 0)
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        proxy_kwargs["source_address"] = (self.source_address, 0)
        return super().proxy_manager_for(proxy, **proxy_kwargs)


def bind_source_address(session: requests.Session, address: str) -> requests.Session:
    """Mount :class:`SourceAddressAdapter` on ``http://`` and ``https://`` of ``session``,
    with the retry and pool settings of the adapters it replaces, and return the session.
    Adapters mounted on longer prefixes (the in-process demo world's) are left alone."""
    for prefix in ("http://", "https://"):
        old = session.adapters.get(prefix)
        settings: dict[str, Any] = {}
        if isinstance(old, HTTPAdapter):
            # The pool settings are private attributes, absent from requests' type stubs.
            settings = {"pool_connections": old._pool_connections,  # type: ignore[attr-defined]
                        "pool_maxsize": old._pool_maxsize,  # type: ignore[attr-defined]
                        "max_retries": old.max_retries,
                        "pool_block": old._pool_block}  # type: ignore[attr-defined]
            old.close()
        session.mount(prefix, SourceAddressAdapter(address, **settings))
    return session


class Client(OperationMethods):
    """A synchronous Clash of Clans API client with a persistent SQLite cache.

    Args:
        token: an API token, several separated by commas, or a list of them; defaults to
            ``$COC_API_TOKEN``. Requests are spread over all tokens.
        demo: answer from the built-in demo world instead of the API (no token, no network).
        base_url: another server, e.g. the demo server on 127.0.0.1; defaults to
            ``$COCFRAMES_BASE_URL`` or the official API.
        cache_dir: directory of the cache file; defaults to ``$COCFRAMES_CACHE`` or the user
            cache directory.
        cache: ``True`` (default) for the cache file, or the Redis server named by
            ``$COCFRAMES_CACHE_URL`` when it is set; ``False`` keeps the cache in memory
            only; a ``redis://`` or ``rediss://`` URL (``"redis://:password@host:6379/0"``)
            caches in that Redis, shared by every process and machine using it (keys under
            ``cocframes:``; see :class:`cocframes.cache.RedisCache`). A Redis that is down
            costs one :class:`~cocframes.cache.CacheWarning`, never a failed request.
        offline: answer only from the cache; a miss raises :class:`OfflineCacheMissError`.
        rate: requests per second per token; the polite default is 10 for the API and a
            server, and 1000 for the in-process demo world, which has no limit to respect.
        burst: requests a token may send at once after a quiet period. The default, 9, is
            one under the API's per-key bucket of 10 (as the demo server models it): a bulk
            fetch starts at full speed, and the spare token absorbs arrival jitter, so the
            server's bucket is never found empty (no 429).
        timeout: seconds to wait for an answer.
        max_retries: retries of one request, whatever made it fail (429, 5xx, timeout,
            dropped connection).
        max_retry_time: seconds a whole call (one request, the pages of a frame, or a bulk
            fetch) may go on while none of its requests succeeds; see
            :mod:`cocframes.sending`.
        progress: show a progress bar in bulk fetches.
        email, password: developer-portal credentials (default: ``$COC_EMAIL`` /
            ``$COC_PASSWORD`` when no token is given): cocframes then creates and reuses keys
            bound to this machine's IP, and follows IP changes (see :mod:`cocframes.keys`).
        key_count: how many keys to manage with credentials (each adds ``rate`` per second).
        key_name: the name of the keys cocframes manages; other keys are never touched.
        portal_url: the developer portal's API (default: the real one, or
            ``$COCFRAMES_PORTAL_URL``).
        key_store: keep managed tokens between runs: ``True`` for the default file in the user
            data directory, or a :class:`~cocframes.keys.KeyStore`.
        world: the :class:`~cocframes.demo.World` a demo client answers from (default: a new
            ``World()``); see :meth:`advance`.
        source_address: the local IP address every connection of this client leaves from,
            to the API and to the developer portal alike (default:
            ``$COCFRAMES_SOURCE_ADDRESS`` when set, else the system's choice). On a machine
            with several public IPs, run one client per IP, each with its own keys: with
            email and password, its keys are bound to the IP the portal sees. The in-process
            demo world (``demo=True``) opens no connection and is unaffected.
        revoke_keys: with email and password, when the account's 10 keys are full, revoke
            keys of ``key_name`` bound to other IPs (the default, for one user whose IP
            changes). ``False`` when several machines or workers with their own IPs share
            the account: no key is ever revoked, and a full account raises
            :class:`~cocframes.keys.KeyLimitError` instead.

    Raises:
        ConfigurationError: no token and no credentials (outside demo and offline mode), a
            token that cannot be sent in a header (the message shows no part of it), or a
            ``source_address`` this machine does not have.
        ValueError: a ``source_address`` (or ``$COCFRAMES_SOURCE_ADDRESS``) that is not an
            IP address, or a ``cache`` (or ``$COCFRAMES_CACHE_URL``) string that is not a
            Redis URL; like the errors above, raised before any request.
    """

    def __init__(
        self,
        token: str | Sequence[str] | None = None,
        *,
        demo: bool = False,
        base_url: str | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        cache: bool | str = True,
        offline: bool = False,
        rate: float | None = None,
        burst: int = 9,
        timeout: float = 10.0,
        max_retries: int = 5,
        max_retry_time: float = 60.0,
        progress: bool = True,
        email: str | None = None,
        password: str | None = None,
        key_count: int = 1,
        key_name: str = DEFAULT_KEY_NAME,
        portal_url: str | None = None,
        key_store: KeyStore | bool | None = None,
        world: World | None = None,
        source_address: str | None = None,
        revoke_keys: bool = True,
    ) -> None:
        cache = _cache.cache_setting(cache)  # a bad setting is refused before any request
        self._source_address = _source_address(source_address)
        self._portal_session: requests.Session | None = None
        source = "token="
        if token is None and email is None and password is None:
            token, source = os.environ.get(TOKEN_ENV_VAR), f"${TOKEN_ENV_VAR}"
            if not token and not demo and not offline:
                email, password = credentials_from_env() or (None, None)
        tokens = check_tokens(_parse_tokens(token), source)
        key_manager: KeyManager | None = None
        if not tokens and (email or password):
            store = KeyStore() if key_store is True else (key_store or None)
            if self._source_address is not None:
                self._portal_session = bind_source_address(requests.Session(),
                                                           self._source_address)
            key_manager = KeyManager(
                email or "", password or "", key_count=key_count, key_name=key_name,
                portal_url=portal_url, store=store, session=self._portal_session,
                timeout=timeout, revoke_other_ips=revoke_keys)
            tokens = check_tokens(key_manager.tokens(), "the developer portal")
        self.demo = demo
        if demo:
            from cocframes.demo.world import DEMO_BASE_URL

            default_url = DEMO_BASE_URL
            tokens = tokens or [DEMO_TOKEN]
        else:
            default_url = os.environ.get(BASE_URL_ENV_VAR) or OFFICIAL_BASE_URL
        self.base_url = (base_url or default_url).rstrip("/")
        if not tokens and not offline:
            raise ConfigurationError(
                "no Clash of Clans API token. Fix it one of these ways: pass token='...' "
                "(a key from https://developer.clashofclans.com), set the environment "
                f"variable {TOKEN_ENV_VAR} (several tokens: comma-separated), log in with "
                "email=... and password=... (or COC_EMAIL / COC_PASSWORD) so that keys follow "
                "your IP, or use Client(demo=True) / cocframes.demo() for the offline demo "
                "world."
            )
        self.offline = offline
        self.progress = progress
        if rate is None:
            rate = DEMO_RATE if demo and base_url is None else DEFAULT_RATE
        self.session = _cache.new_session(
            _cache.open_cache(cache, cache_dir, demo=demo and base_url is None))
        if self._source_address is not None:
            bind_source_address(self.session, self._source_address)
        self.session.headers["Accept"] = "application/json"
        self.session.headers["User-Agent"] = "cocframes (+https://pypi.org/project/cocframes)"
        self._world: World | None = None
        if demo:
            from cocframes.demo.adapter import DemoAdapter

            adapter = DemoAdapter(world)
            self._world = adapter.world
            self.session.mount(self.base_url.split("/v1")[0] + "/", adapter)
        self._counters = Counters()
        self._sender = Sender(self.session, KeyPool(tokens or ["offline"], rate=rate,
                                                    burst=burst),
                              key_manager=key_manager, counters=self._counters,
                              timeout=timeout, max_retries=max_retries,
                              max_retry_time=max_retry_time)
        self._path = RequestPath(self.session, self._sender, self._counters, offline=offline)
        self._bulk = BulkRunner()
        self.resolve = Resolver(self)

    def __repr__(self) -> str:
        mode = "demo" if self.demo else ("offline" if self.offline else "live")
        source = (f", source_address={self._source_address!r}"
                  if self._source_address is not None else "")
        return (f"Client({mode}, base_url={self.base_url!r}, keys={self.keys_count}, "
                f"rate={self._keys.rate}/s/key{source})")

    # ----------------------------------------------------------------- settings
    @property
    def _keys(self) -> KeyPool:
        return self._sender.keys

    @property
    def _key_manager(self) -> KeyManager | None:
        return self._sender.key_manager

    @property
    def source_address(self) -> str | None:
        """The local IP address this client's connections leave from (``None``: the
        system's choice)."""
        return self._source_address

    @property
    def keys_count(self) -> int:
        """How many API keys requests are spread over."""
        return len(self._keys.keys)

    @property
    def total_rate(self) -> float:
        """Requests per second over all keys."""
        return self._keys.total_rate

    @property
    def timeout(self) -> float:
        """Seconds to wait for an answer."""
        return self._sender.timeout

    @property
    def max_retries(self) -> int:
        """Retries of one request (see :mod:`cocframes.sending`)."""
        return self._sender.max_retries

    @max_retries.setter
    def max_retries(self, value: int) -> None:
        self._sender.max_retries = value

    @property
    def max_retry_time(self) -> float:
        """Seconds a call may go on with no success (see :mod:`cocframes.sending`)."""
        return self._sender.max_retry_time

    @max_retry_time.setter
    def max_retry_time(self, value: float) -> None:
        self._sender.max_retry_time = value

    def stats(self) -> Stats:
        """Return the counters of this client (see :class:`~cocframes.sending.Stats`)."""
        return self._counters.snapshot()

    # ----------------------------------------------------------------- the demo world's clock
    @property
    def demo_world(self) -> World | None:
        """The demo world this client answers from in-process, or ``None``."""
        return self._world

    def clock(self) -> datetime:
        """Return the present as the answers see it: the demo world's ``now`` for an
        in-process demo client, else the current UTC time."""
        return self._world.now if self._world is not None else datetime.now(timezone.utc)

    def advance(self, delta: timedelta | float | None = None, *, days: float = 0,
                hours: float = 0, minutes: float = 0, seconds: float = 0) -> datetime:
        """Move the demo world's clock on by ``delta`` (a timedelta or seconds) plus the
        given days, hours, minutes and seconds, forget the answers fetched before (in memory
        and in the cache), and return the world's new ``now``. (An in-process demo client
        keeps its answers in a cache file of its own, so the real API's are never touched.)

        Raises:
            ConfigurationError: this client does not answer from an in-process demo world.
            ValueError: the step is negative.
        """
        if self._world is None:
            raise ConfigurationError("advance() moves the demo world's clock: it needs an "
                                     "in-process demo client, Client(demo=True)")
        now = self._world.advance(delta, days=days, hours=hours, minutes=minutes,
                                  seconds=seconds)
        self.clear_cache()
        return now

    # ----------------------------------------------------------------- the request path
    def fetch(
        self,
        path: str,
        params: dict[str, Any] | None = None,
        *,
        method: str = "GET",
        json: Any = None,
        refresh: bool = False,
    ) -> Fetched:
        """Request ``path`` (relative to the base URL, already encoded) and return the answer
        with its provenance.

        The memo and the cache answer first (costing no throttle token) unless ``refresh``
        is set; then the request goes out under the throttle, retried with backoff on 429,
        5xx, timeouts and dropped connections. When the API cannot answer, an expired cache
        entry is returned with a :class:`StaleDataWarning`.

        Raises:
            ApiError: the matching subclass for the API's error answer.
        """
        return self._path.answer(plan(self.base_url, path, params, method, json), refresh)

    # ----------------------------------------------------------------- operations, paging
    def get(self, path: str, params: dict[str, Any] | None = None, *,
            refresh: bool = False) -> Any:
        """Escape hatch for endpoints cocframes does not know yet: GET ``path`` (relative to
        the base URL, e.g. ``"/players/%232PP"``) and return the JSON payload."""
        if not path.startswith("/"):
            path = "/" + path
        return self.fetch(path, params, refresh=refresh).payload

    def call(self, operation: str, *, refresh: bool = False, json: Any = None,
             **args: Any) -> Fetched:
        """Run the official operation named ``operation`` (its spec ``operationId``).

        Path parameters are given by their spec names (``playerTag=...``); tags are
        normalised and validated first (a bad tag raises ``ValueError`` before any request).
        Other keyword arguments become query parameters.

        Raises:
            KeyError: an unknown operation. TypeError: a missing or unknown parameter.
        """
        return self._path.answer(plan_operation(self.base_url, operation, args, json),
                                 refresh)

    def call_with(self, operation: str, param: str, value: Any, **args: Any) -> Fetched:
        """Run ``operation`` with ``param=value`` (and ``args``): the one-argument form that
        bulk fetches want, e.g. ``client.many(partial(client.call_with, "getPlayer",
        "playerTag"), tags)``."""
        return self.call(operation, **{param: value}, **args)

    def pages(self, operation: str, *, max_items: int | None = None,
              page_size: int | None = None, refresh: bool = False,
              **args: Any) -> Iterator[Fetched]:
        """Yield the answers of a paged operation page by page, following ``after`` cursors
        to the end or until the pages hold ``max_items`` items (the last page may hold more:
        :meth:`paginate` trims it). ``limit``, the API's own name, is taken as ``page_size``.
        The arguments are checked before any request (see
        :meth:`cocframes.paging.Paging.check`)."""
        paging = Paging.check(operation, max_items, page_size, args)
        return paging.pages(self._path, self.base_url, refresh)

    def paginate(self, operation: str, *, max_items: int | None = None,
                 page_size: int | None = None, refresh: bool = False,
                 **args: Any) -> Iterator[dict[str, Any]]:
        """Yield the items of a paged operation, following ``after`` cursors to the end or
        until ``max_items`` items have been yielded (arguments as in :meth:`pages`)."""
        paging = Paging.check(operation, max_items, page_size, args)
        return items(paging.pages(self._path, self.base_url, refresh), max_items)

    # ----------------------------------------------------------------- bulk
    def many(self, func: Callable[[T], R], items: Iterable[T], *,
             progress: bool | None = None, description: str = "fetching") -> BulkResult[T, R]:
        """Run ``func`` on every item concurrently under the throttle and return the results
        in the order of ``items``; each failure is kept per item (``errors``, ``failures``).

        For this client's own one-tag methods (``client.get_player``,
        ``functools.partial(client.call_with, "getPlayer", "playerTag")``), answers in
        memory or fresh in the cache file are given in the calling thread and only the rest
        is sent from the pool; a user's function runs once per item in the pool. The whole
        fetch shares one retry budget (``max_retry_time``); the pool is sized to the keys'
        rate so that the throttle, not the pool, sets the pace.
        """
        items = list(items)
        workers = max(4, min(64, int(self.total_rate * 2)))
        show = self.progress if progress is None else progress
        bar = progress_bar(len(items), description, show)
        try:
            with call_budget(self.max_retry_time) as budget:
                prepare = self._bulk_preparer(func, budget)
                try:
                    return self._bulk.run(items, prepare, workers=workers, bar=bar)
                except BaseException:  # Ctrl-C: the threads send nothing more
                    budget.cancel()
                    raise
        finally:
            if bar is not None:
                bar.close()

    def _bulk_preparer(self, func: Callable[[T], R],
                       budget: RetryBudget) -> Callable[[T], Prepared[R]]:
        """Return how a bulk fetch prepares one item: for this client's one-tag methods,
        plan the request and answer it here when the memo or the cache can; otherwise run
        ``func`` in the pool."""
        planned = self._plan_of(func)
        if planned is None:
            return lambda item: functools.partial(func, item)
        plan_of_item, as_result = planned

        def prepare(item: T) -> Prepared[R]:
            request = plan_of_item(item)
            lookup = self._path.look_up(request)
            if lookup.fresh is not None:
                return Answered(as_result(lookup.fresh))
            return lambda: as_result(self._path.complete(request, lookup, budget))

        return prepare

    def _plan_of(self, func: Callable[..., Any]) -> tuple[Callable[[Any], Request],
                                                         Callable[[Fetched], Any]] | None:
        """Return (item → request, answer → result) for this client's one-tag methods and
        ``partial(client.call_with, operation, param)``, or ``None`` for anything else."""
        if isinstance(func, functools.partial) and _is_method_of(func.func, self, "call_with"):
            if len(func.args) != 2:
                return None
            operation, param = func.args
            extra = dict(func.keywords or {})
            if extra.pop("refresh", False) or "json" in extra:
                return None
            return (lambda item: plan_operation(self.base_url, operation, {param: item, **extra}),
                    lambda fetched: fetched)
        name = getattr(func, "__name__", "")
        op = _TAG_METHODS.get(name)
        if op is None or not _is_method_of(func, self, name):
            return None
        param = str(op.tag_param)  # a tag method's operation always has a tag parameter
        return (lambda item: plan_operation(self.base_url, op.name, {param: item}),
                lambda fetched: fetched.payload)

    # ----------------------------------------------------------------- cache
    def cache_info(self) -> _cache.CacheInfo:
        """Return the cache's path, size on disk and number of entries."""
        return _cache.cache_info(self.session)

    def clear_cache(self) -> None:
        """Delete every cached answer, in memory and on disk, and shrink the cache file."""
        _cache.clear_cache(self.session)
        self._path.forget()

    def _clear_memo(self) -> None:
        """Forget the answers kept in memory (the cache file is left alone)."""
        self._path.forget()

    def close(self) -> None:
        """Close the HTTP session, its cache connections and the bulk fetches' threads."""
        self._bulk.close()
        self.session.close()
        if self._portal_session is not None:
            self._portal_session.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _is_method_of(func: Any, client: Client, name: str) -> bool:
    return getattr(func, "__self__", None) is client and getattr(func, "__name__", "") == name


__all__ = ["BulkResult", "Client", "Fetched", "StaleDataWarning", "Stats", "method_name"]

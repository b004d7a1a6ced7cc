"""cocframes: the Clash of Clans API as tidy pandas DataFrames, for Jupyter.

One call, one frame::

    import cocframes as cf
    cf.demo()                      # the offline demo world; or set $COC_API_TOKEN
    cf.members("#992JPJY20")       # one row per clan member

The frame functions (``members``, ``players``, ``units``, ``war``, ``cwl``, ``participation``,
``rankings``...) use the default client (:func:`get_client`) unless given ``client=``;
:class:`Client` is the lower layer with one method per API operation.

History (:mod:`cocframes.tracking`): ``track`` / ``watch`` store what changed in a history file;
``changes``, ``season``, ``war_history``, ``legend_days`` and ``history`` read it back.
"""

from cocframes import demo
from cocframes.api import (
    CallableDemoModule,
    CwlFrames,
    RaidFrames,
    WarFrames,
    achievements,
    battle_log,
    clans,
    connect,
    cwl,
    get_client,
    labels,
    league_history,
    leagues,
    legend_rankings,
    locations,
    login,
    members,
    participation,
    players,
    raids,
    rankings,
    search_clans,
    set_client,
    units,
    use_demo,
    war,
    war_attacks,
    war_log,
    war_members,
)
from cocframes.client import BulkResult, Client, Fetched, StaleDataWarning, Stats
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
    NotInLeagueError,
    OfflineCacheMissError,
    PrivateWarLogError,
    ServerError,
    ThrottledError,
)
from cocframes.keys import (
    InvalidCredentialsError,
    IpDetectionError,
    KeyLimitError,
    KeyManager,
    KeyStore,
    PortalError,
    PortalUnavailableError,
)
from cocframes.tags import normalize_tag
from cocframes.tracking import (
    EVENT_KINDS,
    HistoryStore,
    Watcher,
    changes,
    history,
    legend_days,
    open_history,
    season,
    track,
    war_history,
    watch,
)

demo.__class__ = CallableDemoModule  # `cocframes.demo()` switches to the demo world

__all__ = [
    "EVENT_KINDS",
    "AccessDeniedError",
    "ApiError",
    "BadRequestError",
    "BulkResult",
    "Client",
    "CocError",
    "ConfigurationError",
    "CwlFrames",
    "Fetched",
    "HistoryStore",
    "InvalidCredentialsError",
    "InvalidIpError",
    "IpDetectionError",
    "KeyLimitError",
    "KeyManager",
    "KeyStore",
    "MaintenanceError",
    "NetworkError",
    "NotFoundError",
    "NotInLeagueError",
    "OfflineCacheMissError",
    "PortalError",
    "PortalUnavailableError",
    "PrivateWarLogError",
    "RaidFrames",
    "ServerError",
    "StaleDataWarning",
    "Stats",
    "ThrottledError",
    "WarFrames",
    "Watcher",
    "achievements",
    "battle_log",
    "changes",
    "clans",
    "connect",
    "cwl",
    "demo",
    "get_client",
    "history",
    "labels",
    "league_history",
    "leagues",
    "legend_days",
    "legend_rankings",
    "locations",
    "login",
    "members",
    "normalize_tag",
    "open_history",
    "participation",
    "players",
    "raids",
    "rankings",
    "search_clans",
    "season",
    "set_client",
    "track",
    "units",
    "use_demo",
    "war",
    "war_attacks",
    "war_history",
    "war_log",
    "war_members",
    "watch",
]
__version__ = "0.1.0"

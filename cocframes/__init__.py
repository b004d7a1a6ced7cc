"""cocframes: the Clash of Clans API as tidy pandas DataFrames, for Jupyter.

Start with ``Client(demo=True)`` for the offline demo world, or ``Client(token=...)`` /
``$COC_API_TOKEN`` for the real API.
"""

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
    OfflineCacheMissError,
    PrivateWarLogError,
    ServerError,
    ThrottledError,
)
from cocframes.tags import normalize_tag

__all__ = [
    "AccessDeniedError",
    "ApiError",
    "BadRequestError",
    "BulkResult",
    "Client",
    "CocError",
    "ConfigurationError",
    "Fetched",
    "InvalidIpError",
    "MaintenanceError",
    "NetworkError",
    "NotFoundError",
    "OfflineCacheMissError",
    "PrivateWarLogError",
    "ServerError",
    "StaleDataWarning",
    "Stats",
    "ThrottledError",
    "normalize_tag",
]
__version__ = "0.1.0"

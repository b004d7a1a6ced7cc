"""cocframes: the Clash of Clans API as tidy pandas DataFrames, for Jupyter.

Start with ``Client(demo=True)`` for the offline demo world, or ``Client(token=...)`` /
``$COC_API_TOKEN`` for the real API.
"""

from cocframes import demo
from cocframes.api import CallableDemoModule, get_client, login, set_client, use_demo
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

demo.__class__ = CallableDemoModule  # `cocframes.demo()` switches to the demo world

__all__ = [
    "AccessDeniedError",
    "ApiError",
    "BadRequestError",
    "BulkResult",
    "Client",
    "CocError",
    "ConfigurationError",
    "Fetched",
    "InvalidCredentialsError",
    "InvalidIpError",
    "IpDetectionError",
    "KeyLimitError",
    "KeyManager",
    "KeyStore",
    "MaintenanceError",
    "NetworkError",
    "NotFoundError",
    "OfflineCacheMissError",
    "PortalError",
    "PortalUnavailableError",
    "PrivateWarLogError",
    "ServerError",
    "StaleDataWarning",
    "Stats",
    "ThrottledError",
    "demo",
    "get_client",
    "login",
    "normalize_tag",
    "set_client",
    "use_demo",
]
__version__ = "0.1.0"

"""Typed exceptions: one class per error reason of the API, each with a one-line remedy.

The API answers errors as JSON ``{"reason": ..., "message": ...}``. :func:`error_for` turns such
an answer into the matching exception, so no caller ever sees an error dict.
"""

from __future__ import annotations

from typing import Any, ClassVar


class CocError(Exception):
    """Base class of every error cocframes raises about the API or its own set-up."""


class ConfigurationError(CocError):
    """The client was set up without what it needs (e.g. no token outside demo mode)."""


class ApiError(CocError):
    """An error answer of the API.

    Attributes:
        status: HTTP status code (0 when no answer arrived at all).
        reason: the API's ``reason`` field, e.g. ``"notFound"``.
        message: the API's ``message`` field, or a description of the failure.
        endpoint: the path that was requested, e.g. ``"/players/%232PP"``.
    """

    remedy: ClassVar[str] = "See the message above."

    def __init__(self, status: int, reason: str, message: str = "", endpoint: str = "") -> None:
        self.status = status
        self.reason = reason
        self.message = message or ""
        self.endpoint = endpoint
        super().__init__(self._text())

    def _text(self) -> str:
        where = f" on {self.endpoint}" if self.endpoint else ""
        detail = f": {self.message.rstrip('.')}" if self.message else ""
        return f"{self.status} {self.reason}{where}{detail}. {self.remedy}"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.status, self.reason, self.message, self.endpoint))


class BadRequestError(ApiError):
    """400 ``badRequest``: a parameter the API did not accept."""

    remedy = "Check the parameters of the call (names, ids, limits)."


class AccessDeniedError(ApiError):
    """403 ``accessDenied``: the token is invalid, or the resource is private."""

    remedy = (
        "If this is a clan's war data, its war log is private; otherwise check that the token "
        "is a valid Clash of Clans API key."
    )


class PrivateWarLogError(AccessDeniedError):
    """403 ``accessDenied`` on a clan's war endpoints: the clan keeps its war log private."""

    remedy = "The clan's war log is private; a leader can make it public in the clan settings."


class InvalidIpError(AccessDeniedError):
    """403 ``accessDenied.invalidIp``: the key is not bound to the IP address the call came from."""

    remedy = (
        "Create a key for this IP at https://developer.clashofclans.com, or log in with "
        "COC_EMAIL / COC_PASSWORD so cocframes manages keys for you."
    )


class NotFoundError(ApiError):
    """404 ``notFound``: no player, clan, war or resource with that identifier."""

    remedy = "Check the tag or id; tags are case-insensitive and look like #2PP."


class NotInLeagueError(NotFoundError):
    """404 ``notFound`` on a clan's CWL group although the clan exists: the clan is not in a
    Clan War League group this season."""

    remedy = (
        "It did not sign up, or its league has not started yet or is over (CWL runs in the "
        "first days of each month); cf.war_attacks / cf.war_members show its regular war, "
        "cf.war_log its past wars."
    )


class ThrottledError(ApiError):
    """429 ``requestThrottled``: still throttled after every retry."""

    remedy = "Lower the client's rate (rate=...) or add more keys."


class ServerError(ApiError):
    """500 ``unknownException`` or another 5xx answer from the API."""

    remedy = "The API failed; try again later."


class MaintenanceError(ServerError):
    """503 ``inMaintenance``: the API is in maintenance."""

    remedy = "The game is in maintenance; try again when it is over (usually under an hour)."


class NetworkError(ApiError):
    """No answer: a timeout or a dropped or refused connection, after every retry."""

    remedy = "Check the network connection and the base URL."


class RetryBudgetError(ApiError):
    """Not sent: the call's retry budget (``max_retry_time``) was spent by the failures of
    its other requests, so this one was given up before it went out."""

    remedy = ("The API kept failing (see the other failures of this call); try again later, "
              "or give the client a larger max_retry_time.")

    @classmethod
    def spent(cls, budget: Any, endpoint: str) -> RetryBudgetError:
        """The error for a request given up because its call's ``budget`` (a
        :class:`~cocframes.sending.RetryBudget`) was spent or cancelled."""
        if budget.cancelled:
            return cls(0, "callCancelled", "not sent: the call was interrupted", endpoint)
        return cls(0, "retryBudgetSpent",
                   f"not sent: no request of this call succeeded for {budget.seconds:g} s "
                   "(max_retry_time)", endpoint)


class OfflineCacheMissError(ApiError):
    """Offline mode asked for something the cache does not hold."""

    remedy = "Fetch it once online, or turn offline mode off."


_BY_REASON: dict[str, type[ApiError]] = {
    "badRequest": BadRequestError,
    "accessDenied": AccessDeniedError,
    "accessDenied.invalidIp": InvalidIpError,
    "notFound": NotFoundError,
    "requestThrottled": ThrottledError,
    "unknownException": ServerError,
    "inMaintenance": MaintenanceError,
}

_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequestError,
    403: AccessDeniedError,
    404: NotFoundError,
    429: ThrottledError,
    503: MaintenanceError,
}

_WAR_PATH_PARTS = ("/warlog", "/currentwar")


def error_for(status: int, payload: Any, endpoint: str = "") -> ApiError:
    """Return the exception for an API error answer.

    Args:
        status: the HTTP status.
        payload: the decoded JSON body (a dict with ``reason``/``message``), or anything else
            when the body was not JSON.
        endpoint: the requested path, kept on the exception and shown in its text.
    """
    reason = message = ""
    if isinstance(payload, dict):
        reason = str(payload.get("reason") or "")
        message = str(payload.get("message") or "")
    cls = _BY_REASON.get(reason) or _BY_STATUS.get(status)
    if cls is None:
        cls = ServerError if status >= 500 else ApiError
    if cls is AccessDeniedError and any(part in endpoint for part in _WAR_PATH_PARTS):
        cls = PrivateWarLogError
    return cls(status, reason or f"http{status}", message, endpoint)

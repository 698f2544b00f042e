"""The one exception tree of riskloop.

::

    RiskloopError                  base; every error we raise on purpose
    ├── ConfigError                bad settings, unknown plugin names or keys
    ├── ValidationError            bad input value; names the field and the problem
    │   └── IdentifierError        malformed credit code, resident ID, phone ...
    ├── DataSourceError            a file, table or source that cannot be read
    │   └── IngestError            an input that cannot be ingested at all (unreadable, wrong format)
    ├── StorageError               the database or warehouse refused an operation (or is down, or a lock
    │                              could not be taken within its bounded wait)
    ├── NotFoundError              a named thing does not exist
    ├── ConflictError              the request contradicts stored state (reused idempotency key, held lease,
    │                              illegal state transition, published version changed)
    ├── ForbiddenError             the actor may not do this (four-eyes: an author approving their own change,
    │                              a key without the role a route needs, a body naming someone else)
    ├── UnauthenticatedError       no valid credentials: a missing, unknown or revoked API key
    └── LimitError                 a request over one of the service's limits
        ├── TooLargeError          a body over the size limit
        ├── OverloadedError        more requests in flight than a worker takes: shed, retry later
        └── ThrottledError         too many attempts of one kind (a code resent too soon): retry after a wait

Entry points (CLI, API) map this tree to exit codes / HTTP statuses in exactly one place each.
"""

from __future__ import annotations


class RiskloopError(Exception):
    """Base of every error riskloop raises on purpose."""


class ConfigError(RiskloopError):
    """Invalid configuration: unknown key, unknown plugin name, bad value."""


class ValidationError(RiskloopError):
    """A value is invalid; ``field`` names where, the message says what is wrong."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class IdentifierError(ValidationError):
    """A malformed identifier (credit code, resident ID, phone number ...)."""


class DataSourceError(RiskloopError):
    """A data source (file, table, connector) cannot be read."""


class IngestError(DataSourceError):
    """An input cannot be ingested at all (as opposed to single bad rows, which are quarantined)."""


class StorageError(RiskloopError):
    """The database or analytical warehouse refused an operation."""


class NotFoundError(RiskloopError):
    """A named object does not exist."""


class ConflictError(RiskloopError):
    """The request contradicts stored state; ``field`` names what conflicts (a header, a state)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class ForbiddenError(RiskloopError):
    """The actor is not allowed to do this (for example, approving a change they authored).

    ``field`` names what was refused when there is one (the ``Authorization`` header, a body's ``actor``).
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class UnauthenticatedError(RiskloopError):
    """The request carries no valid credentials (a missing, unknown or revoked API key)."""

    field = "Authorization"


class LimitError(RiskloopError):
    """A request over one of the service's limits."""


class TooLargeError(LimitError):
    """A request body over the size limit; ``limit`` is that limit in bytes."""

    field = "body"

    def __init__(self, limit: int) -> None:
        super().__init__(f"body: larger than the limit of {limit} bytes")
        self.limit = limit


class OverloadedError(LimitError):
    """The worker already serves as many requests as it takes; this one was shed without being read."""

    def __init__(self, in_flight: int) -> None:
        super().__init__(f"overloaded: {in_flight} requests in flight, the most this worker takes; retry later")
        self.in_flight = in_flight


class ThrottledError(LimitError):
    """Too many requests of one kind for one subject (an SMS code resent too soon); retry after ``retry_after`` s."""

    def __init__(self, field: str, problem: str, retry_after: int) -> None:
        super().__init__(f"{field}: {problem}; retry after {retry_after} s")
        self.field = field
        self.retry_after = max(1, retry_after)

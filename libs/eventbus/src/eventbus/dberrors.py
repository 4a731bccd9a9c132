"""Which database errors pass by waiting, told by PostgreSQL's SQLSTATE rather than by the class
psycopg maps it to: psycopg makes a statement timeout (57014) and a program limit (54000) an
OperationalError, as it does a lost connection, yet no retry will ever see those two succeed."""

import sqlalchemy as sa

# Classes of SQLSTATE that are the moment's fault, not the message's: connection exceptions (08),
# serialization failures and deadlocks (40), insufficient resources such as a full disk or too
# many connections (53).
TRANSIENT_CLASSES = frozenset({"08", "40", "53"})
TRANSIENT_STATES = frozenset(
    {
        "55P03",  # lock_not_available: a lock timeout; the holder lets go
        "57P01",  # admin_shutdown
        "57P02",  # crash_shutdown
        "57P03",  # cannot_connect_now: starting up or in recovery
        "57P05",  # idle_session_timeout: a new connection does
    }
)


def passes_by_waiting(exc: BaseException) -> bool:
    """True for a database that is away or busy; False for anything else (22 data exception,
    23 integrity, 42 syntax or access, 54 program limit, 57014 query_canceled, and errors that
    are not the database's), which a consumer retries a few times and then dead-letters."""
    if isinstance(exc, sa.exc.DisconnectionError | sa.exc.TimeoutError):  # the pool's own
        return True
    if not isinstance(exc, sa.exc.DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    state = getattr(exc.orig, "sqlstate", None)
    if state is None:  # no answer from a server at all: refused, reset, closed
        return isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError)
    return state[:2] in TRANSIENT_CLASSES or state in TRANSIENT_STATES

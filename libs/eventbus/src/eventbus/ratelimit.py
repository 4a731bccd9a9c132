"""Per-client rate limits that every gunicorn worker (and every copy of a service) shares: the counts
live in the service's own PostgreSQL, a row per limit, client and minute, in an unlogged table (a
count lost in a crash costs nothing). A refusal is 429 problem+json with Retry-After."""

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

import sqlalchemy as sa
from flask import Response, request
from sqlalchemy.dialects.postgresql import insert

from eventbus.http import Problem, problem_response

WINDOW_SECONDS = 60


def rate_counts_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        "rate_counts",
        metadata,
        sa.Column("window", sa.BigInteger, primary_key=True),  # minutes since the epoch
        sa.Column("bucket", sa.Text, primary_key=True),  # the limit's name and the client
        sa.Column("hits", sa.Integer, nullable=False),
        prefixes=["UNLOGGED"],
    )


def trusted_proxies() -> int:
    """How many reverse proxies in front of the service write the client's address into
    X-Forwarded-For (XUDONG_TRUSTED_PROXIES; none by default, when the header is not believed)."""
    return int(os.environ.get("XUDONG_TRUSTED_PROXIES", 0))


def client_address(trusted_proxies: int) -> str:
    """Who is asking: the peer, or, behind `trusted_proxies` reverse proxies, the address the
    outermost of them saw (what a client writes into X-Forwarded-For itself is not believed)."""
    forwarded = [a.strip() for a in request.headers.get("X-Forwarded-For", "").split(",") if a.strip()]
    if trusted_proxies and len(forwarded) >= trusted_proxies:
        return forwarded[-trusted_proxies]
    return request.remote_addr or "unknown"


@dataclass(frozen=True)
class RateLimits:
    """Counts of what each client did this minute, in `table` of the database behind `engine`."""

    engine: sa.Engine
    table: sa.Table
    trusted_proxies: int

    def _bucket(self, name: str) -> tuple[str, int]:
        return f"{name}:{client_address(self.trusted_proxies)}", int(time.time() // WINDOW_SECONDS)

    def hit(self, name: str) -> int:
        """One more for this client under `name`; how many it has this minute. The first of a minute
        clears the minutes before it, so the table holds about one row per active client."""
        bucket, window = self._bucket(name)
        t = self.table
        add = insert(t).values(window=window, bucket=bucket, hits=1)
        add = add.on_conflict_do_update(index_elements=[t.c.window, t.c.bucket], set_={"hits": t.c.hits + 1})
        with self.engine.begin() as conn:
            hits = int(conn.execute(add.returning(t.c.hits)).scalar_one())
        if hits == 1:
            old = (
                sa.select(t.c.window, t.c.bucket).where(t.c.window < window).with_for_update(skip_locked=True)
            )
            with self.engine.begin() as conn:  # apart, and waiting for nobody: it only tidies
                conn.execute(t.delete().where(sa.tuple_(t.c.window, t.c.bucket).in_(old)))
        return hits


def _too_many(name: str, per_minute: int) -> Response:
    wait = WINDOW_SECONDS - int(time.time()) % WINDOW_SECONDS
    detail = f"At most {per_minute} {name} a minute from one client; try again in {wait} s."
    return problem_response(Problem(429, "Too Many Requests", detail, headers={"Retry-After": str(wait)}))


View = Callable[..., Any]


def limit_calls(
    limits: Callable[[], RateLimits], name: str, per_minute: Callable[[], int]
) -> Callable[[View], View]:
    """A view a client may call `per_minute` times a minute."""

    def decorator(view: View) -> View:
        @wraps(view)
        def limited(**kwargs: Any) -> Any:
            allowed = per_minute()
            if limits().hit(name) > allowed:
                return _too_many(name, allowed)
            return view(**kwargs)

        return limited

    return decorator


def limit_misses(
    limits: Callable[[], RateLimits], name: str, per_minute: Callable[[], int], miss: type[Exception]
) -> Callable[[View], View]:
    """A view whose misses (`miss` raised) a client may make `per_minute` times a minute; the misses
    after those are refused. What it finds is always answered: many people share one address (a
    carrier's NAT, an office's proxy), and one guesser among them must not lock out the owners of
    valid tokens, while a guess, unguessable as our tokens and codes are, is still only a miss."""

    def decorator(view: View) -> View:
        @wraps(view)
        def limited(**kwargs: Any) -> Any:
            try:
                return view(**kwargs)
            except miss:
                allowed = per_minute()
                if limits().hit(name) > allowed:
                    return _too_many(name, allowed)
                raise

        return limited

    return decorator

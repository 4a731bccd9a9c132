"""Hold decisions on one hot event, next to a minimal Flask + SQLAlchemy endpoint, same run.

Holds: `POST /v1/orders` for one place of the one general-admission ticket type of one published
event, each request from another buyer (so that the per-buyer cap never answers), against the booking
service as the stack runs it (gunicorn, XUDONG_GUNICORN_WORKERS sync workers, relay and worker up).
Minimal: `bench/minimal_app.py` under the same gunicorn settings and worker count, one conditional
UPDATE of one counter row in a fresh database on the same PostgreSQL.

A decision is an answer 201 (held) or 409 (sold out). Each round drives each endpoint with the same
closed-loop clients (`bench/load.py`) for WARM_UP + SECONDS and counts the last SECONDS; rounds
alternate which endpoint goes first. Medians over ROUNDS rounds are reported."""

import os
from collections import Counter
from dataclasses import dataclass

from bench import hot_event, load, minimal_app
from xudong.stack import Stack

ROUNDS = 3
SECONDS = 10.0
WARM_UP = 2.0
PROCESSES, THREADS = 2, 8  # 16 clients in all
QUOTA = 200_000  # the most a ticket type may sell: no round comes near selling out
DECIDED = (201, 409)
COUNTER_ID = 1
MINIMAL = "minimal Flask + SQLAlchemy, one conditional UPDATE"
HOLDS = "POST /v1/orders, one hot event"


def _load(port: int, request: load.Requests) -> load.Load:
    """The same clients, warm-up and window for both endpoints."""
    return load.Load(port, request, processes=PROCESSES, threads=THREADS, warm_up=WARM_UP, seconds=SECONDS)


@dataclass
class MinimalEndpoint:
    served: minimal_app.Served
    database_url: str

    @classmethod
    def start(cls, stack: Stack) -> "MinimalEndpoint":
        name = "bench_minimal"
        stack.create_database(name)
        url = stack.database_url(name)
        minimal_app.prepare(url, COUNTER_ID, 1_000_000_000)
        return cls(minimal_app.serve(stack, url, load.api_workers()), url)

    def load(self) -> load.Load:
        take = load.Request("POST", f"/counters/{COUNTER_ID}/take", {})
        return _load(self.served.port, lambda client, n: take)

    def taken(self) -> int:
        return minimal_app.taken(self.database_url, COUNTER_ID)


def holds_load(stack: Stack, event: hot_event.HotEvent, round_: int) -> load.Load:
    def order(client: int, n: int) -> load.Request:
        body = {
            "event_id": event.id,
            "email": f"buyer-r{round_}-c{client}-n{n}@example.vn",  # a new buyer each time
            "items": [{"ticket_type_id": event.ticket_type_id, "quantity": 1}],
        }
        return load.Request("POST", "/v1/orders", body)

    return _load(stack.ports.booking, order)


def _answers(outcomes: list[load.Outcome]) -> Counter[int]:
    return sum((o.all_statuses for o in outcomes), Counter())


def _answers_cell(outcomes: list[load.Outcome], counted: int, where: str) -> str:
    """Every answer of every round, warm-up included, and the places the store says were taken."""
    seen = _answers(outcomes)
    others = ", ".join(
        f"{n:,} × {'no answer' if s == load.ERROR else s}"
        for s, n in sorted(seen.items())
        if s not in DECIDED
    )
    return (
        f"{seen[201]:,} × 201, {seen[409]:,} × 409, {others or '0 errors'}; {counted:,} places taken {where}"
    )


def _rows(outcomes: dict[str, list[load.Outcome]], counted: dict[str, int]) -> list[tuple[str, str, str]]:
    rows = load.rows_next_to_baseline(
        outcomes, MINIMAL, HOLDS, ("decisions/s", "hold decisions/s"), PROCESSES * THREADS
    )
    rows.append(
        (MINIMAL, "answers, all rounds", _answers_cell(outcomes[MINIMAL], counted[MINIMAL], "in its table"))
    )
    rows.append(
        (HOLDS, "answers, all rounds", _answers_cell(outcomes[HOLDS], counted[HOLDS], "by availability"))
    )
    return rows


def _show(path: str, outcome: load.Outcome) -> None:
    errors = outcome.errors(DECIDED)
    print(
        f"  {path}: {outcome.rate:,.0f}/s, p50 {outcome.p(50) * 1000:.1f} ms, "
        f"p99 {outcome.p(99) * 1000:.1f} ms, {errors} errors",
        flush=True,
    )


def run(stack: Stack) -> list[tuple[str, str, str]]:
    """Rows of the benchmark table; starts the services and stops them again when done."""
    # every hold comes from this one machine: the per-client limit on orders counts, never refuses
    os.environ.setdefault("BOOKING_HOLDS_PER_MINUTE", str(10**9))
    stack.start_services()
    minimal = None
    try:
        event = hot_event.on_sale(stack, QUOTA)
        minimal = MinimalEndpoint.start(stack)
        outcomes: dict[str, list[load.Outcome]] = {MINIMAL: [], HOLDS: []}
        for round_ in range(ROUNDS):
            print(f"holds round {round_ + 1}/{ROUNDS}", flush=True)
            loads = {MINIMAL: minimal.load(), HOLDS: holds_load(stack, event, round_)}
            for path in (MINIMAL, HOLDS) if round_ % 2 == 0 else (HOLDS, MINIMAL):
                outcome = load.run(loads[path], DECIDED)
                outcomes[path].append(outcome)
                _show(path, outcome)
        counted = {MINIMAL: minimal.taken(), HOLDS: hot_event.places_taken(stack, event)}
        return _rows(outcomes, counted)
    finally:
        if minimal is not None:
            minimal.served.process.stop()
        stack.stop_services()

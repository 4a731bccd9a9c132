"""The library's rules that need no broker or database."""

import threading
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import marshmallow as ma
import pytest
import sqlalchemy as sa
from flask import Flask
from kafka.errors import CommitFailedError, KafkaConnectionError, KafkaError, KafkaTimeoutError
from kafka.structs import TopicPartition

from eventbus.consumer import ConsumerLoop
from eventbus.envelope import Envelope, InvalidEnvelope, new_event
from eventbus.fields import Line, Paragraphs
from eventbus.kafka import LazyProducer
from eventbus.logs import correlation_id
from eventbus.outbox import (
    EventType,
    InvalidEvent,
    Outbox,
    dead_letters_table,
    outbox_table,
    processed_events_table,
)
from eventbus.ratelimit import client_address
from eventbus.relay import Relay
from eventbus.settings import UnsafeSecret, secret


def test_an_envelope_survives_the_wire_unchanged() -> None:
    event = new_event("venues", "venues.area.created", "a1", {"name": "Chèo"})
    assert Envelope.from_bytes(event.to_bytes()) == event
    assert event.specversion == "1.0"


def test_an_event_caused_by_another_carries_its_correlation_and_causation() -> None:
    cause = new_event("booking", "booking.x", "b1", {})
    effect = new_event("venues", "venues.y", "s1", {}, cause=cause)
    assert (effect.correlationid, effect.causationid) == (cause.correlationid, cause.id)


def test_an_event_made_during_a_request_carries_the_request_correlation_id() -> None:
    token = correlation_id.set("corr-123")
    try:
        assert new_event("venues", "t", "s", {}).correlationid == "corr-123"
    finally:
        correlation_id.reset(token)


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\xff\xfe",
        b"[]",
        b'{"type": "x"}',
        b'{"source":"s","type":"t","subject":"s","data":[],"correlationid":"c"}',
        b'{"source":"s","type":"t","subject":"s","data":{},"correlationid":"c","id":"not-a-uuid"}',
    ],
)
def test_bytes_that_are_not_an_envelope_are_refused(raw: bytes) -> None:
    with pytest.raises(InvalidEnvelope):
        Envelope.from_bytes(raw)


class Named(ma.Schema):
    name = ma.fields.String(required=True)


def test_an_event_that_fails_its_own_schema_is_never_staged() -> None:
    import sqlalchemy as sa

    class Recorder:
        def __init__(self) -> None:
            self.executed: list[object] = []

        def execute(self, statement: object, parameters: object) -> None:
            self.executed.append((statement, parameters))

    conn = Recorder()
    outbox = Outbox("venues", outbox_table(sa.MetaData()), {"t.named": EventType("t", Named())})
    with pytest.raises(InvalidEvent) as refused:
        outbox.add(conn, "t.named", "s1", {"nom": "x"})  # type: ignore[arg-type]
    assert "name" in refused.value.errors
    assert conn.executed == []
    outbox.add(conn, "t.named", "s1", {"name": "x"})  # type: ignore[arg-type]
    assert len(conn.executed) == 1


def test_a_log_line_is_json_with_the_service_and_correlation_id() -> None:
    import json
    import logging

    from eventbus.logs import JsonFormatter

    record = logging.LogRecord("x", logging.INFO, __file__, 1, "relay started", None, None)
    record.fields = {"batch": 3}
    token = correlation_id.set("corr-log")
    try:
        line = json.loads(JsonFormatter("venues").format(record))
    finally:
        correlation_id.reset(token)
    assert (line["service"], line["correlation_id"], line["message"], line["batch"]) == (
        "venues",
        "corr-log",
        "relay started",
        3,
    )


@pytest.mark.parametrize(
    "trusted, forwarded, client",
    [
        (0, "203.0.113.9", "127.0.0.1"),  # no proxy before us: the header is the client's own words
        (1, None, "127.0.0.1"),  # nothing forwarded: the peer
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "1.2.3.4, 203.0.113.9", "203.0.113.9"),  # what the client wrote first is not believed
        (2, "1.2.3.4, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (2, "203.0.113.9", "127.0.0.1"),  # fewer hops than proxies: the peer
    ],
)
def test_the_client_a_rate_limit_counts_is_the_address_the_trusted_proxies_saw(
    trusted: int, forwarded: str | None, client: str
) -> None:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    with Flask(__name__).test_request_context(headers=headers, environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        assert client_address(trusted) == client


@pytest.mark.parametrize(
    "sqlstate, waits",
    [
        ("08006", True),  # connection_failure
        ("40001", True),  # serialization_failure
        ("40P01", True),  # deadlock_detected
        ("53300", True),  # too_many_connections
        ("57P01", True),  # admin_shutdown
        ("57P03", True),  # cannot_connect_now
        ("57014", False),  # query_canceled: a statement timeout
        ("54000", False),  # program_limit_exceeded
        ("22001", False),  # string_data_right_truncation
        ("23505", False),  # unique_violation
        ("42P01", False),  # undefined_table
    ],
)
def test_a_database_error_waits_or_is_the_messages_own_by_its_sqlstate(sqlstate: str, waits: bool) -> None:
    import psycopg
    import sqlalchemy as sa

    from eventbus.dberrors import passes_by_waiting

    error = psycopg.errors.lookup(sqlstate)()
    wrapped = sa.exc.DBAPIError.instance("SELECT 1", {}, error, psycopg.Error)
    assert passes_by_waiting(wrapped) is waits
    assert passes_by_waiting(RuntimeError("not the database's")) is False


def test_a_connection_refused_before_any_answer_waits() -> None:
    import psycopg
    import sqlalchemy as sa

    from eventbus.dberrors import passes_by_waiting

    refused = psycopg.OperationalError("connection failed: Connection refused")
    assert passes_by_waiting(sa.exc.DBAPIError.instance("SELECT 1", {}, refused, psycopg.Error))


def test_calendar_text_breaks_no_content_line_whatever_the_line_breaks_it_holds() -> None:
    from datetime import UTC, datetime

    from eventbus.ical import CalendarEvent, calendar

    at = datetime(2027, 1, 12, 1, 30, tzinfo=UTC)
    summary = "Chèo\rđêm\r\nhội\u2028làng\x0bxuân\x00, 2027; A\\B"
    document = calendar("t", [CalendarEvent("u1", at, at, summary)], at, name="Lịch\rphòng")
    lines = document.split("\r\n")
    assert "\r" not in "".join(lines) and "\n" not in "".join(lines) and "\x00" not in document
    assert "SUMMARY:Chèo\\nđêm\\nhội\\nlàng\\nxuân\\, 2027\\; A\\\\B" in lines
    assert "X-WR-CALNAME:Lịch\\nphòng" in lines


class Titled(ma.Schema):
    title = Line(required=True)
    description = Paragraphs(load_default="")


@pytest.mark.parametrize("bad", ["\x0b", "\r", "\n", "\t", "\u2028", "\u2029", "\x85", "\x1b", "\x7f"])
def test_a_one_line_text_field_refuses_control_characters_and_line_separators(bad: str) -> None:
    with pytest.raises(ma.ValidationError) as refused:
        Titled().load({"title": f"Đêm{bad}Chèo"})
    assert list(refused.value.messages) == ["title"]


def test_text_of_several_lines_keeps_newlines_and_tabs_and_refuses_other_control_characters() -> None:
    loaded = Titled().load({"title": "Chèo", "description": "Dòng một\r\nDòng\thai\n"})
    assert loaded["description"] == "Dòng một\nDòng\thai\n"
    for bad in ("\r", "\x0b", "\u2028", "\x00"):
        with pytest.raises(ma.ValidationError) as refused:
            Titled().load({"title": "Chèo", "description": f"a{bad}b"})
        assert list(refused.value.messages) == ["description"]


def test_text_bound_for_a_header_is_one_line() -> None:
    from eventbus.text import one_line

    assert one_line(" Múa\x0brối\r\n\u2028nước\x00 ") == "Múa rối nước"


@pytest.mark.parametrize("sqlstate, status", [("08006", 503), ("53300", 503), ("57014", 500), ("54000", 500)])
def test_a_request_is_told_to_come_back_only_when_the_database_is_away_or_busy(
    sqlstate: str, status: int
) -> None:
    import psycopg
    import sqlalchemy as sa

    from eventbus.http import Api, create_service_app
    from eventbus.runtime import Plumbing, Runtime
    from eventbus.settings import Settings

    api = Api("t")

    @api.route("/v1/fails", "GET", responses={200: None})
    def fails() -> None:
        """Meets a database error."""
        raise sa.exc.DBAPIError.instance("SELECT 1", {}, psycopg.errors.lookup(sqlstate)(), psycopg.Error)

    settings = Settings("t", "postgresql+psycopg://x@127.0.0.1:1/x", "127.0.0.1:1")
    runtime = Runtime(settings, Plumbing.on(sa.MetaData()), {})
    answer = create_service_app(runtime, "t", [api]).test_client().get("/v1/fails")
    assert (answer.status_code, answer.content_type) == (status, "application/problem+json")
    assert ("Retry-After" in answer.headers) is (status == 503)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"XUDONG_ENV": "development"}, "dev-value"),
        ({"XUDONG_ENV": "development", "S": "dev-value"}, "dev-value"),
        ({"XUDONG_ENV": "development", "S": "own"}, "own"),
        ({"S": "own"}, "own"),
        ({"XUDONG_ENV": "production", "S": "own"}, "own"),
    ],
)
def test_a_secret_falls_back_on_its_development_value_only_in_development(
    env: dict[str, str], expected: str
) -> None:
    assert secret(env, "S", "dev-value") == expected


@pytest.mark.parametrize(
    "env", [{}, {"S": ""}, {"S": "dev-value"}, {"XUDONG_ENV": "Development", "S": "dev-value"}]
)
def test_a_missing_or_development_secret_stops_the_start_outside_development(env: dict[str, str]) -> None:
    with pytest.raises(UnsafeSecret, match="set S to a secret of your own"):
        secret(env, "S", "dev-value")


class Broker:
    """A consumer as kafka-python gives one while the broker restarts: refused at first (when
    made, or when polled), then answering; the loop is told to stop once it answered."""

    def __init__(self, stop: threading.Event, at_make: list[Exception], at_poll: list[Exception]) -> None:
        self.stop, self.at_make, self.at_poll, self.polls, self.closed = stop, at_make, at_poll, 0, False

    def made(self) -> "Broker":
        if self.at_make:
            raise self.at_make.pop(0)
        return self

    def poll(self, timeout_ms: int) -> dict[str, list[object]]:
        self.polls += 1
        if self.at_poll:
            raise self.at_poll.pop(0)
        self.stop.set()
        return {}

    def close(self, autocommit: bool) -> None:
        self.closed = True

    def assignment(self) -> set[str]:
        return {"a partition"}


def consumer_loop(make: Callable[[], Any], **options: Any) -> ConsumerLoop:
    tables = sa.MetaData()
    processed, dead = processed_events_table(tables), dead_letters_table(tables)
    return ConsumerLoop("t", None, processed, dead, {}, make, lambda: None, **options)  # type: ignore[arg-type]


REFUSED = KafkaConnectionError("111 ECONNREFUSED")


@pytest.mark.parametrize(("at_make", "at_poll", "polls"), [([REFUSED], [], 1), ([], [REFUSED], 2)])
def test_a_broker_away_is_waited_for_and_does_not_end_the_worker(
    at_make: list[Exception], at_poll: list[Exception], polls: int
) -> None:
    """kafka-python raises KafkaConnectionError out of poll (and out of a new consumer) while the
    broker restarts; the worker waits and goes on instead of dying with it (it did, in a chaos
    run: the booking worker was gone when its own fault came)."""
    stop = threading.Event()
    broker = Broker(stop, list(at_make), list(at_poll))
    consumer_loop(broker.made).run(stop)
    assert (broker.polls, broker.closed, broker.at_make, broker.at_poll) == (polls, True, [], [])


def test_a_broker_error_that_waiting_cannot_mend_is_raised() -> None:
    stop = threading.Event()
    with pytest.raises(KafkaError, match="not retriable"):
        consumer_loop(Broker(stop, [], [KafkaError("not retriable")]).made).run(stop)


class Ungrouped:
    """Consumers as kafka-python 3.0.12 made one once: the first never in its group (no
    partition, however long it polls), the ones made after it given a partition at once; the
    loop is told to stop after `polls` polls in all."""

    def __init__(self, stop: threading.Event, polls: int) -> None:
        self.stop, self.left, self.made, self.closed = stop, polls, 0, 0

    def make(self) -> "Ungrouped":
        self.made += 1
        return self

    def poll(self, timeout_ms: int) -> dict[str, list[object]]:
        self.left -= 1
        if self.left == 0 or self.made > 1:
            self.stop.set()
        time.sleep(0.01)
        return {}

    def assignment(self) -> set[str]:
        return {"a partition"} if self.made > 1 else set()

    def close(self, autocommit: bool) -> None:
        self.closed += 1


@pytest.mark.parametrize(("rejoin_after", "made"), [(0.05, 2), (60.0, 1)])
def test_a_consumer_left_out_of_its_group_is_replaced_by_one_that_joins(
    rejoin_after: float, made: int
) -> None:
    """The notifications worker of a run polled for 25 minutes without a partition; the loop
    makes a new consumer once its own has had none for `rejoin_after` seconds. The control: with
    a longer wait than the test polls for, the first consumer stays."""
    stop = threading.Event()
    consumers = Ungrouped(stop, polls=30)
    consumer_loop(consumers.make, rejoin_after=rejoin_after).run(stop)
    assert consumers.made == made
    assert consumers.closed == made  # each consumer closed: the one left out, then the last


QUIET = TopicPartition("identity.events", 2)


class QuietPartition:
    """A consumer given one message at offset 7 of a partition that then stays quiet; its commits
    fail as `failures` say (the group's coordinator away, or a rebalance), then go through. The
    partition stays this member's unless `moves`; the loop is told to stop at the fourth poll."""

    def __init__(self, stop: threading.Event, failures: list[Exception], moves: bool) -> None:
        self.stop, self.failures, self.moves = stop, failures, moves
        self.polls, self.held, self.committed = 0, {QUIET}, list[dict[TopicPartition, int]]()

    def poll(self, timeout_ms: int) -> dict[TopicPartition, list[Any]]:
        self.polls += 1
        self.stop.set() if self.polls == 4 else None
        return {QUIET: [SimpleNamespace(offset=7)]} if self.polls == 1 else {}

    def assignment(self) -> set[TopicPartition]:
        return self.held

    def made(self) -> "QuietPartition":
        return self

    def commit(self, offsets: dict[TopicPartition, Any]) -> None:
        if self.failures:
            self.held = set() if self.moves else self.held
            raise self.failures.pop(0)
        self.committed.append({tp: meta.offset for tp, meta in offsets.items()})

    def close(self, autocommit: bool) -> None:
        pass


@pytest.mark.parametrize(
    ("failures", "moves", "committed"),
    [
        ([], False, [{QUIET: 8}]),
        ([KafkaTimeoutError("coordinator away")], False, [{QUIET: 8}]),
        ([KafkaTimeoutError("coordinator away")] * 2, False, [{QUIET: 8}]),
        ([CommitFailedError()], True, []),  # moved: its new member resumes from the last commit
    ],
)
def test_an_offset_whose_commit_failed_is_committed_again_while_the_partition_is_held(
    monkeypatch: pytest.MonkeyPatch, failures: list[Exception], moves: bool, committed: list[Any]
) -> None:
    """A failed commit was only logged: on a partition no later message came to, the group stayed
    behind the applied message for good (a chaos run: every group one message behind on
    identity.events, 30 s after a broker restart)."""
    stop = threading.Event()
    quiet = QuietPartition(stop, list(failures), moves)
    loop = consumer_loop(quiet.made)
    monkeypatch.setattr(loop, "handle_batch", lambda messages, stop: None)  # applied, as it were
    loop.run(stop)
    assert quiet.committed == committed


class Stuck:
    """A producer whose broker went away: what it sends times out, and so does its close (which
    flushes first)."""

    def send(self, topic: str, **message: Any) -> "Stuck":
        return self

    def get(self, timeout: float) -> None:
        raise KafkaTimeoutError("Timeout waiting for future")

    def close(self, timeout: float) -> None:
        raise KafkaTimeoutError("Timeout waiting for future")


def test_a_producer_whose_close_times_out_is_dropped_without_ending_anything() -> None:
    """The relay dropped its producer after a broker error and died of the close's own timeout (a
    chaos run: the booking relay gone, 1112 events waiting); the dead-letter producer kept a
    broken one."""
    relay = Relay(None, None, lambda: None)  # type: ignore[arg-type]
    relay._producer = Stuck()
    relay._reset()
    assert relay._producer is None
    made: list[Stuck] = []
    lazy = LazyProducer(lambda: made.append(Stuck()) or made[-1])
    for _ in range(2):
        with pytest.raises(KafkaTimeoutError):
            lazy.send("t", 1, value=b"x")
    assert len(made) == 2


@pytest.mark.parametrize(
    ("authorization", "asked"),
    [(None, "Bearer"), ("Basic eDp5", "Bearer"), ("Bearer not-a-jwt", 'Bearer error="invalid_token"')],
)
def test_a_401_says_what_to_send_and_why_the_token_sent_was_refused(
    authorization: str | None, asked: str
) -> None:
    """RFC 6750 §3: no 401 without WWW-Authenticate (the services answered a bare problem)."""
    from eventbus.http import Api, create_service_app
    from eventbus.runtime import Plumbing, Runtime
    from eventbus.settings import Settings

    api = Api("t")

    @api.route("/v1/mine", "GET", roles=("staff",), responses={200: None})
    def mine() -> None:
        """Staff only."""

    settings = Settings("t", "postgresql+psycopg://x@127.0.0.1:1/x", "127.0.0.1:1")
    app = create_service_app(Runtime(settings, Plumbing.on(sa.MetaData()), {}), "t", [api])
    headers = {"Authorization": authorization} if authorization else {}
    answer = app.test_client().get("/v1/mine", headers=headers)
    assert (answer.status_code, answer.content_type) == (401, "application/problem+json")
    assert answer.headers["WWW-Authenticate"] == asked

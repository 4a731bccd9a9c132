"""Outbox → relay → Kafka → consumer, next to raw kafka-python produce → consume, same broker, same run.

Throughput: N events of 1 KB. Raw: a producer sends them as fast as it can while a consumer in
another process receives them (first send → last receipt). Outbox: the N changes are committed
first, then the relay and worker processes start (relay start → last handler commit).
Latency: events paced at RATE/s for SECONDS; raw is send → receipt, outbox is the change's commit →
its handler's commit in the consumer. Each measure is repeated ROUNDS times; medians are reported."""

import multiprocessing
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa

from bench.stats import median, percentile
from eventbus.envelope import new_event
from eventbus.kafka import TopicSpec, consumer, ensure_topics, producer
from xudong.processes import Process
from xudong.stack import Stack

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "libs" / "eventbus" / "tests"))
import probe

PAYLOAD = 1024
N = 10_000
RATES = (300, 1_000)  # the target's rate, and one this machine sustains with room to spare
SECONDS = 10
ROUNDS = 3
PADDING = "x" * (PAYLOAD - 330)  # the envelope around it brings each message to about 1 KB


def _fresh_topic(stack: Stack, prefix: str) -> str:
    topic = f"bench.{prefix}.{uuid.uuid4().hex[:8]}"
    ensure_topics(stack.kafka_bootstrap, TopicSpec(topic, 6, 3_600_000).with_dlq())
    return topic


def _raw_receiver(bootstrap: str, topic: str, expected: int, ready: Any, out: Any) -> None:
    receiver = consumer(bootstrap, "bench-" + topic, [topic])
    while not receiver.assignment():
        receiver.poll(200)
    ready.set()
    latencies: list[float] = []
    last = 0.0
    while len(latencies) < expected:
        for records in receiver.poll(200).values():
            now = time.time()
            latencies.extend(now - float(r.value[:20].decode()) for r in records)
            last = now
    out.put((last, latencies))
    receiver.close()


def raw_round(stack: Stack, count: int, rate: float | None) -> tuple[float, list[float]]:
    """(events/s received, latencies) of plain kafka-python; paced at `rate` when one is given."""
    topic = _fresh_topic(stack, "raw")
    ctx = multiprocessing.get_context("fork")
    ready, out = ctx.Event(), ctx.Queue()
    receiver = ctx.Process(target=_raw_receiver, args=(stack.kafka_bootstrap, topic, count, ready, out))
    receiver.start()
    if not ready.wait(60):
        receiver.terminate()
        raise RuntimeError("the raw receiver was given no partition within 60 s")
    sender = producer(stack.kafka_bootstrap)
    start = time.time()
    for i in range(count):
        if rate:
            time.sleep(max(0.0, start + i / rate - time.time()))
        stamp = f"{time.time():<20.6f}".encode()
        sender.send(topic, key=str(i % 256).encode(), value=stamp + b"x" * (PAYLOAD - len(stamp)))
    sender.flush()
    sender.close()
    try:
        last, latencies = out.get(timeout=300)
    finally:
        receiver.join(timeout=30)
        if receiver.is_alive():  # still waiting for events that never came: it would never end
            receiver.terminate()
    return count / (last - start), latencies


@dataclass
class OutboxPipeline:
    stack: Stack
    rt: Any
    topic: str
    relay: Process
    worker: Process

    @classmethod
    def create(cls, stack: Stack) -> "OutboxPipeline":
        name = "bench_" + uuid.uuid4().hex[:8]
        stack.create_database(name)
        topic = _fresh_topic(stack, "outbox")
        url = stack.database_url(name)
        rt = probe.runtime(url, stack.kafka_bootstrap, topic)
        probe.metadata.create_all(rt.engine)
        argv = [sys.executable, probe.__file__]
        tail = [url, stack.kafka_bootstrap, topic]
        return cls(
            stack,
            rt,
            topic,
            Process(f"{name}-relay", [*argv, "relay", *tail], stack.state),
            Process(f"{name}-worker", [*argv, "worker", *tail], stack.state),
        )

    def handled(self) -> dict[str, float]:
        with self.rt.engine.connect() as conn:
            rows = conn.execute(sa.select(probe.effects.c.change_id, probe.effects.c.handled_at))
            return {r.change_id: r.handled_at.timestamp() for r in rows}

    def wait_handled(self, count: int, timeout: float = 300) -> dict[str, float]:
        deadline = time.time() + timeout
        while time.time() < deadline:
            handled = self.handled()
            if len(handled) >= count:
                return handled
            time.sleep(0.2)
        raise RuntimeError(f"only {len(self.handled())} of {count} events handled in {timeout} s")

    def stop(self) -> None:
        self.relay.stop()
        self.worker.stop()
        self.rt.engine.dispose()


def outbox_throughput_round(stack: Stack, count: int) -> float:
    pipeline = OutboxPipeline.create(stack)
    try:
        pipeline.worker.start()
        pipeline.relay.start()
        time.sleep(5)  # both are connected and idle before the clock starts
        with pipeline.rt.unit_of_work() as uow:
            for _ in range(count):
                change = str(uuid.uuid4())
                uow.conn.execute(probe.changes.insert(), {"id": change})
                uow.publish("probe.changed", change, {"change_id": change, "padding": PADDING})
            uow.commit()
        start = time.time()
        handled = pipeline.wait_handled(count)
        return count / (max(handled.values()) - start)
    finally:
        pipeline.stop()


def _writer(url: str, topic: str, times: list[float], out: Any) -> None:
    """Commits one change and its outbox row per scheduled time, each in its own transaction.

    The load generator shares the two cores with the pipeline it measures, so it writes with
    plain psycopg rather than through the unit of work (about 1 ms of CPU a change in Python),
    which would leave the pipeline too little CPU to show its own latency."""
    source = "bench"
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        committed = {}
        for at in times:
            time.sleep(max(0.0, at - time.time()))
            change = str(uuid.uuid4())
            event = new_event(source, "probe.changed", change, {"change_id": change, "padding": PADDING})
            with conn.transaction():
                conn.execute("INSERT INTO changes (id) VALUES (%s)", (change,))
                conn.execute(
                    "INSERT INTO outbox (event_id, topic, key, payload) VALUES (%s, %s, %s, %s)",
                    (event.id, topic, change, event.to_bytes()),
                )
            committed[change] = time.time()
    out.put(committed)


def outbox_latency_round(stack: Stack, rate: float, seconds: float) -> tuple[float, list[float]]:
    """(events/s the writers managed to commit, commit → handled latencies)."""
    pipeline = OutboxPipeline.create(stack)
    try:
        pipeline.worker.start()
        pipeline.relay.start()
        time.sleep(5)
        total, writers = int(rate * seconds), 3  # processes: one cannot commit 1,000 a second here
        start = time.time() + 1
        schedule = [start + i / rate for i in range(total)]
        ctx = multiprocessing.get_context("fork")
        out = ctx.Queue()
        url, topic = pipeline.rt.settings.database_url, pipeline.topic
        procs = [
            ctx.Process(target=_writer, args=(url, topic, schedule[w::writers], out)) for w in range(writers)
        ]
        for p in procs:
            p.start()
        committed: dict[str, float] = {}
        for _ in procs:
            committed.update(out.get(timeout=seconds + 120))
        for p in procs:
            p.join()
        offered = total / (max(committed.values()) - start)
        handled = pipeline.wait_handled(total)
        return offered, [handled[c] - at for c, at in committed.items()]
    finally:
        pipeline.stop()


def run(stack: Stack) -> list[tuple[str, str, str]]:
    """Rows of the benchmark table; every figure is the median over ROUNDS rounds of one run."""
    rates: dict[str, list[float]] = {"raw": [], "outbox": []}
    latencies: dict[tuple[str, float], list[tuple[float, float, float]]] = {}

    def record(path: str, rate: float, offered: float, values: list[float]) -> None:
        latencies.setdefault((path, rate), []).append(
            (offered, percentile(values, 50), percentile(values, 99))
        )

    for round_ in range(ROUNDS):
        print(f"round {round_ + 1}/{ROUNDS}", flush=True)
        rates["raw"].append(raw_round(stack, N, None)[0])
        rates["outbox"].append(outbox_throughput_round(stack, N))
        for rate in RATES:
            record("raw", rate, *raw_round(stack, int(rate * SECONDS), rate))
            record("outbox", rate, *outbox_latency_round(stack, rate, SECONDS))
        print(f"  {rates}\n  {latencies}", flush=True)

    raw = median(rates["raw"])
    rows = [
        ("raw kafka-python produce → consume", "throughput", f"{raw:,.0f} events/s"),
        (
            "outbox → relay → Kafka → consumer",
            "throughput",
            f"{median(rates['outbox']):,.0f} events/s ({median(rates['outbox']) / raw:.2f}× raw)",
        ),
    ]
    for (path, asked), samples in latencies.items():
        offered, p50, p99 = (median([s[i] for s in samples]) for i in range(3))
        name = "raw kafka-python" if path == "raw" else "outbox → consumer (commit → handled)"
        rows.append(
            (
                name,
                f"latency at {asked:,.0f}/s asked ({offered:,.0f}/s offered)",
                f"p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms",
            )
        )
    return rows

"""A closed-loop HTTP load generator: each client sends one request, waits for its answer, sends the
next. Clients are threads spread over a few processes, so that the generator is not held to one core
by the GIL; each uses http.client (much lighter than requests) and reconnects when the server closes
the connection, as gunicorn's sync workers do after every answer.

Only requests that finish inside the measured window count; the warm-up before it is discarded."""

import http.client
import json
import multiprocessing
import os
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.stats import median, percentile

ERROR = 0  # the status recorded when no HTTP answer came at all


@dataclass(frozen=True)
class Request:
    """One request: a POST carries a JSON body, a GET none."""

    method: str
    path: str
    body: dict[str, Any] | None = None


# (client number, request number) → the request; client numbers are unique over all processes
Requests = Callable[[int, int], Request]


@dataclass(frozen=True)
class Load:
    port: int
    request: Requests
    processes: int = 2
    threads: int = 8
    warm_up: float = 2.0
    seconds: float = 10.0
    max_requests: int = 50_000  # per client: a bound should the server answer absurdly fast

    @property
    def clients(self) -> int:
        return self.processes * self.threads


@dataclass(frozen=True)
class Outcome:
    """One run of a load: the rate of answers of the wanted statuses in the window, their latencies,
    the statuses seen in the window, and the statuses of every answer (warm-up included), ERROR
    meaning no answer."""

    rate: float
    latencies: list[float]
    statuses: Counter[int]
    all_statuses: Counter[int]

    def p(self, q: float) -> float:
        return percentile(self.latencies, q) if self.latencies else float("nan")

    def errors(self, wanted: tuple[int, ...]) -> int:
        return sum(n for status, n in self.statuses.items() if status not in wanted)


def _client(load: Load, client: int, stop: float, out: list[tuple[float, float, int]]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", load.port, timeout=30)
    for n in range(load.max_requests):
        sent = time.monotonic()  # system-wide on Linux: comparable across processes
        if sent >= stop:
            break
        request = load.request(client, n)
        payload = None if request.body is None else json.dumps(request.body).encode()
        headers = {} if payload is None else {"Content-Type": "application/json"}
        try:
            conn.request(request.method, request.path, payload, headers)
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            conn.close()
            status = ERROR
            time.sleep(0.01)  # a dead server must not turn the loop into a spin
        out.append((sent, time.monotonic(), status))
    conn.close()


def _process(load: Load, first_client: int, stop: float, queue: Any) -> None:
    answers: list[tuple[float, float, int]] = []  # list.append is atomic under the GIL
    threads = [
        threading.Thread(target=_client, args=(load, first_client + t, stop, answers))
        for t in range(load.threads)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.put(answers)


def run(load: Load, wanted: tuple[int, ...] = (201, 409)) -> Outcome:
    """Drives the load for warm_up + seconds; the outcome of the answers that finished after warm_up."""
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    start = time.monotonic() + 0.5 + load.warm_up  # the processes start within the half second
    stop = start + load.seconds
    procs = [
        ctx.Process(target=_process, args=(load, p * load.threads, stop, queue))
        for p in range(load.processes)
    ]
    for proc in procs:
        proc.start()
    answers = [a for _ in procs for a in queue.get(timeout=load.warm_up + load.seconds + 120)]
    for proc in procs:
        proc.join()
    measured = [(sent, done, status) for sent, done, status in answers if start <= done <= stop]
    decided = [done - sent for sent, done, status in measured if status in wanted]
    return Outcome(
        len(decided) / load.seconds,
        decided,
        Counter(status for _, _, status in measured),
        Counter(status for _, _, status in answers),
    )


def api_workers() -> str:
    return os.environ.get("XUDONG_GUNICORN_WORKERS", "3")  # what Stack.service_processes gives the APIs


def rows_next_to_baseline(
    outcomes: dict[str, list[Outcome]], baseline: str, path: str, measures: tuple[str, str], clients: int
) -> list[tuple[str, str, str]]:
    """Table rows: the rate of `path` next to its baseline's, measured in the same run (medians of
    the rounds; `measures` names each one's rate), then each one's latency."""
    who = f"{clients} clients, {api_workers()} workers"
    base_rate, rate = (median([o.rate for o in outcomes[p]]) for p in (baseline, path))
    rows = [
        (baseline, f"{measures[0]} ({who})", f"{base_rate:,.0f}/s"),
        (path, f"{measures[1]} ({who})", f"{rate:,.0f}/s ({rate / base_rate:.2f}× minimal)"),
    ]
    for name in (baseline, path):
        p50, p99 = (median([o.p(q) for o in outcomes[name]]) for q in (50, 99))
        rows.append((name, "latency", f"p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms"))
    return rows

"""The faults the chaos run injects, one after another, each undone before the next: the Kafka
broker killed and restarted, each publishing service's relay and each service's consumer worker
killed with work in hand and restarted, PostgreSQL crashed and restarted, the SMTP sink stopped
until emails wait for it. Each fault records the work it hit (outbox rows not yet published,
messages not yet acknowledged, open transactions, emails waiting) and the process ids before and
after; a fault that hit nothing fails the run."""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pytest

from tests.chaos.snapshot import consumer_lag
from tests.chaos.workload import OUTAGE
from xudong.processes import port_open, wait_for
from xudong.stack import SERVICES, Stack

PAUSE = 2.0  # the workload runs unhurt between two faults
BUSY_WITHIN = 30.0  # how long a fault waits for work in flight before it strikes anyway
TRIES = 5  # kills of a process that finished its work just before, before the fault counts as a miss
PUBLISHERS = ("venues", "booking")  # notifications and identity publish nothing yet: their relays idle
CONSUMERS = ("venues", "booking", "notifications")  # identity's worker keeps its keys, consuming nothing
REPORT = pytest.StashKey[list[str]]()  # the run's report, for the end of the session's output


@dataclass
class Hit:
    """What one fault struck: the work in flight (none: it hit nothing) and the process ids."""

    work: dict[str, int]
    before: int | None
    after: int | None


@dataclass
class Fault:
    name: str
    inject: Callable[[Stack], Hit]


def unpublished(stack: Stack, service: str) -> int:
    return int(stack.psql("SELECT count(*) FROM outbox", database=service))


def unacknowledged(stack: Stack, group: str) -> int:
    return consumer_lag(stack)[group]


OWED_REFUNDS = (
    "SELECT (SELECT count(*) FROM orders WHERE refund_due > refunded_amount)"
    " + (SELECT count(*) FROM venue_bookings WHERE refund_due > refunded_amount)"
)


def booking_work(stack: Stack) -> int:
    """The booking worker's: messages to apply, and refunds to pay (its sweep's)."""
    return unacknowledged(stack, "booking") + int(stack.psql(OWED_REFUNDS, database="booking"))


def waiting_for(work: Callable[[], int]) -> int:
    """How much work there is, once there is some (or after BUSY_WITHIN)."""
    deadline = time.monotonic() + BUSY_WITHIN
    while True:
        found = now(work)
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def now(work: Callable[[], int]) -> int:
    """How much work there is at this moment; a look that meets a fault counts as none."""
    try:
        return work()
    except Exception:
        return 0


def kill_kafka(stack: Stack) -> Hit:
    """While the services have events to publish or to apply."""
    kafka = stack.process("kafka")
    work = waiting_for(lambda: sum(unpublished(stack, s) for s in PUBLISHERS))
    before = kafka.pid()
    kafka.kill()
    time.sleep(1)
    stack.start_kafka()
    return Hit({"outbox rows": work}, before, kafka.pid())


def kill_with(name: str, what: str, work: Callable[[Stack], int]) -> Callable[[Stack], Hit]:
    """SIGKILL to a relay or worker once it has work in hand; the work still undone right after
    the kill is what the fault hit; then a new process (killed again should the work have been
    done in the moment before the kill)."""

    def inject(stack: Stack) -> Hit:
        process = stack.process(name)
        before = process.pid()
        for _ in range(TRIES):  # the work seen may be done in the moment before the kill: again
            waiting_for(lambda: work(stack))
            process.kill()
            hit = now(lambda: work(stack))
            process.start()
            wait_for(lambda: process.pid() is not None, name, timeout=10)
            if hit:
                break
        return Hit({what: hit}, before, process.pid())

    return inject


OPEN_TRANSACTIONS = (
    "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
    " AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"
)


def restart_postgres(stack: Stack) -> Hit:
    """A crash (no checkpoint, recovery from the WAL) while transactions are open."""
    work = waiting_for(lambda: int(stack.psql(OPEN_TRANSACTIONS)))
    before = stack.postgres_pid()
    stack.stop_postgres(mode="immediate")
    stack.start_postgres()
    return Hit({"open transactions": work}, before, stack.postgres_pid())


DUE_EMAILS = (
    "SELECT count(*) FROM notifications"
    " WHERE channel = 'email' AND status = 'pending' AND send_after <= now()"
)


def bounce_smtp(stack: Stack) -> Hit:
    """The SMTP sink goes away until emails are due that it cannot take, then comes back."""
    maildev = stack.process("maildev")
    before = maildev.pid()
    maildev.stop()
    work = waiting_for(lambda: int(stack.psql(DUE_EMAILS, database="notifications")))
    maildev.start()
    wait_for(lambda: port_open(stack.ports.maildev_web), "MailDev")
    return Hit({"emails waiting": work}, before, maildev.pid())


def schedule() -> list[Fault]:
    faults = [Fault("kafka killed", kill_kafka)]
    for service in CONSUMERS:
        if service in PUBLISHERS:
            relay = kill_with(f"{service}-relay", "outbox rows", partial(unpublished, service=service))
            faults.append(Fault(f"{service}-relay killed", relay))
        if service == "booking":
            worker = kill_with("booking-worker", "messages and refunds owed", booking_work)
        else:
            worker = kill_with(f"{service}-worker", "messages", partial(unacknowledged, group=service))
        faults.append(Fault(f"{service}-worker killed", worker))
    faults += [Fault("postgres restarted", restart_postgres), Fault("smtp sink bounced", bounce_smtp)]
    return faults


@dataclass
class FaultRun:
    """The schedule played in a thread; `last_healed` is when the last fault was undone; after
    each fault, `progress` says how far the workload had come."""

    stack: Stack
    progress: Callable[[], dict[str, int]]
    faults: list[Fault] = field(default_factory=schedule)
    done: list[dict[str, Any]] = field(default_factory=list)  # each fault: how long, what it hit, pids
    last_healed: float = 0.0
    error: BaseException | None = None

    def play(self) -> None:
        try:
            for fault in self.faults:
                time.sleep(PAUSE)
                began = time.monotonic()
                OUTAGE.begins()
                try:
                    hit = fault.inject(self.stack)
                finally:
                    self.last_healed = time.monotonic()
                    OUTAGE.ends(self.last_healed)
                self.done.append(
                    {
                        "fault": fault.name,
                        "seconds": round(self.last_healed - began, 1),
                        "hit": hit.work,
                        "pids": (hit.before, hit.after),
                        "progress": self.progress(),
                    }
                )
        except BaseException as exc:  # the test reports it; the stack is healed by `heal`
            self.error = exc

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.play, name="faults")
        thread.start()
        return thread


def missed(done: list[dict[str, Any]]) -> list[str]:
    """The faults that struck no work in flight, or no process that was running, or left none."""
    found = [f"{d['fault']} hit no work in flight" for d in done if not any(d["hit"].values())]
    found += [
        f"{d['fault']}: process {d['pids'][0]} before, {d['pids'][1]} after"
        for d in done
        if None in d["pids"] or d["pids"][0] == d["pids"][1]
    ]
    return found


def heal(stack: Stack) -> None:
    """Everything the schedule may have left down is up again and ready, for the tests after."""
    stack.start_postgres()
    stack.start_kafka()
    maildev = stack.process("maildev")
    if maildev.pid() is None:
        maildev.start()
    wait_for(lambda: port_open(stack.ports.maildev_web), "MailDev")
    for service in SERVICES:
        for process in stack.service_processes(service):
            if process.pid() is None:
                process.start()
        wait_for(partial(stack.service_ready, service), f"the {service} service")

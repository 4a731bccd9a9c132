"""The faults the chaos run injects, one after another, each undone before the next: the Kafka
broker killed and restarted, each service's relay and consumer worker killed mid-batch and
restarted, PostgreSQL restarted, the SMTP sink stopped and started."""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.chaos.checker import consumer_lag
from xudong.stack import SERVICES, Stack, port_open, wait_for

PAUSE = 2.0  # the workload runs unhurt between two faults


@dataclass
class Fault:
    name: str
    inject: Callable[[Stack], None]


def kill_kafka(stack: Stack) -> None:
    stack.process("kafka").kill()
    time.sleep(1)
    stack.start_kafka()


def kill_mid_batch(name: str, busy: Callable[[Stack], bool]) -> Callable[[Stack], None]:
    """SIGKILL to a relay or worker once it has work in hand (or after 3 s), then a new one."""

    def inject(stack: Stack) -> None:
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and not busy_now(busy, stack):
            time.sleep(0.05)
        process = stack.process(name)
        process.kill()
        process.start()
        wait_for(lambda: process.pid() is not None, name, timeout=10)

    return inject


def busy_now(busy: Callable[[Stack], bool], stack: Stack) -> bool:
    try:
        return busy(stack)
    except Exception:  # the look itself met a fault: kill without waiting longer
        return True


def outbox_waiting(service: str) -> Callable[[Stack], bool]:
    def busy(stack: Stack) -> bool:
        return stack.psql("SELECT count(*) FROM outbox", database=service) != "0"

    return busy


def lagging(group: str) -> Callable[[Stack], bool]:
    def busy(stack: Stack) -> bool:
        return consumer_lag(stack)[group] > 0

    return busy


def restart_postgres(stack: Stack) -> None:
    stack.stop_postgres(mode="immediate")  # as a crash: no checkpoint, recovery from the WAL
    stack.start_postgres()


def bounce_smtp(stack: Stack) -> None:
    maildev = stack.process("maildev")
    maildev.stop()
    time.sleep(3)
    maildev.start()
    wait_for(lambda: port_open(stack.ports.maildev_web), "MailDev")


def schedule() -> list[Fault]:
    faults = [Fault("kafka killed", kill_kafka)]
    for service in SERVICES:
        faults.append(
            Fault(f"{service}-relay killed", kill_mid_batch(f"{service}-relay", outbox_waiting(service)))
        )
        faults.append(
            Fault(f"{service}-worker killed", kill_mid_batch(f"{service}-worker", lagging(service)))
        )
    faults += [Fault("postgres restarted", restart_postgres), Fault("smtp sink bounced", bounce_smtp)]
    return faults


@dataclass
class FaultRun:
    """The schedule played in a thread; `last_healed` is when the last fault was undone."""

    stack: Stack
    faults: list[Fault] = field(default_factory=schedule)
    done: list[tuple[str, float]] = field(default_factory=list)  # each fault and how long it lasted
    last_healed: float = 0.0
    error: BaseException | None = None

    def play(self) -> None:
        try:
            for fault in self.faults:
                time.sleep(PAUSE)
                began = time.monotonic()
                fault.inject(self.stack)
                self.last_healed = time.monotonic()
                self.done.append((fault.name, round(self.last_healed - began, 1)))
        except BaseException as exc:  # the test reports it; the stack is healed by `heal`
            self.error = exc

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.play, name="faults")
        thread.start()
        return thread


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
        wait_for(lambda service=service: stack.service_ready(service), f"the {service} service")  # type: ignore[misc]

"""The processes of the platform: started in sessions of their own, remembered by pid files so that
another run can stop them, and stopped within a bound whoever their parent is.

A pid file holds the pid and the start time the kernel gives that process, so that a pid the
system has since given to another program is never taken for ours. A process counts as running
while a member of its process group is alive and not a zombie: a zombie holds no port and only
waits for its parent (another `xudong up`, say) to collect it."""

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[3]


class StackError(RuntimeError):
    pass


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        socket.create_connection((host, port), timeout=0.5).close()
        return True
    except OSError:
        return False


def wait_for(check: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise StackError(f"{what} was not ready after {timeout:.0f} s")


def ensure_free(port: int, what: str) -> None:
    if port_open(port):
        raise StackError(
            f"{what} cannot start: 127.0.0.1:{port} is taken by another program. Stop that program,"
            " or move ours with XUDONG_PORT_OFFSET or the port's own variable (see README.md)"
        )


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait for the end of the block, then reach the handler they would have:
    a process started but not yet recorded is one that no run could find to stop."""
    if threading.current_thread() is not threading.main_thread():  # only it receives signals
        yield
        return
    held: list[int] = []
    before = {
        s: signal.signal(s, lambda signum, _: held.append(signum)) for s in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        yield
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)
        for caught in held[:1]:
            signal.raise_signal(caught)


class Status(NamedTuple):
    state: str  # R, S, D, … ; Z for a zombie, X for one being removed
    group: int
    started: int  # clock ticks after boot


def status(pid: int) -> Status | None:
    """What /proc says of a process; None once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (OSError, ValueError):
        return None
    fields = stat[stat.rindex(")") + 2 :].split()  # the name, in brackets, may hold spaces
    return Status(fields[0], int(fields[2]), int(fields[19]))


def alive(pid: int) -> bool:
    found = status(pid)
    return found is not None and found.state not in "ZX"


def group_alive(group: int) -> bool:
    """Whether a member of the process group is alive; zombie members do not count."""
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    with os.scandir("/proc") as entries:  # closed however soon the answer is known
        return any(
            (found := status(int(entry.name))) is not None
            and found.group == group
            and found.state not in "ZX"
            for entry in entries
            if entry.name.isdigit()
        )


class PidFile:
    """Where a run leaves the pid of a process for another run to find."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def record(self, pid: int) -> None:
        """`pid` is this process or a child not yet collected, so /proc still knows it."""
        found = status(pid)
        assert found is not None, pid
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(f"{pid} {found.started}")

    def pid(self) -> int | None:
        """The pid recorded, unless the system gave that pid to another process since."""
        try:
            pid, started = (int(f) for f in self.path.read_text().split())
        except (OSError, ValueError):
            return None
        found = status(pid)
        return None if found is not None and found.started != started else pid

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


# The children this process started, by pid, until they are collected: a `Popen` dropped while
# its child runs warns (ResourceWarning), and a `Process` is made afresh each time one is named.
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


class Process:
    """A child process in its own session (its process group bears its pid), with its pid file."""

    def __init__(
        self,
        name: str,
        argv: list[str],
        state: Path,
        env: dict[str, str] | None = None,
        port: int | None = None,
    ) -> None:
        self.name, self.argv, self.env, self.port = name, argv, env, port
        self.pidfile = PidFile(state / "pids" / f"{name}.pid")
        self.logfile = state / "logs" / f"{name}.log"

    def pid(self) -> int | None:
        pid = self.pidfile.pid()
        return pid if pid is not None and self._running(pid) else None

    def start(self) -> None:
        self.stop()
        if self.port is not None:
            ensure_free(self.port, self.name)
        self.logfile.parent.mkdir(parents=True, exist_ok=True)
        with open(self.logfile, "ab") as log, signals_held():
            child = subprocess.Popen(
                self.argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**os.environ, **(self.env or {})},
                start_new_session=True,
                cwd=ROOT,
            )
            self.pidfile.record(child.pid)
            _CHILDREN[child.pid] = child

    def signal(self, signum: int) -> None:
        pid = self.pid()
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signum)

    def stop(self, timeout: float = 15.0) -> None:
        pid = self.pid()
        if pid is None:
            self.pidfile.remove()
            return
        self.signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._running(pid):
            time.sleep(0.1)
        self.kill()

    def kill(self, timeout: float = 10.0) -> None:
        """SIGKILL to the whole process group, as a crash would."""
        pid = self.pid()
        self.signal(signal.SIGKILL)
        deadline = time.monotonic() + timeout
        while pid is not None and self._running(pid):
            if time.monotonic() > deadline:
                raise StackError(
                    f"{self.name} (process group {pid}) still runs {timeout:.0f} s after SIGKILL"
                )
            time.sleep(0.05)
        self.pidfile.remove()

    @staticmethod
    def _running(pid: int) -> bool:
        """A zombie does not count, but our own child does until it is collected: the leader of a
        process of several threads is a zombie before its other threads have ended."""
        _collect(pid)
        running = pid in _CHILDREN or group_alive(pid)
        _collect(pid)  # a leader that died meanwhile is collected too, not left a zombie
        return running


def _collect(pid: int) -> None:
    """Our own child, once it has ended, is collected (and forgotten)."""
    child = _CHILDREN.get(pid)
    if child is None:  # started by another run, or not by this process at all
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
    elif child.poll() is not None:
        del _CHILDREN[pid]

"""Stopping a process of the platform from a run that is not its parent, and never stopping a
program that merely got a pid a pid file names (xudong.processes); real processes, no stack."""

import gc
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from xudong.processes import Process

# A parent that starts `sleep` the way `xudong up` starts every part, and never collects it.
PARENT = """
import sys, time
from pathlib import Path
from xudong.processes import Process
Process("sleeper", ["sleep", "600"], Path(sys.argv[1])).start()
print("started", flush=True)
time.sleep(600)
"""
# What `xudong down` does for that part, from another process.
STOP = """
import sys
from pathlib import Path
from xudong.processes import Process
Process("sleeper", ["sleep", "600"], Path(sys.argv[1])).stop(timeout=5)
"""


# `xudong up` starting a part when Ctrl-C or SIGTERM comes: here it comes at the worst moment, after
# the part started and before its pid file is written (a fake PidFile.record sends it).
INTERRUPTED = """
import os, signal, sys
from pathlib import Path
from xudong.processes import PidFile, Process
signal.signal(signal.SIGTERM, signal.default_int_handler)
record = PidFile.record
def record_late(self, pid):
    os.kill(os.getpid(), signal.SIGTERM)
    record(self, pid)
PidFile.record = record_late
try:
    Process("sleeper", ["sleep", "600"], Path(sys.argv[1])).start()
except KeyboardInterrupt:
    print("interrupted")
"""


@pytest.fixture
def started(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    with subprocess.Popen(
        [sys.executable, "-c", PARENT, str(tmp_path)], stdout=subprocess.PIPE, text=True
    ) as parent:  # its pipe closed, and it collected, at the end
        assert parent.stdout is not None and parent.stdout.readline() == "started\n"
        yield parent
        parent.kill()


def test_a_part_whose_parent_has_not_collected_it_counts_as_stopped(
    started: subprocess.Popen[str], tmp_path: Path
) -> None:
    child = int((tmp_path / "pids" / "sleeper.pid").read_text().split()[0])
    stop = subprocess.run([sys.executable, "-c", STOP, str(tmp_path)], timeout=30, capture_output=True)
    assert stop.returncode == 0, stop.stderr
    assert Path(f"/proc/{child}/stat").read_text().split()[2] == "Z"  # a zombie of its parent, gone
    assert not (tmp_path / "pids" / "sleeper.pid").exists()


def test_a_pid_file_that_cannot_prove_its_pid_is_ours_stops_nothing(tmp_path: Path) -> None:
    """A pid file left by a run the machine did not outlive names a pid the system may have given
    to any program since."""
    stranger = subprocess.Popen(["sleep", "600"], start_new_session=True)
    try:
        (tmp_path / "pids").mkdir()
        (tmp_path / "pids" / "sleeper.pid").write_text(str(stranger.pid))
        Process("sleeper", ["sleep", "600"], tmp_path).stop(timeout=1)
        assert stranger.poll() is None
        assert not (tmp_path / "pids" / "sleeper.pid").exists()
    finally:
        stranger.kill()
        stranger.wait()


def test_a_part_started_as_the_signal_to_stop_comes_is_recorded_and_then_stopped(tmp_path: Path) -> None:
    interrupted = subprocess.run(
        [sys.executable, "-c", INTERRUPTED, str(tmp_path)], capture_output=True, text=True, timeout=30
    )
    assert interrupted.stdout == "interrupted\n", interrupted.stderr
    sleeper = Process("sleeper", ["sleep", "600"], tmp_path)
    assert sleeper.pid() is not None  # so that the stopping that follows finds it
    sleeper.stop(timeout=5)
    assert sleeper.pid() is None


def test_a_part_this_process_started_and_stopped_is_collected_and_leaves_nothing_to_warn_of(
    tmp_path: Path,
) -> None:
    """The stack names a part afresh each time (a new Process), as here: the child it started is
    still collected, and no handle of it was dropped while it ran (a ResourceWarning)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        Process("sleeper", ["sleep", "600"], tmp_path).start()
        child = int((tmp_path / "pids" / "sleeper.pid").read_text().split()[0])
        gc.collect()
        Process("sleeper", ["sleep", "600"], tmp_path).stop(timeout=5)
        gc.collect()
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []
    assert not Path(f"/proc/{child}").exists()  # not left a zombie


# A part of several threads whose main thread has ended while another still works: its leader
# shows as a zombie, yet the process runs and cannot be collected (as after SIGKILL, for the
# moment the other threads take to end).
LEADER_GONE = (
    "import ctypes, threading, time;"
    "threading.Thread(target=time.sleep, args=(2,)).start();"
    "ctypes.CDLL(None).pthread_exit(None)"
)


def test_a_part_whose_main_thread_ended_runs_until_it_is_collected(tmp_path: Path) -> None:
    """Counted stopped at its leader's zombie, it would be left uncollected for good (the five
    workers a chaos run kills each warned `subprocess N is still running` at the end)."""
    part = Process("threads", [sys.executable, "-c", LEADER_GONE], tmp_path)
    part.start()
    pid = part.pid()
    deadline = time.monotonic() + 5
    while Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert part.pid() == pid  # its leader a zombie, its other thread at work
    while part.pid() is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert part.pid() is None and not Path(f"/proc/{pid}").exists()  # ended, and collected

"""`xudong up` run as a background job (a supervisor, `nohup`, a CI step) stops everything it
started, within a bound, whether `xudong down` is run from another process or the job gets SIGTERM,
once it runs or while it is still starting.

It runs a platform of its own, on ports 5000 beyond the suite's (15000 in `make test`) and with its
own state directory, so that it never touches the suite's stack or a developer's. The runs share
that directory: the later ones find the databases and Kafka's storage the first one made."""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import eventually
from xudong.processes import port_open
from xudong.stack import Ports

pytestmark = pytest.mark.stack

OFFSET = str(int(os.environ.get("XUDONG_PORT_OFFSET", "10000")) + 5000)
XUDONG = str(Path(sys.executable).parent / "xudong")
STARTED, STOPPED = 300.0, 90.0  # seconds: a whole platform on a busy machine; everything stopped


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("stack-stop")


@pytest.fixture
def background(state: Path) -> Iterator[dict[str, str]]:
    """The environment of the background platform; whatever of it a failed test leaves is killed."""
    env = {**os.environ, "XUDONG_PORT_OFFSET": OFFSET, "XUDONG_STATE_DIR": str(state)}
    env["XUDONG_ENV"] = "development"  # as `make up` runs it: its development secrets are accepted
    yield env
    with contextlib.suppress(subprocess.TimeoutExpired):
        subprocess.run([XUDONG, "down"], env=env, capture_output=True, timeout=STOPPED)
    for pid in processes_of(env):
        os.kill(pid, signal.SIGKILL)
    eventually(lambda: not processes_of(env), timeout=30)  # PostgreSQL's backends follow their server


def processes_of(env: dict[str, str]) -> list[int]:
    """Every live process that runs with this platform's state directory in its environment: what
    `up` started inherits it (PostgreSQL through pg_ctl too)."""
    marker = f"XUDONG_STATE_DIR={env['XUDONG_STATE_DIR']}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:  # gone meanwhile, or a zombie
            pass
    return found


def ports_of_the_platform() -> list[int]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("XUDONG_PORT_OFFSET", OFFSET)
        return list(vars(Ports()).values())


def start_in_background(env: dict[str, str], log: Path, until: str = "is running") -> subprocess.Popen[bytes]:
    """`xudong up` in a session of its own, without a terminal, as a supervisor starts it; back once
    it has said `until`."""
    with open(log, "ab") as out:
        up = subprocess.Popen(
            [XUDONG, "up"], env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True
        )

    def running() -> bool:
        assert up.poll() is None, f"xudong up ended with {up.returncode}:\n{log.read_text()}"
        return until in log.read_text()

    running.__doc__ = f"the background platform said {until!r}"
    eventually(running, timeout=STARTED, interval=1)
    return up


def assert_all_stopped(env: dict[str, str], up: subprocess.Popen[bytes]) -> None:
    try:
        up.wait(timeout=STOPPED)
    except subprocess.TimeoutExpired:
        pytest.fail(f"xudong up still runs {STOPPED:.0f} s after it was told to stop")

    def nothing_left() -> bool:
        return not processes_of(env) and not [p for p in ports_of_the_platform() if port_open(p)]

    nothing_left.__doc__ = "no process of the platform runs and none of its ports is taken"
    eventually(nothing_left, timeout=10)


def test_a_second_up_leaves_the_first_alone_and_down_from_another_process_stops_it(
    background: dict[str, str], tmp_path: Path
) -> None:
    up = start_in_background(background, tmp_path / "up.log")
    try:
        second = subprocess.run([XUDONG, "up"], env=background, capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("a second xudong up on the same ports took the platform over")
    assert second.returncode == 1 and f"pid {up.pid}" in second.stderr, second.stderr
    assert up.poll() is None
    try:
        down = subprocess.run([XUDONG, "down"], env=background, capture_output=True, timeout=STOPPED)
    except subprocess.TimeoutExpired:
        pytest.fail(f"xudong down still runs after {STOPPED:.0f} s")
    assert down.returncode == 0, down.stderr
    assert_all_stopped(background, up)


def test_sigterm_stops_a_background_up_as_ctrl_c_does(background: dict[str, str], tmp_path: Path) -> None:
    up = start_in_background(background, tmp_path / "up.log")
    up.send_signal(signal.SIGTERM)
    assert_all_stopped(background, up)
    assert up.returncode == 0


def test_sigterm_while_starting_stops_at_once(background: dict[str, str], tmp_path: Path) -> None:
    """SIGTERM while the venues service is still starting (held there by SIGSTOP, so that `up`
    cannot get past it) stops everything, and the platform is never announced as running."""
    log, pids = tmp_path / "up.log", Path(background["XUDONG_STATE_DIR"]) / "pids"
    shutil.rmtree(pids, ignore_errors=True)  # a pid file a failed test left names nothing of this run
    up = start_in_background(background, log, until="starting the services")
    venues = pids / "venues-api.pid"

    def venues_started() -> int | None:
        recorded = venues.read_text().split() if venues.exists() else []
        return int(recorded[0]) if recorded else None

    venues_started.__doc__ = "the venues API is started"
    group = eventually(venues_started, timeout=60)
    os.killpg(group, signal.SIGSTOP)
    up.send_signal(signal.SIGTERM)
    os.killpg(group, signal.SIGCONT)
    assert_all_stopped(background, up)
    assert "is running" not in log.read_text()  # it stopped starting, as on Ctrl-C

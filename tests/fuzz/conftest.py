from typing import Any

from tests.fuzz.seed import SEED


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The seed of this run's fuzzing, whether it passed or not: XUDONG_FUZZ_SEED=<it> replays it."""
    terminalreporter.write_line(f"fuzzing seed: {SEED} (XUDONG_FUZZ_SEED={SEED} replays this run)")

from typing import Any

from tests.chaos.faults import REPORT


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The chaos run's report (each fault and the work it hit), whether it passed or not."""
    for line in terminalreporter.config.stash.get(REPORT, []):
        terminalreporter.write_line(line)

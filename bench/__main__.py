"""`make bench`: runs every benchmark on the stack (started on test ports) and prints one table.
`python -m bench holds` (or `outbox`, `notify`) runs only the ones named."""

import os
import platform
import sys
import time

os.environ.setdefault("XUDONG_PORT_OFFSET", "10000")

from bench import holds, notify, outbox
from xudong.stack import Stack

# outbox first: it wants the infrastructure alone; holds and notify start (and stop) the services
BENCHMARKS = {"outbox": outbox.run, "holds": holds.run, "notify": notify.run}


def main(names: list[str]) -> None:
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        sys.exit(f"no benchmark {', '.join(unknown)}; there are {', '.join(BENCHMARKS)}")
    chosen = [n for n in BENCHMARKS if n in names] if names else list(BENCHMARKS)
    stack = Stack()
    rows: list[tuple[str, str, str]] = []
    try:
        stack.start_infrastructure()
        for name in chosen:
            rows += BENCHMARKS[name](stack)
    finally:
        stack.stop_all()
    print(f"\n{time.strftime('%Y-%m-%d')} · {os.cpu_count()} cores · {platform.platform()}")
    print("| path | measure | median of rounds |\n|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])

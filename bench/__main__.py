"""`make bench`: runs every benchmark on the stack (started on test ports) and prints one table.
`python -m bench holds` (or `outbox`, `notify`, `search`, `pages`, `tokens`, `sign_ins`) runs only the
ones named."""

import os
import platform
import sys
import time

os.environ.setdefault("XUDONG_PORT_OFFSET", "10000")

from bench import holds, notify, outbox, pages, search, sign_ins, tokens
from xudong.stack import Stack

# outbox first: it wants the infrastructure alone; the others start (and stop) the services. Holds
# last: its thousands of orders leave the consumers (notifications, venues) a backlog of events that
# would otherwise run beside, and slow, the benchmarks after it
BENCHMARKS = {
    "outbox": outbox.run,
    "notify": notify.run,
    "search": search.run,
    "pages": pages.run,
    "tokens": tokens.run,
    "sign_ins": sign_ins.run,
    "holds": holds.run,
}


def main(names: list[str]) -> None:
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        sys.exit(f"no benchmark {', '.join(unknown)}; there are {', '.join(BENCHMARKS)}")
    chosen = [n for n in BENCHMARKS if n in names] if names else list(BENCHMARKS)
    stack = Stack()
    rows: list[tuple[str, str, str]] = []
    failed = []
    try:
        stack.start_infrastructure()
        for name in chosen:
            try:
                rows += BENCHMARKS[name](stack)
            except Exception as exc:  # one benchmark failing must not hide the others' figures
                failed.append(name)
                rows.append((name, "failed", f"{type(exc).__name__}: {exc}"))
    finally:
        stack.stop_all()
    print(f"\n{time.strftime('%Y-%m-%d')} · {os.cpu_count()} cores · {platform.platform()}")
    print("| path | measure | median of rounds |\n|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main(sys.argv[1:])

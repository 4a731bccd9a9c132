"""`make bench`: runs every benchmark on the stack (started on test ports) and prints one table."""

import os
import platform
import time

os.environ.setdefault("XUDONG_PORT_OFFSET", "10000")

from bench import outbox
from xudong.stack import Stack


def main() -> None:
    stack = Stack()
    stack.start_infrastructure()
    try:
        rows = outbox.run(stack)
    finally:
        stack.stop_all()
    print(f"\n{time.strftime('%Y-%m-%d')} · {os.cpu_count()} cores · {platform.platform()}")
    print("| path | measure | median of rounds |\n|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()

"""`xudong`: run the platform on this machine, mint local tokens, load sample data."""

import argparse
import json
import os
import signal
import sys
import time
from typing import Any

import requests

from eventbus.auth import ROLES
from xudong.processes import ROOT, PidFile, StackError, alive
from xudong.stack import SERVICES, Stack

SEED = ROOT / "infra" / "seed"
UP_STOPS_WITHIN = 120  # seconds: every part stopped in turn, each within its own bound


def up(stack: Stack, args: argparse.Namespace) -> int:
    running = up_pidfile(stack)
    earlier = running.pid()
    if earlier is not None and alive(earlier):  # starting again would take its processes over
        print(f"xudong up: already running as pid {earlier}; `xudong down` stops it", file=sys.stderr)
        return 1
    # SIGTERM (a supervisor, `kill`, a CI step ending) stops it as Ctrl-C does, even mid-start.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    running.record(os.getpid())
    try:
        print("starting PostgreSQL, Kafka, localstripe and MailDev …", flush=True)
        stack.start_infrastructure()
        print("starting the services …", flush=True)
        stack.start_services()
        seed(stack, args)
        p = stack.ports
        print(
            "\nXứ Đông Stages is running:\n"
            f"  the pages      {stack.web_url}\n"
            + "".join(
                f"  {s:<14} http://127.0.0.1:{getattr(p, s)}  (openapi: /openapi.json)\n" for s in SERVICES
            )
            + f"  MailDev        http://127.0.0.1:{p.maildev_web}  (SMTP 127.0.0.1:{p.smtp})\n"
            f"  localstripe    http://127.0.0.1:{p.stripe}\n"
            f"  Kafka          {stack.kafka_bootstrap}\n"
            f"  PostgreSQL     127.0.0.1:{p.postgres} (user xudong)\n"
            f"  logs           {stack.state / 'logs'}\n"
            "Press Ctrl-C (or run `xudong down` elsewhere) to stop everything.",
            flush=True,
        )
        while True:
            signal.pause()
    except KeyboardInterrupt:
        pass
    except StackError as exc:
        print(f"xudong up: {exc}; see the logs in {stack.state / 'logs'}", file=sys.stderr)
        return 1
    finally:
        # A second Ctrl-C or SIGTERM must not cut the stopping short: it is bounded anyway.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        print("\nstopping …", flush=True)
        stack.stop_all()
        running.remove()
    return 0


def up_pidfile(stack: Stack) -> PidFile:
    """Where a running `xudong up` leaves its pid, for `xudong down` to stop it through it."""
    return PidFile(stack.state / "pids" / "up.pid")


def down(stack: Stack, args: argparse.Namespace) -> int:
    """Asks a running `up` to stop what it started (it alone can collect its children), then stops
    whatever is left, such as what an `up` that was killed left behind."""
    pid = up_pidfile(stack).pid()
    if pid is not None and alive(pid):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + UP_STOPS_WITHIN
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
    try:
        stack.stop_all()
    except StackError as exc:
        print(f"xudong down: {exc}", file=sys.stderr)
        return 1
    up_pidfile(stack).remove()
    return 0


def token(stack: Stack, args: argparse.Namespace) -> int:
    print(stack.token(args.role, args.sub, tuple(args.venue)))
    return 0


def _every(url: str) -> list[dict[str, Any]]:
    """Every item of a paged list, page after page (the first page alone missed the sample venues
    once other venues came first, and `xudong up` stopped at a 409 for each it added again)."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = requests.get(url, params={"limit": 200} | ({"cursor": cursor} if cursor else {}), timeout=10)
        page.raise_for_status()
        items += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return items


def seed(stack: Stack, args: argparse.Namespace) -> int:
    """Loads the sample map and venues through the public API; what is already there is left alone."""
    headers = {"Authorization": "Bearer " + stack.token("staff", "seed")}
    venues_api = f"http://127.0.0.1:{stack.ports.venues}/v1"
    areas = {
        (a["parent_id"], a["name"]["vi"]): a["id"]
        for a in requests.get(f"{venues_api}/areas", timeout=10).json()["items"]
    }

    def add_area(area: dict[str, Any], parent_id: str | None) -> int:
        key, created = (parent_id, area["vi"]), 0
        if key not in areas:
            body = {
                "level": area["level"],
                "name": {"vi": area["vi"], "en": area["en"]},
                "parent_id": parent_id,
            }
            answer = requests.post(f"{venues_api}/areas", json=body, headers=headers, timeout=10)
            answer.raise_for_status()
            areas[key], created = answer.json()["id"], 1
        return created + sum(add_area(child, areas[key]) for child in area.get("children", []))

    added_areas = sum(add_area(a, None) for a in json.loads((SEED / "areas.json").read_text())["areas"])
    known = {v["key"] for v in _every(f"{venues_api}/venues")}
    added_venues = 0
    for venue in json.loads((SEED / "venues.json").read_text())["venues"]:
        if venue["key"] in known:
            continue
        parent = None
        for name in venue["area"]:
            parent = areas[(parent, name)]
        body = {k: v for k, v in venue.items() if k != "area"} | {"area_id": parent}
        requests.post(f"{venues_api}/venues", json=body, headers=headers, timeout=30).raise_for_status()
        added_venues += 1
    print(f"seed: {added_areas} areas and {added_venues} venues added; the rest was there already")
    print("seed: staff assign venue managers at identity: PUT /v1/users/<id>/venues/<venue id>")
    return 0


def asyncapi(stack: Stack, args: argparse.Namespace) -> int:
    from xudong.asyncapi import build

    print(json.dumps(build(), indent=2, ensure_ascii=False, sort_keys=True))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="xudong", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("up", help="start everything, wait until ready, stop it all on Ctrl-C").set_defaults(
        run=up
    )
    commands.add_parser("down", help="stop what a previous `up` left running").set_defaults(run=down)
    commands.add_parser("seed", help="load the sample data into a running platform").set_defaults(run=seed)
    commands.add_parser("asyncapi", help="print the AsyncAPI document of every event").set_defaults(
        run=asyncapi
    )
    tok = commands.add_parser("token", help="print a signed JWT for local use")
    tok.add_argument("--role", required=True, choices=ROLES)
    tok.add_argument("--sub", required=True, help="the user id")
    tok.add_argument("--venue", action="append", default=[], help="a venue the manager runs (repeatable)")
    tok.set_defaults(run=token)
    args = parser.parse_args(argv)
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    return int(args.run(Stack(), args))


if __name__ == "__main__":
    sys.exit(main())

"""The public event page and the search page of the web front, next to the API calls each makes,
same run; and the bytes each page sends.

Event page `GET /events/{id}` calls booking `GET /v1/events/{id}`, venues `GET /v1/venues/{id}` and
booking `GET /v1/events/{id}/availability`; search page `GET /search?q=cheo` calls booking
`GET /v1/events?q=cheo&limit=20` and venues `GET /v1/areas?limit=200`. Each of these is driven
alone with the same closed-loop clients (`bench/load.py`), rounds alternating the order. The cost
of a page is 1/rate; the cost of its calls is the sum of 1/rate of each; the page's own share is
how much more than its calls it costs (the issue allows 30%). Bytes: each page's HTML and the CSS
and scripts it loads, gzip-compressed as a proxy would send them (the public pages load nothing
from another origin)."""

import gzip
import re
from urllib.parse import urlencode

import requests

from bench import hot_event, load
from bench.stats import median
from xudong.stack import Stack

ROUNDS = 3
SECONDS, WARM_UP = 8.0, 2.0
PROCESSES, THREADS = 2, 4
LIMIT = 100 * 1024  # the bound on a public page's compressed HTML, CSS and script


def _paths(event_id: str, venue_id: str) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """Each page: its path on the web front, and the (service, path) of each call behind it."""
    return {
        "event page": (
            f"/events/{event_id}",
            [
                ("booking", f"/v1/events/{event_id}"),
                ("venues", f"/v1/venues/{venue_id}"),
                ("booking", f"/v1/events/{event_id}/availability"),
            ],
        ),
        "search page": (
            "/search?q=cheo",
            [
                ("booking", "/v1/events?" + urlencode({"q": "cheo", "limit": 20})),
                ("venues", "/v1/areas?limit=200"),
            ],
        ),
    }


def _load(port: int, path: str) -> load.Load:
    return load.Load(port, lambda c, n: load.Request("GET", path), PROCESSES, THREADS, WARM_UP, SECONDS)


def page_bytes(stack: Stack, path: str) -> tuple[int, int]:
    """The page's HTML and the same-origin CSS and scripts it names: bytes as sent, and gzipped."""
    html = requests.get(stack.web_url + path, timeout=10).content
    assets = re.findall(rb'(?:src|href)="(/static/[^"]+)"', html)
    bodies = [html] + [requests.get(stack.web_url + a.decode(), timeout=10).content for a in assets]
    return sum(len(b) for b in bodies), sum(len(gzip.compress(b)) for b in bodies)


def run(stack: Stack) -> list[tuple[str, str, str]]:
    stack.start_services()
    try:
        event = hot_event.on_sale(stack, 300)
        venue_id = requests.get(
            f"http://127.0.0.1:{stack.ports.booking}/v1/events/{event.id}", timeout=10
        ).json()["venue_id"]
        ports = {"web": stack.ports.web, "booking": stack.ports.booking, "venues": stack.ports.venues}
        pages = _paths(event.id, venue_id)
        loads = {
            name: _load(ports[s], p)
            for page_path, calls in pages.values()
            for name, s, p in [(page_path, "web", page_path), *[(f"{s} {p}", s, p) for s, p in calls]]
        }
        outcomes: dict[str, list[load.Outcome]] = {name: [] for name in loads}
        for round_ in range(ROUNDS):
            print(f"pages round {round_ + 1}/{ROUNDS}", flush=True)
            for name in list(loads) if round_ % 2 == 0 else list(reversed(loads)):
                outcomes[name].append(load.run(loads[name], (200,)))
        return _rows(stack, pages, outcomes)
    finally:
        stack.stop_services()


def _rows(
    stack: Stack, pages: dict[str, tuple[str, list[tuple[str, str]]]], outcomes: dict[str, list[load.Outcome]]
) -> list[tuple[str, str, str]]:
    who = f"{PROCESSES * THREADS} clients, {load.api_workers()} workers each"
    rate = {name: median([o.rate for o in found]) for name, found in outcomes.items()}
    p99 = {name: median([o.p(99) for o in found]) * 1000 for name, found in outcomes.items()}
    rows = []
    for title, (path, calls) in pages.items():
        behind = [f"{s} {p}" for s, p in calls]
        calls_cost = sum(1 / rate[c] for c in behind)
        share = (1 / rate[path]) / calls_cost - 1
        for name in [path, *behind]:
            rows.append(
                (
                    f"{title}: {name}",
                    f"requests/s, p99 ({who})",
                    f"{rate[name]:,.0f}/s, p99 {p99[name]:.0f} ms",
                )
            )
        rows.append(
            (f"{title}: {path}", "cost over its calls' (1/rate vs the sum of theirs)", f"{share:+.0%}")
        )
        sent, compressed = page_bytes(stack, path)
        rows.append(
            (
                f"{title}: {path}",
                "bytes: HTML, CSS, scripts (gzipped)",
                f"{sent:,} B ({compressed:,} B gzipped; bound {LIMIT:,})",
            )
        )
    return rows

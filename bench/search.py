"""Event search, `GET /v1/events`, over a catalogue of published events, next to a minimal endpoint
reading a page of the same events with one indexed SELECT, same run.

Catalogue: made through the public APIs as organisers make events (`bench/hot_event.py`): areas
(PROVINCES provinces, each with districts, each with wards), one venue of another kind in each ward,
and EVENTS_PER_VENUE events a venue, one a day from FIRST_DAY days ahead, in SHOWS' categories,
titles and descriptions (Vietnamese with diacritics).
Search: the booking service as the stack runs it (gunicorn, XUDONG_GUNICORN_WORKERS sync workers),
each request one of a fixed mix of queries (`_queries`): time windows, an area (a province with all
its wards, or a ward), a category, words with and without diacritics, and some of these together;
all ask for pages of PAGE events.
Minimal: `bench/minimal_app.py` under the same gunicorn settings and worker count, one SELECT of a
page of PAGE published events in a time window (the windows of the mix) through the `events_listed`
index of the booking service's own database.

Every query is asked once before the load: each must find events, and words without diacritics must
find what the same words with them find. Each round drives each endpoint with the same closed-loop
clients (`bench/load.py`) for WARM_UP + SECONDS and counts the 200 answers of the last SECONDS;
rounds alternate which endpoint goes first. Medians over ROUNDS rounds are reported."""

import os
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import requests
import sqlalchemy as sa

from bench import hot_event, load, minimal_app
from xudong.stack import Stack

ROUNDS = 3
SECONDS = 10.0
WARM_UP = 2.0
PROCESSES, THREADS = 2, 8  # 16 clients in all, as for holds
PAGE = 20  # events an answer at most: a page of a listing
PROVINCES, PER_PARENT = 2, 2  # each province holds 2 districts, each district 2 wards: 8 wards
EVENTS_PER_VENUE = 40  # one a day: 320 events over 40 days
FIRST_DAY = 10  # days ahead
ANSWERED = (200,)
MINIMAL = "minimal Flask + SQLAlchemy, one indexed SELECT of a page"
SEARCH = "GET /v1/events, mixed queries"

# (title in Vietnamese, in English, description in Vietnamese, category)
SHOWS = (
    ("Đêm Chèo Xứ Đông", "A night of Chèo", "Vở Quan Âm Thị Kính, chiếu chèo làng", "cheo"),
    (
        "Cải lương Tô Ánh Nguyệt",
        "Cải lương: Tô Ánh Nguyệt",
        "Đoàn cải lương Hải Dương biểu diễn",
        "cai_luong",
    ),
    ("Hồn Trương Ba, da hàng thịt", "Truong Ba's soul", "Kịch nói của Lưu Quang Vũ", "theatre"),
    ("Mùi đu đủ xanh", "The scent of green papaya", "Chiếu phim ngoài trời", "film"),
    ("Hòa nhạc mùa thu", "Autumn concert", "Dàn nhạc giao hưởng và đàn bầu", "concert"),
    ("Triển lãm gốm Chu Đậu", "Chu Đậu ceramics", "Gốm men lam thế kỷ mười lăm", "exhibition"),
    ("Hội chợ làng nghề", "Craft villages fair", "Gỗ Đông Giao, vàng bạc Châu Khê", "craft_fair"),
    ("Chợ đêm phố cổ", "Old quarter night market", "Ẩm thực và thủ công đường phố", "night_market"),
    ("Lễ hội Côn Sơn – Kiếp Bạc", "Côn Sơn – Kiếp Bạc festival", "Lễ hội mùa thu", "festival"),
    ("Lớp làm bánh gai Ninh Giang", "Ninh Giang leaf cakes", "Học làm bánh gai cùng nghệ nhân", "workshop"),
    ("Giải bóng chuyền Thanh Hà", "Thanh Hà volleyball cup", "Các đội xã thi đấu", "sport"),
)
VENUE_KINDS = (
    "theatre",
    "cinema",
    "museum",
    "craft_village",
    "creative_space",
    "night_market",
    "heritage_site",
    "walking_street",
)
# words asked with diacritics, and the same words without them
WORDS = (("chèo", "cheo"), ("gốm Chu Đậu", "gom chu dau"), ("làng nghề", "lang nghe"), ("Côn Sơn", "con son"))


@dataclass(frozen=True)
class Catalogue:
    provinces: list[str]
    wards: list[str]
    first_day: datetime  # midnight UTC of the first day with events
    events: int

    def day(self, n: int) -> str:
        return (self.first_day + timedelta(days=n)).isoformat()


def _areas(stack: Stack) -> tuple[list[str], list[str]]:
    """PROVINCES provinces, each with PER_PARENT districts, each with PER_PARENT wards."""
    provinces, wards = [], []
    for p in range(PROVINCES):
        province = hot_event.area(stack, "province", f"Tỉnh Thử {p} {os.urandom(3).hex()}")
        provinces.append(province)
        for d in range(PER_PARENT):
            district = hot_event.area(stack, "district", f"Huyện Thử {p}.{d}", province)
            wards += [
                hot_event.area(stack, "ward", f"Xã Thử {p}.{d}.{w}", district) for w in range(PER_PARENT)
            ]
    return provinces, wards


def _event(booking: hot_event.Booking, n: int) -> dict[str, Any]:
    """The n-th show of the catalogue, an hour into its booking, with a general admission."""
    title_vi, title_en, description_vi, category = SHOWS[n % len(SHOWS)]
    session = booking.start + timedelta(hours=1)
    return {
        "title": {"vi": title_vi, "en": title_en},
        "description": {"vi": description_vi},
        "category": category,
        "sessions": [{"start": session.isoformat(), "end": (session + timedelta(hours=2)).isoformat()}],
        "ticket_types": [
            {
                "name": {"vi": "Vé thường", "en": "General admission"},
                "kind": "general_admission",
                "price": 100_000 + 10_000 * (n % 10),
                "quota": 300,
            }
        ],
    }


def build(stack: Stack) -> Catalogue:
    """The catalogue, through the venues' and the booking service's APIs, four requests at a time."""
    provinces, wards = _areas(stack)
    spaces = [hot_event.venue(stack, 500, ward, VENUE_KINDS[i]) for i, ward in enumerate(wards)]
    first_day = (datetime.now(UTC) + timedelta(days=FIRST_DAY)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    slots = [  # each venue's day starts between 08:00 and 15:00 local time, and stays within opening hours
        (space, first_day + timedelta(days=day, hours=1 + (v + day) % 8))
        for v, space in enumerate(spaces)
        for day in range(EVENTS_PER_VENUE)
    ]

    def ask(slot: tuple[str, datetime]) -> hot_event.Booking:
        return hot_event.ask_booking(stack, slot[0], slot[1], hours=4)

    def publish(n: int) -> dict[str, Any]:
        return hot_event.publish(stack, bookings[n], _event(bookings[n], n))

    with ThreadPoolExecutor(4) as pool:
        bookings = list(pool.map(ask, slots))  # all asked before any is awaited
        shown = list(pool.map(publish, range(len(bookings))))
    return Catalogue(provinces, wards, first_day, len(shown))


def _queries(catalogue: Catalogue) -> list[dict[str, str]]:
    """The mix: what people look for, alone and together, each for a page of PAGE events."""
    c = catalogue
    weeks = [{"from": c.day(d), "to": c.day(d + 7)} for d in range(0, EVENTS_PER_VENUE, 10)]
    places = [{"area": a} for a in c.provinces + c.wards[::3]]
    kinds = [{"category": s[3]} for s in SHOWS[::3]]
    words = [{"q": w} for pair in WORDS for w in pair]
    together = [
        {"area": c.provinces[0], **weeks[1]},
        {"category": "cheo", **weeks[2]},
        {"q": "hoi cho", "area": c.provinces[1]},
        {"q": "Côn Sơn", **weeks[0]},
    ]
    return [{**q, "limit": str(PAGE)} for q in weeks + places + kinds + words + together]


def _windows(catalogue: Catalogue) -> list[dict[str, str]]:
    """The minimal endpoint's queries: the time windows of the mix."""
    return [
        {"from": catalogue.day(d), "to": catalogue.day(d + 7), "limit": str(PAGE)}
        for d in range(0, EVENTS_PER_VENUE, 5)
    ]


def _found(port: int, path: str, query: dict[str, str]) -> list[str]:
    items = hot_event.answer(
        requests.get(f"http://127.0.0.1:{port}{path}?{urlencode(query)}", timeout=30), 200
    )
    return [item["id"] for item in items["items"]]


def check(stack: Stack, minimal_port: int, catalogue: Catalogue) -> list[int]:
    """Every query of both mixes finds events, and words find the same without diacritics; how many
    events each search query's answer holds."""
    found = {tuple(q.items()): _found(stack.ports.booking, "/v1/events", q) for q in _queries(catalogue)}
    for query, ids in found.items():
        if not ids:
            raise RuntimeError(f"the search {dict(query)} finds nothing in the catalogue")
    for marked, plain in WORDS:
        asked = [
            _found(stack.ports.booking, "/v1/events", {"q": q, "limit": str(PAGE)}) for q in (marked, plain)
        ]
        if asked[0] != asked[1]:
            raise RuntimeError(f"{marked!r} and {plain!r} find different events")
    for window in _windows(catalogue):
        if not _found(minimal_port, "/events", window):
            raise RuntimeError(f"the minimal endpoint finds nothing in {window}")
    return [len(ids) for ids in found.values()]


def _load(port: int, path: str, queries: list[dict[str, str]]) -> load.Load:
    """The same clients, warm-up and window for both endpoints; each client walks the mix from a
    place of its own."""
    paths = [f"{path}?{urlencode(q)}" for q in queries]

    def request(client: int, n: int) -> load.Request:
        return load.Request("GET", paths[(client * 5 + n) % len(paths)])

    return load.Load(port, request, processes=PROCESSES, threads=THREADS, warm_up=WARM_UP, seconds=SECONDS)


def _published(stack: Stack) -> int:
    engine = sa.create_engine(stack.database_url("booking"))
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(sa.text("SELECT count(*) FROM events WHERE status = 'published'")).scalar_one()
            )
    finally:
        engine.dispose()


def _answers_cell(outcomes: list[load.Outcome]) -> str:
    seen: Counter[int] = sum((o.all_statuses for o in outcomes), Counter())
    others = ", ".join(
        f"{n:,} × {'no answer' if s == load.ERROR else s}"
        for s, n in sorted(seen.items())
        if s not in ANSWERED
    )
    return f"{seen[200]:,} × 200, {others or '0 errors'}"


def _rows(
    outcomes: dict[str, list[load.Outcome]], catalogue: Catalogue, sizes: list[int], published: int
) -> list[tuple[str, str, str]]:
    rows = load.rows_next_to_baseline(
        outcomes, MINIMAL, SEARCH, ("requests/s", "requests/s"), PROCESSES * THREADS
    )
    for path in (MINIMAL, SEARCH):
        rows.append((path, "answers, all rounds", _answers_cell(outcomes[path])))
    mean = sum(sizes) / len(sizes)
    mix = f"{len(sizes)} queries, {min(sizes)}–{max(sizes)} events an answer (mean {mean:.1f})"
    made = f"{catalogue.events} published events made this run in {len(catalogue.wards)} wards"
    rows.append((SEARCH, "catalogue and mix", f"{made}, {published:,} published in all; {mix}"))
    return rows


def _show(path: str, outcome: load.Outcome) -> None:
    print(
        f"  {path}: {outcome.rate:,.0f}/s, p50 {outcome.p(50) * 1000:.1f} ms, "
        f"p99 {outcome.p(99) * 1000:.1f} ms, {outcome.errors(ANSWERED)} errors",
        flush=True,
    )


def measure(stack: Stack, catalogue: Catalogue, minimal_port: int) -> dict[str, list[load.Outcome]]:
    """ROUNDS rounds of both loads, alternating which goes first."""
    loads = {
        MINIMAL: _load(minimal_port, "/events", _windows(catalogue)),
        SEARCH: _load(stack.ports.booking, "/v1/events", _queries(catalogue)),
    }
    outcomes: dict[str, list[load.Outcome]] = {MINIMAL: [], SEARCH: []}
    for round_ in range(ROUNDS):
        print(f"search round {round_ + 1}/{ROUNDS}", flush=True)
        for path in (MINIMAL, SEARCH) if round_ % 2 == 0 else (SEARCH, MINIMAL):
            outcomes[path].append(load.run(loads[path], ANSWERED))
            _show(path, outcomes[path][-1])
    return outcomes


def run(stack: Stack) -> list[tuple[str, str, str]]:
    """Rows of the benchmark table; starts the services and stops them again when done."""
    stack.start_services()
    minimal = None
    try:
        print("search: building the catalogue", flush=True)
        catalogue = build(stack)
        minimal = minimal_app.serve(stack, stack.database_url("booking"), load.api_workers())
        sizes = check(stack, minimal.port, catalogue)
        outcomes = measure(stack, catalogue, minimal.port)
        return _rows(outcomes, catalogue, sizes, _published(stack))
    finally:
        if minimal is not None:
            minimal.process.stop()
        stack.stop_services()

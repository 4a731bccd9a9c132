"""The e-ticket as a buyer's browser shows and prints it: headless Chromium, the real page."""

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.ticket_fixtures import free, on_sale, order
from xudong.stack import Stack

pytestmark = pytest.mark.stack


def chromium(profile: Path, *arguments: str) -> str:
    browser = shutil.which("chromium")
    assert browser, "Chromium is installed by infra/bootstrap.sh"
    done = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}", *arguments],
        capture_output=True,
        text=True,
        timeout=90,
        check=True,
    )
    return done.stdout


def test_the_printable_e_ticket_renders_and_prints_in_chromium(platform: Stack, tmp_path: Path) -> None:
    event = on_sale(platform, [free(5)])
    answer = order(platform, event["id"], items=[{"ticket_type_id": event["types"][0], "quantity": 1}])
    ticket = answer.json()["tickets"][0]
    page = chromium(tmp_path / "profile", "--dump-dom", ticket["print_url"])
    assert "Đêm Chèo Xứ Đông" in page and ticket["code"] in page and "<svg" in page
    pdf = tmp_path / "ticket.pdf"
    chromium(tmp_path / "profile", "--no-pdf-header-footer", f"--print-to-pdf={pdf}", ticket["print_url"])
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 2000

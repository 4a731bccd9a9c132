"""Kafka's storage is formatted with a cluster id the storage tool reads as a value: one that
starts with '-' it reads as an option and refuses (a fresh-clone run failed on `-t -eVZu3QW…`)."""

import base64
import itertools
import subprocess
from pathlib import Path

from xudong.stack import Stack, kafka_cluster_id

LEADS_WITH_DASH = bytes([0xF8]) + bytes(15)  # base64url "-A…"


def test_an_id_that_would_start_with_a_dash_is_drawn_again() -> None:
    draws = itertools.chain([LEADS_WITH_DASH], itertools.repeat(bytes(16)))
    assert kafka_cluster_id(lambda: next(draws)) == base64.urlsafe_b64encode(bytes(16)).decode().rstrip("=")


def format_storage(tmp_path: Path, cluster_id: str) -> subprocess.CompletedProcess[str]:
    tmp_path.mkdir()
    properties = tmp_path / "server.properties"
    template = (Path(__file__).parents[1] / "infra" / "kafka" / "server.properties.template").read_text()
    properties.write_text(template.format(port=1, controller_port=2, data_dir=tmp_path / "data"))
    java = Stack().kafka_process().argv[:-2]
    command = [*java, "kafka.tools.StorageTool", "format", "--ignore-formatted", "-t", cluster_id]
    return subprocess.run([*command, "-c", str(properties)], capture_output=True, text=True, timeout=120)


def test_the_storage_tool_takes_the_id_and_refuses_one_that_starts_with_a_dash(tmp_path: Path) -> None:
    dashed = base64.urlsafe_b64encode(LEADS_WITH_DASH).decode().rstrip("=")
    assert format_storage(tmp_path / "dashed", dashed).returncode != 0  # the control
    drawn = itertools.chain([LEADS_WITH_DASH], iter([bytes(range(16))]))
    formatted = format_storage(tmp_path / "drawn", kafka_cluster_id(lambda: next(drawn)))
    assert formatted.returncode == 0, formatted.stderr

"""What every service answers, running under gunicorn on the real stack."""

import json

import pytest
import requests

from conftest import eventually
from xudong.stack import SERVICES, Stack

pytestmark = pytest.mark.stack


def base(stack: Stack, service: str) -> str:
    return f"http://127.0.0.1:{getattr(stack.ports, service)}"


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_is_alive_ready_measured_and_documented(platform: Stack, service: str) -> None:
    root = base(platform, service)
    assert requests.get(f"{root}/healthz", timeout=5).json()["status"] == "ok"
    ready = requests.get(f"{root}/readyz", timeout=5)
    assert (ready.status_code, ready.json()["checks"]) == (200, {"database": True, "kafka": True})
    metrics = requests.get(f"{root}/metrics", timeout=5)
    assert metrics.headers["Content-Type"].startswith("text/plain")
    assert 'http_requests_total{method="GET",route="/readyz",status="200"}' in metrics.text
    document = requests.get(f"{root}/openapi.json", timeout=5).json()
    assert document["openapi"].startswith("3.")
    assert "Problem" in document["components"]["schemas"]


@pytest.mark.parametrize("service", SERVICES)
def test_an_unknown_route_is_a_problem_that_carries_the_correlation_id(platform: Stack, service: str) -> None:
    answer = requests.get(
        f"{base(platform, service)}/v1/nothing-here", headers={"X-Correlation-ID": "c-404"}, timeout=5
    )
    assert (answer.status_code, answer.headers["Content-Type"]) == (404, "application/problem+json")
    assert answer.json()["correlation_id"] == answer.headers["X-Correlation-ID"] == "c-404"


@pytest.mark.parametrize("service", SERVICES)
def test_an_address_too_long_is_refused_as_a_problem_and_a_long_one_is_read(
    platform: Stack, service: str
) -> None:
    """Past gunicorn's default request line (4094 bytes), a query is still the service's to read; past
    what the services read (8190), the refusal is the API's 414 problem+json, which the document lists."""
    url = f"{base(platform, service)}/v1/nothing-here?q="
    read = requests.get(url + "x" * 5000, timeout=5)
    assert (read.status_code, read.headers["Content-Type"]) == (404, "application/problem+json")
    refused = requests.get(url + "x" * 9000, timeout=5)
    assert (refused.status_code, refused.headers["Content-Type"]) == (414, "application/problem+json")
    assert "at most 8190 characters" in refused.json()["detail"]
    document = requests.get(f"{base(platform, service)}/openapi.json", timeout=5).json()
    assert all("414" in op["responses"] for ops in document["paths"].values() for op in ops.values())


def test_the_venues_openapi_describes_the_areas_routes_with_their_schemas(platform: Stack) -> None:
    document = requests.get(f"{base(platform, 'venues')}/openapi.json", timeout=5).json()
    create = document["paths"]["/v1/areas"]["post"]
    assert create["security"] == [{"bearer": []}]
    assert set(create["responses"]) >= {"201", "400", "401", "403", "422"}
    assert "AreaIn" in json.dumps(create["requestBody"])


@pytest.mark.parametrize("service", SERVICES)
def test_service_logs_are_json_lines_that_carry_the_correlation_id(platform: Stack, service: str) -> None:
    correlation = f"c-log-{service}"
    requests.get(f"{base(platform, service)}/healthz", headers={"X-Correlation-ID": correlation}, timeout=5)

    def logged() -> list[dict[str, object]]:
        text = (platform.state / "logs" / f"{service}-api.log").read_text()
        # lines end at "\n" only: a logged path may hold U+2028 or U+0085, which splitlines() splits at
        written = text.split("\n")[:-1]  # and not a line still being written
        records = [json.loads(line) for line in written if line.startswith("{")]
        return [r for r in records if r["correlation_id"] == correlation]

    record = eventually(logged, timeout=10)[0]
    assert (record["service"], record["path"], record["status"]) == (service, "/healthz", 200)
